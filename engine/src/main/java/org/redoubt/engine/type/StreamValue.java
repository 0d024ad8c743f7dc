package org.redoubt.engine.type;

import java.util.Arrays;
import org.redoubt.engine.info.Digest;
import org.redoubt.engine.info.Digestible;
import org.redoubt.engine.info.MemoryEstimator;
import org.redoubt.engine.info.MemorySized;

/**
 * A stream (Redis's OBJ_STREAM, t_stream.c): entries in listpack nodes indexed by the ID of
 * their master entry, plus the stream counters and the consumer groups.
 *
 * <h2>Node layout (identical to Redis)</h2>
 * Each node is a {@link StreamListpack} starting with a master entry
 * {@code count, deleted, num-fields, field_1..field_N, 0}; entries follow as
 * {@code flags, ms-delta, seq-delta, [num-fields, field_i, value_i... | value_i...], lp-count}
 * where the value-only form (flag SAMEFIELDS) is used when the fields equal the master's, the
 * deltas are relative to the node's key, and lp-count (the number of elements before it in the
 * entry) allows walking backwards. Deleted entries are only flagged; a node whose live count
 * drops to zero is removed. Because node sizes match Redis's byte for byte, the points where
 * stream-node-max-bytes / -entries start a new node, and so approximate trimming, match too.
 *
 * <h2>Copy-on-write</h2>
 * {@link #epoch} is the snapshot epoch this object may be written in ({@link #writable}).
 * Below the value, ownership is by {@link #stamp}: every node, group, consumer and NACK
 * records the stamp it was created under and is written in place only by the stream with
 * that stamp. Forking (a snapshot's first write, COPY) gives both the old and the new stream
 * fresh stamps, so neither can write anything they share; each later write copies just the
 * nodes on its path. IDs are unsigned 64-bit pairs compared with
 * {@link StreamIdTree#compare}.
 */
public final class StreamValue implements RValue, Digestible, MemorySized {
    public static final int FLAG_NONE = 0, FLAG_DELETED = 1, FLAG_SAMEFIELDS = 2;
    /** STREAM_LISTPACK_MAX_SIZE: a node never exceeds 1 GB. */
    public static final long LISTPACK_MAX_SIZE = 1L << 30;
    private static final int MAX_PREALLOC = 4096;

    /**
     * A listpack node and the stamp of the stream that may write it. {@code alloc} follows the
     * allocation Redis would hold for the same listpack (preallocated, grown and shrunk by
     * realloc as listpack.c does, trimmed when the node is closed): MEMORY USAGE reports it.
     */
    static final class Node {
        byte[] lp;
        final long stamp;
        long alloc;

        Node(byte[] lp, long stamp, long alloc) {
            this.lp = lp;
            this.stamp = stamp;
            this.alloc = alloc;
        }

        /** After an insertion or replacement that took the listpack from oldBytes bytes. */
        void resized(int oldBytes) {
            int b = StreamListpack.bytes(lp);
            if (b > oldBytes && b > alloc) alloc = MemoryEstimator.mallocSize(b);
            else if (b < oldBytes) alloc = MemoryEstimator.mallocSize(b);
        }

        void appendInt(long v) {
            int old = StreamListpack.bytes(lp);
            lp = StreamListpack.appendInt(lp, v);
            resized(old);
        }

        void append(byte[] s) {
            int old = StreamListpack.bytes(lp);
            lp = StreamListpack.append(lp, s, 0, s.length);
            resized(old);
        }

        void replaceInt(int p, long v) {
            int old = StreamListpack.bytes(lp);
            lp = StreamListpack.replaceInt(lp, p, v);
            resized(old);
        }

        /**
         * lpShrinkToFit when the node stops being the tail: the array is cut to the listpack's
         * size, since only the tail is appended to (a closed node keeping the tail's 4 KB
         * preallocation would cost nearly twice its data).
         */
        void shrinkToFit() {
            int b = StreamListpack.bytes(lp);
            if (b < alloc) alloc = MemoryEstimator.mallocSize(b);
            if (b < lp.length) lp = Arrays.copyOf(lp, b);
        }
    }

    private final long epoch;
    long stamp;
    final StreamIdTree<Node> nodes;
    public long length;
    public long lastMs, lastSeq;
    public long firstMs, firstSeq;
    public long maxDelMs, maxDelSeq;
    public long entriesAdded;
    private StreamGroup[] groups;
    private int ngroups;
    private long groupsStamp;

    private StreamValue(long epoch, long stamp, StreamIdTree<Node> nodes) {
        this.epoch = epoch;
        this.stamp = stamp;
        this.nodes = nodes;
    }

    public static StreamValue create(long epoch) {
        long st = StreamIdTree.newStamp();
        StreamValue s = new StreamValue(epoch, st, new StreamIdTree<>());
        s.groups = new StreamGroup[0];
        s.groupsStamp = st;
        return s;
    }

    // =====================================================================================
    // Copy-on-write
    // =====================================================================================

    public StreamValue writable(long epoch) {
        return epoch == this.epoch ? this : fork(epoch);
    }

    @Override
    public StreamValue duplicate(long epoch) {
        return fork(epoch);
    }

    private StreamValue fork(long epoch) {
        StreamValue s = new StreamValue(epoch, StreamIdTree.newStamp(), nodes.copy());
        // The original may still be written (COPY keeps it in the keyspace): it must not write
        // in place anything the two now share either.
        this.stamp = StreamIdTree.newStamp();
        s.length = length;
        s.lastMs = lastMs;
        s.lastSeq = lastSeq;
        s.firstMs = firstMs;
        s.firstSeq = firstSeq;
        s.maxDelMs = maxDelMs;
        s.maxDelSeq = maxDelSeq;
        s.entriesAdded = entriesAdded;
        s.groups = groups;
        s.ngroups = ngroups;
        s.groupsStamp = groupsStamp;
        return s;
    }

    private Node writableNode(long ms, long seq, Node n) {
        if (n.stamp == stamp) return n;
        Node w = new Node(Arrays.copyOf(n.lp, StreamListpack.bytes(n.lp)), stamp, n.alloc);
        nodes.put(ms, seq, w, stamp);
        return w;
    }

    /** Visits a node: its key (master ID) and listpack (size {@link StreamListpack#bytes}). */
    public interface NodeVisitor { boolean visit(long masterMs, long masterSeq, byte[] lp); }

    /**
     * Visits every listpack node in ID order (RDB saving: nodes are Redis's own encoding and can
     * be written as they are). The arrays must not be modified. The visitor returns false to stop.
     */
    public void forEachNode(NodeVisitor v) {
        nodes.forEach((ms, seq, n) -> v.visit(ms, seq, n.lp));
    }

    /**
     * Adds a node as loaded (RDB): a valid stream listpack whose entries follow every node
     * already present; the array is kept. The caller sets {@link #length}, the IDs and
     * counters, as Redis's RDB loader does.
     */
    public void putRawNode(long masterMs, long masterSeq, byte[] lp) {
        nodes.put(masterMs, masterSeq, new Node(lp, stamp, MemoryEstimator.mallocSize(StreamListpack.bytes(lp))), stamp);
    }

    @Override
    public String typeName() { return "stream"; }

    @Override
    public String encoding() { return "stream"; }

    /** Number of listpack nodes (XINFO STREAM radix-tree-keys). */
    public long nodeCount() { return nodes.size(); }

    /** Bytes of the newest node, for tests and MEMORY USAGE. */
    long tailBytes() {
        StreamIdTree.Cursor<Node> c = nodes.cursor();
        return c.last() ? StreamListpack.bytes(c.value.lp) : 0;
    }

    // =====================================================================================
    // Append
    // =====================================================================================

    /** Result codes of {@link #append}. */
    public static final int APPEND_OK = 0, APPEND_EDOM = 1, APPEND_ERANGE = 2;

    /** Scratch for {@link #append} (writers only run on the engine thread). */
    private final long[] scratchKey = new long[2];

    /** The ID of the last successful {@link #append}. */
    public long addedMs, addedSeq;

    /**
     * streamAppendItem: adds an entry with fields argv[from], argv[from+1], ... (numFields
     * pairs). With useId, the ID is (useMs, useSeq), or (useMs, auto sequence) when !seqGiven;
     * otherwise it is generated from nowMs.
     */
    public int append(byte[][] argv, int from, int numFields, boolean useId, long useMs, long useSeq,
                      boolean seqGiven, long nowMs, long nodeMaxBytes, long nodeMaxEntries) {
        long ms, seq;
        if (useId) {
            if (seqGiven) {
                ms = useMs;
                seq = useSeq;
            } else if (lastMs == useMs) {
                if (lastSeq == -1L) return APPEND_EDOM;
                ms = lastMs;
                seq = lastSeq + 1;
            } else {
                ms = useMs;
                seq = 0;
            }
        } else if (Long.compareUnsigned(nowMs, lastMs) > 0) {
            ms = nowMs;
            seq = 0;
        } else {
            ms = lastMs;
            seq = lastSeq + 1;
            if (seq == 0) ms++;   // wrap of the sequence: next millisecond (0-0 after the max ID)
        }
        if (StreamIdTree.compare(ms, seq, lastMs, lastSeq) <= 0) return APPEND_EDOM;

        long totelelen = 0;
        for (int i = 0; i < numFields * 2; i++) totelelen += argv[from + i].length;
        if (totelelen > LISTPACK_MAX_SIZE) return APPEND_ERANGE;

        long[] tailKey = scratchKey;
        Node tail = nodes.last(tailKey), closing = null;
        long masterMs = 0, masterSeq = 0, closingMs = 0, closingSeq = 0;
        if (tail != null) {
            masterMs = tailKey[0];
            masterSeq = tailKey[1];
            long maxBytes = nodeMaxBytes;
            if (maxBytes == 0 || maxBytes > LISTPACK_MAX_SIZE) maxBytes = LISTPACK_MAX_SIZE;
            byte[] lp = tail.lp;
            boolean newNode = false;
            if (StreamListpack.bytes(lp) + totelelen >= maxBytes) {
                newNode = true;
            } else if (nodeMaxEntries > 0) {
                int p = StreamListpack.first(lp);
                long count = StreamListpack.getInt(lp, p) + StreamListpack.getInt(lp, StreamListpack.next(lp, p));
                if (count >= nodeMaxEntries) newNode = true;
            }
            if (newNode) {
                closing = tail;
                closingMs = masterMs;
                closingSeq = masterSeq;
                tail = null;
            }
        }

        int flags = FLAG_NONE;
        if (tail == null) {
            if (closing != null) {
                closing = writableNode(closingMs, closingSeq, closing);
                closing.shrinkToFit();
            }
            masterMs = ms;
            masterSeq = seq;
            int prealloc = MAX_PREALLOC;
            if (nodeMaxBytes > 0 && nodeMaxBytes < prealloc) prealloc = (int) nodeMaxBytes;
            tail = new Node(StreamListpack.create(prealloc), stamp,
                MemoryEstimator.mallocSize(Math.max(prealloc, StreamListpack.HDR_SIZE + 1)));
            tail.appendInt(1);
            tail.appendInt(0);
            tail.appendInt(numFields);
            for (int i = 0; i < numFields; i++) tail.append(argv[from + 2 * i]);
            tail.appendInt(0);
            nodes.put(ms, seq, tail, stamp);
            flags |= FLAG_SAMEFIELDS;
        } else {
            tail = writableNode(masterMs, masterSeq, tail);
            int p = StreamListpack.first(tail.lp);
            long count = StreamListpack.getInt(tail.lp, p);
            tail.replaceInt(p, count + 1);
            byte[] lp = tail.lp;
            p = StreamListpack.next(lp, p);
            p = StreamListpack.next(lp, p);
            long masterFields = StreamListpack.getInt(lp, p);
            p = StreamListpack.next(lp, p);
            if (numFields == masterFields) {
                int i;
                for (i = 0; i < masterFields; i++) {
                    byte[] f = argv[from + 2 * i];
                    if (!StreamListpack.equalsBytes(lp, p, f, 0, f.length)) break;
                    p = StreamListpack.next(lp, p);
                }
                if (i == masterFields) flags |= FLAG_SAMEFIELDS;
            }
        }
        boolean same = (flags & FLAG_SAMEFIELDS) != 0;
        long lpCount = numFields + 3L;
        if (!same) lpCount += numFields + 1;
        appendEntry(tail, flags, ms - masterMs, seq - masterSeq, same, argv, from, numFields, lpCount);
        length++;
        entriesAdded++;
        lastMs = ms;
        lastSeq = seq;
        if (length == 1) {
            firstMs = ms;
            firstSeq = seq;
        }
        addedMs = ms;
        addedSeq = seq;
        return APPEND_OK;
    }

    /**
     * Writes one entry at the end of the tail: {@code flags, ms-delta, seq-delta,
     * [num-fields, field_i,] value_i..., lp-count}, sized first so the listpack grows at most
     * once. The bytes, the header and the tracked allocation end as appending the lpCount + 1
     * elements one by one would leave them.
     */
    private static void appendEntry(Node tail, int flags, long msDelta, long seqDelta, boolean same,
                                    byte[][] argv, int from, int numFields, long lpCount) {
        long add = StreamListpack.intElementSize(flags) + StreamListpack.intElementSize(msDelta)
            + StreamListpack.intElementSize(seqDelta) + StreamListpack.intElementSize(lpCount);
        if (!same) add += StreamListpack.intElementSize(numFields);
        for (int i = 0; i < numFields; i++) {
            if (!same) {
                byte[] f = argv[from + 2 * i];
                add += StreamListpack.elementSize(f, 0, f.length);
            }
            byte[] v = argv[from + 2 * i + 1];
            add += StreamListpack.elementSize(v, 0, v.length);
        }
        int old = StreamListpack.bytes(tail.lp);
        // The caller's LISTPACK_MAX_SIZE check bounds the entry well below 2 GB.
        byte[] lp = StreamListpack.reserve(tail.lp, (int) add);
        int p = old - 1;
        p = StreamListpack.putInt(lp, p, flags);
        p = StreamListpack.putInt(lp, p, msDelta);
        p = StreamListpack.putInt(lp, p, seqDelta);
        if (!same) p = StreamListpack.putInt(lp, p, numFields);
        for (int i = 0; i < numFields; i++) {
            if (!same) {
                byte[] f = argv[from + 2 * i];
                p = StreamListpack.putElement(lp, p, f, 0, f.length);
            }
            byte[] v = argv[from + 2 * i + 1];
            p = StreamListpack.putElement(lp, p, v, 0, v.length);
        }
        p = StreamListpack.putInt(lp, p, lpCount);
        StreamListpack.commitAppend(lp, p, (int) lpCount + 1);
        tail.lp = lp;
        tail.resized(old);
    }

    // =====================================================================================
    // Iteration
    // =====================================================================================

    /** An iterator over [start, end] (inclusive), forward or reverse (streamIterator). */
    public Iter iterator(long startMs, long startSeq, long endMs, long endSeq, boolean rev) {
        Iter it = new Iter(this);
        it.start(startMs, startSeq, endMs, endSeq, rev);
        return it;
    }

    /**
     * Walks entries like Redis's streamIterator. After {@link #next} the entry is described by
     * {@link #ms}/{@link #seq}, {@link #flags}, {@link #numFields}; its fields are read with
     * {@link #fieldPos}/{@link #valuePos} on {@link #lp}.
     */
    public static final class Iter {
        final StreamValue s;
        private StreamIdTree.Cursor<Node> cur;
        private long startMs, startSeq, endMs, endSeq;
        private boolean rev;
        public boolean skipTombstones = true;
        private boolean inNode, exhausted;
        public byte[] lp;
        long masterMs, masterSeq;
        private int masterFieldsCount;
        /** First master field (SAMEFIELDS entries take their field names from here). */
        public int masterFieldsStart;
        /** Forward: position of the last element consumed. Reverse: lp-count of the next entry. */
        private int pos;
        public long ms, seq;
        public int flags;
        public int numFields;
        /** Position of the entry's flags element. */
        public int flagsPos;
        /** Position of the first field (or value, SAMEFIELDS) of the entry. */
        public int dataPos;
        /** Key (master ID) of the node holding the current entry. */
        public long nodeMs, nodeSeq;

        Iter(StreamValue s) { this.s = s; }

        void start(long startMs, long startSeq, long endMs, long endSeq, boolean rev) {
            this.startMs = startMs;
            this.startSeq = startSeq;
            this.endMs = endMs;
            this.endSeq = endSeq;
            this.rev = rev;
            cur = s.nodes.cursor();
            boolean ok;
            if (!rev) {
                if (startMs != 0 || startSeq != 0) {
                    ok = cur.seekLE(startMs, startSeq, false);
                    if (!ok) ok = cur.first();
                } else {
                    ok = cur.first();
                }
            } else {
                if (endMs != 0 || endSeq != 0) {
                    ok = cur.seekLE(endMs, endSeq, false);
                    if (!ok) ok = cur.last();
                } else {
                    ok = cur.last();
                }
            }
            exhausted = !ok;
            inNode = false;
        }

        private void enterNode() {
            Node n = cur.value;
            lp = n.lp;
            nodeMs = masterMs = cur.ms;
            nodeSeq = masterSeq = cur.seq;
            int p = StreamListpack.first(lp);
            p = StreamListpack.next(lp, p);
            p = StreamListpack.next(lp, p);
            masterFieldsCount = (int) StreamListpack.getInt(lp, p);
            p = StreamListpack.next(lp, p);
            masterFieldsStart = p;
            if (!rev) {
                for (int i = 0; i < masterFieldsCount; i++) p = StreamListpack.next(lp, p);
                pos = p;   // the master terminator
            } else {
                pos = StreamListpack.last(lp);
            }
            inNode = true;
        }

        /** Positions at the next entry in range; false when the iteration is over. */
        public boolean next() {
            while (true) {
                if (!inNode) {
                    if (exhausted) return false;
                    enterNode();
                }
                while (true) {
                    int p;
                    if (!rev) {
                        p = StreamListpack.next(lp, pos);
                        if (p < 0) break;
                    } else {
                        long lpCount = StreamListpack.getInt(lp, pos);
                        if (lpCount == 0) break;
                        p = pos;
                        for (long i = 0; i < lpCount; i++) p = StreamListpack.prev(lp, p);
                    }
                    flagsPos = p;
                    int fl = (int) StreamListpack.getInt(lp, p);
                    p = StreamListpack.next(lp, p);
                    long ems = masterMs + StreamListpack.getInt(lp, p);
                    p = StreamListpack.next(lp, p);
                    long eseq = masterSeq + StreamListpack.getInt(lp, p);
                    p = StreamListpack.next(lp, p);
                    int nf;
                    if ((fl & FLAG_SAMEFIELDS) != 0) {
                        nf = masterFieldsCount;
                    } else {
                        nf = (int) StreamListpack.getInt(lp, p);
                        p = StreamListpack.next(lp, p);
                    }
                    int data = p;
                    // Position of this entry's lp-count, where a forward walk continues.
                    int skip = (fl & FLAG_SAMEFIELDS) != 0 ? nf : nf * 2;
                    for (int i = 0; i < skip; i++) p = StreamListpack.next(lp, p);
                    if (!rev) pos = p;
                    else pos = StreamListpack.prev(lp, flagsPos);
                    boolean live = !skipTombstones || (fl & FLAG_DELETED) == 0;
                    if (!rev) {
                        if (StreamIdTree.compare(ems, eseq, startMs, startSeq) >= 0 && live) {
                            if (StreamIdTree.compare(ems, eseq, endMs, endSeq) > 0) return finish();
                            return emit(ems, eseq, fl, nf, data);
                        }
                    } else {
                        if (StreamIdTree.compare(ems, eseq, endMs, endSeq) <= 0 && live) {
                            if (StreamIdTree.compare(ems, eseq, startMs, startSeq) < 0) return finish();
                            return emit(ems, eseq, fl, nf, data);
                        }
                    }
                }
                inNode = false;
                exhausted = !(rev ? cur.prev() : cur.next());
            }
        }

        private boolean finish() {
            exhausted = true;
            inNode = false;
            return false;
        }

        private boolean emit(long ems, long eseq, int fl, int nf, int data) {
            ms = ems;
            seq = eseq;
            flags = fl;
            numFields = nf;
            dataPos = data;
            return true;
        }

        public boolean sameFields() { return (flags & FLAG_SAMEFIELDS) != 0; }
    }

    /** streamEntryExists: a live entry with exactly this ID. */
    public boolean exists(long ms, long seq) {
        Iter it = iterator(ms, seq, ms, seq, false);
        return it.next();
    }

    /**
     * streamGetEdgeID into out {ms, seq}: the first or last entry (tombstones included unless
     * skipTombstones); when there is none, the max ID for first, 0-0 for last.
     */
    public void edgeId(boolean first, boolean skipTombstones, long[] out) {
        Iter it = new Iter(this);
        it.skipTombstones = skipTombstones;
        it.start(0, 0, -1L, -1L, !first);
        if (it.next()) {
            out[0] = it.ms;
            out[1] = it.seq;
        } else {
            out[0] = first ? -1L : 0;
            out[1] = first ? -1L : 0;
        }
    }

    /** streamLastValidID into out; 0-0 for an empty stream. */
    public void lastValidId(long[] out) {
        Iter it = iterator(0, 0, -1L, -1L, true);
        if (it.next()) {
            out[0] = it.ms;
            out[1] = it.seq;
        } else {
            out[0] = 0;
            out[1] = 0;
        }
    }

    // =====================================================================================
    // Deletion and trimming
    // =====================================================================================

    /** streamDeleteItem: flags the entry deleted (removing its node when it was the last). */
    public boolean delete(long ms, long seq) {
        Iter it = iterator(ms, seq, ms, seq, false);
        if (!it.next()) return false;
        Node n = writableNode(it.nodeMs, it.nodeSeq, nodes.get(it.nodeMs, it.nodeSeq));
        n.replaceInt(it.flagsPos, it.flags | FLAG_DELETED);
        int p = StreamListpack.first(n.lp);
        long aux = StreamListpack.getInt(n.lp, p);
        if (aux == 1) {
            nodes.remove(it.nodeMs, it.nodeSeq, stamp);
        } else {
            n.replaceInt(p, aux - 1);
            p = StreamListpack.next(n.lp, p);
            aux = StreamListpack.getInt(n.lp, p);
            n.replaceInt(p, aux + 1);
        }
        length--;
        return true;
    }

    public static final int TRIM_NONE = 0, TRIM_MAXLEN = 1, TRIM_MINID = 2;

    /**
     * streamTrim: removes entries from the head until the stream has at most maxlen entries
     * (MAXLEN) or no entry below the min ID (MINID). approx removes whole nodes only; limit
     * (0 = none) caps the entries removed. Returns the number removed.
     */
    public long trim(int strategy, long maxlen, long minMs, long minSeq, boolean approx, long limit) {
        if (strategy == TRIM_NONE) return 0;
        StreamIdTree.Cursor<Node> cur = nodes.cursor();
        long deleted = 0;
        boolean ok = cur.first();
        while (ok) {
            if (strategy == TRIM_MAXLEN && length <= maxlen) break;
            byte[] lp = cur.value.lp;
            int p = StreamListpack.first(lp);
            long entries = StreamListpack.getInt(lp, p);
            if (limit != 0 && deleted + entries > limit) break;
            long nodeMs = cur.ms, nodeSeq = cur.seq;
            boolean removeNode;
            if (strategy == TRIM_MAXLEN) {
                removeNode = length - entries >= maxlen;
            } else {
                long[] last = lastIdOfNode(lp, nodeMs, nodeSeq);
                removeNode = StreamIdTree.compare(last[0], last[1], minMs, minSeq) < 0;
            }
            if (removeNode) {
                nodes.remove(nodeMs, nodeSeq, stamp);
                length -= entries;
                deleted += entries;
                ok = cur.seekGE(nodeMs, nodeSeq, false);
                continue;
            }
            if (approx) break;

            Node n = writableNode(nodeMs, nodeSeq, cur.value);
            lp = n.lp;
            long deletedFromLp = 0;
            p = StreamListpack.next(lp, p);
            p = StreamListpack.next(lp, p);
            int masterFields = (int) StreamListpack.getInt(lp, p);
            p = StreamListpack.next(lp, p);
            for (int j = 0; j < masterFields; j++) p = StreamListpack.next(lp, p);
            p = StreamListpack.next(lp, p);
            while (p >= 0) {
                int flagsAt = p;
                int fl = (int) StreamListpack.getInt(lp, p);
                p = StreamListpack.next(lp, p);
                long msDelta = StreamListpack.getInt(lp, p);
                p = StreamListpack.next(lp, p);
                long seqDelta = StreamListpack.getInt(lp, p);
                p = StreamListpack.next(lp, p);
                boolean stop;
                if (strategy == TRIM_MAXLEN) {
                    stop = length <= maxlen;
                } else {
                    stop = StreamIdTree.compare(nodeMs + msDelta, nodeSeq + seqDelta, minMs, minSeq) >= 0;
                }
                if (stop) break;
                long toSkip;
                if ((fl & FLAG_SAMEFIELDS) != 0) {
                    toSkip = masterFields;
                } else {
                    toSkip = StreamListpack.getInt(lp, p) * 2;
                    p = StreamListpack.next(lp, p);
                }
                for (long j = 0; j < toSkip; j++) p = StreamListpack.next(lp, p);
                p = StreamListpack.next(lp, p);
                if ((fl & FLAG_DELETED) == 0) {
                    // Flags are 0..3: rewriting them never changes the element size.
                    n.replaceInt(flagsAt, fl | FLAG_DELETED);
                    lp = n.lp;
                    deletedFromLp++;
                    length--;
                }
            }
            deleted += deletedFromLp;
            p = StreamListpack.first(n.lp);
            n.replaceInt(p, entries - deletedFromLp);
            p = StreamListpack.next(n.lp, p);
            long marked = StreamListpack.getInt(n.lp, p);
            n.replaceInt(p, marked + deletedFromLp);
            break;
        }
        if (length == 0) {
            firstMs = 0;
            firstSeq = 0;
        } else if (deleted != 0) {
            long[] f = new long[2];
            edgeId(true, true, f);
            firstMs = f[0];
            firstSeq = f[1];
        }
        return deleted;
    }

    /** lpGetEdgeStreamID(last): the ID of the last entry of a node (tombstone or not). */
    private static long[] lastIdOfNode(byte[] lp, long masterMs, long masterSeq) {
        int p = StreamListpack.last(lp);
        long lpCount = StreamListpack.getInt(lp, p);
        if (lpCount == 0) return new long[] {masterMs, masterSeq};
        for (long i = 0; i < lpCount; i++) p = StreamListpack.prev(lp, p);
        p = StreamListpack.next(lp, p);
        long ms = masterMs + StreamListpack.getInt(lp, p);
        p = StreamListpack.next(lp, p);
        long seq = masterSeq + StreamListpack.getInt(lp, p);
        return new long[] {ms, seq};
    }

    // =====================================================================================
    // Lag and read counters
    // =====================================================================================

    /** streamRangeHasTombstones for [start, end] (end null = to the max ID). */
    public boolean rangeHasTombstones(long startMs, long startSeq, long endMs, long endSeq) {
        if (length == 0 || (maxDelMs == 0 && maxDelSeq == 0)) return false;
        if (StreamIdTree.compare(firstMs, firstSeq, maxDelMs, maxDelSeq) > 0) return false;
        return StreamIdTree.compare(startMs, startSeq, maxDelMs, maxDelSeq) <= 0
            && StreamIdTree.compare(maxDelMs, maxDelSeq, endMs, endSeq) <= 0;
    }

    /** streamEstimateDistanceFromFirstEverEntry; -1 when it cannot be known. */
    public long estimateDistanceFromFirstEverEntry(long ms, long seq) {
        if (entriesAdded == 0) return 0;
        if (length == 0 && StreamIdTree.compare(ms, seq, lastMs, lastSeq) < 1) return entriesAdded;
        int cmpLast = StreamIdTree.compare(ms, seq, lastMs, lastSeq);
        if (cmpLast == 0) return entriesAdded;
        if (cmpLast > 0) return StreamGroup.INVALID_ENTRIES_READ;
        int cmpIdFirst = StreamIdTree.compare(ms, seq, firstMs, firstSeq);
        int cmpXdelFirst = StreamIdTree.compare(maxDelMs, maxDelSeq, firstMs, firstSeq);
        if ((maxDelMs == 0 && maxDelSeq == 0) || cmpXdelFirst < 0) {
            if (cmpIdFirst < 0) return entriesAdded - length;
            if (cmpIdFirst == 0) return entriesAdded - length + 1;
        }
        return StreamGroup.INVALID_ENTRIES_READ;
    }

    /** A group's lag (streamReplyWithCGLag), or Long.MIN_VALUE when it is unknown. */
    public long lag(StreamGroup g) {
        if (entriesAdded == 0) return 0;
        if (g.entriesRead != StreamGroup.INVALID_ENTRIES_READ
            && !rangeHasTombstones(g.lastMs, g.lastSeq, -1L, -1L)) {
            return entriesAdded - g.entriesRead;
        }
        long read = estimateDistanceFromFirstEverEntry(g.lastMs, g.lastSeq);
        return read != StreamGroup.INVALID_ENTRIES_READ ? entriesAdded - read : Long.MIN_VALUE;
    }

    // =====================================================================================
    // Groups
    // =====================================================================================

    public int groupCount() { return ngroups; }

    public StreamGroup groupAt(int i) { return groups[i]; }

    public int findGroup(byte[] name) {
        int lo = 0, hi = ngroups - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int c = Arrays.compareUnsigned(groups[mid].name, name);
            if (c < 0) lo = mid + 1;
            else if (c > 0) hi = mid - 1;
            else return mid;
        }
        return -(lo + 1);
    }

    public StreamGroup group(byte[] name) {
        int i = findGroup(name);
        return i >= 0 ? groups[i] : null;
    }

    private void ownGroups() {
        if (groupsStamp != stamp) {
            groups = Arrays.copyOf(groups, Math.max(ngroups, 1));
            groupsStamp = stamp;
        }
    }

    /** The group at i, made writable by this stream. */
    public StreamGroup writableGroup(int i) {
        StreamGroup g = groups[i];
        if (g.stamp == stamp) return g;
        ownGroups();
        g = g.copy(stamp);
        groups[i] = g;
        return g;
    }

    /** The group named name made writable, or null. */
    public StreamGroup writableGroup(byte[] name) {
        int i = findGroup(name);
        return i >= 0 ? writableGroup(i) : null;
    }

    /** streamCreateCG: null when the name exists. */
    public StreamGroup createGroup(byte[] name, long ms, long seq, long entriesRead) {
        int i = findGroup(name);
        if (i >= 0) return null;
        i = -i - 1;
        ownGroups();
        if (ngroups == groups.length) groups = Arrays.copyOf(groups, Math.max(4, ngroups * 2));
        System.arraycopy(groups, i, groups, i + 1, ngroups - i);
        StreamGroup g = new StreamGroup(name, ms, seq, entriesRead, stamp);
        groups[i] = g;
        ngroups++;
        return g;
    }

    public void deleteGroup(int i) {
        ownGroups();
        System.arraycopy(groups, i + 1, groups, i, ngroups - i - 1);
        groups[--ngroups] = null;
    }

    /** The stamp this stream writes its groups, consumers, NACKs and nodes with. */
    public long stamp() { return stamp; }

    // =====================================================================================
    // DEBUG DIGEST, MEMORY USAGE
    // =====================================================================================

    @Override
    public int digestTypeCode() { return Digest.TYPE_STREAM; }

    @Override
    public void digestInto(byte[] digest) {
        Iter it = iterator(0, 0, -1L, -1L, false);
        while (it.next()) {
            String id = Long.toUnsignedString(it.ms) + "." + Long.toUnsignedString(it.seq);
            Digest.mix(digest, id);
            byte[] lp = it.lp;
            int fp = it.masterFieldsStart, vp = it.dataPos;
            boolean same = it.sameFields();
            for (int i = 0; i < it.numFields; i++) {
                if (same) {
                    Digest.mix(digest, StreamListpack.getBytes(lp, fp));
                    fp = StreamListpack.next(lp, fp);
                } else {
                    Digest.mix(digest, StreamListpack.getBytes(lp, vp));
                    vp = StreamListpack.next(lp, vp);
                }
                Digest.mix(digest, StreamListpack.getBytes(lp, vp));
                vp = StreamListpack.next(lp, vp);
            }
        }
    }

    /** PELs up to this size have their rax node count computed exactly for MEMORY USAGE. */
    private static final long PEL_EXACT_NODES = 100_000;

    /** Rax nodes for n 16-byte keys, as a rough estimate (for PELs too large to walk). */
    static long raxNodes(long keys) {
        return keys == 0 ? 1 : keys == 1 ? 2 : keys * 2 + 2;
    }

    private static long raxUsage(long keys, long nodes) {
        return keys * 16 + nodes * 4 + nodes * 8 * 30;
    }

    /**
     * XINFO STREAM radix-tree-nodes: the node count of Redis's rax holding the node keys (16
     * bytes, big endian), computed from the key set. A rax built by insertions is canonical:
     * one node at the root, at every branching point, after every branch edge and at every key
     * end, with single-child runs compressed into one node.
     */
    public long radixTreeNodes() {
        return raxNodesOf(nodes, Long.MAX_VALUE);
    }

    /** {@link #radixTreeNodes} for any ID-keyed tree; the estimate beyond {@code exactUpTo} keys. */
    static long raxNodesOf(StreamIdTree<?> tree, long exactUpTo) {
        long size = tree.size();
        if (size == 0) return 1;
        if (size > exactUpTo || size > Integer.MAX_VALUE) return raxNodes(size);
        int n = (int) size;
        long[] ms = new long[n], seq = new long[n];
        int[] i = {0};
        tree.forEach((m, q, v) -> {
            ms[i[0]] = m;
            seq[i[0]++] = q;
            return true;
        });
        return raxCount(ms, seq, 0, n, 0);
    }

    private static int keyByte(long[] ms, long[] seq, int k, int pos) {
        long v = pos < 8 ? ms[k] : seq[k];
        return (int) (v >>> (56 - 8 * (pos & 7))) & 0xff;
    }

    /** Rax nodes below (and including) the position at depth shared by keys [lo, hi). */
    private static long raxCount(long[] ms, long[] seq, int lo, int hi, int depth) {
        if (depth == 16) return 1;
        int l = depth;
        if (hi - lo == 1) {
            l = 16;
        } else {
            while (l < 16 && keyByte(ms, seq, lo, l) == keyByte(ms, seq, hi - 1, l)) l++;
        }
        if (l == 16) return 2;
        long count = (l > depth ? 1 : 0) + 1;
        int start = lo;
        while (start < hi) {
            int b = keyByte(ms, seq, start, l), end = start + 1;
            while (end < hi && keyByte(ms, seq, end, l) == b) end++;
            count += raxCount(ms, seq, start, end, l + 1);
            start = end;
        }
        return count;
    }

    @Override
    public long memoryUsage(long samples) {
        long size = MemoryEstimator.ROBJ + 80 + raxUsage(nodes.size(), radixTreeNodes());
        StreamIdTree.Cursor<Node> cur = nodes.cursor();
        long keys = nodes.size();
        long lpsize = 0, n = 0;
        for (boolean ok = cur.first(); ok && n < samples; ok = cur.next()) {
            lpsize += cur.value.alloc;
            n++;
        }
        if (keys <= n) {
            size += lpsize;
        } else {
            if (n > 0) lpsize /= n;
            size += lpsize * (keys - 1);
            StreamIdTree.Cursor<Node> last = nodes.cursor();
            if (last.last()) size += last.value.alloc;
        }
        for (int i = 0; i < ngroups; i++) {
            StreamGroup g = groups[i];
            size += 40 + raxUsage(g.pel.size(), raxNodesOf(g.pel, PEL_EXACT_NODES)) + 24 * g.pel.size();
            for (int j = 0; j < g.consumerCount(); j++) {
                StreamConsumer c = g.consumerAt(j);
                size += 24 + c.name.length + raxUsage(c.pel.size(), raxNodesOf(c.pel, PEL_EXACT_NODES));
            }
        }
        return size;
    }


}
