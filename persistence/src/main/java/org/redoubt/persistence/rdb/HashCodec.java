package org.redoubt.persistence.rdb;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.redoubt.engine.type.HashValue;

/**
 * Hashes: a listpack-encoded hash is written as RDB_TYPE_HASH_LISTPACK (its pairs in insertion
 * order, one listpack blob), a hashtable as RDB_TYPE_HASH (count, then field and value strings).
 * Loading follows rdbLoadObject: a plain hash stays a listpack while it fits both
 * hash-max-listpack limits; a listpack or ziplist blob stays a listpack unless it has more than
 * hash-max-listpack-entries fields; a zipmap is converted like a plain hash. Duplicate fields are
 * reported as corruption.
 */
final class HashCodec implements TypeCodec {
    @Override public String typeName() { return "hash"; }

    @Override public boolean saves(Object v) { return v instanceof HashValue; }

    @Override public int rdbType(Object v) {
        return ((HashValue) v).isListpack() ? Rdb.TYPE_HASH_LISTPACK : Rdb.TYPE_HASH;
    }

    @Override
    public void save(Object v, RdbOutput out, SaveContext ctx) throws IOException {
        HashValue h = (HashValue) v;
        if (h.isListpack()) {
            Listpack.Builder lp = new Listpack.Builder(64);
            for (int i = 0, n = h.size(); i < n; i++) {
                lp.add(h.fieldAt(i));
                lp.add(h.valueAt(i));
            }
            out.writeString(lp.toByteArray());
            return;
        }
        out.writeLen(h.size());
        try {
            h.forEach((f, val, meta) -> {
                try {
                    out.writeString(f);
                    out.writeString((byte[]) val);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                return true;
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    @Override
    public int[] loadTypes() {
        return new int[] {Rdb.TYPE_HASH, Rdb.TYPE_HASH_ZIPMAP, Rdb.TYPE_HASH_ZIPLIST, Rdb.TYPE_HASH_LISTPACK};
    }

    @Override
    public Object load(int rdbType, RdbInput in, LoadContext ctx) throws IOException {
        HashValue h = HashValue.create(ctx.epoch);
        long maxEntries = ctx.config.hashMaxListpackEntries;
        boolean blob = rdbType == Rdb.TYPE_HASH_LISTPACK || rdbType == Rdb.TYPE_HASH_ZIPLIST;
        long maxValue = blob ? Long.MAX_VALUE : ctx.config.hashMaxListpackValue;
        ValueParser.parseHash(rdbType, in, (f, val) -> h.set(f, val, maxEntries, maxValue));
        if (ctx.deepSanitize && rdbType == Rdb.TYPE_HASH_LISTPACK) ctx.sanitizations++;
        return h.size() == 0 ? null : h;
    }
}
