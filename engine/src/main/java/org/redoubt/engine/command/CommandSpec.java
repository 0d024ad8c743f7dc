package org.redoubt.engine.command;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One command or subcommand of the table: its facts (from commands.tsv) plus the bound handler
 * and its statistics. Statistics are only touched on the engine thread.
 */
public final class CommandSpec {
    public final String name;          // lower case; "get", or "get" under container "config"
    public final String fullName;      // "get" or "config|get"
    public final CommandSpec parent;   // container, or null
    public final int arity;
    public final int flags;
    public final long aclCategories;
    public final int firstKey, lastKey, keyStep;
    public final String group, since, complexity, summary;
    public final String[] docFlags, tips;
    public final KeySpec[] keySpecs;
    /** Subcommands by lower-case name, insertion-ordered; empty for plain commands. */
    public final Map<String, CommandSpec> subcommands = new LinkedHashMap<>();
    public Handler handler;
    /** Small sequential id, used by per-client and ACL bitmaps. */
    public int id;

    // ---- statistics (engine thread only), as INFO commandstats reports them
    public long calls, microseconds, rejectedCalls, failedCalls;

    CommandSpec(String name, CommandSpec parent, int arity, int flags, long acl, int first, int last, int step,
                String group, String since, String complexity, String[] docFlags, String[] tips,
                KeySpec[] keySpecs, String summary) {
        this.name = name;
        this.parent = parent;
        this.fullName = parent == null ? name : parent.name + "|" + name;
        this.arity = arity;
        this.flags = flags;
        this.aclCategories = acl;
        this.firstKey = first;
        this.lastKey = last;
        this.keyStep = step;
        this.group = group;
        this.since = since;
        this.complexity = complexity;
        this.docFlags = docFlags;
        this.tips = tips;
        this.keySpecs = keySpecs;
        this.summary = summary;
    }

    public boolean has(int flag) { return (flags & flag) != 0; }

    public boolean arityOk(int argc) {
        return arity > 0 ? argc == arity : argc >= -arity;
    }

    /**
     * The argv positions of this command's keys: the legacy range when it is exact, else the
     * key specs, as Redis's getKeysFromCommand. Returns the count or -1 for invalid arguments.
     */
    public int getKeys(byte[][] argv, int argc, int[] out) {
        if ((flags & CommandFlags.MOVABLE_KEYS) == 0) {
            if (firstKey == 0) return 0;
            int last = lastKey < 0 ? argc + lastKey : lastKey;
            int n = 0;
            for (int i = firstKey; i <= last && i < argc; i += keyStep) out[n++] = i;
            return n;
        }
        int n = 0;
        for (KeySpec ks : keySpecs) {
            n = ks.findKeys(argv, argc, out, n);
            if (n < 0) return -1;
        }
        return n;
    }

    public List<CommandSpec> subcommandList() { return new ArrayList<>(subcommands.values()); }

    @Override public String toString() { return fullName; }
}
