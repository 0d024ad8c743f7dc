package org.redoubt.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(LeakCheck.class)
class RespReplyDecoderTest {

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** Decodes the input fed in the given pieces; returns all messages. */
    private static List<Object> decode(byte[] in, int... cuts) {
        EmbeddedChannel ch = new EmbeddedChannel(new RespReplyDecoder());
        try {
            int prev = 0;
            int[] all = Arrays.copyOf(cuts, cuts.length + 1);
            all[cuts.length] = in.length;
            for (int c : all) {
                if (c > prev) ch.writeInbound(LeakCheck.buf(in, prev, c - prev));
                prev = c;
            }
            List<Object> out = new ArrayList<>();
            Object m;
            while ((m = ch.readInbound()) != null) out.add(m);
            return out;
        } finally {
            ch.finishAndReleaseAll();
        }
    }

    /** Normalizes decoded values so they compare by content (byte[] to "b:..." strings). */
    private static Object norm(Object o) {
        if (o instanceof byte[] a) return "b:" + new String(a, StandardCharsets.ISO_8859_1);
        if (o instanceof List<?> l) {
            List<Object> r = new ArrayList<>();
            for (Object x : l) r.add(norm(x));
            return r;
        }
        if (o instanceof Set<?> s) {
            List<Object> r = new ArrayList<>();
            for (Object x : s) r.add(norm(x));
            return "set" + r;
        }
        if (o instanceof Map<?, ?> m) {
            Map<Object, Object> r = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : m.entrySet()) r.put(norm(e.getKey()), norm(e.getValue()));
            return r;
        }
        if (o instanceof RespClient.Push p) return "push" + norm(p.data());
        if (o instanceof RespClient.Attributes a) return "attr" + norm(a.attributes());
        if (o instanceof RespClient.Verbatim v) return "verb:" + v.format() + ":" + v.text();
        if (o == RespReplyDecoder.NULL) return "NULL";
        if (o == null) return "null";
        return o;
    }

    /** Decodes at once, at every split, and byte by byte; all must agree. Returns normalized. */
    private static List<Object> all(String input) {
        byte[] in = b(input);
        Object whole = norm(decode(in));
        for (int k = 0; k <= in.length; k++) assertThat(norm(decode(in, k))).as("split %d", k).isEqualTo(whole);
        int[] each = new int[in.length];
        for (int i = 0; i < in.length; i++) each[i] = i;
        assertThat(norm(decode(in, each))).as("byte by byte").isEqualTo(whole);
        @SuppressWarnings("unchecked")
        List<Object> r = (List<Object>) whole;
        return r;
    }

    private static Object one(String input) {
        List<Object> r = all(input);
        assertThat(r).hasSize(1);
        return r.get(0);
    }

    @Test
    void resp2Types() {
        assertThat(one("+OK\r\n")).isEqualTo("OK");
        assertThat(one("-ERR bad thing\r\n")).isEqualTo(new RespClient.Error("ERR bad thing"));
        assertThat(new RespClient.Error("WRONGTYPE Operation").code()).isEqualTo("WRONGTYPE");
        assertThat(one(":42\r\n")).isEqualTo(42L);
        assertThat(one(":-9223372036854775808\r\n")).isEqualTo(Long.MIN_VALUE);
        assertThat(one("$5\r\nhello\r\n")).isEqualTo("b:hello");
        assertThat(one("$0\r\n\r\n")).isEqualTo("b:");
        assertThat(one("$4\r\na\r\nb\r\n")).isEqualTo("b:a\r\nb");
        assertThat(one("$-1\r\n")).isEqualTo("NULL");
        assertThat(one("*-1\r\n")).isEqualTo("NULL");
        assertThat(one("*0\r\n")).isEqualTo(List.of());
        assertThat(one("*3\r\n:1\r\n$1\r\nx\r\n*2\r\n$-1\r\n+y\r\n"))
            .isEqualTo(List.of(1L, "b:x", Arrays.asList("null", "y")));
    }

    @Test
    void resp3Types() {
        assertThat(one("_\r\n")).isEqualTo("NULL");
        assertThat(one(",1.5\r\n")).isEqualTo(1.5);
        assertThat(one(",inf\r\n")).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(one(",-inf\r\n")).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat((Double) one(",nan\r\n")).isNaN();
        assertThat(one(",1e+20\r\n")).isEqualTo(1e20);
        assertThat(one(",3\r\n")).isEqualTo(3.0);
        assertThat(one("#t\r\n")).isEqualTo(true);
        assertThat(one("#f\r\n")).isEqualTo(false);
        assertThat(one("(3492890328409238509324850943850943825024385\r\n"))
            .isEqualTo(new BigInteger("3492890328409238509324850943850943825024385"));
        assertThat(one("=15\r\ntxt:Some string\r\n")).isEqualTo("verb:txt:Some string");
        assertThat(one("!21\r\nSYNTAX invalid syntax\r\n")).isEqualTo(new RespClient.Error("SYNTAX invalid syntax"));
        Map<Object, Object> m = new LinkedHashMap<>();
        m.put("b:first", 1L);
        m.put("second", List.of(2L, "b:x"));
        assertThat(one("%2\r\n$5\r\nfirst\r\n:1\r\n+second\r\n*2\r\n:2\r\n$1\r\nx\r\n")).isEqualTo(m);
        assertThat(one("%0\r\n")).isEqualTo(Map.of());
        assertThat(one("~3\r\n+a\r\n:1\r\n#f\r\n")).isEqualTo("set" + List.of("a", 1L, false));
        assertThat(one(">3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n")).isEqualTo("push" + List.of("b:message", "b:ch", "b:hi"));
    }

    @Test
    void attributes() {
        List<Object> r = all("|1\r\n+key-popularity\r\n%1\r\n$1\r\na\r\n,0.1923\r\n*2\r\n:2039123\r\n:9543892\r\n");
        Map<Object, Object> inner = new LinkedHashMap<>();
        inner.put("b:a", 0.1923);
        Map<Object, Object> attr = new LinkedHashMap<>();
        attr.put("key-popularity", inner);
        assertThat(r).containsExactly("attr" + attr, List.of(2039123L, 9543892L));
        // nested attribute: dropped, does not count as an element
        assertThat(one("*2\r\n:1\r\n|1\r\n+ttl\r\n:3600\r\n:2\r\n")).isEqualTo(List.of(1L, 2L));
    }

    @Test
    void streamed() {
        assertThat(one("$?\r\n;4\r\nHell\r\n;5\r\no wor\r\n;1\r\nd\r\n;0\r\n")).isEqualTo("b:Hello word");
        assertThat(one("*?\r\n:1\r\n:2\r\n:3\r\n.\r\n")).isEqualTo(List.of(1L, 2L, 3L));
        Map<Object, Object> m = new LinkedHashMap<>();
        m.put("a", 1L);
        m.put("b", 2L);
        assertThat(one("%?\r\n+a\r\n:1\r\n+b\r\n:2\r\n.\r\n")).isEqualTo(m);
        assertThat(one("*?\r\n*?\r\n.\r\n$?\r\n;1\r\nx\r\n;0\r\n*1\r\n:5\r\n.\r\n"))
            .isEqualTo(List.of(List.of(), "b:x", List.of(5L)));
    }

    @Test
    void pipelinedAndDeeplyNested() {
        String deep = "*1\r\n".repeat(60) + ":7\r\n";
        List<Object> r = all("+a\r\n" + deep + ":1\r\n");
        assertThat(r).hasSize(3);
        Object o = r.get(1);
        for (int i = 0; i < 60; i++) o = ((List<?>) o).get(0);
        assertThat(o).isEqualTo(7L);
    }

    @Test
    void largeBulkArrivingInPieces() {
        byte[] payload = new byte[3_000_000];
        for (int i = 0; i < payload.length; i++) payload[i] = (byte) i;
        byte[] head = b("*2\r\n$" + payload.length + "\r\n");
        byte[] tail = b("\r\n:1\r\n");
        EmbeddedChannel ch = new EmbeddedChannel(new RespReplyDecoder());
        try {
            ch.writeInbound(LeakCheck.buf(head));
            for (int off = 0; off < payload.length; off += 1000) {
                ch.writeInbound(LeakCheck.buf(payload, off, 1000));
                Object none = ch.readInbound();
                assertThat(none).isNull();
            }
            ch.writeInbound(LeakCheck.buf(tail));
            List<?> l = ch.readInbound();
            assertThat((byte[]) l.get(0)).isEqualTo(payload);
            assertThat(l.get(1)).isEqualTo(1L);
        } finally {
            ch.finishAndReleaseAll();
        }
    }

    @Test
    void malformedInputFails() {
        for (String bad : new String[] {"?x\r\n", ":abc\r\n", "+ok\n", "#x\r\n", "$-2\r\n", "*-2\r\n", ";1\r\nx\r\n", ".\r\n", ",abc\r\n"}) {
            EmbeddedChannel ch = new EmbeddedChannel(new RespReplyDecoder());
            try {
                assertThatThrownBy(() -> ch.writeInbound(LeakCheck.buf(b(bad)))).as(bad)
                    .isInstanceOf(DecoderException.class);
            } finally {
                ch.finishAndReleaseAll();
            }
        }
    }
}
