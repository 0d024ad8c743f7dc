package org.redoubt.engine;

import java.util.TreeMap;

/** Server-wide counters reported by INFO stats / errorstats. Engine thread only. */
public final class Stats {
    public long totalConnectionsReceived, totalCommandsProcessed, rejectedConnections;
    public long netInputBytes, netOutputBytes;
    public long expiredKeys, expiredStalePerc, expiredTimeCapReached, evictedKeys, evictedClients;
    public long keyspaceHits, keyspaceMisses;
    public long totalErrorReplies;
    public long unexpectedErrorReplies;
    public long ioReadsProcessed, ioWritesProcessed;
    public long totalReadsProcessed, totalWritesProcessed;
    public long trackingTotalKeys;
    public long expireCycleCpuMilliseconds;
    public long dumpPayloadSanitizations;
    public long clientQueryBufferLimitDisconnections, clientOutputBufferLimitDisconnections;
    public long totalBlockingKeys;
    /** Child processes started for background jobs, and how long the last start took (Redis's fork stats). */
    public long totalForks, latestForkUsec;
    /** errorstats: error prefix (first word) -> count, sorted like Redis's rax iteration. */
    public final TreeMap<String, long[]> errors = new TreeMap<>();
    /** Redis stops tracking new error prefixes after this many distinct ones. */
    static final int ERRORSTATS_LIMIT = 128;

    // ---- instantaneous metrics: samples taken by the cron, as Redis's trackInstantaneousMetric
    private static final int SAMPLES = 16;
    private final long[][] samples = new long[3][SAMPLES];
    private final long[] lastReading = new long[3], lastTime = new long[3];
    private final int[] idx = new int[3];
    public static final int M_COMMANDS = 0, M_NET_IN = 1, M_NET_OUT = 2;

    public void countError(String msg) {
        totalErrorReplies++;
        int sp = msg.indexOf(' ');
        String prefix = sp < 0 ? msg : msg.substring(0, sp);
        long[] c = errors.get(prefix);
        if (c == null) {
            if (errors.size() >= ERRORSTATS_LIMIT) return;
            errors.put(prefix, c = new long[1]);
        }
        c[0]++;
    }

    public void sample(int metric, long current, long nowMs) {
        long dt = nowMs - lastTime[metric];
        long dv = current - lastReading[metric];
        long per = dt > 0 ? dv * 1000 / dt : 0;
        samples[metric][idx[metric]] = per;
        idx[metric] = (idx[metric] + 1) % SAMPLES;
        lastTime[metric] = nowMs;
        lastReading[metric] = current;
    }

    public long instantaneous(int metric) {
        long sum = 0;
        for (long v : samples[metric]) sum += v;
        return sum / SAMPLES;
    }

    public void reset() {
        totalConnectionsReceived = totalCommandsProcessed = rejectedConnections = 0;
        netInputBytes = netOutputBytes = 0;
        expiredKeys = expiredStalePerc = expiredTimeCapReached = evictedKeys = evictedClients = 0;
        keyspaceHits = keyspaceMisses = totalErrorReplies = unexpectedErrorReplies = 0;
        totalReadsProcessed = totalWritesProcessed = 0;
        expireCycleCpuMilliseconds = dumpPayloadSanitizations = 0;
        clientQueryBufferLimitDisconnections = clientOutputBufferLimitDisconnections = 0;
        totalForks = latestForkUsec = 0;
        errors.clear();
        for (long[] s : samples) java.util.Arrays.fill(s, 0);
    }
}
