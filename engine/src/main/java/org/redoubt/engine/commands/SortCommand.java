package org.redoubt.engine.commands;

import java.util.ArrayList;
import java.util.Arrays;
import org.redoubt.engine.Client;
import org.redoubt.engine.CommandFamily;
import org.redoubt.engine.Engine;
import org.redoubt.engine.Errors;
import org.redoubt.engine.command.CommandTable;
import org.redoubt.engine.config.Notify;
import org.redoubt.engine.db.CowMap;
import org.redoubt.engine.db.Db;
import org.redoubt.engine.type.HashValue;
import org.redoubt.engine.type.ListValue;
import org.redoubt.engine.type.RValue;
import org.redoubt.engine.type.SetValue;
import org.redoubt.engine.type.Types;
import org.redoubt.engine.type.ZSetValue;
import org.redoubt.engine.util.Bytes;
import org.redoubt.protocol.Numbers;

/**
 * SORT and SORT_RO (Redis's sort.c) over lists, sets and sorted sets: numeric or ALPHA order,
 * ASC/DESC, LIMIT, BY a pattern of weight keys or hash fields ("weight_*", "obj_*->field") or a
 * constant (no sorting: native order), GET patterns (and "#" for the element itself), and STORE
 * of the result as a list.
 *
 * <p>Ordering follows sortCompare: numeric order breaks ties by the elements' bytes, so the result
 * is deterministic; ALPHA compares bytes (as strcoll does in the C locale, up to a NUL byte
 * unless the result is stored, where the whole string counts); with BY, an element whose weight
 * key is missing sorts first under ALPHA and as 0 numerically.
 *
 * <p>Engine thread only.
 */
public final class SortCommand implements CommandFamily {
    private static final byte[] EMPTY = {};

    @Override
    public void register(CommandTable t, Engine e) {
        t.bind("sort", c -> sort(c, false));
        t.bind("sort_ro", c -> sort(c, true));
    }

    /** One SORT call's parameters and vector (a new instance per call: SORT is O(N log N) anyway). */
    private static final class Job {
        boolean desc, alpha, store;
        boolean byPattern;
        /** Elements to sort or output. */
        byte[][] objs;
        /** Numeric weights (numeric sort). */
        double[] scores;
        /** ALPHA BY weights; null for a missing weight key. */
        byte[][] cmp;

        /** sortCompare of elements a and b. */
        int compare(int a, int b) {
            int r;
            if (!alpha) {
                double x = scores[a], y = scores[b];
                r = x > y ? 1 : x < y ? -1 : Bytes.compare(objs[a], objs[b]);
            } else if (byPattern) {
                byte[] x = cmp[a], y = cmp[b];
                if (x == null || y == null) r = x == y ? 0 : x == null ? -1 : 1;
                else r = store ? Bytes.compare(x, y) : collate(x, y);
            } else {
                r = store ? Bytes.compare(objs[a], objs[b]) : collate(objs[a], objs[b]);
            }
            return desc ? -r : r;
        }
    }

    /** strcoll in the C locale: strcmp, i.e. unsigned bytes up to the first NUL. */
    static int collate(byte[] a, byte[] b) {
        int n = Math.min(a.length, b.length);
        for (int i = 0; i < n; i++) {
            int x = a[i] & 0xff, y = b[i] & 0xff;
            if (x != y) return x - y;
            if (x == 0) return 0;
        }
        int x = a.length > n ? a[n] & 0xff : 0, y = b.length > n ? b[n] & 0xff : 0;
        return x - y;
    }

    private void sort(Client c, boolean readonly) {
        Job job = new Job();
        long limitStart = 0, limitCount = -1;
        boolean dontsort = false;
        byte[] sortby = null, storeKey = null;
        ArrayList<byte[]> gets = null;
        for (int j = 2; j < c.argc; j++) {
            int left = c.argc - j - 1;
            byte[] opt = c.argv[j];
            if (Bytes.equalsIgnoreCase(opt, "asc")) {
                job.desc = false;
            } else if (Bytes.equalsIgnoreCase(opt, "desc")) {
                job.desc = true;
            } else if (Bytes.equalsIgnoreCase(opt, "alpha")) {
                job.alpha = true;
            } else if (Bytes.equalsIgnoreCase(opt, "limit") && left >= 2) {
                byte[] a = c.argv[j + 1], b = c.argv[j + 2];
                limitStart = Numbers.parseLong(a);
                limitCount = Numbers.parseLong(b);
                if ((limitStart == Numbers.NOT_A_LONG && !Numbers.isLong(a))
                    || (limitCount == Numbers.NOT_A_LONG && !Numbers.isLong(b))) {
                    c.addError(Errors.NOT_INTEGER);
                    return;
                }
                j += 2;
            } else if (!readonly && Bytes.equalsIgnoreCase(opt, "store") && left >= 1) {
                storeKey = c.argv[++j];
            } else if (Bytes.equalsIgnoreCase(opt, "by") && left >= 1) {
                sortby = c.argv[++j];
                // A pattern without '*' names one constant key: nothing to sort by.
                dontsort = indexOfStar(sortby) < 0;
            } else if (Bytes.equalsIgnoreCase(opt, "get") && left >= 1) {
                if (gets == null) gets = new ArrayList<>();
                gets.add(c.argv[++j]);
            } else {
                c.addError(Errors.SYNTAX);
                return;
            }
        }
        Db db = c.db;
        Object sortval = db.lookupRead(c.argv[1]);
        SortSource src = sortval == null ? SortSource.EMPTY : SortSource.of(sortval);
        if (src == null) {
            c.addError(Errors.WRONGTYPE);
            return;
        }
        // A set has no native order: with a constant BY, a stored result (or a script's) is
        // still sorted ALPHA so that it is the same everywhere it is replayed.
        if (dontsort && src.isSet() && (storeKey != null || c.has(Client.F_SCRIPT))) {
            dontsort = false;
            job.alpha = true;
            sortby = null;
        }
        job.store = storeKey != null;
        job.byPattern = sortby != null;

        long vectorlen = src.size();
        long start = Math.min(Math.max(limitStart, 0), vectorlen);
        limitCount = Math.min(Math.max(limitCount, -1), vectorlen);
        long end = limitCount < 0 ? vectorlen - 1 : start + limitCount - 1;
        if (start >= vectorlen) {
            start = vectorlen - 1;
            end = vectorlen - 2;
        }
        if (end >= vectorlen) end = vectorlen - 1;

        byte[][] objs;
        if (dontsort && src.hasNativeOrder()) {
            // Lists and sorted sets keep their own order: load just the range, reversed for DESC.
            if (end >= start) {
                objs = src.range((int) start, (int) (end - start + 1), job.desc);
                end -= start;
                start = 0;
            } else {
                objs = new byte[0][];
            }
        } else {
            objs = src.all();
        }
        job.objs = objs;
        int n = objs.length;

        boolean conversionError = false;
        if (!dontsort) {
            if (job.alpha) {
                if (sortby != null) job.cmp = new byte[n][];
            } else {
                job.scores = new double[n];
            }
            for (int j = 0; j < n; j++) {
                byte[] byval;
                if (sortby != null) {
                    byval = lookupByPattern(db, sortby, objs[j]);
                    if (byval == null) continue;
                } else {
                    byval = objs[j];
                }
                if (job.alpha) {
                    if (sortby != null) job.cmp[j] = byval;
                } else {
                    double d = weight(byval);
                    if (Double.isNaN(d)) conversionError = true;
                    else job.scores[j] = d;
                }
            }
            if (!conversionError) {
                int[] order = sortIndices(job, n);
                byte[][] sorted = new byte[n][];
                for (int i = 0; i < n; i++) sorted[i] = objs[order[i]];
                objs = job.objs = sorted;
            }
        }

        int getops = gets == null ? 0 : gets.size();
        long outputlen = getops > 0 ? getops * (end - start + 1) : end - start + 1;
        if (conversionError) {
            c.addError("ERR One or more scores can't be converted into double");
        } else if (storeKey == null) {
            c.addArrayLen(outputlen);
            for (long j = start; j <= end; j++) {
                byte[] obj = objs[(int) j];
                if (getops == 0) c.addBulk(obj);
                for (int g = 0; g < getops; g++) {
                    Object val = lookupByPatternValue(db, gets.get(g), obj);
                    if (val == null) c.addNull();
                    else c.addBulkValue(val);
                }
            }
        } else {
            ArrayList<byte[]> out = new ArrayList<>((int) Math.max(0, outputlen));
            for (long j = start; j <= end; j++) {
                byte[] obj = objs[(int) j];
                if (getops == 0) {
                    out.add(obj);
                    continue;
                }
                for (int g = 0; g < getops; g++) {
                    Object val = lookupByPatternValue(db, gets.get(g), obj);
                    out.add(val == null ? EMPTY : Types.bytes(val));
                }
            }
            if (outputlen > 0) {
                db.setKey(storeKey, SortSource.newList(out, c.engine), false);
                c.engine.notify(Notify.LIST, "sortstore", storeKey, db.id);
                c.engine.dirty += outputlen;
            } else if (db.delete(storeKey)) {
                c.engine.notify(Notify.GENERIC, "del", storeKey, db.id);
                c.engine.dirty++;
            }
            c.addLong(outputlen);
        }
    }

    /** A stable merge sort of the positions [0, n) by {@link Job#compare}. */
    private static int[] sortIndices(Job job, int n) {
        int[] a = new int[n], tmp = new int[n];
        for (int i = 0; i < n; i++) a[i] = i;
        for (int width = 1; width < n; width *= 2) {
            for (int lo = 0; lo < n - width; lo += 2 * width) {
                int mid = lo + width, hi = Math.min(lo + 2 * width, n);
                if (job.compare(a[mid - 1], a[mid]) <= 0) continue;
                int i = lo, k = mid, o = lo;
                while (i < mid && k < hi) tmp[o++] = job.compare(a[i], a[k]) <= 0 ? a[i++] : a[k++];
                while (i < mid) tmp[o++] = a[i++];
                while (k < hi) tmp[o++] = a[k++];
                System.arraycopy(tmp, lo, a, lo, hi - lo);
            }
        }
        return a;
    }

    /**
     * The numeric weight of a value as SORT reads it with strtod: leading blanks allowed, the
     * whole C string (up to a NUL) must be a number, empty is 0; NaN when it is not a number,
     * is NaN, or is out of double range.
     */
    static double weight(byte[] b) {
        int end = 0;
        while (end < b.length && b[end] != 0) end++;
        if (end == 0) return 0;
        int i = 0;
        while (i < end && isCSpace(b[i])) i++;
        if (i == end) return Double.NaN;
        return Numbers.parseDouble(b, i, end - i);
    }

    private static boolean isCSpace(byte x) {
        return x == ' ' || x == '\t' || x == '\n' || x == 0x0b || x == '\f' || x == '\r';
    }

    /** Position of the first '*' in the C string (up to a NUL), or -1. */
    private static int indexOfStar(byte[] p) {
        for (int i = 0; i < p.length && p[i] != 0; i++) {
            if (p[i] == '*') return i;
        }
        return -1;
    }

    /** {@link #lookupByPatternValue} as bytes. */
    private static byte[] lookupByPattern(Db db, byte[] pattern, byte[] subst) {
        Object v = lookupByPatternValue(db, pattern, subst);
        return v == null ? null : Types.bytes(v);
    }

    /**
     * lookupKeyByPattern: "#" is the element itself; otherwise the first '*' is replaced by the
     * element and the key read (it must hold a string), or, when "->field" follows the star with
     * a non-empty field, that field of the hash at the key. Null when there is no star, no such
     * key or field, or the key has another type.
     */
    static Object lookupByPatternValue(Db db, byte[] pattern, byte[] subst) {
        if (pattern.length >= 1 && pattern[0] == '#' && (pattern.length == 1 || pattern[1] == 0)) return subst;
        int star = indexOfStar(pattern);
        if (star < 0) return null;
        int arrow = -1;
        for (int i = star + 1; i + 1 < pattern.length && pattern[i] != 0 && pattern[i + 1] != 0; i++) {
            if (pattern[i] == '-' && pattern[i + 1] == '>') {
                arrow = i;
                break;
            }
        }
        int fieldLen = 0;
        if (arrow >= 0 && arrow + 2 < pattern.length && pattern[arrow + 2] != 0) {
            fieldLen = pattern.length - arrow - 2;
        } else {
            arrow = -1;
        }
        int postfix = pattern.length - star - 1 - (fieldLen > 0 ? fieldLen + 2 : 0);
        byte[] key = new byte[star + subst.length + postfix];
        System.arraycopy(pattern, 0, key, 0, star);
        System.arraycopy(subst, 0, key, star, subst.length);
        System.arraycopy(pattern, star + 1, key, star + subst.length, postfix);
        Object o = db.lookupRead(key);
        if (o == null) return null;
        if (fieldLen > 0) {
            if (!(o instanceof HashValue h)) return null;
            return h.get(Arrays.copyOfRange(pattern, arrow + 2, pattern.length));
        }
        return Types.isString(o) ? o : null;
    }

    /**
     * The value being sorted, seen as a sequence of elements. Sets have no native order; lists
     * and sorted sets have one, which a constant BY keeps.
     */
    abstract static class SortSource {
        static final SortSource EMPTY = new SortSource() {
            @Override int size() { return 0; }
            @Override byte[][] all() { return new byte[0][]; }
            @Override boolean hasNativeOrder() { return true; }
            @Override byte[][] range(int from, int n, boolean reverse) { return new byte[0][]; }
        };

        abstract int size();

        /** Every element, in native (or iteration) order. */
        abstract byte[][] all();

        boolean hasNativeOrder() { return false; }

        boolean isSet() { return false; }

        /** n elements from position from (counted from the end when reverse), in that direction. */
        byte[][] range(int from, int n, boolean reverse) { throw new UnsupportedOperationException(); }

        /** A source for a set, list or sorted set; null for any other type. */
        static SortSource of(Object v) {
            if (v instanceof SetValue s) return new SetSource(s);
            if (v instanceof ZSetValue z) return new ZSetSource(z);
            if (v instanceof ListValue l) return new ListSource(l);
            return null;
        }

        /** The list SORT ... STORE creates. */
        static RValue newList(ArrayList<byte[]> items, Engine e) {
            ListValue l = ListValue.create(e.config.listMaxListpackSize, e.snapshotEpoch);
            for (int i = 0, n = items.size(); i < n; i++) l.pushTail(items.get(i));
            return l;
        }
    }

    private static final class SetSource extends SortSource {
        private final SetValue set;

        SetSource(SetValue set) { this.set = set; }

        @Override int size() { return set.size(); }

        @Override boolean isSet() { return true; }

        @Override
        byte[][] all() {
            byte[][] out = new byte[set.size()][];
            if (set.isIntset()) {
                for (int i = 0; i < out.length; i++) out[i] = Numbers.longToBytes(set.intAt(i));
                return out;
            }
            int[] at = {0};
            set.forEach((CowMap.Visitor) (m, v, meta) -> {
                out[at[0]++] = m;
                return true;
            });
            return out;
        }
    }

    private static final class ZSetSource extends SortSource {
        private final ZSetValue zset;

        ZSetSource(ZSetValue zset) { this.zset = zset; }

        @Override int size() { return zset.size(); }

        @Override boolean hasNativeOrder() { return true; }

        @Override byte[][] all() { return range(0, zset.size(), false); }

        @Override
        byte[][] range(int from, int n, boolean reverse) {
            byte[][] out = new byte[n][];
            ZSetValue.Iter it = zset.iter(from, reverse);
            for (int i = 0; i < n && it.next(); i++) out[i] = it.member;
            return out;
        }
    }

    private static final class ListSource extends SortSource {
        private final ListValue list;

        ListSource(ListValue list) { this.list = list; }

        @Override int size() { return (int) list.size(); }

        @Override boolean hasNativeOrder() { return true; }

        @Override byte[][] all() { return range(0, size(), false); }

        /** Elements from index from on, or for reverse from index size-1-from towards the head. */
        @Override
        byte[][] range(int from, int n, boolean reverse) {
            byte[][] out = new byte[n][];
            int[] at = {0};
            long first = reverse ? list.size() - from - n : from;
            list.visitRange(first, n, reverse, (buf, off, len) -> out[at[0]++] = Arrays.copyOfRange(buf, off, off + len));
            return out;
        }
    }
}
