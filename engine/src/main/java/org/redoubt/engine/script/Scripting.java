package org.redoubt.engine.script;

import io.netty.buffer.ByteBuf;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaFunction;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.redoubt.engine.Client;
import org.redoubt.engine.Engine;
import org.redoubt.engine.Errors;
import org.redoubt.engine.command.CommandFlags;
import org.redoubt.engine.command.CommandSpec;
import org.redoubt.engine.command.CommandTable;
import org.redoubt.engine.info.ProcessStats;
import org.redoubt.engine.info.ServerInfo;
import org.redoubt.protocol.Numbers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scripting engine of one {@link Engine}: the EVAL Lua VM and its script cache, the
 * FUNCTION libraries and their VM, and the run in progress (Redis's eval.c, script.c,
 * script_lua.c, function_lua.c and functions.c). One instance per engine ({@link #of}).
 * Engine thread only.
 *
 * <h2>Runs</h2>
 * A script runs on the engine thread; its redis.call() goes through {@link #call}, which checks
 * what Redis's scriptCall checks (arity, noscript, read-only scripts, OOM, replica) and then runs
 * the command with {@link Engine#call} on the script client, so statistics, the slowlog,
 * keyspace events and write listeners see every command of a script. The clock is the one
 * sampled when the script started: a script sees one time.
 *
 * <h2>Long scripts</h2>
 * {@link LuaHook} calls {@link #interrupt} every few thousand Lua instructions. Past
 * busy-reply-threshold the run is "timed out": the engine answers other clients with -BUSY
 * (a {@link Engine.PreCheck}) and accepts only allow_busy commands (SCRIPT KILL, FUNCTION KILL,
 * FUNCTION STATS, SHUTDOWN...). To read those clients at all while the engine thread is inside
 * the script, {@link BusyIo} polls the event loop's I/O handler re-entrantly; that is only safe
 * when the script was started from a task rather than from inside the I/O handler's event loop,
 * so scripts from network clients are started one loop task later (see ScriptingCommands).
 *
 * <h2>Propagation contract</h2>
 * The writes of a script reach write listeners one by one, from {@link #scriptClient()}; the
 * EVAL/FCALL command itself must not be propagated ({@link #isScriptCommand}). A listener that
 * honours redis.set_repl reads {@link #currentReplFlags()}.
 */
public final class Scripting {
    private static final Logger log = LoggerFactory.getLogger(Scripting.class);
    private static final Map<Engine, Scripting> BY_ENGINE = Collections.synchronizedMap(new WeakHashMap<>());

    /** Script flags (shebang flags=..., register_function flags) as Redis's SCRIPT_FLAG_*. */
    public static final int FLAG_NO_WRITES = 1, FLAG_ALLOW_OOM = 2, FLAG_ALLOW_STALE = 4, FLAG_NO_CLUSTER = 8,
        FLAG_EVAL_COMPAT = 16, FLAG_ALLOW_CROSS_SLOT = 32;
    static final String[] FLAG_NAMES = {"no-writes", "allow-oom", "allow-stale", "no-cluster", null, "allow-cross-slot-keys"};
    /** redis.set_repl flags. */
    public static final int PROPAGATE_AOF = 1, PROPAGATE_REPL = 2;

    public static final String NOSCRIPT = "NOSCRIPT No matching script. Please use EVAL.";
    public static final String BUSY_EVAL = "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.";
    public static final String BUSY_FUNCTION = "BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.";

    final Engine engine;
    final LuaHook hook;
    private final Client scriptClient;
    final Functions functions;
    final BusyIo busyIo;

    // ---- EVAL
    SandboxGlobals evalEnv;
    private final HashMap<String, EvalScript> scripts = new HashMap<>();
    private long scriptsBodyBytes;

    /** A cached EVAL script: body (for replication as EVAL), flags, compiled main chunk. */
    static final class EvalScript {
        final byte[] body;
        final int flags;
        final LuaFunction fn;

        EvalScript(byte[] body, int flags, LuaFunction fn) {
            this.body = body;
            this.flags = flags;
            this.fn = fn;
        }
    }

    // ---- the run in progress, and scripts held for the next loop task (ScriptRunner)
    Run run;
    final java.util.ArrayDeque<ScriptRunner.Deferred> deferred = new java.util.ArrayDeque<>();
    boolean drainScheduled, inDrain;
    /**
     * Set by the AOF loader while it replays a step as a loop task (not inside the I/O handler):
     * a script of the log that runs past busy-reply-threshold may then poll the other clients.
     */
    public boolean replayMayPollIo;
    /** Deterministic PRNG of math.random (Redis's redisLrand48): 48-bit state. */
    long rand48;

    /** The last engine asked for: a process has one, so EVAL does not pay a map lookup. */
    private static volatile Scripting last;

    public static Scripting of(Engine e) {
        Scripting l = last;
        if (l != null && l.engine == e) return l;
        synchronized (BY_ENGINE) {
            Scripting s = BY_ENGINE.get(e);
            if (s == null) BY_ENGINE.put(e, s = new Scripting(e));
            last = s;
            return s;
        }
    }

    private Scripting(Engine engine) {
        this.engine = engine;
        this.hook = new LuaHook(this);
        this.scriptClient = engine.newClient(null);
        this.scriptClient.authenticated = true;
        this.scriptClient.name = null;
        // As Redis's script client: a blocking command never blocks there, it answers as on timeout.
        this.scriptClient.flags |= Client.F_SCRIPT | Client.F_DENY_BLOCKING;
        this.rand48 = seed48(new java.security.SecureRandom().nextInt());
        this.evalEnv = LuaSandbox.evalGlobals(this);
        this.functions = new Functions(this);
        this.busyIo = new BusyIo(engine);
        // First of the pre-checks: Redis refuses with -BUSY before MULTI queueing and the rest.
        engine.preChecks.add(0, this::busyCheck);
        engine.infoContributors.add(this::info);
    }

    // =====================================================================================
    // Introspection for INFO, the persistence and propagation modules
    // =====================================================================================

    public Client scriptClient() { return scriptClient; }

    public boolean isScriptClient(Client c) { return c == scriptClient; }

    /** EVAL, EVALSHA, their _RO forms and FCALL/FCALL_RO: their effects propagate, not them. */
    public static boolean isScriptCommand(CommandSpec cmd) {
        String n = cmd.name;
        return n.equals("eval") || n.equals("evalsha") || n.equals("eval_ro") || n.equals("evalsha_ro")
            || n.equals("fcall") || n.equals("fcall_ro");
    }

    /** redis.set_repl flags of the running script (PROPAGATE_AOF|PROPAGATE_REPL when none runs). */
    public int currentReplFlags() { return run == null ? PROPAGATE_AOF | PROPAGATE_REPL : run.replFlags; }

    public boolean isRunning() { return run != null; }

    /** True while a script runs past busy-reply-threshold. */
    public boolean isTimedOut() { return run != null && run.timedOut; }

    public int cachedScripts() { return scripts.size(); }

    /** Approximate bytes held by the script cache (INFO used_memory_scripts_eval). */
    public long scriptsMemory() { return scriptsBodyBytes + scripts.size() * 160L; }

    public Functions functions() { return functions; }

    /**
     * The scripting fields of INFO memory. The Lua heaps live in the JVM heap and cannot be
     * measured apart: the VM figures are an empty VM's size as Redis 7.0 reports it plus the code
     * they hold.
     */
    private boolean info(String section, StringBuilder sb) {
        if (!section.equals("memory")) return false;
        long vmEval = 31744 + scriptsBodyBytes;
        long vmFunctions = 32768 + functions.memory();
        long scriptsEval = scriptsMemory();
        long functionsOverhead = functions.memory() + 200L * functions.functionCount();
        field(sb, "used_memory_lua", Long.toString(vmEval));
        field(sb, "used_memory_vm_eval", Long.toString(vmEval));
        field(sb, "used_memory_lua_human", org.redoubt.engine.info.InfoGenerator.human(vmEval));
        field(sb, "used_memory_scripts_eval", Long.toString(scriptsEval));
        field(sb, "number_of_cached_scripts", Integer.toString(scripts.size()));
        field(sb, "number_of_functions", Integer.toString(functions.functionCount()));
        field(sb, "number_of_libraries", Integer.toString(functions.libraryCount()));
        field(sb, "used_memory_vm_functions", Long.toString(vmFunctions));
        field(sb, "used_memory_vm_total", Long.toString(vmEval + vmFunctions));
        field(sb, "used_memory_vm_total_human", org.redoubt.engine.info.InfoGenerator.human(vmEval + vmFunctions));
        field(sb, "used_memory_functions", Long.toString(functionsOverhead));
        field(sb, "used_memory_scripts", Long.toString(scriptsEval + functionsOverhead));
        field(sb, "used_memory_scripts_human", org.redoubt.engine.info.InfoGenerator.human(scriptsEval + functionsOverhead));
        return true;
    }

    private static void field(StringBuilder sb, String name, String value) {
        sb.append(name).append(':').append(value).append("\r\n");
    }

    /** The body of a cached script by its lower-case SHA1 (EVALSHA propagated as EVAL). */
    public byte[] scriptBody(String sha) {
        EvalScript s = scripts.get(sha);
        return s == null ? null : s.body;
    }

    // =====================================================================================
    // EVAL scripts
    // =====================================================================================

    /**
     * The flags EVAL/FCALL (and their variants) effectively carry for this call, as Redis's evalGetCommandFlags /
     * fcallGetCommandFlags: a script or function that declared flags drops MAY_REPLICATE and
     * is a write only without no-writes; an undeclared one keeps the command's own flags.
     */
    public int effectiveFlags(Client c, org.redoubt.engine.command.CommandSpec cmd) {
        if (c.argc < 2) return cmd.flags;
        int declared;
        String n = cmd.name;
        if (n.equals("eval") || n.equals("eval_ro")) {
            int[] f = new int[1];
            if (extractShebangFlags(c.argv[1], f, new int[1]) != null) return cmd.flags;
            declared = f[0];
        } else if (n.equals("evalsha") || n.equals("evalsha_ro")) {
            String sha = Sha1.normalize(c.argv[1]);
            EvalScript s = sha == null ? null : scripts.get(sha);
            if (s == null) return cmd.flags;
            declared = s.flags;
        } else if (n.equals("fcall") || n.equals("fcall_ro")) {
            Functions.FunctionInfo fi = functions().function(c.argv[1]);
            if (fi == null) return cmd.flags;
            declared = fi.flags;
        } else {
            return cmd.flags;
        }
        if ((declared & FLAG_EVAL_COMPAT) != 0) return cmd.flags;
        int f = cmd.flags & ~(org.redoubt.engine.command.CommandFlags.STALE | org.redoubt.engine.command.CommandFlags.DENYOOM
            | org.redoubt.engine.command.CommandFlags.WRITE | org.redoubt.engine.command.CommandFlags.MAY_REPLICATE);
        if ((declared & (FLAG_ALLOW_OOM | FLAG_NO_WRITES)) == 0) f |= org.redoubt.engine.command.CommandFlags.DENYOOM;
        if ((declared & FLAG_NO_WRITES) == 0) f |= org.redoubt.engine.command.CommandFlags.WRITE;
        if ((declared & FLAG_ALLOW_STALE) != 0) f |= org.redoubt.engine.command.CommandFlags.STALE;
        return f;
    }

    /** Looks a cached script up by (any-case) SHA1 text; null when not cached. */
    EvalScript cached(String shaLower) { return scripts.get(shaLower); }

    boolean exists(byte[] sha) {
        String s = Sha1.normalize(sha);
        return s != null && scripts.containsKey(s);
    }

    /**
     * Compiles and caches body under its SHA1, or replies the error to c and returns null.
     * Returns the cached entry when the script is already known.
     */
    EvalScript create(Client c, byte[] body, String sha) {
        EvalScript s = scripts.get(sha);
        if (s != null) return s;
        int[] flags = new int[1];
        int[] shebangLen = new int[1];
        String err = extractShebangFlags(body, flags, shebangLen);
        if (err != null) {
            c.addError("ERR " + err);
            return null;
        }
        LuaFunction fn;
        try {
            fn = (LuaFunction) evalEnv.load(new ByteArrayInputStream(body, shebangLen[0], body.length - shebangLen[0]),
                "@user_script", "t", evalEnv);
        } catch (LuaError e) {
            c.addError("ERR Error compiling script (new function): " + LuaErrors.message(e, hook));
            return null;
        } catch (StackOverflowError e) {
            c.addError("ERR Error compiling script (new function): user_script: chunk has too many syntax levels");
            return null;
        }
        s = new EvalScript(body, flags[0], fn);
        scripts.put(sha, s);
        scriptsBodyBytes += body.length + 40;
        return s;
    }

    /** SCRIPT FLUSH: a fresh Lua VM and an empty cache (Redis's scriptingReset). */
    void flushScripts() {
        scripts.clear();
        scriptsBodyBytes = 0;
        evalEnv = LuaSandbox.evalGlobals(this);
    }

    /**
     * Parses "#!lua flags=a,b" (Redis's evalExtractShebangFlags). Without a shebang the script
     * runs in EVAL compatibility mode. Returns an error text or null.
     */
    static String extractShebangFlags(byte[] body, int[] outFlags, int[] outShebangLen) {
        int flags = FLAG_EVAL_COMPAT;
        int shebangLen = 0;
        if (body.length >= 2 && body[0] == '#' && body[1] == '!') {
            int nl = indexOf(body, (byte) '\n');
            if (nl < 0) return "Invalid script shebang";
            shebangLen = nl;
            List<byte[]> parts = SplitArgs.split(body, 0, nl);
            if (parts == null || parts.isEmpty()) return "Invalid engine in script shebang";
            String engineName = new String(parts.get(0), StandardCharsets.UTF_8);
            if (!engineName.equals("#!lua")) return "Unexpected engine in script shebang: " + engineName;
            flags &= ~FLAG_EVAL_COMPAT;
            for (int j = 1; j < parts.size(); j++) {
                String part = new String(parts.get(j), StandardCharsets.UTF_8);
                if (!part.startsWith("flags=")) return "Unknown lua shebang option: " + part;
                String list = part.substring(6);
                if (list.isEmpty()) continue;
                for (String f : list.split(",", -1)) {
                    int bit = flagBit(f, false);
                    if (bit == 0) return "Unexpected flag in script shebang: " + f;
                    flags |= bit;
                }
            }
        }
        outFlags[0] = flags;
        outShebangLen[0] = shebangLen;
        return null;
    }

    static int flagBit(String name, boolean ignoreCase) {
        for (int i = 0; i < FLAG_NAMES.length; i++) {
            String n = FLAG_NAMES[i];
            if (n != null && (ignoreCase ? n.equalsIgnoreCase(name) : n.equals(name))) return 1 << i;
        }
        return 0;
    }

    static int indexOf(byte[] b, byte x) {
        for (int i = 0; i < b.length; i++) if (b[i] == x) return i;
        return -1;
    }

    // =====================================================================================
    // Running a script
    // =====================================================================================

    /** The state of the script being run (Redis's scriptRunCtx). */
    static final class Run {
        Client caller;
        String funcname;
        boolean evalMode;
        boolean readOnly, allowOom, writeDirty, timedOut, killed;
        boolean oomAtStart;
        /** The run was started from an event-loop task: the busy mode may poll I/O. */
        boolean mayPollIo;
        int replFlags = PROPAGATE_AOF | PROPAGATE_REPL;
        int resp = 2;
        long startNanos;
        byte[][] callerArgv;
        int callerArgc;
    }

    static final String NOREPLICAS = org.redoubt.engine.Errors.NOREPLICAS;

    /** Redis's checkGoodReplicasStatus (the engine's, shared with command dispatch). */
    boolean enoughGoodReplicas() { return engine.enoughGoodReplicas(); }

    /** Whether used memory is above maxmemory now (Redis's pre_command_oom_state). */
    boolean overMaxmemory() {
        long max = engine.config.maxmemory;
        return max > 0 && ProcessStats.heapUsed() > max;
    }

    /**
     * Redis's scriptPrepareForRun checks; replies the error to caller and returns null when the
     * script may not run, else the new run context (not yet current).
     */
    Run prepare(Client caller, String funcname, int scriptFlags, boolean ro, boolean evalMode) {
        boolean compat = (scriptFlags & FLAG_EVAL_COMPAT) != 0;
        boolean oom = overMaxmemory();
        boolean obey = caller.has(Client.F_MASTER);
        if (!compat) {
            if ((scriptFlags & FLAG_NO_WRITES) == 0) {
                if (engine.isReplica() && engine.config.replicaReadOnly && !obey) {
                    caller.addError("READONLY Can not run script with write flag on readonly replica");
                    return null;
                }
                if (ro) {
                    caller.addError("ERR Can not execute a script with write flag using *_ro command.");
                    return null;
                }
                if (!enoughGoodReplicas()) {
                    caller.addError(NOREPLICAS);
                    return null;
                }
            }
            if (oom && (scriptFlags & (FLAG_ALLOW_OOM | FLAG_NO_WRITES)) == 0) {
                caller.addError("OOM allow-oom flag is not set on the script, can not run it when used memory > 'maxmemory'");
                return null;
            }
        }
        Run r = new Run();
        r.caller = caller;
        r.funcname = funcname;
        r.evalMode = evalMode;
        r.oomAtStart = oom;
        r.readOnly = ro || (!compat && (scriptFlags & FLAG_NO_WRITES) != 0);
        r.allowOom = !compat && (scriptFlags & FLAG_ALLOW_OOM) != 0;
        r.callerArgv = caller.argv;
        r.callerArgc = caller.argc;
        return r;
    }

    /**
     * Runs fn under r and replies its result (or error) to the caller. For EVAL, fn is the main
     * chunk and KEYS/ARGV become globals; for FCALL, fn receives them as arguments.
     */
    void execute(Run r, LuaFunction fn, byte[][] argv, int firstKey, int numkeys, int argc) {
        Client caller = r.caller;
        LuaTable keys = new LuaTable(numkeys, 0);
        for (int i = 0; i < numkeys; i++) keys.rawset(i + 1, LuaString.valueOf(argv[firstKey + i]));
        int nargs = argc - firstKey - numkeys;
        LuaTable args = new LuaTable(Math.max(0, nargs), 0);
        for (int i = 0; i < nargs; i++) args.rawset(i + 1, LuaString.valueOf(argv[firstKey + numkeys + i]));

        Client sc = scriptClient;
        sc.selectDb(caller.dbIndex);
        sc.resp = 2;
        sc.user = caller.user;
        if (caller.has(Client.F_MULTI)) sc.flags |= Client.F_MULTI;
        r.startNanos = System.nanoTime();
        hook.reset();
        run = r;
        // Redis's server.script_caller: client tracking remembers the declared keys of a script
        // that reads for this client; the script client is never the one tracked.
        Client prevCaller = engine.scriptCaller;
        engine.scriptCaller = caller;
        try {
            LuaValue result;
            if (r.evalMode) {
                evalEnv.forceSet("KEYS", keys);
                evalEnv.forceSet("ARGV", args);
                result = fn.call();
            } else {
                result = fn.call(keys, args);
            }
            LuaResp.reply(caller, sc.resp, result, 0);
        } catch (LuaError e) {
            replyRunError(r, e);
        } catch (StackOverflowError e) {
            caller.addError("ERR Error running script " + r.funcname + ", stack overflow");
        } catch (OutOfMemoryError e) {
            // A script allocating without bound (string.rep, table growth): Lua says "not enough memory".
            caller.addError("ERR Error running script " + r.funcname + ", not enough memory");
        } catch (RuntimeException e) {
            log.warn("Script {} failed with an internal error", r.funcname, e);
            caller.addError("ERR internal error while running script " + r.funcname + ": " + e.getClass().getSimpleName());
        } finally {
            sc.flags &= ~Client.F_MULTI;
            ByteBuf leftover = sc.takeOutput();
            leftover.release();
            if (r.timedOut) log.info("Script {} finished after {} ms", r.funcname, (System.nanoTime() - r.startNanos) / 1_000_000);
            engine.scriptCaller = prevCaller;
            run = null;
        }
    }

    /** Redis's luaCallFunction error path: "-<err> script: <name>, on <source>:<line>." */
    private void replyRunError(Run r, LuaError e) {
        LuaValue v = LuaErrors.value(e, hook);
        String msg;
        boolean counted = false;
        if (v instanceof LuaTable t) {
            LuaValue err = t.rawget(LuaResp.ERR);
            msg = err.isstring() ? err.tojstring() : "ERR unknown error";
            counted = t.rawget(LuaResp.IGNORE_STATS).toboolean();
        } else {
            msg = "ERR " + v.tojstring();
        }
        if (hook.errProto != null && hook.errPc >= 0) {
            int[] li = hook.errProto.lineinfo;
            String line = li != null && hook.errPc < li.length ? Integer.toString(li[hook.errPc]) : "?";
            msg = msg + " script: " + r.funcname + ", on " + hook.errProto.source.tojstring() + ":" + line + ".";
        } else {
            // No Lua frame saw the error: it was raised by a function called in tail position
            // ("return redis.call(...)"), where Lua 5.1's handler finds the tail-call pseudo-frame.
            msg = msg + " script: " + r.funcname + ", on =(tail call):-1.";
        }
        LuaResp.replyError(r.caller, msg, counted);
    }

    /**
     * The instruction-count hook: FUNCTION LOAD timeout, and for runs the busy threshold, the
     * busy mode's I/O and SCRIPT KILL.
     */
    void interrupt(LuaHook h) {
        Functions.LoadCtx load = functions.loading;
        if (load != null && run == null) {
            if (load.timeoutMs > 0 && (System.nanoTime() - load.startNanos) / 1_000_000 > load.timeoutMs) {
                h.countdown = 1;
                throw new LuaError(LuaErrors.table("FUNCTION LOAD timeout"));
            }
            return;
        }
        Run r = run;
        if (r == null) return;
        if (!r.timedOut) {
            long threshold = engine.config.busyReplyThreshold;
            if (threshold <= 0) return;
            long elapsed = (System.nanoTime() - r.startNanos) / 1_000_000;
            if (elapsed < threshold) return;
            log.warn("Slow script detected: still in execution after {} milliseconds. You can try killing the script using the {} command. Script name is: {}.",
                elapsed, r.evalMode ? "SCRIPT KILL" : "FUNCTION KILL", r.funcname);
            r.timedOut = true;
        }
        if (r.mayPollIo) busyIo.poll();
        if (r.killed) {
            log.warn("Lua script killed by user with SCRIPT KILL.");
            h.countdown = 1;  // fire on every instruction from now on: pcall cannot swallow the kill
            throw new LuaError(LuaErrors.table("Script killed by user with SCRIPT KILL..."));
        }
    }

    /** Rethrows a kill that a pcall/xpcall caught: a killed script must end. */
    void checkKilled(LuaError e) {
        if (run != null && run.killed) throw e;
        if (functions.loading != null && functions.loading.timeoutMs > 0
            && (System.nanoTime() - functions.loading.startNanos) / 1_000_000 > functions.loading.timeoutMs) throw e;
    }

    /**
     * BUSY for every other client while a script runs past the threshold (processCommand). The
     * refusal goes through the engine's one reject path, so a command refused inside MULTI dooms
     * the transaction and a refused EXEC discards it with "EXECABORT ... BUSY ...", as Redis.
     */
    private boolean busyCheck(Client c, CommandSpec cmd) {
        Run r = run;
        if (r == null || !r.timedOut || cmd.has(CommandFlags.ALLOW_BUSY)) return true;
        engine.reject(c, cmd, r.evalMode ? BUSY_EVAL : BUSY_FUNCTION);
        return false;
    }

    /** SCRIPT KILL (eval) and FUNCTION KILL: Redis's scriptKill. */
    void kill(Client c, boolean isEval) {
        Run r = run;
        if (r == null) {
            c.addError("NOTBUSY No scripts in execution right now.");
            return;
        }
        if (r.caller.has(Client.F_MASTER)) {
            c.addError("UNKILLABLE The busy script was sent by a master instance in the context of replication and cannot be killed.");
            return;
        }
        if (r.writeDirty) {
            c.addError("UNKILLABLE Sorry the script already executed write commands against the dataset. You can either wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command.");
            return;
        }
        if (isEval && !r.evalMode) {
            c.addError(BUSY_FUNCTION);
            return;
        }
        if (!isEval && r.evalMode) {
            c.addError(BUSY_EVAL);
            return;
        }
        r.killed = true;
        c.addOk();
    }

    // =====================================================================================
    // redis.call / redis.pcall
    // =====================================================================================

    /**
     * Runs one command for the script (Redis's luaRedisGenericCommand + scriptCall) and returns
     * its reply as a Lua value; an error reply or a refused command is an {err=...} table.
     * raise: redis.call raises the error instead of returning it.
     */
    Varargs call(Varargs args, boolean raise, String apiName) {
        Run r = run;
        if (r == null) {
            throw new LuaError(LuaErrors.table(apiName + " can only be called inside a script invocation"));
        }
        int n = args.narg();
        if (n == 0) return fail(LuaErrors.table("Please specify at least one argument for this redis lib call"), raise);
        byte[][] argv = new byte[n][];
        for (int i = 0; i < n; i++) {
            argv[i] = toArg(args.arg(i + 1));
            if (argv[i] == null) {
                return fail(LuaErrors.table("Lua redis lib command arguments must be strings or integers"), raise);
            }
        }
        Client sc = scriptClient;
        sc.argv = argv;
        sc.argc = n;
        CommandSpec cmd = engine.commands.lookup(argv[0]);
        if (cmd != null && !cmd.subcommands.isEmpty() && n >= 2) {
            cmd = CommandTable.lookupSub(cmd, argv[1]);
        }
        String err = null;
        if (cmd == null || (cmd.handler == null && cmd.subcommands.isEmpty())) err = "Unknown Redis command called from script";
        else if (!cmd.arityOk(n) || cmd.handler == null) err = "Wrong number of args calling Redis command from script";
        else if (cmd.has(CommandFlags.NOSCRIPT) && !ServerInfo.of(engine).scriptDisableDenyScript) {
            err = "This Redis command is not allowed from script";
        } else {
            err = verifyWrite(r, cmd);
        }
        if (err != null) {
            // Counted here, once; the Lua error table tells the EVAL reply not to count it again.
            String text = LuaErrors.redisErrorText(err);
            engine.stats.countError(text);
            if (cmd != null) cmd.rejectedCalls++;
            LuaTable t = LuaErrors.table(err);
            t.rawset(LuaResp.IGNORE_STATS, LuaValue.TRUE);
            return fail(t, raise);
        }
        if (cmd.has(CommandFlags.WRITE)) r.writeDirty = true;
        sc.cmd = cmd;
        sc.lastCmd = cmd;
        engine.call(sc, cmd);
        sc.flags &= ~Client.F_BLOCKED;  // scripts never block; a command that tried has replied
        ByteBuf out = sc.takeOutput();
        try {
            if (!out.isReadable()) return LuaValue.NIL;
            boolean isError = out.getByte(out.readerIndex()) == '-';
            LuaValue v = LuaResp.toLua(out);
            if (isError && raise) throw new LuaError(v);
            return v;
        } finally {
            out.release();
        }
    }

    private static Varargs fail(LuaTable err, boolean raise) {
        if (raise) throw new LuaError(err);
        return err;
    }

    /** Redis's scriptVerifyWriteCommandAllow and scriptVerifyOOM. */
    private String verifyWrite(Run r, CommandSpec cmd) {
        if (r.readOnly && (cmd.has(CommandFlags.WRITE) || cmd.has(CommandFlags.MAY_REPLICATE))) {
            return "Write commands are not allowed from read-only scripts.";
        }
        if (cmd.has(CommandFlags.WRITE) && !r.writeDirty) {
            if (engine.isReplica() && engine.config.replicaReadOnly && !r.caller.has(Client.F_MASTER)) {
                return "-READONLY You can't write against a read only replica.";
            }
            if (!enoughGoodReplicas()) return "-" + NOREPLICAS;
        }
        if (!r.allowOom && engine.config.maxmemory > 0 && !r.caller.has(Client.F_MASTER) && !r.writeDirty
            && r.oomAtStart && cmd.has(CommandFlags.DENYOOM)) {
            return "-" + Errors.OOM;
        }
        return null;
    }

    /** A redis.call argument: strings as they are, numbers as %.17g; null for other types. */
    static byte[] toArg(LuaValue v) {
        switch (v.type()) {
            case LuaValue.TSTRING: {
                if (v instanceof LuaString s) return LuaResp.bytes(s);
                // a number-typed value never gets here; LuaJ strings are LuaString
                return v.tojstring().getBytes(StandardCharsets.UTF_8);
            }
            case LuaValue.TNUMBER: {
                if (v.isinttype()) return Numbers.longToBytes(v.toint());
                return Numbers.formatDouble(v.todouble()).getBytes(StandardCharsets.US_ASCII);
            }
            default:
                return null;
        }
    }

    /** redis.setresp. */
    void setResp(int resp) { scriptClient.resp = resp; }

    // =====================================================================================
    // math.random: Redis's redisLrand48 so a seed gives the same sequence everywhere
    // =====================================================================================

    static long seed48(int seed) {
        return (((long) seed) << 16 | 0x330EL) & 0xFFFFFFFFFFFFL;
    }

    int lrand48() {
        rand48 = (rand48 * 0x5DEECE66DL + 0xBL) & 0xFFFFFFFFFFFFL;
        return (int) (rand48 >>> 17);
    }
}
