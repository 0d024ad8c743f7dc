package org.redoubt.engine.script;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaFunction;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;

/**
 * Redis 7 functions: libraries loaded with FUNCTION LOAD ("#!lua name=lib" + code that calls
 * redis.register_function), the function name index FCALL uses (case-insensitive, as Redis's
 * functions dict), and the payload of FUNCTION DUMP/RESTORE, which is Redis's: per library
 * RDB_OPCODE_FUNCTION2 (245) and the code as an RDB string, then the RDB version (2 bytes LE)
 * and the CRC64 of everything before it (8 bytes LE).
 *
 * <p>The Lua side follows function_lua.c: library code runs with a fresh, locked globals table
 * whose metatable's __index is the library API (redis.register_function, redis.log, versions)
 * during FUNCTION LOAD and the full scripting API afterwards, so functions share helpers
 * declared in their library but cannot create globals.
 */
public final class Functions {
    /** Redis 7.0's RDB version, written in DUMP footers. */
    public static final int RDB_VERSION = 10;
    public static final int RDB_OPCODE_FUNCTION = 246, RDB_OPCODE_FUNCTION2 = 245;
    static final long LOAD_TIMEOUT_MS = 500;

    private final Scripting scripting;
    /** Library name (case-sensitive) → library, in load order. */
    private LinkedHashMap<String, Library> libraries = new LinkedHashMap<>();
    /** Lower-case function name → function, across all libraries. */
    private HashMap<String, FunctionInfo> functions = new HashMap<>();

    // ---- the functions Lua VM
    SandboxGlobals api;          // the real globals: the scripting API (what functions see)
    SandboxGlobals env;          // the globals library code runs with: empty, locked
    LockableTable envMeta;       // env's metatable; __index switches between the two APIs
    LockableTable libraryApi;    // what FUNCTION LOAD code sees
    LoadCtx loading;

    public static final class Library {
        public final String name;
        /** The whole FUNCTION LOAD payload, shebang included (FUNCTION LIST WITHCODE, RDB). */
        public final byte[] code;
        final LinkedHashMap<String, FunctionInfo> functions = new LinkedHashMap<>();

        Library(String name, byte[] code) {
            this.name = name;
            this.code = code;
        }

        public Collection<FunctionInfo> functions() { return functions.values(); }
    }

    public static final class FunctionInfo {
        public final String name;
        public final String description;
        public final int flags;
        final LuaFunction callback;
        final Library library;

        FunctionInfo(String name, String description, int flags, LuaFunction callback, Library library) {
            this.name = name;
            this.description = description;
            this.flags = flags;
            this.callback = callback;
            this.library = library;
        }
    }

    /** The library being loaded: redis.register_function adds to it. */
    static final class LoadCtx {
        final Library lib;
        final long startNanos = System.nanoTime();
        final long timeoutMs;

        LoadCtx(Library lib, long timeoutMs) {
            this.lib = lib;
            this.timeoutMs = timeoutMs;
        }
    }

    Functions(Scripting scripting) {
        this.scripting = scripting;
        LuaSandbox.functionVm(scripting, this);
    }

    // =====================================================================================
    // Queries
    // =====================================================================================

    public Collection<Library> libraries() { return libraries.values(); }

    public int libraryCount() { return libraries.size(); }

    public int functionCount() { return functions.size(); }

    FunctionInfo function(byte[] name) {
        return functions.get(new String(name, StandardCharsets.UTF_8).toLowerCase(Locale.ROOT));
    }

    Library library(String name) { return libraries.get(name); }

    /** Approximate bytes of code and descriptions (INFO used_memory_functions). */
    public long memory() {
        long m = 0;
        for (Library l : libraries.values()) {
            m += l.code.length + 64;
            for (FunctionInfo f : l.functions.values()) m += f.name.length() + 96;
        }
        return m;
    }

    // =====================================================================================
    // Load, delete, flush
    // =====================================================================================

    /**
     * FUNCTION LOAD: compiles code and links its library. Returns the library name, or throws
     * {@link FunctionException} with Redis's error text (without "ERR ").
     */
    public String load(byte[] code, boolean replace, long timeoutMs) throws FunctionException {
        return create(code, replace, timeoutMs, libraries, functions);
    }

    private String create(byte[] code, boolean replace, long timeoutMs,
                          LinkedHashMap<String, Library> libs, HashMap<String, FunctionInfo> funcs) throws FunctionException {
        if (code.length < 2 || code[0] != '#' || code[1] != '!') throw new FunctionException("Missing library metadata");
        int nl = Scripting.indexOf(code, (byte) '\n');
        if (nl < 0) throw new FunctionException("Invalid library metadata");
        List<byte[]> parts = SplitArgs.split(code, 0, nl);
        if (parts == null || parts.isEmpty()) throw new FunctionException("Invalid library metadata");
        String engineName = new String(parts.get(0), StandardCharsets.UTF_8).substring(2);
        String name = null;
        for (int i = 1; i < parts.size(); i++) {
            String part = new String(parts.get(i), StandardCharsets.UTF_8);
            if (part.regionMatches(true, 0, "name=", 0, 5)) {
                if (name != null) throw new FunctionException("Invalid metadata value, name argument was given multiple times");
                name = part.substring(5);
                continue;
            }
            throw new FunctionException("Invalid metadata value given: " + part);
        }
        if (name == null) throw new FunctionException("Library name was not given");
        if (!validName(name)) {
            throw new FunctionException("Library names can only contain letters, numbers, or underscores(_) and must be at least one character long");
        }
        if (!engineName.equalsIgnoreCase("lua")) throw new FunctionException("Engine '" + engineName + "' not found");
        Library old = libs.get(name);
        if (old != null && !replace) throw new FunctionException("Library '" + name + "' already exists");
        if (old != null) unlink(old, libs, funcs);
        Library lib = new Library(name, code);
        try {
            compile(lib, code, nl, timeoutMs);
            if (lib.functions.isEmpty()) throw new FunctionException("No functions registered");
            for (FunctionInfo f : lib.functions.values()) {
                if (funcs.containsKey(f.name.toLowerCase(Locale.ROOT))) {
                    throw new FunctionException("Function " + f.name + " already exists");
                }
            }
        } catch (FunctionException e) {
            if (old != null) link(old, libs, funcs);
            throw e;
        }
        link(lib, libs, funcs);
        return name;
    }

    /** Runs the library code so it registers its functions (Redis's luaEngineCreate). */
    private void compile(Library lib, byte[] code, int shebangLen, long timeoutMs) throws FunctionException {
        LuaFunction chunk;
        try {
            chunk = (LuaFunction) env.load(new ByteArrayInputStream(code, shebangLen, code.length - shebangLen),
                "@user_function", "t", env);
        } catch (LuaError e) {
            throw new FunctionException("Error compiling function: " + LuaErrors.message(e, scripting.hook));
        } catch (StackOverflowError e) {
            throw new FunctionException("Error compiling function: user_function: chunk has too many syntax levels");
        }
        envMeta.forceSet("__index", libraryApi);
        loading = new LoadCtx(lib, timeoutMs);
        scripting.hook.reset();
        try {
            chunk.call();
        } catch (LuaError e) {
            LuaValue v = LuaErrors.value(e, scripting.hook);
            String msg;
            if (v instanceof LuaTable t && t.rawget(LuaResp.ERR).isstring()) msg = t.rawget(LuaResp.ERR).tojstring();
            else msg = "ERR " + v.tojstring();
            throw new FunctionException("Error registering functions: " + msg);
        } catch (StackOverflowError e) {
            throw new FunctionException("Error registering functions: ERR stack overflow");
        } finally {
            loading = null;
            envMeta.forceSet("__index", api);
        }
    }

    /** redis.register_function while a library loads (Redis's functionLibCreateFunction). */
    void register(String name, String desc, int flags, LuaFunction callback) {
        LoadCtx l = loading;
        if (!validName(name)) {
            throw new LuaError(LuaErrors.table("Library names can only contain letters, numbers, or underscores(_) and must be at least one character long"));
        }
        if (l.lib.functions.containsKey(name)) throw new LuaError(LuaErrors.table("Function already exists in the library"));
        l.lib.functions.put(name, new FunctionInfo(name, desc, flags, callback, l.lib));
    }

    static boolean validName(String s) {
        if (s.isEmpty()) return false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) return false;
        }
        return true;
    }

    private static void unlink(Library lib, LinkedHashMap<String, Library> libs, HashMap<String, FunctionInfo> funcs) {
        for (FunctionInfo f : lib.functions.values()) funcs.remove(f.name.toLowerCase(Locale.ROOT));
        libs.remove(lib.name);
    }

    private static void link(Library lib, LinkedHashMap<String, Library> libs, HashMap<String, FunctionInfo> funcs) {
        for (FunctionInfo f : lib.functions.values()) funcs.put(f.name.toLowerCase(Locale.ROOT), f);
        libs.put(lib.name, lib);
    }

    /** FUNCTION DELETE; false when there is no such library. */
    public boolean delete(String name) {
        Library l = libraries.get(name);
        if (l == null) return false;
        unlink(l, libraries, functions);
        return true;
    }

    /** FUNCTION FLUSH, and the RDB loader's "replace all functions". */
    public void flush() {
        libraries = new LinkedHashMap<>();
        functions = new HashMap<>();
    }

    // =====================================================================================
    // DUMP / RESTORE
    // =====================================================================================

    /** FUNCTION DUMP's payload. */
    public byte[] dump() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Library l : libraries.values()) {
            out.write(RDB_OPCODE_FUNCTION2);
            writeRdbString(out, l.code);
        }
        out.write(RDB_VERSION & 0xff);
        out.write((RDB_VERSION >> 8) & 0xff);
        byte[] body = out.toByteArray();
        long crc = Crc64.update(0, body, 0, body.length);
        byte[] r = new byte[body.length + 8];
        System.arraycopy(body, 0, r, 0, body.length);
        for (int i = 0; i < 8; i++) r[body.length + i] = (byte) (crc >>> (8 * i));
        return r;
    }

    public enum RestorePolicy { FLUSH, APPEND, REPLACE }

    /**
     * FUNCTION RESTORE: loads every library of the payload aside, then swaps (FLUSH) or joins
     * them, all or nothing. Throws FunctionException with Redis's error text.
     */
    public void restore(byte[] payload, RestorePolicy policy, boolean skipChecksum) throws FunctionException {
        if (!verifyPayload(payload, skipChecksum)) throw new FunctionException("DUMP payload version or checksum are wrong");
        LinkedHashMap<String, Library> libs = new LinkedHashMap<>();
        HashMap<String, FunctionInfo> funcs = new HashMap<>();
        int[] pos = {0};
        int end = payload.length - 10;
        while (pos[0] < end) {
            int type = payload[pos[0]++] & 0xff;
            if (type != RDB_OPCODE_FUNCTION && type != RDB_OPCODE_FUNCTION2) throw new FunctionException("given type is not a function");
            if (type == RDB_OPCODE_FUNCTION) {
                throw new FunctionException("Pre-GA function format not supported");
            }
            byte[] code = readRdbString(payload, pos, end);
            if (code == null) throw new FunctionException("failed loading the given functions payload");
            try {
                create(code, false, 0, libs, funcs);
            } catch (FunctionException e) {
                throw new FunctionException(e.getMessage());
            }
        }
        if (policy == RestorePolicy.FLUSH) {
            libraries = libs;
            functions = funcs;
            return;
        }
        // Join: existing libraries of the same name collide (or are replaced), then no function may collide.
        List<Library> replaced = new ArrayList<>();
        for (Library l : libs.values()) {
            Library old = libraries.get(l.name);
            if (old != null) {
                if (policy != RestorePolicy.REPLACE) {
                    for (Library r : replaced) link(r, libraries, functions);
                    throw new FunctionException("Library " + l.name + " already exists");
                }
                unlink(old, libraries, functions);
                replaced.add(old);
            }
        }
        for (FunctionInfo f : funcs.values()) {
            if (functions.containsKey(f.name.toLowerCase(Locale.ROOT))) {
                for (Library r : replaced) link(r, libraries, functions);
                throw new FunctionException("Function " + f.name + " already exists");
            }
        }
        for (Library l : libs.values()) link(l, libraries, functions);
    }

    /** Redis's verifyDumpPayload: footer version not newer than ours, CRC64 matching. */
    static boolean verifyPayload(byte[] p, boolean skipChecksum) {
        if (p.length < 10) return false;
        int footer = p.length - 10;
        int ver = (p[footer] & 0xff) | (p[footer + 1] & 0xff) << 8;
        if (ver > RDB_VERSION) return false;
        if (skipChecksum) return true;
        long crc = Crc64.update(0, p, 0, p.length - 8);
        long stored = 0;
        for (int i = 0; i < 8; i++) stored |= (p[p.length - 8 + i] & 0xffL) << (8 * i);
        return crc == stored;
    }

    /** An RDB string: 6/14/32/64-bit length then raw bytes (we never compress). */
    static void writeRdbString(ByteArrayOutputStream out, byte[] s) {
        long len = s.length;
        if (len < (1 << 6)) {
            out.write((int) len);
        } else if (len < (1 << 14)) {
            out.write((int) (0x40 | (len >> 8)));
            out.write((int) (len & 0xff));
        } else if (len <= 0xffffffffL) {
            out.write(0x80);
            for (int i = 3; i >= 0; i--) out.write((int) (len >> (8 * i)) & 0xff);
        } else {
            out.write(0x81);
            for (int i = 7; i >= 0; i--) out.write((int) (len >> (8 * i)) & 0xff);
        }
        out.write(s, 0, s.length);
    }

    /** Reads an RDB string (plain, integer-encoded or LZF-compressed); null when malformed. */
    static byte[] readRdbString(byte[] p, int[] pos, int end) {
        if (pos[0] >= end) return null;
        int b = p[pos[0]++] & 0xff;
        int kind = b >> 6;
        long len;
        switch (kind) {
            case 0: len = b & 0x3f; break;
            case 1:
                if (pos[0] >= end) return null;
                len = ((b & 0x3f) << 8) | (p[pos[0]++] & 0xff);
                break;
            case 2:
                if (b == 0x80) len = readBigEndian(p, pos, 4, end);
                else if (b == 0x81) len = readBigEndian(p, pos, 8, end);
                else return null;
                if (len < 0) return null;
                break;
            default: {
                int enc = b & 0x3f;
                if (enc <= 2) {  // integers as 8/16/32-bit little endian
                    int n = 1 << enc;
                    if (pos[0] + n > end) return null;
                    long v = 0;
                    for (int i = 0; i < n; i++) v |= (p[pos[0] + i] & 0xffL) << (8 * i);
                    pos[0] += n;
                    if (n == 1) v = (byte) v;
                    else if (n == 2) v = (short) v;
                    else v = (int) v;
                    return Long.toString(v).getBytes(StandardCharsets.US_ASCII);
                }
                if (enc == 3) {  // LZF
                    int[] lp = pos.clone();
                    byte[] clen = readLength(p, lp, end);
                    if (clen == null) return null;
                    long compressed = parseLen(clen);
                    byte[] ulenB = readLength(p, lp, end);
                    if (ulenB == null) return null;
                    long ulen = parseLen(ulenB);
                    if (compressed < 0 || ulen < 0 || lp[0] + compressed > end || ulen > Integer.MAX_VALUE) return null;
                    byte[] outb = lzfDecompress(p, lp[0], (int) compressed, (int) ulen);
                    if (outb == null) return null;
                    pos[0] = lp[0] + (int) compressed;
                    return outb;
                }
                return null;
            }
        }
        if (pos[0] + len > end) return null;
        byte[] s = new byte[(int) len];
        System.arraycopy(p, pos[0], s, 0, (int) len);
        pos[0] += (int) len;
        return s;
    }

    private static byte[] readLength(byte[] p, int[] pos, int end) {
        if (pos[0] >= end) return null;
        int b = p[pos[0]++] & 0xff;
        long len;
        switch (b >> 6) {
            case 0: len = b & 0x3f; break;
            case 1:
                if (pos[0] >= end) return null;
                len = ((b & 0x3f) << 8) | (p[pos[0]++] & 0xff);
                break;
            case 2:
                if (b == 0x80) len = readBigEndian(p, pos, 4, end);
                else if (b == 0x81) len = readBigEndian(p, pos, 8, end);
                else return null;
                break;
            default: return null;
        }
        return Long.toString(len).getBytes(StandardCharsets.US_ASCII);
    }

    private static long parseLen(byte[] b) { return Long.parseLong(new String(b, StandardCharsets.US_ASCII)); }

    private static long readBigEndian(byte[] p, int[] pos, int n, int end) {
        if (pos[0] + n > end) return -1;
        long v = 0;
        for (int i = 0; i < n; i++) v = (v << 8) | (p[pos[0]++] & 0xff);
        return v;
    }

    /** LZF (liblzf) decompression; null when the input is corrupt or does not fill ulen bytes. */
    static byte[] lzfDecompress(byte[] in, int off, int len, int ulen) {
        byte[] out = new byte[ulen];
        int ip = off, end = off + len, op = 0;
        while (ip < end) {
            int ctrl = in[ip++] & 0xff;
            if (ctrl < 32) {  // literal run of ctrl+1 bytes
                int n = ctrl + 1;
                if (op + n > ulen || ip + n > end) return null;
                System.arraycopy(in, ip, out, op, n);
                ip += n;
                op += n;
            } else {  // back reference
                int n = ctrl >> 5;
                int ref = op - ((ctrl & 0x1f) << 8) - 1;
                if (n == 7) {
                    if (ip >= end) return null;
                    n += in[ip++] & 0xff;
                }
                if (ip >= end) return null;
                ref -= in[ip++] & 0xff;
                n += 2;
                if (op + n > ulen || ref < 0) return null;
                for (int i = 0; i < n; i++) out[op++] = out[ref++];
            }
        }
        return op == ulen ? out : null;
    }

    /** A FUNCTION command failure; the message is Redis's text without "ERR ". */
    public static final class FunctionException extends Exception {
        private static final long serialVersionUID = 1L;

        public FunctionException(String msg) {
            super(msg, null, false, false);
        }
    }
}
