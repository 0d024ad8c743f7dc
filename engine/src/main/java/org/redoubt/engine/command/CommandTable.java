package org.redoubt.engine.command;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one command table. Facts come from {@code commands.tsv} (one line per command or
 * subcommand); each command family binds its handlers by name. Only bound commands are visible
 * (dispatch, COMMAND, ACL); an unbound line is a command we do not implement yet, and a
 * container is visible when at least one of its subcommands is bound.
 *
 * <p>Lookup is allocation-free: an open-addressing table keyed by the ASCII-lowercased name
 * bytes, probed with a case-insensitive hash of the raw argument.
 */
public final class CommandTable {
    private final Map<String, CommandSpec> all = new LinkedHashMap<>();
    private final Map<String, CommandSpec> visible = new LinkedHashMap<>();
    private CommandSpec[] slots = new CommandSpec[0];
    private byte[][] slotNames = new byte[0][];
    private int nextId;
    private boolean frozen;

    public CommandTable() {
        load();
    }

    private void load() {
        InputStream in = CommandTable.class.getResourceAsStream("commands.tsv");
        if (in == null) throw new IllegalStateException("commands.tsv missing from the classpath");
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.isEmpty() || line.startsWith("#")) continue;
                String[] f = line.split("\t", -1);
                String name = f[0], container = f[1];
                int arity = Integer.parseInt(f[2]);
                int flags = 0;
                if (!f[3].equals("-")) for (String s : f[3].split(",")) flags |= CommandFlags.parse(s);
                long acl = 0;
                if (!f[4].equals("-")) for (String s : f[4].split(",")) acl |= AclCategories.parse(s);
                acl = AclCategories.implicit(flags, acl);
                KeySpec[] specs;
                if (f[13].equals("-")) specs = new KeySpec[0];
                else {
                    String[] ks = f[13].split("\\|");
                    specs = new KeySpec[ks.length];
                    for (int i = 0; i < ks.length; i++) specs[i] = new KeySpec(ks[i]);
                }
                CommandSpec parent = container.isEmpty() ? null : all.get(container);
                if (!container.isEmpty() && parent == null)
                    throw new IllegalStateException("container before its subcommand: " + line);
                CommandSpec spec = new CommandSpec(name, parent, arity, flags, acl,
                    Integer.parseInt(f[5]), Integer.parseInt(f[6]), Integer.parseInt(f[7]),
                    f[8], f[9], f[10], dashList(f[11]), dashList(f[12]), specs, f[14]);
                if (parent == null) all.put(name, spec);
                else parent.subcommands.put(name, spec);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String[] dashList(String s) {
        return s.equals("-") ? new String[0] : s.split(",");
    }

    /** Binds a handler: "get", or "config|get" for a subcommand. Fails on an unknown name. */
    public void bind(String fullName, Handler h) {
        if (frozen) throw new IllegalStateException("table frozen");
        CommandSpec spec = find(fullName);
        if (spec == null) throw new IllegalArgumentException("no such command in commands.tsv: " + fullName);
        if (spec.handler != null) throw new IllegalArgumentException("bound twice: " + fullName);
        spec.handler = h;
    }

    /** Any spec, bound or not, by full name. */
    public CommandSpec find(String fullName) {
        int bar = fullName.indexOf('|');
        if (bar < 0) return all.get(fullName);
        CommandSpec p = all.get(fullName.substring(0, bar));
        return p == null ? null : p.subcommands.get(fullName.substring(bar + 1));
    }

    /**
     * Ends binding: builds the visible set and the lookup table. A container whose
     * subcommands are bound gets a dispatch handler implicitly (the dispatcher routes by argv[1]).
     */
    public void freeze() {
        for (CommandSpec c : all.values()) {
            boolean anySub = false;
            for (var it = c.subcommands.values().iterator(); it.hasNext(); ) {
                CommandSpec s = it.next();
                if (s.handler == null) it.remove(); else { anySub = true; s.id = nextId++; }
            }
            if (c.handler != null || anySub) {
                c.id = nextId++;
                visible.put(c.name, c);
            }
        }
        rebuildLookup();
        frozen = true;
    }

    /**
     * rename-command: the command answers to a new name ("" removes it), as Redis re-keys its
     * command dict; its spec (and so COMMAND INFO and commandstats) keeps the original name.
     */
    public void rename(String from, String to) {
        CommandSpec c = visible.remove(from.toLowerCase(java.util.Locale.ROOT));
        if (c == null) throw new IllegalArgumentException("no such command: " + from);
        if (!to.isEmpty()) visible.put(to.toLowerCase(java.util.Locale.ROOT), c);
        rebuildLookup();
    }

    private void rebuildLookup() {
        int cap = Integer.highestOneBit(Math.max(16, visible.size() * 4)) * 2;
        slots = new CommandSpec[cap];
        slotNames = new byte[cap][];
        for (Map.Entry<String, CommandSpec> en : visible.entrySet()) {
            CommandSpec c = en.getValue();
            byte[] n = en.getKey().getBytes(StandardCharsets.US_ASCII);
            int i = hashLower(n, n.length) & (cap - 1);
            while (slots[i] != null) i = (i + 1) & (cap - 1);
            slots[i] = c;
            slotNames[i] = n;
        }
    }

    private static int hashLower(byte[] b, int len) {
        int h = 0;
        for (int i = 0; i < len; i++) {
            int x = b[i];
            if (x >= 'A' && x <= 'Z') x += 32;
            h = 31 * h + x;
        }
        return h ^ (h >>> 16);
    }

    /** Looks a command up by its raw (any-case) name, without allocating. */
    public CommandSpec lookup(byte[] name) {
        int mask = slots.length - 1;
        int i = hashLower(name, name.length) & mask;
        for (;;) {
            byte[] n = slotNames[i];
            if (n == null) return null;
            if (n.length == name.length && sameLower(n, name)) return slots[i];
            i = (i + 1) & mask;
        }
    }

    public static CommandSpec lookupSub(CommandSpec container, byte[] name) {
        for (CommandSpec s : container.subcommands.values()) {
            if (Bytesish.equalsLower(s.name, name)) return s;
        }
        return null;
    }

    private static boolean sameLower(byte[] lower, byte[] any) {
        for (int i = 0; i < lower.length; i++) {
            int x = any[i];
            if (x >= 'A' && x <= 'Z') x += 32;
            if (x != lower[i]) return false;
        }
        return true;
    }

    public Collection<CommandSpec> visible() { return visible.values(); }

    public CommandSpec visible(String lowerName) { return visible.get(lowerName); }

    public int size() { return visible.size(); }

    public int idCount() { return nextId; }

    /** Lines of the table with no handler: what COMMAND does not offer yet. */
    public List<String> unbound() {
        List<String> r = new ArrayList<>();
        for (CommandSpec c : all.values()) {
            if (c.subcommands.isEmpty() && c.handler == null && !visible.containsKey(c.name)) r.add(c.fullName);
        }
        return r;
    }

    /** Tiny helper kept private to the package: ASCII case-insensitive compare of a lower-case String. */
    static final class Bytesish {
        static boolean equalsLower(String lower, byte[] any) {
            if (lower.length() != any.length) return false;
            for (int i = 0; i < any.length; i++) {
                int x = any[i];
                if (x >= 'A' && x <= 'Z') x += 32;
                if (x != lower.charAt(i)) return false;
            }
            return true;
        }
    }
}
