package org.redoubt.engine.type;

import java.util.Arrays;

/**
 * One chunk of a {@link ListValue}: up to a few KB of elements packed back to back in
 * {@code buf[start, end)}, with free space kept on both sides so pushes at either end are
 * amortized O(1).
 *
 * <p>Entry layout, readable in both directions (like a listpack entry):
 * <pre>
 *   [len: 1-5 bytes, 7 bits per byte, low group first, high bit = another byte follows]
 *   [len data bytes]
 *   [back: hdr+len in 1-5 bytes, low group in the LAST byte, high bit = another byte to the left]
 * </pre>
 * so the next entry starts right after {@code back}, and the previous entry's start is found
 * from its {@code back} field without scanning the node.
 *
 * <p>Copy-on-write: a node may be shared by several lists (a list and its snapshots or COPY
 * duplicates). Only the list whose owner token equals {@link #owner} may change it; any other
 * list copies it first ({@link #copy}), so a shared node's fields and bytes never change.
 */
final class ListNode {
    /** Token of the list allowed to mutate this node; see {@link ListValue} ownership. */
    Object owner;
    byte[] buf;
    /** Entries occupy buf[start, end). */
    int start, end;
    int count;

    ListNode(Object owner, byte[] buf, int start, int end, int count) {
        this.owner = owner;
        this.buf = buf;
        this.start = start;
        this.end = end;
        this.count = count;
    }

    /** A node holding one element, with room to grow towards the head (atHead) or the tail. */
    static ListNode single(Object owner, byte[] d, int off, int len, boolean atHead, int cap) {
        int esz = entrySize(len);
        byte[] b = new byte[Math.max(cap, esz)];
        int s = atHead ? b.length - esz : 0;
        write(b, s, d, off, len);
        return new ListNode(owner, b, s, s + esz, 1);
    }

    /**
     * A private copy for owner. The buffer is cloned whole, so entry offsets stay valid across
     * the copy (callers may hold an offset while taking ownership).
     */
    ListNode copy(Object owner) {
        return new ListNode(owner, buf.clone(), start, end, count);
    }

    int bytes() { return end - start; }

    // =====================================================================================
    // Entry encoding
    // =====================================================================================

    /** Bytes of a 7-bit-group varint holding v (v >= 0). */
    static int varLen(int v) {
        if (v < (1 << 7)) return 1;
        if (v < (1 << 14)) return 2;
        if (v < (1 << 21)) return 3;
        if (v < (1 << 28)) return 4;
        return 5;
    }

    /** Total bytes of an entry holding len data bytes. */
    static int entrySize(int len) {
        int h = varLen(len) + len;
        return h + varLen(h);
    }

    /** Writes an entry at p; returns the offset just after it. */
    static int write(byte[] b, int p, byte[] d, int off, int len) {
        int v = len;
        while (v >= 0x80) {
            b[p++] = (byte) (v | 0x80);
            v >>>= 7;
        }
        b[p++] = (byte) v;
        System.arraycopy(d, off, b, p, len);
        p += len;
        int h = varLen(len) + len;
        int n = varLen(h);
        for (int i = 0; i < n; i++) {
            int g = (h >>> (7 * i)) & 0x7f;
            b[p + n - 1 - i] = (byte) (i < n - 1 ? g | 0x80 : g);
        }
        return p + n;
    }

    /** The data length of the entry starting at p. */
    static int readLen(byte[] b, int p) {
        int x = b[p];
        if (x >= 0) return x;
        int v = x & 0x7f;
        int shift = 7;
        do {
            x = b[++p];
            v |= (x & 0x7f) << shift;
            shift += 7;
        } while (x < 0);
        return v;
    }

    /** The start of the entry that ends at e. */
    static int startBefore(byte[] b, int e) {
        int q = e - 1;
        int x = b[q];
        int v = x & 0x7f;
        int shift = 7;
        while (x < 0) {
            x = b[--q];
            v |= (x & 0x7f) << shift;
            shift += 7;
        }
        return q - v;
    }

    /** The offset just after the entry starting at p. */
    static int next(byte[] b, int p) {
        return p + entrySize(readLen(b, p));
    }

    /** Offset of the k-th entry (0 <= k <= count; k == count gives end), scanning from the closer side. */
    int offsetOf(int k) {
        if (k <= count >> 1) {
            int p = start;
            for (int i = 0; i < k; i++) p = next(buf, p);
            return p;
        }
        int p = end;
        for (int i = count; i > k; i--) p = startBefore(buf, p);
        return p;
    }

    /** Number of entries in buf[start, p), p an entry boundary. */
    int indexOf(int p) {
        int n = 0;
        for (int q = start; q < p; q = next(buf, q)) n++;
        return n;
    }

    // =====================================================================================
    // Byte-level editing (owner only)
    // =====================================================================================

    /**
     * Opens n bytes of room at entry boundary p and returns where the gap starts (data may move).
     * Moves the smaller side when there is room for it, else re-places the data in this buffer
     * or a larger one, leaving the spare room where the growth happens.
     */
    int makeRoom(int p, int n) {
        if (p == end && buf.length - end >= n) {
            end += n;
            return p;
        }
        if (p == start && start >= n) {
            start -= n;
            return p - n;
        }
        int head = p - start, tail = end - p;
        if (p != start && p != end) {
            if (head <= tail && start >= n) {
                System.arraycopy(buf, start, buf, start - n, head);
                start -= n;
                return p - n;
            }
            if (buf.length - end >= n) {
                System.arraycopy(buf, p, buf, p + n, tail);
                end += n;
                return p;
            }
            if (start >= n) {
                System.arraycopy(buf, start, buf, start - n, head);
                start -= n;
                return p - n;
            }
        }
        int used = end - start;
        int slack = buf.length - used - n;
        byte[] dst;
        int lead;
        if (slack >= 0 && slack >= (used >> 2)) {
            // Enough spare room in this buffer: re-center so both ends have some.
            dst = buf;
            lead = slack >> 1;
        } else {
            int need = used + n;
            dst = new byte[Math.max(need + 16, need + (need >> 1))];
            slack = dst.length - need;
            lead = p == start ? slack : p == end ? 0 : slack >> 1;
        }
        int ns = lead;
        if (ns + head <= p || dst != buf) {
            System.arraycopy(buf, start, dst, ns, head);
            System.arraycopy(buf, p, dst, ns + head + n, tail);
        } else {
            // Moving right inside the same array: the tail first, so the head does not overwrite it.
            System.arraycopy(buf, p, dst, ns + head + n, tail);
            System.arraycopy(buf, start, dst, ns, head);
        }
        buf = dst;
        start = ns;
        end = ns + used + n;
        return ns + head;
    }

    /**
     * Removes buf[p, p+n) by moving the smaller side; returns the boundary where the entries that
     * followed the removed bytes now start (equally, where the preceding ones end).
     */
    int closeGap(int p, int n) {
        int head = p - start, tail = end - p - n;
        if (head <= tail) {
            System.arraycopy(buf, start, buf, start + n, head);
            start += n;
            return p + n;
        }
        System.arraycopy(buf, p + n, buf, p, tail);
        end -= n;
        return p;
    }

    /** Deletes del entries from local index k. */
    void deleteEntries(int k, int del) {
        int a = offsetOf(k);
        int b = k + del == count ? end : offsetAfter(a, del);
        closeGap(a, b - a);
        count -= del;
    }

    private int offsetAfter(int p, int entries) {
        for (int i = 0; i < entries; i++) p = next(buf, p);
        return p;
    }

    /** Drops spare capacity (a node that stopped growing). */
    void trim() {
        if (buf.length - bytes() > 64) {
            buf = Arrays.copyOfRange(buf, start, end);
            end -= start;
            start = 0;
        }
    }
}
