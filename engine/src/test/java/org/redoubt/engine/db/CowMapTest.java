package org.redoubt.engine.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.ToIntFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

@Timeout(value = 5, unit = TimeUnit.MINUTES)
class CowMapTest {

  private record Val(Object value, int meta) {}

  private static ByteBuffer bb(byte[] k) {
    return ByteBuffer.wrap(k.clone());
  }

  private static byte[] key(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** A key of 0..~12 bytes derived from {@code i}, including the empty key and zero bytes. */
  private static byte[] numKey(int i) {
    int len = Math.floorMod(i * 0x9E3779B9, 13);
    byte[] k = new byte[len + 4];
    k[0] = (byte) (i >>> 24);
    k[1] = (byte) (i >>> 16);
    k[2] = (byte) (i >>> 8);
    k[3] = (byte) i;
    for (int j = 4; j < k.length; j++) {
      k[j] = (byte) (j * 31 + i);
    }
    return i == 0 ? new byte[0] : k;
  }

  private static Map<ByteBuffer, Val> contents(CowMap m) {
    Map<ByteBuffer, Val> out = new HashMap<>();
    m.forEach((k, v, meta) -> {
      assertThat(out.put(bb(k), new Val(v, meta))).as("key visited twice").isNull();
      return true;
    });
    return out;
  }

  /** Checks {@code m} holds exactly {@code model}, by lookups and by iteration. */
  private static void assertSame(CowMap m, Map<ByteBuffer, Val> model, boolean checkMeta) {
    assertThat(m.size()).isEqualTo(model.size());
    for (Map.Entry<ByteBuffer, Val> e : model.entrySet()) {
      byte[] k = e.getKey().array();
      assertThat(m.get(k)).as("get").isEqualTo(e.getValue().value());
      if (checkMeta) {
        assertThat(m.getMeta(k)).as("meta").isEqualTo(e.getValue().meta());
      }
    }
    Map<ByteBuffer, Val> seen = contents(m);
    if (checkMeta) {
      assertThat(seen).isEqualTo(model);
    } else {
      assertThat(seen.keySet()).isEqualTo(model.keySet());
    }
  }

  // ------------------------------------------------------------------------------ differential

  static List<Arguments> hashers() {
    ToIntFunction<byte[]> murmur = CowMap::hash;
    // name, hasher (null: the real one), size of the large key space (small where hashes are few,
    // as collision nodes are linear).
    return List.of(
        Arguments.of("murmur", null, 100_000),
        Arguments.of("16 full hashes", (ToIntFunction<byte[]>) k -> murmur.applyAsInt(k) & 0xF, 3_000),
        Arguments.of("deep: 16 hashes in the top digits", (ToIntFunction<byte[]>) k -> murmur.applyAsInt(k) & 0xC600_0000, 3_000),
        Arguments.of("sparse: one bit per digit", (ToIntFunction<byte[]>) k -> murmur.applyAsInt(k) & 0x8421_0843, 30_000),
        Arguments.of("low 12 bits", (ToIntFunction<byte[]>) k -> murmur.applyAsInt(k) & 0xFFF, 60_000),
        Arguments.of("one hash", (ToIntFunction<byte[]>) k -> 0x1234_5678, 300));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("hashers")
  void randomizedAgainstHashMap(String name, ToIntFunction<byte[]> hasher, int largeSpace) {
    long seed = System.nanoTime();
    System.out.println("CowMapTest.randomizedAgainstHashMap[" + name + "] seed=" + seed);
    SplittableRandom rnd = new SplittableRandom(seed);
    CowMap m = hasher == null ? new CowMap() : new CowMap(hasher);
    Map<ByteBuffer, Val> model = new HashMap<>();
    Deque<CowMap> snaps = new ArrayDeque<>();
    Deque<Map<ByteBuffer, Val>> snapModels = new ArrayDeque<>();
    int ops = 200_000;
    for (int op = 0; op < ops; op++) {
      // Alternate phases over a small and a large key space, so nodes both grow and shrink.
      int space = (op / 20_000) % 2 == 0 ? 64 : largeSpace;
      byte[] k = numKey(rnd.nextInt(space));
      ByteBuffer kb = bb(k);
      int r = rnd.nextInt(100);
      if (r < 45) {
        Object v = (long) op;
        // Zero metas are common (collection maps never set them) and stored without an array.
        int meta = rnd.nextInt(3) == 0 ? 0 : rnd.nextInt();
        Val old = model.put(kb, new Val(v, meta));
        byte[] fresh = k.clone();
        if (rnd.nextBoolean()) {
          m.get(fresh); // a read of the same instance first: the put takes the last-hit path
        }
        Object prev = rnd.nextBoolean() ? m.put(fresh, v, meta) : m.put(fresh, hasher == null ? CowMap.hash(fresh) : hasher.applyAsInt(fresh), v, meta);
        assertThat(prev).isEqualTo(old == null ? null : old.value());
      } else if (r < 70) {
        Val old = model.remove(kb);
        Object prev = m.remove(k);
        assertThat(prev).isEqualTo(old == null ? null : old.value());
      } else if (r < 95) {
        Val cur = model.get(kb);
        assertThat(m.get(k)).isEqualTo(cur == null ? null : cur.value());
        assertThat(m.containsKey(k)).isEqualTo(cur != null);
        assertThat(m.getMeta(k)).isEqualTo(cur == null ? -1 : cur.meta());
        if (hasher == null) {
          byte[] buf = new byte[k.length + 7];
          System.arraycopy(k, 0, buf, 3, k.length);
          assertThat(m.get(buf, 3, k.length, CowMap.hash(buf, 3, k.length))).isEqualTo(cur == null ? null : cur.value());
          assertThat(m.get(k, CowMap.hash(k))).isEqualTo(cur == null ? null : cur.value());
        }
      } else if (r < 99) {
        int meta = rnd.nextInt();
        Val cur = model.get(kb);
        if (rnd.nextBoolean()) {
          m.get(k); // the touch takes the last-hit path
        }
        assertThat(m.touchMeta(k, meta)).isEqualTo(cur != null);
        if (cur != null) {
          // A touch of a zero-meta entry in a node shared with a snapshot may be dropped
          // (documented); any other touch must land.
          int got = m.getMeta(k);
          if (got != meta) {
            assertThat(got).as("dropped touch of a non-zero meta").isZero();
            assertThat(cur.meta()).isZero();
          }
          // Snapshots may or may not see this meta (documented), so they are compared without metas.
          model.put(kb, new Val(cur.value(), got));
        }
      } else {
        if (rnd.nextInt(200) == 0) {
          m.clear();
          model.clear();
        } else {
          snaps.addLast(m.snapshot());
          snapModels.addLast(new HashMap<>(model));
          if (snaps.size() > 4) {
            CowMap s = snaps.removeFirst();
            Map<ByteBuffer, Val> sm = snapModels.removeFirst();
            s.verify();
            assertSame(s, sm, false);
          }
        }
      }
      assertThat(m.size()).isEqualTo(model.size());
      if (op % 10_000 == 0) {
        m.verify();
        assertSame(m, model, true);
      }
    }
    m.verify();
    assertSame(m, model, true);
    while (!snaps.isEmpty()) {
      CowMap s = snaps.removeFirst();
      s.verify();
      assertSame(s, snapModels.removeFirst(), false);
    }
    // Drain to empty: canonical form means the root must end empty with nothing left behind.
    for (ByteBuffer kb : new ArrayList<>(model.keySet())) {
      assertThat(m.remove(kb.array())).isEqualTo(model.remove(kb).value());
    }
    m.verify();
    assertThat(m.size()).isZero();
    assertThat(contents(m)).isEmpty();
  }

  @Test
  void replaceKeepsStoredKeyArrayAndSetsMeta() {
    CowMap m = new CowMap();
    byte[] k1 = key("alpha");
    m.put(k1, "v1", 7);
    assertThat(m.put(key("alpha"), "v2", 9)).isEqualTo("v1");
    byte[][] stored = new byte[1][];
    m.forEach((k, v, meta) -> {
      stored[0] = k;
      assertThat(v).isEqualTo("v2");
      assertThat(meta).isEqualTo(9);
      return true;
    });
    assertThat(stored[0]).isSameAs(k1);
    assertThat(m.size()).isEqualTo(1);
  }

  @Test
  void binarySafeKeys() {
    CowMap m = new CowMap();
    m.put(new byte[0], "empty", 0);
    m.put(new byte[] {0}, "zero", 0);
    m.put(new byte[] {0, 0}, "zerozero", 0);
    m.put(new byte[] {(byte) 0xff, 0, 1}, "high", 0);
    assertThat(m.get(new byte[0])).isEqualTo("empty");
    assertThat(m.get(new byte[] {0})).isEqualTo("zero");
    assertThat(m.get(new byte[] {0, 0})).isEqualTo("zerozero");
    assertThat(m.get(new byte[] {(byte) 0xff, 0, 1})).isEqualTo("high");
    assertThat(m.get(new byte[] {0, 0, 0})).isNull();
    assertThat(m.size()).isEqualTo(4);
  }

  @Test
  void nullsRejected() {
    CowMap m = new CowMap();
    assertThatThrownBy(() -> m.put(key("a"), null, 0)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> m.put(null, "x", 0)).isInstanceOf(NullPointerException.class);
  }

  // --------------------------------------------------------------------------------------- hash

  @Test
  void murmur3KnownVectors() {
    assertThat(CowMap.murmur3(new byte[0], 0, 0, 0)).isEqualTo(0);
    assertThat(CowMap.murmur3(new byte[0], 0, 0, 1)).isEqualTo(0x514E28B7);
    assertThat(CowMap.murmur3(new byte[0], 0, 0, 0xffffffff)).isEqualTo(0x81F16F39);
    assertThat(CowMap.murmur3(new byte[4], 0, 4, 0)).isEqualTo(0x2362F9DE);
    int seed = 0x9747b28c;
    assertThat(mm("a", seed)).isEqualTo(0x7FA09EA6);
    assertThat(mm("aa", seed)).isEqualTo(0x5D211726);
    assertThat(mm("aaa", seed)).isEqualTo(0x283E0130);
    assertThat(mm("aaaa", seed)).isEqualTo(0x5A97808A);
    assertThat(mm("abcd", seed)).isEqualTo(0xF0478627);
    assertThat(mm("Hello, world!", seed)).isEqualTo(0x24884CBA);
    assertThat(mm("The quick brown fox jumps over the lazy dog", seed)).isEqualTo(0x2FA826CD);
  }

  private static int mm(String s, int seed) {
    byte[] b = key(s);
    return CowMap.murmur3(b, 0, b.length, seed);
  }

  @Test
  void sliceHashAndLookupMatchWholeKey() {
    CowMap m = new CowMap();
    for (int i = 0; i < 1000; i++) {
      m.put(numKey(i), i, 0);
    }
    byte[] buf = new byte[64];
    for (int i = 0; i < 1000; i++) {
      byte[] k = numKey(i);
      int off = i % 17;
      Arrays.fill(buf, (byte) 0x55);
      System.arraycopy(k, 0, buf, off, k.length);
      assertThat(CowMap.hash(buf, off, k.length)).isEqualTo(CowMap.hash(k));
      assertThat(m.get(buf, off, k.length, CowMap.hash(buf, off, k.length))).isEqualTo(i);
    }
    assertThatThrownBy(() -> CowMap.hash(buf, 60, 10)).isInstanceOf(IndexOutOfBoundsException.class);
  }

  // ---------------------------------------------------------------------------------- snapshots

  @Test
  void snapshotIsFrozenWhileLiveMapTakes100kWrites() {
    long seed = System.nanoTime();
    System.out.println("CowMapTest.snapshotIsFrozen seed=" + seed);
    SplittableRandom rnd = new SplittableRandom(seed);
    CowMap live = new CowMap();
    Map<ByteBuffer, Val> model = new HashMap<>();
    for (int i = 0; i < 50_000; i++) {
      byte[] k = numKey(rnd.nextInt(80_000));
      int meta = rnd.nextInt(1 << 24);
      live.put(k, "v" + i, meta);
      model.put(bb(k), new Val("v" + i, meta));
    }
    Map<ByteBuffer, Val> frozen = new HashMap<>(model);

    CowMap snap = live.snapshot();
    assertThat(snap.isReadOnly()).isTrue();
    assertThat(live.isReadOnly()).isFalse();
    assertThat(snap.snapshot()).isSameAs(snap);

    for (int i = 0; i < 100_000; i++) {
      int r = rnd.nextInt(10);
      byte[] k = numKey(rnd.nextInt(120_000));
      if (r < 6) {
        int meta = rnd.nextInt(1 << 24);
        live.put(k, "w" + i, meta); // inserts and overwrites
        model.put(bb(k), new Val("w" + i, meta));
      } else {
        live.remove(k);
        model.remove(bb(k));
      }
    }

    snap.verify();
    live.verify();
    assertSame(snap, frozen, true);
    assertSame(live, model, true);
    // Entry by entry, the other way round too: nothing in the snapshot that was not there.
    snap.forEach((k, v, meta) -> {
      assertThat(frozen.get(ByteBuffer.wrap(k))).isEqualTo(new Val(v, meta));
      return true;
    });
    assertThatThrownBy(() -> snap.put(key("x"), "y", 0)).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> snap.remove(key("x"))).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> snap.touchMeta(key("x"), 0)).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(snap::clear).isInstanceOf(IllegalStateException.class);

    live.clear();
    assertThat(live.size()).isZero();
    assertSame(snap, frozen, true);
  }

  @Test
  void snapshotReadFromAnotherThreadWhileOwnerWrites() throws Exception {
    long seed = System.nanoTime();
    System.out.println("CowMapTest.snapshotReadFromAnotherThread seed=" + seed);
    SplittableRandom rnd = new SplittableRandom(seed);
    CowMap live = new CowMap();
    for (int i = 0; i < 30_000; i++) {
      live.put(numKey(i), i, i);
    }
    ExecutorService saver = Executors.newSingleThreadExecutor();
    try {
      for (int round = 0; round < 3; round++) {
        Map<ByteBuffer, Val> frozen = contents(live);
        CowMap snap = live.snapshot();
        AtomicBoolean ownerDone = new AtomicBoolean();
        CountDownLatch started = new CountDownLatch(1);
        // executor.submit is the happens-before hand-off of the snapshot to the saver thread.
        Future<Integer> passes = saver.submit(() -> {
          started.countDown();
          int n = 0;
          do {
            assertThat(snap.size()).isEqualTo(frozen.size());
            int[] seen = {0};
            snap.forEach((k, v, meta) -> {
              Val want = frozen.get(ByteBuffer.wrap(k));
              if (want == null || !want.value().equals(v)) {
                throw new AssertionError("snapshot changed at key " + Arrays.toString(k));
              }
              seen[0]++;
              return true;
            });
            assertThat(seen[0]).isEqualTo(frozen.size());
            for (ByteBuffer k : frozen.keySet()) {
              if (!frozen.get(k).value().equals(snap.get(k.array()))) {
                throw new AssertionError("snapshot lookup changed");
              }
            }
            n++;
          } while (!ownerDone.get() || n < 2);
          return n;
        });
        started.await();
        for (int i = 0; i < 100_000; i++) {
          byte[] k = numKey(rnd.nextInt(60_000));
          switch (rnd.nextInt(4)) {
            case 0, 1 -> live.put(k, -i, i);
            case 2 -> live.remove(k);
            default -> live.touchMeta(k, i);
          }
        }
        ownerDone.set(true);
        assertThat(passes.get(60, TimeUnit.SECONDS)).isGreaterThanOrEqualTo(2);
        snap.verify();
        live.verify();
      }
    } finally {
      saver.shutdownNow();
    }
  }

  @Test
  void snapshotsOfSnapshotsAndChainsOfSnapshots() {
    CowMap live = new CowMap();
    List<CowMap> snaps = new ArrayList<>();
    List<Map<ByteBuffer, Val>> models = new ArrayList<>();
    for (int round = 0; round < 50; round++) {
      for (int i = 0; i < 200; i++) {
        int k = round * 37 + i;
        if (i % 3 == 0) {
          live.remove(numKey(k / 2));
        } else {
          live.put(numKey(k), round, i);
        }
      }
      models.add(contents(live));
      snaps.add(live.snapshot());
    }
    for (int i = 0; i < snaps.size(); i++) {
      snaps.get(i).verify();
      assertSame(snaps.get(i), models.get(i), true);
    }
  }

  @Test
  void epochWrapAroundDoesNotLetOldNodesLookOwned() {
    CowMap live = new CowMap(); // live tree created at epoch 0
    for (int i = 0; i < 5000; i++) {
      live.put(numKey(i), i, i);
    }
    Map<ByteBuffer, Val> frozen = contents(live);
    live.forceEpoch(-1); // as if 2^32 - 1 snapshots had been taken since
    CowMap snap = live.snapshot(); // the live epoch wraps to 0, the epoch of every existing node
    for (int i = 0; i < 5000; i++) {
      live.put(numKey(i), -i, 0);
      if (i % 2 == 0) {
        live.remove(numKey(i));
      }
    }
    live.touchMeta(numKey(1), 12345);
    snap.verify();
    live.verify();
    assertThat(snap.getMeta(numKey(1))).isEqualTo(1);
    assertSame(snap, frozen, true);
    assertThat(live.size()).isEqualTo(2500);
  }

  // ------------------------------------------------------------------------------------- meta

  @Test
  void metaGetTouchAndSnapshot() {
    CowMap m = new CowMap();
    assertThat(m.getMeta(key("a"))).isEqualTo(-1);
    assertThat(m.touchMeta(key("a"), 1)).isFalse();
    for (int i = 0; i < 2000; i++) {
      m.put(numKey(i), i, i * 3);
    }
    assertThat(m.getMeta(numKey(10))).isEqualTo(30);
    assertThat(m.touchMeta(numKey(10), 77)).isTrue();
    assertThat(m.getMeta(numKey(10))).isEqualTo(77);
    assertThat(m.get(numKey(10))).isEqualTo(10);
    assertThat(m.touchMeta(numKey(5000), 1)).isFalse();

    CowMap snap = m.snapshot();
    // Structural writes (put) never reach the snapshot, metas included.
    for (int i = 0; i < 2000; i++) {
      m.put(numKey(i), i + 1, -5);
    }
    for (int i = 0; i < 2000; i++) {
      assertThat(snap.getMeta(numKey(i))).isEqualTo(i == 10 ? 77 : i * 3);
      assertThat(m.getMeta(numKey(i))).isEqualTo(-5);
    }
    // touchMeta on a copied path stays in the live map.
    assertThat(m.touchMeta(numKey(20), 999)).isTrue();
    assertThat(snap.getMeta(numKey(20))).isEqualTo(60);
    assertThat(m.getMeta(numKey(20))).isEqualTo(999);
  }

  @Test
  void metaInCollisionNodes() {
    CowMap m = new CowMap(k -> 42);
    for (int i = 0; i < 10; i++) {
      m.put(numKey(i), i, i);
    }
    m.verify();
    for (int i = 0; i < 10; i++) {
      assertThat(m.getMeta(numKey(i))).isEqualTo(i);
      assertThat(m.touchMeta(numKey(i), 100 + i)).isTrue();
    }
    for (int i = 0; i < 10; i++) {
      assertThat(m.getMeta(numKey(i))).isEqualTo(100 + i);
    }
    assertThat(m.getMeta(numKey(11))).isEqualTo(-1);
  }

  // ------------------------------------------------------------------------------------- scan

  private static Set<ByteBuffer> fullScan(CowMap m, int count, List<Integer> perCall) {
    Set<ByteBuffer> out = new HashSet<>();
    long cursor = 0;
    do {
      int[] n = {0};
      cursor = m.scan(cursor, count, (k, v, meta) -> {
        assertThat(out.add(bb(k))).as("scan returned a key twice").isTrue();
        n[0]++;
        return true;
      });
      assertThat(cursor).isBetween(0L, 0xFFFF_FFFFL);
      if (perCall != null) {
        perCall.add(n[0]);
      }
      assertThat(out.size()).as("scan does not progress").isLessThanOrEqualTo(m.size());
    } while (cursor != 0);
    return out;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("hashers")
  void scanFullIterationReturnsEveryKeyOnce(String name, ToIntFunction<byte[]> hasher, int largeSpace) {
    CowMap m = hasher == null ? new CowMap() : new CowMap(hasher);
    assertThat(m.scan(0, 10, (k, v, meta) -> {
      throw new AssertionError("empty map visited");
    })).isZero();
    Set<ByteBuffer> all = new HashSet<>();
    int n = Math.min(largeSpace, 20_000);
    for (int i = 0; i < n; i++) {
      m.put(numKey(i), i, 0);
      all.add(bb(numKey(i)));
    }
    for (int count : new int[] {1, 10, 1000, 1_000_000}) {
      List<Integer> perCall = new ArrayList<>();
      assertThat(fullScan(m, count, perCall)).isEqualTo(all);
      // Count semantics: every call but the last visits at least `count` entries (more only to
      // finish a group of equal hashes).
      for (int i = 0; i < perCall.size() - 1; i++) {
        assertThat(perCall.get(i)).isGreaterThanOrEqualTo(count);
        if (hasher == null) {
          assertThat(perCall.get(i)).isEqualTo(count);
        }
      }
    }
  }

  @Test
  void scanOrderIsByHashPosition() {
    CowMap m = new CowMap();
    for (int i = 0; i < 5000; i++) {
      m.put(numKey(i), i, 0);
    }
    long[] last = {-1};
    long cursor = 0;
    do {
      assertThat(last[0]).isLessThan(1L << 32);
      cursor = m.scan(cursor, 7, (k, v, meta) -> {
        long p = Integer.toUnsignedLong(CowMap.scanPosition(CowMap.hash(k)));
        assertThat(p).isGreaterThan(last[0]);
        last[0] = p;
        return true;
      });
      if (cursor != 0) {
        assertThat(cursor).isEqualTo(last[0] + 1);
      }
    } while (cursor != 0);
    // And every cursor value maps to "positions >= cursor".
    SplittableRandom rnd = new SplittableRandom(1);
    for (int t = 0; t < 200; t++) {
      long c = rnd.nextLong(1L << 32);
      long[] first = {-1};
      m.scan(c, 1, (k, v, meta) -> {
        first[0] = Integer.toUnsignedLong(CowMap.scanPosition(CowMap.hash(k)));
        return true;
      });
      long expected = Long.MAX_VALUE;
      for (int i = 0; i < 5000; i++) {
        long p = Integer.toUnsignedLong(CowMap.scanPosition(CowMap.hash(numKey(i))));
        if (p >= c && p < expected) {
          expected = p;
        }
      }
      assertThat(first[0]).isEqualTo(expected == Long.MAX_VALUE ? -1 : expected);
    }
  }

  @Test
  void scanPositionIsABijectionOrderedLikeTheTrie() {
    SplittableRandom rnd = new SplittableRandom(7);
    for (int i = 0; i < 10_000; i++) {
      int a = rnd.nextInt();
      int b = rnd.nextInt();
      assertThat(CowMap.scanPosition(a) == CowMap.scanPosition(b)).isEqualTo(a == b);
      // Trie order: compare digits from the least significant 5 bits up.
      int cmp = 0;
      for (int shift = 0; shift < 35 && cmp == 0; shift += 5) {
        cmp = Integer.compare((a >>> shift) & 31, (b >>> shift) & 31);
      }
      assertThat(Integer.signum(Integer.compareUnsigned(CowMap.scanPosition(a), CowMap.scanPosition(b)))).isEqualTo(cmp);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("hashers")
  void scanReturnsEveryKeyPresentThroughoutDespiteConcurrentChanges(String name, ToIntFunction<byte[]> hasher, int largeSpace) {
    long seed = System.nanoTime();
    System.out.println("CowMapTest.scanWithChanges[" + name + "] seed=" + seed);
    SplittableRandom rnd = new SplittableRandom(seed);
    CowMap m = hasher == null ? new CowMap() : new CowMap(hasher);
    int space = Math.min(largeSpace, 40_000);
    for (int i = 0; i < space / 2; i++) {
      m.put(numKey(rnd.nextInt(space)), i, 0);
    }
    // Keys below `stable` are never touched by the mutations, so they are present throughout.
    int stable = space / 10;
    Set<ByteBuffer> mustSee = new HashSet<>();
    for (int i = 0; i < stable; i++) {
      m.put(numKey(i), i, 0);
      mustSee.add(bb(numKey(i)));
    }
    Set<ByteBuffer> seen = new HashSet<>();
    long cursor = 0;
    int calls = 0;
    do {
      cursor = m.scan(cursor, 1 + rnd.nextInt(50), (k, v, meta) -> {
        seen.add(bb(k));
        return true;
      });
      calls++;
      for (int j = 0; j < 30; j++) {
        byte[] k = numKey(stable + rnd.nextInt(space - stable));
        if (rnd.nextBoolean()) {
          m.put(k, j, 0);
        } else {
          m.remove(k);
        }
      }
      if (rnd.nextInt(10) == 0) {
        m.snapshot(); // makes the next writes copy paths
      }
      assertThat(calls).as("scan does not progress").isLessThan(space * 2);
    } while (cursor != 0);
    if (!name.equals("one hash")) { // a single hash is a single group, visited in one call
      assertThat(calls).isGreaterThan(1);
    }
    assertThat(seen).containsAll(mustSee);
    m.verify();
  }

  @Test
  void scanVisitorStopEndsAfterTheGroupWithoutLoss() {
    CowMap m = new CowMap(k -> CowMap.hash(k) & 0x3); // four groups of equal hashes
    Set<ByteBuffer> all = new HashSet<>();
    for (int i = 0; i < 40; i++) {
      m.put(numKey(i), i, 0);
      all.add(bb(numKey(i)));
    }
    Set<ByteBuffer> seen = new HashSet<>();
    long cursor = 0;
    int calls = 0;
    do {
      int[] n = {0};
      cursor = m.scan(cursor, 100, (k, v, meta) -> {
        seen.add(bb(k));
        return ++n[0] < 3; // asks to stop mid-group: the group is finished first
      });
      calls++;
      assertThat(n[0]).isGreaterThanOrEqualTo(3);
      assertThat(calls).isLessThan(100);
    } while (cursor != 0);
    assertThat(calls).isEqualTo(4);
    assertThat(seen).isEqualTo(all);

    CowMap plain = new CowMap();
    for (int i = 0; i < 100; i++) {
      plain.put(numKey(i), i, 0);
    }
    Set<ByteBuffer> seenPlain = new HashSet<>();
    cursor = 0;
    calls = 0;
    do {
      int[] n = {0};
      cursor = plain.scan(cursor, 1000, (k, v, meta) -> {
        assertThat(seenPlain.add(bb(k))).isTrue();
        return ++n[0] < 3;
      });
      assertThat(n[0]).isLessThanOrEqualTo(3);
      calls++;
      assertThat(calls).isLessThan(100);
    } while (cursor != 0);
    assertThat(seenPlain).hasSize(100);
    assertThat(calls).isBetween(34, 35);
  }

  @Test
  void scanRejectsOutOfRangeCursor() {
    CowMap m = new CowMap();
    assertThatThrownBy(() -> m.scan(-1, 10, (k, v, meta) -> true)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> m.scan(1L << 32, 10, (k, v, meta) -> true)).isInstanceOf(IllegalArgumentException.class);
    assertThat(m.scan(0xFFFF_FFFFL, 10, (k, v, meta) -> true)).isZero();
  }

  // ----------------------------------------------------------------------------------- random

  @Test
  void randomKeyAndEntryOnEmptyMap() {
    CowMap m = new CowMap();
    Random rnd = new Random(1);
    assertThat(m.randomKey(rnd)).isNull();
    CowMap.Entry e = new CowMap.Entry();
    assertThat(m.randomEntry(rnd, e)).isFalse();
    assertThat(e.key).isNull();
    m.put(key("a"), "b", 3);
    m.remove(key("a"));
    assertThat(m.randomKey(rnd)).isNull();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("hashers")
  void randomKeyAndEntryArePresentAndRoughlyUniform(String name, ToIntFunction<byte[]> hasher, int largeSpace) {
    long seed = System.nanoTime();
    System.out.println("CowMapTest.random[" + name + "] seed=" + seed);
    Random rnd = new Random(seed);
    CowMap m = hasher == null ? new CowMap() : new CowMap(hasher);
    int n = 200;
    Map<ByteBuffer, Integer> index = new HashMap<>();
    for (int i = 0; i < n; i++) {
      m.put(numKey(i), i, i + 1000);
      index.put(bb(numKey(i)), i);
    }
    int[] hits = new int[n];
    CowMap.Entry e = new CowMap.Entry();
    int draws = 200_000;
    for (int t = 0; t < draws; t++) {
      assertThat(m.randomEntry(rnd, e)).isTrue();
      Integer i = index.get(ByteBuffer.wrap(e.key));
      assertThat(i).isNotNull();
      assertThat(e.value).isEqualTo(i);
      assertThat(e.meta).isEqualTo(i + 1000);
      hits[i]++;
      if (t % 50 == 0) {
        assertThat(index).containsKey(ByteBuffer.wrap(m.randomKey(rnd)));
      }
    }
    // Uniform: expected 1000 hits each; 6 sigma is about 190.
    for (int i = 0; i < n; i++) {
      assertThat(hits[i]).as("hits of key %d", i).isBetween(800, 1200);
    }
  }

  @Test
  void randomEntryOnSnapshot() {
    CowMap m = new CowMap();
    for (int i = 0; i < 100; i++) {
      m.put(numKey(i), i, 0);
    }
    CowMap snap = m.snapshot();
    m.clear();
    Random rnd = new Random(3);
    CowMap.Entry e = new CowMap.Entry();
    for (int i = 0; i < 100; i++) {
      assertThat(snap.randomEntry(rnd, e)).isTrue();
      assertThat(snap.get(e.key)).isEqualTo(e.value);
    }
    assertThat(m.randomKey(rnd)).isNull();
  }

  @Test
  void forEachStopsWhenVisitorReturnsFalse() {
    CowMap m = new CowMap();
    for (int i = 0; i < 1000; i++) {
      m.put(numKey(i), i, 0);
    }
    int[] n = {0};
    m.forEach((k, v, meta) -> ++n[0] < 10);
    assertThat(n[0]).isEqualTo(10);
  }

  @Test
  void snapshotHandedToCompletableFutureSeesConsistentSize() throws Exception {
    CowMap m = new CowMap();
    for (int i = 0; i < 10_000; i++) {
      m.put(numKey(i), i, 0);
    }
    CowMap snap = m.snapshot();
    CompletableFuture<Integer> counted = CompletableFuture.supplyAsync(() -> {
      int[] n = {0};
      snap.forEach((k, v, meta) -> {
        n[0]++;
        return true;
      });
      return n[0];
    });
    for (int i = 0; i < 10_000; i++) {
      m.remove(numKey(i));
    }
    assertThat(counted.get(30, TimeUnit.SECONDS)).isEqualTo(10_000);
    assertThat(m.size()).isZero();
  }
}
