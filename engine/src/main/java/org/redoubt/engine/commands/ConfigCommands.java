package org.redoubt.engine.commands;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.redoubt.engine.Client;
import org.redoubt.engine.CommandFamily;
import org.redoubt.engine.Engine;
import org.redoubt.engine.command.CommandSpec;
import org.redoubt.engine.command.CommandTable;
import org.redoubt.engine.config.ConfigSyntax;
import org.redoubt.engine.config.ConfigTable;

/** CONFIG GET / SET / RESETSTAT / REWRITE / HELP over the engine's {@link ConfigTable}. */
public final class ConfigCommands implements CommandFamily {

    @Override
    public void register(CommandTable table, Engine engine) {
        table.bind("config|get", c -> get(engine, c));
        table.bind("config|set", c -> set(engine, c));
        table.bind("config|resetstat", c -> resetStat(engine, c));
        table.bind("config|rewrite", c -> rewrite(engine, c));
        table.bind("config|help", c -> c.addHelp("CONFIG",
            "GET <pattern>",
            "    Return parameters matching the glob-like <pattern> and their values.",
            "SET <directive> <value>",
            "    Set the configuration <directive> to <value>.",
            "RESETSTAT",
            "    Reset statistics reported by the INFO command.",
            "REWRITE",
            "    Rewrite the configuration file."));
    }

    /** The engine's table, made on first use for an engine started without one (tests). */
    static ConfigTable table(Engine engine) {
        if (engine.configTable == null) engine.configTable = new ConfigTable(engine.config);
        return engine.configTable;
    }

    /** CONFIG GET name-or-pattern...: a map with each matching directive once. */
    static void get(Engine engine, Client c) {
        ConfigTable t = table(engine);
        // Keys compare without case, as Redis's reply dictionary does.
        Map<String, String[]> matches = new LinkedHashMap<>();
        for (int i = 2; i < c.argc; i++) {
            String arg = new String(c.argv[i], StandardCharsets.UTF_8);
            if (!ConfigSyntax.isPattern(arg) && matches.containsKey(arg.toLowerCase(Locale.ROOT))) continue;
            for (String[] kv : t.getMatching(arg)) {
                matches.putIfAbsent(kv[0].toLowerCase(Locale.ROOT), kv);
            }
        }
        c.addMapLen(matches.size());
        for (String[] kv : matches.values()) {
            c.addBulk(kv[0]);
            c.addBulk(kv[1]);
        }
    }

    /** CONFIG SET name value [name value ...], all or nothing. */
    static void set(Engine engine, Client c) {
        if ((c.argc & 1) != 0) {
            c.addError("ERR syntax error");
            return;
        }
        List<byte[]> pairs = new ArrayList<>(c.argc - 2);
        for (int i = 2; i < c.argc; i++) pairs.add(c.argv[i]);
        String err = table(engine).set(pairs, Engine.isLocal(c), engine.loading);
        if (err == null) c.addOk();
        else c.addError(err);
    }

    /** CONFIG RESETSTAT: server stats, every command's stats, errorstats (not slowlog or latency). */
    static void resetStat(Engine engine, Client c) {
        engine.stats.reset();
        for (CommandSpec cmd : engine.commands.visible()) resetCommandStats(cmd);
        engine.latency.resetHistograms();
        c.addOk();
    }

    private static void resetCommandStats(CommandSpec cmd) {
        cmd.calls = 0;
        cmd.microseconds = 0;
        cmd.rejectedCalls = 0;
        cmd.failedCalls = 0;
        for (CommandSpec sub : cmd.subcommands.values()) resetCommandStats(sub);
    }

    /** CONFIG REWRITE into the file the server was started with. */
    static void rewrite(Engine engine, Client c) {
        String err = table(engine).rewrite(engine.configFile);
        if (err == null) c.addOk();
        else c.addError(err);
    }
}
