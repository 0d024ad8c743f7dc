package org.redoubt.persistence.rdb;

import java.io.IOException;
import org.redoubt.engine.type.Sds;

/**
 * Strings: RDB_TYPE_STRING. In the keyspace a string is a {@code byte[]} (immutable) or an
 * {@link Sds}; on disk it is a string with the integer and LZF encodings of
 * {@link RdbOutput#writeString}. A loaded string is a {@code byte[]}: Redis turns a loaded value
 * into its int/embstr/raw encoding by content, which is what a byte[] reports.
 */
public final class StringCodec implements TypeCodec {
    @Override public String typeName() { return "string"; }

    @Override public boolean saves(Object v) { return v instanceof byte[] || v instanceof Sds; }

    @Override public int rdbType(Object v) { return Rdb.TYPE_STRING; }

    @Override public void save(Object v, RdbOutput out, SaveContext ctx) throws IOException {
        if (v instanceof Sds s) {
            // A snapshot's Sds is frozen: the engine copies it before writing once the epoch moved.
            out.writeString(s.buf, 0, s.len);
        } else {
            out.writeString((byte[]) v);
        }
    }

    @Override public int[] loadTypes() { return new int[] {Rdb.TYPE_STRING}; }

    @Override public Object load(int rdbType, RdbInput in, LoadContext ctx) throws IOException {
        return in.readString();
    }
}
