package org.redoubt.engine.db;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;
import java.util.function.ToIntFunction;
import java.util.random.RandomGenerator;

/**
 * The keyspace map: a persistent hash trie (CHAMP) from binary-safe {@code byte[]} keys to non-null
 * values, with an {@code int meta} per entry, O(1) {@link #snapshot() snapshots} and transient
 * in-place mutation between snapshots.
 *
 * <p>A map is owned by one thread (the keyspace owner); only that thread may call the write methods
 * ({@link #put}, {@link #remove}, {@link #touchMeta}, {@link #clear}, {@link #snapshot}) or read the
 * live map. A snapshot is read-only and may be read by any number of other threads.
 *
 * <h2>Implementation notes</h2>
 *
 * <h3>Structure</h3>
 * Compressed Hash-Array Mapped Prefix tree (Steindorfer &amp; Vinju, OOPSLA 2015). The 32-bit hash is
 * consumed 5 bits at a time from the least significant end: levels 0..6 (shift 0..30; level 6 uses
 * the top 2 bits only). A bitmap node has a {@code datamap} (digits holding an inline entry) and a
 * disjoint {@code nodemap} (digits holding a sub-node); {@code slots} holds the entries first as
 * {@code key, value} pairs in digit order, then the sub-nodes in <em>reverse</em> digit order at the
 * end of the array (so a sub-node's index does not depend on the number of entries), and
 * {@code metas[i]} is the meta of entry {@code i}. Keys whose full 32-bit hashes are equal end in a
 * collision node at level 7 (shift 35): unordered {@code key, value} pairs, no bitmaps. Arrays are
 * exact-size; nodes without entries share one empty {@code int[]}.
 *
 * <p>Canonical form, kept by every write: a non-root node holds at least two entries in its subtree
 * (a removal that leaves one inlines it into the parent, repeatedly), so the shape of the trie is a
 * function of the key set alone. Each node keeps {@code size}, the number of entries in its subtree;
 * it costs nothing with compact object headers (it fills the alignment gap) and gives O(1)
 * {@link #size()} and uniform {@link #randomEntry random sampling}. Hashes are not stored; the hash
 * of an inline key is recomputed when it must move one level down, and by {@link #scan} at the
 * cursor boundary.
 *
 * <h3>Snapshots</h3>
 * Every node records the {@code epoch} of the live map at its creation. A write may mutate a node in
 * place iff {@code node.epoch == map.epoch}; otherwise it copies the node (the copy gets the current
 * epoch) and, top-down, every not-yet-owned node on the path to it. Owned nodes therefore form a
 * subtree containing the root: a node is created only while its parent is owned or being copied.
 * {@link #snapshot()} hands out the current root and increments the live epoch, so every node
 * reachable from any snapshot has an epoch older than the live one and is never structurally
 * mutated again; the snapshot's content is frozen. The {@code int} epoch could in principle wrap
 * around after 2^32 snapshots and make an old node look owned: the map remembers the epoch at which
 * its live tree was last fully re-created ({@code epochBase}), and when the epoch comes back to it,
 * it deep-copies the live tree once (O(n), once per 2^32 snapshots).
 *
 * <h3>Concurrency</h3>
 * A snapshot may be read from another thread (e.g. a saver thread) while the owner keeps writing the
 * live map. This is safe because (1) shared nodes (epoch older than the live one) are never
 * structurally mutated: the owner only writes to nodes it created after the last snapshot, which no
 * snapshot can reach; and (2) every field of a shared node was written before {@code snapshot()}
 * returned, so the reader sees them fully once the snapshot object is handed to it through a
 * happens-before edge (an executor submit, a {@code BlockingQueue}, a volatile write, a thread start:
 * the caller must use one; this class does no synchronisation of its own). The live map itself is
 * not thread-safe. Scratch state for writes ({@code path}) lives in the map, so a live map is
 * single-threaded; snapshots keep no mutable scratch state and can be read concurrently. The one
 * write that reaches shared nodes is {@link #touchMeta}'s, see Meta.
 *
 * <h3>Meta</h3>
 * Metas live in a parallel {@code int[]} per node, not in a per-entry object, so an entry costs two
 * references plus four bytes plus its share of node headers. {@link #put} sets the meta as a
 * structural write (copy-on-write like the value). {@link #touchMeta} instead writes the meta in
 * place even in a node shared with snapshots, to keep the LRU/LFU clock update allocation-free: a
 * snapshot (possibly on another thread) may therefore observe a newer meta than the one current at
 * snapshot time. This race is benign and deliberate: {@code int} stores are atomic, metas are
 * advisory, and the reference structure (keys, values, arrays) is never touched in shared nodes.
 * A node whose entries all have meta 0 shares one empty array instead of a zero-filled one: maps
 * inside collection values (hash fields, set members) never set metas, and this saves them four
 * bytes per entry plus an array header per node.
 *
 * <p>Measured (JDK 25, {@code -XX:+UseCompactObjectHeaders}, 1M random 10-byte keys): about 32
 * bytes of map overhead per entry beyond the key and value objects, of which 12 are the entry's
 * slots and meta and most of the rest the headers of the many small nodes near the leaves.
 */
public final class CowMap {

  /** Visits one entry; returns false to stop. Must not modify the map it iterates. */
  public interface Visitor {
    boolean visit(byte[] key, Object value, int meta);
  }

  /** A reusable holder for {@link #randomEntry}. */
  public static final class Entry {
    public byte[] key;
    public Object value;
    public int meta;
  }

  private static final int BITS = 5;
  private static final int MASK = 31;
  /** Shift at which the hash is exhausted: nodes at this depth are collision nodes. */
  private static final int COLLISION_SHIFT = 35;
  /** Levels 0..6 are bitmap nodes, level 7 is a collision node. */
  private static final int MAX_DEPTH = 8;
  private static final Object[] EMPTY_SLOTS = {};
  private static final int[] EMPTY_METAS = {};

  /**
   * A trie node; see the class notes. Its fields and the contents of its arrays change only while it
   * is owned ({@code epoch} equal to the live map's), the in-place meta writes of touchMeta excepted.
   */
  private static final class Node {
    final int epoch;
    int datamap;
    int nodemap;
    /** Entries in this subtree. */
    int size;
    Object[] slots;
    int[] metas;

    Node(int epoch, int datamap, int nodemap, int size, Object[] slots, int[] metas) {
      this.epoch = epoch;
      this.datamap = datamap;
      this.nodemap = nodemap;
      this.size = size;
      this.slots = slots;
      this.metas = metas;
    }

    Node copy(int epoch) {
      return new Node(epoch, datamap, nodemap, size, slots.clone(),
          metas.length == 0 ? EMPTY_METAS : metas.clone());
    }
  }

  private Node root;
  private int epoch;
  /** Epoch at which every node of the live tree was last re-created; see the Snapshots note. */
  private int epochBase;
  private final boolean readOnly;
  /** Test hook for forcing collisions; null means {@link #hash(byte[])}. */
  private final ToIntFunction<byte[]> hasher;
  /** Nodes from the root to the one being written, reused by every write; null in snapshots. */
  private final Node[] path;
  /**
   * The last successful {@link #get(byte[], int)} of the live map: the lookup key instance, its
   * node and entry index. A command reads a key, then touches or replaces it with the same argument
   * array (GET's LRU touch, INCR's lookup then store), so those follow-ups skip the descent. Valid
   * until the next structural write: every put/remove/clear/snapshot/fork resets it first, so
   * {@code hitNode} is in the live tree and entry {@code hitIndex} of it is {@code hitKey}'s.
   */
  private byte[] hitKey;
  private Node hitNode;
  private int hitIndex;

  public CowMap() {
    this(null);
  }

  /** Package-private for tests: a map hashing keys with {@code hasher} instead of {@link #hash(byte[])}. */
  CowMap(ToIntFunction<byte[]> hasher) {
    this.hasher = hasher;
    this.readOnly = false;
    this.path = new Node[MAX_DEPTH];
    this.root = emptyRoot(0);
  }

  private CowMap(Node root, ToIntFunction<byte[]> hasher) {
    this.hasher = hasher;
    this.readOnly = true;
    this.path = null;
    this.root = root;
  }

  private static Node emptyRoot(int epoch) {
    return new Node(epoch, 0, 0, 0, EMPTY_SLOTS, EMPTY_METAS);
  }

  // ------------------------------------------------------------------------------------------ reads

  public int size() {
    return root.size;
  }

  public boolean isEmpty() {
    return root.size == 0;
  }

  public boolean isReadOnly() {
    return readOnly;
  }

  public Object get(byte[] key) {
    return get(key, hashOf(key));
  }

  /** {@code hash} must be {@link #hash(byte[]) hash(key)}. */
  public Object get(byte[] key, int hash) {
    Node n = root;
    for (int shift = 0; ; shift += BITS) {
      Object[] s = n.slots;
      if (shift == COLLISION_SHIFT) {
        for (int i = 0; i < s.length; i += 2) {
          if (Arrays.equals((byte[]) s[i], key)) {
            return hit(key, n, i);
          }
        }
        return null;
      }
      int bit = 1 << ((hash >>> shift) & MASK);
      int dm = n.datamap;
      if ((dm & bit) != 0) {
        int i = Integer.bitCount(dm & (bit - 1)) << 1;
        return Arrays.equals((byte[]) s[i], key) ? hit(key, n, i) : null;
      }
      int nm = n.nodemap;
      if ((nm & bit) == 0) {
        return null;
      }
      n = (Node) s[s.length - 1 - Integer.bitCount(nm & (bit - 1))];
    }
  }

  /** Records a found entry (slot {@code i} of {@code n}) as the last hit; returns its value. */
  private Object hit(byte[] key, Node n, int i) {
    if (!readOnly) {
      hitKey = key;
      hitNode = n;
      hitIndex = i >> 1;
    }
    return n.slots[i + 1];
  }

  /** Lookup by the key {@code buf[off, off + len)}; {@code hash} must be {@code hash(buf, off, len)}. */
  public Object get(byte[] buf, int off, int len, int hash) {
    Objects.checkFromIndexSize(off, len, buf.length);
    int end = off + len;
    Node n = root;
    for (int shift = 0; ; shift += BITS) {
      Object[] s = n.slots;
      if (shift == COLLISION_SHIFT) {
        for (int i = 0; i < s.length; i += 2) {
          byte[] k = (byte[]) s[i];
          if (Arrays.equals(k, 0, k.length, buf, off, end)) {
            return s[i + 1];
          }
        }
        return null;
      }
      int bit = 1 << ((hash >>> shift) & MASK);
      int dm = n.datamap;
      if ((dm & bit) != 0) {
        int i = Integer.bitCount(dm & (bit - 1)) << 1;
        byte[] k = (byte[]) s[i];
        return Arrays.equals(k, 0, k.length, buf, off, end) ? s[i + 1] : null;
      }
      int nm = n.nodemap;
      if ((nm & bit) == 0) {
        return null;
      }
      n = (Node) s[s.length - 1 - Integer.bitCount(nm & (bit - 1))];
    }
  }

  public boolean containsKey(byte[] key) {
    return get(key, hashOf(key)) != null;
  }

  /** The meta of {@code key}, or -1 if absent. */
  public int getMeta(byte[] key) {
    int hash = hashOf(key);
    Node n = root;
    for (int shift = 0; ; shift += BITS) {
      Object[] s = n.slots;
      if (shift == COLLISION_SHIFT) {
        for (int i = 0; i < s.length; i += 2) {
          if (Arrays.equals((byte[]) s[i], key)) {
            return metaAt(n.metas, i >> 1);
          }
        }
        return -1;
      }
      int bit = 1 << ((hash >>> shift) & MASK);
      int dm = n.datamap;
      if ((dm & bit) != 0) {
        int i = Integer.bitCount(dm & (bit - 1));
        return Arrays.equals((byte[]) s[i << 1], key) ? metaAt(n.metas, i) : -1;
      }
      int nm = n.nodemap;
      if ((nm & bit) == 0) {
        return -1;
      }
      n = (Node) s[s.length - 1 - Integer.bitCount(nm & (bit - 1))];
    }
  }

  /** Visits every entry, in no specified order, until the visitor returns false. Allocates nothing. */
  public void forEach(Visitor v) {
    forEach(root, 0, v);
  }

  private static boolean forEach(Node n, int shift, Visitor v) {
    Object[] s = n.slots;
    int[] m = n.metas;
    int entries = shift == COLLISION_SHIFT ? s.length >> 1 : Integer.bitCount(n.datamap);
    for (int i = 0; i < entries; i++) {
      if (!v.visit((byte[]) s[i << 1], s[(i << 1) + 1], metaAt(m, i))) {
        return false;
      }
    }
    for (int i = s.length - 1, first = entries << 1; i >= first; i--) {
      if (!forEach((Node) s[i], shift + BITS, v)) {
        return false;
      }
    }
    return true;
  }

  // ------------------------------------------------------------------------------------------- scan

  private static final class ScanState {
    final int cursor;
    final Visitor visitor;
    int remaining;
    byte[] lastKey;
    /** An entry at or after the cursor was left unvisited. */
    boolean more;

    ScanState(int cursor, int count, Visitor visitor) {
      this.cursor = cursor;
      this.remaining = count;
      this.visitor = visitor;
    }
  }

  /**
   * Redis SCAN contract. Entries are visited in trie order, i.e. by increasing {@link #scanPosition
   * position} of their hash (the hash with its 5-bit digits in reverse significance, like Redis's
   * reverse-binary cursor), starting at the first position {@code >= cursor}. At least
   * {@code count} entries are visited when available, and all entries sharing one full hash are
   * visited in the same call. Returns the cursor to pass next (the position after the last visited
   * entry), or 0 once the iteration is complete. As positions depend on the hash only, every entry
   * present from the start to the end of a full iteration is returned exactly once by it, however the
   * map changes between calls; entries added or removed meanwhile may or may not be returned.
   *
   * <p>A visitor returning false acts like {@code count} being reached: the call ends once the
   * current same-hash group is complete (so the iteration still progresses and loses nothing).
   *
   * @param cursor an unsigned 32-bit value, 0 to start
   * @throws IllegalArgumentException if {@code cursor} is outside {@code [0, 2^32)}
   */
  public long scan(long cursor, int count, Visitor v) {
    if (cursor < 0 || cursor > 0xFFFF_FFFFL) {
      throw new IllegalArgumentException("cursor out of range: " + cursor);
    }
    ScanState st = new ScanState((int) cursor, Math.max(1, count), v);
    scanNode(root, 0, cursor != 0, st);
    // Positions only grow, so a stop leaves a position p < 2^32 - 1 behind: p + 1 does not wrap.
    return st.more ? Integer.toUnsignedLong(scanPosition(hashOf(st.lastKey)) + 1) : 0;
  }

  /**
   * Visits the entries of {@code n} at positions {@code >= st.cursor} (all of them unless
   * {@code tight}, i.e. unless the node's hash prefix equals the cursor's). Returns true to stop.
   */
  private boolean scanNode(Node n, int shift, boolean tight, ScanState st) {
    Object[] s = n.slots;
    int[] m = n.metas;
    if (shift == COLLISION_SHIFT) {
      // Reached through tight digits only if its position equals the cursor: no filtering needed.
      if (st.remaining <= 0) {
        st.more = true;
        return true;
      }
      boolean go = true;
      for (int i = 0; i < s.length; i += 2) {
        go &= st.visitor.visit((byte[]) s[i], s[i + 1], metaAt(m, i >> 1));
      }
      st.lastKey = (byte[]) s[0];
      st.remaining = go ? st.remaining - (s.length >> 1) : 0;
      return false;
    }
    int dm = n.datamap;
    int nm = n.nodemap;
    int startBit = tight ? 1 << cursorDigit(st.cursor, shift) : 1;
    int todo = (dm | nm) & -startBit;
    while (todo != 0) {
      int bit = todo & -todo;
      todo ^= bit;
      boolean t = tight && bit == startBit;
      if ((dm & bit) != 0) {
        int i = Integer.bitCount(dm & (bit - 1));
        byte[] k = (byte[]) s[i << 1];
        if (t && Integer.compareUnsigned(scanPosition(hashOf(k)), st.cursor) < 0) {
          continue;
        }
        if (st.remaining <= 0) {
          st.more = true;
          return true;
        }
        st.lastKey = k;
        st.remaining = st.visitor.visit(k, s[(i << 1) + 1], metaAt(m, i)) ? st.remaining - 1 : 0;
      } else if (scanNode((Node) s[s.length - 1 - Integer.bitCount(nm & (bit - 1))], shift + BITS, t, st)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The scan position of a hash: its 5-bit digits (from the least significant) placed from the most
   * significant end, the last (2-bit) digit at the bottom. Trie order is increasing position order.
   */
  static int scanPosition(int h) {
    return (h & 31) << 27
        | ((h >>> 5) & 31) << 22
        | ((h >>> 10) & 31) << 17
        | ((h >>> 15) & 31) << 12
        | ((h >>> 20) & 31) << 7
        | ((h >>> 25) & 31) << 2
        | h >>> 30;
  }

  /** The digit of scan position {@code p} that selects the child at {@code shift}. */
  private static int cursorDigit(int p, int shift) {
    return shift == 30 ? p & 3 : (p >>> (27 - shift)) & 31;
  }

  // ----------------------------------------------------------------------------------------- random

  /** A uniformly random key, or null if the map is empty. */
  public byte[] randomKey(RandomGenerator rnd) {
    Entry e = new Entry();
    return randomEntry(rnd, e) ? e.key : null;
  }

  /** Fills {@code out} with a uniformly random entry; false (and {@code out} untouched) if empty. */
  public boolean randomEntry(RandomGenerator rnd, Entry out) {
    Node n = root;
    if (n.size == 0) {
      return false;
    }
    // One draw: r indexes the entries of n's subtree (its own entries first, then each sub-node's),
    // and stays uniform within the child it falls into.
    int r = rnd.nextInt(n.size);
    for (int shift = 0; ; shift += BITS) {
      Object[] s = n.slots;
      int entries = shift == COLLISION_SHIFT ? s.length >> 1 : Integer.bitCount(n.datamap);
      if (r < entries) {
        out.key = (byte[]) s[r << 1];
        out.value = s[(r << 1) + 1];
        out.meta = metaAt(n.metas, r);
        return true;
      }
      r -= entries;
      for (int i = s.length - 1; ; i--) {
        Node c = (Node) s[i];
        if (r < c.size) {
          n = c;
          break;
        }
        r -= c.size;
      }
    }
  }

  // ----------------------------------------------------------------------------------------- writes

  /** Inserts or replaces; returns the previous value or null. A replace keeps the stored key array and sets meta. */
  public Object put(byte[] key, Object value, int meta) {
    return put(key, hashOf(key), value, meta);
  }

  /** As {@link #put(byte[], Object, int)}; {@code hash} must be {@link #hash(byte[]) hash(key)}. */
  public Object put(byte[] key, int hash, Object value, int meta) {
    checkWritable();
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
    Node h = hitNode;
    if (key == hitKey && h.epoch == epoch) {
      // Replacing the value of the entry just read, in an owned node: not a structural write.
      Object old = h.slots[(hitIndex << 1) + 1];
      h.slots[(hitIndex << 1) + 1] = value;
      setMeta(h, hitIndex, meta);
      return old;
    }
    hitKey = null;
    Node[] path = this.path;
    Node n = root;
    for (int shift = 0, d = 0; ; shift += BITS, d++) {
      path[d] = n;
      Object[] s = n.slots;
      if (shift == COLLISION_SHIFT) {
        for (int i = 0; i < s.length; i += 2) {
          if (Arrays.equals((byte[]) s[i], key)) {
            return replace(d, hash, i >> 1, value, meta);
          }
        }
        ownPath(d - 1, hash);
        Object[] ns = Arrays.copyOf(s, s.length + 2);
        ns[s.length] = key;
        ns[s.length + 1] = value;
        install(d, hash, update(n, 0, 0, ns, insertMeta(n.metas, s.length >> 1, s.length >> 1, meta)));
        grow(d);
        return null;
      }
      int bit = 1 << ((hash >>> shift) & MASK);
      int dm = n.datamap;
      if ((dm & bit) != 0) {
        int i = Integer.bitCount(dm & (bit - 1));
        byte[] k = (byte[]) s[i << 1];
        if (Arrays.equals(k, key)) {
          return replace(d, hash, i, value, meta);
        }
        Node sub = merge(k, hashOf(k), s[(i << 1) + 1], metaAt(n.metas, i), key, hash, value, meta, shift + BITS);
        ownPath(d - 1, hash);
        install(d, hash, dataToNode(n, bit, i, sub));
        grow(d);
        return null;
      }
      int nm = n.nodemap;
      if ((nm & bit) != 0) {
        n = (Node) s[s.length - 1 - Integer.bitCount(nm & (bit - 1))];
        continue;
      }
      ownPath(d - 1, hash);
      install(d, hash, insertData(n, bit, key, value, meta));
      grow(d);
      return null;
    }
  }

  private Object replace(int d, int hash, int i, Object value, int meta) {
    Node n = ownPath(d, hash);
    Object old = n.slots[(i << 1) + 1];
    n.slots[(i << 1) + 1] = value;
    setMeta(n, i, meta);
    return old;
  }

  public Object remove(byte[] key) {
    return remove(key, hashOf(key));
  }

  /** Removes {@code key}; returns the removed value or null. {@code hash} must be {@code hash(key)}. */
  public Object remove(byte[] key, int hash) {
    checkWritable();
    hitKey = null;
    Node[] path = this.path;
    Node n = root;
    int d = 0;
    Object old;
    for (int shift = 0; ; shift += BITS, d++) {
      path[d] = n;
      Object[] s = n.slots;
      if (shift == COLLISION_SHIFT) {
        int i = 0;
        while (i < s.length && !Arrays.equals((byte[]) s[i], key)) {
          i += 2;
        }
        if (i == s.length) {
          return null;
        }
        old = s[i + 1];
        ownPath(d - 1, hash);
        Object[] ns = new Object[s.length - 2];
        System.arraycopy(s, 0, ns, 0, i);
        System.arraycopy(s, i + 2, ns, i, s.length - i - 2);
        install(d, hash, update(n, 0, 0, ns, removeMeta(n.metas, i >> 1)));
        break;
      }
      int bit = 1 << ((hash >>> shift) & MASK);
      int dm = n.datamap;
      if ((dm & bit) != 0) {
        int i = Integer.bitCount(dm & (bit - 1));
        if (!Arrays.equals((byte[]) s[i << 1], key)) {
          return null;
        }
        old = s[(i << 1) + 1];
        ownPath(d - 1, hash);
        install(d, hash, removeData(n, bit, i));
        break;
      }
      int nm = n.nodemap;
      if ((nm & bit) == 0) {
        return null;
      }
      n = (Node) s[s.length - 1 - Integer.bitCount(nm & (bit - 1))];
    }
    for (int i = d; i >= 0; i--) {
      path[i].size--;
    }
    // Restore canonical form bottom-up: a non-root node left with one entry holds it inline (its
    // own child, if it had one, was inlined into it by the previous iteration), so move it up.
    for (int i = d; i > 0 && path[i].size == 1; i--) {
      Node c = path[i];
      int bit = 1 << ((hash >>> ((i - 1) * BITS)) & MASK);
      install(i - 1, hash, nodeToData(path[i - 1], bit, (byte[]) c.slots[0], c.slots[1], metaAt(c.metas, 0)));
    }
    return old;
  }

  /** Sets the meta of {@code key} in place, even in a node shared with snapshots (see the Meta note). */
  public boolean touchMeta(byte[] key, int meta) {
    checkWritable();
    if (key == hitKey) {
      touch(hitNode, hitIndex, meta);
      return true;
    }
    int hash = hashOf(key);
    Node n = root;
    for (int shift = 0; ; shift += BITS) {
      Object[] s = n.slots;
      if (shift == COLLISION_SHIFT) {
        for (int i = 0; i < s.length; i += 2) {
          if (Arrays.equals((byte[]) s[i], key)) {
            touch(n, i >> 1, meta);
            return true;
          }
        }
        return false;
      }
      int bit = 1 << ((hash >>> shift) & MASK);
      int dm = n.datamap;
      if ((dm & bit) != 0) {
        int i = Integer.bitCount(dm & (bit - 1));
        if (!Arrays.equals((byte[]) s[i << 1], key)) {
          return false;
        }
        touch(n, i, meta);
        return true;
      }
      int nm = n.nodemap;
      if ((nm & bit) == 0) {
        return false;
      }
      n = (Node) s[s.length - 1 - Integer.bitCount(nm & (bit - 1))];
    }
  }

  /** Removes every entry in O(1); snapshots keep theirs. */
  public void clear() {
    checkWritable();
    hitKey = null;
    root = emptyRoot(epoch);
    Arrays.fill(path, null);
  }

  /**
   * Returns a read-only view of the current contents in O(1); it never changes afterwards, whatever
   * the live map does (except for metas set by {@link #touchMeta}, see the Meta note), and may be
   * read from another thread once handed over with a happens-before edge. On a snapshot, returns it.
   */
  public CowMap snapshot() {
    if (readOnly) {
      return this;
    }
    hitKey = null;
    CowMap s = new CowMap(root, hasher);
    if (++epoch == epochBase) {
      root = deepCopy(root, 0);
      epochBase = epoch;
    }
    return s;
  }

  /**
   * A new live map with the same entries, in O(1). The two maps share every node that exists now;
   * each copies a shared node before its first write to it (as after {@link #snapshot()}), so neither
   * ever observes the other's later writes. This is the copy-on-write step of a collection value
   * backed by a map: the value a snapshot references keeps this map, frozen, and its writable copy
   * gets the fork. Owner thread only; not on a snapshot.
   */
  public CowMap fork() {
    checkWritable();
    hitKey = null;
    CowMap f = new CowMap(hasher);
    Node shared = root;
    int base = epochBase;
    if (++epoch == epochBase) {
      root = deepCopy(root, 0);
      epochBase = epoch;
    }
    // The shared tree's epochs lie in [base, epoch - 1] cyclically, for the fork as for this map.
    f.epoch = epoch;
    f.epochBase = base;
    f.root = shared;
    if (f.epoch == base) {
      f.root = f.deepCopy(shared, 0);
      f.epochBase = f.epoch;
    }
    return f;
  }

  private Node deepCopy(Node n, int shift) {
    Node c = n.copy(epoch);
    if (shift < COLLISION_SHIFT) {
      Object[] s = c.slots;
      for (int i = Integer.bitCount(c.datamap) << 1; i < s.length; i++) {
        s[i] = deepCopy((Node) s[i], shift + BITS);
      }
    }
    return c;
  }

  private void checkWritable() {
    if (readOnly) {
      throw new IllegalStateException("snapshot is read-only");
    }
  }

  // ------------------------------------------------------------------------------- write internals

  /**
   * Makes {@code path[0..upTo]} owned, top-down (so each copy is installed into an owned parent);
   * returns {@code path[upTo]} (null if {@code upTo < 0}).
   */
  private Node ownPath(int upTo, int hash) {
    Node[] path = this.path;
    for (int i = 0; i <= upTo; i++) {
      Node p = path[i];
      if (p.epoch != epoch) {
        install(i, hash, p.copy(epoch));
      }
    }
    return upTo >= 0 ? path[upTo] : null;
  }

  /** Puts {@code n} at depth {@code d} of the path of {@code hash}; {@code path[d - 1]} must be owned. */
  private void install(int d, int hash, Node n) {
    Node[] path = this.path;
    if (path[d] == n) {
      return;
    }
    path[d] = n;
    if (d == 0) {
      root = n;
    } else {
      Node p = path[d - 1];
      int bit = 1 << ((hash >>> ((d - 1) * BITS)) & MASK);
      Object[] s = p.slots;
      s[s.length - 1 - Integer.bitCount(p.nodemap & (bit - 1))] = n;
    }
  }

  /** One entry was added below {@code path[d]}; the whole path is owned. */
  private void grow(int d) {
    Node[] path = this.path;
    for (int i = d; i >= 0; i--) {
      path[i].size++;
    }
  }

  /** {@code n} with new content: mutated in place if owned, else a new owned node of the same size. */
  private Node update(Node n, int datamap, int nodemap, Object[] slots, int[] metas) {
    if (n.epoch == epoch) {
      n.datamap = datamap;
      n.nodemap = nodemap;
      n.slots = slots;
      n.metas = metas;
      return n;
    }
    return new Node(epoch, datamap, nodemap, n.size, slots, metas);
  }

  private Node insertData(Node n, int bit, byte[] key, Object value, int meta) {
    int i = Integer.bitCount(n.datamap & (bit - 1));
    int at = i << 1;
    Object[] s = n.slots;
    Object[] ns = new Object[s.length + 2];
    System.arraycopy(s, 0, ns, 0, at);
    ns[at] = key;
    ns[at + 1] = value;
    System.arraycopy(s, at, ns, at + 2, s.length - at);
    return update(n, n.datamap | bit, n.nodemap, ns, insertMeta(n.metas, Integer.bitCount(n.datamap), i, meta));
  }

  private Node removeData(Node n, int bit, int i) {
    int at = i << 1;
    Object[] s = n.slots;
    Object[] ns = new Object[s.length - 2];
    System.arraycopy(s, 0, ns, 0, at);
    System.arraycopy(s, at + 2, ns, at, s.length - at - 2);
    return update(n, n.datamap ^ bit, n.nodemap, ns, removeMeta(n.metas, i));
  }

  /** Replaces entry {@code i} (at {@code bit}) by sub-node {@code sub}. */
  private Node dataToNode(Node n, int bit, int i, Node sub) {
    int at = i << 1;
    Object[] s = n.slots;
    int len = s.length;
    int ni = Integer.bitCount(n.nodemap & (bit - 1)); // sub-nodes before sub, stored after it
    Object[] ns = new Object[len - 1];
    System.arraycopy(s, 0, ns, 0, at);
    System.arraycopy(s, at + 2, ns, at, len - ni - at - 2); // later entries, sub-nodes after sub
    ns[len - ni - 2] = sub;
    System.arraycopy(s, len - ni, ns, len - ni - 1, ni);
    return update(n, n.datamap ^ bit, n.nodemap | bit, ns, removeMeta(n.metas, i));
  }

  /** Replaces the sub-node at {@code bit} by the entry {@code key, value, meta}. */
  private Node nodeToData(Node n, int bit, byte[] key, Object value, int meta) {
    int i = Integer.bitCount(n.datamap & (bit - 1));
    int at = i << 1;
    Object[] s = n.slots;
    int len = s.length;
    int ni = Integer.bitCount(n.nodemap & (bit - 1));
    Object[] ns = new Object[len + 1];
    System.arraycopy(s, 0, ns, 0, at);
    ns[at] = key;
    ns[at + 1] = value;
    System.arraycopy(s, at, ns, at + 2, len - 1 - ni - at); // later entries, sub-nodes after it
    System.arraycopy(s, len - ni, ns, len - ni + 1, ni);
    return update(n, n.datamap | bit, n.nodemap ^ bit, ns, insertMeta(n.metas, Integer.bitCount(n.datamap), i, meta));
  }

  /** The meta of entry {@code i} of a node whose metas are {@code m} (empty: all zero). */
  private static int metaAt(int[] m, int i) {
    return m.length == 0 ? 0 : m[i];
  }

  /** Entries held inline by {@code n} (a collision node's are all of its slots). */
  private static int entries(Node n) {
    return (n.datamap | n.nodemap) == 0 ? n.slots.length >> 1 : Integer.bitCount(n.datamap);
  }

  /** Metas {@code m} of {@code entries} entries with {@code meta} inserted at {@code i}. */
  private static int[] insertMeta(int[] m, int entries, int i, int meta) {
    if (m.length == 0 && meta == 0) {
      return EMPTY_METAS;
    }
    int[] nm = new int[entries + 1];
    if (m.length != 0) {   // else the other entries' metas are all zero
      System.arraycopy(m, 0, nm, 0, i);
      System.arraycopy(m, i, nm, i + 1, entries - i);
    }
    nm[i] = meta;
    return nm;
  }


  /** Sets the meta of entry {@code i} of owned node {@code n}. */
  private static void setMeta(Node n, int i, int meta) {
    if (n.metas.length == 0) {
      if (meta == 0) {
        return;
      }
      n.metas = new int[entries(n)];
    }
    n.metas[i] = meta;
  }

  /**
   * touchMeta's write. A shared node's arrays are written in place (see the Meta note) but never
   * replaced: a shared node whose metas are all zero keeps them so (the touch is dropped; metas
   * are advisory, and entries are normally put with a non-zero meta anyway).
   */
  private void touch(Node n, int i, int meta) {
    if (n.metas.length != 0) {
      n.metas[i] = meta;
    } else if (n.epoch == epoch) {
      setMeta(n, i, meta);
    }
  }

  private static int[] removeMeta(int[] m, int i) {
    if (m.length <= 1) {
      return EMPTY_METAS;
    }
    int[] nm = new int[m.length - 1];
    System.arraycopy(m, 0, nm, 0, i);
    System.arraycopy(m, i + 1, nm, i, m.length - i - 1);
    return nm;
  }

  /** A new subtree at {@code shift} holding two entries with distinct keys. */
  private Node merge(byte[] k0, int h0, Object v0, int m0, byte[] k1, int h1, Object v1, int m1, int shift) {
    if (shift == COLLISION_SHIFT) {
      return new Node(epoch, 0, 0, 2, new Object[] {k0, v0, k1, v1}, (m0 | m1) == 0 ? EMPTY_METAS : new int[] {m0, m1});
    }
    int d0 = (h0 >>> shift) & MASK;
    int d1 = (h1 >>> shift) & MASK;
    if (d0 == d1) {
      Node sub = merge(k0, h0, v0, m0, k1, h1, v1, m1, shift + BITS);
      return new Node(epoch, 0, 1 << d0, 2, new Object[] {sub}, EMPTY_METAS);
    }
    int dm = (1 << d0) | (1 << d1);
    int[] metas = (m0 | m1) == 0 ? EMPTY_METAS : d0 < d1 ? new int[] {m0, m1} : new int[] {m1, m0};
    return new Node(epoch, dm, 0, 2, d0 < d1 ? new Object[] {k0, v0, k1, v1} : new Object[] {k1, v1, k0, v0}, metas);
  }

  // ------------------------------------------------------------------------------------------- hash

  private int hashOf(byte[] key) {
    return hasher == null ? hash(key) : hasher.applyAsInt(key);
  }

  private static final int SEED = 0x5f3759df;
  private static final VarHandle INT_LE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

  /** The key hash used by the map: MurmurHash3 x86_32 with a fixed seed. */
  public static int hash(byte[] key) {
    return murmur3(key, 0, key.length, SEED);
  }

  /** {@link #hash(byte[])} of the key {@code b[off, off + len)}. */
  public static int hash(byte[] b, int off, int len) {
    Objects.checkFromIndexSize(off, len, b.length);
    return murmur3(b, off, len, SEED);
  }

  /** MurmurHash3 x86_32 (Austin Appleby, public domain). */
  static int murmur3(byte[] b, int off, int len, int seed) {
    final int c1 = 0xcc9e2d51;
    final int c2 = 0x1b873593;
    int h = seed;
    int i = off;
    for (int end = off + (len & ~3); i < end; i += 4) {
      int k = (int) INT_LE.get(b, i);
      k *= c1;
      k = Integer.rotateLeft(k, 15);
      k *= c2;
      h ^= k;
      h = Integer.rotateLeft(h, 13);
      h = h * 5 + 0xe6546b64;
    }
    int tail = len & 3;
    if (tail != 0) {
      int k = b[i] & 0xff;
      if (tail > 1) {
        k |= (b[i + 1] & 0xff) << 8;
      }
      if (tail > 2) {
        k |= (b[i + 2] & 0xff) << 16;
      }
      k *= c1;
      k = Integer.rotateLeft(k, 15);
      k *= c2;
      h ^= k;
    }
    h ^= len;
    h ^= h >>> 16;
    h *= 0x85ebca6b;
    h ^= h >>> 13;
    h *= 0xc2b2ae35;
    h ^= h >>> 16;
    return h;
  }

  // ---------------------------------------------------------------------------------- test support

  /** Package-private for tests: checks every structural invariant, throwing AssertionError on a violation. */
  void verify() {
    int n = verify(root, 0, 0, true);
    if (n != root.size) {
      throw new AssertionError("root size " + root.size + " != " + n + " entries");
    }
  }

  private int verify(Node n, int shift, int prefix, boolean isRoot) {
    Object[] s = n.slots;
    int prefixMask = shift >= 32 ? -1 : (1 << shift) - 1;
    if (shift == COLLISION_SHIFT) {
      check(n.datamap == 0 && n.nodemap == 0, "collision node has bitmaps");
      check(s.length >= 4 && s.length % 2 == 0, "collision node with " + s.length + " slots");
      check(n.metas.length == s.length / 2 || n.metas.length == 0, "collision metas length");
      check(n.size == s.length / 2, "collision size");
      int h = hashOf((byte[]) s[0]);
      check(h == prefix, "collision hash does not match path");
      for (int i = 0; i < s.length; i += 2) {
        check(hashOf((byte[]) s[i]) == h, "collision node with different hashes");
        check(s[i + 1] != null, "null value");
        for (int j = i + 2; j < s.length; j += 2) {
          check(!Arrays.equals((byte[]) s[i], (byte[]) s[j]), "duplicate key");
        }
      }
      return s.length / 2;
    }
    int dm = n.datamap;
    int nm = n.nodemap;
    check((dm & nm) == 0, "datamap and nodemap overlap");
    if (shift == 30) {
      check(((dm | nm) & ~0xF) == 0, "level 6 digit out of range");
    }
    int entries = Integer.bitCount(dm);
    int nodes = Integer.bitCount(nm);
    check(s.length == 2 * entries + nodes, "slots not exact size");
    check(n.metas.length == entries || n.metas.length == 0, "metas not exact size");
    int total = entries;
    int i = 0;
    for (int bits = dm; bits != 0; bits &= bits - 1, i++) {
      int digit = Integer.numberOfTrailingZeros(bits);
      int h = hashOf((byte[]) s[2 * i]);
      check((h & prefixMask) == prefix, "entry hash prefix does not match path");
      check(((h >>> shift) & MASK) == digit, "entry in wrong digit");
      check(s[2 * i + 1] != null, "null value");
    }
    int j = 0;
    for (int bits = nm; bits != 0; bits &= bits - 1, j++) {
      int digit = Integer.numberOfTrailingZeros(bits);
      Node c = (Node) s[s.length - 1 - j];
      check(c.size >= 2, "non-root node with fewer than 2 entries");
      check(readOnly || c.epoch != epoch || n.epoch == epoch, "owned node under a shared parent");
      int sub = verify(c, shift + BITS, prefix | digit << shift, false);
      check(sub == c.size, "node size " + c.size + " != " + sub);
      total += sub;
    }
    check(isRoot || total >= 2, "non-canonical node");
    return total;
  }

  private static void check(boolean ok, String what) {
    if (!ok) {
      throw new AssertionError(what);
    }
  }

  /** Package-private for tests: sets the live epoch, to exercise its wrap-around. */
  void forceEpoch(int e) {
    epoch = e;
  }
}
