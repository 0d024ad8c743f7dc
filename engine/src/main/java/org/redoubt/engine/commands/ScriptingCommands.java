package org.redoubt.engine.commands;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.redoubt.engine.Client;
import org.redoubt.engine.CommandFamily;
import org.redoubt.engine.Engine;
import org.redoubt.engine.Errors;
import org.redoubt.engine.Repr;
import org.redoubt.engine.command.CommandTable;
import org.redoubt.engine.info.ServerInfo;
import org.redoubt.engine.script.ScriptRunner;
import org.redoubt.engine.script.Scripting;
import org.redoubt.engine.script.Functions;
import org.redoubt.engine.util.Glob;
import org.redoubt.protocol.Numbers;

/**
 * Lua scripting (EVAL, EVALSHA, their _RO forms, SCRIPT) and Redis 7 functions (FUNCTION,
 * FCALL, FCALL_RO). The interpreter, the sandbox and the function libraries live in
 * {@link org.redoubt.engine.script}; this class parses arguments and replies as Redis's
 * eval.c and functions.c do.
 */
public final class ScriptingCommands implements CommandFamily {
    @Override
    public void register(CommandTable t, Engine e) {
        Scripting scripting = Scripting.of(e);  // the -BUSY check must be installed before the first script runs
        e.commandFlagsHook = scripting::effectiveFlags;
        t.bind("function|flush", this::functionFlush);
        t.bind("function|load", this::functionLoad);
        t.bind("function|list", this::functionList);
        t.bind("function|delete", this::functionDelete);
        t.bind("function|dump", this::functionDump);
        t.bind("function|restore", this::functionRestore);
        t.bind("function|stats", this::functionStats);
        t.bind("function|kill", c -> ScriptRunner.kill(c, false));
        t.bind("function|help", this::functionHelp);
        t.bind("fcall", c -> fcall(c, false));
        t.bind("fcall_ro", c -> fcall(c, true));
        t.bind("eval", c -> eval(c, false, false));
        t.bind("eval_ro", c -> eval(c, false, true));
        t.bind("evalsha", c -> eval(c, true, false));
        t.bind("evalsha_ro", c -> eval(c, true, true));
        t.bind("script|load", this::scriptLoad);
        t.bind("script|exists", this::scriptExists);
        t.bind("script|flush", this::scriptFlush);
        t.bind("script|kill", c -> ScriptRunner.kill(c, true));
        t.bind("script|help", this::scriptHelp);
        t.bind("script|debug", this::scriptDebug);
    }

    static boolean eq(byte[] a, String lower) {
        if (a.length != lower.length()) return false;
        for (int i = 0; i < a.length; i++) {
            int x = a[i];
            if (x >= 'A' && x <= 'Z') x += 32;
            if (x != lower.charAt(i)) return false;
        }
        return true;
    }

    private static String str(byte[] b) { return new String(b, StandardCharsets.UTF_8); }

    // =====================================================================================
    // EVAL family
    // =====================================================================================

    /** Explicitly fed, before the script's own commands (EVAL and FCALL are skip_monitor). */
    static void feedMonitors(Client c) {
        Engine e = c.engine;
        if (e.monitors.isEmpty()) return;
        StringBuilder sb = new StringBuilder(64);
        long now = System.currentTimeMillis();
        long usec = (System.nanoTime() / 1000) % 1000;
        sb.append(now / 1000).append('.').append(String.format(Locale.ROOT, "%06d", (now % 1000) * 1000 + usec));
        sb.append(" [").append(c.dbIndex).append(' ');
        if (c.channel == null) sb.append("lua"); else sb.append(c.addr);
        sb.append(']');
        for (int i = 0; i < c.argc; i++) {
            sb.append(" \"");
            Repr.appendEscaped(sb, c.argv[i]);
            sb.append('"');
        }
        String line = sb.toString();
        for (Client m : e.monitors) m.addSimple(line);
    }

    private void eval(Client c, boolean evalsha, boolean ro) {
        feedMonitors(c);
        if (evalsha && c.argv[1].length != 40) {
            c.addError(Scripting.NOSCRIPT);
            return;
        }
        long numkeys = Numbers.parseLong(c.argv[2], 0, c.argv[2].length);
        if (numkeys == Numbers.NOT_A_LONG && !isLongMin(c.argv[2])) {
            c.addError(Errors.NOT_INTEGER);
            return;
        }
        if (numkeys > c.argc - 3) {
            c.addError("ERR Number of keys can't be greater than number of args");
            return;
        }
        if (numkeys < 0) {
            c.addError("ERR Number of keys can't be negative");
            return;
        }
        ScriptRunner.eval(c, evalsha, ro, (int) numkeys);
    }

    private static boolean isLongMin(byte[] b) {
        return str(b).equals(Long.toString(Long.MIN_VALUE));
    }

    private void fcall(Client c, boolean ro) {
        feedMonitors(c);
        long numkeys = Numbers.parseLong(c.argv[2], 0, c.argv[2].length);
        boolean badKeys = numkeys == Numbers.NOT_A_LONG && !isLongMin(c.argv[2]);
        if (!ScriptRunner.functionExists(c, c.argv[1])) {
            c.addError("ERR Function not found");
            return;
        }
        if (badKeys) {
            c.addError("ERR Bad number of keys provided");
            return;
        }
        if (numkeys > c.argc - 3) {
            c.addError("ERR Number of keys can't be greater than number of args");
            return;
        }
        if (numkeys < 0) {
            c.addError("ERR Number of keys can't be negative");
            return;
        }
        ScriptRunner.fcall(c, ro, (int) numkeys);
    }

    // =====================================================================================
    // SCRIPT
    // =====================================================================================

    private void scriptLoad(Client c) {
        ScriptRunner.scriptLoad(c, c.argv[2]);
    }

    private void scriptExists(Client c) {
        Scripting s = Scripting.of(c.engine);
        c.addArrayLen(c.argc - 2);
        for (int j = 2; j < c.argc; j++) c.addLong(ScriptRunner.exists(s, c.argv[j]) ? 1 : 0);
    }

    private void scriptFlush(Client c) {
        if (c.argc == 3 && !eq(c.argv[2], "sync") && !eq(c.argv[2], "async") || c.argc > 3) {
            c.addError("ERR SCRIPT FLUSH only support SYNC|ASYNC option");
            return;
        }
        ScriptRunner.flushScripts(c.engine);
        c.addOk();
    }

    private void scriptDebug(Client c) {
        if (eq(c.argv[2], "no")) {
            c.addOk();
        } else if (eq(c.argv[2], "yes") || eq(c.argv[2], "sync")) {
            c.addError("ERR The Lua debugger (SCRIPT DEBUG YES|SYNC) is not supported by this server");
        } else {
            c.addError("ERR Use SCRIPT DEBUG YES/SYNC/NO");
        }
    }

    private void scriptHelp(Client c) {
        c.addHelp("SCRIPT",
            "DEBUG (YES|SYNC|NO)",
            "    Set the debug mode for subsequent scripts executed.",
            "EXISTS <sha1> [<sha1> ...]",
            "    Return information about the existence of the scripts in the script cache.",
            "FLUSH [ASYNC|SYNC]",
            "    Flush the Lua scripts cache. Very dangerous on replicas.",
            "    When called without the optional mode argument, the behavior is determined by the",
            "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
            "    * ASYNC: Asynchronously flush the scripts cache.",
            "    * SYNC: Synchronously flush the scripts cache.",
            "KILL",
            "    Kill the currently executing Lua script.",
            "LOAD <script>",
            "    Load a script into the scripts cache without executing it.");
    }

    // =====================================================================================
    // FUNCTION
    // =====================================================================================

    private void functionFlush(Client c) {
        if (c.argc > 3) {
            c.addSubcommandSyntaxError();
            return;
        }
        if (c.argc == 3 && !eq(c.argv[2], "sync") && !eq(c.argv[2], "async")) {
            c.addError("ERR FUNCTION FLUSH only supports SYNC|ASYNC option");
            return;
        }
        Scripting.of(c.engine).functions().flush();
        c.engine.dirty++;
        c.addOk();
    }

    private void functionLoad(Client c) {
        boolean replace = false;
        int pos = 2;
        while (pos < c.argc - 1) {
            byte[] a = c.argv[pos++];
            if (eq(a, "replace")) {
                replace = true;
                continue;
            }
            c.addError("ERR Unknown option given: " + str(a));
            return;
        }
        if (pos >= c.argc) {
            c.addError("ERR Function code is missing");
            return;
        }
        if (ScriptRunner.denyOom(c)) return;
        long timeout = c.has(Client.F_MASTER) ? 0 : 500;
        try {
            String name = Scripting.of(c.engine).functions().load(c.argv[pos], replace, timeout);
            c.engine.dirty++;
            c.addBulk(name);
        } catch (Functions.FunctionException e) {
            c.addError("ERR " + e.getMessage());
        }
    }

    private void functionList(Client c) {
        boolean withCode = false;
        byte[] pattern = null;
        for (int i = 2; i < c.argc; i++) {
            byte[] a = c.argv[i];
            if (!withCode && eq(a, "withcode")) {
                withCode = true;
                continue;
            }
            if (pattern == null && eq(a, "libraryname")) {
                if (i >= c.argc - 1) {
                    c.addError("ERR library name argument was not given");
                    return;
                }
                pattern = c.argv[++i];
                continue;
            }
            c.addError("ERR Unknown argument " + str(a));
            return;
        }
        Functions f = Scripting.of(c.engine).functions();
        List<Functions.Library> libs = new ArrayList<>();
        for (Functions.Library l : f.libraries()) {
            if (pattern != null && !Glob.match(pattern, l.name.getBytes(StandardCharsets.UTF_8), true)) continue;
            libs.add(l);
        }
        c.addArrayLen(libs.size());
        for (Functions.Library l : libs) {
            c.addMapLen(withCode ? 4 : 3);
            c.addBulk("library_name");
            c.addBulk(l.name);
            c.addBulk("engine");
            c.addBulk("LUA");
            c.addBulk("functions");
            c.addArrayLen(l.functions().size());
            for (Functions.FunctionInfo fi : l.functions()) {
                c.addMapLen(3);
                c.addBulk("name");
                c.addBulk(fi.name);
                c.addBulk("description");
                if (fi.description != null) c.addBulk(fi.description); else c.addNull();
                c.addBulk("flags");
                List<String> flags = ScriptRunner.flagNames(fi.flags);
                c.addSetLen(flags.size());
                for (String s : flags) c.addSimple(s);
            }
            if (withCode) {
                c.addBulk("library_code");
                c.addBulk(ScriptRunner.libraryCode(l));
            }
        }
    }

    private void functionDelete(Client c) {
        if (!Scripting.of(c.engine).functions().delete(str(c.argv[2]))) {
            c.addError("ERR Library not found");
            return;
        }
        c.engine.dirty++;
        c.addOk();
    }

    private void functionDump(Client c) {
        c.addBulk(Scripting.of(c.engine).functions().dump());
    }

    private void functionRestore(Client c) {
        if (c.argc > 4) {
            c.addSubcommandSyntaxError();
            return;
        }
        Functions.RestorePolicy policy = Functions.RestorePolicy.APPEND;
        if (c.argc == 4) {
            byte[] p = c.argv[3];
            if (eq(p, "append")) policy = Functions.RestorePolicy.APPEND;
            else if (eq(p, "replace")) policy = Functions.RestorePolicy.REPLACE;
            else if (eq(p, "flush")) policy = Functions.RestorePolicy.FLUSH;
            else {
                c.addError("ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.");
                return;
            }
        }
        if (ScriptRunner.denyOom(c)) return;
        try {
            Scripting.of(c.engine).functions().restore(c.argv[2], policy, ServerInfo.of(c.engine).skipChecksumValidation);
            c.engine.dirty++;
            c.addOk();
        } catch (Functions.FunctionException e) {
            c.addError("ERR " + e.getMessage());
        }
    }

    private void functionStats(Client c) {
        ScriptRunner.functionStats(c);
    }

    private void functionHelp(Client c) {
        c.addHelp("FUNCTION",
            "LOAD [REPLACE] <FUNCTION CODE>",
            "    Create a new library with the given library name and code.",
            "DELETE <LIBRARY NAME>",
            "    Delete the given library.",
            "LIST [LIBRARYNAME PATTERN] [WITHCODE]",
            "    Return general information on all the libraries:",
            "    * Library name",
            "    * The engine used to run the Library",
            "    * Library description",
            "    * Functions list",
            "    * Library code (if WITHCODE is given)",
            "    It also possible to get only function that matches a pattern using LIBRARYNAME argument.",
            "STATS",
            "    Return information about the current function running:",
            "    * Function name",
            "    * Command used to run the function",
            "    * Duration in MS that the function is running",
            "    If no function is running, return nil",
            "    In addition, returns a list of available engines.",
            "KILL",
            "    Kill the current running function.",
            "FLUSH [ASYNC|SYNC]",
            "    Delete all the libraries.",
            "    When called without the optional mode argument, the behavior is determined by the",
            "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
            "    * ASYNC: Asynchronously flush the libraries.",
            "    * SYNC: Synchronously flush the libraries.",
            "DUMP",
            "    Return a serialized payload representing the current libraries, can be restored using FUNCTION RESTORE command",
            "RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]",
            "    Restore the libraries represented by the given payload, it is possible to give a restore policy to",
            "    control how to handle existing libraries (default APPEND):",
            "    * FLUSH: delete all existing libraries.",
            "    * APPEND: appends the restored libraries to the existing libraries. On collision, abort.",
            "    * REPLACE: appends the restored libraries to the existing libraries, On collision, replace the old",
            "      libraries with the new libraries (notice that even on this option there is a chance of failure",
            "      in case of functions name collision with another library).");
    }
}
