package org.redoubt.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(LeakCheck.class)
class RespTest {

    private static String out(Consumer<ByteBuf> writer) {
        ByteBuf buf = LeakCheck.alloc().buffer(4);
        try {
            writer.accept(buf);
            return buf.toString(StandardCharsets.ISO_8859_1);
        } finally {
            buf.release();
        }
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void simpleAndErrors() {
        assertThat(out(b -> Resp.writeOk(b))).isEqualTo("+OK\r\n");
        assertThat(out(b -> Resp.writeSimple(b, "PONG"))).isEqualTo("+PONG\r\n");
        assertThat(out(b -> Resp.writeSimple(b, b("QUEUED")))).isEqualTo("+QUEUED\r\n");
        assertThat(out(b -> Resp.writeSimple(b, ""))).isEqualTo("+\r\n");
        assertThat(out(b -> Resp.writeError(b, "ERR unknown command"))).isEqualTo("-ERR unknown command\r\n");
        assertThat(out(b -> Resp.writeError(b, "ERR a\r\nb\nc"))).isEqualTo("-ERR a  b c\r\n");
        assertThat(out(b -> Resp.writeError(b, "ERR \u00e9"))).isEqualTo("-ERR \u00e9\r\n"); // one byte 0xE9
        assertThat(out(b -> Resp.writeError(b, b("WRONGTYPE x\r")))).isEqualTo("-WRONGTYPE x \r\n");
    }

    @Test
    void integers() {
        assertThat(out(b -> Resp.writeInteger(b, 0))).isEqualTo(":0\r\n");
        assertThat(out(b -> Resp.writeInteger(b, 1))).isEqualTo(":1\r\n");
        assertThat(out(b -> Resp.writeInteger(b, -1))).isEqualTo(":-1\r\n");
        assertThat(out(b -> Resp.writeInteger(b, 1023))).isEqualTo(":1023\r\n");
        assertThat(out(b -> Resp.writeInteger(b, 1024))).isEqualTo(":1024\r\n");
        assertThat(out(b -> Resp.writeInteger(b, -42))).isEqualTo(":-42\r\n");
        assertThat(out(b -> Resp.writeInteger(b, Long.MAX_VALUE))).isEqualTo(":9223372036854775807\r\n");
        assertThat(out(b -> Resp.writeInteger(b, Long.MIN_VALUE))).isEqualTo(":-9223372036854775808\r\n");
        java.util.Random r = new java.util.Random(1);
        for (int i = 0; i < 2000; i++) {
            long v = switch (i % 3) { case 0 -> r.nextLong(); case 1 -> r.nextInt(); default -> r.nextInt(3000) - 1500; };
            assertThat(out(b -> Resp.writeInteger(b, v))).isEqualTo(":" + v + "\r\n");
        }
    }

    @Test
    void bulks() {
        assertThat(out(b -> Resp.writeBulk(b, b("foo")))).isEqualTo("$3\r\nfoo\r\n");
        assertThat(out(b -> Resp.writeBulk(b, new byte[0]))).isEqualTo("$0\r\n\r\n");
        assertThat(out(b -> Resp.writeBulk(b, b("xxhelloyy"), 2, 5))).isEqualTo("$5\r\nhello\r\n");
        assertThat(out(b -> Resp.writeBulk(b, b("a\r\n\u0000b")))).isEqualTo("$5\r\na\r\n\u0000b\r\n");
        String big = "x".repeat(5000);
        assertThat(out(b -> Resp.writeBulk(b, b(big)))).isEqualTo("$5000\r\n" + big + "\r\n");
        assertThat(out(b -> Resp.writeBulk(b, "h\u00e9"))).isEqualTo("$3\r\nh\u00c3\u00a9\r\n"); // UTF-8
        assertThat(out(b -> Resp.writeBulkLong(b, -12345))).isEqualTo("$6\r\n-12345\r\n");
        assertThat(out(b -> Resp.writeBulkLong(b, 0))).isEqualTo("$1\r\n0\r\n");
        assertThat(out(b -> Resp.writeBulkLong(b, Long.MIN_VALUE))).isEqualTo("$20\r\n-9223372036854775808\r\n");
        assertThat(out(b -> Resp.writeBulkHeader(b, 7))).isEqualTo("$7\r\n");
        assertThat(out(b -> Resp.writeBulkHeader(b, 70000))).isEqualTo("$70000\r\n");
    }

    @Test
    void nulls() {
        assertThat(out(b -> Resp.writeNullBulk(b, 2))).isEqualTo("$-1\r\n");
        assertThat(out(b -> Resp.writeNullBulk(b, 3))).isEqualTo("_\r\n");
        assertThat(out(b -> Resp.writeNullArray(b, 2))).isEqualTo("*-1\r\n");
        assertThat(out(b -> Resp.writeNullArray(b, 3))).isEqualTo("_\r\n");
    }

    @Test
    void aggregates() {
        assertThat(out(b -> Resp.writeArrayHeader(b, 0))).isEqualTo("*0\r\n");
        assertThat(out(b -> Resp.writeArrayHeader(b, 3))).isEqualTo("*3\r\n");
        assertThat(out(b -> Resp.writeArrayHeader(b, 100000))).isEqualTo("*100000\r\n");
        assertThat(out(b -> Resp.writeMapHeader(b, 2, 2))).isEqualTo("*4\r\n");
        assertThat(out(b -> Resp.writeMapHeader(b, 2, 3))).isEqualTo("%2\r\n");
        assertThat(out(b -> Resp.writeMapHeader(b, 600, 2))).isEqualTo("*1200\r\n");
        assertThat(out(b -> Resp.writeSetHeader(b, 5, 2))).isEqualTo("*5\r\n");
        assertThat(out(b -> Resp.writeSetHeader(b, 5, 3))).isEqualTo("~5\r\n");
        assertThat(out(b -> Resp.writePushHeader(b, 3, 2))).isEqualTo("*3\r\n");
        assertThat(out(b -> Resp.writePushHeader(b, 3, 3))).isEqualTo(">3\r\n");
        assertThat(out(b -> Resp.writeAttributeHeader(b, 1))).isEqualTo("|1\r\n");
    }

    @Test
    void doubles() {
        assertThat(out(b -> Resp.writeDouble(b, 3, 2))).isEqualTo("$1\r\n3\r\n");
        assertThat(out(b -> Resp.writeDouble(b, 3, 3))).isEqualTo(",3\r\n");
        assertThat(out(b -> Resp.writeDouble(b, 1.5, 2))).isEqualTo("$3\r\n1.5\r\n");
        assertThat(out(b -> Resp.writeDouble(b, 1.5, 3))).isEqualTo(",1.5\r\n");
        assertThat(out(b -> Resp.writeDouble(b, 0.1, 2))).isEqualTo("$19\r\n0.10000000000000001\r\n");
        assertThat(out(b -> Resp.writeDouble(b, 1e20, 2))).isEqualTo("$5\r\n1e+20\r\n");
        assertThat(out(b -> Resp.writeDouble(b, -0.0, 2))).isEqualTo("$2\r\n-0\r\n");
        assertThat(out(b -> Resp.writeDouble(b, -0.0, 3))).isEqualTo(",-0\r\n");
        assertThat(out(b -> Resp.writeDouble(b, Double.POSITIVE_INFINITY, 2))).isEqualTo("$3\r\ninf\r\n");
        assertThat(out(b -> Resp.writeDouble(b, Double.NEGATIVE_INFINITY, 2))).isEqualTo("$4\r\n-inf\r\n");
        assertThat(out(b -> Resp.writeDouble(b, Double.POSITIVE_INFINITY, 3))).isEqualTo(",inf\r\n");
        assertThat(out(b -> Resp.writeDouble(b, Double.NEGATIVE_INFINITY, 3))).isEqualTo(",-inf\r\n");
        assertThat(out(b -> Resp.writeDouble(b, Double.NaN, 3))).isEqualTo(",nan\r\n");
        assertThat(out(b -> Resp.writeDouble(b, -12345678, 2))).isEqualTo("$9\r\n-12345678\r\n");
        assertThat(out(b -> Resp.writeDoubleText(b, b("10.6"), 2))).isEqualTo("$4\r\n10.6\r\n");
        assertThat(out(b -> Resp.writeDoubleText(b, b("10.6"), 3))).isEqualTo(",10.6\r\n");
    }

    @Test
    void resp3Scalars() {
        assertThat(out(b -> Resp.writeBool(b, true, 2))).isEqualTo(":1\r\n");
        assertThat(out(b -> Resp.writeBool(b, false, 2))).isEqualTo(":0\r\n");
        assertThat(out(b -> Resp.writeBool(b, true, 3))).isEqualTo("#t\r\n");
        assertThat(out(b -> Resp.writeBool(b, false, 3))).isEqualTo("#f\r\n");
        assertThat(out(b -> Resp.writeBigNumber(b, "3492890328409238509324850943850943825024385", 3)))
            .isEqualTo("(3492890328409238509324850943850943825024385\r\n");
        assertThat(out(b -> Resp.writeBigNumber(b, "-12", 2))).isEqualTo("$3\r\n-12\r\n");
        assertThat(out(b -> Resp.writeVerbatim(b, "txt", b("Some string"), 3))).isEqualTo("=15\r\ntxt:Some string\r\n");
        assertThat(out(b -> Resp.writeVerbatim(b, "txt", b("Some string"), 2))).isEqualTo("$11\r\nSome string\r\n");
        assertThat(out(b -> Resp.writeVerbatim(b, "md", b("x"), 3))).isEqualTo("=5\r\nmd :x\r\n");
        assertThat(out(b -> Resp.writeVerbatim(b, "markdown", b(""), 3))).isEqualTo("=4\r\nmar:\r\n");
    }

    @Test
    void numberDelegates() {
        assertThat(Resp.OK).isEqualTo(b("+OK\r\n"));
        assertThat(Resp.longToBytes(-15)).isEqualTo(b("-15"));
        assertThat(Resp.parseLong(b("x42"), 1, 2)).isEqualTo(42);
        assertThat(Resp.isLong(b("007"), 0, 3)).isFalse();
    }

    @Test
    void command() {
        assertThat(out(b -> Resp.writeCommand(b, b("SET"), b("k"), b(""))))
            .isEqualTo("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\n");
    }

    @Test
    void writesAppendAfterExistingContent() {
        assertThat(out(b -> {
            b.writeByte('X');
            Resp.writeInteger(b, 123456);
            Resp.writeArrayHeader(b, 2);
            Resp.writeBulk(b, b("a"));
            Resp.writeNullBulk(b, 3);
        })).isEqualTo("X:123456\r\n*2\r\n$1\r\na\r\n_\r\n");
    }
}
