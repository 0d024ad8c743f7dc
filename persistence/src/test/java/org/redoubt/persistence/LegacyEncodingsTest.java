package org.redoubt.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.redoubt.persistence.rdb.Crc64;
import org.redoubt.persistence.rdb.Intset;
import org.redoubt.persistence.rdb.Rdb;
import org.redoubt.persistence.rdb.RdbOutput;
import org.redoubt.protocol.Numbers;

/**
 * Files in the encodings Redis before 7.0 wrote (ziplists, zipmaps, quicklist v1, linked lists,
 * text scores, second-precision expires) and RDB version 9 load like Redis 7.0 loads them. The
 * blobs are built here from the format descriptions.
 */
class LegacyEncodingsTest {
    @TempDir
    Path dir;

    // ---------------------------------------------------------------- tiny encoders of old formats

    /** A ziplist of the given elements (integers in their integer encodings). */
    static byte[] ziplist(String... elements) {
        ByteArrayOutputStream entries = new ByteArrayOutputStream();
        int prev = 0;
        int lastStart = 10;
        for (String s : elements) {
            ByteArrayOutputStream e = new ByteArrayOutputStream();
            if (prev < 254) {
                e.write(prev);
            } else {
                e.write(0xFE);
                le(e, prev, 4);
            }
            byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
            if (Numbers.isLong(b)) {
                long v = Numbers.parseLong(b);
                if (v >= 0 && v <= 12) {
                    e.write(0xF1 + (int) v);
                } else if (v >= -128 && v <= 127) {
                    e.write(0xFE);
                    le(e, v, 1);
                } else if (v >= -32768 && v <= 32767) {
                    e.write(0xC0);
                    le(e, v, 2);
                } else if (v >= -(1 << 23) && v < (1 << 23)) {
                    e.write(0xF0);
                    le(e, v, 3);
                } else if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
                    e.write(0xD0);
                    le(e, v, 4);
                } else {
                    e.write(0xE0);
                    le(e, v, 8);
                }
            } else if (b.length < 64) {
                e.write(b.length);
                e.writeBytes(b);
            } else if (b.length < 16384) {
                e.write(0x40 | (b.length >> 8));
                e.write(b.length & 0xff);
                e.writeBytes(b);
            } else {
                e.write(0x80);
                for (int i = 3; i >= 0; i--) e.write((b.length >>> (8 * i)) & 0xff);
                e.writeBytes(b);
            }
            lastStart = 10 + entries.size();
            prev = e.size();
            entries.writeBytes(e.toByteArray());
        }
        ByteArrayOutputStream zl = new ByteArrayOutputStream();
        int total = 10 + entries.size() + 1;
        le(zl, total, 4);
        le(zl, elements.length == 0 ? 10 : lastStart, 4);
        le(zl, elements.length, 2);
        zl.writeBytes(entries.toByteArray());
        zl.write(0xFF);
        return zl.toByteArray();
    }

    /** A zipmap of field/value pairs. */
    static byte[] zipmap(String... kv) {
        ByteArrayOutputStream z = new ByteArrayOutputStream();
        z.write(kv.length / 2);
        for (int i = 0; i < kv.length; i += 2) {
            byte[] f = kv[i].getBytes(StandardCharsets.ISO_8859_1), v = kv[i + 1].getBytes(StandardCharsets.ISO_8859_1);
            z.write(f.length);
            z.writeBytes(f);
            z.write(v.length);
            z.write(1);          // one free byte after the value
            z.writeBytes(v);
            z.write(0);
        }
        z.write(0xFF);
        return z.toByteArray();
    }

    private static void le(ByteArrayOutputStream o, long v, int n) {
        for (int i = 0; i < n; i++) o.write((int) (v >>> (8 * i)) & 0xff);
    }

    // ---------------------------------------------------------------- the file

    private void writeFile(int version, Body body) throws Exception {
        RdbOutput o = new RdbOutput(true);
        o.writeBytes(String.format("REDIS%04d", version).getBytes(StandardCharsets.US_ASCII));
        o.writeType(Rdb.OPCODE_SELECTDB);
        o.writeLen(0);
        body.write(o);
        o.writeType(Rdb.OPCODE_EOF);
        byte[] b = o.toByteArray();
        ByteArrayOutputStream f = new ByteArrayOutputStream();
        f.writeBytes(b);
        if (version >= 5) le(f, Crc64.of(b), 8);
        Files.write(dir.resolve("dump.rdb"), f.toByteArray());
    }

    interface Body {
        void write(RdbOutput o) throws Exception;
    }

    private Harness load() {
        Harness h = new Harness(dir);
        assertThat(h.exec("DEBUG", "RELOAD", "NOSAVE")).isEqualTo("OK");
        return h;
    }

    @Test
    void ziplistAndZipmapEncodingsLoad() throws Exception {
        String big = "z".repeat(300);
        writeFile(9, o -> {
            o.writeType(Rdb.TYPE_LIST_ZIPLIST);
            o.writeString("l".getBytes());
            o.writeString(ziplist("a", "1", "12", "13", "-100", "1000", "100000", "5000000000", big, ""));
            o.writeType(Rdb.TYPE_HASH_ZIPLIST);
            o.writeString("h".getBytes());
            o.writeString(ziplist("f1", "v1", "f2", "2"));
            o.writeType(Rdb.TYPE_ZSET_ZIPLIST);
            o.writeString("z".getBytes());
            o.writeString(ziplist("a", "1", "b", "2.5", "c", "-inf"));
            o.writeType(Rdb.TYPE_HASH_ZIPMAP);
            o.writeString("zm".getBytes());
            o.writeString(zipmap("name", "redis", "n", "7"));
            o.writeType(Rdb.TYPE_SET_INTSET);
            o.writeString("s".getBytes());
            o.writeString(Intset.encode(new long[] {-70000, 1, 2, 3}, 4));
        });
        Harness h = load();
        assertThat(h.exec("LRANGE", "l", "0", "-1")).isEqualTo(List.of("a", "1", "12", "13", "-100", "1000", "100000", "5000000000", big, ""));
        assertThat(h.exec("OBJECT", "ENCODING", "l")).isEqualTo("quicklist");
        assertThat(h.exec("HGETALL", "h")).isEqualTo(List.of("f1", "v1", "f2", "2"));
        assertThat(h.exec("OBJECT", "ENCODING", "h")).isEqualTo("listpack");
        assertThat(h.exec("ZRANGE", "z", "0", "-1", "WITHSCORES")).isEqualTo(List.of("c", "-inf", "a", "1", "b", "2.5"));
        assertThat(h.exec("HGET", "zm", "name")).isEqualTo("redis");
        assertThat(h.exec("HGET", "zm", "n")).isEqualTo("7");
        assertThat(h.exec("SMEMBERS", "s")).isEqualTo(List.of("-70000", "1", "2", "3"));
        assertThat(h.exec("OBJECT", "ENCODING", "s")).isEqualTo("intset");
    }

    @Test
    void quicklistOfZiplistsLinkedListsAndTextScoresLoad() throws Exception {
        writeFile(7, o -> {
            o.writeType(Rdb.TYPE_LIST_QUICKLIST);
            o.writeString("q".getBytes());
            o.writeLen(2);
            o.writeString(ziplist("1", "2", "3"));
            o.writeString(ziplist("four", "five"));
            o.writeType(Rdb.TYPE_LIST);
            o.writeString("linked".getBytes());
            o.writeLen(2);
            o.writeString("x".getBytes());
            o.writeString("y".getBytes());
            o.writeType(Rdb.TYPE_ZSET);
            o.writeString("oldz".getBytes());
            o.writeLen(3);
            o.writeString("m1".getBytes());
            o.writeTextDouble(1.5);
            o.writeString("m2".getBytes());
            o.writeTextDouble(Double.POSITIVE_INFINITY);
            o.writeString("m3".getBytes());
            o.writeTextDouble(-2);
            o.writeType(Rdb.TYPE_SET);
            o.writeString("oldset".getBytes());
            o.writeLen(2);
            o.writeString("p".getBytes());
            o.writeString("q".getBytes());
            // Second-precision expire (RDB_OPCODE_EXPIRETIME), far in the future.
            o.writeType(Rdb.OPCODE_EXPIRETIME);
            long when = System.currentTimeMillis() / 1000 + 100_000;
            for (int i = 0; i < 4; i++) o.writeByte((int) (when >>> (8 * i)) & 0xff);
            o.writeType(Rdb.TYPE_STRING);
            o.writeString("secs".getBytes());
            o.writeString("v".getBytes());
        });
        Harness h = load();
        assertThat(h.exec("LRANGE", "q", "0", "-1")).isEqualTo(List.of("1", "2", "3", "four", "five"));
        assertThat(h.exec("LRANGE", "linked", "0", "-1")).isEqualTo(List.of("x", "y"));
        assertThat(h.exec("ZRANGE", "oldz", "0", "-1", "WITHSCORES")).isEqualTo(List.of("m3", "-2", "m1", "1.5", "m2", "inf"));
        assertThat(h.exec("SCARD", "oldset")).isEqualTo(2L);
        assertThat((Long) h.exec("TTL", "secs")).isBetween(99_000L, 100_000L);
    }

    @Test
    void emptyCollectionsAreSkippedAndDuplicatesRefused() throws Exception {
        writeFile(9, o -> {
            o.writeType(Rdb.TYPE_LIST_QUICKLIST);
            o.writeString("empty".getBytes());
            o.writeLen(0);
            o.writeType(Rdb.TYPE_STRING);
            o.writeString("k".getBytes());
            o.writeString("v".getBytes());
        });
        Harness h = load();
        assertThat(h.exec("DBSIZE")).isEqualTo(1L);
        writeFile(9, o -> {
            o.writeType(Rdb.TYPE_SET);
            o.writeString("dup".getBytes());
            o.writeLen(2);
            o.writeString("a".getBytes());
            o.writeString("a".getBytes());
        });
        Harness h2 = new Harness(dir);
        assertThat(h2.exec("DEBUG", "RELOAD", "NOSAVE")).isEqualTo(new Harness.Err("ERR Error trying to load the RDB dump"));
    }

    @Test
    void moduleDataIsAClearError() throws Exception {
        writeFile(9, o -> {
            o.writeType(Rdb.TYPE_MODULE_2);
            o.writeString("m".getBytes());
            o.writeLen(12345);
        });
        Harness h = new Harness(dir);
        org.redoubt.engine.db.Db[] dbs = new org.redoubt.engine.db.Db[16];
        for (int i = 0; i < 16; i++) dbs[i] = new org.redoubt.engine.db.Db(h.engine, i);
        try {
            h.p.loadFile(dir.resolve("dump.rdb"), dbs, false);
            throw new AssertionError("loaded module data");
        } catch (Persistence.LoadFailure f) {
            assertThat(f.getMessage()).contains("module").contains("offset 11").contains("key 'm'");
        }
    }
}
