package org.redoubt.persistence.rdb;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.redoubt.engine.type.StreamConsumer;
import org.redoubt.engine.type.StreamGroup;
import org.redoubt.engine.type.StreamNack;
import org.redoubt.engine.type.StreamValue;

/**
 * Streams: RDB_TYPE_STREAM_LISTPACKS_2, as Redis 7.0 writes it. The engine's stream nodes are
 * Redis's listpacks byte for byte, so saving writes each node's master ID and listpack as they
 * are, then the counters (length, last/first ID, max deleted ID, entries added) and the consumer
 * groups with their global PEL (ID, delivery time, delivery count) and consumers (name, seen
 * time, IDs of their pending entries). Loading reads both stream types (v1 files lack the first
 * ID, the tombstone ID, the offset and the groups' entries-read, which are derived as Redis
 * does).
 *
 * <p>Loading rebuilds the entries through the stream's own append, so the value is well formed
 * by construction; the nodes are cut by stream-node-max-bytes/-entries as on XADD, and entries
 * that were deleted (tombstones) are not carried over, while the counters (length, last ID, max
 * deleted ID, entries added) are restored from the file.
 */
final class StreamCodec implements TypeCodec {
    @Override public String typeName() { return "stream"; }

    @Override public boolean saves(Object v) { return v instanceof StreamValue; }

    @Override public int rdbType(Object v) { return Rdb.TYPE_STREAM_LISTPACKS_2; }

    @Override
    public void save(Object v, RdbOutput out, SaveContext ctx) throws IOException {
        StreamValue s = (StreamValue) v;
        // The nodes, found by walking every entry (tombstones included) and noting node changes.
        List<long[]> keys = new ArrayList<>();
        List<byte[]> lps = new ArrayList<>();
        StreamValue.Iter it = s.iterator(0, 0, -1L, -1L, false);
        it.skipTombstones = false;
        byte[] lastLp = null;
        while (it.next()) {
            if (it.lp != lastLp) {
                lastLp = it.lp;
                keys.add(new long[] {it.nodeMs, it.nodeSeq});
                lps.add(trimmed(it.lp));
            }
        }
        out.writeLen(keys.size());
        for (int i = 0; i < keys.size(); i++) {
            out.writeString(StreamData.id(keys.get(i)[0], keys.get(i)[1]));
            out.writeString(lps.get(i));
        }
        out.writeLen(s.length);
        out.writeLen(s.lastMs);
        out.writeLen(s.lastSeq);
        out.writeLen(s.firstMs);
        out.writeLen(s.firstSeq);
        out.writeLen(s.maxDelMs);
        out.writeLen(s.maxDelSeq);
        out.writeLen(s.entriesAdded);
        int groups = s.groupCount();
        out.writeLen(groups);
        for (int g = 0; g < groups; g++) {
            StreamGroup grp = s.groupAt(g);
            out.writeString(grp.name);
            out.writeLen(grp.lastMs);
            out.writeLen(grp.lastSeq);
            out.writeLen(grp.entriesRead);
            out.writeLen(grp.pel.size());
            IOException[] err = new IOException[1];
            grp.pel.forEach((ms, seq, nack) -> {
                try {
                    out.writeBytes(StreamData.id(ms, seq));
                    out.writeMillis(nack.deliveryTime);
                    out.writeLen(nack.deliveryCount);
                } catch (IOException e) {
                    err[0] = e;
                    return false;
                }
                return true;
            });
            if (err[0] != null) throw err[0];
            int consumers = grp.consumerCount();
            out.writeLen(consumers);
            for (int c = 0; c < consumers; c++) {
                StreamConsumer con = grp.consumerAt(c);
                out.writeString(con.name);
                out.writeMillis(con.seenTime);
                out.writeLen(con.pel.size());
                con.pel.forEach((ms, seq, x) -> {
                    try {
                        out.writeBytes(StreamData.id(ms, seq));
                    } catch (IOException e) {
                        err[0] = e;
                        return false;
                    }
                    return true;
                });
                if (err[0] != null) throw err[0];
            }
        }
    }

    /** A node's listpack without spare capacity past its terminator (lpBytes). */
    private static byte[] trimmed(byte[] lp) {
        long total = (lp[0] & 0xffL) | (lp[1] & 0xffL) << 8 | (lp[2] & 0xffL) << 16 | (lp[3] & 0xffL) << 24;
        return total == lp.length ? lp : java.util.Arrays.copyOf(lp, (int) total);
    }

    @Override
    public int[] loadTypes() { return new int[] {Rdb.TYPE_STREAM_LISTPACKS, Rdb.TYPE_STREAM_LISTPACKS_2}; }

    @Override
    public Object load(int rdbType, RdbInput in, LoadContext ctx) throws IOException {
        long at = in.offset();
        StreamData d = ValueParser.parseStream(rdbType, in);
        if (ctx.deepSanitize) ctx.sanitizations++;
        StreamValue s = StreamValue.create(ctx.epoch);
        long now = System.currentTimeMillis();
        long maxBytes = ctx.config.streamNodeMaxBytes, maxEntries = ctx.config.streamNodeMaxEntries;
        long[] live = new long[1];
        for (StreamData.Node node : d.nodes) {
            StreamListpacks.walk(node.masterId, node.listpack, at, (ms, seq, deleted, fields, values) -> {
                if (deleted) return;
                byte[][] argv = new byte[fields.length * 2][];
                for (int i = 0; i < fields.length; i++) {
                    argv[2 * i] = fields[i];
                    argv[2 * i + 1] = values[i];
                }
                int r = s.append(argv, 0, fields.length, true, ms, seq, true, now, maxBytes, maxEntries);
                if (r != StreamValue.APPEND_OK) {
                    throw new RdbException(RdbException.Kind.CORRUPT, at, "Stream entries out of order");
                }
                live[0]++;
            });
        }
        if (live[0] != d.length) {
            throw new RdbException(RdbException.Kind.CORRUPT, at, "Stream length " + d.length
                + " does not match its " + live[0] + " entries");
        }
        s.length = d.length;
        s.lastMs = d.lastMs;
        s.lastSeq = d.lastSeq;
        s.maxDelMs = d.maxDeletedMs;
        s.maxDelSeq = d.maxDeletedSeq;
        s.entriesAdded = d.entriesAdded;
        if (d.firstIdUnknown) {
            long[] first = new long[2];
            s.edgeId(true, true, first);
            s.firstMs = first[0];
            s.firstSeq = first[1];
        } else {
            s.firstMs = d.firstMs;
            s.firstSeq = d.firstSeq;
        }
        long stamp = s.stamp();
        for (StreamData.Group g : d.groups) {
            long entriesRead = g.entriesReadMissing ? s.estimateDistanceFromFirstEverEntry(g.lastMs, g.lastSeq) : g.entriesRead;
            StreamGroup grp = s.createGroup(g.name, g.lastMs, g.lastSeq, entriesRead);
            if (grp == null) throw new RdbException(RdbException.Kind.CORRUPT, at, "Duplicated consumer group name");
            for (StreamData.Pending p : g.pending) {
                StreamNack n = grp.newNack(p.deliveryTime, p.consumer == null ? null : p.consumer.name, stamp);
                n.deliveryTime = p.deliveryTime;
                n.deliveryCount = p.deliveryCount;
                grp.pel.put(StreamData.idMs(p.id), StreamData.idSeq(p.id), n, stamp);
            }
            for (StreamData.Consumer c : g.consumers) {
                StreamConsumer con = grp.createConsumer(c.name, c.seenTime, stamp);
                if (con == null) throw new RdbException(RdbException.Kind.CORRUPT, at, "Duplicate stream consumer detected.");
                for (StreamData.Pending p : c.pending) {
                    con.pel.put(StreamData.idMs(p.id), StreamData.idSeq(p.id), Boolean.TRUE, stamp);
                }
            }
        }
        return s;
    }
}
