package org.redoubt.persistence.aof;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.redoubt.engine.Client;

/**
 * The log in process: what is written is replayed to the same dataset (DEBUG DIGEST), across
 * restarts, rewrites under concurrent writes (with and without the RDB preamble), a torn tail
 * (aof-load-truncated, redoubt-check-aof --fix), the upgrade of an old single-file AOF, and the
 * BGREWRITEAOF / CONFIG SET appendonly state machine.
 */
class AofRoundTripTest {
    @TempDir
    Path dir;

    private AofHarness started(String conf) throws Exception {
        AofHarness h = new AofHarness(dir, conf);
        assertThat(h.start()).as("start-up load").isTrue();
        return h;
    }

    private static void populate(AofHarness h) throws Exception {
        h.exec("SET", "s", "v");
        h.exec("SET", "n", "10");
        h.exec("INCR", "n");
        h.exec("INCRBYFLOAT", "f", "1.5");
        h.exec("APPEND", "s", "-more");
        h.exec("SETEX", "ttl", "1000", "x");
        h.exec("EXPIRE", "s", "5000");
        h.exec("RPUSH", "list", "a", "b", "c", "d");
        h.exec("LPOP", "list");
        h.exec("SADD", "set", "1", "2", "3", "x");
        h.exec("SPOP", "set");
        h.exec("HSET", "hash", "f1", "v1", "f2", "v2");
        h.exec("HINCRBY", "hash", "f3", "7");
        h.exec("ZADD", "z", "1.5", "a", "2", "b", "-3.25", "c");
        h.exec("ZINCRBY", "z", "0.1", "a");
        h.exec("XADD", "st", "1-1", "f", "v");
        h.exec("XADD", "st", "*", "g", "w");
        h.exec("XGROUP", "CREATE", "st", "grp", "0");
        h.exec("MULTI");
        h.exec("SET", "tx1", "a");
        h.exec("SET", "tx2", "b");
        h.exec("INCR", "n");
        h.exec("EXEC");
        h.exec("SELECT", "3");
        h.exec("SET", "db3", "here");
        h.exec("SELECT", "0");
        h.exec("DEL", "ttl");
        for (int i = 0; i < 300; i++) h.exec("RPUSH", "big", "e" + i);
        for (int i = 0; i < 300; i++) h.exec("SADD", "bigset", "m" + i);
        for (int i = 0; i < 300; i++) h.exec("HSET", "bighash", "f" + i, "v" + i);
        for (int i = 0; i < 300; i++) h.exec("ZADD", "bigz", Integer.toString(i), "m" + i);
    }

    @Test
    void appenderRoundTrip() throws Exception {
        String digest;
        try (AofHarness h = started("appendonly yes\n")) {
            populate(h);
            digest = (String) h.exec("DEBUG", "DIGEST");
            h.crash();
        }
        Path incr = dir.resolve("appendonlydir/appendonly.aof.1.incr.aof");
        String log = Files.readString(incr, StandardCharsets.ISO_8859_1);
        // Write-after, deterministic forms: no relative times, no random pops.
        assertThat(log).startsWith("*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n");
        assertThat(log).contains("PEXPIREAT").doesNotContain("SETEX").doesNotContain("SPOP")
            .doesNotContain("INCRBYFLOAT").contains("*1\r\n$5\r\nMULTI\r\n").contains("*1\r\n$4\r\nEXEC\r\n");
        assertThat(Files.readString(dir.resolve("appendonlydir/appendonly.aof.manifest")))
            .isEqualTo("file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n");
        try (AofHarness h = started("appendonly yes\n")) {
            assertThat(h.exec("DEBUG", "DIGEST")).isEqualTo(digest);
            assertThat(h.exec("GET", "tx2")).isEqualTo("b");
            assertThat(h.exec("LLEN", "big")).isEqualTo(300L);
            // DEBUG LOADAOF replays the same files.
            assertThat(h.exec("DEBUG", "LOADAOF")).isEqualTo("OK");
            assertThat(h.exec("DEBUG", "DIGEST")).isEqualTo(digest);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"yes", "no"})
    void rewriteUnderConcurrentWritesLosesNothing(String preamble) throws Exception {
        String digest;
        try (AofHarness h = started("appendonly yes\naof-use-rdb-preamble " + preamble + "\n")) {
            populate(h);
            for (int i = 0; i < 2000; i++) h.exec("SET", "key:" + i, "v" + i);
            // Slow the rewrite down so that writes land in the incr file it opened while it runs.
            h.exec("CONFIG", "SET", "rdb-key-save-delay", "300");
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong done = new AtomicLong();
            Client other = h.newClient();
            Thread writer = new Thread(() -> {
                try {
                    for (int i = 0; !stop.get(); i++) {
                        h.exec(other, "SET", "key:" + (i % 3000), "w" + i);
                        h.exec(other, "INCR", "counter");
                        h.exec(other, "RPUSH", "growing", "e" + i);
                        if (i % 50 == 0) h.exec(other, "DEL", "key:" + (i % 700));
                        done.incrementAndGet();
                    }
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            writer.start();
            Thread.sleep(50);
            assertThat(h.exec("BGREWRITEAOF")).isEqualTo("Background append only file rewriting started");
            assertThat(h.exec("BGREWRITEAOF")).isEqualTo(new AofHarness.Err("ERR Background append only file rewriting already in progress"));
            assertThat(h.info("persistence", "aof_rewrite_in_progress")).isEqualTo("1");
            h.waitRewrite();
            long during = done.get();
            Thread.sleep(50);
            stop.set(true);
            writer.join();
            assertThat(during).as("writes during the rewrite").isGreaterThan(10);
            assertThat(h.info("persistence", "aof_last_bgrewrite_status")).isEqualTo("ok");
            assertThat(h.info("persistence", "aof_rewrites")).isEqualTo("1");
            h.exec("CONFIG", "SET", "rdb-key-save-delay", "0");
            digest = (String) h.exec("DEBUG", "DIGEST");
            assertThat(h.exec("DEBUG", "LOADAOF")).isEqualTo("OK");
            assertThat(h.exec("DEBUG", "DIGEST")).isEqualTo(digest);
            h.crash();
        }
        String suffix = preamble.equals("yes") ? "rdb" : "aof";
        assertThat(Files.readString(dir.resolve("appendonlydir/appendonly.aof.manifest")))
            .isEqualTo("file appendonly.aof.2.base." + suffix + " seq 2 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\n");
        // The old files were history and are gone.
        assertThat(dir.resolve("appendonlydir/appendonly.aof.1.incr.aof")).doesNotExist();
        assertThat(dir.resolve("appendonlydir/appendonly.aof.1.base.rdb")).doesNotExist();
        try (AofHarness h = started("appendonly yes\n")) {
            assertThat(h.exec("DEBUG", "DIGEST")).isEqualTo(digest);
        }
    }

    @Test
    void aofFormatBaseUsesVariadicCommandsOfAtMost64Items() throws Exception {
        try (AofHarness h = started("appendonly yes\naof-use-rdb-preamble no\n")) {
            populate(h);
            h.exec("BGREWRITEAOF");
            h.waitRewrite();
            h.crash();
        }
        Path base = dir.resolve("appendonlydir/appendonly.aof.2.base.aof");
        List<String> names = new ArrayList<>();
        try (var in = Files.newInputStream(base)) {
            AofReader r = new AofReader(in, 0, Files.size(base));
            while (r.next() == AofReader.COMMAND) {
                String name = new String(r.argv[0], StandardCharsets.UTF_8);
                names.add(name);
                int perItem = name.equals("ZADD") || name.equals("HMSET") ? 2 : 1;
                if (name.equals("RPUSH") || name.equals("SADD") || name.equals("ZADD") || name.equals("HMSET")) {
                    assertThat((r.argc - 2) / perItem).isBetween(1, AofRewriter.ITEMS_PER_CMD);
                }
            }
        }
        assertThat(names).contains("SELECT", "SET", "RPUSH", "SADD", "ZADD", "HMSET", "PEXPIREAT", "XADD", "XSETID", "XGROUP");
        assertThat(names.stream().filter("RPUSH"::equals).count()).isEqualTo(1 + 5);   // list (3) + big (300 = 5 commands)
    }

    private void writeTornTail() throws Exception {
        Path incr = dir.resolve("appendonlydir/appendonly.aof.1.incr.aof");
        byte[] cmd = "*3\r\n$3\r\nSET\r\n$4\r\ntorn\r\n$5\r\nvalue\r\n".getBytes(StandardCharsets.US_ASCII);
        Files.write(incr, java.util.Arrays.copyOf(cmd, cmd.length - 4), StandardOpenOption.APPEND);
    }

    @Test
    void tornTailIsTruncatedWithLoadTruncated() throws Exception {
        String digest;
        long size;
        try (AofHarness h = started("appendonly yes\n")) {
            h.exec("SET", "a", "1");
            h.exec("INCR", "a");
            digest = (String) h.exec("DEBUG", "DIGEST");
            h.crash();
        }
        Path incr = dir.resolve("appendonlydir/appendonly.aof.1.incr.aof");
        size = Files.size(incr);
        writeTornTail();
        try (AofHarness h = started("appendonly yes\naof-load-truncated yes\n")) {
            assertThat(h.exec("DEBUG", "DIGEST")).isEqualTo(digest);
            assertThat(h.exec("EXISTS", "torn")).isEqualTo(0L);
            h.exec("INCR", "a");
            h.crash();
        }
        assertThat(Files.size(incr)).isGreaterThan(size);
        try (AofHarness h = started("appendonly yes\naof-load-truncated no\n")) {
            assertThat(h.exec("GET", "a")).isEqualTo("3");
        }
    }

    @Test
    void tornTailStopsTheLoadWithoutLoadTruncatedAndCheckAofRepairsIt() throws Exception {
        try (AofHarness h = started("appendonly yes\n")) {
            h.exec("SET", "a", "1");
            h.exec("MULTI");
            h.exec("SET", "b", "2");
            h.exec("SET", "c", "3");
            h.exec("EXEC");
            h.crash();
        }
        writeTornTail();
        AofHarness bad = new AofHarness(dir, "appendonly yes\naof-load-truncated no\n");
        assertThat(bad.start()).as("refuses a torn AOF").isFalse();
        bad.crash();

        Path manifest = dir.resolve("appendonlydir/appendonly.aof.manifest");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int rc = CheckAof.run(new String[] {manifest.toString()}, new PrintStream(out, true, StandardCharsets.UTF_8),
            new ByteArrayInputStream(new byte[0]));
        assertThat(rc).isEqualTo(1);
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("is not valid. Use the --fix option to try fixing it.");

        out.reset();
        rc = CheckAof.run(new String[] {"--fix", manifest.toString()}, new PrintStream(out, true, StandardCharsets.UTF_8),
            new ByteArrayInputStream("y\n".getBytes(StandardCharsets.US_ASCII)));
        assertThat(rc).isEqualTo(0);
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("Continue? [y/N]: ")
            .contains("Successfully truncated AOF appendonly.aof.1.incr.aof").contains("All AOF files and manifest are valid");

        try (AofHarness h = started("appendonly yes\naof-load-truncated no\n")) {
            assertThat(h.exec("MGET", "a", "b", "c", "torn")).isEqualTo(java.util.Arrays.asList("1", "2", "3", null));
        }
    }

    @Test
    void unfinishedMultiIsRevertedWhenTruncating() throws Exception {
        try (AofHarness h = started("appendonly yes\n")) {
            h.exec("SET", "a", "1");
            h.crash();
        }
        Path incr = dir.resolve("appendonlydir/appendonly.aof.1.incr.aof");
        Files.writeString(incr, "*1\r\n$5\r\nMULTI\r\n*3\r\n$3\r\nSET\r\n$1\r\nb\r\n$1\r\n2\r\n", StandardOpenOption.APPEND);
        long before = Files.size(incr);
        try (AofHarness h = started("appendonly yes\naof-load-truncated yes\n")) {
            assertThat(h.exec("EXISTS", "b")).isEqualTo(0L);
            assertThat(h.exec("GET", "a")).isEqualTo("1");
        }
        assertThat(Files.size(incr)).isLessThan(before);
    }

    @Test
    void oldSingleFileAofIsUpgraded() throws Exception {
        Files.writeString(dir.resolve("appendonly.aof"),
            "*3\r\n$3\r\nSET\r\n$2\r\nk1\r\n$2\r\nv1\r\n*3\r\n$3\r\nSET\r\n$2\r\nk2\r\n$2\r\nv2\r\n");
        try (AofHarness h = started("appendonly yes\n")) {
            assertThat(h.exec("MGET", "k1", "k2")).isEqualTo(List.of("v1", "v2"));
        }
        assertThat(dir.resolve("appendonly.aof")).doesNotExist();
        assertThat(dir.resolve("appendonlydir/appendonly.aof")).exists();
        assertThat(Files.readString(dir.resolve("appendonlydir/appendonly.aof.manifest")))
            .isEqualTo("file appendonly.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n");
    }

    @Test
    void enablingAtRuntimeRewritesAndDisablingKeepsFiles() throws Exception {
        try (AofHarness h = started("appendonly no\n")) {
            h.exec("SET", "before", "1");
            assertThat(h.exec("CONFIG", "SET", "appendonly", "yes")).isEqualTo("OK");
            h.exec("SET", "after", "2");
            h.waitRewrite();
            assertThat(h.info("persistence", "aof_enabled")).isEqualTo("1");
            h.exec("SET", "later", "3");
            String digest = (String) h.exec("DEBUG", "DIGEST");
            h.flushLog();
            assertThat(Files.readString(dir.resolve("appendonlydir/appendonly.aof.manifest")))
                .isEqualTo("file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n");
            assertThat(h.exec("DEBUG", "LOADAOF")).isEqualTo("OK");
            assertThat(h.exec("DEBUG", "DIGEST")).isEqualTo(digest);
            assertThat(h.exec("CONFIG", "SET", "appendonly", "no")).isEqualTo("OK");
            assertThat(h.info("persistence", "aof_enabled")).isEqualTo("0");
            h.exec("SET", "unlogged", "4");
            // A rewrite with the AOF off leaves a lone base.
            assertThat(h.exec("BGREWRITEAOF")).isEqualTo("Background append only file rewriting started");
            h.waitRewrite();
            h.flushLog();
            assertThat(Files.readString(dir.resolve("appendonlydir/appendonly.aof.manifest")))
                .isEqualTo("file appendonly.aof.2.base.rdb seq 2 type b\n");
        }
    }

    @Test
    void bgrewriteaofDuringBgsaveIsScheduled() throws Exception {
        try (AofHarness h = started("appendonly yes\n")) {
            for (int i = 0; i < 200; i++) h.exec("SET", "k" + i, "v");
            h.exec("CONFIG", "SET", "rdb-key-save-delay", "20000");
            assertThat(h.exec("BGSAVE")).isEqualTo("Background saving started");
            assertThat(h.exec("BGREWRITEAOF")).isEqualTo("Background append only file rewriting scheduled");
            assertThat(h.info("persistence", "aof_rewrite_scheduled")).isEqualTo("1");
            assertThat(h.info("persistence", "aof_pending_rewrite")).isEqualTo("1");
            h.exec("CONFIG", "SET", "rdb-key-save-delay", "0");
            for (int i = 0; i < 1000 && !"1".equals(h.info("persistence", "aof_rewrites")); i++) Thread.sleep(10);
            h.waitRewrite();
            assertThat(h.info("persistence", "aof_rewrites")).isEqualTo("1");
            assertThat(h.info("persistence", "aof_rewrite_scheduled")).isEqualTo("0");
        }
    }

    @Test
    void infoReportsAofFields() throws Exception {
        try (AofHarness h = started("appendonly yes\n")) {
            h.exec("SET", "a", "1");
            h.flushLog();
            String text = (String) h.exec("INFO", "persistence");
            assertThat(text).contains("aof_enabled:1\r\n", "aof_rewrite_in_progress:0\r\n", "aof_rewrite_scheduled:0\r\n",
                "aof_last_rewrite_time_sec:-1\r\n", "aof_current_rewrite_time_sec:-1\r\n", "aof_last_bgrewrite_status:ok\r\n",
                "aof_last_write_status:ok\r\n", "aof_buffer_length:0\r\n", "aof_delayed_fsync:0\r\n", "aof_pending_bio_fsync:");
            // The extra fields follow the common ones, as Redis prints them.
            assertThat(text.indexOf("aof_current_size:")).isGreaterThan(text.indexOf("module_fork_last_cow_size:"));
            long size = Long.parseLong(h.info("persistence", "aof_current_size"));
            assertThat(size).isGreaterThan(Long.parseLong(h.info("persistence", "aof_base_size")));
        }
    }

    @Test
    void timestampAnnotationsAreWrittenAndSkipped() throws Exception {
        String digest;
        try (AofHarness h = started("appendonly yes\naof-timestamp-enabled yes\n")) {
            h.exec("SET", "a", "1");
            digest = (String) h.exec("DEBUG", "DIGEST");
            h.crash();
        }
        assertThat(Files.readString(dir.resolve("appendonlydir/appendonly.aof.1.incr.aof"))).startsWith("#TS:");
        try (AofHarness h = started("appendonly yes\n")) {
            assertThat(h.exec("DEBUG", "DIGEST")).isEqualTo(digest);
        }
    }

    @Test
    void transactionsAndScriptsAreLoggedAsUnitsAndExpiriesAsDeletes() throws Exception {
        try (AofHarness h = started("appendonly yes\n")) {
            h.exec("EVAL", "redis.call('set','a','1') redis.call('set','b','2')", "0");
            h.exec("EVAL", "redis.call('set','c','3')", "0");
            h.exec("EVAL", "return redis.call('get','c')", "0");
            h.exec("MULTI");
            h.exec("SELECT", "3");
            h.exec("SET", "x", "1");
            h.exec("EXEC");
            h.exec("SELECT", "0");
            h.exec("SET", "gone", "1", "PX", "1");
            Thread.sleep(5);
            assertThat(h.exec("GET", "gone")).isNull();
            h.exec("PUBLISH", "ch", "not logged");
            h.flushLog();
            String log = Files.readString(dir.resolve("appendonlydir/appendonly.aof.1.incr.aof"))
                .replace("\r\n", " ");
            // A script's writes are wrapped when there are several (the SELECT goes inside, as
            // Redis does); a unit of one command is logged alone.
            assertThat(log).startsWith("*1 $5 MULTI *2 $6 SELECT $1 0 *3 $3 set $1 a $1 1 *3 $3 set $1 b $1 2 *1 $4 EXEC "
                + "*3 $3 set $1 c $1 3 *2 $6 SELECT $1 3 *3 $3 SET $1 x $1 1 *2 $6 SELECT $1 0 ");
            assertThat(log).contains("$4 PXAT").contains("*2 $3 DEL $4 gone ").doesNotContain("EVAL")
                .doesNotContain("PUBLISH").doesNotContain("$3 get");
            String digest = (String) h.exec("DEBUG", "DIGEST");
            assertThat(h.exec("DEBUG", "LOADAOF")).isEqualTo("OK");
            assertThat(h.exec("DEBUG", "DIGEST")).isEqualTo(digest);
        }
    }

    @Test
    void loadingIsReportedAndRefusesCommands() throws Exception {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 20000; i++) {
            String k = "k" + i;
            sb.append("*3\r\n$3\r\nSET\r\n$").append(k.length()).append("\r\n").append(k).append("\r\n$1\r\nv\r\n");
        }
        Files.createDirectories(dir.resolve("appendonlydir"));
        Files.writeString(dir.resolve("appendonlydir/appendonly.aof.1.incr.aof"), sb);
        Files.writeString(dir.resolve("appendonlydir/appendonly.aof.manifest"), "file appendonly.aof.1.incr.aof seq 1 type i\n");
        try (AofHarness h = new AofHarness(dir, "appendonly yes\nkey-load-delay 100\n")) {
            var ready = h.startAsync();
            Thread.sleep(300);
            assertThat(h.info("persistence", "loading")).isEqualTo("1");
            assertThat(Long.parseLong(h.info("persistence", "loading_total_bytes"))).isEqualTo(sb.length());
            assertThat(Long.parseLong(h.info("persistence", "loading_loaded_bytes"))).isBetween(1L, sb.length() - 1L);
            assertThat(h.info("persistence", "loading_loaded_perc")).isNotNull();
            assertThat(h.exec("SET", "x", "1")).isEqualTo(new AofHarness.Err("LOADING Redis is loading the dataset in memory"));
            assertThat(ready.await(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            assertThat(h.info("persistence", "loading")).isEqualTo("0");
            assertThat(h.info("persistence", "loading_total_bytes")).isNull();
            assertThat(h.exec("DBSIZE")).isEqualTo(20000L);
        }
    }

    @Test
    void automaticRewriteOnGrowth() throws Exception {
        try (AofHarness h = started("appendonly yes\nauto-aof-rewrite-percentage 100\nauto-aof-rewrite-min-size 10kb\n")) {
            for (int i = 0; i < 2000 && "0".equals(h.info("persistence", "aof_rewrites")); i++) {
                h.exec("SET", "key:" + (i % 50), "x".repeat(100));
                if (i % 100 == 99) Thread.sleep(120);    // let the cron look at the size
            }
            assertThat(h.info("persistence", "aof_rewrites")).isNotEqualTo("0");
            h.waitRewrite();
            String digest = (String) h.exec("DEBUG", "DIGEST");
            assertThat(h.exec("DEBUG", "LOADAOF")).isEqualTo("OK");
            assertThat(h.exec("DEBUG", "DIGEST")).isEqualTo(digest);
            // After the rewrite the base is small again (50 keys): no immediate new rewrite.
            assertThat(Long.parseLong(h.info("persistence", "aof_base_size"))).isLessThan(20_000L);
        }
    }
    // =====================================================================================
    // Background jobs run with a child process, as Redis's forked children
    // =====================================================================================

    /**
     * The child of the running background job, found by its temp file (temp-rewriteaof-bg-PID.aof
     * or temp-PID.rdb in the data directory): it must be a child process of this (server) JVM.
     */
    private ProcessHandle jobChild(String prefix, String suffix) throws Exception {
        for (int i = 0; i < 1000; i++) {
            try (var files = Files.list(dir)) {
                var found = files.map(f -> f.getFileName().toString())
                    .filter(n -> n.startsWith(prefix) && n.endsWith(suffix)
                        && n.substring(prefix.length(), n.length() - suffix.length()).chars().allMatch(Character::isDigit))
                    .findFirst();
                if (found.isPresent()) {
                    String n = found.get();
                    long pid = Long.parseLong(n.substring(prefix.length(), n.length() - suffix.length()));
                    ProcessHandle ph = ProcessHandle.of(pid).orElseThrow();
                    assertThat(ph.parent().map(ProcessHandle::pid)).contains(ProcessHandle.current().pid());
                    return ph;
                }
            }
            Thread.sleep(10);
        }
        throw new AssertionError("no " + prefix + "PID" + suffix + " in " + dir);
    }

    private static void killAndWait(ProcessHandle child) throws Exception {
        child.destroyForcibly();     // SIGKILL, as `kill -9 [get_child_pid 0]`
        child.onExit().get(20, java.util.concurrent.TimeUnit.SECONDS);
    }

    private String manifest() throws Exception {
        return Files.readString(dir.resolve("appendonlydir/appendonly.aof.manifest"));
    }

    private static String m(String... lines) {
        StringBuilder sb = new StringBuilder();
        for (String l : lines) sb.append(l).append('\n');
        return sb.toString();
    }

    @Test
    void killedRewritesLeaveIncrFilesThatTheNextRewriteFolds() throws Exception {
        String digest;
        try (AofHarness h = started("appendonly yes\n")) {
            populate(h);
            // 1 s per key: each rewrite is still running when its child is killed.
            h.exec("CONFIG", "SET", "rdb-key-save-delay", "1000000");
            for (int n = 1; n <= 3; n++) {
                assertThat(h.exec("BGREWRITEAOF")).isEqualTo("Background append only file rewriting started");
                ProcessHandle child = jobChild("temp-rewriteaof-bg-", ".aof");
                killAndWait(child);
                h.waitRewrite();
                assertThat(h.info("persistence", "aof_last_bgrewrite_status")).isEqualTo("err");
                assertThat(h.info("persistence", "aof_rewrites_consecutive_failures")).isEqualTo(Integer.toString(n));
                assertThat(dir.resolve("temp-rewriteaof-bg-" + child.pid() + ".aof")).doesNotExist();
                // Writes made during and after a failed rewrite are in its new incr file.
                h.exec("SET", "after-failure-" + n, "x");
            }
            assertThat(h.info("stats", "total_forks")).isEqualTo("3");
            h.flushLog();
            // Each rewrite moved the log to a new incr file, as Redis 7 does; none became a base.
            assertThat(manifest()).isEqualTo(m("file appendonly.aof.1.base.rdb seq 1 type b",
                "file appendonly.aof.1.incr.aof seq 1 type i", "file appendonly.aof.2.incr.aof seq 2 type i",
                "file appendonly.aof.3.incr.aof seq 3 type i", "file appendonly.aof.4.incr.aof seq 4 type i"));
            digest = (String) h.exec("DEBUG", "DIGEST");
            assertThat(h.exec("DEBUG", "LOADAOF")).isEqualTo("OK");
            assertThat(h.exec("DEBUG", "DIGEST")).isEqualTo(digest);

            h.exec("CONFIG", "SET", "rdb-key-save-delay", "0");
            assertThat(h.exec("BGREWRITEAOF")).isEqualTo("Background append only file rewriting started");
            h.waitRewrite();
            assertThat(h.info("persistence", "aof_last_bgrewrite_status")).isEqualTo("ok");
            assertThat(h.info("persistence", "aof_rewrites_consecutive_failures")).isEqualTo("0");
            h.exec("SET", "after-success", "y");
            digest = (String) h.exec("DEBUG", "DIGEST");
            h.flushLog();
            assertThat(manifest()).isEqualTo(m("file appendonly.aof.2.base.rdb seq 2 type b",
                "file appendonly.aof.5.incr.aof seq 5 type i"));
            for (int n = 1; n <= 4; n++) assertThat(dir.resolve("appendonlydir/appendonly.aof." + n + ".incr.aof")).doesNotExist();
            h.crash();
        }
        try (AofHarness h = started("appendonly yes\n")) {
            assertThat(h.exec("DEBUG", "DIGEST")).isEqualTo(digest);
        }
    }

    @Test
    void turningTheAofOnRetriesAfterAKilledRewriteAndDropsItsTemporaryIncr() throws Exception {
        try (AofHarness h = started("appendonly no\n")) {
            h.exec("SET", "a", "1");
            h.exec("CONFIG", "SET", "rdb-key-save-delay", "1000000");
            assertThat(h.exec("CONFIG", "SET", "appendonly", "yes")).isEqualTo("OK");
            assertThat(h.info("persistence", "aof_rewrite_in_progress")).isEqualTo("1");
            h.exec("SET", "b", "2");
            h.flushLog();
            // Until the first rewrite succeeds the log goes to a temporary incr file outside any manifest.
            Path temp = dir.resolve("appendonlydir/temp-appendonly.aof.incr");
            assertThat(temp).exists();
            h.exec("CONFIG", "SET", "rdb-key-save-delay", "0");
            killAndWait(jobChild("temp-rewriteaof-bg-", ".aof"));
            // The failed attempt left nothing behind; the retry (from the cron) turns the AOF on.
            for (int i = 0; i < 3000 && !"2".equals(h.info("persistence", "aof_rewrites")); i++) Thread.sleep(10);
            assertThat(h.info("persistence", "aof_rewrites")).isEqualTo("2");
            h.waitRewrite();
            assertThat(h.info("persistence", "aof_last_bgrewrite_status")).isEqualTo("ok");
            assertThat(h.info("persistence", "aof_enabled")).isEqualTo("1");
            h.exec("SET", "c", "3");
            h.flushLog();
            assertThat(temp).doesNotExist();
            assertThat(manifest()).isEqualTo(m("file appendonly.aof.1.base.rdb seq 1 type b",
                "file appendonly.aof.1.incr.aof seq 1 type i"));
            String digest = (String) h.exec("DEBUG", "DIGEST");
            assertThat(h.exec("DEBUG", "LOADAOF")).isEqualTo("OK");
            assertThat(h.exec("DEBUG", "DIGEST")).isEqualTo(digest);
            assertThat(h.exec("MGET", "a", "b", "c")).isEqualTo(List.of("1", "2", "3"));
        }
    }

    @Test
    void killedBgsaveChildFailsTheSaveAndStopsWrites() throws Exception {
        try (AofHarness h = started("appendonly no\nsave 3600 1\n")) {
            h.exec("SET", "x", "x");
            h.exec("CONFIG", "SET", "rdb-key-save-delay", "1000000");
            assertThat(h.exec("BGSAVE")).isEqualTo("Background saving started");
            ProcessHandle child = jobChild("temp-", ".rdb");
            killAndWait(child);
            for (int i = 0; i < 3000 && !"0".equals(h.info("persistence", "rdb_bgsave_in_progress")); i++) Thread.sleep(10);
            assertThat(h.info("persistence", "rdb_bgsave_in_progress")).isEqualTo("0");
            assertThat(h.info("persistence", "rdb_last_bgsave_status")).isEqualTo("err");
            assertThat(dir.resolve("temp-" + child.pid() + ".rdb")).doesNotExist();
            assertThat(dir.resolve("dump.rdb")).doesNotExist();
            // stop-writes-on-bgsave-error, as after a failed fork child.
            assertThat(h.exec("SET", "x", "y")).isEqualTo(new AofHarness.Err(org.redoubt.persistence.Persistence.MISCONF));
            h.exec("CONFIG", "SET", "rdb-key-save-delay", "0");
            assertThat(h.exec("BGSAVE")).isEqualTo("Background saving started");
            for (int i = 0; i < 3000 && !"0".equals(h.info("persistence", "rdb_bgsave_in_progress")); i++) Thread.sleep(10);
            assertThat(h.info("persistence", "rdb_last_bgsave_status")).isEqualTo("ok");
            assertThat(dir.resolve("dump.rdb")).exists();
            assertThat(h.exec("SET", "x", "y")).isEqualTo("OK");
            assertThat(h.info("stats", "total_forks")).isEqualTo("2");
        }
    }

    @Test
    void debugLoadaofAnswersOtherClientsWithLoadingMeanwhile() throws Exception {
        try (AofHarness h = started("appendonly yes\n")) {
            for (int i = 0; i < 300; i++) h.exec("SET", "k" + i, "v" + i);
            String digest = (String) h.exec("DEBUG", "DIGEST");
            h.flushLog();
            // 2 ms per replayed command: the reload takes about 0.6 s.
            h.exec("CONFIG", "SET", "key-load-delay", "2000");
            Client other = h.newClient();
            java.util.concurrent.CompletableFuture<Object> reload = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    return h.exec("DEBUG", "LOADAOF");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            Object seen = null;
            for (int i = 0; i < 500 && !(seen instanceof AofHarness.Err); i++) {
                seen = h.exec(other, "GET", "k1");
                Thread.sleep(2);
            }
            assertThat(seen).isEqualTo(new AofHarness.Err("LOADING Redis is loading the dataset in memory"));
            assertThat((String) h.exec(other, "INFO", "persistence")).contains("loading:1\r\n");
            assertThat(reload.get(60, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo("OK");
            assertThat(h.exec(other, "GET", "k1")).isEqualTo("v1");
            h.exec("CONFIG", "SET", "key-load-delay", "0");
            assertThat(h.exec("DEBUG", "DIGEST")).isEqualTo(digest);
        }
    }
}
