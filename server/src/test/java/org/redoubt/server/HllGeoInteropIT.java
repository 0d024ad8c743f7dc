package org.redoubt.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.commands.ProtocolCommand;
import redis.clients.jedis.util.SafeEncoder;

/**
 * The same HyperLogLog and GEO operations against Debian's real redis-server and a Redoubt:
 * identical PFCOUNT and identical HLL bytes, HLL strings moved between the two with GET/SET,
 * and identical GEOSEARCH replies (members, order, distances, hashes, coordinates).
 */
class HllGeoInteropIT {
    static ServerFixture srv;
    static Process redis;
    static Path redisDir;
    static int redisPort;
    private static final ProtocolCommand PFDEBUG = () -> SafeEncoder.encode("PFDEBUG");
    Jedis ours, theirs;

    @BeforeAll
    static void up() throws Exception {
        Assumptions.assumeTrue(onPath("redis-server"), "redis-server is not on PATH");
        redisPort = ServerFixture.freePort();
        redisDir = Files.createTempDirectory("redoubt-interop");
        redis = new ProcessBuilder("redis-server", "--port", Integer.toString(redisPort), "--bind", "127.0.0.1",
            "--save", "", "--appendonly", "no", "--dir", redisDir.toString())
            .redirectErrorStream(true).redirectOutput(redisDir.resolve("redis.log").toFile()).start();
        waitForPing(redisPort);
        srv = ServerFixture.start();
    }

    @AfterAll
    static void down() throws Exception {
        if (srv != null) srv.close();
        if (redis != null) {
            redis.destroy();
            if (!redis.waitFor(10, TimeUnit.SECONDS)) redis.destroyForcibly();
        }
        if (redisDir != null) {
            File[] files = redisDir.toFile().listFiles();
            if (files != null) for (File f : files) f.delete();
            Files.deleteIfExists(redisDir);
        }
    }

    private static boolean onPath(String exe) {
        String path = System.getenv("PATH");
        if (path == null) return false;
        for (String dir : path.split(File.pathSeparator)) {
            if (new File(dir, exe).canExecute()) return true;
        }
        return false;
    }

    private static void waitForPing(int port) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 10_000;
        while (System.currentTimeMillis() < deadline) {
            try (Jedis j = new Jedis("127.0.0.1", port)) {
                if ("PONG".equals(j.ping())) return;
            } catch (RuntimeException e) {
                Thread.sleep(50);
            }
        }
        throw new IllegalStateException("redis-server did not start on port " + port);
    }

    @BeforeEach
    void connect() {
        ours = new Jedis("127.0.0.1", srv.port);
        theirs = new Jedis("127.0.0.1", redisPort);
        ours.flushAll();
        theirs.flushAll();
    }

    /** Both servers' reply to the same command, compared structurally (bulk strings by bytes). */
    private Object same(ProtocolCommand cmd, String... args) {
        byte[][] a = new byte[args.length][];
        for (int i = 0; i < args.length; i++) a[i] = SafeEncoder.encode(args[i]);
        Object r1 = theirs.sendCommand(cmd, a);
        Object r2 = ours.sendCommand(cmd, a);
        assertThat(normalize(r2)).as("%s %s", cmd, String.join(" ", args)).isEqualTo(normalize(r1));
        return r1;
    }

    private static Object normalize(Object o) {
        if (o instanceof byte[] b) return new String(b, StandardCharsets.ISO_8859_1);
        if (o instanceof List<?> l) {
            List<Object> out = new ArrayList<>(l.size());
            for (Object x : l) out.add(normalize(x));
            return out;
        }
        return o;
    }

    private static void both(Jedis a, Jedis b, ProtocolCommand cmd, List<byte[]> args) {
        byte[][] arr = args.toArray(new byte[0][]);
        a.sendCommand(cmd, arr);
        b.sendCommand(cmd, arr);
    }

    @Test
    void hundredThousandElementsGiveTheSameCountAndBytes() {
        SplittableRandom rnd = new SplittableRandom(20261123);
        List<byte[]> batch = new ArrayList<>();
        for (int i = 0; i < 100_000; i++) {
            if (batch.isEmpty()) batch.add(SafeEncoder.encode("hll"));
            byte[] e = new byte[1 + rnd.nextInt(24)];
            rnd.nextBytes(e);
            batch.add(e);
            if (batch.size() == 1001) {
                both(theirs, ours, Protocol.Command.PFADD, batch);
                batch.clear();
            }
            // A second, small HLL stays sparse: both encodings are compared.
            if (i % 500 == 0) {
                List<byte[]> one = List.of(SafeEncoder.encode("small"), SafeEncoder.encode("e" + i));
                both(theirs, ours, Protocol.Command.PFADD, one);
            }
        }
        if (!batch.isEmpty()) both(theirs, ours, Protocol.Command.PFADD, batch);
        Object count = same(Protocol.Command.PFCOUNT, "hll");
        assertThat((Long) count).isBetween(95_000L, 105_000L);
        same(Protocol.Command.PFCOUNT, "small");
        same(Protocol.Command.PFCOUNT, "hll", "small");
        same(Protocol.Command.PFMERGE, "merged", "hll", "small");
        same(Protocol.Command.PFCOUNT, "merged");
        // After the counts cached their estimate, the strings are identical byte for byte.
        assertThat(ours.get(SafeEncoder.encode("hll"))).isEqualTo(theirs.get(SafeEncoder.encode("hll")));
        assertThat(ours.get(SafeEncoder.encode("small"))).isEqualTo(theirs.get(SafeEncoder.encode("small")));
        assertThat(ours.get(SafeEncoder.encode("merged"))).isEqualTo(theirs.get(SafeEncoder.encode("merged")));
    }

    @Test
    void hllMovedWithGetSetReadsTheSame() {
        SplittableRandom rnd = new SplittableRandom(7);
        for (String key : new String[] {"sparse", "dense"}) {
            int n = key.equals("sparse") ? 300 : 20_000;
            List<byte[]> args = new ArrayList<>();
            args.add(SafeEncoder.encode(key));
            for (int i = 0; i < n; i++) args.add(SafeEncoder.encode(Long.toString(rnd.nextLong())));
            theirs.sendCommand(Protocol.Command.PFADD, args.toArray(new byte[0][]));
            // Redis -> Redoubt: the raw string, with its stale cache flag, still counts the same.
            byte[] fromRedis = theirs.get(SafeEncoder.encode(key));
            ours.set(SafeEncoder.encode(key), fromRedis);
            same(Protocol.Command.PFCOUNT, key);
            // Redoubt -> Redis: add more on our side, move it back.
            List<byte[]> more = new ArrayList<>();
            more.add(SafeEncoder.encode(key));
            for (int i = 0; i < 1000; i++) more.add(SafeEncoder.encode("more" + i));
            ours.sendCommand(Protocol.Command.PFADD, more.toArray(new byte[0][]));
            byte[] fromUs = ours.get(SafeEncoder.encode(key));
            theirs.set(SafeEncoder.encode(key + "2"), fromUs);
            theirs.sendCommand(Protocol.Command.PFADD, more.toArray(new byte[0][]));
            assertThat(ours.pfcount(key)).isEqualTo(theirs.pfcount(key + "2")).isEqualTo(theirs.pfcount(key));
            Object encOurs = ours.sendCommand(PFDEBUG, SafeEncoder.encode("ENCODING"), SafeEncoder.encode(key));
            Object encTheirs = theirs.sendCommand(PFDEBUG, SafeEncoder.encode("ENCODING"), SafeEncoder.encode(key + "2"));
            assertThat(normalize(encOurs)).isEqualTo(normalize(encTheirs)).isEqualTo(key);
            // Once both cached the same estimate, the moved strings are identical.
            assertThat(ours.get(SafeEncoder.encode(key))).isEqualTo(theirs.get(SafeEncoder.encode(key + "2")));
        }
    }

    /** PFADDs n random elements to key on one server. */
    private static void pfaddRandom(Jedis j, String key, int n, SplittableRandom rnd) {
        byte[][] args = new byte[n + 1][];
        args[0] = SafeEncoder.encode(key);
        for (int i = 1; i <= n; i++) args[i] = SafeEncoder.encode(Long.toHexString(rnd.nextLong()));
        j.sendCommand(Protocol.Command.PFADD, args);
    }

    private static Object encoding(Jedis j, byte[] key) {
        return normalize(j.sendCommand(PFDEBUG, SafeEncoder.encode("ENCODING"), key));
    }

    @Test
    void hllMovedWithDumpRestoreReadsTheSame() {
        SplittableRandom rnd = new SplittableRandom(20261124);
        // 200 elements keep the sparse encoding; 20k force dense (hll-sparse-max-bytes 3000).
        for (String kind : new String[] {"sparse", "dense"}) {
            int n = kind.equals("sparse") ? 200 : 20_000;
            byte[] key = SafeEncoder.encode(kind);

            // Redis DUMP -> Redoubt RESTORE. The payload is taken before any PFCOUNT, so it carries
            // Redis's stale-cache flag, and again after, with the cached estimate.
            pfaddRandom(theirs, kind, n, rnd);
            assertThat(encoding(theirs, key)).isEqualTo(kind);
            for (String phase : new String[] {"stale", "cached"}) {
                byte[] payload = theirs.dump(key);
                byte[] rawTheirs = theirs.get(key);
                byte[] copy = SafeEncoder.encode(kind + "-from-redis-" + phase);
                assertThat(ours.restore(copy, 0, payload)).isEqualTo("OK");
                assertThat(ours.get(copy)).as("%s %s: bytes after RESTORE", kind, phase).isEqualTo(rawTheirs);
                assertThat(encoding(ours, copy)).isEqualTo(kind);
                long countTheirs = theirs.pfcount(key);
                assertThat(ours.pfcount(copy)).as("%s %s: PFCOUNT", kind, phase).isEqualTo(countTheirs);
                assertThat(ours.get(copy)).as("%s %s: bytes after PFCOUNT", kind, phase).isEqualTo(theirs.get(key));
            }

            // Redoubt DUMP -> Redis RESTORE, from an HLL built on our side.
            byte[] ourKey = SafeEncoder.encode(kind + "-ours");
            pfaddRandom(ours, kind + "-ours", n, rnd);
            assertThat(encoding(ours, ourKey)).isEqualTo(kind);
            for (String phase : new String[] {"stale", "cached"}) {
                byte[] payload = ours.dump(ourKey);
                byte[] rawOurs = ours.get(ourKey);
                byte[] copy = SafeEncoder.encode(kind + "-from-redoubt-" + phase);
                assertThat(theirs.restore(copy, 0, payload)).isEqualTo("OK");
                assertThat(theirs.get(copy)).as("%s %s: bytes in Redis", kind, phase).isEqualTo(rawOurs);
                assertThat(encoding(theirs, copy)).isEqualTo(kind);
                long countOurs = ours.pfcount(ourKey);
                assertThat(theirs.pfcount(copy)).as("%s %s: PFCOUNT in Redis", kind, phase).isEqualTo(countOurs);
                assertThat(theirs.get(copy)).isEqualTo(ours.get(ourKey));
            }
        }
    }

    @Test
    void geosearchOnTenThousandPointsMatches() {
        SplittableRandom rnd = new SplittableRandom(42);
        List<byte[]> args = new ArrayList<>();
        args.add(SafeEncoder.encode("pts"));
        for (int i = 0; i < 10_000; i++) {
            // Clustered around a few centres so that searches find many points and ties.
            double lon, lat;
            if (i % 3 == 0) {
                lon = rnd.nextDouble(-180, 180);
                lat = rnd.nextDouble(-85, 85);
            } else {
                lon = 13.36 + rnd.nextDouble(-2, 2);
                lat = 38.11 + rnd.nextDouble(-2, 2);
            }
            args.add(SafeEncoder.encode(Double.toString(lon)));
            args.add(SafeEncoder.encode(Double.toString(lat)));
            args.add(SafeEncoder.encode("p" + i));
            if (i % 1000 == 999) {
                both(theirs, ours, Protocol.Command.GEOADD, args);
                args.clear();
                args.add(SafeEncoder.encode("pts"));
            }
        }
        // Duplicate positions: equal distances must keep Redis's order.
        same(Protocol.Command.GEOADD, "pts", "13.5", "38.2", "dupA", "13.5", "38.2", "dupB", "13.5", "38.2", "dupC");
        same(Protocol.Command.ZCARD, "pts");

        String[][] queries = {
            {"pts", "FROMLONLAT", "13.36", "38.11", "BYRADIUS", "50", "km"},
            {"pts", "FROMLONLAT", "13.36", "38.11", "BYRADIUS", "50", "km", "ASC", "WITHDIST", "WITHHASH", "WITHCOORD"},
            {"pts", "FROMLONLAT", "13.36", "38.11", "BYRADIUS", "80", "km", "DESC", "WITHDIST"},
            {"pts", "FROMLONLAT", "13.36", "38.11", "BYRADIUS", "200", "km", "COUNT", "25", "WITHDIST"},
            {"pts", "FROMLONLAT", "13.36", "38.11", "BYRADIUS", "200", "km", "COUNT", "25", "DESC"},
            {"pts", "FROMLONLAT", "13.36", "38.11", "BYRADIUS", "200", "km", "COUNT", "25", "ANY"},
            {"pts", "FROMLONLAT", "13.36", "38.11", "BYRADIUS", "200", "km", "COUNT", "25", "ANY", "ASC"},
            {"pts", "FROMMEMBER", "dupA", "BYRADIUS", "30", "km", "ASC", "WITHDIST"},
            {"pts", "FROMMEMBER", "dupB", "BYRADIUS", "30", "km", "COUNT", "7", "ASC"},
            {"pts", "FROMMEMBER", "p1", "BYBOX", "100", "60", "km", "WITHCOORD"},
            {"pts", "FROMLONLAT", "0", "0", "BYBOX", "4000", "3000", "km", "ASC", "WITHDIST"},
            {"pts", "FROMLONLAT", "170", "80", "BYRADIUS", "3000", "km", "ASC", "WITHDIST"},
            {"pts", "FROMLONLAT", "-179.9", "0", "BYRADIUS", "1000", "mi", "WITHHASH"},
            {"pts", "FROMLONLAT", "13.36", "38.11", "BYBOX", "300", "300", "mi", "COUNT", "100", "DESC", "WITHDIST"},
            {"pts", "FROMLONLAT", "13.36", "38.11", "BYRADIUS", "5000000", "ft", "ASC", "COUNT", "50", "WITHDIST"},
        };
        for (String[] q : queries) same(Protocol.Command.GEOSEARCH, q);
        same(Protocol.Command.GEORADIUS, "pts", "13.36", "38.11", "60", "km", "WITHDIST", "ASC");
        same(Protocol.Command.GEORADIUSBYMEMBER, "pts", "dupC", "60", "km", "COUNT", "10", "DESC");
        same(Protocol.Command.GEOSEARCHSTORE, "dst", "pts", "FROMLONLAT", "13.36", "38.11", "BYRADIUS", "40", "km", "STOREDIST");
        same(Protocol.Command.ZRANGE, "dst", "0", "-1", "WITHSCORES");
        // Full-precision distances of thousands of points: the C library's trigonometry.
        same(Protocol.Command.GEOSEARCHSTORE, "far", "pts", "FROMLONLAT", "-20", "10", "BYRADIUS", "9000", "km", "STOREDIST");
        same(Protocol.Command.ZRANGE, "far", "0", "-1", "WITHSCORES");
        same(Protocol.Command.GEOPOS, "pts", "p0", "p1", "p2", "dupA", "nosuch");
        same(Protocol.Command.GEOHASH, "pts", "p0", "p1", "p2", "dupA", "nosuch");
        same(Protocol.Command.GEODIST, "pts", "p0", "p1", "km");
        same(Protocol.Command.GEODIST, "pts", "p3", "p4", "mi");
    }
}
