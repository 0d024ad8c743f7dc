package org.redoubt.persistence.rdb;

import java.util.ArrayList;
import java.util.List;

/**
 * The codecs of the collection types. Each is added here once its engine value class exists
 * (lists, hashes, sets, sorted sets, streams); until then {@link Codecs} reports the type as
 * not supported yet, with the offset, rather than dropping data.
 */
final class CollectionCodecs {
    private CollectionCodecs() {}

    static List<TypeCodec> available() {
        List<TypeCodec> l = new ArrayList<>();
        l.add(new ListCodec());
        l.add(new HashCodec());
        l.add(new SetCodec());
        l.add(new ZSetCodec());
        l.add(new StreamCodec());
        return l;
    }
}
