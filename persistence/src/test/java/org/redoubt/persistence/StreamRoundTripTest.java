package org.redoubt.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StreamRoundTripTest {
    @TempDir
    Path dir;

    private static byte[] b(String s) { return s.getBytes(StandardCharsets.UTF_8); }

    private static void fill(Harness h) {
        for (int j = 0; j < 1000; j++) {
            if (j % 10 != 0) h.exec("XADD", "stream", "*", "foo", "abc");
            else h.exec("XADD", "stream", "*", "bar", Integer.toString(j), "baz", "x");
        }
        h.exec("XGROUP", "CREATE", "stream", "mygroup", "0");
        h.exec("XGROUP", "CREATE", "stream", "other", "$");
        @SuppressWarnings("unchecked")
        List<Object> recs = (List<Object>) h.exec("XREADGROUP", "GROUP", "mygroup", "Alice", "COUNT", "5", "STREAMS", "stream", ">");
        h.exec("XREADGROUP", "GROUP", "mygroup", "Bob", "COUNT", "3", "STREAMS", "stream", ">");
        @SuppressWarnings("unchecked")
        List<?> entries = (List<?>) ((List<?>) recs.get(0)).get(1);
        String first = (String) ((List<?>) entries.get(0)).get(0);
        String second = (String) ((List<?>) entries.get(1)).get(0);
        h.exec("XDEL", "stream", first);
        h.exec("XACK", "stream", "mygroup", second);
        h.exec("XADD", "empty", "1-1", "f", "v");
        h.exec("XDEL", "empty", "1-1");
    }

    private static List<Object> state(Harness h) {
        return List.of(
            h.exec("XRANGE", "stream", "-", "+"),
            h.exec("XLEN", "stream"),
            h.exec("XINFO", "GROUPS", "stream"),
            h.exec("XPENDING", "stream", "mygroup", "-", "+", "100"),
            h.exec("XINFO", "CONSUMERS", "stream", "mygroup"),
            h.exec("XLEN", "empty"),
            h.exec("XINFO", "STREAM", "empty"));
    }

    /** Idle times move with the clock; everything else must be equal. */
    private static String normalize(Object o) {
        return o.toString().replaceAll("idle, \\d+", "idle").replaceAll("(, (Alice|Bob), )\\d+(, \\d+\\])", "$1_$3");
    }

    @Test
    void streamsWithGroupsSurviveAReload() {
        Harness h = new Harness(dir);
        fill(h);
        List<Object> before = state(h);
        Object digest = h.exec("DEBUG", "DIGEST");
        assertThat(h.exec("DEBUG", "RELOAD")).isEqualTo("OK");
        List<Object> after = state(h);
        for (int i = 0; i < before.size(); i++) {
            String x = normalize(before.get(i)), y = normalize(after.get(i));
            if (!x.equals(y)) {
                int d = 0;
                while (d < Math.min(x.length(), y.length()) && x.charAt(d) == y.charAt(d)) d++;
                throw new AssertionError("part " + i + " differs at " + d + ": " + x.substring(Math.max(0, d - 80), Math.min(x.length(), d + 80))
                    + "\n vs " + y.substring(Math.max(0, d - 80), Math.min(y.length(), d + 80)));
            }
        }
        assertThat(h.exec("DEBUG", "DIGEST")).isEqualTo(digest);
    }

    @Test
    void streamsSurviveDumpAndRestore() {
        Harness h = new Harness(dir);
        fill(h);
        Object range = h.exec("XRANGE", "stream", "-", "+");
        Object groups = h.exec("XINFO", "GROUPS", "stream");
        byte[] payload = h.execRaw("DUMP", "stream");
        h.exec("DEL", "stream");
        assertThat(h.execBytes(b("RESTORE"), b("stream"), b("0"), payload)).isEqualTo("OK");
        Object after = h.exec("XRANGE", "stream", "-", "+");
        assertThat(after.toString().length()).isEqualTo(range.toString().length());
        assertThat(after.toString().hashCode()).isEqualTo(range.toString().hashCode());
        assertThat(h.exec("XINFO", "GROUPS", "stream")).isEqualTo(groups);
    }
}
