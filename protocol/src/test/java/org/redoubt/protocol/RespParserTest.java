package org.redoubt.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@ExtendWith(LeakCheck.class)
class RespParserTest {

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static String s(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    /** What a sequence of parse calls produced: the commands, then the final status and error. */
    record Result(List<List<String>> commands, int status, String error) {}

    /** Parses everything available; stops at NEED_MORE or ERROR. */
    private static void drain(RespParser p, ByteBuf buf, List<List<String>> cmds, int[] status) {
        for (;;) {
            int r = p.parse(buf);
            status[0] = r;
            if (r != RespParser.OK) return;
            assertThat(p.argc()).isPositive();
            List<String> cmd = new ArrayList<>();
            for (int i = 0; i < p.argc(); i++) cmd.add(s(p.argv()[i]));
            cmds.add(cmd);
        }
    }

    /** Feeds the input split into the given pieces, through one cumulating buffer. */
    private static Result feed(RespParser p, byte[] input, int... cuts) {
        ByteBuf buf = LeakCheck.alloc().buffer();
        try {
            List<List<String>> cmds = new ArrayList<>();
            int[] status = {RespParser.NEED_MORE};
            int prev = 0;
            int[] all = Arrays.copyOf(cuts, cuts.length + 1);
            all[cuts.length] = input.length;
            for (int c : all) {
                buf.writeBytes(input, prev, c - prev);
                prev = c;
                drain(p, buf, cmds, status);
                if (status[0] == RespParser.ERROR) break;
                buf.discardSomeReadBytes();
            }
            return new Result(cmds, status[0], p.errorMessage());
        } finally {
            buf.release();
        }
    }

    private static Result parse(String input) {
        return feed(new RespParser(), b(input));
    }

    private static List<List<String>> cmds(String input) {
        Result r = parse(input);
        assertThat(r.status()).isEqualTo(RespParser.NEED_MORE);
        return r.commands();
    }

    private static List<String> l(String... a) {
        return List.of(a);
    }

    /** Whole input at once, then split at every position, then one byte at a time: same result. */
    private static Result checkAllSplits(String input) {
        byte[] in = b(input);
        Result whole = feed(new RespParser(), in);
        for (int k = 0; k <= in.length; k++) {
            assertThat(feed(new RespParser(), in, k)).as("split at %d", k).isEqualTo(whole);
        }
        int[] each = new int[in.length];
        for (int i = 0; i < in.length; i++) each[i] = i;
        assertThat(feed(new RespParser(), in, each)).as("byte by byte").isEqualTo(whole);
        return whole;
    }

    // ------------------------------------------------------------------ valid input

    @Test
    void multibulk() {
        assertThat(cmds("*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\nb\r\n")).containsExactly(l("SET", "a", "b"));
        assertThat(cmds("*1\r\n$4\r\nPING\r\n")).containsExactly(l("PING"));
        assertThat(cmds("*2\r\n$3\r\nGET\r\n$0\r\n\r\n")).containsExactly(l("GET", ""));
        assertThat(cmds("*1\r\n$7\r\na\r\n\u0000b\r\n\r\n")).containsExactly(l("a\r\n\u0000b\r\n"));
    }

    @Test
    void inline() {
        assertThat(cmds("PING\r\n")).containsExactly(l("PING"));
        assertThat(cmds("PING\n")).containsExactly(l("PING"));
        assertThat(cmds("  set  a   b  \r\n")).containsExactly(l("set", "a", "b"));
        assertThat(cmds("set a b\t c\r\n")).containsExactly(l("set", "a", "b", "c"));
        assertThat(cmds("get\r\r\n")).containsExactly(l("get"));         // inner \r ends a token
        assertThat(cmds("a\rb\n")).containsExactly(l("a", "b"));
        assertThat(cmds("x\u000by\r\n")).containsExactly(l("x\u000by"));   // \v does not end a token...
        assertThat(cmds("\u000b\u000cx\r\n")).containsExactly(l("x"));     // ...but is skipped as a blank
        assertThat(cmds("h\u00e9\u00ff\r\n")).containsExactly(l("h\u00e9\u00ff"));
    }

    @Test
    void emptyCommandsAreSkipped() {
        assertThat(cmds("\r\n\n  \r\n\t\nPING\r\n")).containsExactly(l("PING"));
        assertThat(cmds("*0\r\n*-1\r\n*-5\r\n*1\r\n$4\r\nPING\r\n")).containsExactly(l("PING"));
        assertThat(cmds("\r\n")).isEmpty();
        assertThat(cmds("*0\r\n")).isEmpty();
    }

    @Test
    void skippedEmptyCommandsAreConsumed() {
        RespParser p = new RespParser();
        ByteBuf buf = LeakCheck.alloc().buffer();
        try {
            buf.writeBytes(b("\r\n\r\n*0\r\n"));
            assertThat(p.parse(buf)).isEqualTo(RespParser.NEED_MORE);
            assertThat(buf.readableBytes()).isZero();
        } finally {
            buf.release();
        }
    }

    @Test
    void pipelined() {
        String in = "PING\r\n*2\r\n$4\r\nECHO\r\n$2\r\nhi\r\nset k \"v 1\"\n\r\n*0\r\n*1\r\n$4\r\nQUIT\r\n";
        Result r = checkAllSplits(in);
        assertThat(r.commands()).containsExactly(l("PING"), l("ECHO", "hi"), l("set", "k", "v 1"), l("QUIT"));
        assertThat(r.status()).isEqualTo(RespParser.NEED_MORE);
    }

    @Test
    void everySplitOfEveryForm() {
        String[] inputs = {
            "*3\r\n$3\r\nSET\r\n$5\r\nhello\r\n$10\r\n0123456789\r\n",
            "*2\r\n$3\r\nGET\r\n$0\r\n\r\n",
            "*1\r\n$11\r\n\r\n\u0000\u0001\u00ff\r\n*$\r\n\r\n",
            "PING\r\nPING\nPING\r\n",
            "set \"a\\x41\\n\" 'b\\'c' \"\"\r\n",
            "\r\n\n*0\r\n*-1\r\n GET   x \r\n",
            "*1\r\n$4\r\nPING\r\nECHO x\r\n*2\r\n$4\r\nECHO\r\n$1\r\ny\r\n",
            "*1\r\n+bad\r\n",                      // error
            "set \"unbalanced\r\n",                // error
            "*x\r\n",                              // error
        };
        for (String in : inputs) checkAllSplits(in);
    }

    @Test
    void manyArguments() {
        StringBuilder sb = new StringBuilder("*300\r\n");
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            sb.append('$').append(Integer.toString(i).length()).append("\r\n").append(i).append("\r\n");
            expected.add(Integer.toString(i));
        }
        sb.append("*1\r\n$1\r\nx\r\n");
        assertThat(cmds(sb.toString())).containsExactly(expected, l("x"));
        StringBuilder inl = new StringBuilder();
        for (int i = 0; i < 300; i++) inl.append(i).append(' ');
        assertThat(cmds(inl + "\r\n")).containsExactly(expected);
    }

    @Test
    void argumentsAreFreshArraysAndArgvIsReused() {
        RespParser p = new RespParser();
        ByteBuf buf = LeakCheck.buf(b("*1\r\n$1\r\na\r\n*2\r\n$1\r\nb\r\n$1\r\nc\r\n"));
        try {
            assertThat(p.parse(buf)).isEqualTo(RespParser.OK);
            byte[][] argv = p.argv();
            byte[] first = argv[0];
            assertThat(p.parse(buf)).isEqualTo(RespParser.OK);
            assertThat(p.argv()).isSameAs(argv);
            assertThat(p.argc()).isEqualTo(2);
            assertThat(first).isEqualTo(b("a"));
            assertThat(p.argv()[0]).isNotSameAs(first).isEqualTo(b("b"));
            assertThat(p.parse(buf)).isEqualTo(RespParser.NEED_MORE);
        } finally {
            buf.release();
        }
    }

    @Test
    void lastWasInline() {
        RespParser p = new RespParser();
        ByteBuf buf = LeakCheck.buf(b("PING\r\n*1\r\n$4\r\nPING\r\n"));
        try {
            assertThat(p.parse(buf)).isEqualTo(RespParser.OK);
            assertThat(p.lastWasInline()).isTrue();
            assertThat(p.parse(buf)).isEqualTo(RespParser.OK);
            assertThat(p.lastWasInline()).isFalse();
        } finally {
            buf.release();
        }
    }

    @Test
    void needMoreLeavesTheBufferAlone() {
        RespParser p = new RespParser();
        ByteBuf buf = LeakCheck.alloc().buffer();
        try {
            buf.writeBytes(b("*2\r\n$3\r\nGET\r\n$5\r\nab"));
            assertThat(p.parse(buf)).isEqualTo(RespParser.NEED_MORE);
            assertThat(buf.readerIndex()).isZero();
            assertThat(buf.readableBytes()).isEqualTo(19);
            buf.writeBytes(b("cde\r\nrest"));
            assertThat(p.parse(buf)).isEqualTo(RespParser.OK);
            assertThat(s(p.argv()[1])).isEqualTo("abcde");
            assertThat(buf.toString(StandardCharsets.ISO_8859_1)).isEqualTo("rest");
        } finally {
            buf.release();
        }
    }

    @Test
    void bytesAfterCrAndAfterPayloadAreNotChecked() {
        // Redis skips the byte after '\r' of a header and the two bytes after a payload unchecked.
        assertThat(cmds("*1\rX$4\rYPINGzz*1\r\n$1\r\na\r\n")).containsExactly(l("PING"), l("a"));
    }

    @Test
    void nulStopsLineSearchLikeStrchr() {
        assertThat(parse("GET a\u0000b\r\n").status()).isEqualTo(RespParser.NEED_MORE);
        assertThat(parse("GET a\u0000b\r\n").commands()).isEmpty();
        assertThat(parse("*1\u0000\r\n$4\r\nPING\r\n").commands()).isEmpty();
        assertThat(parse("*1\r\n$4\u0000\r\nPING\r\n").commands()).isEmpty();
        Result r = parse("GET a\u0000" + "x".repeat(70000) + "\r\n");
        assertThat(r.error()).isEqualTo("ERR Protocol error: too big inline request");
    }

    // ------------------------------------------------------------------ inline quoting

    private static List<String> inline(String line) {
        List<List<String>> c = cmds(line + "\r\n");
        assertThat(c).hasSize(1);
        return c.get(0);
    }

    @Test
    void inlineQuoting() {
        assertThat(inline("set \"a b\" 'c d'")).containsExactly("set", "a b", "c d");
        assertThat(inline("\"\\x41\\x4a\\x4B\" x")).containsExactly("AJK", "x");
        assertThat(inline("\"\\n\\r\\t\\b\\a\\\\\\\"\\q\"")).containsExactly("\n\r\t\b\u0007\\\"q");
        assertThat(inline("\"\\xZZ\" \"\\x4\"")).containsExactly("xZZ", "x4");
        assertThat(inline("'it\\'s' 'a\\nb' 'x\"y'")).containsExactly("it's", "a\\nb", "x\"y");
        assertThat(inline("\"\" '' x")).containsExactly("", "", "x");
        assertThat(inline("a\"b c\" d")).containsExactly("ab c", "d");
        assertThat(inline("a'b c' d")).containsExactly("ab c", "d");
        assertThat(inline("\"foo\"\tbar")).containsExactly("foo", "bar");
        assertThat(inline("\"foo\"\u000bbar")).containsExactly("foo", "bar");
        assertThat(inline("\"a\\\"b\"")).containsExactly("a\"b");
        assertThat(inline("\"\\xff\\x00\"")).containsExactly("\u00ff\u0000");
        assertThat(inline("\"two\nlines\"".replace("\n", "\r"))).containsExactly("two\rlines");
        assertThat(inline("'\\x41'")).containsExactly("\\x41");
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"foo", "'foo", "\"foo\"bar", "'foo'bar", "a\"b c\"d", "x \"abc\\", "\"", "'", "''x", "\"\\\""})
    void unbalancedQuotes(String line) {
        Result r = parse(line + "\r\n");
        assertThat(r.status()).isEqualTo(RespParser.ERROR);
        assertThat(r.error()).isEqualTo("ERR Protocol error: unbalanced quotes in request");
    }

    // ------------------------------------------------------------------ errors

    private static void assertError(RespParser p, String input, String error) {
        Result r = feed(p, b(input));
        assertThat(r.status()).as(input).isEqualTo(RespParser.ERROR);
        assertThat(r.error()).isEqualTo(error);
        // sticky until reset
        ByteBuf more = LeakCheck.buf(b("PING\r\n"));
        try {
            assertThat(p.parse(more)).isEqualTo(RespParser.ERROR);
            p.reset();
            assertThat(p.errorMessage()).isNull();
            assertThat(p.parse(more)).isEqualTo(RespParser.OK);
        } finally {
            more.release();
        }
    }

    private static void assertError(String input, String error) {
        assertError(new RespParser(), input, error);
    }

    @Test
    void invalidMultibulkLength() {
        String e = "ERR Protocol error: invalid multibulk length";
        assertError("*abc\r\n", e);
        assertError("*\r\n", e);
        assertError("*+1\r\n", e);
        assertError("*01\r\n", e);
        assertError("* 1\r\n", e);
        assertError("*1 \r\n", e);
        assertError("*-0\r\n", e);
        assertError("*2147483648\r\n", e);
        assertError("*99999999999999999999\r\n", e);
        // up to INT_MAX is accepted (Redis 7.0 for authenticated clients)
        assertThat(parse("*2147483647\r\n").status()).isEqualTo(RespParser.NEED_MORE);
        assertThat(parse("*1048577\r\n").status()).isEqualTo(RespParser.NEED_MORE);
    }

    @Test
    void unauthenticatedLimits() {
        RespParser p = new RespParser();
        p.setAuthenticated(false);
        assertError(p, "*11\r\n", "ERR Protocol error: unauthenticated multibulk length");
        p = new RespParser();
        p.setAuthenticated(false);
        assertError(p, "*1\r\n$16385\r\n", "ERR Protocol error: unauthenticated bulk length");
        p = new RespParser();
        p.setAuthenticated(false);
        String bulk = "x".repeat(16384);
        assertThat(feed(p, b("*10\r\n" + ("$16384\r\n" + bulk + "\r\n").repeat(10))).commands()).hasSize(1);
        p.setAuthenticated(true);
        assertThat(feed(p, b("*11\r\n" + "$1\r\nx\r\n".repeat(11))).commands()).hasSize(1);
    }

    @Test
    void expectedDollar() {
        assertError("*1\r\n+foo\r\n", "ERR Protocol error: expected '$', got '+'");
        assertError("*2\r\n$1\r\na\r\n:1\r\n", "ERR Protocol error: expected '$', got ':'");
        assertError("*1\r\n\r\n", "ERR Protocol error: expected '$', got ' '");
        assertError("*1\r\n\n\r\n", "ERR Protocol error: expected '$', got ' '");
        assertError("*1\r\nPING\r\n", "ERR Protocol error: expected '$', got 'P'");
        assertError("*1\r\n\u00e9\r\n", "ERR Protocol error: expected '$', got '\u00e9'");
    }

    @Test
    void invalidBulkLength() {
        String e = "ERR Protocol error: invalid bulk length";
        assertError("*1\r\n$-1\r\n", e);
        assertError("*1\r\n$abc\r\n", e);
        assertError("*1\r\n$\r\n", e);
        assertError("*1\r\n$01\r\n", e);
        assertError("*1\r\n$+1\r\n", e);
        assertError("*1\r\n$536870913\r\n", e);
        assertError("*1\r\n$99999999999999999999\r\n", e);
        assertThat(parse("*1\r\n$536870912\r\n").status()).isEqualTo(RespParser.NEED_MORE);
        RespParser p = new RespParser();
        p.setProtoMaxBulkLen(10);
        assertError(p, "*1\r\n$11\r\n", e);
        p = new RespParser();
        p.setProtoMaxBulkLen(10);
        assertThat(feed(p, b("*1\r\n$10\r\n0123456789\r\n")).commands()).containsExactly(l("0123456789"));
    }

    @Test
    void tooBigInline() {
        assertThat(parse("a".repeat(65536)).status()).isEqualTo(RespParser.NEED_MORE);
        assertError("a".repeat(65537), "ERR Protocol error: too big inline request");
        // a long line whose newline is already buffered when parse runs is accepted (Redis decides
        // the same way, but it parses after every 16 KB read, so it rejects lines whose newline
        // arrives after more than 64 KB were buffered)
        assertThat(cmds("a".repeat(100000) + "\r\n")).containsExactly(l("a".repeat(100000)));
    }

    @Test
    void tooBigCountStrings() {
        assertThat(parse("*" + "1".repeat(65535)).status()).isEqualTo(RespParser.NEED_MORE);
        assertError("*" + "1".repeat(65536), "ERR Protocol error: too big mbulk count string");
        assertThat(parse("*1\r\n$" + "1".repeat(65535)).status()).isEqualTo(RespParser.NEED_MORE);
        assertError("*1\r\n$" + "1".repeat(65536), "ERR Protocol error: too big bulk count string");
        // complete but absurd count lines are invalid lengths
        assertError("*" + "1".repeat(70000) + "\r\n", "ERR Protocol error: invalid multibulk length");
    }

    @Test
    void errorAfterValidPipelinedCommands() {
        Result r = parse("PING\r\n*1\r\n$1\r\nx\r\n*1\r\n$-5\r\n");
        assertThat(r.commands()).containsExactly(l("PING"), l("x"));
        assertThat(r.error()).isEqualTo("ERR Protocol error: invalid bulk length");
    }

    // ------------------------------------------------------------------ incremental cost

    /** A buffer without leak-detection wrapping (paranoid tracking would dominate the timing). */
    private static ByteBuf plainBuffer(int capacity) {
        return Unpooled.wrappedBuffer(new byte[capacity]).clear();
    }

    @Test
    void hugeBulkInOneByteChunksIsLinear() {
        int size = 10 * 1024 * 1024;
        byte[] header = b("*2\r\n$3\r\nSET\r\n$" + size + "\r\n");
        ByteBuf buf = plainBuffer(header.length + size + 2);
        try {
            RespParser p = new RespParser();
            long t0 = System.nanoTime();
            int calls = 0;
            for (byte x : header) {
                buf.writeByte(x);
                assertThat(p.parse(buf)).isEqualTo(RespParser.NEED_MORE);
                calls++;
            }
            for (int i = 0; i < size; i++) {
                buf.writeByte('a' + (i % 26));
                if (p.parse(buf) != RespParser.NEED_MORE) throw new AssertionError("early result at " + i);
                calls++;
            }
            buf.writeByte('\r');
            assertThat(p.parse(buf)).isEqualTo(RespParser.NEED_MORE);
            assertThat(buf.readerIndex()).isZero();
            buf.writeByte('\n');
            assertThat(p.parse(buf)).isEqualTo(RespParser.OK);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertThat(p.argc()).isEqualTo(2);
            assertThat(p.argv()[1]).hasSize(size);
            assertThat(p.argv()[1][size - 1]).isEqualTo((byte) ('a' + ((size - 1) % 26)));
            assertThat(buf.isReadable()).isFalse();
            assertThat(calls).isGreaterThan(size);
            // O(1) per call: ~10M calls take well under a second; rescanning would never finish
            assertThat(ms).as("ms").isLessThan(10_000);
        } finally {
            buf.release();
        }
    }

    @Test
    void longLinesInOneByteChunksAreNotRescanned() {
        // an inline line and a count line near the 64 KB limit, fed byte by byte
        for (String in : new String[] {"x".repeat(65000) + "\r\n", "*1\r\n$3\r\nabc\r\n", "*" + "0".repeat(1) + "\r\n"}) {
            byte[] data = b(in);
            ByteBuf buf = plainBuffer(data.length);
            try {
                RespParser p = new RespParser();
                long t0 = System.nanoTime();
                int ok = 0;
                for (byte x : data) {
                    buf.writeByte(x);
                    int r = p.parse(buf);
                    assertThat(r).isNotEqualTo(RespParser.ERROR);
                    if (r == RespParser.OK) ok++;
                }
                assertThat(ok).isLessThanOrEqualTo(1);
                assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(5_000);
            } finally {
                buf.release();
            }
        }
    }

    @Test
    void manySmallCommandsStream() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 20000; i++) sb.append("*3\r\n$3\r\nSET\r\n$").append(Integer.toString(i).length()).append("\r\n")
            .append(i).append("\r\n$1\r\nv\r\n");
        byte[] data = b(sb.toString());
        RespParser p = new RespParser();
        ByteBuf buf = LeakCheck.alloc().buffer();
        try {
            int n = 0;
            for (int off = 0; off < data.length; off += 1000) {
                buf.writeBytes(data, off, Math.min(1000, data.length - off));
                while (p.parse(buf) == RespParser.OK) {
                    assertThat(s(p.argv()[1])).isEqualTo(Integer.toString(n));
                    n++;
                }
                buf.discardSomeReadBytes();
            }
            assertThat(n).isEqualTo(20000);
        } finally {
            buf.release();
        }
    }
}
