package org.redoubt.engine.commands;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.redoubt.engine.Harness;
import org.redoubt.engine.Harness.Err;
import org.redoubt.engine.config.Notify;
import org.redoubt.engine.type.Sds;
import org.redoubt.engine.type.Types;

class BitCommandsTest {
    private static final String WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value";
    private Harness h;
    private final List<String> events = new ArrayList<>();

    @BeforeEach
    void setUp() {
        h = new Harness();
        h.engine.config.notifyKeyspaceEvents = Notify.ALL | Notify.KEYEVENT;
        h.engine.notifyListeners.add((type, event, key, db) ->
            events.add(event + ":" + new String(key, StandardCharsets.UTF_8)));
    }

    private Object x(String... args) { return h.exec(args); }

    private Object xb(byte[]... args) { return h.execBytes(h.client, args); }

    private static Err err(String m) { return new Err(m); }

    private static byte[] b(String s) { return s.getBytes(StandardCharsets.UTF_8); }

    private static byte[] bytes(int... v) {
        byte[] r = new byte[v.length];
        for (int i = 0; i < v.length; i++) r[i] = (byte) v[i];
        return r;
    }

    private byte[] raw(String key) {
        Object v = h.client.db.lookupNoTouch(b(key));
        return v == null ? null : Types.bytes(v);
    }

    private void set(String key, byte[] v) { xb(b("SET"), b(key), v); }

    private void addList(String key) { h.client.db.add(b(key), new StringCommandsTest.FakeList()); }

    // ------------------------------------------------------------------ SETBIT / GETBIT

    @Test
    void setbitCreatesRawAndReturnsOldBit() {
        assertThat(x("SETBIT", "k", "1", "1")).isEqualTo(0L);
        assertThat(raw("k")).isEqualTo(bytes(0b01000000));
        assertThat(h.client.db.lookupNoTouch(b("k"))).isInstanceOf(Sds.class);
        assertThat(x("SETBIT", "k", "1", "0")).isEqualTo(1L);
        assertThat(raw("k")).isEqualTo(bytes(0));
        assertThat(x("SETBIT", "k", "17", "1")).isEqualTo(0L);
        assertThat(raw("k")).isEqualTo(bytes(0, 0, 0b01000000));
        assertThat(events).containsExactly("setbit:k", "setbit:k", "setbit:k");
    }

    @Test
    void setbitOnStringAndIntegerValues() {
        x("SET", "k", "@");
        assertThat(x("SETBIT", "k", "2", "1")).isEqualTo(0L);
        assertThat(raw("k")).isEqualTo(bytes(0b01100000));
        x("SET", "i", "1");
        assertThat(x("SETBIT", "i", "6", "1")).isEqualTo(0L);
        assertThat(raw("i")).isEqualTo(bytes(0b00110011));
        assertThat(x("SETBIT", "i", "2", "0")).isEqualTo(1L);
        assertThat(raw("i")).isEqualTo(bytes(0b00010011));
    }

    @Test
    void setbitErrors() {
        String off = "ERR bit offset is not an integer or out of range";
        String val = "ERR bit is not an integer or out of range";
        assertThat(x("SETBIT", "k", Long.toString(4L * 1024 * 1024 * 1024), "1")).isEqualTo(err(off));
        assertThat(x("SETBIT", "k", "-1", "1")).isEqualTo(err(off));
        assertThat(x("SETBIT", "k", "x", "1")).isEqualTo(err(off));
        for (String v : new String[] {"-1", "2", "10", "x", ""}) {
            assertThat(x("SETBIT", "k", "0", v)).isEqualTo(err(val));
        }
        assertThat(raw("k")).isNull();
        addList("l");
        assertThat(x("SETBIT", "l", "0", "1")).isEqualTo(err(WRONGTYPE));
        assertThat(x("GETBIT", "l", "0")).isEqualTo(err(WRONGTYPE));
    }

    @Test
    void setbitDirtyOnlyOnChange() {
        x("SETBIT", "k", "0", "0");
        assertThat(h.engine.dirty).isEqualTo(1);   // created
        x("SETBIT", "k", "0", "0");
        assertThat(h.engine.dirty).isEqualTo(1);   // unchanged
        x("SETBIT", "k", "0", "1");
        x("SETBIT", "k", "0", "1");
        assertThat(h.engine.dirty).isEqualTo(2);
        x("SETBIT", "k", "90", "0");
        assertThat(h.engine.dirty).isEqualTo(3);   // only the length changed
        assertThat(raw("k")).hasSize(12);
    }

    @Test
    void setbitNoChangeDoesNotCopy() {
        x("SET", "k", "a");
        Object before = h.client.db.lookupNoTouch(b("k"));
        x("SETBIT", "k", "1", "1");   // 'a' = 0110 0001: bit 1 already set
        assertThat(h.client.db.lookupNoTouch(b("k"))).isSameAs(before);
    }

    @Test
    void setbitFuzzAgainstBitSet() {
        Random r = new Random(1);
        boolean[] model = new boolean[2048];
        int maxSet = -1;
        for (int i = 0; i < 2000; i++) {
            int pos = r.nextInt(model.length);
            boolean on = r.nextBoolean();
            long old = (Long) x("SETBIT", "k", Integer.toString(pos), on ? "1" : "0");
            assertThat(old == 1).isEqualTo(model[pos]);
            model[pos] = on;
            maxSet = Math.max(maxSet, pos);
        }
        byte[] v = raw("k");
        assertThat(v).hasSize(maxSet / 8 + 1);
        for (int i = 0; i < v.length * 8; i++) {
            assertThat(((v[i >> 3] >> (7 - (i & 7))) & 1) == 1).isEqualTo(model[i]);
            assertThat(x("GETBIT", "k", Integer.toString(i))).isEqualTo(model[i] ? 1L : 0L);
        }
    }

    @Test
    void getbit() {
        assertThat(x("GETBIT", "none", "0")).isEqualTo(0L);
        x("SET", "k", "`");
        assertThat(List.of(x("GETBIT", "k", "0"), x("GETBIT", "k", "1"), x("GETBIT", "k", "2"), x("GETBIT", "k", "3")))
            .isEqualTo(List.of(0L, 1L, 1L, 0L));
        assertThat(x("GETBIT", "k", "8")).isEqualTo(0L);
        assertThat(x("GETBIT", "k", "10000")).isEqualTo(0L);
        x("SET", "i", "1");
        assertThat(x("GETBIT", "i", "2")).isEqualTo(1L);
        assertThat(x("GETBIT", "i", "-1")).isEqualTo(err("ERR bit offset is not an integer or out of range"));
    }

    // ------------------------------------------------------------------ BITCOUNT

    @Test
    void bitcountBasics() {
        assertThat(x("BITCOUNT", "none")).isEqualTo(0L);
        assertThat(x("BITCOUNT", "none", "0", "1000", "bit")).isEqualTo(0L);
        x("SET", "s", "foobar");
        assertThat(x("BITCOUNT", "s")).isEqualTo(26L);
        assertThat(x("BITCOUNT", "s", "0", "0")).isEqualTo(4L);
        assertThat(x("BITCOUNT", "s", "1", "1")).isEqualTo(6L);
        assertThat(x("BITCOUNT", "s", "1", "-2")).isEqualTo((long) countBits(b("ooba")));
        assertThat(x("BITCOUNT", "s", "-2", "1")).isEqualTo(0L);
        assertThat(x("BITCOUNT", "s", "0", "1000")).isEqualTo(26L);
        assertThat(x("BITCOUNT", "s", "5", "30", "BIT")).isEqualTo(17L);
        assertThat(x("BITCOUNT", "s", "0", "-1", "bit")).isEqualTo(26L);
        assertThat(x("BITCOUNT", "s", "-2", "1", "bit")).isEqualTo(0L);
        x("SET", "x", "xxxx");
        assertThat(x("BITCOUNT", "x", "4", "10")).isEqualTo(0L);
        assertThat(x("BITCOUNT", "x", "32", "87", "bit")).isEqualTo(0L);
        assertThat(x("BITCOUNT", "x", "-6", "-7")).isEqualTo(0L);
        assertThat(x("BITCOUNT", "x", "-6", "-15", "bit")).isEqualTo(0L);
        x("SET", "ab", "ab");
        assertThat(x("BITCOUNT", "ab", "1", "-1")).isEqualTo(3L);
        x("SET", "w", "__PPxxxxxxxxxxxxxxxxRR__");
        assertThat(x("BITCOUNT", "w", "2", "-3")).isEqualTo(74L);
        x("SET", "e", "");
        assertThat(x("BITCOUNT", "e")).isEqualTo(0L);
        assertThat(x("BITCOUNT", "e", "0", "-1", "bit")).isEqualTo(0L);
    }

    @Test
    void bitcountErrors() {
        x("SET", "s", "foobar");
        assertThat(x("BITCOUNT", "s", "0")).isEqualTo(err("ERR syntax error"));
        assertThat(x("BITCOUNT", "s", "0", "1", "hello")).isEqualTo(err("ERR syntax error"));
        assertThat(x("BITCOUNT", "s", "0", "1", "bit", "x")).isEqualTo(err("ERR syntax error"));
        assertThat(x("BITCOUNT", "s", "a", "1")).isEqualTo(err("ERR value is not an integer or out of range"));
        // Redis checks the key before the arguments.
        assertThat(x("BITCOUNT", "none", "a", "b")).isEqualTo(0L);
        assertThat(x("BITCOUNT", "s", "0", "4294967296")).isEqualTo(26L);
        addList("l");
        assertThat(x("BITCOUNT", "l")).isEqualTo(err(WRONGTYPE));
    }

    @Test
    void bitcountFuzzAgainstReference() {
        Random r = new Random(2);
        for (int round = 0; round < 200; round++) {
            byte[] s = new byte[r.nextInt(300)];
            r.nextBytes(s);
            set("s", s);
            assertThat(x("BITCOUNT", "s")).isEqualTo((long) countBits(s));
            int nbits = s.length * 8;
            if (nbits == 0) continue;
            int a = r.nextInt(nbits), z = r.nextInt(nbits);
            int lo = Math.min(a, z), hi = Math.max(a, z);
            assertThat(x("BITCOUNT", "s", Integer.toString(lo), Integer.toString(hi), "BIT"))
                .isEqualTo((long) countBitRange(s, lo, hi));
            int blo = lo / 8, bhi = hi / 8;
            assertThat(x("BITCOUNT", "s", Integer.toString(blo), Integer.toString(bhi)))
                .isEqualTo((long) countBitRange(s, blo * 8, bhi * 8 + 7));
        }
    }

    // ------------------------------------------------------------------ BITPOS

    @Test
    void bitposMissingAndEmpty() {
        assertThat(x("BITPOS", "none", "0")).isEqualTo(0L);
        assertThat(x("BITPOS", "none", "1")).isEqualTo(-1L);
        assertThat(x("BITPOS", "none", "0", "0", "-1", "bit")).isEqualTo(0L);
        x("SET", "e", "");
        assertThat(x("BITPOS", "e", "1")).isEqualTo(-1L);
        assertThat(x("BITPOS", "e", "0")).isEqualTo(-1L);
    }

    @Test
    void bitposBasics() {
        set("s", bytes(0xff, 0xf0, 0x00));
        assertThat(x("BITPOS", "s", "0")).isEqualTo(12L);
        assertThat(x("BITPOS", "s", "0", "0", "-1", "bit")).isEqualTo(12L);
        assertThat(x("BITPOS", "s", "0", "1")).isEqualTo(12L);
        set("s", bytes(0x00, 0x0f, 0xff));
        assertThat(x("BITPOS", "s", "1")).isEqualTo(12L);
        assertThat(x("BITPOS", "s", "1", "1", "-1", "bit")).isEqualTo(12L);
        assertThat(x("BITPOS", "s", "1", "13", "-1", "bit")).isEqualTo(13L);
        set("s", bytes(0x00, 0xff, 0x00));
        assertThat(x("BITPOS", "s", "0", "1", "-1")).isEqualTo(16L);
        assertThat(x("BITPOS", "s", "0", "2", "200")).isEqualTo(16L);
        assertThat(x("BITPOS", "s", "0", "1", "1")).isEqualTo(-1L);
        assertThat(x("BITPOS", "s", "0", "8", "8", "bit")).isEqualTo(-1L);
        assertThat(x("BITPOS", "s", "1", "2", "-1")).isEqualTo(-1L);
        assertThat(x("BITPOS", "s", "1", "8", "8", "bit")).isEqualTo(8L);
        assertThat(x("BITPOS", "s", "1", "16", "200", "bit")).isEqualTo(-1L);
        set("s", bytes(0xff, 0xff, 0xff));
        assertThat(x("BITPOS", "s", "0")).isEqualTo(24L);
        assertThat(x("BITPOS", "s", "0", "0")).isEqualTo(24L);
        assertThat(x("BITPOS", "s", "0", "0", "-1")).isEqualTo(-1L);
        assertThat(x("BITPOS", "s", "0", "0", "-1", "bit")).isEqualTo(-1L);
        assertThat(x("BITPOS", "s", "0", "5", "2")).isEqualTo(-1L);
    }

    @Test
    void bitposAcrossWords() {
        byte[] s = new byte[3 + 24 + 1];
        Arrays.fill(s, (byte) 0xff);
        s[27] = 0x0f;
        set("s", s);
        for (int start = 0; start <= 8; start++) {
            assertThat(x("BITPOS", "s", "0", Integer.toString(start))).isEqualTo(216L);
            assertThat(x("BITPOS", "s", "0", Integer.toString(start * 8 + 1), "-1", "bit")).isEqualTo(216L);
        }
        byte[] z = new byte[28];
        z[27] = (byte) 0xf0;
        set("z", z);
        for (int start = 0; start <= 8; start++) {
            assertThat(x("BITPOS", "z", "1", Integer.toString(start))).isEqualTo(216L);
        }
    }

    @Test
    void bitposErrors() {
        x("SET", "s", "a");
        assertThat(x("BITPOS", "s", "2")).isEqualTo(err("ERR The bit argument must be 1 or 0."));
        assertThat(x("BITPOS", "s", "x")).isEqualTo(err("ERR value is not an integer or out of range"));
        assertThat(x("BITPOS", "s", "1", "0", "1", "foo")).isEqualTo(err("ERR syntax error"));
        assertThat(x("BITPOS", "s", "1", "0", "1", "bit", "x")).isEqualTo(err("ERR syntax error"));
        assertThat(x("BITPOS", "s", "1", "z")).isEqualTo(err("ERR value is not an integer or out of range"));
        addList("l");
        assertThat(x("BITPOS", "l", "1")).isEqualTo(err(WRONGTYPE));
    }

    @Test
    void bitposFuzzAgainstReference() {
        Random r = new Random(3);
        for (int round = 0; round < 300; round++) {
            byte[] s = new byte[1 + r.nextInt(100)];
            int fill = r.nextInt(3);
            for (int i = 0; i < s.length; i++) s[i] = (byte) (fill == 0 ? 0 : fill == 1 ? 0xff : r.nextInt(256));
            if (r.nextBoolean()) s[r.nextInt(s.length)] ^= (byte) (1 << r.nextInt(8));
            set("s", s);
            int nbits = s.length * 8;
            int a = r.nextInt(nbits), z = r.nextInt(nbits);
            int lo = Math.min(a, z), hi = Math.max(a, z);
            for (int bit = 0; bit <= 1; bit++) {
                assertThat(x("BITPOS", "s", Integer.toString(bit), Integer.toString(lo), Integer.toString(hi), "BIT"))
                    .isEqualTo(refPos(s, lo, hi, bit));
                long whole = refPos(s, 0, nbits - 1, bit);
                if (whole < 0 && bit == 0) whole = nbits;
                assertThat(x("BITPOS", "s", Integer.toString(bit))).isEqualTo(whole);
            }
        }
    }

    // ------------------------------------------------------------------ BITOP

    @Test
    void bitopBasics() {
        set("a", bytes(0x01, 0x02, 0xff, 0xff));
        set("b", bytes(0x01, 0x02, 0xff));
        assertThat(x("BITOP", "AND", "r1", "a", "b")).isEqualTo(4L);
        assertThat(x("BITOP", "or", "r2", "a", "b")).isEqualTo(4L);
        assertThat(x("BITOP", "Xor", "r3", "a", "b")).isEqualTo(4L);
        assertThat(raw("r1")).isEqualTo(bytes(0x01, 0x02, 0xff, 0x00));
        assertThat(raw("r2")).isEqualTo(bytes(0x01, 0x02, 0xff, 0xff));
        assertThat(raw("r3")).isEqualTo(bytes(0x00, 0x00, 0x00, 0xff));
        assertThat(x("BITOP", "AND", "r4", "nokey", "a")).isEqualTo(4L);
        assertThat(raw("r4")).isEqualTo(bytes(0, 0, 0, 0));
        set("n", bytes(0xaa, 0x00, 0xff, 0x55));
        assertThat(x("BITOP", "NOT", "n", "n")).isEqualTo(4L);
        assertThat(raw("n")).isEqualTo(bytes(0x55, 0xff, 0x00, 0xaa));
        x("SET", "i1", "1");
        x("SET", "i2", "2");
        x("BITOP", "XOR", "d", "i1", "i2", "i1");
        assertThat(x("GET", "d")).isEqualTo("2");
        assertThat(Types.encoding(h.client.db.lookupNoTouch(b("d")))).isEqualTo("raw");
    }

    @Test
    void bitopEmptyResultDeletesTarget() {
        x("SET", "dest", "old");
        x("SET", "e", "");
        events.clear();
        assertThat(x("BITOP", "NOT", "dest", "e")).isEqualTo(0L);
        assertThat(raw("dest")).isNull();
        assertThat(events).containsExactly("del:dest");
        assertThat(x("BITOP", "OR", "dest", "missing1", "missing2")).isEqualTo(0L);
        assertThat(events).containsExactly("del:dest");
    }

    @Test
    void bitopDropsTargetTtl() {
        x("SET", "dest", "old", "EX", "100");
        x("SET", "a", "x");
        x("BITOP", "OR", "dest", "a");
        assertThat(h.client.db.getExpire(b("dest"))).isEqualTo(-1);
        assertThat(x("GET", "dest")).isEqualTo("x");
    }

    @Test
    void bitopErrors() {
        x("SET", "a", "1");
        addList("l");
        assertThat(x("BITOP", "NOT", "d", "a", "a")).isEqualTo(err("ERR BITOP NOT must be called with a single source key."));
        assertThat(x("BITOP", "NAND", "d", "a")).isEqualTo(err("ERR syntax error"));
        assertThat(x("BITOP", "XOR", "d", "a", "l", "z")).isEqualTo(err(WRONGTYPE));
        assertThat(raw("d")).isNull();
    }

    @Test
    void bitopFuzzAgainstReference() {
        Random r = new Random(4);
        String[] ops = {"AND", "OR", "XOR", "NOT"};
        for (int round = 0; round < 200; round++) {
            String op = ops[r.nextInt(4)];
            int n = op.equals("NOT") ? 1 : 1 + r.nextInt(6);
            byte[][] vs = new byte[n][];
            List<String> cmd = new ArrayList<>(List.of("BITOP", op, "dest"));
            int max = 0;
            for (int i = 0; i < n; i++) {
                vs[i] = new byte[r.nextInt(100)];
                r.nextBytes(vs[i]);
                max = Math.max(max, vs[i].length);
                set("v" + i, vs[i]);
                cmd.add("v" + i);
            }
            assertThat(x(cmd.toArray(new String[0]))).isEqualTo((long) max);
            if (max == 0) {
                assertThat(raw("dest")).isNull();
                continue;
            }
            byte[] want = new byte[max];
            for (int j = 0; j < max; j++) {
                int acc = j < vs[0].length ? vs[0][j] & 0xff : 0;
                if (op.equals("NOT")) acc = ~acc & 0xff;
                for (int i = 1; i < n; i++) {
                    int v = j < vs[i].length ? vs[i][j] & 0xff : 0;
                    acc = switch (op) { case "AND" -> acc & v; case "OR" -> acc | v; default -> acc ^ v; };
                }
                want[j] = (byte) acc;
            }
            assertThat(raw("dest")).isEqualTo(want);
        }
    }

    // ------------------------------------------------------------------ BITFIELD

    @Test
    void bitfieldSetGetBasics() {
        assertThat(x("BITFIELD", "bits", "set", "i8", "0", "-100")).isEqualTo(List.of(0L));
        assertThat(x("BITFIELD", "bits", "set", "i8", "0", "101")).isEqualTo(List.of(-100L));
        assertThat(x("BITFIELD", "bits", "get", "i8", "0")).isEqualTo(List.of(101L));
        assertThat(x("BITFIELD", "u", "set", "u8", "0", "255", "set", "u8", "0", "100", "get", "u8", "0"))
            .isEqualTo(List.of(0L, 255L, 100L));
        assertThat(x("BITFIELD", "s", "set", "i8", "0", "255", "set", "i8", "0", "100", "get", "i8", "0"))
            .isEqualTo(List.of(0L, -1L, 100L));
        assertThat(x("BITFIELD", "t", "set", "u8", "0", "255", "incrby", "u8", "0", "100", "get", "u8", "0"))
            .isEqualTo(List.of(0L, 99L, 99L));
        assertThat(x("BITFIELD", "none")).isEqualTo(List.of());
        assertThat(raw("none")).isNull();
    }

    @Test
    void bitfieldHashOffsetsAndLayout() {
        x("BITFIELD", "b", "set", "u8", "#0", "65", "set", "u8", "#1", "66", "set", "u8", "#2", "67");
        assertThat(x("GET", "b")).isEqualTo("ABC");
        // u5 value 23 at bit 7: 00000001 01110000
        x("BITFIELD", "c", "set", "u5", "7", "23");
        assertThat(raw("c")).isEqualTo(bytes(0b00000001, 0b01110000));
        assertThat(x("BITFIELD", "c", "get", "u5", "7", "get", "i5", "7", "get", "u16", "0")).isEqualTo(List.of(23L, -9L, 368L));
        x("SET", "one", "1");
        assertThat(x("BITFIELD", "one", "get", "u1", "0")).isEqualTo(List.of(0L));
    }

    @Test
    void bitfieldIncrbyAndOverflow() {
        x("BITFIELD", "b", "set", "u8", "#0", "10");
        assertThat(x("BITFIELD", "b", "incrby", "u8", "#0", "100", "incrby", "u8", "#0", "100")).isEqualTo(List.of(110L, 210L));

        x("BITFIELD", "w", "set", "u8", "#0", "100");
        assertThat(x("BITFIELD", "w", "overflow", "wrap", "incrby", "u8", "#0", "257")).isEqualTo(List.of(101L));
        assertThat(x("BITFIELD", "w", "overflow", "wrap", "incrby", "u8", "#0", "255")).isEqualTo(List.of(100L));

        x("BITFIELD", "s", "set", "u8", "#0", "100");
        assertThat(x("BITFIELD", "s", "overflow", "sat", "incrby", "u8", "#0", "257")).isEqualTo(List.of(255L));
        assertThat(x("BITFIELD", "s", "overflow", "sat", "incrby", "u8", "#0", "-255")).isEqualTo(List.of(0L));

        x("BITFIELD", "iw", "set", "i8", "#0", "100");
        assertThat(x("BITFIELD", "iw", "overflow", "wrap", "incrby", "i8", "#0", "257")).isEqualTo(List.of(101L));
        assertThat(x("BITFIELD", "iw", "overflow", "wrap", "incrby", "i8", "#0", "255")).isEqualTo(List.of(100L));

        x("BITFIELD", "is", "set", "u8", "#0", "100");
        assertThat(x("BITFIELD", "is", "overflow", "sat", "incrby", "i8", "#0", "257")).isEqualTo(List.of(127L));
        assertThat(x("BITFIELD", "is", "overflow", "sat", "incrby", "i8", "#0", "-255")).isEqualTo(List.of(-128L));

        x("BITFIELD", "f", "set", "u8", "0", "250");
        assertThat(x("BITFIELD", "f", "overflow", "fail", "incrby", "u8", "0", "10", "get", "u8", "0"))
            .isEqualTo(Arrays.asList(null, 250L));
        // OVERFLOW applies to the operations after it only.
        assertThat(x("BITFIELD", "f", "incrby", "u8", "0", "10", "overflow", "fail", "incrby", "u8", "0", "300"))
            .isEqualTo(Arrays.asList(4L, null));
    }

    @Test
    void bitfieldRegression3564() {
        for (int i = 0; i < 3; i++) {
            h.client.db.delete(b("m"));
            assertThat(x("BITFIELD", "m", "SET", "i8", "0", "10", "SET", "i8", "64", "10", "INCRBY", "i8", "10", "99900"))
                .isEqualTo(List.of(0L, 0L, 60L));
        }
    }

    @Test
    void bitfield64BitFields() {
        assertThat(x("BITFIELD", "k", "set", "i64", "3", "-9223372036854775808", "get", "i64", "3"))
            .isEqualTo(List.of(0L, Long.MIN_VALUE));
        assertThat(x("BITFIELD", "k", "overflow", "fail", "incrby", "i64", "3", "-1")).isEqualTo(Arrays.asList((Object) null));
        assertThat(x("BITFIELD", "k", "overflow", "sat", "incrby", "i64", "3", "-1")).isEqualTo(List.of(Long.MIN_VALUE));
        assertThat(x("BITFIELD", "k", "overflow", "wrap", "incrby", "i64", "3", "-1")).isEqualTo(List.of(Long.MAX_VALUE));
        assertThat(x("BITFIELD", "k2", "set", "u63", "0", "9223372036854775807", "get", "u63", "0"))
            .isEqualTo(List.of(0L, Long.MAX_VALUE));
    }

    @Test
    void bitfieldOverflowFuzz() {
        Random r = new Random(5);
        java.math.BigInteger two = java.math.BigInteger.TWO;
        for (int i = 0; i < 2000; i++) {
            int bits = 1 + r.nextInt(64);
            boolean signed = bits == 64 || r.nextBoolean();
            java.math.BigInteger range = two.pow(bits);
            java.math.BigInteger min = signed ? range.shiftRight(1).negate() : java.math.BigInteger.ZERO;
            java.math.BigInteger max = min.add(range).subtract(java.math.BigInteger.ONE);
            java.math.BigInteger value = clampLong(min.multiply(two).add(new java.math.BigInteger(bits + 1, r).mod(range.multiply(two))));
            java.math.BigInteger incr = clampLong(min.multiply(two).add(new java.math.BigInteger(bits + 1, r).mod(range.multiply(two))));
            String type = (signed ? "i" : "u") + bits;
            h.client.db.delete(b("f"));
            boolean overflow = value.compareTo(max) > 0 || value.compareTo(min) < 0
                || value.add(incr).compareTo(max) > 0 || value.add(incr).compareTo(min) < 0;
            List<?> r1 = (List<?>) x("BITFIELD", "f", "overflow", "fail", "set", type, "0", value.toString());
            List<?> r2 = (List<?>) x("BITFIELD", "f", "overflow", "fail", "incrby", type, "0", incr.toString());
            if (overflow) assertThat(r1.get(0) == null || r2.get(0) == null).as(type + " " + value + "+" + incr).isTrue();
            else assertThat(r1.get(0) != null && r2.get(0) != null).as(type + " " + value + "+" + incr).isTrue();

            h.client.db.delete(b("f"));
            x("BITFIELD", "f", "overflow", "wrap", "set", type, "0", value.toString());
            x("BITFIELD", "f", "overflow", "wrap", "incrby", type, "0", incr.toString());
            Object got = ((List<?>) x("BITFIELD", "f", "get", type, "0")).get(0);
            java.math.BigInteger want = value.add(incr).subtract(min).mod(range).add(min);
            assertThat(java.math.BigInteger.valueOf((Long) got)).as(type + " wrap " + value + "+" + incr).isEqualTo(want);
        }
    }

    @Test
    void bitfieldDirtyAccounting() {
        x("BITFIELD", "f", "set", "i5", "0", "0");
        assertThat(h.engine.dirty).isEqualTo(1);
        x("BITFIELD", "f", "set", "i5", "0", "0");
        assertThat(h.engine.dirty).isEqualTo(1);
        x("BITFIELD", "f", "set", "i5", "0", "1");
        x("BITFIELD", "f", "set", "i5", "0", "1");
        assertThat(h.engine.dirty).isEqualTo(2);
        x("BITFIELD", "g", "incrby", "i5", "0", "1");
        x("BITFIELD", "g", "incrby", "i5", "0", "1");
        assertThat(h.engine.dirty).isEqualTo(4);
        x("BITFIELD", "f", "set", "i5", "90", "0");
        assertThat(h.engine.dirty).isEqualTo(5);
        assertThat(events).containsExactly("setbit:f", "setbit:f", "setbit:g", "setbit:g", "setbit:f");
    }

    @Test
    void bitfieldErrors() {
        String type = "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.";
        String off = "ERR bit offset is not an integer or out of range";
        for (String t : new String[] {"u64", "i65", "i0", "x8", "I8", "u", "", "i8x"}) {
            assertThat(x("BITFIELD", "k", "get", t, "0")).as(t).isEqualTo(err(type));
        }
        assertThat(x("BITFIELD", "k", "get", "u8", "-1")).isEqualTo(err(off));
        assertThat(x("BITFIELD", "k", "get", "u8", "#-1")).isEqualTo(err(off));
        assertThat(x("BITFIELD", "k", "get", "u8", "x")).isEqualTo(err(off));
        assertThat(x("BITFIELD", "k", "get", "u8", Long.toString(4L * 1024 * 1024 * 1024))).isEqualTo(err(off));
        assertThat(x("BITFIELD", "k", "set", "u8", "0", "x")).isEqualTo(err("ERR value is not an integer or out of range"));
        assertThat(x("BITFIELD", "k", "overflow", "never")).isEqualTo(err("ERR Invalid OVERFLOW type specified"));
        assertThat(x("BITFIELD", "k", "get", "u8")).isEqualTo(err("ERR syntax error"));
        assertThat(x("BITFIELD", "k", "bogus")).isEqualTo(err("ERR syntax error"));
        assertThat(raw("k")).isNull();
        addList("l");
        assertThat(x("BITFIELD", "l", "get", "u8", "0")).isEqualTo(err(WRONGTYPE));
        assertThat(x("BITFIELD", "l", "set", "u8", "0", "1")).isEqualTo(err(WRONGTYPE));
    }

    @Test
    void bitfieldRo() {
        x("BITFIELD", "k", "set", "u8", "0", "100");
        assertThat(x("BITFIELD_RO", "k", "get", "u8", "0")).isEqualTo(List.of(100L));
        assertThat(x("BITFIELD_RO", "k")).isEqualTo(List.of());
        assertThat(x("BITFIELD_RO", "k", "set", "u8", "0", "100", "get", "u8", "0"))
            .isEqualTo(err("ERR BITFIELD_RO only supports the GET subcommand"));
        assertThat(x("BITFIELD_RO", "k", "incrby", "u8", "0", "1"))
            .isEqualTo(err("ERR BITFIELD_RO only supports the GET subcommand"));
    }

    @Test
    void bitfieldWriteOnSnapshotSharedValueCopies() {
        x("SETBIT", "k", "0", "1");
        Sds before = (Sds) h.client.db.lookupNoTouch(b("k"));
        h.engine.snapshotEpoch++;
        x("BITFIELD", "k", "set", "u8", "0", "1");
        assertThat(before.toBytes()).isEqualTo(bytes(0x80));
        assertThat(raw("k")).isEqualTo(bytes(0x01));
        // A no-op write leaves the shared value in place.
        Object cur = h.client.db.lookupNoTouch(b("k"));
        h.engine.snapshotEpoch++;
        x("BITFIELD", "k", "set", "u8", "0", "1");
        assertThat(h.client.db.lookupNoTouch(b("k"))).isSameAs(cur);
    }

    // ------------------------------------------------------------------ references

    private static int countBits(byte[] s) {
        int n = 0;
        for (byte x : s) n += Integer.bitCount(x & 0xff);
        return n;
    }

    private static int countBitRange(byte[] s, int lo, int hi) {
        int n = 0;
        for (int i = lo; i <= hi && i < s.length * 8; i++) n += (s[i >> 3] >> (7 - (i & 7))) & 1;
        return n;
    }

    private static long refPos(byte[] s, int lo, int hi, int bit) {
        for (int i = lo; i <= hi; i++) if (((s[i >> 3] >> (7 - (i & 7))) & 1) == bit) return i;
        return -1;
    }

    private static java.math.BigInteger clampLong(java.math.BigInteger v) {
        java.math.BigInteger max = java.math.BigInteger.valueOf(Long.MAX_VALUE), min = java.math.BigInteger.valueOf(Long.MIN_VALUE);
        return v.max(min).min(max);
    }
}
