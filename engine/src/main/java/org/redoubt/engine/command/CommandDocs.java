package org.redoubt.engine.command;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.redoubt.engine.CommandFamily;
import org.redoubt.engine.Engine;
import org.redoubt.engine.config.Config;

/**
 * Generates docs/commands.md: every Redis 7.0 command and subcommand of commands.tsv, grouped
 * as Redis groups them, marked implemented (bound to a handler) or missing. CommandDocsTest
 * fails when the file is stale. The server module's {@code org.redoubt.server.Docs} runs it with
 * every module's families.
 */
public final class CommandDocs {
    private CommandDocs() {}

    public static String markdown(List<CommandFamily> fams) {
        Engine e = new Engine(new Config(), fams);
        CommandTable all = new CommandTable();
        Map<String, List<String[]>> byGroup = new TreeMap<>();
        int total = 0, done = 0;
        for (CommandSpec c : allSpecs(all)) {
            boolean bound = isBound(e, c);
            total++;
            if (bound) done++;
            byGroup.computeIfAbsent(c.group, g -> new ArrayList<>())
                .add(new String[] {c.fullName.replace('|', ' ').toUpperCase(java.util.Locale.ROOT), bound ? "yes" : "**missing**"});
        }
        StringBuilder sb = new StringBuilder();
        sb.append("# Command coverage\n\n");
        sb.append("Generated from the command table by `CommandDocs` (see its javadoc); do not edit by hand.\n");
        sb.append("\"yes\" means the command is implemented with Redis 7.0 semantics; known deviations and\n");
        sb.append("the Redis test-suite results are in [compatibility.md](compatibility.md).\n\n");
        sb.append("Implemented: ").append(done).append(" of ").append(total).append(" Redis 7.0 commands and subcommands.\n\n");
        for (Map.Entry<String, List<String[]>> g : byGroup.entrySet()) {
            sb.append("## ").append(g.getKey()).append("\n\n| command | implemented |\n| --- | --- |\n");
            for (String[] row : g.getValue()) sb.append("| ").append(row[0]).append(" | ").append(row[1]).append(" |\n");
            sb.append('\n');
        }
        return sb.toString();
    }

    private static List<CommandSpec> allSpecs(CommandTable t) {
        List<CommandSpec> out = new ArrayList<>();
        try (var r = new java.io.BufferedReader(new java.io.InputStreamReader(
                CommandTable.class.getResourceAsStream("commands.tsv"), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.isEmpty() || line.startsWith("#")) continue;
                String[] f = line.split("\t", -1);
                CommandSpec s = t.find(f[1].isEmpty() ? f[0] : f[1] + "|" + f[0]);
                if (s != null && !(s.parent == null && !s.subcommands.isEmpty())) out.add(s);
            }
        } catch (IOException ex) {
            throw new java.io.UncheckedIOException(ex);
        }
        return out;
    }

    private static boolean isBound(Engine e, CommandSpec s) {
        if (s.parent == null) {
            CommandSpec v = e.commands.visible(s.name);
            return v != null && v.handler != null;
        }
        CommandSpec p = e.commands.visible(s.parent.name);
        return p != null && p.subcommands.containsKey(s.name);
    }

}
