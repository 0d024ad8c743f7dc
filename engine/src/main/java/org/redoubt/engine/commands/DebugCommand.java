package org.redoubt.engine.commands;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.locks.LockSupport;
import org.redoubt.engine.Client;
import org.redoubt.engine.CommandFamily;
import org.redoubt.engine.Engine;
import org.redoubt.engine.Errors;
import org.redoubt.engine.command.CommandTable;
import org.redoubt.engine.command.Handler;
import org.redoubt.engine.db.Db;
import org.redoubt.engine.info.Digest;
import org.redoubt.engine.info.MemoryEstimator;
import org.redoubt.engine.info.ServerInfo;
import org.redoubt.engine.type.Sds;
import org.redoubt.engine.type.Types;
import org.redoubt.engine.util.Bytes;
import org.redoubt.protocol.Numbers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * DEBUG (Redis's debug.c): the subcommands Redis's own test suite and tools rely on. The
 * dispatcher has already enforced enable-debug-command.
 *
 * <p>Modules extend DEBUG with {@link #extend} (persistence: RELOAD, LOADAOF; lists: their
 * encoding dumps); an extension is consulted before the built-in subcommands, so it may also
 * replace one. Value types take part in DIGEST/DIGEST-VALUE by implementing
 * {@link org.redoubt.engine.info.Digestible}.
 */
public final class DebugCommand implements CommandFamily {
    private static final Logger log = LoggerFactory.getLogger(DebugCommand.class);

    static final String NO_SUCH_KEY = Errors.NO_SUCH_KEY;
    static final String PROTOCOL_TYPES = "ERR Wrong protocol type name. Please use one of the following: "
        + "string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false";
    /** Integers Redis keeps as shared objects (OBJ_SHARED_INTEGERS). */
    static final long SHARED_INTEGERS = 10000;
    /** The refcount Redis reports for shared objects (OBJ_SHARED_REFCOUNT). */
    static final long SHARED_REFCOUNT = Integer.MAX_VALUE;

    @Override
    public void register(CommandTable t, Engine e) {
        t.bind("debug", this::debug);
    }

    /** Adds or replaces DEBUG &lt;sub&gt; (case-insensitive) for this engine. */
    public static void extend(Engine e, String sub, Handler h) {
        ServerInfo.of(e).debugExtensions.put(sub.toLowerCase(Locale.ROOT), h);
    }

    void debug(Client c) {
        String sub = Bytes.lower(c.argv[1]);
        Handler ext = ServerInfo.of(c.engine).debugExtensions.get(sub);
        if (ext != null) {
            ext.execute(c);
            return;
        }
        int argc = c.argc;
        switch (sub) {
            case "help" -> { if (argc == 2) help(c); else subcommandSyntaxError(c); }
            case "sleep" -> { if (argc == 3) sleep(c); else subcommandSyntaxError(c); }
            case "set-active-expire" -> {
                if (argc != 3) { subcommandSyntaxError(c); return; }
                c.engine.config.activeExpireEnabled = atoi(c.argv[2]) != 0;
                c.addOk();
            }
            case "object" -> { if (argc == 3) object(c); else subcommandSyntaxError(c); }
            case "sdslen" -> { if (argc == 3) sdslen(c); else subcommandSyntaxError(c); }
            case "change-repl-id" -> {
                if (argc != 2) { subcommandSyntaxError(c); return; }
                log.warn("Changing replication IDs after receiving DEBUG change-repl-id");
                ServerInfo.of(c.engine).changeReplicationId();
                c.addOk();
            }
            case "quicklist-packed-threshold" -> { if (argc == 3) packedThreshold(c); else subcommandSyntaxError(c); }
            case "stringmatch-test", "stringmatch-len" -> {
                if (argc != 2) { subcommandSyntaxError(c); return; }
                c.addSimple("Apparently Redis did not crash: test passed");
            }
            case "jmap", "leak" -> c.addOk();
            case "log" -> {
                if (argc != 3) { subcommandSyntaxError(c); return; }
                log.warn("DEBUG LOG: {}", new String(c.argv[2], StandardCharsets.UTF_8));
                c.addOk();
            }
            case "set-disable-deny-scripts" -> {
                if (argc != 3) { subcommandSyntaxError(c); return; }
                ServerInfo.of(c.engine).scriptDisableDenyScript = atoi(c.argv[2]) != 0;
                c.addOk();
            }
            case "pause-cron" -> {
                if (argc != 3) { subcommandSyntaxError(c); return; }
                ServerInfo.of(c.engine).cronPaused = atoi(c.argv[2]) != 0;
                c.addOk();
            }
            case "set-skip-checksum-validation" -> {
                if (argc != 3) { subcommandSyntaxError(c); return; }
                ServerInfo.of(c.engine).skipChecksumValidation = atoi(c.argv[2]) != 0;
                c.addOk();
            }
            case "aof-flush-sleep" -> {
                if (argc != 3) { subcommandSyntaxError(c); return; }
                ServerInfo.of(c.engine).aofFlushSleepMicros = atoi(c.argv[2]);
                c.addOk();
            }
            case "replybuffer" -> { if (argc == 4) replyBuffer(c); else subcommandSyntaxError(c); }
            case "digest" -> { if (argc == 2) digest(c); else subcommandSyntaxError(c); }
            case "digest-value" -> digestValue(c);
            case "protocol" -> { if (argc == 3) protocol(c); else subcommandSyntaxError(c); }
            case "error" -> {
                if (argc != 3) { subcommandSyntaxError(c); return; }
                String msg = new String(c.argv[2], StandardCharsets.UTF_8).replace('\n', ' ').replace('\r', ' ');
                c.addErrorUncounted(msg);
            }
            case "structsize" -> {
                if (argc != 2) { subcommandSyntaxError(c); return; }
                c.addBulk("bits:64 robj:16 dictentry:24 sdshdr5:1 sdshdr8:3 sdshdr16:5 sdshdr32:9 sdshdr64:17 ");
            }
            case "htstats" -> { if (argc == 3) htstats(c); else subcommandSyntaxError(c); }
            case "htstats-key" -> { if (argc == 3) htstatsKey(c); else subcommandSyntaxError(c); }
            case "populate" -> { if (argc >= 3 && argc <= 5) populate(c); else subcommandSyntaxError(c); }
            case "listpack", "quicklist" -> {
                if (argc != 3 && !(sub.equals("quicklist") && argc == 4)) { subcommandSyntaxError(c); return; }
                encodingDump(c, sub);
            }
            case "drop-cluster-packet-filter" -> {
                if (argc != 3) { subcommandSyntaxError(c); return; }
                if (!Numbers.isLong(c.argv[2], 0, c.argv[2].length)) { c.addError(Errors.NOT_INTEGER); return; }
                c.addOk();
            }
            case "replicate" -> { if (argc >= 3) c.addOk(); else subcommandSyntaxError(c); }
            case "client-eviction" -> {
                if (argc != 2) { subcommandSyntaxError(c); return; }
                c.addError("ERR maxmemory-clients is disabled.");
            }
            case "clusterlink" -> {
                if (argc == 5 && Bytes.equalsIgnoreCase(c.argv[2], "kill")) {
                    c.addError("ERR Debug option only available for cluster mode enabled setup!");
                } else {
                    subcommandSyntaxError(c);
                }
            }
            case "reload", "loadaof", "config-rewrite-force-all" ->
                c.addError("ERR DEBUG " + sub.toUpperCase(Locale.ROOT) + " is not supported by this server yet");
            case "restart", "crash-and-recover" -> {
                if (argc >= 3 && !Numbers.isLong(c.argv[2], 0, c.argv[2].length)) {
                    c.addError(Errors.NOT_INTEGER);
                    return;
                }
                c.addError("ERR failed to restart the server. Check server logs.");
            }
            case "segfault" -> crash(c, "crashed by signal: 11, si_code: 0");
            case "panic" -> crash(c, "DEBUG PANIC called at Unix time " + System.currentTimeMillis() / 1000);
            case "assert" -> crash(c, "=== ASSERTION FAILED === ==> debug: '1 == 2' is not true");
            case "oom" -> crash(c, "Out Of Memory allocating 9223372036854775807 bytes!");
            default -> subcommandSyntaxError(c);
        }
    }

    /**
     * Redis's addReplySubcommandSyntaxError: a known container given a subcommand it does not
     * have, or the wrong number of arguments for it (named after argv[0] and argv[1]).
     */
    static void subcommandSyntaxError(Client c) {
        String sub = new String(c.argv[1], StandardCharsets.UTF_8);
        if (sub.length() > 128) sub = sub.substring(0, 128);
        c.addError("ERR unknown subcommand or wrong number of arguments for '" + sub + "'. Try "
            + new String(c.argv[0], StandardCharsets.UTF_8).toUpperCase(Locale.ROOT) + " HELP.");
    }

    private static void help(Client c) {
        c.addHelp("DEBUG",
            "AOF-FLUSH-SLEEP <microsec>",
            "    Server will sleep before flushing the AOF, this is used for testing.",
            "ASSERT",
            "    Crash by assertion failed.",
            "CHANGE-REPL-ID",
            "    Change the replication IDs of the instance.",
            "    Dangerous: should be used only for testing the replication subsystem.",
            "CONFIG-REWRITE-FORCE-ALL",
            "    Like CONFIG REWRITE but writes all configuration options, including",
            "    keywords not listed in original configuration file or default values.",
            "CRASH-AND-RECOVER [<milliseconds>]",
            "    Hard crash and restart after a <milliseconds> delay (default 0).",
            "DIGEST",
            "    Output a hex signature representing the current DB content.",
            "DIGEST-VALUE <key> [<key> ...]",
            "    Output a hex signature of the values of all the specified keys.",
            "ERROR <string>",
            "    Return a Redis protocol error with <string> as message. Useful for clients",
            "    unit tests to simulate Redis errors.",
            "LEAK <string>",
            "    Create a memory leak of the input string.",
            "LOG <message>",
            "    Write <message> to the server log.",
            "HTSTATS <dbid>",
            "    Return hash table statistics of the specified Redis database.",
            "HTSTATS-KEY <key>",
            "    Like HTSTATS but for the hash table stored at <key>'s value.",
            "LOADAOF",
            "    Flush the AOF buffers on disk and reload the AOF in memory.",
            "REPLICATE <string>",
            "    Replicates the provided string to replicas, allowing data divergence.",
            "OBJECT <key>",
            "    Show low level info about `key` and associated value.",
            "DROP-CLUSTER-PACKET-FILTER <packet-type>",
            "    Drop all packets that match the filtered type. Set to -1 allow all packets.",
            "OOM",
            "    Crash the server simulating an out-of-memory error.",
            "PANIC",
            "    Crash the server simulating a panic.",
            "POPULATE <count> [<prefix>] [<size>]",
            "    Create <count> string keys named key:<num>. If <prefix> is specified then",
            "    it is used instead of the 'key' prefix. These are not propagated to",
            "    replicas. Cluster slots are not respected so keys not belonging to the",
            "    current node can be created in cluster mode.",
            "PROTOCOL <type>",
            "    Reply with a test value of the specified type. <type> can be: string,",
            "    integer, double, bignum, null, array, set, map, attrib, push, verbatim,",
            "    true, false.",
            "RELOAD [option ...]",
            "    Save the RDB on disk and reload it back to memory. Valid <option> values:",
            "    * MERGE: conflicting keys will be loaded from RDB.",
            "    * NOFLUSH: the existing database will not be removed before load, but",
            "      conflicting keys will generate an exception and kill the server.",
            "    * NOSAVE: the database will be loaded from an existing RDB file.",
            "    Examples:",
            "    * DEBUG RELOAD: verify that the server is able to persist, flush and reload",
            "      the database.",
            "    * DEBUG RELOAD NOSAVE: replace the current database with the contents of an",
            "      existing RDB file.",
            "    * DEBUG RELOAD NOSAVE NOFLUSH MERGE: add the contents of an existing RDB",
            "      file to the database.",
            "RESTART [<milliseconds>]",
            "    Graceful restart: save config, db, restart after a <milliseconds> delay (default 0).",
            "SDSLEN <key>",
            "    Show low level SDS string info representing `key` and value.",
            "SEGFAULT",
            "    Crash the server with sigsegv.",
            "SET-ACTIVE-EXPIRE <0|1>",
            "    Setting it to 0 disables expiring keys in background when they are not",
            "    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the",
            "    default.",
            "QUICKLIST-PACKED-THRESHOLD <size>",
            "    Sets the threshold for elements to be inserted as plain vs packed nodes",
            "    Default value is 1GB, allows values up to 4GB. Setting to 0 restores to default.",
            "SET-SKIP-CHECKSUM-VALIDATION <0|1>",
            "    Enables or disables checksum checks for RDB files and RESTORE's payload.",
            "SLEEP <seconds>",
            "    Stop the server for <seconds>. Decimals allowed.",
            "STRINGMATCH-TEST",
            "    Run a fuzz tester against the stringmatchlen() function.",
            "STRUCTSIZE",
            "    Return the size of different Redis core C structures.",
            "LISTPACK <key>",
            "    Show low level info about the listpack encoding of <key>.",
            "QUICKLIST <key> [<0|1>]",
            "    Show low level info about the quicklist encoding of <key>.",
            "    The optional argument (0 by default) sets the level of detail",
            "CLIENT-EVICTION",
            "    Show low level client eviction pools info (maxmemory-clients).",
            "PAUSE-CRON <0|1>",
            "    Stop periodic cron job processing.",
            "REPLYBUFFER PEAK-RESET-TIME <NEVER||RESET|time>",
            "    Sets the time (in milliseconds) to wait between client reply buffer peak resets.",
            "    In case NEVER is provided the last observed peak will never be reset",
            "    In case RESET is provided the peak reset time will be restored to the default value",
            "REPLYBUFFER RESIZING <0|1>",
            "    Enable or disable the reply buffer resize cron job",
            "CLUSTERLINK KILL <to|from|all> <node-id>",
            "    Kills the link based on the direction to/from (both) with the provided node.");
    }

    // ---------------------------------------------------------------- SLEEP

    /** Blocks the engine thread, exactly like Redis: nothing else runs meanwhile. */
    private static void sleep(Client c) {
        double seconds = strtod(c.argv[2]);
        long micros = (long) (seconds * 1_000_000);
        if (micros > 0) {
            long deadline = System.nanoTime() + micros * 1000;
            for (long left; (left = deadline - System.nanoTime()) > 0; ) LockSupport.parkNanos(left);
        }
        c.addOk();
    }

    /** C's strtod over the longest numeric prefix; 0 when there is none. */
    static double strtod(byte[] b) {
        int i = 0, n = b.length;
        while (i < n && (b[i] == ' ' || (b[i] >= '\t' && b[i] <= '\r'))) i++;
        int start = i;
        if (i < n && (b[i] == '+' || b[i] == '-')) i++;
        int digits = 0;
        while (i < n && b[i] >= '0' && b[i] <= '9') { i++; digits++; }
        if (i < n && b[i] == '.') {
            i++;
            while (i < n && b[i] >= '0' && b[i] <= '9') { i++; digits++; }
        }
        if (digits == 0) return 0;
        int mantissaEnd = i;
        if (i < n && (b[i] == 'e' || b[i] == 'E')) {
            int j = i + 1;
            if (j < n && (b[j] == '+' || b[j] == '-')) j++;
            int expDigits = 0;
            while (j < n && b[j] >= '0' && b[j] <= '9') { j++; expDigits++; }
            if (expDigits > 0) mantissaEnd = j;
        }
        try {
            return Double.parseDouble(new String(b, start, mantissaEnd - start, StandardCharsets.US_ASCII));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** C's atoi: leading integer, 0 when there is none (Redis uses it for DEBUG's 0|1 flags). */
    static long atoi(byte[] b) {
        int i = 0, n = b.length;
        while (i < n && (b[i] == ' ' || (b[i] >= '\t' && b[i] <= '\r'))) i++;
        boolean neg = false;
        if (i < n && (b[i] == '+' || b[i] == '-')) neg = b[i++] == '-';
        long v = 0;
        while (i < n && b[i] >= '0' && b[i] <= '9' && v < Integer.MAX_VALUE) v = v * 10 + (b[i++] - '0');
        return neg ? -v : v;
    }

    // ---------------------------------------------------------------- OBJECT / SDSLEN

    /** Whether a value is one of Redis's shared integer objects (what OBJECT REFCOUNT shows). */
    static boolean isSharedInteger(Engine e, Object v) {
        if (!(v instanceof byte[] b) || b.length > 5 || !Numbers.isLong(b, 0, b.length)) return false;
        long n = Numbers.parseLong(b, 0, b.length);
        if (n < 0 || n >= SHARED_INTEGERS) return false;
        // Redis stops sharing integers when maxmemory evicts by LRU/LFU (each key needs its own clock).
        String policy = e.config.maxmemoryPolicy;
        return e.config.maxmemory == 0 || !(policy.contains("lru") || policy.contains("lfu"));
    }

    private static void object(Client c) {
        Db db = c.db;
        byte[] key = c.argv[2];
        Object v = db.mainMap().get(key);
        if (v == null) {
            c.addError(NO_SUCH_KEY);
            return;
        }
        int lru = db.mainMap().getMeta(key);
        boolean shared = isSharedInteger(c.engine, v);
        long address = shared
            ? 0x7f0000100000L + Numbers.parseLong((byte[]) v, 0, ((byte[]) v).length) * 16
            : 0x7f0001000000L + ((long) (java.util.Arrays.hashCode(key) * 31 + db.id) & 0xFFFFFFFL) * 16;
        long serialized = Types.isString(v) ? MemoryEstimator.rdbStringLength(v) : MemoryEstimator.valueUsage(v, 5);
        int clock = c.engine.lruClock();
        long idle = clock >= lru ? clock - lru : clock + (0xFFFFFF - lru);
        c.addSimple("Value at:0x" + Long.toHexString(address) + " refcount:" + (shared ? SHARED_REFCOUNT : 1)
            + " encoding:" + Types.encoding(v) + " serializedlength:" + serialized
            + " lru:" + lru + " lru_seconds_idle:" + idle);
    }

    private static void sdslen(Client c) {
        byte[] key = c.argv[2];
        Object v = c.db.mainMap().get(key);
        if (v == null) {
            c.addError(NO_SUCH_KEY);
            return;
        }
        if (!Types.isString(v) || Types.encoding(v).equals("int")) {
            c.addError("ERR Not an sds encoded string.");
            return;
        }
        int len = Types.strlen(v);
        long avail = v instanceof Sds s ? s.buf.length - s.len : 0;
        long keyAlloc = MemoryEstimator.sdsAlloc(key.length, key.length, true);
        long valAlloc = MemoryEstimator.valueUsage(v, 1) - (len <= MemoryEstimator.EMBSTR_LIMIT ? 0 : MemoryEstimator.ROBJ);
        c.addSimple("key_sds_len:" + key.length + ", key_sds_avail:0, key_zmalloc: " + keyAlloc
            + ", val_sds_len:" + len + ", val_sds_avail:" + avail + ", val_zmalloc: " + valAlloc);
    }

    // ---------------------------------------------------------------- knobs

    private static void packedThreshold(Client c) {
        long sz = memToBytes(c.argv[2]);
        if (sz < 0 || sz > (1L << 32) - (1 << 20)) {
            c.addError("ERR argument must be a memory value bigger than 1 and smaller than 4gb");
            return;
        }
        ServerInfo.of(c.engine).quicklistPackedThreshold = sz == 0 ? 1L << 30 : sz;
        c.addOk();
    }

    /** Redis's memtoull: "123", "1k", "2mb", "1gb" (case-insensitive); -1 when invalid. */
    static long memToBytes(byte[] b) {
        String s = Bytes.lower(b);
        long mul = 1;
        String[][] units = {{"kb", "1024"}, {"mb", "1048576"}, {"gb", "1073741824"}, {"k", "1000"},
            {"m", "1000000"}, {"g", "1000000000"}, {"b", "1"}};
        for (String[] u : units) {
            if (s.endsWith(u[0])) {
                mul = Long.parseLong(u[1]);
                s = s.substring(0, s.length() - u[0].length());
                break;
            }
        }
        if (s.isEmpty()) return -1;
        for (int i = 0; i < s.length(); i++) if (s.charAt(i) < '0' || s.charAt(i) > '9') return -1;
        try {
            return Math.multiplyExact(Long.parseLong(s), mul);
        } catch (ArithmeticException | NumberFormatException e) {
            return -1;
        }
    }

    private static void replyBuffer(Client c) {
        ServerInfo si = ServerInfo.of(c.engine);
        byte[] what = c.argv[2], val = c.argv[3];
        if (Bytes.equalsIgnoreCase(what, "peak-reset-time")) {
            if (Bytes.equalsIgnoreCase(val, "never")) si.replyBufferPeakResetTimeMs = -1;
            else if (Bytes.equalsIgnoreCase(val, "reset")) si.replyBufferPeakResetTimeMs = 5000;
            else if (Numbers.isLong(val, 0, val.length)) si.replyBufferPeakResetTimeMs = Numbers.parseLong(val, 0, val.length);
            else {
                c.addError(Errors.NOT_INTEGER);
                return;
            }
        } else if (Bytes.equalsIgnoreCase(what, "resizing")) {
            si.replyBufferResizing = atoi(val) != 0;
        } else {
            subcommandSyntaxError(c);
            return;
        }
        c.addOk();
    }

    // ---------------------------------------------------------------- DIGEST

    private static void digest(Client c) {
        byte[] d = new byte[20];
        String unsupported = Digest.dataset(c.engine, d);
        if (unsupported != null) {
            c.addError("ERR DEBUG DIGEST is not supported yet for values of type '" + unsupported + "'");
            return;
        }
        c.addSimple(Digest.hex(d));
    }

    private static void digestValue(Client c) {
        byte[][] digests = new byte[c.argc - 2][];
        for (int j = 2; j < c.argc; j++) {
            byte[] d = digests[j - 2] = new byte[20];
            String unsupported = Digest.keyValue(c.db, c.argv[j], d);
            if (unsupported != null) {
                c.addError("ERR DEBUG DIGEST-VALUE is not supported yet for values of type '" + unsupported + "'");
                return;
            }
        }
        c.addArrayLen(digests.length);
        for (byte[] d : digests) c.addSimple(Digest.hex(d));
    }

    // ---------------------------------------------------------------- PROTOCOL

    private static final byte[] ATTRIBUTE = Bytes.of("|1\r\n$14\r\nkey-popularity\r\n*2\r\n$7\r\nkey:123\r\n:90\r\n");
    private static final String BIGNUM = "1234567999999999999999999999999999999";

    private static void protocol(Client c) {
        byte[] t = c.argv[2];
        if (Bytes.equalsIgnoreCase(t, "string")) {
            c.addBulk("Hello World");
        } else if (Bytes.equalsIgnoreCase(t, "integer")) {
            c.addLong(12345);
        } else if (Bytes.equalsIgnoreCase(t, "double")) {
            c.addDouble(3.141);
        } else if (Bytes.equalsIgnoreCase(t, "bignum")) {
            if (c.resp >= 3) c.addRaw(Bytes.of("(" + BIGNUM + "\r\n"));
            else c.addBulk(BIGNUM);
        } else if (Bytes.equalsIgnoreCase(t, "null")) {
            c.addNull();
        } else if (Bytes.equalsIgnoreCase(t, "array")) {
            c.addArrayLen(3);
            for (int j = 0; j < 3; j++) c.addLong(j);
        } else if (Bytes.equalsIgnoreCase(t, "set")) {
            c.addSetLen(3);
            for (int j = 0; j < 3; j++) c.addLong(j);
        } else if (Bytes.equalsIgnoreCase(t, "map")) {
            c.addMapLen(3);
            for (int j = 0; j < 3; j++) {
                c.addLong(j);
                c.addBool(j == 1);
            }
        } else if (Bytes.equalsIgnoreCase(t, "attrib")) {
            // An attribute is not a reply of its own: a real reply always follows it.
            if (c.resp >= 3) c.addRaw(ATTRIBUTE);
            c.addBulk("Some real reply following the attribute");
        } else if (Bytes.equalsIgnoreCase(t, "push")) {
            if (c.resp < 3) {
                c.addError("ERR RESP2 is not supported by this command");
                return;
            }
            c.addPushLen(2);
            c.addBulk("server-cpu-usage");
            c.addLong(42);
            c.addBulk("Some real reply following the push reply");
        } else if (Bytes.equalsIgnoreCase(t, "true")) {
            c.addBool(true);
        } else if (Bytes.equalsIgnoreCase(t, "false")) {
            c.addBool(false);
        } else if (Bytes.equalsIgnoreCase(t, "verbatim")) {
            c.addVerbatim("This is a verbatim\nstring");
        } else {
            c.addError(PROTOCOL_TYPES);
        }
    }

    // ---------------------------------------------------------------- HTSTATS

    private static void htstats(Client c) {
        byte[] a = c.argv[2];
        if (!Numbers.isLong(a, 0, a.length)) {
            c.addError(Errors.NOT_INTEGER);
            return;
        }
        long id = Numbers.parseLong(a, 0, a.length);
        if (id < 0 || id >= c.engine.dbCount()) {
            c.addError("ERR Out of range database");
            return;
        }
        Db db = c.engine.db((int) id);
        StringBuilder sb = new StringBuilder();
        sb.append("[Dictionary HT]\n");
        tableStats(sb, db.size());
        sb.append("[Expires HT]\n");
        tableStats(sb, db.expiresSize());
        c.addVerbatim(sb.toString());
    }

    /** The keyspace is a hash trie, not a bucket table: report what applies of Redis's layout. */
    private static void tableStats(StringBuilder sb, long elements) {
        if (elements == 0) {
            sb.append("No stats available for empty dictionaries\n");
            return;
        }
        sb.append("Hash table 0 stats (main hash table):\n")
            .append(" table size: ").append(elements).append('\n')
            .append(" number of elements: ").append(elements).append('\n')
            .append(" structure: hash array mapped trie (32-way nodes, copy-on-write)\n");
    }

    private static void htstatsKey(Client c) {
        Object v = c.db.lookupNoTouch(c.argv[2]);
        if (v == null) {
            c.addError(NO_SUCH_KEY);
            return;
        }
        String enc = Types.encoding(v);
        if (!enc.equals("hashtable") && !enc.equals("skiplist")) {
            c.addError("ERR The value stored at the specified key is not represented using an hash table");
            return;
        }
        c.addVerbatim("Hash table 0 stats (main hash table):\n encoding: " + enc + "\n");
    }

    private static void encodingDump(Client c, String kind) {
        Object v = c.db.lookupNoTouch(c.argv[2]);
        if (v == null) {
            c.addError(NO_SUCH_KEY);
            return;
        }
        if (kind.equals("listpack")) {
            if (!Types.encoding(v).equals("listpack")) c.addError("ERR Not a listpack encoded object.");
            else c.addSimple("Listpack structure printed on stdout");
        } else {
            if (!Types.encoding(v).equals("quicklist")) c.addError("ERR Not a quicklist encoded object.");
            else c.addSimple("Quicklist structure printed on stdout");
        }
    }

    // ---------------------------------------------------------------- POPULATE

    private static void populate(Client c) {
        long keys = positive(c, c.argv[2]);
        if (keys < 0) return;
        long valsize = 0;
        if (c.argc == 5) {
            valsize = positive(c, c.argv[4]);
            if (valsize < 0) return;
        }
        String prefix = c.argc >= 4 ? new String(c.argv[3], StandardCharsets.ISO_8859_1) : "key";
        Db db = c.db;
        for (long j = 0; j < keys; j++) {
            byte[] key = (prefix + ":" + j).getBytes(StandardCharsets.ISO_8859_1);
            if (db.lookupWrite(key) != null) continue;
            byte[] text = ("value:" + j).getBytes(StandardCharsets.US_ASCII);
            byte[] val;
            if (valsize == 0) {
                val = text;
            } else {
                val = new byte[(int) Math.min(valsize, Integer.MAX_VALUE - 16)];
                System.arraycopy(text, 0, val, 0, Math.min(text.length, val.length));
            }
            // Not propagated and not counted as a change, as in Redis (no dirty++).
            db.add(key, val);
        }
        c.addOk();
    }

    /** getPositiveLongFromObjectOrReply: the value, or -1 after replying the error. */
    private static long positive(Client c, byte[] a) {
        long v = Numbers.isLong(a, 0, a.length) ? Numbers.parseLong(a, 0, a.length) : -1;
        if (v < 0) {
            c.addError("ERR value is out of range, must be positive");
            return -1;
        }
        return v;
    }

    // ---------------------------------------------------------------- crashes

    /**
     * SEGFAULT, PANIC, ASSERT, OOM: a crash report in the log (with the engine thread's stack, as
     * Redis's bug report has), then the process dies without running shutdown hooks.
     */
    private static void crash(Client c, String reason) {
        StringBuilder sb = new StringBuilder();
        sb.append("\n\n=== REDOUBT BUG REPORT START: Cut & paste starting from here ===\n");
        sb.append("Redoubt ").append(ServerInfo.REDOUBT_VERSION).append(" (redis ").append(ServerInfo.REDIS_VERSION)
            .append(") ").append(reason).append('\n');
        sb.append("Crashed running the instruction DEBUG ").append(Bytes.lower(c.argv[1]).toUpperCase(Locale.ROOT)).append('\n');
        sb.append("\n------ STACK TRACE ------\n");
        for (StackTraceElement el : Thread.currentThread().getStackTrace()) sb.append("    ").append(el).append('\n');
        sb.append("\n=== REDOUBT BUG REPORT END. Make sure to include from START to END. ===\n");
        log.error("{}", sb);
        System.out.flush();
        System.err.flush();
        Runtime.getRuntime().halt(134);
    }
}
