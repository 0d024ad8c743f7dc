package org.redoubt.persistence.rdb;

import java.util.ArrayList;
import java.util.List;
import org.redoubt.engine.type.RValue;

/**
 * The registry of {@link TypeCodec}s: which codec saves a value, which one loads a type byte.
 * Types without a codec are reported clearly, naming the type and the offset, instead of being
 * skipped: a save must never silently drop keys, and a load must never silently lose them.
 */
public final class Codecs {
    private final List<TypeCodec> codecs = new ArrayList<>();
    private final TypeCodec[] byType = new TypeCodec[256];
    private final StringCodec strings = new StringCodec();

    private Codecs() {}

    /** Every codec this build has: strings, then each collection type as its codec exists. */
    public static Codecs standard() {
        Codecs c = new Codecs();
        c.register(c.strings);
        for (TypeCodec t : CollectionCodecs.available()) c.register(t);
        return c;
    }

    /** Adds (or, for the same type bytes, replaces) a codec. */
    public Codecs register(TypeCodec codec) {
        codecs.removeIf(x -> x.getClass() == codec.getClass());
        codecs.add(codec);
        for (int t : codec.loadTypes()) byType[t] = codec;
        return this;
    }

    /** The codec saving v, or null when this build cannot save it. */
    public TypeCodec forValue(Object v) {
        if (v instanceof byte[] || v instanceof org.redoubt.engine.type.Sds) return strings;
        for (int i = 0; i < codecs.size(); i++) {
            TypeCodec c = codecs.get(i);
            if (c.saves(v)) return c;
        }
        return null;
    }

    /** The codec loading type byte t, or null. */
    public TypeCodec forType(int t) {
        return t >= 0 && t < 256 ? byType[t] : null;
    }

    /** A message for a value no codec saves. */
    public static String unsupportedValue(Object v) {
        String type = v instanceof RValue r ? r.typeName() : v.getClass().getSimpleName();
        return "Saving values of type '" + type + "' is not supported yet";
    }

    /** A message for a type byte no codec loads. */
    public static String unsupportedType(int t) {
        if (t == Rdb.TYPE_MODULE || t == Rdb.TYPE_MODULE_2) {
            return "The RDB file contains module data I can't load: modules are not supported";
        }
        if (!Rdb.isObjectType(t)) return "Unknown RDB encoding type " + t;
        return "Loading values of type '" + Rdb.typeName(t) + "' (RDB type " + t + ", "
            + Rdb.encodingName(t) + ") is not supported yet";
    }
}
