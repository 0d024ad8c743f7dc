package org.redoubt.engine.info;

import java.security.SecureRandom;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.WeakHashMap;
import org.redoubt.engine.Engine;
import org.redoubt.engine.command.Handler;

/**
 * Server-wide introspection state that has no home in {@link Engine} itself: versions, the
 * replication ids reported by INFO replication (until replication owns them), the memory peak,
 * and the knobs DEBUG flips. One instance per engine, shared by the server/introspection
 * command families through {@link #of}. Engine thread only, except the static fields.
 */
public final class ServerInfo {
    public static final String REDIS_VERSION = "7.0.15";
    public static final String REDOUBT_VERSION = version();
    /** Redis's default repl-backlog-size, reported while no backlog exists. */
    public static final long DEFAULT_BACKLOG_SIZE = 1024 * 1024;
    public static final String ZERO_REPLID = "0000000000000000000000000000000000000000";

    /**
     * The front end's event-notification mechanism for INFO multiplexing_api ("epoll", "nio",
     * ...). The server sets it when it picks a transport; otherwise it is derived once from the
     * system property {@code redoubt.multiplexing_api}, then from {@code redoubt.nio}.
     */
    public static volatile String multiplexingApi;

    private static final Map<Engine, ServerInfo> BY_ENGINE = Collections.synchronizedMap(new WeakHashMap<>());

    public static ServerInfo of(Engine e) {
        synchronized (BY_ENGINE) {
            ServerInfo s = BY_ENGINE.get(e);
            if (s == null) BY_ENGINE.put(e, s = new ServerInfo());
            return s;
        }
    }

    // ---- replication identity (INFO replication, DEBUG CHANGE-REPL-ID)
    public String replId = randomId();
    public String replId2 = ZERO_REPLID;
    public long secondReplOffset = -1;

    // ---- memory
    /** Heap in use when the engine was created: INFO's used_memory_startup. */
    public final long startupMemory = ProcessStats.heapUsed();
    public long peakMemory = startupMemory;
    public long peakTimeMs;

    // ---- DEBUG knobs that other modules read
    /** DEBUG PAUSE-CRON: while set, cron tasks installed by the introspection family skip work. */
    public boolean cronPaused;
    /** DEBUG SET-DISABLE-DENY-SCRIPTS: scripting reads it to allow deny-script commands. */
    public boolean scriptDisableDenyScript;
    /** DEBUG QUICKLIST-PACKED-THRESHOLD in bytes (lists read it); Redis's default is 1GB. */
    public long quicklistPackedThreshold = 1L << 30;
    /** DEBUG REPLYBUFFER: peak reset time in ms (-1 = never) and whether resizing is enabled. */
    public long replyBufferPeakResetTimeMs = 5000;
    public boolean replyBufferResizing = true;
    /** DEBUG SET-SKIP-CHECKSUM-VALIDATION: RDB/RESTORE readers consult it. */
    public boolean skipChecksumValidation;
    /** DEBUG AOF-FLUSH-SLEEP in microseconds: the AOF writer consults it. */
    public long aofFlushSleepMicros;
    /** DEBUG subcommands contributed by other modules, by lower-case name (DebugCommand.extend). */
    public final Map<String, Handler> debugExtensions = new HashMap<>();

    private ServerInfo() {}

    /** Samples the heap and raises the recorded peak (INFO, MEMORY STATS and the cron call it). */
    public long samplePeak(long nowMs) {
        long used = ProcessStats.heapUsed();
        if (used > peakMemory) {
            peakMemory = used;
            peakTimeMs = nowMs;
        }
        return used;
    }

    /** DEBUG CHANGE-REPL-ID: a fresh id, and no secondary history. */
    public void changeReplicationId() {
        replId = randomId();
        replId2 = ZERO_REPLID;
        secondReplOffset = -1;
    }

    public static String multiplexingApi() {
        String m = multiplexingApi;
        if (m != null) return m;
        m = System.getProperty("redoubt.multiplexing_api");
        if (m == null) m = Boolean.getBoolean("redoubt.nio") ? "nio" : (epollAvailable() ? "epoll" : "nio");
        multiplexingApi = m;
        return m;
    }

    private static boolean epollAvailable() {
        try {
            return io.netty.channel.epoll.Epoll.isAvailable();
        } catch (Throwable t) {  // native library missing or refused: the front end uses NIO then
            return false;
        }
    }

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    /** 40 random hex characters, like Redis's run and replication ids. */
    public static String randomId() {
        byte[] b = new byte[20];
        new SecureRandom().nextBytes(b);
        char[] c = new char[40];
        for (int i = 0; i < 20; i++) {
            c[2 * i] = HEX[(b[i] >> 4) & 15];
            c[2 * i + 1] = HEX[b[i] & 15];
        }
        return new String(c);
    }

    private static String version() {
        String v = System.getProperty("redoubt.version");
        if (v == null) v = ServerInfo.class.getPackage().getImplementationVersion();
        if (v == null || v.isEmpty() || v.endsWith("-SNAPSHOT")) v = v == null || v.isEmpty() ? "0.1.0" : v.substring(0, v.length() - 9);
        return v;
    }
}
