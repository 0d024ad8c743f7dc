package org.redoubt.engine.script.lib;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaUserdata;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.VarArgFunction;
import org.redoubt.engine.script.LockableTable;
import org.redoubt.engine.script.LuaNumbers;

/**
 * The "cjson" library of Redis's Lua (lua-cjson 2.1.0): encode/decode and its configuration
 * functions, with lua-cjson's choices — "/" escaped, numbers with %.14g, empty tables as {},
 * arrays when every key is a positive integer (excessively sparse ones refused), cjson.null a
 * unique userdata, and its error messages.
 */
public final class CjsonLib {
    private CjsonLib() {}

    /** cjson.null: decode gives it for JSON null; encode writes it as null. */
    public static final LuaUserdata NULL = new LuaUserdata(new Object());

    static final class Config {
        int encodeMaxDepth = 1000, decodeMaxDepth = 1000, precision = 14;
        int sparseConvert = 0, sparseRatio = 2, sparseSafe = 10;
        int encodeInvalidNumbers = 0;  // 0 off, 1 on, 2 null
        boolean decodeInvalidNumbers = true;
        boolean keepBuffer = true;
    }

    public static LockableTable create() {
        Config cfg = new Config();
        LockableTable t = new LockableTable();
        t.rawset("encode", new VarArgFunction() {
            @Override public Varargs invoke(Varargs a) {
                if (a.narg() != 1) throw new LuaError("bad argument #1 to 'encode' (expected 1 argument)");
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                encode(cfg, a.arg1(), 0, out);
                return LuaString.valueOf(out.toByteArray());
            }
        });
        t.rawset("decode", new VarArgFunction() {
            @Override public Varargs invoke(Varargs a) {
                if (a.narg() != 1) throw new LuaError("bad argument #1 to 'decode' (expected 1 argument)");
                LuaString s = a.checkstring(1);
                return new Decoder(cfg, s.m_bytes, s.m_offset, s.m_length).decodeAll();
            }
        });
        t.rawset("encode_max_depth", intOption(v -> cfg.encodeMaxDepth = v, () -> cfg.encodeMaxDepth, "encode_max_depth"));
        t.rawset("decode_max_depth", intOption(v -> cfg.decodeMaxDepth = v, () -> cfg.decodeMaxDepth, "decode_max_depth"));
        t.rawset("encode_number_precision", new VarArgFunction() {
            @Override public Varargs invoke(Varargs a) {
                if (!a.isnoneornil(1)) {
                    int p = a.checkint(1);
                    if (p < 1 || p > 14) throw new LuaError("bad argument #1 to 'encode_number_precision' (expected integer between 1 and 14)");
                    cfg.precision = p;
                }
                return valueOf(cfg.precision);
            }
        });
        t.rawset("encode_keep_buffer", new VarArgFunction() {
            @Override public Varargs invoke(Varargs a) {
                if (!a.isnoneornil(1)) cfg.keepBuffer = bool(a.arg1(), "encode_keep_buffer");
                return valueOf(cfg.keepBuffer);
            }
        });
        t.rawset("encode_invalid_numbers", new VarArgFunction() {
            @Override public Varargs invoke(Varargs a) {
                if (!a.isnoneornil(1)) {
                    LuaValue v = a.arg1();
                    if (v.isboolean()) cfg.encodeInvalidNumbers = v.toboolean() ? 1 : 0;
                    else {
                        String s = v.checkjstring();
                        cfg.encodeInvalidNumbers = switch (s) {
                            case "off" -> 0;
                            case "on" -> 1;
                            case "null" -> 2;
                            default -> throw new LuaError("bad argument #1 to 'encode_invalid_numbers' (invalid option '" + s + "')");
                        };
                    }
                }
                return cfg.encodeInvalidNumbers == 2 ? valueOf("null") : valueOf(cfg.encodeInvalidNumbers == 1);
            }
        });
        t.rawset("decode_invalid_numbers", new VarArgFunction() {
            @Override public Varargs invoke(Varargs a) {
                if (!a.isnoneornil(1)) cfg.decodeInvalidNumbers = bool(a.arg1(), "decode_invalid_numbers");
                return valueOf(cfg.decodeInvalidNumbers);
            }
        });
        t.rawset("encode_sparse_array", new VarArgFunction() {
            @Override public Varargs invoke(Varargs a) {
                if (!a.isnoneornil(1)) cfg.sparseConvert = bool(a.arg1(), "encode_sparse_array") ? 1 : 0;
                if (!a.isnoneornil(2)) cfg.sparseRatio = a.checkint(2);
                if (!a.isnoneornil(3)) cfg.sparseSafe = a.checkint(3);
                return varargsOf(new LuaValue[] {valueOf(cfg.sparseConvert == 1), valueOf(cfg.sparseRatio), valueOf(cfg.sparseSafe)});
            }
        });
        t.rawset("null", NULL);
        t.rawset("_NAME", LuaValue.valueOf("cjson"));
        t.rawset("_VERSION", LuaValue.valueOf("2.1.0"));
        return t;
    }

    private static boolean bool(LuaValue v, String fname) {
        if (v.isboolean()) return v.toboolean();
        String s = v.checkjstring();
        if (s.equals("on")) return true;
        if (s.equals("off")) return false;
        throw new LuaError("bad argument #1 to '" + fname + "' (invalid option '" + s + "')");
    }

    private static VarArgFunction intOption(java.util.function.IntConsumer set, java.util.function.IntSupplier get, String name) {
        return new VarArgFunction() {
            @Override public Varargs invoke(Varargs a) {
                if (!a.isnoneornil(1)) {
                    int v = a.checkint(1);
                    if (v < 1) throw new LuaError("bad argument #1 to '" + name + "' (expected integer between 1 and 2147483647)");
                    set.accept(v);
                }
                return valueOf(get.getAsInt());
            }
        };
    }

    // =====================================================================================
    // Encoding
    // =====================================================================================

    private static void encode(Config cfg, LuaValue v, int depth, ByteArrayOutputStream out) {
        switch (v.type()) {
            case LuaValue.TSTRING: {
                appendString(v.checkstring(), out);
                return;
            }
            case LuaValue.TNUMBER: {
                double d = v.todouble();
                if (Double.isNaN(d) || Double.isInfinite(d)) {
                    if (cfg.encodeInvalidNumbers == 0) throw new LuaError("Cannot serialise number: must not be NaN or Inf");
                    if (cfg.encodeInvalidNumbers == 2) {
                        write(out, "null");
                        return;
                    }
                    if (Double.isNaN(d)) {
                        write(out, "nan");
                        return;
                    }
                }
                write(out, LuaNumbers.formatG(d, cfg.precision));
                return;
            }
            case LuaValue.TBOOLEAN:
                write(out, v.toboolean() ? "true" : "false");
                return;
            case LuaValue.TNIL:
                write(out, "null");
                return;
            case LuaValue.TTABLE: {
                depth++;
                if (depth > cfg.encodeMaxDepth) throw new LuaError("Cannot serialise, excessive nesting (" + depth + ")");
                LuaTable t = (LuaTable) v;
                int len = arrayLength(cfg, t);
                if (len > 0 || (len == 0 && false)) {
                    out.write('[');
                    for (int i = 1; i <= len; i++) {
                        if (i > 1) out.write(',');
                        encode(cfg, t.rawget(i), depth, out);
                    }
                    out.write(']');
                } else {
                    out.write('{');
                    boolean comma = false;
                    LuaValue k = LuaValue.NIL;
                    while (true) {
                        Varargs n = t.next(k);
                        if ((k = n.arg1()).isnil()) break;
                        if (comma) out.write(',');
                        comma = true;
                        if (k.type() == LuaValue.TNUMBER) {
                            out.write('"');
                            write(out, LuaNumbers.formatG(k.todouble(), cfg.precision));
                            out.write('"');
                        } else if (k.type() == LuaValue.TSTRING) {
                            appendString(k.checkstring(), out);
                        } else {
                            throw new LuaError("Cannot serialise " + k.typename() + ": table key must be a number or string");
                        }
                        out.write(':');
                        encode(cfg, n.arg(2), depth, out);
                    }
                    out.write('}');
                }
                return;
            }
            default:
                if (v == NULL) {
                    write(out, "null");
                    return;
                }
                throw new LuaError("Cannot serialise " + v.typename() + ": type not supported");
        }
    }

    /** lua-cjson's lua_array_length: >0 array size, 0 empty, -1 not an array. */
    private static int arrayLength(Config cfg, LuaTable t) {
        int max = 0, items = 0;
        LuaValue k = LuaValue.NIL;
        while (true) {
            Varargs n = t.next(k);
            if ((k = n.arg1()).isnil()) break;
            if (k.type() == LuaValue.TNUMBER) {
                double d = k.todouble();
                if (d == Math.floor(d) && d >= 1 && d <= Integer.MAX_VALUE) {
                    if (d > max) max = (int) d;
                    items++;
                    continue;
                }
            }
            return -1;
        }
        if (cfg.sparseRatio > 0 && max > items * cfg.sparseRatio && max > cfg.sparseSafe) {
            if (cfg.sparseConvert == 0) throw new LuaError("Cannot serialise table: excessively sparse array");
            return -1;
        }
        return max;
    }

    private static void appendString(LuaString s, ByteArrayOutputStream out) {
        out.write('"');
        for (int i = 0; i < s.m_length; i++) {
            int c = s.m_bytes[s.m_offset + i] & 0xff;
            switch (c) {
                case '"' -> write(out, "\\\"");
                case '\\' -> write(out, "\\\\");
                case '/' -> write(out, "\\/");
                case '\b' -> write(out, "\\b");
                case '\t' -> write(out, "\\t");
                case '\n' -> write(out, "\\n");
                case '\f' -> write(out, "\\f");
                case '\r' -> write(out, "\\r");
                default -> {
                    if (c < 0x20 || c == 0x7f) write(out, String.format("\\u%04x", c));
                    else out.write(c);
                }
            }
        }
        out.write('"');
    }

    private static void write(ByteArrayOutputStream out, String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        out.write(b, 0, b.length);
    }

    // =====================================================================================
    // Decoding
    // =====================================================================================

    private static final class Decoder {
        final Config cfg;
        final byte[] b;
        final int start, end;
        int p;
        int depth;

        Decoder(Config cfg, byte[] b, int off, int len) {
            this.cfg = cfg;
            this.b = b;
            this.start = off;
            this.end = off + len;
            this.p = off;
        }

        LuaValue decodeAll() {
            if (end - start >= 2 && (b[start] == 0 || b[start + 1] == 0)) {
                throw new LuaError("JSON parser does not support UTF-16 or UTF-32");
            }
            LuaValue v = value();
            skipWs();
            if (p < end) throw parseError("the end", tokenName());
            return v;
        }

        private int pos() { return p - start + 1; }

        private void skipWs() {
            while (p < end) {
                byte c = b[p];
                if (c == ' ' || c == '\t' || c == '\n' || c == '\r') p++;
                else break;
            }
        }

        private LuaError parseError(String expected, String found) {
            return new LuaError("Expected " + expected + " but found " + found + " at character " + pos());
        }

        private String tokenName() {
            if (p >= end) return "T_END";
            byte c = b[p];
            return switch (c) {
                case '{' -> "T_OBJ_BEGIN";
                case '}' -> "T_OBJ_END";
                case '[' -> "T_ARR_BEGIN";
                case ']' -> "T_ARR_END";
                case ',' -> "T_COMMA";
                case ':' -> "T_COLON";
                case '"' -> "T_STRING";
                default -> "invalid token";
            };
        }

        private LuaValue value() {
            skipWs();
            if (p >= end) throw parseError("value", "T_END");
            byte c = b[p];
            switch (c) {
                case '{': return object();
                case '[': return array();
                case '"': return string();
                case 't': return literal("true", LuaValue.TRUE);
                case 'f': return literal("false", LuaValue.FALSE);
                case 'n':
                    if (matches("null")) {
                        p += 4;
                        return NULL;
                    }
                    if (cfg.decodeInvalidNumbers && matchesIgnoreCase("nan")) {
                        p += 3;
                        return LuaValue.valueOf(Double.NaN);
                    }
                    throw parseError("value", "invalid token");
                default:
                    if (c == '-' || (c >= '0' && c <= '9') || (cfg.decodeInvalidNumbers && (c == 'i' || c == 'I' || c == 'N' || c == '+'))) {
                        return number();
                    }
                    throw parseError("value", tokenName());
            }
        }

        private boolean matches(String s) {
            if (p + s.length() > end) return false;
            for (int i = 0; i < s.length(); i++) if (b[p + i] != s.charAt(i)) return false;
            return true;
        }

        private boolean matchesIgnoreCase(String s) {
            if (p + s.length() > end) return false;
            for (int i = 0; i < s.length(); i++) if (Character.toLowerCase(b[p + i]) != s.charAt(i)) return false;
            return true;
        }

        private LuaValue literal(String word, LuaValue v) {
            if (!matches(word)) throw parseError("value", "invalid token");
            p += word.length();
            return v;
        }

        private LuaValue number() {
            int s = p;
            while (p < end) {
                byte c = b[p];
                if ((c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E'
                    || c == 'x' || c == 'X' || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
                    || c == 'i' || c == 'n' || c == 'I' || c == 'N' || c == 't' || c == 'y' || c == 'T' || c == 'Y') p++;
                else break;
            }
            String text = new String(b, s, p - s, StandardCharsets.US_ASCII);
            String lower = text.toLowerCase(java.util.Locale.ROOT);
            try {
                if (lower.startsWith("0x") || lower.startsWith("-0x") || lower.contains("inf") || lower.contains("nan")) {
                    if (!cfg.decodeInvalidNumbers) throw new NumberFormatException();
                    if (lower.contains("nan")) return LuaValue.valueOf(Double.NaN);
                    if (lower.contains("inf")) return LuaValue.valueOf(lower.startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY);
                    boolean neg = lower.startsWith("-");
                    return LuaValue.valueOf((neg ? -1 : 1) * (double) Long.parseLong(lower.substring(neg ? 3 : 2), 16));
                }
                if (lower.startsWith("+")) throw new NumberFormatException();
                return LuaValue.valueOf(Double.parseDouble(text));
            } catch (NumberFormatException e) {
                p = s;
                throw parseError("value", "invalid number");
            }
        }

        private LuaValue string() {
            p++;
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            while (true) {
                if (p >= end) throw parseError("value", "unexpected end of string");
                int c = b[p] & 0xff;
                if (c == '"') {
                    p++;
                    return LuaString.valueOf(out.toByteArray());
                }
                if (c == '\\') {
                    if (p + 1 >= end) throw parseError("value", "invalid escape code");
                    int e = b[p + 1];
                    switch (e) {
                        case '"', '\\', '/' -> out.write(e);
                        case 'b' -> out.write('\b');
                        case 'f' -> out.write('\f');
                        case 'n' -> out.write('\n');
                        case 'r' -> out.write('\r');
                        case 't' -> out.write('\t');
                        case 'u' -> {
                            int cp = hex4(p + 2);
                            int used = 6;
                            if (cp < 0) throw parseError("value", "invalid unicode escape code");
                            if (cp >= 0xD800 && cp <= 0xDBFF) {
                                int lo = (p + 8 <= end && b[p + 6] == '\\' && b[p + 7] == 'u') ? hex4(p + 8) : -1;
                                if (lo < 0xDC00 || lo > 0xDFFF) throw parseError("value", "invalid unicode escape code");
                                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                                used = 12;
                            } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                                throw parseError("value", "invalid unicode escape code");
                            }
                            byte[] u = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8);
                            out.write(u, 0, u.length);
                            p += used;
                            continue;
                        }
                        default -> throw parseError("value", "invalid escape code");
                    }
                    p += 2;
                    continue;
                }
                out.write(c);
                p++;
            }
        }

        private int hex4(int at) {
            if (at + 4 > end) return -1;
            int v = 0;
            for (int i = 0; i < 4; i++) {
                int d = Character.digit(b[at + i], 16);
                if (d < 0) return -1;
                v = v * 16 + d;
            }
            return v;
        }

        private void enter() {
            depth++;
            if (depth > cfg.decodeMaxDepth) {
                throw new LuaError("Found too many nested data structures (" + depth + ") at character " + pos());
            }
        }

        private LuaValue object() {
            enter();
            p++;
            LuaTable t = new LuaTable();
            skipWs();
            if (p < end && b[p] == '}') {
                p++;
                depth--;
                return t;
            }
            while (true) {
                skipWs();
                if (p >= end || b[p] != '"') throw parseError("object key string", tokenName());
                LuaValue k = string();
                skipWs();
                if (p >= end || b[p] != ':') throw parseError("colon", tokenName());
                p++;
                LuaValue v = value();
                t.rawset(k, v);
                skipWs();
                if (p < end && b[p] == ',') {
                    p++;
                    continue;
                }
                if (p < end && b[p] == '}') {
                    p++;
                    depth--;
                    return t;
                }
                throw parseError("comma or object end", tokenName());
            }
        }

        private LuaValue array() {
            enter();
            p++;
            LuaTable t = new LuaTable();
            skipWs();
            if (p < end && b[p] == ']') {
                p++;
                depth--;
                return t;
            }
            for (int i = 1; ; i++) {
                LuaValue v = value();
                t.rawset(i, v);
                skipWs();
                if (p < end && b[p] == ',') {
                    p++;
                    continue;
                }
                if (p < end && b[p] == ']') {
                    p++;
                    depth--;
                    return t;
                }
                throw parseError("comma or array end", tokenName());
            }
        }
    }
}
