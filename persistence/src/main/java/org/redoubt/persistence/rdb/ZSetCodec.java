package org.redoubt.persistence.rdb;

import java.io.IOException;
import org.redoubt.engine.type.ZSetValue;
import org.redoubt.protocol.Numbers;

/**
 * Sorted sets: a listpack-encoded set is written as RDB_TYPE_ZSET_LISTPACK (member, score pairs
 * in order, scores as d2string text, which the listpack stores as an integer when it is one), a
 * skiplist as RDB_TYPE_ZSET_2 (count, then member and binary double from the highest score down,
 * as Redis writes it so that loading inserts at the head). Loading follows rdbLoadObject: a plain
 * set becomes a listpack when it fits both zset-max-listpack limits; a listpack or ziplist blob
 * stays one unless it has more than zset-max-listpack-entries members. NaN scores and duplicate
 * members are corruption.
 */
final class ZSetCodec implements TypeCodec {
    @Override public String typeName() { return "zset"; }

    @Override public boolean saves(Object v) { return v instanceof ZSetValue; }

    @Override public int rdbType(Object v) {
        return ((ZSetValue) v).isListpack() ? Rdb.TYPE_ZSET_LISTPACK : Rdb.TYPE_ZSET_2;
    }

    @Override
    public void save(Object v, RdbOutput out, SaveContext ctx) throws IOException {
        ZSetValue z = (ZSetValue) v;
        if (z.isListpack()) {
            Listpack.Builder lp = new Listpack.Builder(64);
            ZSetValue.Iter it = z.iter(0, false);
            while (it.next()) {
                lp.add(it.member);
                byte[] s = Numbers.d2string(it.score).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
                lp.add(s);
            }
            out.writeString(lp.toByteArray());
            return;
        }
        out.writeLen(z.size());
        ZSetValue.Iter it = z.iter(0, true);
        while (it.next()) {
            out.writeString(it.member);
            out.writeBinaryDouble(it.score);
        }
    }

    @Override
    public int[] loadTypes() {
        return new int[] {Rdb.TYPE_ZSET, Rdb.TYPE_ZSET_2, Rdb.TYPE_ZSET_ZIPLIST, Rdb.TYPE_ZSET_LISTPACK};
    }

    @Override
    public Object load(int rdbType, RdbInput in, LoadContext ctx) throws IOException {
        long maxEntries = ctx.config.zsetMaxListpackEntries;
        long maxValue = ctx.config.zsetMaxListpackValue;
        boolean blob = rdbType == Rdb.TYPE_ZSET_LISTPACK || rdbType == Rdb.TYPE_ZSET_ZIPLIST;
        ZSetValue[] z = {null};
        long addEntries = blob ? Long.MAX_VALUE : maxEntries;
        long addValue = blob ? Long.MAX_VALUE : maxValue;
        ValueParser.parseZSet(rdbType, in, new ValueParser.ZSetSink() {
            @Override public void sizeHint(long n) {
                z[0] = n > maxEntries ? ZSetValue.newSkiplist(ctx.epoch) : ZSetValue.newListpack(ctx.epoch);
            }

            @Override public boolean add(byte[] member, double score) {
                if (z[0] == null) z[0] = ZSetValue.newListpack(ctx.epoch);
                return (z[0].add(score, member, 0, addEntries, addValue, null) & ZSetValue.OUT_ADDED) != 0;
            }
        });
        ZSetValue set = z[0];
        if (set == null || set.size() == 0) return null;
        if (blob && set.isListpack() && set.size() > maxEntries) set.toSkiplist();
        if (ctx.deepSanitize && rdbType == Rdb.TYPE_ZSET_LISTPACK) ctx.sanitizations++;
        return set;
    }
}
