package org.redoubt.engine.util;

/**
 * Redis's glob-style matcher ({@code stringmatchlen}) on raw bytes: KEYS, SCAN MATCH, PUBSUB
 * patterns, ACL key patterns, CONFIG GET. Semantics are byte for byte those of Redis 7.0,
 * including its quirks, because clients observe them:
 *
 * <ul>
 *   <li>{@code *} never matches at the very end of an exhausted subject: a pattern made only of
 *       stars matches any non-empty subject, but not the empty one (KEYS keeps its own fast path
 *       for exactly "*").</li>
 *   <li>{@code [...]} classes: {@code ^} negates, {@code a-z} ranges (reversed bounds are swapped),
 *       {@code \x} escapes inside, and an unterminated class ends at the end of the pattern. Bytes
 *       compare as signed chars (x86 C), so a range like {@code [a-\xff]} spans {@code -1..'a'}.</li>
 *   <li>{@code \x} outside a class matches x literally; a trailing lone backslash matches itself.</li>
 *   <li>nocase folds only ASCII A-Z (C locale tolower); an escaped char inside a class is always
 *       compared case-sensitively.</li>
 *   <li>Reads past the end of the pattern see a NUL byte, as C reads the sds terminator.</li>
 * </ul>
 *
 * <p>Cost bounds, as Redis after CVE-2022-36021 and CVE-2024-31228: once the tail after a star
 * fails at every position of the subject, no earlier star can succeed by consuming more, so the
 * whole match fails at once ({@link #SKIP}); and star recursion deeper than {@link #MAX_NESTING}
 * counts as no match, which also bounds the Java stack used.
 *
 * <p>Stateless and allocation-free; safe from any thread.
 */
public final class Glob {
    private Glob() {}

    /** Star recursion depth beyond which the match fails (Redis's abusive-pattern guard). */
    public static final int MAX_NESTING = 1000;

    private static final int NO = 0, YES = 1, SKIP = 2;

    public static boolean match(byte[] pattern, byte[] subject, boolean nocase) {
        return impl(pattern, 0, pattern.length, subject, 0, subject.length, nocase, 0) == YES;
    }

    /** Matches {@code subject[soff, soff + slen)} against the whole of {@code pattern}. */
    public static boolean match(byte[] pattern, byte[] subject, int soff, int slen, boolean nocase) {
        return impl(pattern, 0, pattern.length, subject, soff, soff + slen, nocase, 0) == YES;
    }

    /** True when the pattern is exactly "*", which matches every key (including the empty one). */
    public static boolean isMatchAll(byte[] pattern) {
        return pattern.length == 1 && pattern[0] == '*';
    }

    /** The pattern byte at i, or NUL past the end (C's terminator). */
    private static int at(byte[] p, int i, int end) {
        return i < end ? p[i] : 0;
    }

    private static int lower(int c) {
        return c >= 'A' && c <= 'Z' ? c + 32 : c;
    }

    /**
     * Matches s[si, send) against p[pi, pend). Returns YES, NO, or SKIP: no match, and no match is
     * possible for any caller either (propagated straight up through every star level).
     */
    private static int impl(byte[] p, int pi, int pend, byte[] s, int si, int send, boolean nocase, int nesting) {
        if (nesting > MAX_NESTING) return NO;
        while (pi < pend && si < send) {
            switch (p[pi]) {
                case '*': {
                    while (at(p, pi + 1, pend) == '*') pi++;
                    if (pend - pi == 1) return YES;
                    while (si < send) {
                        int r = impl(p, pi + 1, pend, s, si, send, nocase, nesting + 1);
                        if (r != NO) return r;
                        si++;
                    }
                    return SKIP;
                }
                case '?':
                    si++;
                    break;
                case '[': {
                    pi++;
                    boolean not = at(p, pi, pend) == '^';
                    if (not) pi++;
                    boolean match = false;
                    int c = s[si];
                    for (;;) {
                        int pc = at(p, pi, pend);
                        if (pc == '\\' && pend - pi >= 2) {
                            pi++;
                            if (p[pi] == c) match = true;
                        } else if (pc == ']' && pi < pend) {
                            break;
                        } else if (pi >= pend) {
                            // Unterminated class: step back so the increment below lands on the end.
                            pi--;
                            break;
                        } else if (pend - pi >= 3 && p[pi + 1] == '-') {
                            int start = p[pi], end = p[pi + 2], x = c;
                            if (start > end) {
                                int t = start;
                                start = end;
                                end = t;
                            }
                            if (nocase) {
                                start = lower(start);
                                end = lower(end);
                                x = lower(x);
                            }
                            pi += 2;
                            if (x >= start && x <= end) match = true;
                        } else if (nocase ? lower(pc) == lower(c) : pc == c) {
                            match = true;
                        }
                        pi++;
                    }
                    if (not) match = !match;
                    if (!match) return NO;
                    si++;
                    break;
                }
                case '\\':
                    if (pend - pi >= 2) pi++;
                    // fall through: the escaped byte is a literal
                default: {
                    int pc = p[pi], c = s[si];
                    if (nocase ? lower(pc) != lower(c) : pc != c) return NO;
                    si++;
                    break;
                }
            }
            pi++;
            if (si == send) {
                while (at(p, pi, pend) == '*') pi++;
                break;
            }
        }
        return pi == pend && si == send ? YES : NO;
    }
}
