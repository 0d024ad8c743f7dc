package org.redoubt.persistence.rdb;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.redoubt.engine.type.SetValue;

/**
 * Sets: an intset-encoded set is written as RDB_TYPE_SET_INTSET (the intset blob, elements
 * sorted, in the narrowest width that holds them), a hashtable as RDB_TYPE_SET (count, then
 * member strings). Loading keeps an intset while it fits set-max-intset-entries and turns to a
 * hashtable at the first non-integer member, as rdbLoadObject. Duplicates are corruption.
 */
final class SetCodec implements TypeCodec {
    @Override public String typeName() { return "set"; }

    @Override public boolean saves(Object v) { return v instanceof SetValue; }

    @Override public int rdbType(Object v) {
        return ((SetValue) v).isIntset() ? Rdb.TYPE_SET_INTSET : Rdb.TYPE_SET;
    }

    @Override
    public void save(Object v, RdbOutput out, SaveContext ctx) throws IOException {
        SetValue s = (SetValue) v;
        if (s.isIntset()) {
            int n = s.size();
            long[] ints = new long[n];
            for (int i = 0; i < n; i++) ints[i] = s.intAt(i);
            out.writeString(Intset.encode(ints, n));
            return;
        }
        out.writeLen(s.size());
        try {
            s.forEach((m, val, meta) -> {
                try {
                    out.writeString(m);
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
    public int[] loadTypes() { return new int[] {Rdb.TYPE_SET, Rdb.TYPE_SET_INTSET}; }

    @Override
    public Object load(int rdbType, RdbInput in, LoadContext ctx) throws IOException {
        SetValue s = SetValue.createIntset(ctx.epoch);
        long max = ctx.config.setMaxIntsetEntries;
        ValueParser.parseSet(rdbType, in, m -> s.add(m, max));
        if (ctx.deepSanitize && rdbType == Rdb.TYPE_SET_INTSET) ctx.sanitizations++;
        return s.size() == 0 ? null : s;
    }
}
