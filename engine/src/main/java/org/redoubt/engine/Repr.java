package org.redoubt.engine;

/** Redis's sdscatrepr quoting, used by MONITOR, SLOWLOG-style output and DEBUG. */
public final class Repr {
    private Repr() {}

    public static void appendEscaped(StringBuilder sb, byte[] b) {
        for (byte x : b) {
            int ch = x & 0xff;
            switch (ch) {
                case '\\' -> sb.append("\\\\");
                case '"' -> sb.append("\\\"");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case 7 -> sb.append("\\a");
                case '\b' -> sb.append("\\b");
                default -> {
                    if (ch >= 32 && ch < 127) sb.append((char) ch);
                    else sb.append("\\x").append(Character.forDigit(ch >> 4, 16)).append(Character.forDigit(ch & 15, 16));
                }
            }
        }
    }

    public static String quoted(byte[] b) {
        StringBuilder sb = new StringBuilder(b.length + 2).append('"');
        appendEscaped(sb, b);
        return sb.append('"').toString();
    }
}
