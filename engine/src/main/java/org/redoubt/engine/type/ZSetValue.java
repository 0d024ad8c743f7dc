package org.redoubt.engine.type;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.random.RandomGenerator;
import org.redoubt.engine.db.CowMap;
import org.redoubt.engine.info.Digest;
import org.redoubt.engine.info.Digestible;
import org.redoubt.engine.info.MemoryEstimator;
import org.redoubt.engine.info.MemorySized;
import org.redoubt.protocol.Numbers;

/**
 * A sorted set: members (binary-safe byte[]) with double scores, ordered by score then by
 * member bytes (unsigned, a shorter prefix first), as Redis's t_zset.c. Scores are never NaN;
 * -inf and +inf are allowed.
 *
 * <h2>Encodings</h2>
 * <ul>
 *   <li>"listpack": two parallel sorted arrays, for sets of at most zset-max-listpack-entries
 *       members no longer than zset-max-listpack-value bytes. Lookups scan, as Redis's
 *       listpack does. Like the listpack, which stores integral scores as integers, a score of
 *       -0 is kept as 0.</li>
 *   <li>"skiplist": a {@link ZslTree} (the ordered, counted index: rank and range starts in
 *       O(log n)) plus a {@link CowMap} member → {@code Double} score (the dict: score by member
 *       in O(1)). The member arrays are shared by both.</li>
 * </ul>
 * A set is converted from listpack to skiplist exactly where Redis's zsetAdd converts (an
 * insertion that would exceed either limit), never back on deletion; result sets built by the
 * store commands start in the encoding Redis would pick ({@link #fromSorted}).
 *
 * <h2>Copy-on-write</h2>
 * A value may be mutated only while {@link #epoch} equals the engine's snapshot epoch; writers
 * call {@link #writable} first. A listpack copy clones its arrays (at most a few hundred
 * entries); a skiplist copy forks the tree and the dict in O(1), after which each write copies
 * O(log n) tree nodes and one trie path. The value a snapshot references is never written again.
 *
 * <p>Member arrays handed to {@link #add} are stored as they are: callers pass arrays they will
 * never mutate (argv arrays are owned by the command once stored).
 */
public final class ZSetValue implements RValue, Digestible, MemorySized {
    // zsetAdd input flags (Redis's ZADD_IN_*).
    public static final int IN_INCR = 1, IN_NX = 1 << 1, IN_XX = 1 << 2, IN_GT = 1 << 3, IN_LT = 1 << 4;
    // zsetAdd output flags (Redis's ZADD_OUT_*).
    public static final int OUT_NAN = 1, OUT_ADDED = 1 << 1, OUT_UPDATED = 1 << 2, OUT_NOP = 1 << 3;

    private static final byte[][] NO_ELE = new byte[0][];
    private static final double[] NO_SCORE = new double[0];

    private long epoch;
    // ---- listpack form (tree == null): entries [0, lpN) sorted in Redis order.
    private byte[][] lpEle;
    private double[] lpScore;
    private int lpN;
    // ---- skiplist form
    private ZslTree tree;
    private CowMap dict;

    private ZSetValue(long epoch) {
        this.epoch = epoch;
    }

    /** An empty listpack-encoded set. */
    public static ZSetValue newListpack(long epoch) {
        ZSetValue z = new ZSetValue(epoch);
        z.lpEle = NO_ELE;
        z.lpScore = NO_SCORE;
        return z;
    }

    /** An empty skiplist-encoded set. */
    public static ZSetValue newSkiplist(long epoch) {
        ZSetValue z = new ZSetValue(epoch);
        z.tree = new ZslTree();
        z.dict = new CowMap();
        return z;
    }

    /**
     * The empty set ZADD creates for a new key whose first member is {@code firstMember}
     * (Redis: skiplist when the entry limit is 0 or that member is already too long).
     */
    public static ZSetValue newFor(long maxEntries, long maxValue, byte[] firstMember, long epoch) {
        return maxEntries == 0 || maxValue < firstMember.length ? newSkiplist(epoch) : newListpack(epoch);
    }

    /**
     * A set holding {@code ele/score[0, n)}, sorted in Redis order without duplicate members, in
     * the encoding chosen by {@code listpack}. The arrays are not kept.
     */
    public static ZSetValue fromSorted(byte[][] ele, double[] score, int n, boolean listpack, long epoch) {
        ZSetValue z = new ZSetValue(epoch);
        if (listpack) {
            z.lpEle = Arrays.copyOf(ele, n);
            z.lpScore = Arrays.copyOf(score, n);
            for (int i = 0; i < n; i++) if (z.lpScore[i] == 0) z.lpScore[i] = 0.0;
            z.lpN = n;
        } else {
            z.tree = ZslTree.build(ele, score, n);
            z.dict = new CowMap();
            for (int i = 0; i < n; i++) z.dict.put(ele[i], Double.valueOf(score[i]), 0);
        }
        return z;
    }

    /** Whether the store commands' result of n members, the longest maxLen bytes, is a listpack. */
    public static boolean fitsListpack(long n, long maxLen, long maxEntries, long maxValue) {
        return n <= maxEntries && maxLen <= maxValue;
    }

    // =====================================================================================
    // RValue
    // =====================================================================================

    @Override public String typeName() { return "zset"; }

    @Override public String encoding() { return tree == null ? "listpack" : "skiplist"; }

    public boolean isListpack() { return tree == null; }

    public long epoch() { return epoch; }

    /** This value if it may be written in {@code epoch}, else a copy sharing what it can. */
    public ZSetValue writable(long epoch) {
        return this.epoch == epoch ? this : copy(epoch);
    }

    @Override
    public ZSetValue duplicate(long epoch) {
        return copy(epoch);
    }

    private ZSetValue copy(long epoch) {
        ZSetValue z = new ZSetValue(epoch);
        if (tree == null) {
            z.lpEle = Arrays.copyOf(lpEle, lpEle.length);
            z.lpScore = Arrays.copyOf(lpScore, lpScore.length);
            z.lpN = lpN;
        } else {
            z.tree = tree.fork();
            z.dict = dict.fork();
        }
        return z;
    }

    // =====================================================================================
    // Reads
    // =====================================================================================

    public int size() { return tree == null ? lpN : tree.size(); }

    private int lpFind(byte[] member) {
        byte[][] e = lpEle;
        for (int i = 0, n = lpN; i < n; i++) if (Arrays.equals(e[i], member)) return i;
        return -1;
    }

    /** The member's score, or NaN when it is not in the set (NaN is never a score). */
    public double score(byte[] member) {
        if (tree == null) {
            int i = lpFind(member);
            return i < 0 ? Double.NaN : lpScore[i];
        }
        Object s = dict.get(member);
        return s == null ? Double.NaN : (Double) s;
    }

    public boolean contains(byte[] member) {
        return tree == null ? lpFind(member) >= 0 : dict.get(member) != null;
    }

    /** 0-based rank of the member (from the highest score when reverse), or -1 when absent. */
    public long rank(byte[] member, boolean reverse) {
        long r;
        if (tree == null) {
            r = lpFind(member);
            if (r < 0) return -1;
        } else {
            Object s = dict.get(member);
            if (s == null) return -1;
            r = tree.countBefore(ZslTree.EXACT_LT, (Double) s, member);
        }
        return reverse ? size() - 1 - r : r;
    }

    /** Number of members with score &lt; s, or &le; s when orEqual. */
    public long countScoreBelow(double s, boolean orEqual) {
        return countBefore(orEqual ? ZslTree.SCORE_LE : ZslTree.SCORE_LT, s, null);
    }

    /** Number of members before a lex bound: see {@link LexBound#startRank}/{@link LexBound#endRank}. */
    long countLex(int mode, byte[] v) {
        return countBefore(mode, 0, v);
    }

    private long countBefore(int mode, double s, byte[] e) {
        if (tree != null) return tree.countBefore(mode, s, e);
        if (mode == ZslTree.ALL) return lpN;
        if (mode == ZslTree.NONE) return 0;
        int lo = 0, hi = lpN;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (ZslTree.before(mode, s, e, lpScore[mid], lpEle[mid])) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }

    /** Start of the ascending rank span [scoreStart, scoreEnd) of a score range (empty when end &le; start). */
    public long scoreStart(ScoreRange r) { return countScoreBelow(r.min, r.minex); }

    /** End (exclusive) of the ascending rank span of a score range. */
    public long scoreEnd(ScoreRange r) { return countScoreBelow(r.max, !r.maxex); }

    /**
     * The ascending rank span [out[0], out[1]) of the members Redis's walk of a lex range
     * visits, forwards from the first member in range or backwards from the last (reverse).
     * Lex ranges are meant for sets whose scores are all equal; then this is simply the members
     * between the bounds. With mixed scores Redis's result depends on its walk: a listpack walk
     * is reproduced exactly (it is linear), a skiplist one is answered by bisection (Redis's
     * answer then depends on its random node levels).
     */
    public void lexSpan(LexBound min, LexBound max, boolean reverse, long[] out) {
        out[0] = out[1] = 0;
        int c = LexBound.compare(min, max);
        if (c > 0 || (c == 0 && (min.ex || max.ex))) return;
        if (tree != null) {
            out[0] = min.startRank(this);
            out[1] = Math.max(out[0], max.endRank(this));
            return;
        }
        int n = lpN;
        if (n == 0 || !min.gteMin(lpEle[n - 1]) || !max.lteMax(lpEle[0])) return;
        if (!reverse) {
            int i = 0;
            while (i < n && !min.gteMin(lpEle[i])) i++;
            int j = i;
            while (j < n && max.lteMax(lpEle[j])) j++;
            out[0] = i;
            out[1] = j;
        } else {
            int i = n - 1;
            while (i >= 0 && !max.lteMax(lpEle[i])) i--;
            int j = i;
            while (j >= 0 && min.gteMin(lpEle[j])) j--;
            out[0] = j + 1;
            out[1] = i + 1;
        }
    }

    /** An in-order walk starting at rank {@code start} (from the highest score when reverse). */
    public Iter iter(long start, boolean reverse) {
        Iter it = new Iter();
        it.reset(this, start, reverse);
        return it;
    }

    /**
     * An in-order walk. Ranks are counted from the lowest score forwards, or from the highest
     * backwards when reverse; the set must not change while a walk is in use.
     */
    public static final class Iter {
        /** The current element after {@link #next} returned true. */
        public byte[] member;
        public double score;
        private ZSetValue z;
        /** Listpack: index of the next element to return; -1 or lpN once exhausted. */
        private int i;
        private boolean reverse;
        private ZslTree.Cursor cur;

        /** Restarts this walk on z at rank start. */
        public Iter reset(ZSetValue z, long start, boolean reverse) {
            this.z = z;
            this.reverse = reverse;
            long n = z.size();
            if (z.tree == null) {
                if (start < 0 || start >= n) i = -1;
                else i = (int) (reverse ? n - 1 - start : start);
            } else {
                if (cur == null) cur = new ZslTree.Cursor();
                cur.seek(z.tree, reverse ? n - 1 - start : start, reverse);
            }
            return this;
        }

        public boolean next() {
            ZSetValue s = z;
            if (s.tree == null) {
                int j = i;
                if (j < 0 || j >= s.lpN) return false;
                i = reverse ? j - 1 : j + 1;
                member = s.lpEle[j];
                score = s.lpScore[j];
                return true;
            }
            if (!cur.next()) return false;
            member = cur.ele;
            score = cur.score;
            return true;
        }
    }

    /** Member of 0-based rank r (from the lowest score); 0 &le; r &lt; size. */
    public byte[] memberAt(long r) {
        if (tree == null) return lpEle[(int) r];
        int[] pos = new int[1];
        return tree.leafAt(r, pos).ele[pos[0]];
    }

    /** Score of 0-based rank r (from the lowest score); 0 &le; r &lt; size. */
    public double scoreAt(long r) {
        if (tree == null) return lpScore[(int) r];
        int[] pos = new int[1];
        return tree.leafAt(r, pos).score[pos[0]];
    }

    /** Visits every member in order; the visitor returns false to stop. */
    public interface Visitor { boolean visit(byte[] member, double score); }

    public void forEach(Visitor v) {
        Iter it = iter(0, false);
        while (it.next()) if (!v.visit(it.member, it.score)) return;
    }

    /** A uniformly random 0-based rank (the set must not be empty). */
    public long randomRank(RandomGenerator rnd) {
        return rnd.nextLong(size());
    }

    /** Length of the longest member (for the store commands' encoding choice). */
    public int maxMemberLength() {
        int m = 0;
        Iter it = iter(0, false);
        while (it.next()) m = Math.max(m, it.member.length);
        return m;
    }

    /**
     * ZSCAN's walk. A listpack visits everything and returns 0; a skiplist walks its dict from
     * {@code cursor} (a 32-bit position, see {@link CowMap#scan}) for at least count members.
     */
    public long scan(long cursor, int count, Visitor v) {
        if (tree == null) {
            for (int i = 0; i < lpN; i++) v.visit(lpEle[i], lpScore[i]);
            return 0;
        }
        return dict.scan(cursor & 0xFFFF_FFFFL, count, (k, val, meta) -> v.visit(k, (Double) val));
    }

    // =====================================================================================
    // Writes (on a value obtained from writable)
    // =====================================================================================

    /**
     * Redis's zsetAdd: adds or updates one member under the IN_* flags; returns OUT_* flags
     * (OUT_NAN alone when the score, or the incremented score, is NaN: nothing changed). The
     * resulting score (when ADDED, UPDATED, or unchanged but processed) is left in
     * {@code newScore[0]}. May convert a listpack to a skiplist, as Redis does.
     */
    public int add(double score, byte[] member, int flags, long maxEntries, long maxValue, double[] newScore) {
        boolean incr = (flags & IN_INCR) != 0, nx = (flags & IN_NX) != 0, xx = (flags & IN_XX) != 0;
        boolean gt = (flags & IN_GT) != 0, lt = (flags & IN_LT) != 0;
        if (Double.isNaN(score)) return OUT_NAN;
        if (tree == null) {
            int i = lpFind(member);
            if (i >= 0) {
                if (nx) return OUT_NOP;
                double cur = lpScore[i];
                if (incr) {
                    score += cur;
                    if (Double.isNaN(score)) return OUT_NAN;
                }
                if ((lt && score >= cur) || (gt && score <= cur)) return OUT_NOP;
                if (newScore != null) newScore[0] = score;
                if (score != cur) {
                    lpRemoveAt(i);
                    lpInsert(score, member);
                    return OUT_UPDATED;
                }
                return 0;
            }
            if (xx) return OUT_NOP;
            if (lpN + 1 > maxEntries || member.length > maxValue) {
                toSkiplist();
            } else {
                lpInsert(score, member);
                if (newScore != null) newScore[0] = score;
                return OUT_ADDED;
            }
        }
        Object o = dict.get(member);
        if (o != null) {
            if (nx) return OUT_NOP;
            double cur = (Double) o;
            if (incr) {
                score += cur;
                if (Double.isNaN(score)) return OUT_NAN;
            }
            if ((lt && score >= cur) || (gt && score <= cur)) return OUT_NOP;
            if (newScore != null) newScore[0] = score;
            if (score != cur) {
                // Keep the one array the tree and the dict already share for this member.
                byte[] stored = tree.delete(cur, member);
                tree.insert(score, stored);
                dict.put(stored, Double.valueOf(score), 0);
                return OUT_UPDATED;
            }
            return 0;
        }
        if (xx) return OUT_NOP;
        tree.insert(score, member);
        dict.put(member, Double.valueOf(score), 0);
        if (newScore != null) newScore[0] = score;
        return OUT_ADDED;
    }

    /** Removes a member; false when absent. */
    public boolean remove(byte[] member) {
        if (tree == null) {
            int i = lpFind(member);
            if (i < 0) return false;
            lpRemoveAt(i);
            return true;
        }
        Object o = dict.remove(member);
        if (o == null) return false;
        tree.delete((Double) o, member);
        return true;
    }

    /** Removes the members of ranks [start, end) (from the lowest score); returns how many. */
    public long removeRange(long start, long end) {
        int n = size();
        if (start < 0) start = 0;
        if (end > n) end = n;
        if (start >= end) return 0;
        long k = end - start;
        if (tree == null) {
            int s = (int) start, e = (int) end;
            System.arraycopy(lpEle, e, lpEle, s, lpN - e);
            System.arraycopy(lpScore, e, lpScore, s, lpN - e);
            Arrays.fill(lpEle, lpN - (int) k, lpN, null);
            lpN -= (int) k;
            return k;
        }
        if (k == n) {
            tree.clear();
            dict.clear();
            return k;
        }
        // Each removal costs O(log n); the dict needs one lookup per member anyway.
        for (long j = 0; j < k; j++) dict.remove(tree.deleteAt(start));
        return k;
    }

    private void lpInsert(double score, byte[] member) {
        if (score == 0) score = 0.0; // the listpack stores an integral score as an integer: no -0
        int lo = 0, hi = lpN;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (ZslTree.compare(lpScore[mid], lpEle[mid], score, member) < 0) lo = mid + 1;
            else hi = mid;
        }
        if (lpN == lpEle.length) {
            int cap = Math.max(4, lpN + (lpN >> 1) + 1);
            lpEle = Arrays.copyOf(lpEle, cap);
            lpScore = Arrays.copyOf(lpScore, cap);
        }
        System.arraycopy(lpEle, lo, lpEle, lo + 1, lpN - lo);
        System.arraycopy(lpScore, lo, lpScore, lo + 1, lpN - lo);
        lpEle[lo] = member;
        lpScore[lo] = score;
        lpN++;
    }

    private void lpRemoveAt(int i) {
        System.arraycopy(lpEle, i + 1, lpEle, i, lpN - i - 1);
        System.arraycopy(lpScore, i + 1, lpScore, i, lpN - i - 1);
        lpEle[--lpN] = null;
    }

    /** Converts a listpack set to the skiplist encoding (Redis's zsetConvert). */
    public void toSkiplist() {
        if (tree != null) return;
        tree = ZslTree.build(lpEle, lpScore, lpN);
        dict = new CowMap();
        for (int i = 0; i < lpN; i++) dict.put(lpEle[i], Double.valueOf(lpScore[i]), 0);
        lpEle = null;
        lpScore = null;
        lpN = 0;
    }

    /**
     * Redis's zsetConvertToListpackIfNeeded (after loading a skiplist from an RDB file, for
     * example): converts a skiplist set that fits the listpack limits; true when it did.
     */
    public boolean toListpackIfFits(long maxEntries, long maxValue) {
        if (tree == null) return false;
        int n = tree.size();
        if (n > maxEntries) return false;
        byte[][] e = new byte[n][];
        double[] s = new double[n];
        Iter it = iter(0, false);
        for (int i = 0; it.next(); i++) {
            if (it.member.length > maxValue) return false;
            e[i] = it.member;
            s[i] = it.score == 0 ? 0.0 : it.score;
        }
        lpEle = e;
        lpScore = s;
        lpN = n;
        tree = null;
        dict = null;
        return true;
    }

    // =====================================================================================
    // DEBUG DIGEST-VALUE, MEMORY USAGE
    // =====================================================================================

    @Override public int digestTypeCode() { return Digest.TYPE_ZSET; }

    /** As debug.c: per member, SHA1-mix of the member then of its score as "%.17g", xored in. */
    @Override
    public void digestInto(byte[] digest) {
        byte[] ed = new byte[20];
        Iter it = iter(0, false);
        while (it.next()) {
            Arrays.fill(ed, (byte) 0);
            Digest.mix(ed, it.member);
            Digest.mix(ed, Numbers.formatDouble(it.score).getBytes(StandardCharsets.US_ASCII));
            Digest.xor(digest, ed);
        }
    }

    /**
     * objectComputeSize in Redis's terms: a listpack's allocation; for a skiplist the zset,
     * skiplist, dict and bucket array headers plus, per member (sampled), its sds, its dict entry
     * and a skiplist node of the average level.
     */
    @Override
    public long memoryUsage(long samples) {
        final long robj = MemoryEstimator.ROBJ;
        if (tree == null) {
            long bytes = 6 + 1; // listpack header and end byte
            for (int i = 0; i < lpN; i++) {
                bytes += lpEntrySize(lpEle[i]);
                bytes += lpScoreSize(lpScore[i]);
            }
            return robj + MemoryEstimator.mallocSize(bytes);
        }
        long n = size();
        long slots = 4;
        while (slots < n) slots <<= 1;
        // zset (16) + zskiplist (32) + dict (56) + buckets + header node of 32 levels (640).
        long size = robj + 16 + 32 + 56 + 8 * slots + MemoryEstimator.mallocSize(24 + 32 * 16);
        long sampled = 0, bytes = 0;
        Iter it = iter(0, false);
        while (sampled < samples && it.next()) {
            int len = it.member.length;
            bytes += MemoryEstimator.sdsAlloc(len, len, false);
            bytes += MemoryEstimator.DICT_ENTRY + MemoryEstimator.mallocSize(24 + 16); // level-1 node
            sampled++;
        }
        if (sampled > 0) size += (long) ((double) bytes / sampled * n);
        return size;
    }

    /** Bytes of a listpack string entry (stored as an integer when it is a canonical one). */
    private static long lpEntrySize(byte[] s) {
        if (s.length <= 20 && Numbers.isLong(s, 0, s.length)) return lpIntSize(Numbers.parseLong(s, 0, s.length));
        int len = s.length;
        long enc = len < 64 ? 1 : len < 4096 ? 2 : 5;
        return enc + len + backlen(enc + len);
    }

    private static long lpScoreSize(double d) {
        if (d >= -0x1p62 && d <= 0x1p62 && d == (long) d) return lpIntSize((long) d);
        int len = Numbers.formatDouble(d).length();
        return 1 + len + backlen(1 + len);
    }

    private static long lpIntSize(long v) {
        long enc;
        if (v >= 0 && v <= 127) enc = 1;
        else if (v >= -4096 && v <= 4095) enc = 2;
        else if (v >= -32768 && v <= 32767) enc = 3;
        else if (v >= -8388608 && v <= 8388607) enc = 4;
        else if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) enc = 5;
        else enc = 9;
        return enc + backlen(enc);
    }

    private static long backlen(long l) {
        if (l <= 127) return 1;
        if (l < 16383) return 2;
        if (l < 2097151) return 3;
        if (l < 268435455) return 4;
        return 5;
    }

    // =====================================================================================
    // Ranges
    // =====================================================================================

    /**
     * A score range as Redis's zslParseRange reads it: "(" makes a bound exclusive, the rest is
     * read by C's strtod (leading blanks, "inf", hex, overflow to inf are accepted; an empty
     * string is 0), NaN rejected.
     */
    public static final class ScoreRange {
        public double min, max;
        public boolean minex, maxex;

        /** Null when either bound is invalid (Redis's "min or max is not a float"). */
        public static ScoreRange parse(byte[] min, byte[] max) {
            ScoreRange r = new ScoreRange();
            int mo = min.length > 0 && min[0] == '(' ? 1 : 0;
            int xo = max.length > 0 && max[0] == '(' ? 1 : 0;
            r.minex = mo == 1;
            r.maxex = xo == 1;
            r.min = strtod(min, mo);
            r.max = strtod(max, xo);
            return Double.isNaN(r.min) || Double.isNaN(r.max) ? null : r;
        }

        /** Whether a score is at or above the minimum. */
        public boolean gteMin(double v) { return minex ? v > min : v >= min; }

        /** Whether a score is at or below the maximum. */
        public boolean lteMax(double v) { return maxex ? v < max : v <= max; }
    }

    /**
     * A whole C string (up to its first NUL) parsed by strtod and required to be consumed
     * completely; NaN when it is not (or parses to NaN).
     */
    static double strtod(byte[] b, int off) {
        int end = off;
        while (end < b.length && b[end] != 0) end++;
        if (end == off) return 0.0; // strtod("") converts nothing and stops at the terminator
        int i = off;
        while (i < end && isCSpace(b[i])) i++;
        if (i == end) return Double.NaN;
        double v = Numbers.parseDouble(b, i, end - i);
        if (!Double.isNaN(v)) return v;
        // string2d refuses overflow and underflow, which strtod returns as inf and 0.
        return lenientDecimal(b, i, end);
    }

    private static boolean isCSpace(byte b) {
        return b == ' ' || b == '\t' || b == '\n' || b == 0x0b || b == '\f' || b == '\r';
    }

    private static double lenientDecimal(byte[] b, int i, int end) {
        int p = i;
        if (b[p] == '+' || b[p] == '-') p++;
        int digits = 0;
        while (p < end && b[p] >= '0' && b[p] <= '9') { p++; digits++; }
        if (p < end && b[p] == '.') {
            p++;
            while (p < end && b[p] >= '0' && b[p] <= '9') { p++; digits++; }
        }
        if (digits == 0) return Double.NaN;
        if (p < end && (b[p] == 'e' || b[p] == 'E')) {
            p++;
            if (p < end && (b[p] == '+' || b[p] == '-')) p++;
            int ed = 0;
            while (p < end && b[p] >= '0' && b[p] <= '9') { p++; ed++; }
            if (ed == 0) return Double.NaN;
        }
        if (p != end) return Double.NaN;
        return Double.parseDouble(new String(b, i, end - i, StandardCharsets.ISO_8859_1));
    }

    /**
     * One bound of a lex range (Redis's zslParseLexRangeItem): "-" (before everything), "+"
     * (after everything), "[v" inclusive or "(v" exclusive.
     */
    public static final class LexBound {
        /** -1 for "-", 1 for "+", 0 for a value. */
        public final int inf;
        public final boolean ex;
        public final byte[] value;

        private LexBound(int inf, boolean ex, byte[] value) {
            this.inf = inf;
            this.ex = ex;
            this.value = value;
        }

        /** Null when the item is not valid. */
        public static LexBound parse(byte[] a) {
            if (a.length == 0) return null;
            switch (a[0]) {
                case '+': return a.length == 1 ? new LexBound(1, true, null) : null;
                case '-': return a.length == 1 ? new LexBound(-1, true, null) : null;
                case '(': return new LexBound(0, true, Arrays.copyOfRange(a, 1, a.length));
                case '[': return new LexBound(0, false, Arrays.copyOfRange(a, 1, a.length));
                default: return null;
            }
        }

        /** As sdscmplex(a, b) of two bounds: "-" and "+" below and above every value. */
        static int compare(LexBound a, LexBound b) {
            if (a.inf != 0 || b.inf != 0) return Integer.compare(a.inf, b.inf);
            return Arrays.compareUnsigned(a.value, b.value);
        }

        /** As sdscmplex(v, bound). */
        private int cmp(byte[] v) {
            if (inf != 0) return -inf;
            return Arrays.compareUnsigned(v, value);
        }

        /** Whether v is at or above this bound used as a minimum. */
        public boolean gteMin(byte[] v) { return ex ? cmp(v) > 0 : cmp(v) >= 0; }

        /** Whether v is at or below this bound used as a maximum. */
        public boolean lteMax(byte[] v) { return ex ? cmp(v) < 0 : cmp(v) <= 0; }

        /** Number of members below this bound used as a minimum. */
        long startRank(ZSetValue z) {
            if (inf < 0) return 0;
            if (inf > 0) return z.size();
            return z.countLex(ex ? ZslTree.LEX_LE : ZslTree.LEX_LT, value);
        }

        /** Number of members at or below this bound used as a maximum. */
        long endRank(ZSetValue z) {
            if (inf < 0) return 0;
            if (inf > 0) return z.size();
            return z.countLex(ex ? ZslTree.LEX_LT : ZslTree.LEX_LE, value);
        }
    }

    // =====================================================================================
    // Sorting helper for result sets
    // =====================================================================================

    /**
     * Sorts {@code ele/score[0, n)} in Redis order (members unique), in place; a merge sort
     * with one scratch pair of arrays.
     */
    public static void sort(byte[][] ele, double[] score, int n) {
        if (n < 2) return;
        byte[][] te = new byte[n][];
        double[] ts = new double[n];
        mergeSort(ele, score, te, ts, 0, n);
    }

    private static void mergeSort(byte[][] e, double[] s, byte[][] te, double[] ts, int lo, int hi) {
        if (hi - lo <= 16) {
            for (int i = lo + 1; i < hi; i++) {
                byte[] ce = e[i];
                double cs = s[i];
                int j = i - 1;
                while (j >= lo && ZslTree.compare(s[j], e[j], cs, ce) > 0) {
                    e[j + 1] = e[j];
                    s[j + 1] = s[j];
                    j--;
                }
                e[j + 1] = ce;
                s[j + 1] = cs;
            }
            return;
        }
        int mid = (lo + hi) >>> 1;
        mergeSort(e, s, te, ts, lo, mid);
        mergeSort(e, s, te, ts, mid, hi);
        if (ZslTree.compare(s[mid - 1], e[mid - 1], s[mid], e[mid]) <= 0) return;
        System.arraycopy(e, lo, te, lo, hi - lo);
        System.arraycopy(s, lo, ts, lo, hi - lo);
        int a = lo, b = mid, k = lo;
        while (a < mid && b < hi) {
            if (ZslTree.compare(ts[a], te[a], ts[b], te[b]) <= 0) {
                e[k] = te[a];
                s[k++] = ts[a++];
            } else {
                e[k] = te[b];
                s[k++] = ts[b++];
            }
        }
        while (a < mid) {
            e[k] = te[a];
            s[k++] = ts[a++];
        }
        while (b < hi) {
            e[k] = te[b];
            s[k++] = ts[b++];
        }
    }

    /** Test support: the ordered index of a skiplist set (null for a listpack). */
    ZslTree tree() { return tree; }

    /** Test support: checks the structures agree. */
    void verify() {
        if (tree == null) {
            for (int i = 1; i < lpN; i++) {
                if (ZslTree.compare(lpScore[i - 1], lpEle[i - 1], lpScore[i], lpEle[i]) >= 0) {
                    throw new AssertionError("listpack order");
                }
            }
            return;
        }
        tree.verify();
        if (tree.size() != dict.size()) throw new AssertionError("tree " + tree.size() + " != dict " + dict.size());
        Iter it = iter(0, false);
        while (it.next()) {
            Object s = dict.get(it.member);
            if (s == null || (Double) s != it.score) throw new AssertionError("dict disagrees");
        }
    }
}
