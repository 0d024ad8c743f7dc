package org.redoubt.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.redoubt.engine.config.Config;
import org.redoubt.engine.type.Sds;

class PersistenceCommandsTest {
    @TempDir
    Path dir;

    private static byte[] b(String s) { return s.getBytes(StandardCharsets.UTF_8); }

    @Test
    void debugReloadNoflushFailsOnAnExistingLibraryUnlessMerging() {
        Harness h = new Harness(dir);
        h.exec("CONFIG", "SET", "enable-debug-command", "yes");
        assertThat(h.exec("FUNCTION", "LOAD", "#!lua name=lib\nredis.register_function('f', function() return 'hello' end)")).isEqualTo("lib");
        assertThat(h.exec("DEBUG", "RELOAD")).isEqualTo("OK");
        assertThat(String.valueOf(h.exec("DEBUG", "RELOAD", "NOFLUSH"))).contains("Error trying to load the RDB");
        assertThat(h.exec("DEBUG", "RELOAD", "NOFLUSH", "MERGE")).isEqualTo("OK");
        assertThat(h.exec("FCALL", "f", "0")).isEqualTo("hello");
    }

    @Test
    void migratePasswordsAreRedactedInTheSlowlog() throws Exception {
        Harness h = new Harness(dir);
        h.exec("SET", "k", "v");
        h.exec("CONFIG", "SET", "slowlog-log-slower-than", "0");
        int closed;
        try (java.net.ServerSocket ss = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closed = ss.getLocalPort();
        }
        h.exec("MIGRATE", "127.0.0.1", Integer.toString(closed), "k", "0", "1000", "AUTH", "secret1");
        h.exec("MIGRATE", "127.0.0.1", Integer.toString(closed), "k", "0", "1000", "AUTH2", "user", "secret2");
        String log = String.valueOf(h.exec("SLOWLOG", "GET", "10"));
        assertThat(log).doesNotContain("secret1").doesNotContain("secret2").doesNotContain("user")
            .contains("AUTH, (redacted)").contains("AUTH2, (redacted), (redacted)");
    }

    @Test
    void saveWritesTheFileAndLastsaveMoves() throws Exception {
        Harness h = new Harness(dir);
        h.exec("SET", "k", "v");
        h.exec("SET", "n", "12345");
        assertThat(h.info("persistence", "rdb_changes_since_last_save")).isEqualTo("2");
        assertThat(h.exec("SAVE")).isEqualTo("OK");
        assertThat(Files.exists(dir.resolve("dump.rdb"))).isTrue();
        assertThat(h.info("persistence", "rdb_changes_since_last_save")).isEqualTo("0");
        assertThat((Long) h.exec("LASTSAVE")).isBetween(System.currentTimeMillis() / 1000 - 5, System.currentTimeMillis() / 1000);
        assertThat(h.info("persistence", "rdb_saves")).isEqualTo("1");
        // No temp file is left behind.
        try (var s = Files.list(dir)) {
            assertThat(s.map(p -> p.getFileName().toString()).toList()).containsExactly("dump.rdb");
        }
    }

    @Test
    void bgsaveIsPointInTimeWhileTheEngineKeepsWriting() throws Exception {
        Config cfg = new Config();
        Harness h = new Harness(dir, cfg);
        for (int i = 0; i < 2000; i++) h.exec("SET", "key:" + i, "value:" + i);
        h.exec("APPEND", "key:1", "-appended");
        h.exec("CONFIG", "SET", "rdb-key-save-delay", "100");
        assertThat(h.exec("BGSAVE")).isEqualTo("Background saving started");
        assertThat(h.exec("BGSAVE")).isEqualTo(new Harness.Err("ERR Background save already in progress"));
        assertThat(h.exec("SAVE")).isEqualTo(new Harness.Err("ERR Background save already in progress"));
        assertThat(h.info("persistence", "rdb_bgsave_in_progress")).isEqualTo("1");
        assertThat(h.info("persistence", "current_save_keys_total")).isEqualTo("2000");
        // Writes during the save: none of them may reach the file.
        h.exec("APPEND", "key:1", "-later");
        h.exec("SET", "key:2", "changed");
        h.exec("DEL", "key:3");
        h.exec("SET", "new", "x");
        h.exec("FLUSHDB");
        h.p.awaitBgsave();
        assertThat(h.info("persistence", "rdb_bgsave_in_progress")).isEqualTo("0");
        assertThat(h.info("persistence", "rdb_last_bgsave_status")).isEqualTo("ok");
        assertThat(Long.parseLong(h.info("persistence", "rdb_last_cow_size"))).isPositive();

        Harness loaded = new Harness(dir);
        assertThat(loaded.exec("DEBUG", "RELOAD", "NOSAVE")).isEqualTo("OK");
        assertThat(loaded.exec("DBSIZE")).isEqualTo(2000L);
        assertThat(loaded.exec("GET", "key:1")).isEqualTo("value:1-appended");
        assertThat(loaded.exec("GET", "key:2")).isEqualTo("value:2");
        assertThat(loaded.exec("GET", "key:3")).isEqualTo("value:3");
        assertThat(loaded.exec("EXISTS", "new")).isEqualTo(0L);
    }

    @Test
    void reloadKeepsTtlsDatabasesAndEncodings() {
        Harness h = new Harness(dir);
        h.exec("SET", "plain", "hello");
        h.exec("SET", "int", "-42");
        h.exec("SET", "big", "x".repeat(5000));
        h.exec("SET", "ttl", "v", "PX", "1000000");
        h.exec("SELECT", "7");
        h.exec("SET", "in7", "seven");
        h.exec("SETRANGE", "raw", "3", "abc");
        h.exec("SELECT", "0");
        assertThat(h.exec("DEBUG", "RELOAD")).isEqualTo("OK");
        assertThat(h.exec("GET", "plain")).isEqualTo("hello");
        assertThat(h.exec("OBJECT", "ENCODING", "int")).isEqualTo("int");
        assertThat(h.exec("GET", "big")).isEqualTo("x".repeat(5000));
        assertThat((Long) h.exec("PTTL", "ttl")).isBetween(990_000L, 1_000_000L);
        h.exec("SELECT", "7");
        assertThat(h.exec("GET", "in7")).isEqualTo("seven");
        assertThat(h.exec("GET", "raw")).isEqualTo("\0\0\0abc");
    }

    @Test
    void expiredKeysAreDroppedOnLoadAndCounted() throws Exception {
        Harness h = new Harness(dir);
        h.exec("DEBUG", "SET-ACTIVE-EXPIRE", "0");
        h.exec("SET", "gone", "v", "PX", "1");
        h.exec("SET", "stays", "v");
        Thread.sleep(10);
        assertThat(h.exec("SAVE")).isEqualTo("OK");
        assertThat(h.exec("DEBUG", "RELOAD", "NOSAVE")).isEqualTo("OK");
        assertThat(h.exec("DBSIZE")).isEqualTo(1L);
        assertThat(h.info("persistence", "rdb_last_load_keys_expired")).isEqualTo("1");
        assertThat(h.info("persistence", "rdb_last_load_keys_loaded")).isEqualTo("1");
    }

    @Test
    void dumpAndRestore() {
        Harness h = new Harness(dir);
        h.exec("SET", "foo", "bar");
        byte[] payload = h.execRaw("DUMP", "foo");
        assertThat(payload).isNotNull();
        // type byte, value, version 10 little endian, CRC64 little endian.
        assertThat(payload[0]).isEqualTo((byte) 0);
        assertThat(payload[payload.length - 10]).isEqualTo((byte) 10);
        assertThat(payload[payload.length - 9]).isEqualTo((byte) 0);
        assertThat(h.exec("DUMP", "nosuchkey")).isNull();
        assertThat(h.execBytes(b("RESTORE"), b("foo"), b("0"), payload)).isEqualTo(new Harness.Err("BUSYKEY Target key name already exists."));
        h.exec("DEL", "foo");
        assertThat(h.execBytes(b("RESTORE"), b("foo"), b("0"), payload)).isEqualTo("OK");
        assertThat(h.exec("GET", "foo")).isEqualTo("bar");
        assertThat(h.exec("TTL", "foo")).isEqualTo(-1L);
        assertThat(h.execBytes(b("RESTORE"), b("foo"), b("5000"), payload, b("REPLACE"))).isEqualTo("OK");
        assertThat((Long) h.exec("PTTL", "foo")).isBetween(4000L, 5000L);
        // ABSTTL in the past: the key is not created (and REPLACE deleted the old one).
        assertThat(h.execBytes(b("RESTORE"), b("foo"), b("1000"), payload, b("REPLACE"), b("ABSTTL"))).isEqualTo("OK");
        assertThat(h.exec("EXISTS", "foo")).isEqualTo(0L);
        byte[] bad = payload.clone();
        bad[1] ^= 1;
        assertThat(h.execBytes(b("RESTORE"), b("x"), b("0"), bad)).isEqualTo(new Harness.Err("ERR DUMP payload version or checksum are wrong"));
        assertThat(h.execBytes(b("RESTORE"), b("x"), b("0"), b("..."))).isEqualTo(new Harness.Err("ERR DUMP payload version or checksum are wrong"));
        assertThat(h.execBytes(b("RESTORE"), b("x"), b("-1"), payload)).isEqualTo(new Harness.Err("ERR Invalid TTL value, must be >= 0"));
        assertThat(h.execBytes(b("RESTORE"), b("x"), b("0"), payload, b("invalid-option"))).isEqualTo(new Harness.Err("ERR syntax error"));
        assertThat(h.execBytes(b("RESTORE"), b("x"), b("0"), payload, b("FREQ"), b("300"))).isEqualTo(new Harness.Err("ERR Invalid FREQ value, must be >= 0 and <= 255"));
        assertThat(h.execBytes(b("RESTORE"), b("x"), b("0"), payload, b("IDLETIME"), b("-1"))).isEqualTo(new Harness.Err("ERR Invalid IDLETIME value, must be >= 0"));
    }

    @Test
    void restoreSetsIdleTimeAndFrequency() {
        Harness h = new Harness(dir);
        h.exec("SET", "foo", "bar");
        byte[] payload = h.execRaw("DUMP", "foo");
        h.exec("DEL", "foo");
        h.exec("CONFIG", "SET", "maxmemory-policy", "allkeys-lru");
        assertThat(h.execBytes(b("RESTORE"), b("foo"), b("0"), payload, b("IDLETIME"), b("1000"))).isEqualTo("OK");
        assertThat((Long) h.exec("OBJECT", "IDLETIME", "foo")).isBetween(1000L, 1010L);
        h.exec("DEL", "foo");
        h.exec("CONFIG", "SET", "maxmemory-policy", "allkeys-lfu");
        assertThat(h.execBytes(b("RESTORE"), b("foo"), b("0"), payload, b("FREQ"), b("100"))).isEqualTo("OK");
        assertThat(h.exec("OBJECT", "FREQ", "foo")).isEqualTo(100L);
    }

    @Test
    void lruAndLfuHintsSurviveAReload() {
        Harness h = new Harness(dir);
        h.exec("CONFIG", "SET", "maxmemory-policy", "allkeys-lfu");
        h.exec("SET", "foo", "bar");
        byte[] payload = h.execRaw("DUMP", "foo");
        h.exec("DEL", "foo");
        h.execBytes(b("RESTORE"), b("foo"), b("0"), payload, b("FREQ"), b("77"));
        assertThat(h.exec("DEBUG", "RELOAD")).isEqualTo("OK");
        assertThat(h.exec("OBJECT", "FREQ", "foo")).isEqualTo(77L);
        h.exec("CONFIG", "SET", "maxmemory-policy", "allkeys-lru");
        h.exec("DEL", "foo");
        h.execBytes(b("RESTORE"), b("foo"), b("0"), payload, b("IDLETIME"), b("500"));
        assertThat(h.exec("DEBUG", "RELOAD")).isEqualTo("OK");
        assertThat((Long) h.exec("OBJECT", "IDLETIME", "foo")).isBetween(500L, 510L);
    }

    @Test
    void failedBgsaveTurnsOnMisconfAndASuccessfulOneTurnsItOff() throws Exception {
        Harness h = new Harness(dir);
        h.engine.config.savePoints = new long[][] {{3600, 1}};
        h.exec("SET", "x", "1");
        // A directory where the dump file should be makes the final rename fail.
        Files.createDirectory(dir.resolve("dump.rdb"));
        Files.writeString(dir.resolve("dump.rdb").resolve("f"), "x");
        assertThat(h.exec("BGSAVE")).isEqualTo("Background saving started");
        h.p.awaitBgsave();
        assertThat(h.info("persistence", "rdb_last_bgsave_status")).isEqualTo("err");
        Object r = h.exec("SET", "x", "2");
        assertThat(r).isEqualTo(new Harness.Err(Persistence.MISCONF));
        assertThat(h.exec("PING")).isEqualTo(new Harness.Err(Persistence.MISCONF));
        assertThat(h.exec("GET", "x")).isEqualTo("1");
        h.exec("CONFIG", "SET", "stop-writes-on-bgsave-error", "no");
        assertThat(h.exec("SET", "x", "2")).isEqualTo("OK");
        h.exec("CONFIG", "SET", "stop-writes-on-bgsave-error", "yes");
        Files.delete(dir.resolve("dump.rdb").resolve("f"));
        Files.delete(dir.resolve("dump.rdb"));
        assertThat(h.exec("BGSAVE")).isEqualTo("Background saving started");
        h.p.awaitBgsave();
        assertThat(h.info("persistence", "rdb_last_bgsave_status")).isEqualTo("ok");
        assertThat(h.exec("SET", "x", "3")).isEqualTo("OK");
    }

    @Test
    void flushallAbortsARunningBgsaveWithoutAnError() throws Exception {
        Harness h = new Harness(dir);
        for (int i = 0; i < 500; i++) h.exec("SET", "k" + i, "v");
        h.exec("CONFIG", "SET", "rdb-key-save-delay", "100000");
        h.exec("BGSAVE");
        long t0 = System.nanoTime();
        h.exec("FLUSHALL");
        assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(2000);
        assertThat(h.info("persistence", "rdb_bgsave_in_progress")).isEqualTo("0");
        assertThat(h.info("persistence", "rdb_last_bgsave_status")).isEqualTo("ok");
        assertThat(Long.parseLong(h.info("persistence", "rdb_changes_since_last_save"))).isGreaterThan(499);
        assertThat(Files.exists(dir.resolve("dump.rdb"))).isFalse();
    }

    @Test
    void savePointsTriggerABgsaveFromTheCron() {
        Harness h = new Harness(dir);
        h.engine.config.savePoints = new long[][] {{1, 1}};
        h.p.lastSaveSec -= 10;
        h.exec("SET", "a", "b");
        h.engine.cron();
        h.p.awaitBgsave();
        assertThat(Files.exists(dir.resolve("dump.rdb"))).isTrue();
        assertThat(h.info("persistence", "rdb_changes_since_last_save")).isEqualTo("0");
    }

    @Test
    void shutdownSavesWhenSavePointsExistUnlessNosave() {
        Harness h = new Harness(dir);
        h.exec("SET", "a", "b");
        assertThat(h.p.beforeExit(0)).isTrue();
        assertThat(Files.exists(dir.resolve("dump.rdb"))).isFalse();
        h.engine.config.savePoints = new long[][] {{3600, 1}};
        assertThat(h.p.beforeExit(org.redoubt.engine.Engine.SHUTDOWN_NOSAVE)).isTrue();
        assertThat(Files.exists(dir.resolve("dump.rdb"))).isFalse();
        assertThat(h.p.beforeExit(0)).isTrue();
        assertThat(Files.exists(dir.resolve("dump.rdb"))).isTrue();
    }

    @Test
    void sdsValuesAreSavedAsTheyWereAtSnapshotTime() {
        Harness h = new Harness(dir);
        h.exec("SET", "s", "ab");
        h.exec("APPEND", "s", "c");
        Object v = h.engine.db(0).mainMap().get(b("s"));
        assertThat(v).isInstanceOf(Sds.class);
        assertThat(h.exec("SAVE")).isEqualTo("OK");
        assertThat(h.exec("DEBUG", "RELOAD", "NOSAVE")).isEqualTo("OK");
        assertThat(h.exec("GET", "s")).isEqualTo("abc");
    }

    @Test
    void debugReloadOptions() {
        Harness h = new Harness(dir);
        h.exec("SET", "a", "1");
        h.exec("SAVE");
        h.exec("SET", "b", "2");
        assertThat(h.exec("DEBUG", "RELOAD", "NOSAVE", "NOFLUSH", "MERGE")).isEqualTo("OK");
        assertThat(h.exec("MGET", "a", "b")).isEqualTo(List.of("1", "2"));
        assertThat(h.exec("DEBUG", "RELOAD", "BOGUS")).isEqualTo(new Harness.Err("ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options."));
    }
}
