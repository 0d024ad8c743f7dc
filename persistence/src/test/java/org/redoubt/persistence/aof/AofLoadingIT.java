package org.redoubt.persistence.aof;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * DEBUG LOADAOF on a real server: the caller waits for OK while the other clients are answered
 * -LOADING, promptly even while a slow script of the log runs (its busy hook serves them, as
 * Redis processes events while loading).
 */
class AofLoadingIT {
    @TempDir
    Path dir;

    private static String resp(String... args) {
        StringBuilder sb = new StringBuilder("*").append(args.length).append("\r\n");
        for (String a : args) {
            sb.append('$').append(a.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(a).append("\r\n");
        }
        return sb.toString();
    }

    @Test
    void otherClientsGetLoadingPromptlyWhileASlowScriptOfTheLogIsReplayed() throws Exception {
        ServerProcess.assumeOurServer();
        try (ServerProcess s = ServerProcess.ours(dir, "--appendonly", "yes", "--lua-time-limit", "1",
                "--aof-use-rdb-preamble", "no");
             Jedis caller = s.client();
             Jedis other = s.client()) {
            // The writer thread opens the first incr file just after start-up; wait for it (bounded).
            Path incr = dir.resolve("appendonlydir/appendonly.aof.1.incr.aof");
            for (int i = 0; i < 200 && !Files.exists(incr); i++) Thread.sleep(50);
            // The log now holds a script that runs for a while when replayed.
            Files.writeString(incr, resp("SELECT", "9")
                + resp("EVAL", "redis.call('set',KEYS[1],'y'); for i=1,12000000 do redis.call('ping') end return 'ok'", "1", "x"));
            long t0 = System.nanoTime();
            CompletableFuture<Object> reload = CompletableFuture.supplyAsync(
                () -> caller.sendCommand(() -> redis.clients.jedis.util.SafeEncoder.encode("DEBUG"), "LOADAOF"));
            Thread.sleep(300);
            long slowestLoadingMs = -1;
            int loadingReplies = 0;
            while (!reload.isDone() && System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(60)) {
                long a = System.nanoTime();
                try {
                    other.ping();
                    break;          // the load is over
                } catch (JedisDataException e) {
                    assertThat(e.getMessage()).startsWith("LOADING");
                    loadingReplies++;
                    slowestLoadingMs = Math.max(slowestLoadingMs, (System.nanoTime() - a) / 1_000_000);
                }
                Thread.sleep(50);
            }
            Object ok = reload.get(60, TimeUnit.SECONDS);
            long reloadMs = (System.nanoTime() - t0) / 1_000_000;
            assertThat(new String((byte[]) ok, StandardCharsets.UTF_8)).isEqualTo("OK");
            assertThat(reloadMs).as("the replay of the script takes long enough to be observed").isGreaterThan(1000);
            assertThat(loadingReplies).as("-LOADING replies during the replay").isGreaterThan(3);
            assertThat(slowestLoadingMs).as("a -LOADING reply waits for the script's busy hook only").isLessThan(500);
            other.select(9);
            assertThat(other.get("x")).isEqualTo("y");
            assertThat(Files.readString(s.log)).contains("Slow script detected");
        }
    }
}
