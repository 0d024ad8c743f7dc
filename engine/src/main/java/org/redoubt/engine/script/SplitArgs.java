package org.redoubt.engine.script;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits a line into arguments like redis-cli and Redis's shebang parser: blanks separate,
 * "double quotes" understand \n \r \t \b \a \\ \" and \xHH escapes, 'single quotes' only \',
 * and a closing quote must be followed by a blank or the end. Quotes may start inside a word
 * ({@code name="foo"} is {@code name=foo}).
 */
public final class SplitArgs {
    private SplitArgs() {}

    /** The arguments, or null for unbalanced quotes. */
    public static List<byte[]> split(byte[] line, int off, int end) {
        List<byte[]> out = new ArrayList<>();
        int p = off;
        while (true) {
            while (p < end && isSpace(line[p])) p++;
            if (p >= end) return out;
            boolean inq = false, insq = false, done = false;
            ByteArrayOutputStream cur = new ByteArrayOutputStream();
            while (!done) {
                if (inq) {
                    if (p >= end) return null;
                    byte c = line[p];
                    if (c == '\\' && p + 3 < end && line[p + 1] == 'x' && isHex(line[p + 2]) && isHex(line[p + 3])) {
                        cur.write(hex(line[p + 2]) * 16 + hex(line[p + 3]));
                        p += 3;
                    } else if (c == '\\' && p + 1 < end) {
                        p++;
                        byte e = line[p];
                        cur.write(switch (e) {
                            case 'n' -> '\n';
                            case 'r' -> '\r';
                            case 't' -> '\t';
                            case 'b' -> '\b';
                            case 'a' -> 7;
                            default -> e;
                        });
                    } else if (c == '"') {
                        if (p + 1 < end && !isSpace(line[p + 1])) return null;
                        done = true;
                    } else {
                        cur.write(c);
                    }
                } else if (insq) {
                    if (p >= end) return null;
                    byte c = line[p];
                    if (c == '\\' && p + 1 < end && line[p + 1] == '\'') {
                        p++;
                        cur.write('\'');
                    } else if (c == '\'') {
                        if (p + 1 < end && !isSpace(line[p + 1])) return null;
                        done = true;
                    } else {
                        cur.write(c);
                    }
                } else {
                    if (p >= end) {
                        done = true;
                        break;
                    }
                    byte c = line[p];
                    if (isSpace(c) || c == 0) done = true;
                    else if (c == '"') inq = true;
                    else if (c == '\'') insq = true;
                    else cur.write(c);
                }
                if (p < end) p++;
            }
            out.add(cur.toByteArray());
        }
    }

    private static boolean isSpace(byte c) {
        return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == 0x0b || c == '\f';
    }

    private static boolean isHex(byte c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    private static int hex(byte c) {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        return c - 'A' + 10;
    }
}
