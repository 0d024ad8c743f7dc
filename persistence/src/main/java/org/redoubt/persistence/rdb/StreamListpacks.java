package org.redoubt.persistence.rdb;

import java.util.ArrayList;
import java.util.List;
import org.redoubt.protocol.Numbers;

/**
 * The entries inside a stream node's listpack (t_stream.c's layout). The node starts with a
 * master entry: {@code count deleted num-fields field... 0}. Each entry follows as
 * {@code flags ms-diff seq-diff} (the ID relative to the node's master ID), then either only the
 * values when flag SAMEFIELDS (2) says it has the master's fields, or {@code num-fields} and the
 * field/value pairs; and finally {@code lp-count}, the number of elements of the entry, so that
 * the listpack can be walked backwards. Flag DELETED (1) marks an entry removed by XDEL.
 */
public final class StreamListpacks {
    private StreamListpacks() {}

    public static final int FLAG_DELETED = 1, FLAG_SAMEFIELDS = 2;

    /** Receives the entries of a node in order. */
    public interface EntryVisitor {
        /**
         * @param fields field names (shared with other entries when SAMEFIELDS; do not modify)
         * @param values the values, one per field
         */
        void entry(long ms, long seq, boolean deleted, byte[][] fields, byte[][] values) throws RdbException;
    }

    private static List<Object> elements(byte[] lp, long at) throws RdbException {
        List<Object> out = new ArrayList<>();
        Listpack.decode(lp, new Listpack.Visitor() {
            @Override public void string(byte[] b, int off, int len) { out.add(java.util.Arrays.copyOfRange(b, off, off + len)); }

            @Override public void integer(long v) { out.add(v); }
        }, at);
        return out;
    }

    /** lpGetIntegerIfValid: an integer element, or a string that is a canonical integer. */
    private static long integer(List<Object> e, int i, long at) throws RdbException {
        if (i >= e.size()) throw bad(at);
        Object o = e.get(i);
        if (o instanceof Long l) return l;
        byte[] b = (byte[]) o;
        long v = Numbers.parseLong(b, 0, b.length);
        if (v == Numbers.NOT_A_LONG && !Numbers.isLong(b, 0, b.length)) throw bad(at);
        return v;
    }

    private static byte[] bytes(List<Object> e, int i, long at) throws RdbException {
        if (i >= e.size()) throw bad(at);
        Object o = e.get(i);
        return o instanceof Long l ? Numbers.longToBytes(l) : (byte[]) o;
    }

    /** streamValidateListpackIntegrity with deep validation. */
    public static void validate(byte[] masterId, byte[] lp, long at) throws RdbException {
        walk(masterId, lp, at, null);
    }

    /** Decodes every entry (deleted ones included, flagged); returns the number of live entries. */
    public static long walk(byte[] masterId, byte[] lp, long at, EntryVisitor v) throws RdbException {
        List<Object> e = elements(lp, at);
        long masterMs = StreamData.idMs(masterId), masterSeq = StreamData.idSeq(masterId);
        int i = 0;
        long count = integer(e, i++, at);
        long deleted = integer(e, i++, at);
        long masterFields = integer(e, i++, at);
        if (count < 0 || deleted < 0 || masterFields < 0 || masterFields > e.size()) throw bad(at);
        byte[][] mf = new byte[(int) masterFields][];
        for (int j = 0; j < masterFields; j++) mf[j] = bytes(e, i++, at);
        if (integer(e, i++, at) != 0) throw bad(at);
        long total = count + deleted;
        long live = 0;
        for (long k = 0; k < total; k++) {
            long flags = integer(e, i++, at);
            long msDiff = integer(e, i++, at);
            long seqDiff = integer(e, i++, at);
            byte[][] fields;
            byte[][] values;
            long extra = 3;
            if ((flags & FLAG_SAMEFIELDS) != 0) {
                fields = mf;
                values = new byte[mf.length][];
                for (int j = 0; j < mf.length; j++) values[j] = bytes(e, i++, at);
            } else {
                long nf = integer(e, i++, at);
                if (nf < 0 || nf > e.size()) throw bad(at);
                fields = new byte[(int) nf][];
                values = new byte[(int) nf][];
                for (int j = 0; j < nf; j++) {
                    fields[j] = bytes(e, i++, at);
                    values[j] = bytes(e, i++, at);
                }
                extra += nf + 1;
            }
            long lpCount = integer(e, i++, at);
            if (lpCount != fields.length + extra) throw bad(at);
            boolean del = (flags & FLAG_DELETED) != 0;
            if (!del) live++;
            if (v != null) v.entry(masterMs + msDiff, masterSeq + seqDiff, del, fields, values);
        }
        if (i != e.size()) throw bad(at);
        return live;
    }

    private static RdbException bad(long at) {
        return new RdbException(RdbException.Kind.CORRUPT, at, "Stream listpack integrity check failed.");
    }
}
