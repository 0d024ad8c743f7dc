package org.redoubt.persistence.rdb;

import java.io.IOException;
import java.util.Arrays;
import org.redoubt.persistence.rdb.RdbException.Kind;
import org.redoubt.protocol.Numbers;

/**
 * Reads the body of a value of any RDB type Redis 7.0 writes or still loads, and hands its
 * content to a type-neutral sink: elements of a list, members of a set, pairs of a hash or a
 * sorted set, the parts of a stream. Every encoding of a type yields the same events (a hash
 * from a zipmap, a ziplist, a listpack or a plain dict all come out as field/value pairs), so a
 * sink builds an engine value without knowing the file's encoding, and the check tool validates
 * a file without building anything.
 *
 * <p>Validation follows rdbLoadObject with deep sanitization: embedded blobs (listpacks,
 * ziplists, intsets, zipmaps) are fully checked before use, and duplicates are reported by the
 * sinks (they return false) so that the error names the offset of the value.
 */
public final class ValueParser {
    private ValueParser() {}

    /** Elements of a list, head to tail. */
    public interface ListSink {
        default void sizeHint(long n) {}

        void add(byte[] element) throws RdbException;
    }

    /** Members of a set; add returns false for a duplicate. */
    public interface SetSink {
        default void sizeHint(long n) {}

        boolean addMember(byte[] member) throws RdbException;
    }

    /** Field/value pairs of a hash; put returns false for a duplicate field. */
    public interface HashSink {
        default void sizeHint(long n) {}

        boolean put(byte[] field, byte[] value) throws RdbException;
    }

    /** Member/score pairs of a sorted set; add returns false for a duplicate member. */
    public interface ZSetSink {
        default void sizeHint(long n) {}

        boolean add(byte[] member, double score) throws RdbException;
    }

    /**
     * Gives a generic blob error (from {@link Listpack}, {@link Ziplist}, {@link Intset},
     * {@link Zipmap}) the title Redis uses for that value type ("Zset ziplist integrity check
     * failed.", ...), keeping the detail; other errors pass unchanged.
     */
    static RdbException titled(RdbException e, String title) {
        String m = e.getMessage();
        if (e.kind != Kind.CORRUPT || m == null) return e;
        for (String generic : GENERIC) {
            if (m.startsWith(generic)) {
                String detail = m.substring(generic.length()).replaceFirst("^[:.]\\s*", "");
                return new RdbException(Kind.CORRUPT, e.offset, title + (detail.isEmpty() ? "" : " (" + detail + ")"));
            }
        }
        return e;
    }

    private static final String[] GENERIC = {
        "Listpack integrity check failed", "Ziplist integrity check failed", "Intset integrity check failed",
        "Zipmap integrity check failed",
    };

    // =====================================================================================
    // Lists
    // =====================================================================================

    public static boolean isList(int t) {
        return t == Rdb.TYPE_LIST || t == Rdb.TYPE_LIST_ZIPLIST || t == Rdb.TYPE_LIST_QUICKLIST
            || t == Rdb.TYPE_LIST_QUICKLIST_2;
    }

    /** Returns the number of elements (0 = an empty list, which Redis skips). */
    public static long parseList(int type, RdbInput in, ListSink sink) throws IOException {
        long count = 0;
        Listpack.BytesVisitor v = new Listpack.BytesVisitor() {
            @Override public void element(byte[] e) throws RdbException { sink.add(e); }
        };
        switch (type) {
            case Rdb.TYPE_LIST -> {
                long n = in.readLen();
                sink.sizeHint(n);
                for (long i = 0; i < n; i++) {
                    sink.add(in.readString());
                    count++;
                }
            }
            case Rdb.TYPE_LIST_ZIPLIST -> {
                long at = in.offset();
                byte[] zl = in.readString();
                try {
                    count = Ziplist.decode(zl, v, at);
                } catch (RdbException e) {
                    throw titled(e, "List ziplist integrity check failed.");
                }
            }
            case Rdb.TYPE_LIST_QUICKLIST, Rdb.TYPE_LIST_QUICKLIST_2 -> {
                long nodes = in.readLen();
                for (long i = 0; i < nodes; i++) {
                    int container = Rdb.QUICKLIST_PACKED;
                    if (type == Rdb.TYPE_LIST_QUICKLIST_2) {
                        long at = in.offset();
                        long c = in.readLen();
                        if (c != Rdb.QUICKLIST_PACKED && c != Rdb.QUICKLIST_PLAIN) {
                            throw in.corruptAt(at, "Quicklist integrity check failed.");
                        }
                        container = (int) c;
                    }
                    long at = in.offset();
                    byte[] data = in.readString();
                    if (data.length == 0) throw in.corruptAt(at, "Quicklist node of zero length");
                    if (container == Rdb.QUICKLIST_PLAIN) {
                        sink.add(data);
                        count++;
                    } else if (type == Rdb.TYPE_LIST_QUICKLIST_2) {
                        try {
                            count += Listpack.decode(data, v, at);
                        } catch (RdbException e) {
                            throw titled(e, "Listpack integrity check failed.");
                        }
                    } else {
                        try {
                            count += Ziplist.decode(data, v, at);
                        } catch (RdbException e) {
                            throw titled(e, "Ziplist integrity check failed.");
                        }
                    }
                }
            }
            default -> throw new IllegalArgumentException("not a list type " + type);
        }
        return count;
    }

    // =====================================================================================
    // Sets
    // =====================================================================================

    public static boolean isSet(int t) {
        return t == Rdb.TYPE_SET || t == Rdb.TYPE_SET_INTSET;
    }

    public static long parseSet(int type, RdbInput in, SetSink sink) throws IOException {
        if (type == Rdb.TYPE_SET) {
            long n = in.readLen();
            sink.sizeHint(n);
            for (long i = 0; i < n; i++) {
                long at = in.offset();
                if (!sink.addMember(in.readString())) throw in.corruptAt(at, "Duplicate set members detected");
            }
            return n;
        }
        long at = in.offset();
        byte[] blob = in.readString();
        long[] n = new long[1];
        try {
            Intset.decode(blob, x -> {
                if (!sink.addMember(Numbers.longToBytes(x))) throw new RdbException(Kind.CORRUPT, at, "Duplicate set members detected");
                n[0]++;
            }, at);
        } catch (RdbException e) {
            throw titled(e, "Intset integrity check failed.");
        }
        return n[0];
    }

    // =====================================================================================
    // Hashes
    // =====================================================================================

    public static boolean isHash(int t) {
        return t == Rdb.TYPE_HASH || t == Rdb.TYPE_HASH_ZIPMAP || t == Rdb.TYPE_HASH_ZIPLIST || t == Rdb.TYPE_HASH_LISTPACK;
    }

    public static long parseHash(int type, RdbInput in, HashSink sink) throws IOException {
        switch (type) {
            case Rdb.TYPE_HASH -> {
                long n = in.readLen();
                sink.sizeHint(n);
                for (long i = 0; i < n; i++) {
                    long at = in.offset();
                    byte[] f = in.readString();
                    byte[] val = in.readString();
                    if (!sink.put(f, val)) throw in.corruptAt(at, "Duplicate hash fields detected");
                }
                return n;
            }
            case Rdb.TYPE_HASH_ZIPMAP -> {
                long at = in.offset();
                byte[] zm = in.readString();
                try {
                    return Zipmap.decode(zm, (b, fo, fl, vo, vl) -> {
                        if (!sink.put(Arrays.copyOfRange(b, fo, fo + fl), Arrays.copyOfRange(b, vo, vo + vl))) {
                            throw new RdbException(Kind.CORRUPT, at, "Hash zipmap with dup elements, or big length (" + fl + ")");
                        }
                    }, at);
                } catch (RdbException e) {
                    throw titled(e, "Zipmap integrity check failed.");
                }
            }
            case Rdb.TYPE_HASH_ZIPLIST, Rdb.TYPE_HASH_LISTPACK -> {
                long at = in.offset();
                byte[] blob = in.readString();
                String title = type == Rdb.TYPE_HASH_ZIPLIST ? "Hash ziplist integrity check failed." : "Hash listpack integrity check failed.";
                PairCollector pc = new PairCollector((a, b) -> {
                    if (!sink.put(a, b)) {
                        throw new RdbException(Kind.CORRUPT, at, title + " (" + (type == Rdb.TYPE_HASH_ZIPLIST ? "ziplist" : "listpack")
                            + " with dup elements)");
                    }
                });
                int n;
                try {
                    n = type == Rdb.TYPE_HASH_ZIPLIST ? Ziplist.decode(blob, pc, at) : Listpack.decode(blob, pc, at);
                } catch (RdbException e) {
                    throw titled(e, title);
                }
                if ((n & 1) != 0) throw new RdbException(Kind.CORRUPT, at, title + " (odd number of entries)");
                return n / 2;
            }
            default -> throw new IllegalArgumentException("not a hash type " + type);
        }
    }

    // =====================================================================================
    // Sorted sets
    // =====================================================================================

    public static boolean isZSet(int t) {
        return t == Rdb.TYPE_ZSET || t == Rdb.TYPE_ZSET_2 || t == Rdb.TYPE_ZSET_ZIPLIST || t == Rdb.TYPE_ZSET_LISTPACK;
    }

    public static long parseZSet(int type, RdbInput in, ZSetSink sink) throws IOException {
        if (type == Rdb.TYPE_ZSET || type == Rdb.TYPE_ZSET_2) {
            long n = in.readLen();
            sink.sizeHint(n);
            for (long i = 0; i < n; i++) {
                long at = in.offset();
                byte[] m = in.readString();
                double score = type == Rdb.TYPE_ZSET_2 ? in.readBinaryDouble() : in.readTextDouble();
                if (Double.isNaN(score)) throw in.corruptAt(at, "Zset with NAN score detected");
                if (!sink.add(m, score)) throw in.corruptAt(at, "Duplicate zset fields detected");
            }
            return n;
        }
        long at = in.offset();
        byte[] blob = in.readString();
        String title = type == Rdb.TYPE_ZSET_ZIPLIST ? "Zset ziplist integrity check failed." : "Zset listpack integrity check failed.";
        PairCollector pc = new PairCollector((m, s) -> {
            double score = Numbers.parseDouble(s, 0, s.length);
            if (Double.isNaN(score)) throw new RdbException(Kind.CORRUPT, at, title + " (invalid score)");
            if (!sink.add(m, score)) throw new RdbException(Kind.CORRUPT, at, title + " (duplicate members)");
        });
        int n;
        try {
            n = type == Rdb.TYPE_ZSET_ZIPLIST ? Ziplist.decode(blob, pc, at) : Listpack.decode(blob, pc, at);
        } catch (RdbException e) {
            throw titled(e, title);
        }
        if ((n & 1) != 0) throw new RdbException(Kind.CORRUPT, at, title + " (odd number of entries)");
        return n / 2;
    }

    /** Pairs consecutive elements of a ziplist/listpack. */
    private static final class PairCollector extends Listpack.BytesVisitor {
        interface PairSink {
            void pair(byte[] a, byte[] b) throws RdbException;
        }

        private final PairSink sink;
        private byte[] first;

        PairCollector(PairSink sink) { this.sink = sink; }

        @Override public void element(byte[] e) throws RdbException {
            if (first == null) {
                first = e;
            } else {
                byte[] a = first;
                first = null;
                sink.pair(a, e);
            }
        }
    }

    // =====================================================================================
    // Streams
    // =====================================================================================

    public static boolean isStream(int t) {
        return t == Rdb.TYPE_STREAM_LISTPACKS || t == Rdb.TYPE_STREAM_LISTPACKS_2;
    }

    /** Reads a stream body into its neutral form (see {@link StreamData}). */
    public static StreamData parseStream(int type, RdbInput in) throws IOException {
        StreamData s = new StreamData();
        long listpacks = in.readLen();
        for (long i = 0; i < listpacks; i++) {
            long at = in.offset();
            byte[] nodeKey = in.readString();
            if (nodeKey.length != 16) throw in.corruptAt(at, "Stream node key entry is not the size of a stream ID");
            long lpAt = in.offset();
            byte[] lp = in.readString();
            int n;
            try {
                n = Listpack.validate(lp, lpAt);
            } catch (RdbException e) {
                throw titled(e, "Stream listpack integrity check failed.");
            }
            if (n == 0) throw in.corruptAt(lpAt, "Empty listpack inside stream");
            StreamListpacks.validate(nodeKey, lp, lpAt);
            if (!s.nodes.isEmpty() && compareIds(s.nodes.get(s.nodes.size() - 1).masterId, nodeKey) >= 0) {
                throw in.corruptAt(at, "Listpack re-added with existing key");
            }
            s.nodes.add(new StreamData.Node(nodeKey, lp));
        }
        s.length = in.readLen();
        s.lastMs = in.readLen();
        s.lastSeq = in.readLen();
        if (type == Rdb.TYPE_STREAM_LISTPACKS_2) {
            s.firstMs = in.readLen();
            s.firstSeq = in.readLen();
            s.maxDeletedMs = in.readLen();
            s.maxDeletedSeq = in.readLen();
            s.entriesAdded = in.readLen();
        } else {
            // Converted as Redis does: the offset starts at the length, no tombstones yet, and the
            // first ID is found from the data.
            s.entriesAdded = s.length;
            s.firstIdUnknown = true;
        }
        if (s.length != 0 && s.nodes.isEmpty()) throw in.corrupt("Stream length inconsistent with rax entries");
        long groups = in.readLen();
        for (long g = 0; g < groups; g++) {
            long at = in.offset();
            StreamData.Group grp = new StreamData.Group();
            grp.name = in.readString();
            for (StreamData.Group other : s.groups) {
                if (Arrays.equals(other.name, grp.name)) throw in.corruptAt(at, "Duplicated consumer group name");
            }
            grp.lastMs = in.readLen();
            grp.lastSeq = in.readLen();
            if (type == Rdb.TYPE_STREAM_LISTPACKS_2) {
                grp.entriesRead = in.readLen();
            } else {
                grp.entriesReadMissing = true;
            }
            long pel = in.readLen();
            java.util.TreeMap<byte[], StreamData.Pending> byId = new java.util.TreeMap<>(ValueParser::compareIds);
            for (long p = 0; p < pel; p++) {
                long pAt = in.offset();
                byte[] id = in.readBytes(16);
                StreamData.Pending pe = new StreamData.Pending();
                pe.id = id;
                pe.deliveryTime = in.readMillis();
                pe.deliveryCount = in.readLen();
                if (byId.put(id, pe) != null) {
                    throw in.corruptAt(pAt, "Duplicated global PEL entry loading stream consumer group");
                }
                grp.pending.add(pe);
            }
            long consumers = in.readLen();
            for (long c = 0; c < consumers; c++) {
                long cAt = in.offset();
                StreamData.Consumer con = new StreamData.Consumer();
                con.name = in.readString();
                for (StreamData.Consumer other : grp.consumers) {
                    if (Arrays.equals(other.name, con.name)) throw in.corruptAt(cAt, "Duplicate stream consumer detected.");
                }
                con.seenTime = in.readMillis();
                long cpel = in.readLen();
                for (long p = 0; p < cpel; p++) {
                    long pAt = in.offset();
                    byte[] id = in.readBytes(16);
                    StreamData.Pending pe = byId.get(id);
                    if (pe == null) throw in.corruptAt(pAt, "Consumer entry not found in group global PEL");
                    if (pe.consumer != null) {
                        throw in.corruptAt(pAt, "Duplicated consumer PEL entry  loading a stream consumer group");
                    }
                    pe.consumer = con;
                    con.pending.add(pe);
                }
                grp.consumers.add(con);
            }
            for (StreamData.Pending pe : grp.pending) {
                if (pe.consumer == null) throw in.corruptAt(at, "Stream CG PEL entry without consumer");
            }
            s.groups.add(grp);
        }
        return s;
    }

    /** Orders 16-byte big-endian stream IDs (ms, seq) as unsigned numbers. */
    public static int compareIds(byte[] a, byte[] b) {
        return Arrays.compareUnsigned(a, b);
    }

    // =====================================================================================
    // Skipping (the check tool, unknown-but-skippable content)
    // =====================================================================================

    /** A sink for every type that only counts; used to validate without building values. */
    public static final class Counter implements ListSink, SetSink, HashSink, ZSetSink {
        public long elements;

        @Override public void sizeHint(long n) {}

        @Override public void add(byte[] element) { elements++; }

        @Override public boolean add(byte[] member, double score) { elements++; return true; }

        @Override public boolean put(byte[] field, byte[] value) { elements++; return true; }

        /** Set members; duplicates are not detected by a counter. */
        @Override public boolean addMember(byte[] member) { elements++; return true; }
    }
}
