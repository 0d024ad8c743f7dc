package org.redoubt.engine.info;

import java.util.Arrays;
import java.util.TreeMap;
import org.redoubt.engine.command.CommandSpec;

/**
 * LATENCY monitor: per event, a ring of the last 160 per-second maxima, as Redis keeps; and the
 * per-command latency histograms behind INFO latencystats and LATENCY HISTOGRAM (indexed by
 * {@link CommandSpec#id}, created on a command's first recorded call). Engine thread only.
 */
public final class LatencyMonitor {
    public static final int HISTORY = 160;

    public static final class Series {
        public final long[] time = new long[HISTORY];
        public final long[] latency = new long[HISTORY];
        public int idx;
        public long max;
    }

    public final TreeMap<String, Series> events = new TreeMap<>();
    private LatencyHistogram[] histograms = new LatencyHistogram[0];

    public void add(String event, long ms, long nowSec) {
        Series s = events.get(event);
        if (s == null) events.put(event, s = new Series());
        if (ms > s.max) s.max = ms;
        int prev = (s.idx + HISTORY - 1) % HISTORY;
        if (s.time[prev] == nowSec) {
            if (ms > s.latency[prev]) s.latency[prev] = ms;
            return;
        }
        s.time[s.idx] = nowSec;
        s.latency[s.idx] = ms;
        s.idx = (s.idx + 1) % HISTORY;
    }

    public void reset() { events.clear(); }

    /** LATENCY RESET of one event (case-insensitive, as Redis); returns how many were removed. */
    public int reset(String event) {
        int n = 0;
        for (var it = events.keySet().iterator(); it.hasNext(); ) {
            if (it.next().equalsIgnoreCase(event)) { it.remove(); n++; }
        }
        return n;
    }

    // ---------------------------------------------------------------- per-command histograms

    /** Records one completed call of cmd that took durationUs microseconds. */
    public void recordCommand(CommandSpec cmd, long durationUs) {
        int id = cmd.id;
        if (id >= histograms.length) histograms = Arrays.copyOf(histograms, Math.max(id + 1, histograms.length * 2));
        LatencyHistogram h = histograms[id];
        if (h == null) histograms[id] = h = new LatencyHistogram();
        h.recordNanos(durationUs * 1000);
    }

    /** The histogram of a command, or null when it has no recorded call since the last reset. */
    public LatencyHistogram histogram(CommandSpec cmd) {
        return cmd.id < histograms.length ? histograms[cmd.id] : null;
    }

    /** CONFIG RESETSTAT: forget every command's histogram. */
    public void resetHistograms() { Arrays.fill(histograms, null); }
}
