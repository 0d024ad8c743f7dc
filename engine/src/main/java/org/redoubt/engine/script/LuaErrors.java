package org.redoubt.engine.script;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import org.luaj.vm2.Lua;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Prototype;
import org.luaj.vm2.lib.DebugLib;

/**
 * Turns LuaJ errors into what Lua 5.1 (and so Redis) shows a script and its caller.
 *
 * <p>LuaJ prefixes a string error with "@user_script:3 " (chunk name with its '@', no colon),
 * and names no variables ("attempt to call nil"). Lua 5.1 writes "user_script:3: attempt to
 * call global 'foo' (a nil value)". We read the position LuaJ recorded (its protected
 * {@code fileline} and {@code level} fields) and the frame our {@link LuaHook} saw raise the
 * error, and rebuild the 5.1 text, naming the variable with LuaJ's own symbolic execution
 * ({@link DebugLib#getobjname}).
 */
final class LuaErrors {
    private LuaErrors() {}

    private static final java.lang.reflect.Field NW_NAME, NW_WHAT;

    static {
        java.lang.reflect.Field n = null, w = null;
        try {
            Class<?> c = Class.forName("org.luaj.vm2.lib.DebugLib$NameWhat");
            n = c.getDeclaredField("name");
            w = c.getDeclaredField("namewhat");
            n.setAccessible(true);
            w.setAccessible(true);
        } catch (ReflectiveOperationException | RuntimeException e) {
            n = w = null;  // errors then say "a nil value" without the variable name
        }
        NW_NAME = n;
        NW_WHAT = w;
    }

    private static final VarHandle FILELINE;
    private static final VarHandle LEVEL;

    static {
        VarHandle f = null, l = null;
        try {
            MethodHandles.Lookup lk = MethodHandles.privateLookupIn(LuaError.class, MethodHandles.lookup());
            f = lk.findVarHandle(LuaError.class, "fileline", String.class);
            l = lk.findVarHandle(LuaError.class, "level", int.class);
        } catch (ReflectiveOperationException | RuntimeException e) {
            // LuaJ changed its internals: messages keep LuaJ's spelling of positions.
        }
        FILELINE = f;
        LEVEL = l;
    }

    /**
     * The error value as a Lua 5.1 script would see it: the object given to error() when it is
     * not a string (e.g. an {err=...} table), else the message with its 5.1 position prefix.
     */
    static LuaValue value(LuaError le, LuaHook hook) {
        LuaValue obj = le.getMessageObject();
        if (obj != null && obj.type() != LuaValue.TSTRING && obj.type() != LuaValue.TNUMBER) return obj;
        return LuaValue.valueOf(message(le, hook));
    }

    /** The 5.1 text of a string error: "user_script:1: message". */
    static String message(LuaError le, LuaHook hook) {
        String raw = le.getMessage();
        if (raw == null) raw = "nil";
        if (raw.endsWith("\n")) raw = raw.substring(0, raw.length() - 1);  // LuaHook.traceback's empty trace
        String fileline = FILELINE == null ? null : (String) FILELINE.get(le);
        int level = LEVEL == null ? 1 : (int) LEVEL.get(le);
        String body = raw;
        if (fileline != null && raw.startsWith(fileline + " ")) body = raw.substring(fileline.length() + 1);
        else if (fileline != null && raw.equals(fileline)) body = "";
        body = rename(body, hook);
        if (fileline == null || level <= 0) return body;
        int colon = fileline.lastIndexOf(':');
        if (colon < 0) return body;
        return chunkid(fileline.substring(0, colon)) + fileline.substring(colon) + ": " + body;
    }

    /** Lua 5.1's luaO_chunkid: "@file" → "file", "=name" → "name", source text → [string "..."]. */
    static String chunkid(String source) {
        if (source.startsWith("=")) return source.length() > 60 ? source.substring(1, 60) : source.substring(1);
        if (source.startsWith("@")) {
            String s = source.substring(1);
            return s.length() > 59 ? "..." + s.substring(s.length() - 56) : s;
        }
        int nl = source.indexOf('\n');
        int max = 60 - 15;
        String first = nl >= 0 ? source.substring(0, nl) : source;
        boolean cut = nl >= 0 || first.length() > max;
        if (first.length() > max) first = first.substring(0, max);
        return "[string \"" + first + (cut ? "...\"]" : "\"]");
    }

    /** LuaJ's anonymous runtime errors, with the variable named as Lua 5.1 names it. */
    private static String rename(String body, LuaHook hook) {
        Prototype p = hook.errProto;
        int pc = hook.errPc;
        if (body.startsWith("attempt to call ")) {
            String type = body.substring("attempt to call ".length());
            if (type.contains(" ")) return body;
            String var = varinfo(p, pc, true);
            return "attempt to call " + (var != null ? var + " (a " + type + " value)" : "a " + type + " value");
        }
        if (body.startsWith("attempt to index ? (a ")) {
            String type = body.substring("attempt to index ? (a ".length(), body.length() - " value)".length());
            String var = varinfo(p, pc, false);
            return "attempt to index " + (var != null ? var + " (a " + type + " value)" : "a " + type + " value");
        }
        if (body.startsWith("index expected, got ")) {
            String type = body.substring("index expected, got ".length());
            if (type.contains(" ")) return body;
            String var = varinfo(p, pc, false);
            return "attempt to index " + (var != null ? var + " (a " + type + " value)" : "a " + type + " value");
        }
        if (body.startsWith("attempt to get length of ") && !body.contains("(")) {
            return "attempt to get length of a " + body.substring("attempt to get length of ".length()) + " value";
        }
        if (body.startsWith("attempt to perform arithmetic ")) {
            int on = body.lastIndexOf(" on ");
            String types = on >= 0 ? body.substring(on + 4) : "";
            String[] two = types.split(" and ");
            String bad = two.length == 2 ? (two[0].equals("number") || two[0].equals("string") ? two[1] : two[0]) : types;
            if (!bad.isEmpty() && !bad.contains(" ")) return "attempt to perform arithmetic on a " + bad + " value";
        }
        if (body.startsWith("attempt to concatenate ")) {
            String[] two = body.substring("attempt to concatenate ".length()).split(" and ");
            if (two.length == 2) {
                String bad = two[0].equals("string") || two[0].equals("number") ? two[1] : two[0];
                return "attempt to concatenate a " + bad + " value";
            }
        }
        return body;
    }

    /** "global 'foo'", "local 'x'", "field 'bar'", "method 'baz'", "upvalue 'u'" or null. */
    private static String varinfo(Prototype p, int pc, boolean call) {
        if (p == null || pc < 0 || pc >= p.code.length) return null;
        int i = p.code[pc];
        int op = Lua.GET_OPCODE(i);
        int reg;
        if (call) {
            if (op != Lua.OP_CALL && op != Lua.OP_TAILCALL && op != Lua.OP_TFORCALL) return null;
            reg = Lua.GETARG_A(i);
        } else {
            switch (op) {
                case Lua.OP_GETTABLE:
                case Lua.OP_SELF:
                    reg = Lua.GETARG_B(i);
                    break;
                case Lua.OP_SETTABLE:
                    reg = Lua.GETARG_A(i);
                    break;
                case Lua.OP_GETTABUP:
                case Lua.OP_SETTABUP: {
                    int u = op == Lua.OP_GETTABUP ? Lua.GETARG_B(i) : Lua.GETARG_A(i);
                    LuaString n = u < p.upvalues.length ? p.upvalues[u].name : null;
                    return n == null ? null : "upvalue '" + n.tojstring() + "'";
                }
                default:
                    return null;
            }
        }
        if (NW_NAME == null) return null;
        try {
            Object nw = DebugLib.getobjname(p, pc, reg);
            if (nw == null) return null;
            String name = (String) NW_NAME.get(nw);
            String what = (String) NW_WHAT.get(nw);
            if (name == null || what == null || "constant".equals(what)) return null;
            return what + " '" + name + "'";
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /** Redis's luaPushError text: "CODE message" with ERR when the message brings no code. */
    static String redisErrorText(String s) {
        String code, msg;
        if (s.startsWith("-")) {
            int sp = s.indexOf(' ');
            if (sp < 0) {
                msg = s.substring(1);
                code = "ERR";
            } else {
                code = s.substring(1, sp);
                msg = s.substring(sp + 1);
            }
        } else {
            msg = s;
            code = "ERR";
        }
        msg = trimCrLf(msg);
        return code + " " + msg;
    }

    private static String trimCrLf(String s) {
        int a = 0, b = s.length();
        while (a < b && (s.charAt(a) == '\r' || s.charAt(a) == '\n')) a++;
        while (b > a && (s.charAt(b - 1) == '\r' || s.charAt(b - 1) == '\n')) b--;
        return s.substring(a, b);
    }

    /** {err = "CODE message"}, the error object of redis.call and the server's own API errors. */
    static LuaTable table(String s) {
        LuaTable t = new LuaTable();
        t.rawset(LuaResp.ERR, LuaValue.valueOf(redisErrorText(s)));
        return t;
    }
}
