package org.redoubt.engine.util;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class GlobTest {
    private static boolean m(String pattern, String subject) {
        return Glob.match(b(pattern), b(subject), false);
    }

    private static boolean mi(String pattern, String subject) {
        return Glob.match(b(pattern), b(subject), true);
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void literals() {
        assertThat(m("foo", "foo")).isTrue();
        assertThat(m("foo", "fo")).isFalse();
        assertThat(m("foo", "fooo")).isFalse();
        assertThat(m("foo", "Foo")).isFalse();
        assertThat(mi("foo", "FoO")).isTrue();
        assertThat(m("", "")).isTrue();
        assertThat(m("", "a")).isFalse();
        assertThat(m("a", "")).isFalse();
    }

    @Test
    void star() {
        assertThat(m("*", "anything")).isTrue();
        assertThat(m("f*", "foo")).isTrue();
        assertThat(m("*o", "foo")).isTrue();
        assertThat(m("f*o", "fo")).isTrue();
        assertThat(m("f*o", "fxxo")).isTrue();
        assertThat(m("f*o", "fxxoy")).isFalse();
        assertThat(m("*a*b*c*", "xxaxxbxxcxx")).isTrue();
        assertThat(m("*a*b*c*", "xxaxxcxxbxx")).isFalse();
        assertThat(m("foo*", "foo")).isTrue();
        assertThat(m("foo**", "foo")).isTrue();
        assertThat(m("a**b", "axyb")).isTrue();
    }

    @Test
    void starNeverMatchesAnEmptySubject() {
        // Redis quirk: the loop never runs for an empty subject, so the leftover "*" fails.
        assertThat(m("*", "")).isFalse();
        assertThat(m("**", "")).isFalse();
        assertThat(Glob.isMatchAll(b("*"))).isTrue();
        assertThat(Glob.isMatchAll(b("**"))).isFalse();
    }

    @Test
    void questionMark() {
        assertThat(m("?", "a")).isTrue();
        assertThat(m("?", "")).isFalse();
        assertThat(m("?", "ab")).isFalse();
        assertThat(m("h?llo", "hello")).isTrue();
        assertThat(m("h?llo", "hllo")).isFalse();
        assertThat(m("*?", "a")).isTrue();
    }

    @Test
    void classes() {
        assertThat(m("h[ae]llo", "hello")).isTrue();
        assertThat(m("h[ae]llo", "hallo")).isTrue();
        assertThat(m("h[ae]llo", "hillo")).isFalse();
        assertThat(m("h[^e]llo", "hallo")).isTrue();
        assertThat(m("h[^e]llo", "hello")).isFalse();
        assertThat(m("h[a-b]llo", "hbllo")).isTrue();
        assertThat(m("h[a-b]llo", "hcllo")).isFalse();
        assertThat(m("h[b-a]llo", "hallo")).as("reversed range bounds are swapped").isTrue();
        // "a-]" is a range a..']' (swapped to ']'..'a'), leaving the class unterminated.
        assertThat(m("[a-]", "-")).isFalse();
        assertThat(m("[a-]", "^")).isTrue();
        assertThat(m("[a-]", "a")).isTrue();
        assertThat(m("[]]", "]")).as("] right after [ closes an empty class").isFalse();
        assertThat(m("[]", "a")).isFalse();
        assertThat(mi("[A-C]", "b")).isTrue();
        assertThat(mi("[a-c]", "B")).isTrue();
        assertThat(m("[A-C]", "b")).isFalse();
        assertThat(mi("[X]", "x")).isTrue();
    }

    @Test
    void escapes() {
        assertThat(m("\\*", "*")).isTrue();
        assertThat(m("\\*", "a")).isFalse();
        assertThat(m("\\?", "?")).isTrue();
        assertThat(m("a\\", "a\\")).as("trailing backslash matches itself").isTrue();
        assertThat(m("[\\]]", "]")).isTrue();
        assertThat(m("[\\-]", "-")).isTrue();
        assertThat(m("[\\^a]", "^")).isTrue();
        // An escaped byte in a class compares case-sensitively even with nocase.
        assertThat(mi("[\\A]", "a")).isFalse();
        assertThat(mi("[\\A]", "A")).isTrue();
        assertThat(m("[a\\", "\\")).as("lone backslash at the end of an open class is a literal").isTrue();
    }

    @Test
    void unterminatedClasses() {
        assertThat(m("[abc", "b")).isTrue();
        assertThat(m("[abc", "d")).isFalse();
        assertThat(m("[", "a")).isFalse();
        assertThat(m("[^", "a")).as("empty negated class matches anything").isTrue();
        assertThat(m("x[^", "xa")).isTrue();
        assertThat(m("[a-", "-")).isTrue();
    }

    @Test
    void bytesCompareAsSignedChars() {
        byte[] hi = {(byte) 0xe9};
        assertThat(Glob.match(new byte[] {'[', 'a', '-', (byte) 0xff, ']'}, hi, false))
            .as("0xff is -1: the swapped range -1..'a' excludes 0xe9 (-23)").isFalse();
        assertThat(Glob.match(new byte[] {'[', 'a', '-', (byte) 0xff, ']'}, new byte[] {(byte) 0xff}, false)).isTrue();
        assertThat(Glob.match(new byte[] {'[', 'a', '-', (byte) 0xff, ']'}, new byte[] {'0'}, false)).isTrue();
        assertThat(Glob.match(new byte[] {'?'}, hi, false)).isTrue();
        assertThat(Glob.match(hi, hi, true)).isTrue();
        assertThat(Glob.match(new byte[] {'a', 0, 'b'}, new byte[] {'a', 0, 'b'}, false)).as("binary safe").isTrue();
        assertThat(Glob.match(new byte[] {'a', '*'}, new byte[] {'a', 0}, false)).isTrue();
    }

    @Test
    void subjectSlice() {
        byte[] s = b("xxhelloyy");
        assertThat(Glob.match(b("h*o"), s, 2, 5, false)).isTrue();
        assertThat(Glob.match(b("h*y"), s, 2, 5, false)).isFalse();
    }

    @Test
    void longNestedLoopsFailFast() {
        byte[] key = b("a".repeat(40));
        long t0 = System.nanoTime();
        assertThat(Glob.match(b("a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b"), key, false)).isFalse();
        assertThat(System.nanoTime() - t0).isLessThan(1_000_000_000L);
    }

    @Test
    void abusiveNestingIsBounded() {
        byte[] key = b("a".repeat(50000));
        byte[] pattern = b("*?".repeat(50000));
        assertThatCode(() -> assertThat(Glob.match(pattern, key, false)).isFalse()).doesNotThrowAnyException();
        // Up to the limit, deep patterns still match.
        assertThat(Glob.match(b("*?".repeat(500)), b("a".repeat(600)), false)).isTrue();
        assertThat(Glob.match(b("*?".repeat(1000)), b("a".repeat(1000)), false)).isTrue();
        assertThat(Glob.match(b("*?".repeat(1001)), b("a".repeat(1001)), false)).as("nesting 1001 fails").isFalse();
    }
}
