package org.redoubt.engine.script;

import static org.assertj.core.api.Assertions.assertThat;
import static org.redoubt.engine.script.EvalTest.err;

import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.redoubt.engine.Harness;

/** cjson, cmsgpack, bit and struct as Redis's Lua has them. */
class LibrariesTest {
    private Harness h;

    @BeforeEach
    void setUp() { h = new Harness(); }

    private Object eval(String script) { return h.exec("EVAL", script, "0"); }

    private static final String HEX = "local h = '' for i = 1, #encoded do h = h .. string.format('%02x', string.byte(encoded, i)) end return h";

    @Test
    void cjson() {
        assertThat(eval("return table.concat(cjson.decode('[0.0, -5e3, -1, 0.3e-3, 1023.2, 0e10]'), ' ')")).isEqualTo("0 -5000 -1 0.0003 1023.2 0");
        assertThat(eval("local d = cjson.decode('{\"keya\": \"a\", \"keyb\": \"b\"}') return {d.keya, d.keyb}")).isEqualTo(List.of("a", "b"));
        assertThat(eval("return cjson.encode({1, 2, 'x/y', true, false})")).isEqualTo("[1,2,\"x\\/y\",true,false]");
        assertThat(eval("return cjson.encode({})")).isEqualTo("{}");
        assertThat(eval("return cjson.encode({a = {b = 0.1}})")).isEqualTo("{\"a\":{\"b\":0.1}}");
        assertThat(eval("return cjson.encode('\\1\\n\"')")).isEqualTo("\"\\u0001\\n\\\"\"");
        assertThat(eval("return cjson.decode('null') == cjson.null")).isEqualTo(1L);
        assertThat(eval("return cjson.decode('\"\\\\u00e9\"')")).isEqualTo("é");
        assertThat(err(eval("return cjson.encode({[false] = 1})"))).contains("Cannot serialise boolean: table key must be a number or string");
        assertThat(err(eval("return cjson.encode({num = 0/0})"))).contains("Cannot serialise number: must not be NaN or Inf");
        assertThat(err(eval("return cjson.decode('[1,2')"))).contains("Expected comma or array end but found T_END at character 5");
        assertThat(err(eval("return cjson.encode({[1]=1, [100]=2})"))).contains("Cannot serialise table: excessively sparse array");
        assertThat(eval("cjson.encode_max_depth(1) local ok = pcall(cjson.encode, {{1}}) cjson.encode_max_depth(1000) return ok")).isNull();
        assertThat(eval("cjson.decode_max_depth(1) local ok = pcall(cjson.decode, '[[1]]') cjson.decode_max_depth(1000) return ok")).isNull();
        assertThat(eval("cjson.encode_invalid_numbers(true) local s = cjson.encode({n = 0/0}) cjson.encode_invalid_numbers(false) return s"))
            .isEqualTo("{\"n\":nan}");
    }

    @Test
    void cmsgpack() {
        assertThat(eval("local encoded = cmsgpack.pack(0.1) " + HEX)).isEqualTo("cb3fb999999999999a");
        assertThat(eval("local encoded = cmsgpack.pack(-1099511627776) " + HEX)).isEqualTo("d3ffffff0000000000");
        assertThat(eval("local encoded = cmsgpack.pack(1, 200, 70000, -5, -200, 'ab', {1,2}, true, nil) " + HEX))
            .isEqualTo("01ccc8ce00011170fbd1ff38a26162920102c3c0");
        assertThat(eval("local t = cmsgpack.unpack(cmsgpack.pack({a = 1, b = {1, 2, 3}, s = string.rep('x', 300)})) return {t.a, t.b[3], #t.s}"))
            .isEqualTo(List.of(1L, 3L, 300L));
        assertThat(eval("local a, b, c = cmsgpack.unpack(cmsgpack.pack(1, 'two', 3.5)) return {a, b, tostring(c)}"))
            .isEqualTo(List.of(1L, "two", "3.5"));
        assertThat(eval("local e = cmsgpack.pack('a', 'b') local o1, v1 = cmsgpack.unpack_one(e) local o2, v2 = cmsgpack.unpack_one(e, o1) return {o1, v1, o2, v2}"))
            .isEqualTo(List.of(2L, "a", -1L, "b"));
        assertThat(err(eval("return cmsgpack.unpack('\\205')"))).contains("Missing bytes in input.");
    }

    @Test
    void bit() {
        assertThat(eval("return {bit.tobit(1), bit.band(1), bit.bxor(1,2), bit.bor(1,2,4,8,16,32,64,128)}")).isEqualTo(List.of(1L, 1L, 3L, 255L));
        assertThat(eval("return {bit.tobit(0xffffffff), bit.tobit(2^32 + 5), bit.bnot(0), bit.lshift(1, 31), bit.rshift(-1, 28), bit.arshift(-16, 2)}"))
            .isEqualTo(List.of(-1L, 5L, -1L, -2147483648L, 15L, -4L));
        assertThat(eval("return {bit.tohex(255), bit.tohex(255, -4), bit.tohex(-1, 2), bit.bswap(0x12345678) == 0x78563412}"))
            .isEqualTo(List.of("000000ff", "00FF", "ff", 1L));
        assertThat(err(eval("return bit.band('x')"))).contains("bad argument #1 to 'band'");
    }

    @Test
    void struct() {
        assertThat(eval("return struct.size('>iHb')")).isEqualTo(7L);
        assertThat(eval("local encoded = struct.pack('>iHb', 1, 2, 3) " + HEX)).isEqualTo("00000001000203");
        assertThat(eval("local encoded = struct.pack('<i', -2) " + HEX)).isEqualTo("feffffff");
        assertThat(eval("return {struct.unpack('>iHb', struct.pack('>iHb', -7, 65535, -1))}")).isEqualTo(List.of(-7L, 65535L, -1L, 8L));
        assertThat(eval("local s, n = struct.unpack('s', struct.pack('s', 'hello')) return {s, n}")).isEqualTo(List.of("hello", 7L));
        assertThat(eval("return {struct.unpack('bc0', struct.pack('bc0', 3, 'abc'))}")).isEqualTo(List.of("abc", 5L));
        assertThat(eval("return tostring(struct.unpack('<d', struct.pack('<d', 0.5)))")).isEqualTo("0.5");
        assertThat(err(eval("return struct.unpack('>i', 'ab')"))).contains("data string too short");
    }
}
