package org.redoubt.engine.commands;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.redoubt.engine.Client;
import org.redoubt.engine.CommandFamily;
import org.redoubt.engine.Engine;
import org.redoubt.engine.Errors;
import org.redoubt.engine.command.AclCategories;
import org.redoubt.engine.command.CommandFlags;
import org.redoubt.engine.command.CommandSpec;
import org.redoubt.engine.command.CommandTable;
import org.redoubt.engine.command.KeySpec;
import org.redoubt.engine.util.Bytes;

/**
 * COMMAND and its subcommands (COUNT, INFO, DOCS, LIST, GETKEYS, GETKEYSANDFLAGS, HELP), all
 * read from the engine's command table, with Redis 7.0's reply layouts.
 *
 * <p>Key extraction for GETKEYS follows Redis's getKeysFromCommandWithSpecs: the key specs
 * when they are complete and their flags fixed, otherwise the command's own key finder (SORT's
 * STORE, MIGRATE's KEYS, SET's GET, BITFIELD's read-only form, ...).
 */
public final class CommandCommand implements CommandFamily {
    // Key-spec flags, in the order Redis prints them.
    static final int K_RO = 1, K_RW = 1 << 1, K_OW = 1 << 2, K_RM = 1 << 3, K_ACCESS = 1 << 4,
        K_UPDATE = 1 << 5, K_INSERT = 1 << 6, K_DELETE = 1 << 7, K_NOT_KEY = 1 << 8,
        K_INCOMPLETE = 1 << 9, K_VARIABLE_FLAGS = 1 << 10;
    static final String[] KEY_FLAG_NAMES = {
        "RO", "RW", "OW", "RM", "access", "update", "insert", "delete", "not_key", "incomplete", "variable_flags",
    };
    /** Command flags Redis keeps out of COMMAND INFO. */
    private static final int HIDDEN_FLAGS = CommandFlags.MAY_REPLICATE | CommandFlags.SENTINEL
        | CommandFlags.ONLY_SENTINEL | CommandFlags.PROTECTED | CommandFlags.MODULE_GETKEYS
        | CommandFlags.MODULE_NO_CLUSTER;

    @Override
    public void register(CommandTable t, Engine e) {
        t.bind("command", this::command);
        t.bind("command|count", this::count);
        t.bind("command|docs", this::docs);
        t.bind("command|getkeys", c -> getKeys(c, false));
        t.bind("command|getkeysandflags", c -> getKeys(c, true));
        t.bind("command|help", this::help);
        t.bind("command|info", this::info);
        t.bind("command|list", this::list);
    }

    /**
     * COMMAND with no argument lists every command. COMMAND is the one command that is both
     * runnable and a container: when the dispatcher hands it subcommand arguments, they are
     * routed here exactly as the dispatcher would (unknown name, then arity).
     */
    void command(Client c) {
        if (c.argc == 1) {
            Engine e = c.engine;
            c.addArrayLen(e.commands.size());
            for (CommandSpec s : e.commands.visible()) addInfo(c, s);
            return;
        }
        CommandSpec self = c.engine.commands.visible("command");
        CommandSpec sub = self == null ? null : CommandTable.lookupSub(self, c.argv[1]);
        if (sub == null) {
            c.addError(Errors.unknownSubcommand(Bytes.str(c.argv[1]), "COMMAND"));
            return;
        }
        if (!sub.arityOk(c.argc)) {
            c.addError(Errors.wrongArgs(sub.fullName));
            return;
        }
        sub.handler.execute(c);
    }

    void count(Client c) {
        c.addLong(c.engine.commands.size());
    }

    void help(Client c) {
        c.addHelp("COMMAND",
            "(no subcommand)",
            "    Return details about all Redis commands.",
            "COUNT",
            "    Return the total number of commands in this Redis server.",
            "LIST",
            "    Return a list of all commands in this Redis server.",
            "INFO [<command-name> ...]",
            "    Return details about multiple Redis commands.",
            "    If no command names are given, documentation details for all",
            "    commands are returned.",
            "DOCS [<command-name> ...]",
            "    Return documentation details about multiple Redis commands.",
            "    If no command names are given, documentation details for all",
            "    commands are returned.",
            "GETKEYS <full-command>",
            "    Return the keys from a full Redis command.",
            "GETKEYSANDFLAGS <full-command>",
            "    Return the keys and the access flags from a full Redis command.");
    }

    // =====================================================================================
    // Lookup
    // =====================================================================================

    /** A command or subcommand by full name ("get", "config|get"), any case; null if none. */
    static CommandSpec byFullName(Engine e, byte[] name) {
        String s = Bytes.lower(name);
        int bar = s.indexOf('|');
        if (bar < 0) return e.commands.visible(s);
        if (s.indexOf('|', bar + 1) >= 0) return null;
        CommandSpec base = e.commands.visible(s.substring(0, bar));
        if (base == null || base.subcommands.isEmpty()) return null;
        return base.subcommands.get(s.substring(bar + 1));
    }

    /** The command argv[from..] would run (as the dispatcher resolves it), or null. */
    static CommandSpec resolve(Engine e, byte[][] argv, int from, int argc) {
        CommandSpec base = e.commands.lookup(argv[from]);
        if (base == null) return null;
        if (base.subcommands.isEmpty() || argc - from < 2) return base;
        return CommandTable.lookupSub(base, argv[from + 1]);
    }

    // =====================================================================================
    // INFO
    // =====================================================================================

    void info(Client c) {
        Engine e = c.engine;
        if (c.argc == 2) {
            c.addArrayLen(e.commands.size());
            for (CommandSpec s : e.commands.visible()) addInfo(c, s);
            return;
        }
        c.addArrayLen(c.argc - 2);
        for (int i = 2; i < c.argc; i++) addInfo(c, byFullName(e, c.argv[i]));
    }

    static void addInfo(Client c, CommandSpec s) {
        if (s == null) {
            c.addNull();
            return;
        }
        c.addArrayLen(10);
        c.addBulk(s.fullName);
        c.addLong(s.arity);
        addFlags(c, s.flags);
        c.addLong(s.firstKey);
        c.addLong(s.lastKey);
        c.addLong(s.keyStep);
        addCategories(c, s.aclCategories);
        c.addSetLen(s.tips.length);
        for (String tip : s.tips) c.addBulk(tip);
        addKeySpecs(c, s.keySpecs);
        if (s.subcommands.isEmpty()) {
            c.addSetLen(0);
        } else {
            c.addArrayLen(s.subcommands.size());
            for (CommandSpec sub : s.subcommands.values()) addInfo(c, sub);
        }
    }

    private static void addFlags(Client c, int flags) {
        int shown = flags & ~HIDDEN_FLAGS;
        c.addSetLen(Integer.bitCount(shown));
        for (int i = 0; i < CommandFlags.NAMES.length; i++) {
            if ((shown & (1 << i)) != 0) c.addSimple(CommandFlags.NAMES[i]);
        }
    }

    static void addCategories(Client c, long cats) {
        c.addSetLen(Long.bitCount(cats));
        for (int i = 0; i < AclCategories.NAMES.length; i++) {
            if ((cats & (1L << i)) != 0) c.addSimple("@" + AclCategories.NAMES[i]);
        }
    }

    static void addKeyFlags(Client c, int flags) {
        c.addSetLen(Integer.bitCount(flags));
        for (int i = 0; i < KEY_FLAG_NAMES.length; i++) {
            if ((flags & (1 << i)) != 0) c.addSimple(KEY_FLAG_NAMES[i]);
        }
    }

    /** The flag bits of a key spec (its flags are upper-case names in the table). */
    static int keyFlags(KeySpec ks) {
        int f = 0;
        for (String name : ks.flags) {
            for (int i = 0; i < KEY_FLAG_NAMES.length; i++) {
                if (KEY_FLAG_NAMES[i].equalsIgnoreCase(name)) { f |= 1 << i; break; }
            }
        }
        return f;
    }

    private static void addKeySpecs(Client c, KeySpec[] specs) {
        c.addSetLen(specs.length);
        for (KeySpec ks : specs) {
            c.addMapLen(3);
            c.addBulk("flags");
            addKeyFlags(c, keyFlags(ks));
            c.addBulk("begin_search");
            c.addMapLen(2);
            c.addBulk("type");
            switch (ks.bsType) {
                case KeySpec.BS_INDEX -> {
                    c.addBulk("index");
                    c.addBulk("spec");
                    c.addMapLen(1);
                    c.addBulk("index");
                    c.addLong(ks.bsPos);
                }
                case KeySpec.BS_KEYWORD -> {
                    c.addBulk("keyword");
                    c.addBulk("spec");
                    c.addMapLen(2);
                    c.addBulk("keyword");
                    c.addBulk(ks.bsKeyword);
                    c.addBulk("startfrom");
                    c.addLong(ks.bsStartFrom);
                }
                default -> {
                    c.addBulk("unknown");
                    c.addBulk("spec");
                    c.addMapLen(0);
                }
            }
            c.addBulk("find_keys");
            c.addMapLen(2);
            c.addBulk("type");
            switch (ks.fkType) {
                case KeySpec.FK_RANGE -> {
                    c.addBulk("range");
                    c.addBulk("spec");
                    c.addMapLen(3);
                    c.addBulk("lastkey");
                    c.addLong(ks.a);
                    c.addBulk("keystep");
                    c.addLong(ks.b);
                    c.addBulk("limit");
                    c.addLong(ks.c);
                }
                case KeySpec.FK_KEYNUM -> {
                    c.addBulk("keynum");
                    c.addBulk("spec");
                    c.addMapLen(3);
                    c.addBulk("keynumidx");
                    c.addLong(ks.a);
                    c.addBulk("firstkey");
                    c.addLong(ks.b);
                    c.addBulk("keystep");
                    c.addLong(ks.c);
                }
                default -> {
                    c.addBulk("unknown");
                    c.addBulk("spec");
                    c.addMapLen(0);
                }
            }
        }
    }

    // =====================================================================================
    // DOCS
    // =====================================================================================

    void docs(Client c) {
        Engine e = c.engine;
        if (c.argc == 2) {
            c.addMapLen(e.commands.size());
            for (CommandSpec s : e.commands.visible()) {
                c.addBulk(s.fullName);
                addDocs(c, s);
            }
            return;
        }
        List<CommandSpec> found = new ArrayList<>();
        for (int i = 2; i < c.argc; i++) {
            CommandSpec s = byFullName(e, c.argv[i]);
            if (s != null) found.add(s);
        }
        c.addMapLen(found.size());
        for (CommandSpec s : found) {
            c.addBulk(s.fullName);
            addDocs(c, s);
        }
    }

    private static boolean present(String s) { return s != null && !s.isEmpty() && !s.equals("-"); }

    private static void addDocs(Client c, CommandSpec s) {
        int n = 1;
        if (present(s.summary)) n++;
        if (present(s.since)) n++;
        if (present(s.complexity)) n++;
        if (s.docFlags.length > 0) n++;
        if (!s.subcommands.isEmpty()) n++;
        c.addMapLen(n);
        if (present(s.summary)) {
            c.addBulk("summary");
            c.addBulk(s.summary);
        }
        if (present(s.since)) {
            c.addBulk("since");
            c.addBulk(s.since);
        }
        c.addBulk("group");
        c.addBulk(s.group.replace('_', '-'));
        if (present(s.complexity)) {
            c.addBulk("complexity");
            c.addBulk(s.complexity);
        }
        if (s.docFlags.length > 0) {
            c.addBulk("doc_flags");
            c.addSetLen(s.docFlags.length);
            for (String f : s.docFlags) c.addSimple(f.toLowerCase(Locale.ROOT));
        }
        if (!s.subcommands.isEmpty()) {
            c.addBulk("subcommands");
            c.addMapLen(s.subcommands.size());
            for (CommandSpec sub : s.subcommands.values()) {
                c.addBulk(sub.fullName);
                addDocs(c, sub);
            }
        }
    }

    // =====================================================================================
    // LIST
    // =====================================================================================

    private static final int F_NONE = 0, F_MODULE = 1, F_ACLCAT = 2, F_PATTERN = 3;

    void list(Client c) {
        int filter = F_NONE;
        byte[] arg = null;
        for (int i = 2; i < c.argc; i++) {
            int more = c.argc - 1 - i;
            if (Bytes.equalsIgnoreCase(c.argv[i], "filterby") && more == 2) {
                byte[] type = c.argv[i + 1];
                if (Bytes.equalsIgnoreCase(type, "module")) filter = F_MODULE;
                else if (Bytes.equalsIgnoreCase(type, "aclcat")) filter = F_ACLCAT;
                else if (Bytes.equalsIgnoreCase(type, "pattern")) filter = F_PATTERN;
                else {
                    c.addError(Errors.SYNTAX);
                    return;
                }
                arg = c.argv[i + 2];
                i += 2;
            } else {
                c.addError(Errors.SYNTAX);
                return;
            }
        }
        long cat = 0;
        if (filter == F_ACLCAT) {
            String name = Bytes.lower(arg);
            for (int i = 0; i < AclCategories.NAMES.length; i++) {
                if (AclCategories.NAMES[i].equals(name)) cat = 1L << i;
            }
        }
        List<String> names = new ArrayList<>();
        for (CommandSpec s : c.engine.commands.visible()) {
            if (keep(s, filter, arg, cat)) names.add(s.fullName);
            for (CommandSpec sub : s.subcommands.values()) {
                if (keep(sub, filter, arg, cat)) names.add(sub.fullName);
            }
        }
        c.addArrayLen(names.size());
        for (String n : names) c.addBulk(n);
    }

    private static boolean keep(CommandSpec s, int filter, byte[] arg, long cat) {
        return switch (filter) {
            case F_NONE -> true;
            case F_MODULE -> false;   // no module commands exist
            case F_ACLCAT -> cat != 0 && (s.aclCategories & cat) != 0;
            default -> Glob.match(arg, s.fullName.getBytes(StandardCharsets.US_ASCII), true);
        };
    }

    // =====================================================================================
    // GETKEYS / GETKEYSANDFLAGS
    // =====================================================================================

    void getKeys(Client c, boolean withFlags) {
        Engine e = c.engine;
        int n = c.argc - 2;
        CommandSpec cmd = resolve(e, c.argv, 2, c.argc);
        if (cmd == null) {
            c.addError("ERR Invalid command specified");
            return;
        }
        if (!hasKeys(cmd)) {
            c.addError("ERR The command has no key arguments");
            return;
        }
        if ((cmd.arity > 0 && cmd.arity != n) || n < -cmd.arity) {
            c.addError("ERR Invalid number of arguments specified for command");
            return;
        }
        byte[][] argv = new byte[n][];
        System.arraycopy(c.argv, 2, argv, 0, n);
        int[] pos = new int[n + 1];
        int[] flags = new int[n + 1];
        int found = keysWithFlags(cmd, argv, n, pos, flags);
        if (found <= 0) {
            if (cmd.has(CommandFlags.NO_MANDATORY_KEYS)) c.addArrayLen(0);
            else c.addError("ERR Invalid arguments specified for command");
            return;
        }
        c.addArrayLen(found);
        for (int i = 0; i < found; i++) {
            if (!withFlags) {
                c.addBulk(argv[pos[i]]);
            } else {
                c.addArrayLen(2);
                c.addBulk(argv[pos[i]]);
                addKeyFlags(c, flags[i]);
            }
        }
    }

    /** Redis's doesCommandHaveKeys: a key finder of its own, or a spec that is not "not_key". */
    static boolean hasKeys(CommandSpec cmd) {
        if (finder(cmd) != FINDER_NONE) return true;
        for (KeySpec ks : cmd.keySpecs) if ((keyFlags(ks) & K_NOT_KEY) == 0) return true;
        return false;
    }

    /**
     * The key positions (and their flags) of argv[0..argc) for cmd, as Redis's
     * getKeysFromCommandWithSpecs. pos/flags need argc entries. Returns the number found.
     */
    public static int keysWithFlags(CommandSpec cmd, byte[][] argv, int argc, int[] pos, int[] flags) {
        boolean hasSpec = false, varFlags = false;
        for (KeySpec ks : cmd.keySpecs) {
            int f = keyFlags(ks);
            if ((f & K_NOT_KEY) == 0) hasSpec = true;
            if ((f & K_VARIABLE_FLAGS) != 0) varFlags = true;
        }
        if (hasSpec && !varFlags) {
            int r = keysFromSpecs(cmd, argv, argc, pos, flags);
            if (r >= 0) return r;
        }
        return keysFromFinder(finder(cmd), argv, argc, pos, flags);
    }

    /** getKeysUsingKeySpecs: -1 when a spec cannot tell (unknown, incomplete, invalid). */
    static int keysFromSpecs(CommandSpec cmd, byte[][] argv, int argc, int[] pos, int[] flags) {
        int n = 0;
        for (KeySpec ks : cmd.keySpecs) {
            int kf = keyFlags(ks);
            if ((kf & K_NOT_KEY) != 0) continue;
            int first = 0;
            if (ks.bsType == KeySpec.BS_INDEX) {
                first = ks.bsPos;
            } else if (ks.bsType == KeySpec.BS_KEYWORD) {
                int start = ks.bsStartFrom > 0 ? ks.bsStartFrom : argc + ks.bsStartFrom;
                int end = ks.bsStartFrom > 0 ? argc - 1 : 1;
                for (int i = start; i != end; i = start <= end ? i + 1 : i - 1) {
                    if (i >= argc || i < 1) break;
                    if (Bytes.equalsIgnoreCase(argv[i], ks.bsKeyword)) { first = i + 1; break; }
                }
                if (first == 0) continue;
            } else {
                return -1;
            }
            int last, step;
            if (ks.fkType == KeySpec.FK_RANGE) {
                step = ks.b;
                if (ks.a >= 0) last = first + ks.a;
                else if (ks.c == 0) last = argc + ks.a;
                else last = first + ((argc - first) / ks.c + ks.a);
            } else if (ks.fkType == KeySpec.FK_KEYNUM) {
                step = ks.c;
                int idx = first + ks.a;
                if (ks.a >= argc || idx >= argc) return -1;
                long nk = Bytes.parseLongOrMin(argv[idx]);
                if (nk == Long.MIN_VALUE || nk < 0 || nk > argc) return -1;
                first += ks.b;
                last = first + (int) nk - 1;
            } else {
                return -1;
            }
            if (last >= argc || last < first || first >= argc) return -1;
            if (step <= 0) return -1;
            for (int i = first; i <= last; i += step) {
                if (n >= pos.length) return -1;
                pos[n] = i;
                flags[n++] = kf;
            }
            if ((kf & K_INCOMPLETE) != 0) return -1;
        }
        return n;
    }

    // ---- commands with their own key finders (Redis's getkeys_proc)

    static final int FINDER_NONE = 0, FINDER_SORT = 1, FINDER_SORT_RO = 2, FINDER_MIGRATE = 3,
        FINDER_SET = 4, FINDER_BITFIELD = 5, FINDER_GEORADIUS = 6, FINDER_XREAD = 7,
        FINDER_NUMKEYS_AT1 = 8, FINDER_NUMKEYS_AT2 = 9, FINDER_STORE_NUMKEYS_AT2 = 10;

    static int finder(CommandSpec cmd) {
        if (cmd.parent != null) return FINDER_NONE;
        return switch (cmd.name) {
            case "sort" -> FINDER_SORT;
            case "sort_ro" -> FINDER_SORT_RO;
            case "migrate" -> FINDER_MIGRATE;
            case "set" -> FINDER_SET;
            case "bitfield" -> FINDER_BITFIELD;
            case "georadius", "georadiusbymember" -> FINDER_GEORADIUS;
            case "xread", "xreadgroup" -> FINDER_XREAD;
            case "sintercard", "zdiff", "zinter", "zintercard", "zunion", "lmpop", "zmpop" -> FINDER_NUMKEYS_AT1;
            case "eval", "evalsha", "eval_ro", "evalsha_ro", "fcall", "fcall_ro", "blmpop", "bzmpop" -> FINDER_NUMKEYS_AT2;
            case "zdiffstore", "zinterstore", "zunionstore" -> FINDER_STORE_NUMKEYS_AT2;
            default -> FINDER_NONE;
        };
    }

    static int keysFromFinder(int finder, byte[][] argv, int argc, int[] pos, int[] flags) {
        switch (finder) {
            case FINDER_SORT: {
                pos[0] = 1;
                flags[0] = K_RO | K_ACCESS;
                int store = -1;
                for (int i = 2; i < argc; i++) {
                    byte[] a = argv[i];
                    if (Bytes.equalsIgnoreCase(a, "limit")) i += 2;
                    else if (Bytes.equalsIgnoreCase(a, "get") || Bytes.equalsIgnoreCase(a, "by")) i += 1;
                    else if (Bytes.equalsIgnoreCase(a, "store") && i + 1 < argc) store = i + 1; // the last STORE wins
                }
                if (store < 0) return 1;
                pos[1] = store;
                flags[1] = K_OW | K_UPDATE;
                return 2;
            }
            case FINDER_SORT_RO:
                pos[0] = 1;
                flags[0] = K_RO | K_ACCESS;
                return 1;
            case FINDER_MIGRATE: {
                int first = 3, num = 1;
                if (argc > 6) {
                    for (int i = 6; i < argc; i++) {
                        byte[] a = argv[i];
                        if (Bytes.equalsIgnoreCase(a, "keys")) {
                            if (argv[3].length > 0) {
                                num = 0;       // a key and KEYS together: MIGRATE replies the syntax error
                            } else {
                                first = i + 1;
                                num = argc - first;
                            }
                            break;
                        }
                        if (Bytes.equalsIgnoreCase(a, "auth")) i += 1;
                        else if (Bytes.equalsIgnoreCase(a, "auth2")) i += 2;
                    }
                }
                for (int i = 0; i < num; i++) {
                    pos[i] = first + i;
                    flags[i] = K_RW | K_ACCESS | K_DELETE;
                }
                return num;
            }
            case FINDER_SET: {
                pos[0] = 1;
                flags[0] = K_OW | K_UPDATE;
                for (int i = 3; i < argc; i++) {
                    if (Bytes.equalsIgnoreCase(argv[i], "get")) {
                        flags[0] = K_RW | K_ACCESS | K_UPDATE;
                        break;
                    }
                }
                return 1;
            }
            case FINDER_BITFIELD: {
                boolean readonly = true;
                for (int i = 2; i < argc; i++) {
                    int rem = argc - i - 1;
                    byte[] a = argv[i];
                    if (Bytes.equalsIgnoreCase(a, "get") && rem >= 2) {
                        i += 2;
                    } else if ((Bytes.equalsIgnoreCase(a, "set") || Bytes.equalsIgnoreCase(a, "incrby")) && rem >= 3) {
                        readonly = false;
                        break;
                    } else if (Bytes.equalsIgnoreCase(a, "overflow") && rem >= 1) {
                        i += 1;
                    } else {
                        readonly = false;   // a syntax error: assume it writes
                        break;
                    }
                }
                pos[0] = 1;
                flags[0] = readonly ? K_RO | K_ACCESS : K_RW | K_ACCESS | K_UPDATE;
                return 1;
            }
            case FINDER_GEORADIUS: {
                int stored = -1;
                for (int i = 5; i < argc; i++) {
                    if ((Bytes.equalsIgnoreCase(argv[i], "store") || Bytes.equalsIgnoreCase(argv[i], "storedist"))
                        && i + 1 < argc) {
                        stored = ++i;
                    }
                }
                pos[0] = 1;
                flags[0] = 0;
                if (stored < 0) return 1;
                pos[1] = stored;
                flags[1] = 0;
                return 2;
            }
            case FINDER_XREAD: {
                int streams = -1;
                for (int i = 1; i < argc; i++) {
                    byte[] a = argv[i];
                    if (Bytes.equalsIgnoreCase(a, "block") || Bytes.equalsIgnoreCase(a, "count")) i++;
                    else if (Bytes.equalsIgnoreCase(a, "group")) i += 2;
                    else if (Bytes.equalsIgnoreCase(a, "noack")) continue;
                    else if (Bytes.equalsIgnoreCase(a, "streams")) { streams = i; break; }
                    else break;
                }
                int num = streams < 0 ? 0 : argc - streams - 1;
                if (streams < 0 || num == 0 || num % 2 != 0) return 0;
                num /= 2;
                for (int i = 0; i < num; i++) {
                    pos[i] = streams + 1 + i;
                    flags[i] = 0;
                }
                return num;
            }
            case FINDER_NUMKEYS_AT1: return numKeys(0, 1, 2, argv, argc, pos, flags);
            case FINDER_NUMKEYS_AT2: return numKeys(0, 2, 3, argv, argc, pos, flags);
            case FINDER_STORE_NUMKEYS_AT2: return numKeys(1, 2, 3, argv, argc, pos, flags);
            default: return 0;
        }
    }

    /** Keys counted by a numkeys argument, then an optional destination key (genericGetKeys). */
    private static int numKeys(int storeAt, int countAt, int firstAt, byte[][] argv, int argc, int[] pos, int[] flags) {
        if (countAt >= argc) return 0;
        long num = atoi(argv[countAt]);
        if (num < 1 || num > argc - firstAt) return 0;
        int n = 0;
        for (int i = 0; i < num; i++) {
            pos[n] = firstAt + i;
            flags[n++] = 0;
        }
        if (storeAt > 0) {
            pos[n] = storeAt;
            flags[n++] = 0;
        }
        return n;
    }

    /** C's atoi: optional sign and leading digits; anything else stops the number (0 if none). */
    private static long atoi(byte[] b) {
        int i = 0;
        while (i < b.length && (b[i] == ' ' || (b[i] >= '\t' && b[i] <= '\r'))) i++;
        boolean neg = false;
        if (i < b.length && (b[i] == '-' || b[i] == '+')) neg = b[i++] == '-';
        long v = 0;
        while (i < b.length && b[i] >= '0' && b[i] <= '9' && v < Integer.MAX_VALUE) v = v * 10 + (b[i++] - '0');
        return neg ? -v : v;
    }

    /** Redis's stringmatchlen glob (*, ?, [a-z], [^...], backslash escapes), without recursion limits. */
    static final class Glob {
        private Glob() {}

        static boolean match(byte[] p, byte[] s, boolean nocase) {
            return match(p, 0, s, 0, nocase);
        }

        private static int fold(int ch, boolean nocase) {
            return nocase && ch >= 'A' && ch <= 'Z' ? ch + 32 : ch;
        }

        private static boolean match(byte[] p, int pi, byte[] s, int si, boolean nocase) {
            while (pi < p.length && si < s.length) {
                int pc = p[pi] & 0xff;
                switch (pc) {
                    case '*': {
                        while (pi + 1 < p.length && p[pi + 1] == '*') pi++;
                        if (pi + 1 == p.length) return true;
                        for (int k = si; k < s.length; k++) {
                            if (match(p, pi + 1, s, k, nocase)) return true;
                        }
                        return false;
                    }
                    case '?':
                        si++;
                        pi++;
                        continue;
                    case '[': {
                        pi++;
                        boolean not = pi < p.length && p[pi] == '^';
                        if (not) pi++;
                        boolean hit = false;
                        int sc = fold(s[si] & 0xff, nocase);
                        while (pi < p.length) {
                            int c = p[pi] & 0xff;
                            if (c == '\\' && pi + 1 < p.length) {
                                pi++;
                                if (fold(p[pi] & 0xff, nocase) == sc) hit = true;
                            } else if (c == ']') {
                                break;
                            } else if (pi + 2 < p.length && p[pi + 1] == '-') {
                                int lo = fold(c, nocase), hi = fold(p[pi + 2] & 0xff, nocase);
                                if (lo > hi) { int t = lo; lo = hi; hi = t; }
                                pi += 2;
                                if (sc >= lo && sc <= hi) hit = true;
                            } else if (fold(c, nocase) == sc) {
                                hit = true;
                            }
                            pi++;
                        }
                        if (pi >= p.length) pi = p.length - 1;   // unterminated class: ']' implied
                        if (not) hit = !hit;
                        if (!hit) return false;
                        si++;
                        pi++;
                        continue;
                    }
                    case '\\':
                        if (pi + 1 < p.length) pi++;
                        // fall through: match the escaped character literally
                    default:
                        if (fold(p[pi] & 0xff, nocase) != fold(s[si] & 0xff, nocase)) return false;
                        si++;
                        pi++;
                }
            }
            while (pi < p.length && p[pi] == '*') pi++;
            return pi == p.length && si == s.length;
        }
    }
}
