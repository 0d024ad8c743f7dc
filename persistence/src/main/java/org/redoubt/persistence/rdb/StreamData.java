package org.redoubt.persistence.rdb;

import java.util.ArrayList;
import java.util.List;

/**
 * A stream as RDB files hold it (RDB_TYPE_STREAM_LISTPACKS and _2), in a form independent of
 * the engine's stream type: the radix-tree nodes (a 16-byte big-endian master ID and the
 * listpack of entries delta-encoded against it, see {@link StreamListpacks}), the stream's
 * counters and IDs, and the consumer groups with their pending entries lists. The stream codec
 * converts between this and the engine value; the check tool only validates it.
 */
public final class StreamData {
    /** One listpack node of the stream's radix tree. */
    public static final class Node {
        public final byte[] masterId;
        public final byte[] listpack;

        public Node(byte[] masterId, byte[] listpack) {
            this.masterId = masterId;
            this.listpack = listpack;
        }
    }

    /** A delivered, not yet acknowledged entry of a group. */
    public static final class Pending {
        /** 16 bytes, big endian ms then seq. */
        public byte[] id;
        public long deliveryTime;
        public long deliveryCount;
        public Consumer consumer;
    }

    public static final class Consumer {
        public byte[] name;
        public long seenTime;
        /** Its entries of the group's PEL, in ID order. */
        public final List<Pending> pending = new ArrayList<>();
    }

    public static final class Group {
        public byte[] name;
        public long lastMs, lastSeq;
        /** The group's logical reads counter (-1: unknown, SCG_INVALID_ENTRIES_READ). */
        public long entriesRead;
        /** Read from a v1 stream, which has no counter: estimate it from the stream, as Redis does. */
        public boolean entriesReadMissing;
        /** The group's PEL, in ID order. */
        public final List<Pending> pending = new ArrayList<>();
        public final List<Consumer> consumers = new ArrayList<>();
    }

    /** Nodes in ascending master ID order. */
    public final List<Node> nodes = new ArrayList<>();
    public long length;
    public long lastMs, lastSeq;
    public long firstMs, firstSeq;
    public long maxDeletedMs, maxDeletedSeq;
    public long entriesAdded;
    /** Loaded from an RDB_TYPE_STREAM_LISTPACKS (v1) body: first ID to be found from the data. */
    public boolean firstIdUnknown;
    public final List<Group> groups = new ArrayList<>();

    /** A 16-byte big-endian stream ID. */
    public static byte[] id(long ms, long seq) {
        byte[] b = new byte[16];
        for (int i = 0; i < 8; i++) {
            b[i] = (byte) (ms >>> (56 - 8 * i));
            b[8 + i] = (byte) (seq >>> (56 - 8 * i));
        }
        return b;
    }

    public static long idMs(byte[] id) {
        long v = 0;
        for (int i = 0; i < 8; i++) v = (v << 8) | (id[i] & 0xffL);
        return v;
    }

    public static long idSeq(byte[] id) {
        long v = 0;
        for (int i = 8; i < 16; i++) v = (v << 8) | (id[i] & 0xffL);
        return v;
    }
}
