package org.redoubt.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.redoubt.engine.db.Db;
import org.redoubt.persistence.rdb.RdbException;

/** Truncated and corrupted files are refused with a message naming the file and the offset. */
class CorruptFileTest {
    @TempDir
    Path dir;
    private Harness shared;

    private byte[] goodDump() throws Exception {
        Harness h = new Harness(dir);
        h.exec("SET", "string", "hello world, hello world, hello world, hello");
        h.exec("SET", "int", "12345");
        h.exec("RPUSH", "list", "a", "b", "c");
        h.exec("HSET", "hash", "f", "v");
        h.exec("SADD", "set", "1", "2");
        h.exec("ZADD", "zset", "1", "a");
        h.exec("SET", "ttl", "v", "EX", "1000");
        h.exec("SAVE");
        return Files.readAllBytes(dir.resolve("dump.rdb"));
    }

    private Persistence.LoadFailure loadExpectingFailure(byte[] file) throws Exception {
        Path p = dir.resolve("bad.rdb");
        Files.write(p, file);
        if (shared == null) shared = new Harness(dir);
        Harness h = shared;
        Db[] dbs = new Db[16];
        for (int i = 0; i < dbs.length; i++) dbs[i] = new Db(h.engine, i);
        try {
            h.p.loadFile(p, dbs, false);
        } catch (Persistence.LoadFailure f) {
            return f;
        }
        return null;
    }

    @Test
    void everyTruncationIsAShortReadWithItsOffset() throws Exception {
        byte[] good = goodDump();
        for (int cut = 0; cut < good.length; cut++) {
            Persistence.LoadFailure f = loadExpectingFailure(Arrays.copyOf(good, cut));
            assertThat(f).as("cut at %d", cut).isNotNull();
            RdbException e = (RdbException) f.getCause();
            assertThat(e.offset).as("cut at %d", cut).isBetween(0L, (long) cut);
            assertThat(f.getMessage()).contains("bad.rdb").contains("offset");
            if (cut >= 9) {
                assertThat(e.kind).as("cut at %d", cut).isEqualTo(RdbException.Kind.SHORT_READ);
                assertThat(f.getMessage()).startsWith("Short read or OOM loading DB. Unrecoverable error, aborting now.");
            }
        }
    }

    @Test
    void aWrongChecksumIsACrcError() throws Exception {
        byte[] bad = goodDump();
        byte[] foobar = "foobar00".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(foobar, 0, bad, bad.length - 8, 8);
        Persistence.LoadFailure f = loadExpectingFailure(bad);
        assertThat(f).isNotNull();
        assertThat(((RdbException) f.getCause()).kind).isEqualTo(RdbException.Kind.CHECKSUM);
        assertThat(f.getMessage()).contains("Wrong RDB checksum").contains("RDB CRC error").contains("offset " + (bad.length - 8));
    }

    @Test
    void flippedBytesNeverLoadSilently() throws Exception {
        byte[] good = goodDump();
        // With the checksum, any single corrupted byte is detected (as corruption or by the CRC).
        for (int i = 9; i < good.length; i++) {
            byte[] bad = good.clone();
            bad[i] ^= 0x5a;
            assertThat(loadExpectingFailure(bad)).as("byte %d", i).isNotNull();
        }
    }

    @Test
    void theServerRefusesToStartOnACorruptFile() throws Exception {
        byte[] bad = goodDump();
        bad[bad.length - 1] ^= 1;
        Files.write(dir.resolve("dump.rdb"), bad);
        Harness h = new Harness(dir);
        CountDownLatch exited = new CountDownLatch(1);
        CountDownLatch ready = new CountDownLatch(1);
        h.p.exitHook = exited::countDown;
        h.p.loadAtStartup(ready::countDown);
        assertThat(h.engine.loading).isTrue();
        assertThat(exited.await(10, TimeUnit.SECONDS)).isTrue();
        h.p.drainPending();
        assertThat(ready.getCount()).isEqualTo(1);
    }

    @Test
    void startupLoadInstallsTheDatasetWhenComplete() throws Exception {
        goodDump();
        Harness h = new Harness(dir);
        CountDownLatch ready = new CountDownLatch(1);
        h.p.loadAtStartup(ready::countDown);
        for (int i = 0; i < 200 && ready.getCount() > 0; i++) {
            Thread.sleep(20);
            h.p.drainPending();
        }
        assertThat(ready.getCount()).isZero();
        assertThat(h.engine.loading).isFalse();
        assertThat(h.exec("DBSIZE")).isEqualTo(7L);
        assertThat(h.exec("LRANGE", "list", "0", "-1")).isEqualTo(java.util.List.of("a", "b", "c"));
    }

    @Test
    void checkToolReportsAnErrorWithItsOffset() throws Exception {
        byte[] good = goodDump();
        Path p = dir.resolve("t.rdb");
        Files.write(p, Arrays.copyOf(good, good.length - 20));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(new CheckRdb(new PrintStream(out, true, StandardCharsets.UTF_8)).check(p)).isFalse();
        String report = out.toString(StandardCharsets.UTF_8);
        assertThat(report).contains("--- RDB ERROR DETECTED ---").containsPattern("\\[offset \\d+\\] Unexpected EOF");
        out.reset();
        assertThat(new CheckRdb(new PrintStream(out, true, StandardCharsets.UTF_8)).check(dir.resolve("dump.rdb"))).isTrue();
        report = out.toString(StandardCharsets.UTF_8);
        assertThat(report).contains("AUX FIELD redis-ver = '7.0.15'").contains("Checksum OK").contains("RDB looks OK")
            .contains("[info] 7 keys read").contains("[info] 1 expires").contains("keys of type list (quicklist)");
    }
}
