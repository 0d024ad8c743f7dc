package org.redoubt.engine.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Generates docs/config.md and conf/redoubt.conf from the one config table, so the sample and
 * the reference cannot drift from the code (ConfigDocsTest fails when they do).
 * Regenerate: {@code java -cp engine/target/classes:protocol/target/classes org.redoubt.engine.config.ConfigDocs .}
 */
public final class ConfigDocs {
    private ConfigDocs() {}

    /** Directives set (uncommented) in the sample; all at Redis's defaults. */
    private static final String[] ACTIVE = {"bind", "protected-mode", "port", "tcp-backlog", "timeout",
        "tcp-keepalive", "daemonize", "loglevel", "logfile", "databases", "save", "dbfilename", "dir",
        "maxclients", "appendonly", "hz"};

    public static String markdown() {
        ConfigTable t = new ConfigTable(new Config());
        StringBuilder sb = new StringBuilder();
        sb.append("# Configuration directives\n\n");
        sb.append("Generated from `ConfigTable` by `ConfigDocs` (see its javadoc); do not edit by hand.\n");
        sb.append("Every directive Redis 7.0 knows is accepted. \"no effect yet\" marks a directive whose value\n");
        sb.append("is stored and reported by CONFIG GET but that nothing in Redoubt reads yet.\n\n");
        sb.append("| directive | description |\n| --- | --- |\n");
        for (String n : t.names()) {
            sb.append("| `").append(n).append("` | ").append(t.describe(n).replace("|", "\\|")).append(" |\n");
        }
        return sb.toString();
    }

    public static String sampleConf() {
        ConfigTable t = new ConfigTable(new Config());
        StringBuilder sb = new StringBuilder();
        sb.append("# Redoubt sample configuration (generated from the config table by ConfigDocs).\n");
        sb.append("#\n# Usage: bin/redoubt-server conf/redoubt.conf [--directive value ...]\n");
        sb.append("# Same syntax as redis.conf: one directive per line, arguments separated by spaces,\n");
        sb.append("# \"double\" or 'single' quotes for arguments with spaces. Memory sizes accept 1k 5mb 1gb.\n");
        sb.append("# The active lines below are Redis's defaults; every other directive is listed commented\n");
        sb.append("# out with its default value. See docs/config.md for types and bounds.\n\n");
        sb.append("################################## ACTIVE ##################################\n\n");
        for (String n : ACTIVE) {
            sb.append("# ").append(t.describe(n)).append('\n');
            sb.append(n).append(' ').append(render(t, n)).append("\n\n");
        }
        sb.append("############################### ALL DIRECTIVES ##############################\n\n");
        for (String n : t.names()) {
            if (java.util.Arrays.asList(ACTIVE).contains(n)) continue;
            String d = t.describe(n);
            sb.append("# ").append(n).append(": ").append(d).append('\n');
            ConfigEntry e = t.entry(n);
            if (e != null) sb.append("# ").append(n).append(' ').append(render(t, n)).append('\n');
            sb.append('\n');
        }
        return sb.toString();
    }

    private static String render(ConfigTable t, String n) {
        // dir's live value is the absolute working directory; the sample keeps Redis's "./".
        if (n.equals("dir")) return "./";
        String v = t.get(n);
        if (v == null || v.isEmpty()) return "\"\"";
        if (n.equals("save") || n.equals("bind")) return v;
        return v.indexOf(' ') >= 0 ? "\"" + v + "\"" : v;
    }

    public static void main(String[] args) throws IOException {
        Path root = Path.of(args.length > 0 ? args[0] : ".");
        Files.writeString(root.resolve("docs/config.md"), markdown(), StandardCharsets.UTF_8);
        Files.writeString(root.resolve("conf/redoubt.conf"), sampleConf(), StandardCharsets.UTF_8);
    }
}
