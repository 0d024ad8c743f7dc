package org.redoubt.engine.script;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import org.luaj.vm2.LoadState;
import org.luaj.vm2.LuaClosure;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaFunction;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaUserdata;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.UpValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.compiler.LuaC;
import org.luaj.vm2.lib.BaseLib;
import org.luaj.vm2.lib.CoroutineLib;
import org.luaj.vm2.lib.OneArgFunction;
import org.luaj.vm2.lib.PackageLib;
import org.luaj.vm2.lib.StringLib;
import org.luaj.vm2.lib.TableLib;
import org.luaj.vm2.lib.TwoArgFunction;
import org.luaj.vm2.lib.VarArgFunction;
import org.luaj.vm2.lib.ZeroArgFunction;
import org.luaj.vm2.lib.jse.JseMathLib;
import org.redoubt.engine.script.lib.BitLib;
import org.redoubt.engine.script.lib.CjsonLib;
import org.redoubt.engine.script.lib.CmsgpackLib;
import org.redoubt.engine.script.lib.StructLib;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the Lua environments of Redis scripting on LuaJ: the globals Redis 7.0 allows (Lua 5.1's
 * base library, string, table, math, coroutine, cjson, cmsgpack, bit, struct, redis), with the
 * Lua 5.1 functions LuaJ (a 5.2 VM) lacks added back (unpack, loadstring, getfenv, setfenv,
 * gcinfo, newproxy, table.getn/maxn/foreach/foreachi, math.log10/pow/mod...), no os, io,
 * package, debug, dofile, loadfile or print, everything reachable from the globals locked, and
 * reading an unknown global an error.
 */
final class LuaSandbox {
    private LuaSandbox() {}

    private static final Logger scriptLog = LoggerFactory.getLogger("org.redoubt.script");
    static final int REDIS_VERSION_NUM = 0x0007000f;
    static final String REDIS_VERSION = "7.0.15";
    static final int LL_DEBUG = 0, LL_VERBOSE = 1, LL_NOTICE = 2, LL_WARNING = 3;

    // =====================================================================================
    // Environments
    // =====================================================================================

    /** The EVAL globals: base + libraries + the redis API (with EVAL's extras), locked. */
    static SandboxGlobals evalGlobals(Scripting s) {
        SandboxGlobals g = base(s);
        LockableTable redis = redisApi(s, true);
        g.rawset("redis", redis);
        lockGlobals(g, s);
        return g;
    }

    /**
     * The functions VM (function_lua.c): api = the full scripting globals functions run with;
     * libraryApi = what FUNCTION LOAD code sees; env = the locked, empty globals of library code
     * whose metatable's __index is switched between the two.
     */
    static void functionVm(Scripting s, Functions f) {
        SandboxGlobals api = base(s);
        api.rawset("redis", redisApi(s, false));
        lockGlobals(api, s);

        LockableTable libRedis = new LockableTable();
        libRedis.rawset("register_function", new RegisterFunction(s));
        addLog(libRedis, s);
        addVersion(libRedis);
        setErrorMetatable(libRedis);
        LockableTable libApi = new LockableTable();
        libApi.rawset("redis", libRedis);
        setErrorMetatable(libApi);
        LockableTable.protectRecursively(libApi);

        SandboxGlobals env = new SandboxGlobals();
        installCompiler(env, s);
        LockableTable meta = new LockableTable();
        meta.rawset("__index", api);
        meta.readonly = true;
        env.setmetatable(meta);
        env.readonly = true;

        f.api = api;
        f.env = env;
        f.envMeta = meta;
        f.libraryApi = libApi;
    }

    private static void installCompiler(SandboxGlobals g, Scripting s) {
        LoadState.install(g);
        LuaC.install(g);
        g.debuglib = s.hook;
    }

    /** Base functions and libraries, unlocked. */
    private static SandboxGlobals base(Scripting s) {
        SandboxGlobals g = new SandboxGlobals();
        g.load(new BaseLib());
        g.load(new PackageLib());
        g.load(new TableLib());
        g.load(new StringLib());
        g.load(new JseMathLib());
        g.load(new CoroutineLib());
        installCompiler(g, s);

        // Not in Redis's sandbox.
        for (String k : new String[] {"dofile", "loadfile", "print", "rawlen", "package", "require", "module"}) {
            g.rawset(k, LuaValue.NIL);
        }
        g.rawset("_VERSION", LuaValue.valueOf("Lua 5.1"));
        g.rawset("pcall", new PCall(s));
        g.rawset("xpcall", new XPCall(s));
        g.rawset("tostring", new ToString());
        g.rawset("loadstring", new LoadString(s, g));
        g.rawset("load", new Load(s, g));
        g.rawset("getfenv", new GetFenv(s, g));
        g.rawset("setfenv", new SetFenv(s));
        g.rawset("gcinfo", new GcInfo());
        g.rawset("newproxy", new NewProxy());
        g.rawset("collectgarbage", new CollectGarbage());

        g.rawset("table", table(g.get("table")));
        g.rawset("unpack", g.get("table").get("unpack"));
        g.rawset("string", string(g.get("string")));
        g.rawset("math", math(g.get("math"), s));
        g.rawset("coroutine", copy(g.get("coroutine")));
        g.rawset("cjson", CjsonLib.create());
        g.rawset("cmsgpack", CmsgpackLib.create());
        g.rawset("bit", BitLib.create());
        g.rawset("struct", StructLib.create());
        lockStringMetatable((LuaTable) g.get("string"));
        return g;
    }

    private static LockableTable copy(LuaValue lib) {
        LockableTable t = new LockableTable();
        LuaValue k = LuaValue.NIL;
        while (true) {
            Varargs n = lib.next(k);
            if ((k = n.arg1()).isnil()) break;
            t.rawset(k, n.arg(2));
        }
        return t;
    }

    private static LockableTable table(LuaValue lib) {
        LockableTable t = copy(lib);
        t.rawset("concat", new TableConcat());
        t.rawset("getn", new TableGetn());
        t.rawset("maxn", new TableMaxn());
        t.rawset("foreach", new TableForeach(false));
        t.rawset("foreachi", new TableForeach(true));
        t.rawset("setn", new VarArgFunction() {
            @Override public Varargs invoke(Varargs a) { throw new LuaError("'setn' is obsolete"); }
        });
        return t;
    }

    private static LockableTable string(LuaValue lib) {
        LockableTable t = copy(lib);
        t.rawset("gfind", t.rawget("gmatch"));
        return t;
    }

    private static LockableTable math(LuaValue lib, Scripting s) {
        LockableTable t = copy(lib);
        t.rawset("random", new MathRandom(s));
        t.rawset("randomseed", new MathRandomSeed(s));
        t.rawset("log10", new OneArgFunction() {
            @Override public LuaValue call(LuaValue x) { return valueOf(Math.log10(x.checkdouble())); }
        });
        t.rawset("log", new OneArgFunction() {
            @Override public LuaValue call(LuaValue x) { return valueOf(Math.log(x.checkdouble())); }
        });
        t.rawset("pow", new TwoArgFunction() {
            @Override public LuaValue call(LuaValue x, LuaValue y) { return valueOf(Math.pow(x.checkdouble(), y.checkdouble())); }
        });
        t.rawset("atan2", new TwoArgFunction() {
            @Override public LuaValue call(LuaValue y, LuaValue x) { return valueOf(Math.atan2(y.checkdouble(), x.checkdouble())); }
        });
        t.rawset("cosh", new OneArgFunction() {
            @Override public LuaValue call(LuaValue x) { return valueOf(Math.cosh(x.checkdouble())); }
        });
        t.rawset("sinh", new OneArgFunction() {
            @Override public LuaValue call(LuaValue x) { return valueOf(Math.sinh(x.checkdouble())); }
        });
        t.rawset("tanh", new OneArgFunction() {
            @Override public LuaValue call(LuaValue x) { return valueOf(Math.tanh(x.checkdouble())); }
        });
        t.rawset("mod", t.rawget("fmod"));
        return t;
    }

    /**
     * Strings share one metatable JVM-wide in LuaJ, and every StringLib load replaces it with a
     * writable one: install a locked one after each load (its string table is locked with the
     * globals; any sandbox's string functions will do, they hold no state).
     */
    private static void lockStringMetatable(LuaTable string) {
        synchronized (LuaSandbox.class) {
            LockableTable mt = new LockableTable();
            mt.rawset(LuaValue.INDEX, string);
            mt.readonly = true;
            LuaString.s_metatable = mt;
        }
    }

    /** Locks the globals and everything reachable, and makes unknown globals an error. */
    private static void lockGlobals(SandboxGlobals g, Scripting s) {
        setErrorMetatable(g);
        LockableTable.protectRecursively(g);
    }

    /** __index raising "Script attempted to access nonexistent global variable 'x'". */
    private static void setErrorMetatable(LuaTable t) {
        LockableTable mt = new LockableTable();
        mt.rawset(LuaValue.INDEX, new TwoArgFunction() {
            @Override public LuaValue call(LuaValue table, LuaValue key) {
                throw new LuaError("Script attempted to access nonexistent global variable '" + key.tojstring() + "'");
            }
        });
        t.setmetatable(mt);
    }

    // =====================================================================================
    // The redis table
    // =====================================================================================

    private static LockableTable redisApi(Scripting s, boolean eval) {
        LockableTable r = new LockableTable();
        r.rawset("call", new RedisCall(s, true));
        r.rawset("pcall", new RedisCall(s, false));
        addLog(r, s);
        addVersion(r);
        r.rawset("setresp", new VarArgFunction() {
            @Override public Varargs invoke(Varargs a) {
                if (s.run == null) throw new LuaError(LuaErrors.table("redis.setresp can only be called inside a script invocation"));
                if (a.narg() != 1) throw new LuaError(LuaErrors.table("redis.setresp() requires one argument."));
                int resp = (int) a.arg1().optdouble(0);
                if (resp != 2 && resp != 3) throw new LuaError(LuaErrors.table("RESP version must be 2 or 3."));
                s.setResp(resp);
                return NONE;
            }
        });
        r.rawset("sha1hex", new VarArgFunction() {
            @Override public Varargs invoke(Varargs a) {
                if (a.narg() != 1) throw new LuaError(LuaErrors.table("wrong number of arguments"));
                LuaString str = LuaNumbers.coerceToString(a.arg1());
                byte[] b = str == null ? new byte[0] : LuaResp.bytes(str);
                return valueOf(Sha1.hex(b));
            }
        });
        r.rawset("error_reply", new VarArgFunction() {
            @Override public Varargs invoke(Varargs a) {
                if (a.narg() != 1 || a.arg1().type() != TSTRING) return LuaErrors.table("wrong number or type of arguments");
                String e = a.arg1().tojstring();
                return LuaErrors.table(e.startsWith("-") ? e : "-" + e);
            }
        });
        r.rawset("status_reply", new VarArgFunction() {
            @Override public Varargs invoke(Varargs a) {
                if (a.narg() != 1 || a.arg1().type() != TSTRING) return LuaErrors.table("wrong number or type of arguments");
                LuaTable t = new LuaTable();
                t.rawset(LuaResp.OK, a.arg1());
                return t;
            }
        });
        r.rawset("set_repl", new VarArgFunction() {
            @Override public Varargs invoke(Varargs a) {
                if (s.run == null) throw new LuaError(LuaErrors.table("redis.set_repl can only be called inside a script invocation"));
                if (a.narg() != 1) throw new LuaError(LuaErrors.table("redis.set_repl() requires two arguments."));
                int flags = (int) a.arg1().optdouble(0);
                if ((flags & ~(Scripting.PROPAGATE_AOF | Scripting.PROPAGATE_REPL)) != 0) {
                    throw new LuaError(LuaErrors.table("Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE."));
                }
                s.run.replFlags = flags;
                return NONE;
            }
        });
        r.rawset("REPL_NONE", LuaValue.valueOf(0));
        r.rawset("REPL_AOF", LuaValue.valueOf(Scripting.PROPAGATE_AOF));
        r.rawset("REPL_SLAVE", LuaValue.valueOf(Scripting.PROPAGATE_REPL));
        r.rawset("REPL_REPLICA", LuaValue.valueOf(Scripting.PROPAGATE_REPL));
        r.rawset("REPL_ALL", LuaValue.valueOf(Scripting.PROPAGATE_AOF | Scripting.PROPAGATE_REPL));
        r.rawset("acl_check_cmd", new VarArgFunction() {
            @Override public Varargs invoke(Varargs a) {
                if (s.run == null) throw new LuaError(LuaErrors.table("redis.acl_check_cmd can only be called inside a script invocation"));
                if (a.narg() == 0) throw new LuaError(LuaErrors.table("Please specify at least one argument for this redis lib call"));
                byte[][] argv = new byte[a.narg()][];
                for (int i = 0; i < argv.length; i++) {
                    argv[i] = Scripting.toArg(a.arg(i + 1));
                    if (argv[i] == null) throw new LuaError(LuaErrors.table("Lua redis lib command arguments must be strings or integers"));
                }
                var cmd = s.engine.commands.lookup(argv[0]);
                if (cmd != null && !cmd.subcommands.isEmpty() && argv.length >= 2) {
                    cmd = org.redoubt.engine.command.CommandTable.lookupSub(cmd, argv[1]);
                }
                if (cmd == null) throw new LuaError(LuaErrors.table("Invalid command passed to redis.acl_check_cmd()"));
                // No ACL rules exist beyond the default user, who may run everything.
                return TRUE;
            }
        });
        if (eval) {
            r.rawset("breakpoint", new ZeroArgFunction() {
                @Override public LuaValue call() { return FALSE; }
            });
            r.rawset("debug", new VarArgFunction() {
                @Override public Varargs invoke(Varargs a) { return NONE; }
            });
            r.rawset("replicate_commands", new ZeroArgFunction() {
                @Override public LuaValue call() { return TRUE; }
            });
        }
        return r;
    }

    private static void addVersion(LuaTable r) {
        r.rawset("REDIS_VERSION_NUM", LuaValue.valueOf(REDIS_VERSION_NUM));
        r.rawset("REDIS_VERSION", LuaValue.valueOf(REDIS_VERSION));
    }

    private static void addLog(LuaTable r, Scripting s) {
        r.rawset("log", new VarArgFunction() {
            @Override public Varargs invoke(Varargs a) {
                int argc = a.narg();
                if (argc < 2) throw new LuaError(LuaErrors.table("redis.log() requires two arguments or more."));
                if (!a.arg1().isnumber()) throw new LuaError(LuaErrors.table("First argument must be a number (log level)."));
                int level = (int) a.arg1().todouble();
                if (level < LL_DEBUG || level > LL_WARNING) throw new LuaError(LuaErrors.table("Invalid debug level."));
                if (level < verbosity(s.engine.config.loglevel)) return NONE;
                StringBuilder sb = new StringBuilder();
                for (int j = 2; j <= argc; j++) {
                    LuaString str = LuaNumbers.coerceToString(a.arg(j));
                    if (str != null) {
                        if (j != 2) sb.append(' ');
                        sb.append(str.tojstring());
                    }
                }
                switch (level) {
                    case LL_DEBUG, LL_VERBOSE -> scriptLog.debug("{}", sb);
                    case LL_NOTICE -> scriptLog.info("{}", sb);
                    default -> scriptLog.warn("{}", sb);
                }
                return NONE;
            }
        });
        r.rawset("LOG_DEBUG", LuaValue.valueOf(LL_DEBUG));
        r.rawset("LOG_VERBOSE", LuaValue.valueOf(LL_VERBOSE));
        r.rawset("LOG_NOTICE", LuaValue.valueOf(LL_NOTICE));
        r.rawset("LOG_WARNING", LuaValue.valueOf(LL_WARNING));
    }

    private static int verbosity(String loglevel) {
        return switch (loglevel) {
            case "debug" -> LL_DEBUG;
            case "verbose" -> LL_VERBOSE;
            case "warning" -> LL_WARNING;
            case "nothing" -> LL_WARNING + 1;
            default -> LL_NOTICE;
        };
    }

    static final class RedisCall extends VarArgFunction {
        private final Scripting s;
        private final boolean raise;

        RedisCall(Scripting s, boolean raise) {
            this.s = s;
            this.raise = raise;
        }

        @Override
        public Varargs invoke(Varargs args) {
            return s.call(args, raise, "redis.call/pcall");
        }
    }

    /** redis.register_function, positional (name, callback) or named ({function_name=...}). */
    static final class RegisterFunction extends VarArgFunction {
        private final Scripting s;

        RegisterFunction(Scripting s) {
            this.s = s;
        }

        @Override
        public Varargs invoke(Varargs a) {
            if (s.functions.loading == null) {
                throw new LuaError(LuaErrors.table("redis.register_function can only be called on FUNCTION LOAD command"));
            }
            int argc = a.narg();
            if (argc < 1 || argc > 2) throw new LuaError(LuaErrors.table("wrong number of arguments to redis.register_function"));
            String name = null, desc = null;
            LuaFunction cb = null;
            int flags = 0;
            if (argc == 1) {
                if (!a.arg1().istable()) {
                    throw new LuaError(LuaErrors.table("calling redis.register_function with a single argument is only applicable to Lua table (representing named arguments)."));
                }
                LuaTable t = a.arg1().checktable();
                LuaValue k = LuaValue.NIL;
                while (true) {
                    Varargs n = t.next(k);
                    if ((k = n.arg1()).isnil()) break;
                    LuaValue v = n.arg(2);
                    if (!k.isstring()) throw new LuaError(LuaErrors.table("named argument key given to redis.register_function is not a string"));
                    String key = k.tojstring();
                    if (key.equalsIgnoreCase("function_name")) {
                        if (!v.isstring()) throw new LuaError(LuaErrors.table("function_name argument given to redis.register_function must be a string"));
                        name = LuaNumbers.coerceToString(v).tojstring();
                    } else if (key.equalsIgnoreCase("description")) {
                        if (!v.isstring()) throw new LuaError(LuaErrors.table("description argument given to redis.register_function must be a string"));
                        desc = LuaNumbers.coerceToString(v).tojstring();
                    } else if (key.equalsIgnoreCase("callback")) {
                        if (!v.isfunction()) throw new LuaError(LuaErrors.table("callback argument given to redis.register_function must be a function"));
                        cb = (LuaFunction) v;
                    } else if (key.equalsIgnoreCase("flags")) {
                        if (!v.istable()) throw new LuaError(LuaErrors.table("flags argument to redis.register_function must be a table representing function flags"));
                        flags = readFlags(v.checktable());
                        if (flags < 0) throw new LuaError(LuaErrors.table("unknown flag given"));
                    } else {
                        throw new LuaError(LuaErrors.table("unknown argument given to redis.register_function"));
                    }
                }
                if (name == null) throw new LuaError(LuaErrors.table("redis.register_function must get a function name argument"));
                if (cb == null) throw new LuaError(LuaErrors.table("redis.register_function must get a callback argument"));
            } else {
                if (!a.arg1().isstring()) throw new LuaError(LuaErrors.table("first argument to redis.register_function must be a string"));
                name = LuaNumbers.coerceToString(a.arg1()).tojstring();
                if (!a.arg(2).isfunction()) throw new LuaError(LuaErrors.table("second argument to redis.register_function must be a function"));
                cb = (LuaFunction) a.arg(2);
            }
            s.functions.register(name, desc, flags, cb);
            return NONE;
        }

        private static int readFlags(LuaTable t) {
            int flags = 0;
            for (int j = 1; ; j++) {
                LuaValue v = t.get(j);
                if (v.isnil()) return flags;
                if (!v.isstring()) return -1;
                int bit = Scripting.flagBit(v.tojstring(), true);
                if (bit == 0) return -1;
                flags |= bit;
            }
        }
    }

    // =====================================================================================
    // Base functions Lua 5.1 has and LuaJ spells differently
    // =====================================================================================

    /**
     * pcall as Redis 7 has it: a failing call returns false and the error object, where an
     * {err=...} table (redis.call's) becomes its message string. A killed script is not caught.
     */
    static final class PCall extends VarArgFunction {
        private final Scripting s;

        PCall(Scripting s) {
            this.s = s;
        }

        @Override
        public Varargs invoke(Varargs args) {
            LuaValue func = args.checkvalue(1);
            try {
                return varargsOf(TRUE, func.invoke(args.subargs(2)));
            } catch (LuaError e) {
                s.checkKilled(e);
                LuaValue v = LuaErrors.value(e, s.hook);
                if (v instanceof LuaTable t && t.rawget(LuaResp.ERR).isstring()) v = t.rawget(LuaResp.ERR);
                return varargsOf(FALSE, v);
            } catch (StackOverflowError e) {
                return varargsOf(FALSE, valueOf("stack overflow"));
            }
        }
    }

    /** xpcall(f, handler): the handler gets the 5.1 error object; a kill is not caught. */
    static final class XPCall extends VarArgFunction {
        private final Scripting s;

        XPCall(Scripting s) {
            this.s = s;
        }

        @Override
        public Varargs invoke(Varargs args) {
            LuaValue func = args.arg1();
            LuaValue handler = args.arg(2);
            try {
                return varargsOf(TRUE, func.invoke(NONE));
            } catch (LuaError e) {
                s.checkKilled(e);
                LuaValue v = LuaErrors.value(e, s.hook);
                try {
                    return varargsOf(FALSE, handler.invoke(v));
                } catch (LuaError e2) {
                    s.checkKilled(e2);
                    return varargsOf(FALSE, valueOf("error in error handling"));
                }
            } catch (StackOverflowError e) {
                return varargsOf(FALSE, valueOf("stack overflow"));
            }
        }
    }

    /** tostring with Lua 5.1's "%.14g" numbers. */
    static final class ToString extends OneArgFunction {
        @Override
        public LuaValue call(LuaValue v) {
            LuaValue h = v.metatag(TOSTRING);
            if (!h.isnil()) return h.call(v);
            if (v.type() == TNUMBER) return LuaNumbers.coerceToString(v);
            LuaValue n = v.metatag(LuaValue.valueOf("__name"));
            if (v.type() == TSTRING) return v;
            return valueOf(v.tojstring());
        }
    }

    /** loadstring(s [, chunkname]): source only (Redis refuses binary chunks). */
    static final class LoadString extends VarArgFunction {
        private final Scripting s;
        private final SandboxGlobals g;

        LoadString(Scripting s, SandboxGlobals g) {
            this.s = s;
            this.g = g;
        }

        @Override
        public Varargs invoke(Varargs a) {
            LuaString src = a.checkstring(1);
            String chunk = a.optjstring(2, src.tojstring());
            return compile(s, g, LuaResp.bytes(src), chunk);
        }
    }

    static Varargs compile(Scripting s, SandboxGlobals g, byte[] src, String chunkname) {
        if (src.length > 0 && src[0] == 27) {
            return LuaValue.varargsOf(LuaValue.NIL, LuaValue.valueOf("binary chunks are not allowed: " + chunkname));
        }
        try {
            return g.load(new ByteArrayInputStream(src), chunkname, "t", g);
        } catch (LuaError e) {
            return LuaValue.varargsOf(LuaValue.NIL, LuaValue.valueOf(LuaErrors.message(e, s.hook)));
        }
    }

    /** load(func or string [, chunkname]) of Lua 5.1: a reader function returns the chunk in pieces. */
    static final class Load extends VarArgFunction {
        private final Scripting s;
        private final SandboxGlobals g;

        Load(Scripting s, SandboxGlobals g) {
            this.s = s;
            this.g = g;
        }

        @Override
        public Varargs invoke(Varargs a) {
            LuaValue ld = a.arg1();
            String chunk = a.optjstring(2, "=(load)");
            if (ld.isstring()) return compile(s, g, LuaResp.bytes(ld.checkstring()), chunk);
            LuaFunction f = ld.checkfunction();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            while (true) {
                LuaValue piece = f.call();
                if (piece.isnil() || (piece.isstring() && piece.checkstring().m_length == 0)) break;
                if (!piece.isstring()) return varargsOf(NIL, valueOf("reader function must return a string"));
                LuaString p = piece.checkstring();
                out.write(p.m_bytes, p.m_offset, p.m_length);
            }
            return compile(s, g, out.toByteArray(), chunk);
        }
    }

    /** getfenv(f or level): a closure's _ENV upvalue; levels and others give the globals. */
    static final class GetFenv extends VarArgFunction {
        private final SandboxGlobals g;

        GetFenv(Scripting s, SandboxGlobals g) {
            this.g = g;
        }

        @Override
        public Varargs invoke(Varargs a) {
            LuaValue f = a.arg1();
            if (f instanceof LuaClosure c && c.upValues.length > 0 && isEnv(c)) return c.upValues[0].getValue();
            return g;
        }
    }

    static boolean isEnv(LuaClosure c) {
        var up = c.p.upvalues;
        return up.length > 0 && up[0].name != null && up[0].name.tojstring().equals("_ENV");
    }

    /** setfenv(f, table): replaces a closure's _ENV upvalue; returns f. */
    static final class SetFenv extends VarArgFunction {
        SetFenv(Scripting s) {}

        @Override
        public Varargs invoke(Varargs a) {
            LuaValue f = a.arg1();
            LuaTable t = a.checktable(2);
            if (f instanceof LuaClosure c && c.upValues.length > 0 && isEnv(c)) {
                c.upValues[0] = new UpValue(new LuaValue[] {t}, 0);
                return f;
            }
            throw new LuaError("'setfenv' cannot change environment of given object");
        }
    }

    /**
     * collectgarbage without System.gc(): a script must not be able to force full collections
     * of the whole server heap. "count" reports the JVM heap in use, in KB, as Lua does its own.
     */
    static final class CollectGarbage extends VarArgFunction {
        @Override
        public Varargs invoke(Varargs a) {
            String opt = a.optjstring(1, "collect");
            Runtime rt = Runtime.getRuntime();
            double kb = (rt.totalMemory() - rt.freeMemory()) / 1024.0;
            return switch (opt) {
                case "count" -> valueOf(kb);
                case "step" -> FALSE;
                case "collect", "stop", "restart", "setpause", "setstepmul" -> valueOf(0);
                default -> argerror(1, "invalid option '" + opt + "'");
            };
        }
    }

    static final class GcInfo extends ZeroArgFunction {
        @Override
        public LuaValue call() {
            Runtime rt = Runtime.getRuntime();
            return valueOf((int) ((rt.totalMemory() - rt.freeMemory()) / 1024));
        }
    }

    /** newproxy([bool or proxy]): a userdata, with a fresh metatable when asked. */
    static final class NewProxy extends OneArgFunction {
        @Override
        public LuaValue call(LuaValue arg) {
            LuaUserdata u = new LuaUserdata(new Object());
            if (arg.toboolean()) {
                if (arg instanceof LuaUserdata other) u.setmetatable(other.getmetatable());
                else u.setmetatable(new LuaTable());
            }
            return u;
        }
    }

    // ---- table

    static final class TableConcat extends VarArgFunction {
        @Override
        public Varargs invoke(Varargs a) {
            LuaTable t = a.checktable(1);
            LuaString sep = a.isnoneornil(2) ? LuaString.valueOf("") : LuaNumbers.coerceToString(a.arg(2));
            if (sep == null) sep = a.checkstring(2);
            int i = a.optint(3, 1);
            int j = a.isnoneornil(4) ? t.length() : a.checkint(4);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (int k = i; k <= j; k++) {
                LuaString s = LuaNumbers.coerceToString(t.get(k));
                if (s == null) throw new LuaError("invalid value (at index " + k + ") in table for 'concat'");
                out.write(s.m_bytes, s.m_offset, s.m_length);
                if (k < j) out.write(sep.m_bytes, sep.m_offset, sep.m_length);
            }
            return LuaString.valueOf(out.toByteArray());
        }
    }

    static final class TableGetn extends OneArgFunction {
        @Override
        public LuaValue call(LuaValue t) {
            return valueOf(t.checktable().length());
        }
    }

    static final class TableMaxn extends OneArgFunction {
        @Override
        public LuaValue call(LuaValue tv) {
            LuaTable t = tv.checktable();
            double max = 0;
            LuaValue k = NIL;
            while (true) {
                Varargs n = t.next(k);
                if ((k = n.arg1()).isnil()) break;
                if (k.type() == TNUMBER && k.todouble() > max) max = k.todouble();
            }
            return valueOf(max);
        }
    }

    static final class TableForeach extends TwoArgFunction {
        private final boolean indexed;

        TableForeach(boolean indexed) {
            this.indexed = indexed;
        }

        @Override
        public LuaValue call(LuaValue tv, LuaValue f) {
            LuaTable t = tv.checktable();
            f.checkfunction();
            if (indexed) {
                for (int i = 1, n = t.length(); i <= n; i++) {
                    LuaValue r = f.call(valueOf(i), t.get(i));
                    if (!r.isnil()) return r;
                }
                return NIL;
            }
            LuaValue k = NIL;
            while (true) {
                Varargs n = t.next(k);
                if ((k = n.arg1()).isnil()) return NIL;
                LuaValue r = f.call(k, n.arg(2));
                if (!r.isnil()) return r;
            }
        }
    }

    // ---- math.random over Redis's lrand48

    static final class MathRandom extends VarArgFunction {
        private static final int MAX = Integer.MAX_VALUE;
        private final Scripting s;

        MathRandom(Scripting s) {
            this.s = s;
        }

        @Override
        public Varargs invoke(Varargs a) {
            double r = (double) (s.lrand48() % MAX) / (double) MAX;
            switch (a.narg()) {
                case 0:
                    return valueOf(r);
                case 1: {
                    int u = a.checkint(1);
                    if (u < 1) argerror(1, "interval is empty");
                    return valueOf(Math.floor(r * u) + 1);
                }
                case 2: {
                    int l = a.checkint(1);
                    int u = a.checkint(2);
                    if (l > u) argerror(2, "interval is empty");
                    return valueOf(Math.floor(r * (u - l + 1)) + l);
                }
                default:
                    throw new LuaError("wrong number of arguments");
            }
        }
    }

    static final class MathRandomSeed extends OneArgFunction {
        private final Scripting s;

        MathRandomSeed(Scripting s) {
            this.s = s;
        }

        @Override
        public LuaValue call(LuaValue seed) {
            s.rand48 = Scripting.seed48(seed.checkint());
            return NONE;
        }
    }
}
