package org.redoubt.engine.config;

import static org.redoubt.engine.config.ConfigEntry.DEBUG;
import static org.redoubt.engine.config.ConfigEntry.DENY_LOADING;
import static org.redoubt.engine.config.ConfigEntry.HIDDEN;
import static org.redoubt.engine.config.ConfigEntry.IMMUTABLE;
import static org.redoubt.engine.config.ConfigEntry.INTEGER;
import static org.redoubt.engine.config.ConfigEntry.MEMORY;
import static org.redoubt.engine.config.ConfigEntry.MULTI_ARG;
import static org.redoubt.engine.config.ConfigEntry.OCTAL;
import static org.redoubt.engine.config.ConfigEntry.PERCENT;
import static org.redoubt.engine.config.ConfigEntry.PROTECTED;
import static org.redoubt.engine.config.ConfigEntry.SENSITIVE;
import static org.redoubt.engine.config.ConfigEntry.VOLATILE;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.redoubt.engine.config.ConfigEntry.Bool;
import org.redoubt.engine.config.ConfigEntry.Choice;
import org.redoubt.engine.config.ConfigEntry.Kind;
import org.redoubt.engine.config.ConfigEntry.Num;
import org.redoubt.engine.config.ConfigEntry.Special;
import org.redoubt.engine.config.ConfigEntry.Str;
import org.redoubt.engine.config.ConfigEntry.Values;

/**
 * The one declarative table of every directive Redis 7.0.15 knows, with Redis's parsing of
 * redis.conf, CONFIG GET/SET/REWRITE semantics and error texts.
 *
 * <p>Each directive has a type (bool, number with bounds and memory/percent/octal notation,
 * enum, string, or a special parser), a default, flags (immutable, protected, sensitive,
 * hidden, deny-loading, multi-argument) and optionally a binding to a {@link Config} field.
 * Directives without a binding are accepted "with no effect yet": they validate, store and show
 * their value like Redis, and {@link #load} warns when a file gives them a non-default value.
 *
 * <p>Besides the table, a config file may hold include, rename-command, user, loadmodule,
 * sentinel and module ("name.option") lines, handled as Redis does outside the table:
 * include reads another file (globs allowed; a relative path is relative to the working
 * directory, which is the process directory unless a "dir" line came before, as in Redis);
 * rename-command is checked and recorded in {@link #renamedCommands} for the engine to apply;
 * user and loadmodule lines are recorded; sentinel lines are ignored outside sentinel mode.
 *
 * <p>Not thread-safe: used at start-up, then on the engine thread only.
 */
public final class ConfigTable {
    static final long INT_MAX = Integer.MAX_VALUE, INT_MIN = Integer.MIN_VALUE, LONG_MAX = Long.MAX_VALUE;
    static final long UINT_MAX = 0xffffffffL, ULLONG_MAX = -1L;
    static final int MIN_HZ = 1, MAX_HZ = 500;
    static final int BINDADDR_MAX = 16;
    static final String[] DEFAULT_BIND = {"*", "-::*"};
    static final String ACTIVE_DEFRAG_ERROR = "Active defragmentation cannot be enabled: it requires a Redis "
        + "server compiled with a modified Jemalloc like the one shipped by default with the Redis source distribution";
    /** Lines of these directives are read outside the table (Redis's loadServerConfigFromString). */
    static final List<String> FILE_ONLY = List.of("include", "rename-command", "user", "loadmodule", "sentinel");
    /** Old directives Redis still accepts in a file (with exactly one argument) and ignores. */
    static final List<String> DEPRECATED = List.of("list-max-ziplist-entries", "list-max-ziplist-value", "lua-replicate-commands");

    // ---- enums: names and Redis's values, in Redis's order
    static final Values MAXMEMORY_POLICY = Values.of("volatile-lru", 1, "volatile-lfu", 258, "volatile-random", 768,
        "volatile-ttl", 512, "allkeys-lru", 1029, "allkeys-lfu", 1286, "allkeys-random", 1540, "noeviction", 1792);
    static final Values SYSLOG_FACILITY = Values.of("user", 8, "local0", 128, "local1", 136, "local2", 144,
        "local3", 152, "local4", 160, "local5", 168, "local6", 176, "local7", 184);
    static final Values LOGLEVEL = Values.of("debug", 0, "verbose", 1, "notice", 2, "warning", 3);
    static final Values SUPERVISED_MODE = Values.of("upstart", 3, "systemd", 2, "auto", 1, "no", 0);
    static final Values AOF_FSYNC = Values.of("everysec", 2, "always", 1, "no", 0);
    static final Values SHUTDOWN_ON_SIG = Values.of("default", 0, "save", Config.SHUTDOWN_SAVE,
        "nosave", Config.SHUTDOWN_NOSAVE, "now", Config.SHUTDOWN_NOW, "force", Config.SHUTDOWN_FORCE);
    static final Values REPL_DISKLESS_LOAD = Values.of("disabled", 0, "on-empty-db", 1, "swapdb", 2);
    static final Values TLS_AUTH_CLIENTS = Values.of("no", 0, "yes", 1, "optional", 2);
    static final Values OOM_SCORE_ADJ = Values.of("no", 0, "yes", 1, "relative", 1, "absolute", 2);
    static final Values ACL_PUBSUB_DEFAULT = Values.of("allchannels", 8, "resetchannels", 0);
    static final Values SANITIZE_DUMP_PAYLOAD = Values.of("no", 0, "yes", 1, "clients", 2);
    static final Values PROTECTED_ACTION = Values.of("no", 0, "yes", 1, "local", 2);
    static final Values CLUSTER_PREFERRED_ENDPOINT_TYPE = Values.of("ip", 0, "hostname", 1, "unknown-endpoint", 2);
    static final Values PROPAGATION_ERROR_BEHAVIOR = Values.of("ignore", 0, "panic", 1, "panic-on-replicas", 2);

    private final Config c;
    /** Every directive in table order. */
    private final List<ConfigEntry> entries = new ArrayList<>();
    /** Lower-case name or alias -> directive, in table order (canonical name, then alias). */
    private final LinkedHashMap<String, ConfigEntry> byName = new LinkedHashMap<>();

    // ---- what the file-only directives recorded
    /** rename-command pairs [from, to] in file order; to "" removes the command. */
    public final List<String[]> renamedCommands = new ArrayList<>();
    /** "user ..." lines as written in the file, for the ACL module (and CONFIG REWRITE). */
    public final List<String> userLines = new ArrayList<>();
    /** "loadmodule ..." lines as written in the file (modules are not supported). */
    public final List<String> loadmoduleLines = new ArrayList<>();
    /** Answers whether Redis has a command of that (lower-case) name, for rename-command. */
    public Predicate<String> commandExists;
    private final Set<String> renamedAway = new HashSet<>(), renamedTo = new HashSet<>();
    /** The config file being loaded, shown by proc-title-template's {config-file}. */
    private String sourceName;
    /** Nested include depth, to stop include loops. */
    private int includeDepth;
    /** Whether a file's first "save" line already cleared the default save points. */
    private boolean saveLoadedFromFile;

    public ConfigTable(Config config) {
        this.c = config;
        // Redis 7.0.15's directives in its own order. A .bind(...) writes a Config field; an entry
        // without one is accepted and shown but has no effect yet.
        // ---- yes/no
        add(bool("rdbchecksum", null, IMMUTABLE, true).bind(() -> c.rdbchecksum, v -> c.rdbchecksum = v));
        add(bool("daemonize", null, IMMUTABLE, false).bind(() -> c.daemonize, v -> c.daemonize = v));
        add(bool("io-threads-do-reads", null, DEBUG | IMMUTABLE, false));
        add(bool("always-show-logo", null, IMMUTABLE, false));
        add(bool("protected-mode", null, 0, true).bind(() -> c.protectedMode, v -> c.protectedMode = v));
        add(bool("rdbcompression", null, 0, true).bind(() -> c.rdbcompression, v -> c.rdbcompression = v));
        add(bool("rdb-del-sync-files", null, 0, false));
        add(bool("activerehashing", null, 0, true));
        add(bool("stop-writes-on-bgsave-error", null, 0, true)
            .bind(() -> c.stopWritesOnBgsaveError, v -> c.stopWritesOnBgsaveError = v));
        add(bool("set-proc-title", null, IMMUTABLE, true));
        add(bool("dynamic-hz", null, 0, true).bind(() -> c.dynamicHz, v -> c.dynamicHz = v));
        add(bool("lazyfree-lazy-eviction", null, DEBUG, false)
            .bind(() -> c.lazyfreeLazyEviction, v -> c.lazyfreeLazyEviction = v));
        add(bool("lazyfree-lazy-expire", null, DEBUG, false)
            .bind(() -> c.lazyfreeLazyExpire, v -> c.lazyfreeLazyExpire = v));
        add(bool("lazyfree-lazy-server-del", null, DEBUG, false)
            .bind(() -> c.lazyfreeLazyServerDel, v -> c.lazyfreeLazyServerDel = v));
        add(bool("lazyfree-lazy-user-del", null, DEBUG, false)
            .bind(() -> c.lazyfreeLazyUserDel, v -> c.lazyfreeLazyUserDel = v));
        add(bool("lazyfree-lazy-user-flush", null, DEBUG, false)
            .bind(() -> c.lazyfreeLazyUserFlush, v -> c.lazyfreeLazyUserFlush = v));
        add(bool("repl-disable-tcp-nodelay", null, 0, false));
        add(bool("repl-diskless-sync", null, DEBUG, true));
        add(bool("aof-rewrite-incremental-fsync", null, 0, true));
        add(bool("no-appendfsync-on-rewrite", null, 0, false));
        add(bool("cluster-require-full-coverage", null, 0, true));
        add(bool("rdb-save-incremental-fsync", null, 0, true));
        add(bool("aof-load-truncated", null, 0, true));
        add(bool("aof-use-rdb-preamble", null, 0, true)
            .bind(() -> c.aofUseRdbPreamble, v -> c.aofUseRdbPreamble = v));
        add(bool("aof-timestamp-enabled", null, 0, false));
        add(bool("cluster-replica-no-failover", "cluster-slave-no-failover", 0, false));
        add(bool("replica-lazy-flush", "slave-lazy-flush", 0, false));
        add(bool("replica-serve-stale-data", "slave-serve-stale-data", 0, true)
            .bind(() -> c.replicaServeStaleData, v -> c.replicaServeStaleData = v));
        add(bool("replica-read-only", "slave-read-only", DEBUG, true)
            .bind(() -> c.replicaReadOnly, v -> c.replicaReadOnly = v));
        add(bool("replica-ignore-maxmemory", "slave-ignore-maxmemory", 0, true));
        add(bool("jemalloc-bg-thread", null, 0, true)
            .bind(() -> c.jemallocBgThread, v -> c.jemallocBgThread = v));
        add(bool("activedefrag", null, DEBUG, false).validate(v -> v ? ACTIVE_DEFRAG_ERROR : null));
        add(bool("syslog-enabled", null, IMMUTABLE, false));
        add(bool("cluster-enabled", null, IMMUTABLE, false));
        add(bool("appendonly", null, DENY_LOADING, false).bind(() -> c.appendonly, v -> c.appendonly = v));
        add(bool("cluster-allow-reads-when-down", null, 0, false));
        add(bool("cluster-allow-pubsubshard-when-down", null, 0, true));
        add(bool("crash-log-enabled", null, 0, true));
        add(bool("crash-memcheck-enabled", null, 0, true));
        add(bool("use-exit-on-panic", null, HIDDEN, false));
        add(bool("disable-thp", null, IMMUTABLE, true));
        add(bool("cluster-allow-replica-migration", null, 0, true));
        add(bool("replica-announced", null, 0, true));
        add(bool("latency-tracking", null, 0, true).bind(() -> c.latencyTracking, v -> c.latencyTracking = v));
        add(bool("aof-disable-auto-gc", null, 0, false));
        add(bool("replica-ignore-disk-write-errors", null, 0, false));
        // ---- strings (empty-is-null ones are "not set" when empty)
        add(str("aclfile", null, IMMUTABLE, false, "").bind(() -> c.aclfile, v -> c.aclfile = v));
        add(str("unixsocket", null, IMMUTABLE, true, null).bind(() -> c.unixsocket, v -> c.unixsocket = v));
        add(str("pidfile", null, IMMUTABLE, true, null).bind(() -> c.pidfile, v -> c.pidfile = v));
        add(str("replica-announce-ip", "slave-announce-ip", 0, true, null));
        add(str("masteruser", null, SENSITIVE, true, null).bind(() -> c.masteruser, v -> c.masteruser = v));
        add(str("cluster-announce-ip", null, 0, true, null));
        add(str("cluster-config-file", null, IMMUTABLE, false, "nodes.conf"));
        add(str("cluster-announce-hostname", null, 0, true, null).validate(ConfigTable::hostnameError));
        add(str("syslog-ident", null, IMMUTABLE, false, "redis"));
        add(str("dbfilename", null, PROTECTED, false, "dump.rdb")
            .validate(v -> isBaseName(v) ? null : "dbfilename can't be a path, just a filename")
            .bind(() -> c.dbfilename, v -> c.dbfilename = v));
        add(str("appendfilename", null, IMMUTABLE, false, "appendonly.aof")
            .validate(v -> v.isEmpty() ? "appendfilename can't be empty" : isBaseName(v) ? null : "appendfilename can't be a path, just a filename")
            .bind(() -> c.appendfilename, v -> c.appendfilename = v));
        add(str("appenddirname", null, IMMUTABLE, false, "appendonlydir")
            .validate(v -> v.isEmpty() ? "appenddirname can't be empty" : isBaseName(v) ? null : "appenddirname can't be a path, just a dirname")
            .bind(() -> c.appenddirname, v -> c.appenddirname = v));
        add(str("server_cpulist", null, IMMUTABLE, true, null));
        add(str("bio_cpulist", null, IMMUTABLE, true, null));
        add(str("aof_rewrite_cpulist", null, IMMUTABLE, true, null));
        add(str("bgsave_cpulist", null, IMMUTABLE, true, null));
        add(str("ignore-warnings", null, 0, false, ""));
        add(str("proc-title-template", null, 0, false, "{title} {listen-addr} {server-mode}")
            .validate(this::procTitleError));
        add(str("bind-source-addr", null, 0, true, null));
        add(str("logfile", null, IMMUTABLE, false, "").bind(() -> c.logfile, v -> c.logfile = v));
        add(str("masterauth", null, SENSITIVE, true, null).bind(() -> c.masterauth, v -> c.masterauth = v));
        add(str("requirepass", null, SENSITIVE, true, null).bind(() -> c.requirepass, v -> c.requirepass = v));
        // ---- enums
        add(choice("supervised", null, IMMUTABLE, SUPERVISED_MODE, "no"));
        add(choice("syslog-facility", null, IMMUTABLE, SYSLOG_FACILITY, "local0"));
        add(choice("repl-diskless-load", null, DEBUG | DENY_LOADING, REPL_DISKLESS_LOAD, "disabled"));
        add(choice("loglevel", null, 0, LOGLEVEL, "notice").bindName(() -> c.loglevel, v -> c.loglevel = v));
        add(choice("maxmemory-policy", null, 0, MAXMEMORY_POLICY, "noeviction")
            .bindName(() -> c.maxmemoryPolicy, v -> c.maxmemoryPolicy = v));
        add(choice("appendfsync", null, 0, AOF_FSYNC, "everysec")
            .bindName(() -> c.appendfsync, v -> c.appendfsync = v));
        add(choice("oom-score-adj", null, 0, OOM_SCORE_ADJ, "no"));
        add(choice("acl-pubsub-default", null, 0, ACL_PUBSUB_DEFAULT, "resetchannels"));
        add(choice("sanitize-dump-payload", null, DEBUG, SANITIZE_DUMP_PAYLOAD, "no"));
        add(choice("enable-protected-configs", null, IMMUTABLE, PROTECTED_ACTION, "no")
            .bind(() -> c.enableProtectedConfigs, v -> c.enableProtectedConfigs = v));
        add(choice("enable-debug-command", null, IMMUTABLE, PROTECTED_ACTION, "no")
            .bind(() -> c.enableDebugCommand, v -> c.enableDebugCommand = v));
        add(choice("enable-module-command", null, IMMUTABLE, PROTECTED_ACTION, "no")
            .bind(() -> c.enableModuleCommand, v -> c.enableModuleCommand = v));
        add(choice("cluster-preferred-endpoint-type", null, 0, CLUSTER_PREFERRED_ENDPOINT_TYPE, "ip"));
        add(choice("propagation-error-behavior", null, 0, PROPAGATION_ERROR_BEHAVIOR, "ignore"));
        add(choice("shutdown-on-sigint", null, MULTI_ARG, SHUTDOWN_ON_SIG, "default")
            .validate(ConfigTable::shutdownFlagsError)
            .bind(() -> c.shutdownOnSigint, v -> c.shutdownOnSigint = v));
        add(choice("shutdown-on-sigterm", null, MULTI_ARG, SHUTDOWN_ON_SIG, "default")
            .validate(ConfigTable::shutdownFlagsError)
            .bind(() -> c.shutdownOnSigterm, v -> c.shutdownOnSigterm = v));
        // ---- numbers: C type (signed or unsigned bounds), min, max, default, notation
        add(num("databases", null, IMMUTABLE, Kind.INT, 1, INT_MAX, 16, INTEGER)
            .bind(() -> c.databases, v -> c.databases = (int) v));
        add(num("port", null, 0, Kind.INT, 0, 65535, 6379, INTEGER).bind(() -> c.port, v -> c.port = (int) v));
        add(num("io-threads", null, DEBUG | IMMUTABLE, Kind.INT, 1, 128, 1, INTEGER)
            .bind(() -> c.ioThreads, v -> c.ioThreads = (int) v));
        add(num("auto-aof-rewrite-percentage", null, 0, Kind.INT, 0, INT_MAX, 100, INTEGER));
        add(num("cluster-replica-validity-factor", "cluster-slave-validity-factor", 0, Kind.INT, 0, INT_MAX, 10, INTEGER));
        add(num("list-max-listpack-size", "list-max-ziplist-size", 0, Kind.INT, INT_MIN, INT_MAX, -2, INTEGER)
            .bind(() -> c.listMaxListpackSize, v -> c.listMaxListpackSize = (int) v));
        add(num("tcp-keepalive", null, 0, Kind.INT, 0, INT_MAX, 300, INTEGER)
            .bind(() -> c.tcpKeepalive, v -> c.tcpKeepalive = (int) v));
        add(num("cluster-migration-barrier", null, 0, Kind.INT, 0, INT_MAX, 1, INTEGER));
        add(num("active-defrag-cycle-min", null, 0, Kind.INT, 1, 99, 1, INTEGER));
        add(num("active-defrag-cycle-max", null, 0, Kind.INT, 1, 99, 25, INTEGER));
        add(num("active-defrag-threshold-lower", null, 0, Kind.INT, 0, 1000, 10, INTEGER));
        add(num("active-defrag-threshold-upper", null, 0, Kind.INT, 0, 1000, 100, INTEGER));
        add(num("lfu-log-factor", null, 0, Kind.INT, 0, INT_MAX, 10, INTEGER)
            .bind(() -> c.lfuLogFactor, v -> c.lfuLogFactor = (int) v));
        add(num("lfu-decay-time", null, 0, Kind.INT, 0, INT_MAX, 1, INTEGER)
            .bind(() -> c.lfuDecayTime, v -> c.lfuDecayTime = (int) v));
        add(num("replica-priority", "slave-priority", 0, Kind.INT, 0, INT_MAX, 100, INTEGER)
            .bind(() -> c.replicaPriority, v -> c.replicaPriority = (int) v));
        add(num("repl-diskless-sync-delay", null, 0, Kind.INT, 0, INT_MAX, 5, INTEGER));
        add(num("maxmemory-samples", null, 0, Kind.INT, 1, INT_MAX, 5, INTEGER)
            .bind(() -> c.maxmemorySamples, v -> c.maxmemorySamples = (int) v));
        add(num("maxmemory-eviction-tenacity", null, 0, Kind.INT, 0, 100, 10, INTEGER));
        add(num("timeout", null, 0, Kind.INT, 0, INT_MAX, 0, INTEGER)
            .bind(() -> c.timeoutSeconds, v -> c.timeoutSeconds = (int) v));
        add(num("replica-announce-port", "slave-announce-port", 0, Kind.INT, 0, 65535, 0, INTEGER));
        add(num("tcp-backlog", null, IMMUTABLE, Kind.INT, 0, INT_MAX, 511, INTEGER)
            .bind(() -> c.tcpBacklog, v -> c.tcpBacklog = (int) v));
        add(num("cluster-port", null, IMMUTABLE, Kind.INT, 0, 65535, 0, INTEGER));
        add(num("cluster-announce-bus-port", null, 0, Kind.INT, 0, 65535, 0, INTEGER));
        add(num("cluster-announce-port", null, 0, Kind.INT, 0, 65535, 0, INTEGER));
        add(num("cluster-announce-tls-port", null, 0, Kind.INT, 0, 65535, 0, INTEGER));
        add(num("repl-timeout", null, 0, Kind.INT, 1, INT_MAX, 60, INTEGER));
        add(num("repl-ping-replica-period", "repl-ping-slave-period", 0, Kind.INT, 1, INT_MAX, 10, INTEGER));
        add(num("list-compress-depth", null, DEBUG, Kind.INT, 0, INT_MAX, 0, INTEGER)
            .bind(() -> c.listCompressDepth, v -> c.listCompressDepth = (int) v));
        add(num("rdb-key-save-delay", null, HIDDEN, Kind.INT, INT_MIN, INT_MAX, 0, INTEGER));
        add(num("key-load-delay", null, HIDDEN, Kind.INT, INT_MIN, INT_MAX, 0, INTEGER));
        add(num("active-expire-effort", null, 0, Kind.INT, 1, 10, 1, INTEGER)
            .bind(() -> c.activeExpireEffort, v -> c.activeExpireEffort = (int) v));
        add(num("hz", null, 0, Kind.INT, 0, INT_MAX, 10, INTEGER)
            .bind(() -> c.hz, v -> c.hz = (int) Math.max(MIN_HZ, Math.min(MAX_HZ, v))));
        add(num("min-replicas-to-write", "min-slaves-to-write", 0, Kind.INT, 0, INT_MAX, 0, INTEGER)
            .bind(() -> c.minReplicasToWrite, v -> c.minReplicasToWrite = (int) v));
        add(num("min-replicas-max-lag", "min-slaves-max-lag", 0, Kind.INT, 0, INT_MAX, 10, INTEGER)
            .bind(() -> c.minReplicasMaxLag, v -> c.minReplicasMaxLag = (int) v));
        add(num("watchdog-period", null, HIDDEN, Kind.INT, 0, INT_MAX, 0, INTEGER));
        add(num("shutdown-timeout", null, 0, Kind.INT, 0, INT_MAX, 10, INTEGER)
            .bind(() -> c.shutdownTimeout, v -> c.shutdownTimeout = (int) v));
        add(num("repl-diskless-sync-max-replicas", null, 0, Kind.INT, 0, INT_MAX, 0, INTEGER));
        add(num("maxclients", null, 0, Kind.UINT, 1, UINT_MAX, 10000, INTEGER)
            .bind(() -> c.maxclients, v -> c.maxclients = v));
        add(num("unixsocketperm", null, IMMUTABLE, Kind.UINT, 0, 0777, 0, OCTAL));
        add(num("socket-mark-id", null, IMMUTABLE, Kind.UINT, 0, UINT_MAX, 0, INTEGER));
        add(num("active-defrag-max-scan-fields", null, 0, Kind.ULONG, 1, LONG_MAX, 1000, INTEGER));
        add(num("slowlog-max-len", null, 0, Kind.ULONG, 0, LONG_MAX, 128, INTEGER)
            .bind(() -> c.slowlogMaxLen, v -> c.slowlogMaxLen = v));
        add(num("acllog-max-len", null, 0, Kind.ULONG, 0, LONG_MAX, 128, INTEGER)
            .bind(() -> c.acllogMaxLen, v -> c.acllogMaxLen = v));
        add(num("busy-reply-threshold", "lua-time-limit", 0, Kind.LONG_LONG, 0, LONG_MAX, 5000, INTEGER)
            .bind(() -> c.busyReplyThreshold, v -> c.busyReplyThreshold = v));
        add(num("cluster-node-timeout", null, 0, Kind.LONG_LONG, 0, LONG_MAX, 15000, INTEGER));
        add(num("slowlog-log-slower-than", null, 0, Kind.LONG_LONG, -1, LONG_MAX, 10000, INTEGER)
            .bind(() -> c.slowlogLogSlowerThan, v -> c.slowlogLogSlowerThan = v));
        add(num("latency-monitor-threshold", null, 0, Kind.LONG_LONG, 0, LONG_MAX, 0, INTEGER)
            .bind(() -> c.latencyMonitorThreshold, v -> c.latencyMonitorThreshold = v));
        add(num("proto-max-bulk-len", null, DEBUG, Kind.LONG_LONG, 1048576, LONG_MAX, 536870912, MEMORY)
            .bind(() -> c.protoMaxBulkLen, v -> c.protoMaxBulkLen = v));
        add(num("stream-node-max-entries", null, 0, Kind.LONG_LONG, 0, LONG_MAX, 100, INTEGER)
            .bind(() -> c.streamNodeMaxEntries, v -> c.streamNodeMaxEntries = v));
        add(num("repl-backlog-size", null, 0, Kind.LONG_LONG, 1, LONG_MAX, 1048576, MEMORY)
            .bind(() -> c.replBacklogSize, v -> c.replBacklogSize = v));
        add(num("maxmemory", null, 0, Kind.ULONG_LONG, 0, ULLONG_MAX, 0, MEMORY)
            .bind(() -> c.maxmemory, v -> c.maxmemory = v));
        add(num("cluster-link-sendbuf-limit", null, 0, Kind.ULONG_LONG, 0, ULLONG_MAX, 0, MEMORY));
        add(num("hash-max-listpack-entries", "hash-max-ziplist-entries", 0, Kind.SIZE_T, 0, LONG_MAX, 512, INTEGER)
            .bind(() -> c.hashMaxListpackEntries, v -> c.hashMaxListpackEntries = v));
        add(num("set-max-intset-entries", null, 0, Kind.SIZE_T, 0, LONG_MAX, 512, INTEGER)
            .bind(() -> c.setMaxIntsetEntries, v -> c.setMaxIntsetEntries = v));
        add(num("zset-max-listpack-entries", "zset-max-ziplist-entries", 0, Kind.SIZE_T, 0, LONG_MAX, 128, INTEGER)
            .bind(() -> c.zsetMaxListpackEntries, v -> c.zsetMaxListpackEntries = v));
        add(num("active-defrag-ignore-bytes", null, 0, Kind.SIZE_T, 1, LONG_MAX, 104857600, MEMORY));
        add(num("hash-max-listpack-value", "hash-max-ziplist-value", 0, Kind.SIZE_T, 0, LONG_MAX, 64, MEMORY)
            .bind(() -> c.hashMaxListpackValue, v -> c.hashMaxListpackValue = v));
        add(num("stream-node-max-bytes", null, 0, Kind.SIZE_T, 0, LONG_MAX, 4096, MEMORY)
            .bind(() -> c.streamNodeMaxBytes, v -> c.streamNodeMaxBytes = v));
        add(num("zset-max-listpack-value", "zset-max-ziplist-value", 0, Kind.SIZE_T, 0, LONG_MAX, 64, MEMORY)
            .bind(() -> c.zsetMaxListpackValue, v -> c.zsetMaxListpackValue = v));
        add(num("hll-sparse-max-bytes", null, 0, Kind.SIZE_T, 0, LONG_MAX, 3000, MEMORY)
            .bind(() -> c.hllSparseMaxBytes, v -> c.hllSparseMaxBytes = v));
        add(num("tracking-table-max-keys", null, 0, Kind.SIZE_T, 0, LONG_MAX, 1000000, INTEGER)
            .bind(() -> c.trackingTableMaxKeys, v -> c.trackingTableMaxKeys = v));
        add(num("client-query-buffer-limit", null, DEBUG, Kind.SIZE_T, 1048576, LONG_MAX, 1073741824, MEMORY)
            .bind(() -> c.clientQueryBufferLimit, v -> c.clientQueryBufferLimit = v));
        add(num("maxmemory-clients", null, 0, Kind.SSIZE_T, -100, LONG_MAX, 0, MEMORY | PERCENT)
            .bind(() -> c.maxmemoryClients, v -> c.maxmemoryClients = v));
        add(num("repl-backlog-ttl", null, 0, Kind.TIME_T, 0, LONG_MAX, 3600, INTEGER));
        add(num("auto-aof-rewrite-min-size", null, 0, Kind.OFF_T, 0, LONG_MAX, 67108864, MEMORY));
        add(num("loading-process-events-interval-bytes", null, HIDDEN, Kind.OFF_T, 1024, INT_MAX, 2097152, INTEGER));
        // ---- TLS (known to Redis builds with TLS; no TLS here yet)
        add(num("tls-port", null, 0, Kind.INT, 0, 65535, 0, INTEGER));
        add(num("tls-session-cache-size", null, 0, Kind.INT, 0, INT_MAX, 20480, INTEGER));
        add(num("tls-session-cache-timeout", null, 0, Kind.INT, 0, INT_MAX, 300, INTEGER));
        add(bool("tls-cluster", null, 0, false));
        add(bool("tls-replication", null, 0, false));
        add(choice("tls-auth-clients", null, 0, TLS_AUTH_CLIENTS, "yes"));
        add(bool("tls-prefer-server-ciphers", null, 0, false));
        add(bool("tls-session-caching", null, 0, true));
        add(str("tls-cert-file", null, VOLATILE, true, null));
        add(str("tls-key-file", null, VOLATILE, true, null));
        add(str("tls-key-file-pass", null, 0, true, null));
        add(str("tls-client-cert-file", null, VOLATILE, true, null));
        add(str("tls-client-key-file", null, VOLATILE, true, null));
        add(str("tls-client-key-file-pass", null, 0, true, null));
        add(str("tls-dh-params-file", null, VOLATILE, true, null));
        add(str("tls-ca-cert-file", null, VOLATILE, true, null));
        add(str("tls-ca-cert-dir", null, VOLATILE, true, null));
        add(str("tls-protocols", null, 0, true, null));
        add(str("tls-ciphers", null, 0, true, null));
        add(str("tls-ciphersuites", null, 0, true, null));
        // ---- directives with their own parser: dir, save, client-output-buffer-limit, ...
        addSpecials();
    }

    // =====================================================================================
    // Table construction
    // =====================================================================================

    private void add(ConfigEntry e) {
        entries.add(e);
        if (byName.put(e.name, e) != null) throw new IllegalStateException("duplicate directive " + e.name);
        if (e.alias != null && byName.put(e.alias, e) != null) throw new IllegalStateException("duplicate alias " + e.alias);
    }

    private static Bool bool(String name, String alias, int flags, boolean def) {
        return new Bool(name, alias, flags, def);
    }

    private static Num num(String name, String alias, int flags, Kind kind, long lo, long hi, long def, int numFlags) {
        return new Num(name, alias, flags, kind, lo, hi, def, numFlags);
    }

    private static Choice choice(String name, String alias, int flags, Values values, String def) {
        return new Choice(name, alias, flags, values, def);
    }

    private static Str str(String name, String alias, int flags, boolean emptyIsNull, String def) {
        return new Str(name, alias, flags, emptyIsNull, def);
    }

    private void addSpecials() {
        add(new Special("dir", null, PROTECTED | DENY_LOADING, "path (the working directory)") {
            @Override String set(List<String> args, boolean fromFile) {
                if (args.size() != 1) return "wrong number of arguments";
                String a = args.get(0);
                if (a.isEmpty()) return "No such file or directory";
                try {
                    Path p = currentDir().resolve(a).toRealPath();
                    if (!Files.isDirectory(p)) return "Not a directory";
                    if (!Files.isExecutable(p)) return "Permission denied";
                    c.dir = p.toString();
                    return null;
                } catch (IOException e) {
                    return ConfigSyntax.strerror(e);
                } catch (RuntimeException e) {
                    return "No such file or directory";
                }
            }

            @Override public String get() { return currentDir().toString(); }

            @Override Object snapshot() { return c.dir; }

            @Override void restore(Object s) { c.dir = (String) s; }

            @Override void rewrite(ConfigRewriter rw) { rw.rewriteString(name, get(), null); }

            @Override public String defaultValue() { return null; }
        }.bound());

        add(new Special("save", null, MULTI_ARG, "save points (<seconds> <changes> ...), or \"\" for none") {
            @Override String set(List<String> args, boolean fromFile) {
                List<String> a = args;
                if (a.size() == 1 && a.get(0).isEmpty()) {
                    c.savePoints = new long[0][];
                    a = List.of();
                }
                if (a.size() % 2 != 0) return "Invalid save parameters";
                long[][] points = new long[a.size() / 2][];
                for (int j = 0; j < a.size(); j++) {
                    ConfigSyntax.Strtoll r = ConfigSyntax.strtoll(a.get(j), 10);
                    if (!r.complete() || (j % 2 == 0 && r.value() < 1) || (j % 2 == 1 && r.value() < 0)) {
                        return "Invalid save parameters";
                    }
                    if (j % 2 == 0) points[j / 2] = new long[] {r.value(), 0};
                    else points[j / 2][1] = (int) r.value();
                }
                if (!fromFile || !saveLoadedFromFile) {
                    // The first save line of a file replaces the defaults; later lines add to it.
                    if (fromFile) saveLoadedFromFile = true;
                    c.savePoints = points;
                } else {
                    long[][] all = Arrays.copyOf(c.savePoints, c.savePoints.length + points.length);
                    System.arraycopy(points, 0, all, c.savePoints.length, points.length);
                    c.savePoints = all;
                }
                return null;
            }

            @Override public String get() {
                StringBuilder sb = new StringBuilder();
                for (long[] p : c.savePoints) {
                    if (sb.length() > 0) sb.append(' ');
                    sb.append(p[0]).append(' ').append(p[1]);
                }
                return sb.toString();
            }

            @Override Object snapshot() { return c.savePoints; }

            @Override void restore(Object s) { c.savePoints = (long[][]) s; }

            @Override void rewrite(ConfigRewriter rw) {
                if (c.savePoints.length == 0) {
                    rw.rewriteLine(name, "save \"\"", true);
                } else {
                    for (long[] p : c.savePoints) rw.rewriteLine(name, "save " + p[0] + " " + p[1], true);
                }
                rw.markProcessed(name);
            }

            @Override public String defaultValue() { return "3600 1 300 100 60 10000"; }
        }.bound());

        add(new Special("client-output-buffer-limit", null, MULTI_ARG,
                "limits (<class> <hard> <soft> <soft-seconds> ...; class normal|replica|pubsub)") {
            private final long[][] defaults = {
                {0, 0, 0}, {256L * 1024 * 1024, 64L * 1024 * 1024, 60}, {32L * 1024 * 1024, 8L * 1024 * 1024, 60}};

            @Override String set(List<String> args, boolean fromFile) {
                if (args.size() % 4 != 0) return "Wrong number of arguments in buffer limit configuration.";
                long[][] values = new long[3][];
                for (int j = 0; j < args.size(); j += 4) {
                    int cls = switch (args.get(j).toLowerCase(Locale.ROOT)) {
                        case "normal" -> 0;
                        case "slave", "replica" -> 1;
                        case "pubsub" -> 2;
                        default -> -1; // "master" is a client type but has no limit
                    };
                    if (cls < 0) return "Invalid client class specified in buffer limit configuration.";
                    Long hard = ConfigSyntax.memtoull(args.get(j + 1));
                    Long soft = ConfigSyntax.memtoull(args.get(j + 2));
                    ConfigSyntax.Strtoll secs = ConfigSyntax.strtoll(args.get(j + 3), 10);
                    int seconds = (int) secs.value();
                    if (hard == null || soft == null || seconds < 0 || !secs.complete()) {
                        return "Error in hard, soft or soft_seconds setting in buffer limit configuration.";
                    }
                    values[cls] = new long[] {hard, soft, seconds};
                }
                long[][] next = new long[3][];
                for (int j = 0; j < 3; j++) next[j] = values[j] != null ? values[j] : c.clientOutputBufferLimits[j].clone();
                c.clientOutputBufferLimits = next;
                return null;
            }

            private String render(long[][] v) {
                String[] names = {"normal", "slave", "pubsub"};
                StringBuilder sb = new StringBuilder();
                for (int j = 0; j < 3; j++) {
                    if (j > 0) sb.append(' ');
                    sb.append(names[j]).append(' ').append(Long.toUnsignedString(v[j][0])).append(' ')
                        .append(Long.toUnsignedString(v[j][1])).append(' ').append(v[j][2]);
                }
                return sb.toString();
            }

            @Override public String get() { return render(c.clientOutputBufferLimits); }

            @Override Object snapshot() { return c.clientOutputBufferLimits; }

            @Override void restore(Object s) { c.clientOutputBufferLimits = (long[][]) s; }

            @Override void rewrite(ConfigRewriter rw) {
                String[] names = {"normal", "replica", "pubsub"};
                for (int j = 0; j < 3; j++) {
                    long[] v = c.clientOutputBufferLimits[j];
                    boolean force = !Arrays.equals(v, defaults[j]);
                    rw.rewriteLine(name, name + " " + names[j] + " " + ConfigSyntax.formatMemory(v[0]) + " "
                        + ConfigSyntax.formatMemory(v[1]) + " " + v[2], force);
                }
            }

            @Override public String defaultValue() { return render(defaults); }
        }.bound());

        add(new Special("oom-score-adj-values", null, MULTI_ARG, "three ints [-2000..2000] (master replica bgchild)") {
            private int[] values = {0, 200, 800};

            @Override String set(List<String> args, boolean fromFile) {
                if (args.size() != 3) return "wrong number of arguments";
                int[] v = new int[3];
                for (int i = 0; i < 3; i++) {
                    ConfigSyntax.Strtoll r = ConfigSyntax.strtoll(args.get(i), 10);
                    if (!r.complete() || r.value() < -2000 || r.value() > 2000) {
                        return "Invalid oom-score-adj-values, elements must be between -2000 and 2000.";
                    }
                    v[i] = (int) r.value();
                }
                values = v;
                return null;
            }

            @Override public String get() { return values[0] + " " + values[1] + " " + values[2]; }

            @Override Object snapshot() { return values; }

            @Override void restore(Object s) { values = (int[]) s; }

            @Override void rewrite(ConfigRewriter rw) { rw.rewriteLine(name, name + " " + get(), !isDefault()); }

            @Override public String defaultValue() { return "0 200 800"; }
        });

        add(new Special("notify-keyspace-events", null, 0, "event classes (K E g $ l s h z x e t m d n A)") {
            @Override String set(List<String> args, boolean fromFile) {
                if (args.size() != 1) return "wrong number of arguments";
                int flags = Notify.parse(args.get(0));
                if (flags == -1) return "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.";
                c.notifyKeyspaceEvents = flags;
                return null;
            }

            @Override public String get() { return Notify.toString(c.notifyKeyspaceEvents); }

            @Override Object snapshot() { return c.notifyKeyspaceEvents; }

            @Override void restore(Object s) { c.notifyKeyspaceEvents = (Integer) s; }

            @Override void rewrite(ConfigRewriter rw) {
                rw.rewriteLine(name, name + " " + ConfigSyntax.repr(get()), c.notifyKeyspaceEvents != 0);
            }

            @Override public String defaultValue() { return ""; }
        }.bound());

        add(new Special("bind", null, MULTI_ARG, "addresses (up to 16), or \"\" for none") {
            @Override String set(List<String> args, boolean fromFile) {
                if (args.size() > BINDADDR_MAX) return "Too many bind addresses specified.";
                if (args.size() == 1 && args.get(0).isEmpty()) c.bind = new String[0];
                else c.bind = args.toArray(new String[0]);
                return null;
            }

            @Override public String get() { return String.join(" ", c.bind); }

            @Override Object snapshot() { return c.bind; }

            @Override void restore(Object s) { c.bind = (String[]) s; }

            @Override void rewrite(ConfigRewriter rw) {
                if (Arrays.equals(c.bind, DEFAULT_BIND)) {
                    rw.markProcessed(name);
                    return;
                }
                rw.rewriteLine(name, name + " " + (c.bind.length > 0 ? String.join(" ", c.bind) : "\"\""), true);
            }

            @Override public String defaultValue() { return String.join(" ", DEFAULT_BIND); }
        }.bound());

        add(new Special("replicaof", "slaveof", IMMUTABLE | MULTI_ARG, "<host> <port>, or \"no one\"") {
            @Override String set(List<String> args, boolean fromFile) {
                if (args.size() != 2) return "wrong number of arguments";
                c.replicaofHost = null;
                if (args.get(0).equalsIgnoreCase("no") && args.get(1).equalsIgnoreCase("one")) return null;
                ConfigSyntax.Strtoll r = ConfigSyntax.strtoll(args.get(1), 10);
                if (r.value() < 0 || r.value() > 65535 || !r.complete()) return "Invalid master port";
                c.replicaofPort = (int) r.value();
                c.replicaofHost = args.get(0);
                return null;
            }

            @Override public String get() {
                return c.replicaofHost == null ? "" : c.replicaofHost + " " + c.replicaofPort;
            }

            @Override Object snapshot() { return new Object[] {c.replicaofHost, c.replicaofPort}; }

            @Override void restore(Object s) {
                c.replicaofHost = (String) ((Object[]) s)[0];
                c.replicaofPort = (Integer) ((Object[]) s)[1];
            }

            @Override void rewrite(ConfigRewriter rw) {
                if (clusterEnabled() || c.replicaofHost == null) {
                    rw.markProcessed(name);
                    return;
                }
                rw.rewriteLine(name, name + " " + c.replicaofHost + " " + c.replicaofPort, true);
            }

            @Override public String defaultValue() { return ""; }
        }.bound());

        add(new Special("latency-tracking-info-percentiles", null, MULTI_ARG,
                "percentiles [0.0..100.0], or \"\" for none") {
            @Override String set(List<String> args, boolean fromFile) {
                if (args.size() == 1 && args.get(0).isEmpty()) {
                    c.latencyTrackingInfoPercentiles = new double[0];
                    return null;
                }
                double[] v = new double[args.size()];
                for (int j = 0; j < v.length; j++) {
                    Double d = ConfigSyntax.string2d(args.get(j));
                    String err = null;
                    if (d == null) err = "Invalid latency-tracking-info-percentiles parameters";
                    else if (d > 100.0 || d < 0.0) err = "latency-tracking-info-percentiles parameters should sit between [0.0,100.0]";
                    if (err != null) {
                        c.latencyTrackingInfoPercentiles = new double[0];
                        return err;
                    }
                    v[j] = d;
                }
                c.latencyTrackingInfoPercentiles = v;
                return null;
            }

            @Override public String get() {
                StringBuilder sb = new StringBuilder();
                for (double d : c.latencyTrackingInfoPercentiles) {
                    if (sb.length() > 0) sb.append(' ');
                    sb.append(ConfigSyntax.trimmedDouble(d));
                }
                return sb.toString();
            }

            @Override Object snapshot() { return c.latencyTrackingInfoPercentiles; }

            @Override void restore(Object s) { c.latencyTrackingInfoPercentiles = (double[]) s; }

            @Override void rewrite(ConfigRewriter rw) {
                String v = get();
                rw.rewriteLine(name, name + " " + (v.isEmpty() ? "\"\"" : v), true);
            }

            @Override public String defaultValue() { return "50 99 99.9"; }
        }.bound());
    }

    private Path currentDir() {
        Path p = Path.of(c.dir).toAbsolutePath().normalize();
        try {
            return p.toRealPath();
        } catch (IOException e) {
            return p;
        }
    }

    private boolean clusterEnabled() { return ((Bool) byName.get("cluster-enabled")).value(); }

    static boolean isBaseName(String v) { return v.indexOf('/') < 0 && v.indexOf('\\') < 0; }

    static String hostnameError(String v) {
        if (v.getBytes(StandardCharsets.UTF_8).length >= 256) return "Hostnames must be less than 256 characters";
        for (int i = 0; i < v.length(); i++) {
            char ch = v.charAt(i);
            if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-' || ch == '.')) {
                return "Hostnames may only contain alphanumeric characters, hyphens or dots";
            }
        }
        return null;
    }

    static String shutdownFlagsError(int v) {
        if ((v & Config.SHUTDOWN_NOSAVE) != 0 && (v & Config.SHUTDOWN_SAVE) != 0) {
            return "shutdown options SAVE and NOSAVE can't be used simultaneously";
        }
        return null;
    }

    /** proc-title-template must expand ({{ quotes a brace) to something non-blank with known variables. */
    String procTitleError(String t) {
        final String err = "template format is invalid or contains unknown variables";
        StringBuilder res = new StringBuilder();
        int p = 0;
        while (p < t.length()) {
            int sv = t.indexOf('{', p);
            if (sv < 0) {
                res.append(t, p, t.length());
                break;
            }
            res.append(t, p, sv);
            sv++;
            if (sv >= t.length()) return err;
            if (t.charAt(sv) == '{') {
                p = sv + 1;
                res.append('{');
                continue;
            }
            int ev = t.indexOf('}', sv);
            if (ev < 0) return err;
            String value = switch (t.substring(sv, ev)) {
                case "title" -> "";
                case "listen-addr" -> c.port != 0 || tlsPort() != 0
                    ? (c.bind.length > 0 ? c.bind[0] : "*") + ":" + (c.port != 0 ? c.port : tlsPort())
                    : "unixsocket:" + c.unixsocket;
                case "server-mode" -> clusterEnabled() ? "[cluster]" : "";
                case "config-file" -> sourceName == null ? "-" : sourceName;
                case "port" -> Integer.toString(c.port);
                case "tls-port" -> Long.toString(tlsPort());
                case "unixsocket" -> c.unixsocket;
                default -> null;
            };
            if (value == null) return err;
            res.append(value);
            p = ev + 1;
        }
        return res.toString().replaceAll("^ +| +$", "").isEmpty() ? err : null;
    }

    private long tlsPort() { return ((Num) byName.get("tls-port")).value(); }

    // =====================================================================================
    // Lookup, GET
    // =====================================================================================

    /** The directive for a name or alias (any case), or null. */
    public ConfigEntry entry(String name) { return byName.get(name.toLowerCase(Locale.ROOT)); }

    /** The current value as CONFIG GET shows it, or null for an unknown name. */
    public String get(String name) {
        ConfigEntry e = entry(name);
        return e == null ? null : e.get();
    }

    /**
     * CONFIG GET for one argument: a name (any case, shown as given; hidden directives too) or
     * a glob pattern matched without case against every name and alias except hidden ones.
     */
    public List<String[]> getMatching(String globPattern) {
        List<String[]> out = new ArrayList<>();
        if (!ConfigSyntax.isPattern(globPattern)) {
            ConfigEntry e = entry(globPattern);
            if (e != null) out.add(new String[] {globPattern, e.get()});
            return out;
        }
        for (Map.Entry<String, ConfigEntry> me : byName.entrySet()) {
            ConfigEntry e = me.getValue();
            if (e.has(HIDDEN)) continue;
            if (ConfigSyntax.stringmatch(globPattern, me.getKey(), true)) out.add(new String[] {me.getKey(), e.get()});
        }
        return out;
    }

    /** Every canonical directive name: the table's, then the file-only directives. */
    public List<String> names() {
        List<String> out = new ArrayList<>();
        for (ConfigEntry e : entries) out.add(e.name);
        out.addAll(FILE_ONLY);
        return out;
    }

    /** One line about a directive (type, default, alias, flags, whether it has an effect yet). */
    public String describe(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        switch (n) {
            case "include":
                return "config file only: include <path-or-glob>; reads another file (relative to the working directory)";
            case "rename-command":
                return "config file only: rename-command <command> <new-name> (\"\" removes it)";
            case "user":
                return "config file only: user <name> <ACL rules...>; no effect yet";
            case "loadmodule":
                return "config file only: loadmodule <path> [args...]; modules are not supported, no effect";
            case "sentinel":
                return "config file only: sentinel directives; ignored outside sentinel mode";
            default:
                break;
        }
        ConfigEntry e = entry(n);
        if (e == null) return null;
        List<String> parts = new ArrayList<>();
        parts.add(e.typeText());
        String def = e.defaultValue();
        parts.add("default " + (def == null ? "(none)" : def.isEmpty() ? "\"\"" : def));
        if (e.alias != null) parts.add("alias " + e.alias);
        List<String> flags = new ArrayList<>();
        flags.add(e.has(IMMUTABLE) ? "immutable" : "modifiable");
        if (e.has(PROTECTED)) flags.add("protected");
        if (e.has(SENSITIVE)) flags.add("sensitive");
        if (e.has(HIDDEN)) flags.add("hidden");
        if (e.has(DENY_LOADING)) flags.add("denied while loading");
        if (e.has(MULTI_ARG)) flags.add("multi-argument");
        if (e.has(DEBUG)) flags.add("debug");
        parts.add(String.join(", ", flags));
        if (!e.isBound()) parts.add("no effect yet");
        return String.join("; ", parts);
    }

    // =====================================================================================
    // SET
    // =====================================================================================

    /** Runs hook after every CONFIG SET that changes the named directive (name or alias). */
    public void addApplyHook(String name, Runnable hook) {
        ConfigEntry e = entry(name);
        if (e == null) throw new IllegalArgumentException("no such directive: " + name);
        e.hooks.add(hook);
    }

    /** CONFIG SET, not while loading. See {@link #set(List, boolean, boolean)}. */
    public String set(List<byte[]> nameValuePairs, boolean localClient) {
        return set(nameValuePairs, localClient, false);
    }

    /**
     * CONFIG SET with one or more name/value pairs, all or nothing: every name is checked
     * (known, settable, not repeated), then every value is set, then the apply hooks of the
     * changed directives run; a refused value or a hook that throws puts every directive back.
     * A hook signals failure by throwing a RuntimeException whose message is the reason.
     * Returns null, or the error reply text without the leading '-'.
     */
    public String set(List<byte[]> nameValuePairs, boolean localClient, boolean loading) {
        if (nameValuePairs.size() % 2 != 0 || nameValuePairs.isEmpty()) return "ERR syntax error";
        int n = nameValuePairs.size() / 2;
        ConfigEntry[] set = new ConfigEntry[n];
        String[] setName = new String[n], values = new String[n];
        boolean invalid = false, denyLoading = false;
        String invalidArgName = null, errArgName = null, errstr = null;
        for (int i = 0; i < n; i++) {
            String typed = new String(nameValuePairs.get(2 * i), StandardCharsets.UTF_8);
            ConfigEntry e = entry(typed);
            if (e == null) {
                if (!invalid) {
                    invalidArgName = typed;
                    invalid = true;
                }
                continue;
            }
            if (invalid) continue;
            if (e.has(IMMUTABLE) || (e.has(PROTECTED) && !allowProtected(c.enableProtectedConfigs, localClient))) {
                errstr = e.has(IMMUTABLE) ? "can't set immutable config" : "can't set protected config";
                errArgName = typed;
                invalid = true;
                continue;
            }
            if (loading && e.has(DENY_LOADING)) {
                denyLoading = true;
                invalid = true;
                continue;
            }
            for (int j = 0; j < i; j++) {
                if (set[j] == e) {
                    errstr = "duplicate parameter";
                    errArgName = typed;
                    invalid = true;
                    break;
                }
            }
            set[i] = e;
            setName[i] = typed.toLowerCase(Locale.ROOT);
            values[i] = new String(nameValuePairs.get(2 * i + 1), StandardCharsets.UTF_8);
        }
        if (invalid) {
            if (denyLoading) return "LOADING Redis is loading the dataset in memory";
            if (invalidArgName != null) {
                return "ERR Unknown option or number of arguments for CONFIG SET - '" + invalidArgName + "'";
            }
            return "ERR CONFIG SET failed (possibly related to argument '" + errArgName + "')"
                + (errstr != null ? " - " + errstr : "");
        }

        Object[] old = new Object[n];
        for (int i = 0; i < n; i++) old[i] = set[i].snapshot();
        boolean[] changed = new boolean[n];
        for (int i = 0; i < n; i++) {
            ConfigEntry e = set[i];
            String before = e.get();
            List<String> args = e.has(MULTI_ARG) ? ConfigSyntax.splitSpaces(values[i]) : List.of(values[i]);
            String err = e.set(args, false);
            if (err != null) {
                for (int j = i; j >= 0; j--) set[j].restore(old[j]);
                return "ERR CONFIG SET failed (possibly related to argument '" + setName[i] + "') - " + err;
            }
            changed[i] = !before.equals(e.get());
        }

        Set<ConfigEntry> applied = new LinkedHashSet<>();
        for (int i = 0; i < n; i++) {
            if (!changed[i] || !applied.add(set[i])) continue;
            try {
                set[i].runHooks();
            } catch (RuntimeException ex) {
                for (int j = n - 1; j >= 0; j--) set[j].restore(old[j]);
                for (ConfigEntry e : applied) {
                    try {
                        e.runHooks();
                    } catch (RuntimeException ignored) {
                        // Best effort, as Redis: the restored values stay even if re-applying fails.
                    }
                }
                String msg = ex.getMessage();
                return "ERR CONFIG SET failed (possibly related to argument '" + setName[i] + "')"
                    + (msg != null ? " - " + msg : "");
            }
        }
        return null;
    }

    static boolean allowProtected(int mode, boolean localClient) {
        return mode == 1 || (mode == 2 && localClient);
    }

    // =====================================================================================
    // Loading a file
    // =====================================================================================

    /**
     * Parses redis.conf text as redis-server does and applies each directive in order.
     * Returns warnings ("NAME is not implemented yet and has no effect" for directives that
     * were given a non-default value but have no effect yet). Throws with Redis's fatal message
     * on the first bad line.
     */
    public List<String> load(String text, String sourceName) throws ConfigFileException {
        this.sourceName = sourceName;
        this.saveLoadedFromFile = false;
        this.includeDepth = 0;
        LinkedHashMap<String, ConfigEntry> mentioned = new LinkedHashMap<>();
        loadString(text, mentioned);
        if (!c.logfile.isEmpty()) {
            try {
                // Only checks that the log file can be opened, as Redis does before starting.
                Files.newOutputStream(currentDir().resolve(c.logfile), StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND).close();
            } catch (IOException e) {
                throw ConfigFileException.at(0, null, "Can't open the log file: " + ConfigSyntax.strerror(e));
            } catch (RuntimeException e) {
                throw ConfigFileException.at(0, null, "Can't open the log file: Invalid argument");
            }
        }
        if (clusterEnabled() && c.replicaofHost != null) {
            throw ConfigFileException.at(0, null, "replicaof directive not allowed in cluster mode");
        }
        List<String> warnings = new ArrayList<>();
        for (Map.Entry<String, ConfigEntry> me : mentioned.entrySet()) {
            ConfigEntry e = me.getValue();
            if (me.getKey().equals("rename-command")) continue;  // applied by the engine's command table
            if (e == null || (!e.isBound() && !e.isDefault())) {
                warnings.add(me.getKey() + " is not implemented yet and has no effect");
            }
        }
        return warnings;
    }

    private void loadString(String text, LinkedHashMap<String, ConfigEntry> mentioned) throws ConfigFileException {
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            int linenum = i + 1;
            String line = ConfigSyntax.trimLine(lines[i]);
            if (line.isEmpty() || line.charAt(0) == '#') continue;
            List<String> argv = ConfigSyntax.splitArgs(line);
            if (argv == null) throw ConfigFileException.at(linenum, line, "Unbalanced quotes in configuration line");
            if (argv.isEmpty()) continue;
            int argc = argv.size();
            String name = argv.get(0).toLowerCase(Locale.ROOT);
            ConfigEntry e = byName.get(name);
            if (e != null) {
                String err;
                if (!e.has(MULTI_ARG) && argc != 2) {
                    err = "wrong number of arguments";
                } else if (e.has(MULTI_ARG) && argc == 2 && !argv.get(1).isEmpty()) {
                    // One argument holding several ("--save '900 1'" on the command line).
                    List<String> sub = ConfigSyntax.splitArgs(argv.get(1));
                    err = e.set(sub == null ? List.of() : sub, true);
                } else {
                    err = e.set(argv.subList(1, argc), true);
                }
                if (err != null) throw ConfigFileException.at(linenum, line, err);
                mentioned.putIfAbsent(e.name, e);
                continue;
            }
            if (DEPRECATED.contains(name) && argc == 2) continue;

            if (name.equals("include") && argc == 2) {
                include(argv.get(1), mentioned);
            } else if (name.equals("rename-command") && argc == 3) {
                String err = renameCommand(argv.get(1), argv.get(2));
                if (err != null) throw ConfigFileException.at(linenum, line, err);
                mentioned.putIfAbsent("rename-command", null);
            } else if (name.equals("user") && argc >= 2) {
                userLines.add(line);
                mentioned.putIfAbsent("user", null);
            } else if (name.equals("loadmodule") && argc >= 2) {
                loadmoduleLines.add(line);
                mentioned.putIfAbsent("loadmodule", null);
            } else if (name.indexOf('.') >= 0) {
                if (argc < 2) throw ConfigFileException.at(linenum, line, "Module config specified without value");
                mentioned.putIfAbsent(name, null);
            } else if (!name.equals("sentinel")) {
                // (sentinel directives only matter in sentinel mode, which Redoubt does not have)
                throw ConfigFileException.at(linenum, line, "Bad directive or wrong number of arguments");
            }
        }
    }

    private String renameCommand(String from, String to) {
        String f = from.toLowerCase(Locale.ROOT);
        if (!commandKnown(f)) return "No such command in rename-command";
        renamedTo.remove(f);
        renamedAway.add(f);
        if (!to.isEmpty()) {
            String t = to.toLowerCase(Locale.ROOT);
            if (commandKnown(t)) return "Target command name already exists";
            renamedTo.add(t);
            renamedAway.remove(t);
        }
        renamedCommands.add(new String[] {from, to});
        return null;
    }

    private boolean commandKnown(String lower) {
        if (renamedTo.contains(lower)) return true;
        if (renamedAway.contains(lower) || lower.indexOf('|') >= 0) return false;
        if (commandExists == null) {
            org.redoubt.engine.command.CommandTable t = new org.redoubt.engine.command.CommandTable();
            commandExists = n -> t.find(n) != null;
        }
        return commandExists.test(lower);
    }

    private void include(String pattern, LinkedHashMap<String, ConfigEntry> mentioned) throws ConfigFileException {
        if (includeDepth >= 64) {
            throw new ConfigFileException("Fatal error, can't open config file '" + pattern + "': Too many levels of include");
        }
        StringBuilder content = new StringBuilder();
        if (ConfigSyntax.isPattern(pattern)) {
            // A glob that matches nothing is not an error (an empty conf.d directory).
            List<Path> files;
            try {
                files = glob(currentDir().resolve(pattern).toString());
            } catch (RuntimeException e) {
                files = List.of();
            }
            for (Path p : files) content.append(readConfigFile(p.toString()));
        } else {
            content.append(readConfigFile(pattern));
        }
        includeDepth++;
        try {
            loadString(content.toString(), mentioned);
        } finally {
            includeDepth--;
        }
    }

    private String readConfigFile(String name) throws ConfigFileException {
        try {
            return new String(Files.readAllBytes(currentDir().resolve(name)), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigFileException("Fatal error, can't open config file '" + name + "': " + ConfigSyntax.strerror(e));
        } catch (RuntimeException e) {
            throw new ConfigFileException("Fatal error, can't open config file '" + name + "': No such file or directory");
        }
    }

    /** The regular files matching a glob(3)-style pattern, sorted; dot files only when asked for. */
    static List<Path> glob(String pattern) {
        Path pat = Path.of(pattern);
        int count = pat.getNameCount();
        int first = 0;
        while (first < count && !ConfigSyntax.isPattern(pat.getName(first).toString())) first++;
        if (first == count) return Files.isRegularFile(pat) ? List.of(pat) : List.of();
        Path root = pat.getRoot();
        Path base = root != null ? root : Path.of("");
        if (first > 0) base = base.resolve(pat.subpath(0, first));
        boolean relativeToCwd = base.toString().isEmpty();
        Path walkFrom = relativeToCwd ? Path.of(".") : base;
        PathMatcher m = FileSystems.getDefault().getPathMatcher(
            "glob:" + pattern.replace("{", "\\{").replace("}", "\\}"));
        boolean dotAsked = pat.getFileName().toString().startsWith(".");
        try (Stream<Path> s = Files.walk(walkFrom, count - first)) {
            return s.map(p -> relativeToCwd ? walkFrom.relativize(p) : p)
                .filter(m::matches)
                .filter(p -> dotAsked || !p.getFileName().toString().startsWith("."))
                .filter(Files::isRegularFile)
                .sorted((a, b) -> a.toString().compareTo(b.toString()))
                .toList();
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }

    // =====================================================================================
    // Command line
    // =====================================================================================

    /**
     * The config text redis-server builds from its command-line options after the config file:
     * each "--name" starts a line, other arguments are appended quoted (so "--port 7777" gives
     * {@code port "7777" }); "--save" with no value becomes save "". A lone "-" as the last
     * argument means "also read stdin" and is left to the caller.
     */
    public static String argsToConfigText(List<String> args) {
        StringBuilder options = new StringBuilder();
        boolean handledLastConfigArg = true;
        int argc = args.size();
        for (int j = 0; j < argc; j++) {
            String a = args.get(j);
            if (a.equals("-") && j == argc - 1) continue;
            if (handledLastConfigArg && a.startsWith("--")) {
                if (options.length() > 0) options.append('\n');
                options.append(a, 2, a.length()).append(' ');
                List<String> split = ConfigSyntax.splitArgs(a);
                if (split != null && split.size() == 1) {
                    // Only a name: its values follow as separate arguments.
                    handledLastConfigArg = false;
                    boolean nextIsOption = j != argc - 1 && args.get(j + 1).startsWith("--");
                    if (nextIsOption && a.equalsIgnoreCase("--save")) {
                        options.append("\"\"");
                        handledLastConfigArg = true;
                    } else if (j == argc - 1 && a.equalsIgnoreCase("--save")) {
                        options.append("\"\"");
                    } else if (nextIsOption && a.equalsIgnoreCase("--sentinel")) {
                        handledLastConfigArg = true;
                    }
                } else {
                    handledLastConfigArg = true;
                }
            } else {
                options.append(ConfigSyntax.repr(a)).append(' ');
                handledLastConfigArg = true;
            }
        }
        return options.toString();
    }

    // =====================================================================================
    // REWRITE
    // =====================================================================================

    /** CONFIG REWRITE. See {@link #rewrite(Path, boolean)}. */
    public String rewrite(Path configFile) { return rewrite(configFile, false); }

    /**
     * Rewrites the config file as Redis's CONFIG REWRITE: comments and unknown lines are kept,
     * each directive's lines are updated in place, directives not in the file are appended
     * (after "# Generated by CONFIG REWRITE") when not at their default value, or always with
     * forceAll (DEBUG CONFIG-REWRITE-FORCE-ALL); extra lines of a rewritten directive are
     * blanked. The file is replaced atomically. Returns null or the error reply text.
     */
    public String rewrite(Path configFile, boolean forceAll) {
        if (configFile == null) return "ERR The server is running without a config file";
        Path file = configFile.toAbsolutePath();
        String old;
        try {
            old = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            old = "";
        } catch (IOException e) {
            return "ERR Rewriting config file: " + ConfigSyntax.strerror(e);
        }
        ConfigRewriter rw = new ConfigRewriter(old, this::rewriteOptionOf);
        rw.forceWrite = forceAll;
        for (ConfigEntry e : entries) e.rewrite(rw);
        if (!c.aclfile.isEmpty()) {
            rw.markProcessed("user");
        } else {
            for (String l : userLines) rw.rewriteLine("user", l, true);
            rw.markProcessed("user");
        }
        for (String l : loadmoduleLines) rw.rewriteLine("loadmodule", l, true);
        rw.markProcessed("loadmodule");
        rw.removeOrphaned();
        try {
            writeAtomically(file, rw.content());
            return null;
        } catch (IOException e) {
            return "ERR Rewriting config file: " + ConfigSyntax.strerror(e);
        }
    }

    /** The rewrite option a directive line belongs to (canonical name), or null if unknown. */
    private String rewriteOptionOf(String lowerName) {
        ConfigEntry e = byName.get(lowerName);
        if (e != null) return e.name;
        return FILE_ONLY.contains(lowerName) ? lowerName : null;
    }

    private static void writeAtomically(Path file, String content) throws IOException {
        Path dir = file.getParent();
        Path tmp = Files.createTempFile(dir, file.getFileName().toString() + ".", "");
        boolean done = false;
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer b = ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8));
                while (b.hasRemaining()) ch.write(b);
                ch.force(true);
            }
            try {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
            } catch (UnsupportedOperationException ignored) {
                // Not a POSIX file system.
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            done = true;
            try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
                d.force(true);
            } catch (IOException | RuntimeException ignored) {
                // Syncing a directory is not possible everywhere.
            }
        } finally {
            if (!done) Files.deleteIfExists(tmp);
        }
    }
}
