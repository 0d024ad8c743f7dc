package org.redoubt.engine.info;

import java.util.ArrayDeque;
import java.util.Iterator;
import org.redoubt.engine.Client;
import org.redoubt.engine.Engine;

/**
 * SLOWLOG: the newest entries first, bounded by slowlog-max-len. Engine thread only.
 *
 * <p>{@link #maybeLog} is the engine's per-completed-command hook (it runs for every command
 * without the skip_slowlog flag, including commands completed after blocking), so it also feeds
 * the per-command latency histograms of INFO latencystats / LATENCY HISTOGRAM.
 */
public final class SlowLog {
    public static final int MAX_ARGC = 32;
    public static final int MAX_ARG_LEN = 128;

    public static final class Entry {
        public long id, time, durationUs;
        public byte[][] args;
        public String peer, name;
    }

    private final ArrayDeque<Entry> entries = new ArrayDeque<>();
    private long nextId;

    public void maybeLog(Engine e, Client c, byte[][] argv, int argc, long us) {
        long threshold = e.config.slowlogLogSlowerThan;
        if (threshold < 0 || e.config.slowlogMaxLen == 0 || us < threshold) return;
        Entry en = new Entry();
        en.id = nextId++;
        en.time = System.currentTimeMillis() / 1000;
        en.durationUs = us;
        int n = Math.min(argc, MAX_ARGC);
        en.args = new byte[n][];
        for (int i = 0; i < n; i++) {
            if (n == MAX_ARGC && i == n - 1 && argc > MAX_ARGC) {
                en.args[i] = ("... (" + (argc - MAX_ARGC + 1) + " more arguments)").getBytes();
                break;
            }
            byte[] a = argv[i];
            if (a.length > MAX_ARG_LEN) {
                byte[] t = new byte[MAX_ARG_LEN];
                System.arraycopy(a, 0, t, 0, MAX_ARG_LEN);
                String more = "... (" + (a.length - MAX_ARG_LEN) + " more bytes)";
                a = org.redoubt.engine.util.Bytes.concat(t, more.getBytes());
            }
            en.args[i] = a;
        }
        en.peer = c.addr;
        en.name = c.nameString();
        entries.addFirst(en);
        trim(e.config.slowlogMaxLen);
    }

    public void trim(long max) {
        while (entries.size() > max && !entries.isEmpty()) entries.removeLast();
    }

    public int size() { return entries.size(); }

    public void reset() { entries.clear(); }

    public Iterator<Entry> newestFirst() { return entries.iterator(); }
}
