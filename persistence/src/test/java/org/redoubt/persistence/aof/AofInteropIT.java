package org.redoubt.persistence.aof;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Protocol;

/**
 * Interoperability of the multi-part AOF with Debian's real Redis 7.0: Redis starts on the
 * appendonlydir we wrote (base with and without RDB preamble, the writes made during the rewrite
 * in the incr file it opened) with identical content (DEBUG DIGEST), redis-check-aof accepts our manifest, and we
 * start on the directory Redis wrote. Skipped without redis-server on the PATH.
 */
class AofInteropIT {
    @TempDir
    Path dir;

    private static void populate(Jedis j, String tag) {
        for (int i = 0; i < 200; i++) j.set(tag + ":s:" + i, "v" + i);
        j.incrByFloat(tag + ":f", 1.25);
        j.setex(tag + ":ttl", 10_000, "x");
        j.expire(tag + ":s:1", 10_000);
        for (int i = 0; i < 150; i++) j.rpush(tag + ":l", "e" + i);
        j.lpop(tag + ":l");
        for (int i = 0; i < 150; i++) j.sadd(tag + ":set", "m" + i);
        j.sadd(tag + ":iset", "1", "2", "3");
        j.spop(tag + ":set");
        for (int i = 0; i < 150; i++) j.hset(tag + ":h", "f" + i, "v" + i);
        for (int i = 0; i < 150; i++) j.zadd(tag + ":z", i / 3.0, "m" + i);
        j.zadd(tag + ":zs", 1.5, "a");
        j.sendCommand(Protocol.Command.XADD, tag + ":st", "1-1", "f", "v");
        j.sendCommand(Protocol.Command.XADD, tag + ":st", "2-1", "g", "w");
        j.sendCommand(Protocol.Command.XGROUP, "CREATE", tag + ":st", "grp", "0");
        j.sendCommand(Protocol.Command.XREADGROUP, "GROUP", "grp", "alice", "COUNT", "1", "STREAMS", tag + ":st", ">");
        j.select(5);
        j.set(tag + ":db5", "five");
        j.select(0);
        cmd(j, "MULTI");
        cmd(j, "SET", tag + ":tx", "1");
        cmd(j, "INCR", tag + ":tx");
        cmd(j, "EXEC");
    }

    private static Object cmd(Jedis j, String... args) {
        String[] rest = java.util.Arrays.copyOfRange(args, 1, args.length);
        return j.sendCommand(() -> redis.clients.jedis.util.SafeEncoder.encode(args[0]), rest);
    }

    private static String digest(Jedis j) {
        return new String((byte[]) cmd(j, "DEBUG", "DIGEST"), StandardCharsets.UTF_8);
    }

    private static String run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(60, TimeUnit.SECONDS);
        return "exit=" + p.exitValue() + "\n" + out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"yes", "no"})
    void realRedisLoadsOurAof(String preamble) throws Exception {
        assumeTrue(ServerProcess.onPath("redis-server"), "no redis-server on the PATH");
        ServerProcess.assumeOurServer();
        String d;
        try (ServerProcess ours = ServerProcess.ours(dir, "--appendonly", "yes", "--aof-use-rdb-preamble", preamble);
             Jedis j = ours.client()) {
            populate(j, "before");
            j.configSet("rdb-key-save-delay", "2000");
            j.bgrewriteaof();
            populate(j, "during");       // lands in the incr file the rewrite opened
            j.configSet("rdb-key-save-delay", "0");
            while (j.info("persistence").contains("aof_rewrite_in_progress:1")) Thread.sleep(20);
            populate(j, "after");
            d = digest(j);
            ours.shutdown();
        }
        Path manifest = dir.resolve("appendonlydir/appendonly.aof.manifest");
        String ext = preamble.equals("yes") ? "rdb" : "aof";
        assertThat(Files.readString(manifest)).isEqualTo(
            "file appendonly.aof.2.base." + ext + " seq 2 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\n");
        if (ServerProcess.onPath("redis-check-aof")) {
            String out = run("redis-check-aof", manifest.toString());
            assertThat(out).startsWith("exit=0").contains("All AOF files and manifest are valid");
        }
        try (ServerProcess redis = ServerProcess.redis(dir, "--appendonly", "yes"); Jedis j = redis.client()) {
            assertThat(digest(j)).isEqualTo(d);
            assertThat(j.get("during:tx")).isEqualTo("2");
            j.select(5);
            assertThat(j.get("after:db5")).isEqualTo("five");
            redis.shutdown();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"yes", "no"})
    void weLoadRealRedisAof(String preamble) throws Exception {
        assumeTrue(ServerProcess.onPath("redis-server"), "no redis-server on the PATH");
        ServerProcess.assumeOurServer();
        String d;
        try (ServerProcess redis = ServerProcess.redis(dir, "--appendonly", "yes", "--aof-use-rdb-preamble", preamble);
             Jedis j = redis.client()) {
            populate(j, "before");
            j.bgrewriteaof();
            while (j.info("persistence").contains("aof_rewrite_in_progress:1")) Thread.sleep(20);
            populate(j, "after");
            d = digest(j);
            redis.shutdown();
        }
        try (ServerProcess ours = ServerProcess.ours(dir, "--appendonly", "yes"); Jedis j = ours.client()) {
            assertThat(digest(j)).isEqualTo(d);
            assertThat(j.get("after:tx")).isEqualTo("2");
            // And we keep appending to Redis's incr file.
            j.set("ours", "1");
            d = digest(j);
            ours.shutdown();
        }
        try (ServerProcess redis = ServerProcess.redis(dir, "--appendonly", "yes"); Jedis j = redis.client()) {
            assertThat(digest(j)).isEqualTo(d);
            redis.shutdown();
        }
    }
}
