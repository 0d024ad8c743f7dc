package org.redoubt.engine.config;

/**
 * Live configuration values the engine reads on its hot paths, as plain fields. The
 * {@link ConfigTable} is the one declarative description of every directive (names, types,
 * defaults, flags) and writes these fields when a directive is loaded or set; nothing else
 * writes them. Engine thread only after start-up.
 */
public final class Config {
    // ---- network
    public int port = 6379;
    public String[] bind = {"*", "-::*"};
    public boolean protectedMode = true;
    public int tcpBacklog = 511;
    public int timeoutSeconds = 0;
    public int tcpKeepalive = 300;
    public long maxclients = 10000;
    public String unixsocket = "";

    // ---- general
    public int databases = 16;
    public int hz = 10;
    public boolean dynamicHz = true;
    public String loglevel = "notice";
    public String logfile = "";
    public String pidfile = "";
    public boolean daemonize = false;
    public String dir = ".";
    public String requirepass = "";
    /** 0 = no, 1 = yes, 2 = local */
    public int enableDebugCommand = 0;
    public int enableProtectedConfigs = 0;
    public int enableModuleCommand = 0;

    // ---- limits
    public long protoMaxBulkLen = 512L * 1024 * 1024;
    public long clientQueryBufferLimit = 1024L * 1024 * 1024;
    public long maxmemory = 0;
    public String maxmemoryPolicy = "noeviction";
    public int maxmemorySamples = 5;
    public int lfuLogFactor = 10;
    public int lfuDecayTime = 1;

    // ---- introspection
    public long slowlogLogSlowerThan = 10000;
    public long slowlogMaxLen = 128;
    public long latencyMonitorThreshold = 0;
    public boolean latencyTracking = true;
    /** Read by the heap-trimmer thread (jemalloc-bg-thread's counterpart), hence volatile. */
    public volatile boolean jemallocBgThread = true;
    public double[] latencyTrackingInfoPercentiles = {50.0, 99.0, 99.9};
    /** Keyspace notification class bits (see Notify). */
    public int notifyKeyspaceEvents = 0;
    public boolean lazyfreeLazyUserDel = false;
    public boolean lazyfreeLazyUserFlush = false;
    public boolean lazyfreeLazyExpire = false;
    public boolean lazyfreeLazyServerDel = false;

    // ---- encodings (collections read these)
    public long hashMaxListpackEntries = 512;
    public long hashMaxListpackValue = 64;
    public long setMaxIntsetEntries = 512;
    public long zsetMaxListpackEntries = 128;
    public long zsetMaxListpackValue = 64;
    public int listMaxListpackSize = -2;
    public int listCompressDepth = 0;
    public long hllSparseMaxBytes = 3000;
    public long streamNodeMaxBytes = 4096;
    public long streamNodeMaxEntries = 100;
    public boolean activeExpireEnabled = true;

    // ---- persistence (read by later modules; defaults as Redis)
    public String dbfilename = "dump.rdb";
    public long[][] savePoints = {{3600, 1}, {300, 100}, {60, 10000}};
    public boolean appendonly = false;
    public String appendfilename = "appendonly.aof";
    public String appenddirname = "appendonlydir";
    public String appendfsync = "everysec";
    public boolean rdbcompression = true;
    public boolean rdbchecksum = true;
    public boolean stopWritesOnBgsaveError = true;

    // ---- replication
    public String replicaofHost = null;
    public int replicaofPort = 0;
    public boolean replicaReadOnly = true;
    public int replicaPriority = 100;
    /** min-replicas-to-write / min-replicas-max-lag: writes need this many good replicas (0: off). */
    public int minReplicasToWrite = 0;
    public int minReplicasMaxLag = 10;

    // ---- read by the modules that implement them (bound by the ConfigTable like the rest)
    public int ioThreads = 1;
    public int activeExpireEffort = 1;
    /** busy-reply-threshold (alias lua-time-limit), milliseconds. */
    public long busyReplyThreshold = 5000;
    public long trackingTableMaxKeys = 1000000;
    /** maxmemory-clients: bytes, or a negative number -N for N percent of maxmemory. */
    public long maxmemoryClients = 0;
    /** client-output-buffer-limit: rows normal, replica, pubsub; columns hard bytes, soft bytes, soft seconds. */
    public long[][] clientOutputBufferLimits = {
        {0, 0, 0}, {256L * 1024 * 1024, 64L * 1024 * 1024, 60}, {32L * 1024 * 1024, 8L * 1024 * 1024, 60}};
    public static final int OBUF_NORMAL = 0, OBUF_REPLICA = 1, OBUF_PUBSUB = 2;
    public String aclfile = "";
    public long acllogMaxLen = 128;
    public boolean lazyfreeLazyEviction = false;
    public int shutdownTimeout = 10;
    /** shutdown-on-sigint / shutdown-on-sigterm: SHUTDOWN_* bits, 0 = default. */
    public int shutdownOnSigint = 0, shutdownOnSigterm = 0;
    public static final int SHUTDOWN_SAVE = 1, SHUTDOWN_NOSAVE = 2, SHUTDOWN_NOW = 4, SHUTDOWN_FORCE = 8;
    public String masterauth = "";
    public String masteruser = "";
    public boolean replicaServeStaleData = true;
    public long replBacklogSize = 1024 * 1024;
    public boolean aofUseRdbPreamble = true;
}
