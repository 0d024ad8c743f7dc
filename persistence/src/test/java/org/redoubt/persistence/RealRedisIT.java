package org.redoubt.persistence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.util.SafeEncoder;

/**
 * Interoperability with Debian's real redis-server and redis-check-rdb (7.0): a dump written by
 * Redis loads into our engine with the same content, and ours passes redis-check-rdb and loads
 * into Redis with the same content. Content is compared key by key through the same commands on
 * both sides, and with DEBUG DIGEST (the same algorithm on both). Skipped when redis-server is not
 * on the PATH.
 */
class RealRedisIT {
    @TempDir
    Path tmp;

    private static boolean onPath(String exe) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(d, exe))) return true;
        }
        return false;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** A real redis-server on a free loopback port, data in dir. */
    private static final class RealRedis implements AutoCloseable {
        final Process proc;
        final Jedis jedis;
        final int port;

        RealRedis(Path dir) throws Exception {
            port = freePort();
            proc = new ProcessBuilder("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--dir", dir.toString(), "--dbfilename", "dump.rdb", "--save", "", "--appendonly", "no",
                "--enable-debug-command", "yes", "--daemonize", "no", "--logfile", dir.resolve("redis.log").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("redis.out").toFile()).start();
            Jedis j = null;
            for (int i = 0; i < 200; i++) {
                try {
                    j = new Jedis("127.0.0.1", port, 5000);
                    if ("PONG".equals(j.ping())) break;
                } catch (RuntimeException e) {
                    if (j != null) j.close();
                    j = null;
                    Thread.sleep(50);
                }
            }
            if (j == null) throw new IllegalStateException("redis-server did not start: " + Files.readString(dir.resolve("redis.out")));
            jedis = j;
        }

        Object cmd(String... args) {
            byte[][] a = new byte[args.length - 1][];
            for (int i = 1; i < args.length; i++) a[i - 1] = SafeEncoder.encode(args[i]);
            return jedis.sendCommand(() -> SafeEncoder.encode(args[0]), a);
        }

        @Override public void close() {
            jedis.close();
            proc.destroy();
            try {
                if (!proc.waitFor(10, TimeUnit.SECONDS)) proc.destroyForcibly();
            } catch (InterruptedException e) {
                proc.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Fills a database with every type and encoding, through Redis commands. */
    interface Cmd {
        Object run(String... args);
    }

    static void fill(Cmd c) {
        c.run("SET", "str:int", "12345");
        c.run("SET", "str:neg", "-9223372036854775808");
        c.run("SET", "str:embstr", "hello");
        c.run("SET", "str:raw", "x".repeat(300));
        c.run("SET", "str:random", "q8w7e6r5t4y3u2i1o0p9a8s7d6f5g4h3j2k1l0z9x8c7v6b5n4m3");
        c.run("SET", "str:ttl", "v", "PX", "100000000");
        c.run("RPUSH", "list:small", "a", "1", "-5", "9223372036854775807", "y".repeat(70));
        for (int i = 0; i < 2000; i += 100) {
            List<String> args = new ArrayList<>(List.of("RPUSH", "list:big"));
            for (int k = i; k < i + 100; k++) args.add("element-" + k);
            c.run(args.toArray(new String[0]));
        }
        c.run("HSET", "hash:small", "f1", "v1", "f2", "22", "empty", "");
        for (int i = 0; i < 700; i += 100) {
            List<String> args = new ArrayList<>(List.of("HSET", "hash:big"));
            for (int k = i; k < i + 100; k++) {
                args.add("field" + k);
                args.add("value" + k);
            }
            c.run(args.toArray(new String[0]));
        }
        c.run("SADD", "set:ints", "1", "-2", "300", "70000", "-5000000000");
        c.run("SADD", "set:strings", "a", "b", "c", "12");
        for (int i = 0; i < 700; i += 100) {
            List<String> args = new ArrayList<>(List.of("SADD", "set:bigints"));
            for (int k = i; k < i + 100; k++) args.add(Integer.toString(k * 3));
            c.run(args.toArray(new String[0]));
        }
        c.run("ZADD", "zset:small", "1", "a", "2.5", "b", "-inf", "c", "inf", "d", "0", "e", "-3.25", "f");
        for (int i = 0; i < 300; i++) c.run("ZADD", "zset:big", Double.toString(i / 7.0), "member" + i);
        for (int j = 0; j < 300; j++) {
            String id = (1_700_000_000_000L + j / 4) + "-" + (j % 4);
            if (j % 10 != 0) c.run("XADD", "stream", id, "foo", "abc");
            else c.run("XADD", "stream", id, "bar", Integer.toString(j), "baz", "x");
        }
        c.run("XGROUP", "CREATE", "stream", "g1", "0");
        c.run("XGROUP", "CREATE", "stream", "g2", "$");
        c.run("XREADGROUP", "GROUP", "g1", "alice", "COUNT", "5", "STREAMS", "stream", ">");
        c.run("XREADGROUP", "GROUP", "g1", "bob", "COUNT", "3", "STREAMS", "stream", ">");
        c.run("XDEL", "stream", "1700000000000-1");
        c.run("XACK", "stream", "g1", "1700000000000-2");
        c.run("FUNCTION", "LOAD", "#!lua name=mylib\nredis.register_function('echo1', function(keys, args) return args[1] end)");
        c.run("SELECT", "3");
        c.run("SET", "in-db-3", "three");
        c.run("HSET", "h3", "a", "b");
        c.run("SELECT", "0");
    }

    /** A canonical text of every key of dbs 0..15, through the same commands on both servers. */
    static String content(Cmd c) {
        StringBuilder sb = new StringBuilder();
        for (int db = 0; db < 16; db++) {
            c.run("SELECT", Integer.toString(db));
            List<String> keys = new ArrayList<>();
            for (Object k : (List<?>) c.run("KEYS", "*")) keys.add(text(k));
            keys.sort(null);
            for (String k : keys) {
                String type = text(c.run("TYPE", k));
                sb.append(db).append(' ').append(k).append(' ').append(type).append(' ')
                    .append(text(c.run("OBJECT", "ENCODING", k))).append(" = ");
                switch (type) {
                    case "string" -> sb.append(text(c.run("GET", k)));
                    case "list" -> sb.append(text(c.run("LRANGE", k, "0", "-1")));
                    case "hash" -> sb.append(sorted(c.run("HGETALL", k), 2));
                    case "set" -> sb.append(sorted(c.run("SMEMBERS", k), 1));
                    case "zset" -> sb.append(text(c.run("ZRANGE", k, "0", "-1", "WITHSCORES")));
                    case "stream" -> sb.append(text(c.run("XRANGE", k, "-", "+"))).append(' ')
                        .append(text(c.run("XINFO", "GROUPS", k))).append(' ')
                        .append(text(c.run("XPENDING", k, "g1")));
                    default -> sb.append('?');
                }
                long pttl = (Long) c.run("PTTL", k);
                sb.append(" ttl=").append(pttl < 0 ? pttl : pttl / 100_000).append('\n');
            }
        }
        c.run("SELECT", "0");
        sb.append("functions: ").append(text(c.run("FCALL", "echo1", "0", "hi"))).append('\n');
        return sb.toString();
    }

    private static String text(Object o) {
        if (o == null) return "nil";
        if (o instanceof byte[] b) return new String(b, StandardCharsets.UTF_8);
        if (o instanceof List<?> l) {
            StringBuilder sb = new StringBuilder("[");
            for (Object x : l) sb.append(text(x)).append(',');
            return sb.append(']').toString();
        }
        return o.toString();
    }

    private static String sorted(Object list, int group) {
        List<?> l = (List<?>) list;
        List<String> items = new ArrayList<>();
        for (int i = 0; i < l.size(); i += group) {
            StringBuilder sb = new StringBuilder();
            for (int g = 0; g < group; g++) sb.append(text(l.get(i + g))).append(g + 1 < group ? "=" : "");
            items.add(sb.toString());
        }
        items.sort(null);
        return items.toString();
    }

    private static Cmd ours(Harness h) {
        return args -> {
            Object r = h.exec(args);
            if (r instanceof Harness.Err e) throw new IllegalStateException(e.message() + " for " + String.join(" ", args));
            return r;
        };
    }

    @Test
    void aDumpWrittenByRedisLoadsWithTheSameContent() throws Exception {
        assumeTrue(onPath("redis-server"), "redis-server not on PATH");
        Path rdir = Files.createDirectory(tmp.resolve("redis"));
        String expected;
        String digest;
        try (RealRedis r = new RealRedis(rdir)) {
            fill(r::cmd);
            assertThat(text(r.cmd("SAVE"))).isEqualTo("OK");
            expected = content(r::cmd);
            digest = text(r.cmd("DEBUG", "DIGEST"));
        }
        Harness h = new Harness(rdir);
        assertThat(h.exec("DEBUG", "RELOAD", "NOSAVE")).isEqualTo("OK");
        assertThat(content(ours(h))).isEqualTo(expected);
        assertThat(h.exec("DEBUG", "DIGEST")).isEqualTo(digest);
        // The check tool validates every value of Redis's file and counts them by type.
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        assertThat(new CheckRdb(new java.io.PrintStream(out, true, StandardCharsets.UTF_8)).check(rdir.resolve("dump.rdb"))).isTrue();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("AUX FIELD redis-ver = '7.0.15'", "FUNCTION library: #!lua name=mylib",
            "Checksum OK", "[info] 18 keys read", "[info] 1 expires", "keys of type stream (stream listpacks)",
            "keys of type set (intset)", "keys of type hash (listpack)", "keys of type zset (skiplist)");
    }

    @Test
    void ourDumpPassesRedisCheckRdbAndLoadsIntoRedisWithTheSameContent() throws Exception {
        assumeTrue(onPath("redis-server"), "redis-server not on PATH");
        Path odir = Files.createDirectory(tmp.resolve("ours"));
        Harness h = new Harness(odir);
        fill(ours(h));
        String expected = content(ours(h));
        Object digest = h.exec("DEBUG", "DIGEST");
        assertThat(h.exec("SAVE")).isEqualTo("OK");
        if (onPath("redis-check-rdb")) {
            Process check = new ProcessBuilder("redis-check-rdb", odir.resolve("dump.rdb").toString())
                .redirectErrorStream(true).start();
            String report = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(check.waitFor()).as(report).isZero();
            assertThat(report).contains("RDB looks OK").contains("Checksum OK");
        }
        try (RealRedis r = new RealRedis(odir)) {
            assertThat(content(r::cmd)).isEqualTo(expected);
            assertThat(text(r.cmd("DEBUG", "DIGEST"))).isEqualTo(digest);
        }
    }

    @Test
    void migrateMovesKeysIntoRealRedis() throws Exception {
        assumeTrue(onPath("redis-server"), "redis-server not on PATH");
        Path rdir = Files.createDirectory(tmp.resolve("migrate"));
        Harness h = new Harness(tmp);
        fill(ours(h));
        String expected = content(ours(h)).replaceAll(" ttl=\\S+", "");
        try (RealRedis r = new RealRedis(rdir)) {
            int port = r.port;
            r.cmd("FUNCTION", "LOAD", "#!lua name=mylib\nredis.register_function('echo1', function(keys, args) return args[1] end)");
            for (int db : new int[] {0, 3}) {
                h.exec("SELECT", Integer.toString(db));
                List<String> args = new ArrayList<>(List.of("MIGRATE", "127.0.0.1", Integer.toString(port), "", Integer.toString(db), "5000", "KEYS"));
                for (Object k : (List<?>) h.exec("KEYS", "*")) args.add(text(k));
                assertThat(h.exec(args.toArray(new String[0]))).isEqualTo("OK");
                assertThat(h.exec("DBSIZE")).isEqualTo(0L);
            }
            h.exec("SELECT", "0");
            assertThat(content(r::cmd).replaceAll(" ttl=\\S+", "")).isEqualTo(expected);
            // A key that exists on the target: error without REPLACE, moved with it.
            h.exec("SET", "str:int", "999");
            Object err = h.exec("MIGRATE", "127.0.0.1", Integer.toString(port), "str:int", "0", "5000", "COPY");
            assertThat(err.toString()).startsWith("-ERR Target instance replied with error: BUSYKEY");
            assertThat(h.exec("MIGRATE", "127.0.0.1", Integer.toString(port), "str:int", "0", "5000", "REPLACE")).isEqualTo("OK");
            assertThat(text(r.cmd("GET", "str:int"))).isEqualTo("999");
            assertThat(h.exec("MIGRATE", "127.0.0.1", Integer.toString(port), "nokey", "0", "5000")).isEqualTo("NOKEY");
            assertThat(h.info("stats", "migrate_cached_sockets")).isEqualTo("1");
        }
    }

    @Test
    void dumpPayloadsMoveBothWays() throws Exception {
        assumeTrue(onPath("redis-server"), "redis-server not on PATH");
        Path rdir = Files.createDirectory(tmp.resolve("payloads"));
        Harness h = new Harness(tmp);
        fill(ours(h));
        try (RealRedis r = new RealRedis(rdir)) {
            fill(r::cmd);
            for (Object k : (List<?>) r.cmd("KEYS", "*")) {
                String key = text(k);
                byte[] theirs = (byte[]) r.jedis.sendCommand(Protocol.Command.DUMP, SafeEncoder.encode(key));
                byte[] mine = h.execRaw("DUMP", key);
                // Theirs into ours, ours into theirs: both must be accepted and hold the same value.
                h.exec("DEL", key);
                assertThat(h.execBytes(SafeEncoder.encode("RESTORE"), SafeEncoder.encode(key), SafeEncoder.encode("0"), theirs))
                    .as("RESTORE of Redis's payload for %s", key).isEqualTo("OK");
                r.cmd("DEL", key);
                Object ok = r.jedis.sendCommand(Protocol.Command.RESTORE, SafeEncoder.encode(key), SafeEncoder.encode("0"), mine);
                assertThat(text(ok)).as("Redis RESTORE of our payload for %s", key).isEqualTo("OK");
            }
            String a = content(ours(h)).replaceAll(" ttl=\\S+", "");
            String b = content(r::cmd).replaceAll(" ttl=\\S+", "");
            assertThat(a).isEqualTo(b);
        }
    }
}
