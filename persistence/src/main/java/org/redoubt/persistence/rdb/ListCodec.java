package org.redoubt.persistence.rdb;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.redoubt.engine.type.ListValue;

/**
 * Lists. Redis 7.0 writes RDB_TYPE_LIST_QUICKLIST_2: the node count, then per node its container
 * (2 = a listpack of elements, 1 = PLAIN, one element too big to pack) and its bytes. We rebuild
 * the nodes from the elements with quicklist's rule for closing a node (list-max-listpack-size as
 * a byte budget or an element count, an 8 KB safety limit, elements of at least the packed
 * threshold alone in a PLAIN node), so real Redis would have grouped the same elements the same
 * way. Loading accepts every list type Redis 7.0 loads: linked lists, a single ziplist,
 * quicklists of ziplists (v1) and of listpacks (v2).
 */
final class ListCodec implements TypeCodec {
    private static final int[] SIZE_LEVELS = {4096, 8192, 16384, 32768, 65536};
    private static final int SAFETY_LIMIT = 8192;
    private static final int SIZE_ESTIMATE_OVERHEAD = 8;
    private static final int EMPTY_LISTPACK = 7;

    @Override public String typeName() { return "list"; }

    @Override public boolean saves(Object v) { return v instanceof ListValue; }

    @Override public int rdbType(Object v) { return Rdb.TYPE_LIST_QUICKLIST_2; }

    /** Groups elements into nodes; run twice over the same elements it makes the same cuts. */
    private static final class Splitter {
        final int fill;
        final long packedThreshold;
        int nodes;
        int nodeBytes;
        int nodeCount;

        Splitter(SaveContext ctx) {
            this.fill = Math.max(-5, Math.min(ctx.listFill, (1 << 15) - 1));
            this.packedThreshold = ctx.packedThreshold;
        }

        static final int PLAIN = 0, SAME_NODE = 1, NEW_NODE = 2;

        /** Where the next element goes; updates the current node. */
        int place(byte[] b, int off, int len) {
            if (len >= packedThreshold) {
                nodes++;
                nodeCount = 0;
                nodeBytes = 0;
                return PLAIN;
            }
            int entry = Listpack.entrySize(b, off, len);
            if (nodeCount > 0 && allow(len)) {
                nodeBytes += entry;
                nodeCount++;
                return SAME_NODE;
            }
            nodes++;
            nodeBytes = EMPTY_LISTPACK + entry;
            nodeCount = 1;
            return NEW_NODE;
        }

        /** _quicklistNodeAllowInsert for the current (non-empty, packed) node. */
        private boolean allow(int len) {
            long newSz = (long) nodeBytes + len + SIZE_ESTIMATE_OVERHEAD;
            if (fill < 0) return newSz <= SIZE_LEVELS[-fill - 1];
            if (newSz > SAFETY_LIMIT) return false;
            return nodeCount < fill;
        }
    }

    @Override
    public void save(Object v, RdbOutput out, SaveContext ctx) throws IOException {
        ListValue l = (ListValue) v;
        Splitter count = new Splitter(ctx);
        l.forEach(count::place);
        out.writeLen(count.nodes);
        Splitter cut = new Splitter(ctx);
        Listpack.Builder lp = new Listpack.Builder(256);
        try {
            l.forEach((b, off, len) -> {
                try {
                    int where = cut.place(b, off, len);
                    if (where != Splitter.SAME_NODE && lp.count() > 0) {
                        writePacked(out, lp);
                    }
                    if (where == Splitter.PLAIN) {
                        out.writeLen(Rdb.QUICKLIST_PLAIN);
                        out.writeString(b, off, len);
                    } else {
                        lp.add(b, off, len);
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        if (lp.count() > 0) writePacked(out, lp);
    }

    private static void writePacked(RdbOutput out, Listpack.Builder lp) throws IOException {
        out.writeLen(Rdb.QUICKLIST_PACKED);
        out.writeString(lp.toByteArray());
        lp.reset();
    }

    @Override
    public int[] loadTypes() {
        return new int[] {Rdb.TYPE_LIST, Rdb.TYPE_LIST_ZIPLIST, Rdb.TYPE_LIST_QUICKLIST, Rdb.TYPE_LIST_QUICKLIST_2};
    }

    @Override
    public Object load(int rdbType, RdbInput in, LoadContext ctx) throws IOException {
        ListValue l = ListValue.create(ctx.config.listMaxListpackSize, ctx.epoch);
        ValueParser.parseList(rdbType, in, l::pushTail);
        if (ctx.deepSanitize && rdbType != Rdb.TYPE_LIST) ctx.sanitizations++;
        return l.size() == 0 ? null : l;
    }
}
