package org.redoubt.engine.script;

import java.util.ArrayList;
import java.util.List;
import org.luaj.vm2.LuaFunction;
import org.redoubt.engine.Client;
import org.redoubt.engine.Engine;
import org.redoubt.engine.Errors;
import org.redoubt.engine.command.CommandFlags;
import org.redoubt.engine.command.CommandSpec;

/**
 * The command-facing side of {@link Scripting}: EVAL/FCALL after argument checks, SCRIPT and
 * FUNCTION helpers, and where a script runs.
 *
 * <h2>Where a script runs</h2>
 * A script from a network client outside MULTI is started one event-loop task later, with the
 * client held (F_PAUSED: its pipeline waits) — so that if it runs past busy-reply-threshold, the
 * busy mode can poll the event loop's I/O to answer other clients (see {@link BusyIo}). The
 * task completes the command's accounting (duration, failed_calls, slowlog, latency) that
 * {@link Engine#call} could not, then resumes the client's input. Everything else (MULTI/EXEC,
 * replication, AOF loading, unit tests, busy-reply-threshold 0) runs inline.
 */
public final class ScriptRunner {
    private ScriptRunner() {}

    // =====================================================================================
    // EVAL / EVALSHA
    // =====================================================================================

    /** EVAL after numkeys was validated: find or compile the script, check, run. */
    public static void eval(Client c, boolean evalsha, boolean ro, int numkeys) {
        Scripting s = Scripting.of(c.engine);
        Scripting.EvalScript script;
        String sha;
        if (evalsha) {
            sha = Sha1.normalize(c.argv[1]);
            script = s.cached(sha);
            if (script == null) {
                c.addError(Scripting.NOSCRIPT);
                return;
            }
        } else {
            byte[] body = c.argv[1];
            sha = Sha1.hex(body);
            script = s.create(c, body, sha);
            if (script == null) return;
        }
        Scripting.Run r = s.prepare(c, sha, script.flags, ro, true);
        if (r == null) return;
        start(s, c, r, script.fn, numkeys);
    }

    /** SCRIPT LOAD. */
    public static void scriptLoad(Client c, byte[] body) {
        Scripting s = Scripting.of(c.engine);
        String sha = Sha1.hex(body);
        if (s.create(c, body, sha) == null) return;
        c.addBulk(sha);
    }

    public static boolean exists(Scripting s, byte[] sha) { return s.exists(sha); }

    public static void flushScripts(Engine e) { Scripting.of(e).flushScripts(); }

    public static void kill(Client c, boolean isEval) { Scripting.of(c.engine).kill(c, isEval); }

    // =====================================================================================
    // FCALL
    // =====================================================================================

    public static boolean functionExists(Client c, byte[] name) {
        return Scripting.of(c.engine).functions.function(name) != null;
    }

    /** FCALL after the function was found and numkeys validated. */
    public static void fcall(Client c, boolean ro, int numkeys) {
        Scripting s = Scripting.of(c.engine);
        Functions.FunctionInfo f = s.functions.function(c.argv[1]);
        Scripting.Run r = s.prepare(c, f.name, f.flags, ro, false);
        if (r == null) return;
        start(s, c, r, f.callback, numkeys);
    }

    // =====================================================================================
    // Running
    // =====================================================================================

    private static void start(Scripting s, Client c, Scripting.Run r, LuaFunction fn, int numkeys) {
        byte[][] argv = c.argv;
        int argc = c.argc;
        Engine e = c.engine;
        if (s.inDrain && c.channel != null && !c.has(Client.F_MULTI)) {
            // Already in a loop task (not inside the I/O handler): run here, busy mode may poll.
            r.mayPollIo = true;
            s.execute(r, fn, argv, 3, numkeys, argc);
            return;
        }
        if (!canDefer(s, c)) {
            if (c.channel == null && s.replayMayPollIo && e.loop != null && e.loop.inEventLoop()) r.mayPollIo = true;
            s.execute(r, fn, argv, 3, numkeys, argc);
            return;
        }
        c.flags |= Client.F_PAUSED;
        s.deferred.add(new Deferred(c, r, fn, argv, argc, numkeys, c.cmd));
        if (!s.drainScheduled) {
            s.drainScheduled = true;
            e.loop.execute(() -> drain(s));
        }
    }

    /** A script held for the next loop task, with what its command's accounting needs. */
    record Deferred(Client c, Scripting.Run r, LuaFunction fn, byte[][] argv, int argc, int numkeys, CommandSpec cmd) {}

    private static boolean canDefer(Scripting s, Client c) {
        Engine e = c.engine;
        return c.channel != null && e.loop != null && e.config.busyReplyThreshold > 0
            && !c.has(Client.F_MULTI) && !c.has(Client.F_MASTER) && !c.has(Client.F_REPLY_SKIP) && s.run == null
            && e.loop.inEventLoop() && s.busyIo.available();
    }

    /**
     * Runs the held scripts. Resuming a client parses the rest of its pipeline right here, so
     * its next scripts run inline (inDrain) instead of costing a loop task each.
     */
    private static void drain(Scripting s) {
        s.drainScheduled = false;
        s.inDrain = true;
        try {
            Deferred d;
            while ((d = s.deferred.poll()) != null) runDeferred(s, d);
        } finally {
            s.inDrain = false;
        }
    }

    private static void runDeferred(Scripting s, Deferred d) {
        Client c = d.c();
        Engine e = c.engine;
        if (!c.channel.isActive()) {
            c.flags &= ~Client.F_PAUSED;
            return;
        }
        e.updateClock();
        Scripting.Run r = d.r();
        r.mayPollIo = true;
        CommandSpec cmd = d.cmd();
        int errorsBefore = c.errorsThisCommand;
        c.errorsThisCommand = 0;
        // The caller is the running command's client again (Redis's current_client), as when
        // the script runs inline: its writes are its own for NOLOOP tracking and WATCH, and
        // invalidations of keys it reads are held until after its reply.
        Client prevCurrent = e.currentClient;
        e.currentClient = c;
        long t0 = System.nanoTime();
        try {
            s.execute(r, d.fn(), d.argv(), 3, d.numkeys(), d.argc());
        } finally {
            e.currentClient = prevCurrent;
            if (e.tracking.active()) e.tracking.afterCommand(c);
            long us = (System.nanoTime() - t0) / 1000;
            if (cmd != null) {
                cmd.microseconds += us;
                if (c.errorsThisCommand > 0) cmd.failedCalls++;
                long threshold = e.config.slowlogLogSlowerThan;
                if (threshold > 0 && !cmd.has(CommandFlags.SKIP_SLOWLOG)) e.slowlog.maybeLog(e, c, d.argv(), d.argc(), us);
                if (e.config.latencyMonitorThreshold > 0 && us / 1000 >= e.config.latencyMonitorThreshold) {
                    e.latency.add("command", us / 1000, e.nowMs() / 1000);
                }
            }
            c.errorsThisCommand += errorsBefore;
            c.flags &= ~Client.F_PAUSED;
            c.argc = 0;  // the resumed client must not run this command again
            if (e.io != null) e.io.resume(c);
        }
    }

    // =====================================================================================
    // FUNCTION helpers
    // =====================================================================================

    public static List<String> flagNames(int flags) {
        List<String> r = new ArrayList<>();
        for (int i = 0; i < Scripting.FLAG_NAMES.length; i++) {
            if (Scripting.FLAG_NAMES[i] != null && (flags & (1 << i)) != 0) r.add(Scripting.FLAG_NAMES[i]);
        }
        return r;
    }

    public static byte[] libraryCode(Functions.Library l) { return l.code; }

    /** The deny-oom check the dispatcher does not make yet, for FUNCTION LOAD and RESTORE. */
    public static boolean denyOom(Client c) {
        if (c.has(Client.F_MASTER) || !Scripting.of(c.engine).overMaxmemory()) return false;
        c.addError(Errors.OOM);
        return true;
    }

    /** FUNCTION STATS. */
    public static void functionStats(Client c) {
        Scripting s = Scripting.of(c.engine);
        Scripting.Run r = s.run;
        if (r != null && r.evalMode) {
            c.addError(Scripting.BUSY_EVAL);
            return;
        }
        c.addMapLen(2);
        c.addBulk("running_script");
        if (r == null) {
            c.addNull();
        } else {
            c.addMapLen(3);
            c.addBulk("name");
            c.addBulk(r.funcname);
            c.addBulk("command");
            c.addArrayLen(r.callerArgc);
            for (int i = 0; i < r.callerArgc; i++) c.addBulk(r.callerArgv[i]);
            c.addBulk("duration_ms");
            c.addLong((System.nanoTime() - r.startNanos) / 1_000_000);
        }
        c.addBulk("engines");
        c.addMapLen(1);
        c.addBulk("LUA");
        c.addMapLen(2);
        c.addBulk("libraries_count");
        c.addLong(s.functions.libraryCount());
        c.addBulk("functions_count");
        c.addLong(s.functions.functionCount());
    }
}
