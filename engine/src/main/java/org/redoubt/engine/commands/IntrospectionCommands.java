package org.redoubt.engine.commands;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryUsage;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.redoubt.engine.Client;
import org.redoubt.engine.CommandFamily;
import org.redoubt.engine.Engine;
import org.redoubt.engine.Errors;
import org.redoubt.engine.command.CommandSpec;
import org.redoubt.engine.command.CommandTable;
import org.redoubt.engine.db.Db;
import org.redoubt.engine.info.InfoGenerator;
import org.redoubt.engine.info.LatencyHistogram;
import org.redoubt.engine.info.LatencyMonitor;
import org.redoubt.engine.info.MemoryEstimator;
import org.redoubt.engine.info.ProcessStats;
import org.redoubt.engine.info.SlowLog;
import org.redoubt.engine.util.Bytes;
import org.redoubt.protocol.Numbers;

/**
 * The diagnostics containers: SLOWLOG, LATENCY and MEMORY, with Redis 7.0's replies. The data
 * they show is collected by the engine ({@link SlowLog}, {@link LatencyMonitor}) and by
 * {@link InfoGenerator.Memory} / {@link MemoryEstimator}.
 */
public final class IntrospectionCommands implements CommandFamily {
    static final String SLOWLOG_COUNT = "ERR count should be greater than or equal to -1";

    @Override
    public void register(CommandTable t, Engine e) {
        t.bind("slowlog|get", this::slowlogGet);
        t.bind("slowlog|len", c -> c.addLong(c.engine.slowlog.size()));
        t.bind("slowlog|reset", c -> { c.engine.slowlog.reset(); c.addOk(); });
        t.bind("slowlog|help", this::slowlogHelp);

        t.bind("latency|history", this::latencyHistory);
        t.bind("latency|latest", this::latencyLatest);
        t.bind("latency|graph", this::latencyGraph);
        t.bind("latency|doctor", this::latencyDoctor);
        t.bind("latency|reset", this::latencyReset);
        t.bind("latency|histogram", this::latencyHistogram);
        t.bind("latency|help", this::latencyHelp);

        t.bind("memory|usage", this::memoryUsage);
        t.bind("memory|stats", this::memoryStats);
        t.bind("memory|doctor", this::memoryDoctor);
        t.bind("memory|malloc-stats", this::mallocStats);
        t.bind("memory|purge", c -> { System.gc(); c.addOk(); });
        t.bind("memory|help", this::memoryHelp);
    }

    // =====================================================================================
    // SLOWLOG
    // =====================================================================================

    void slowlogGet(Client c) {
        if (c.argc > 3) {
            DebugCommand.subcommandSyntaxError(c);
            return;
        }
        SlowLog log = c.engine.slowlog;
        long count = 10;
        if (c.argc == 3) {
            byte[] a = c.argv[2];
            if (!Numbers.isLong(a, 0, a.length)) {
                c.addError(SLOWLOG_COUNT);
                return;
            }
            count = Numbers.parseLong(a, 0, a.length);
            if (count < -1) {
                c.addError(SLOWLOG_COUNT);
                return;
            }
            if (count == -1) count = log.size();
        }
        int n = (int) Math.min(count, log.size());
        c.addArrayLen(n);
        Iterator<SlowLog.Entry> it = log.newestFirst();
        for (int i = 0; i < n && it.hasNext(); i++) {
            SlowLog.Entry e = it.next();
            c.addArrayLen(6);
            c.addLong(e.id);
            c.addLong(e.time);
            c.addLong(e.durationUs);
            c.addArrayLen(e.args.length);
            for (byte[] a : e.args) c.addBulk(a);
            c.addBulk(e.peer == null ? "" : e.peer);
            c.addBulk(e.name == null ? "" : e.name);
        }
    }

    void slowlogHelp(Client c) {
        c.addHelp("SLOWLOG",
            "GET [<count>]",
            "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
            "    Entries are made of:",
            "    id, timestamp, time in microseconds, arguments array, client IP and port,",
            "    client name",
            "LEN",
            "    Return the length of the slowlog.",
            "RESET",
            "    Reset the slowlog.");
    }

    // =====================================================================================
    // LATENCY
    // =====================================================================================

    void latencyHistory(Client c) {
        LatencyMonitor.Series s = c.engine.latency.events.get(Bytes.str(c.argv[2]));
        if (s == null) {
            c.addArrayLen(0);
            return;
        }
        int n = 0;
        for (long t : s.time) if (t != 0) n++;
        c.addArrayLen(n);
        for (int j = 0; j < LatencyMonitor.HISTORY; j++) {
            int i = (s.idx + j) % LatencyMonitor.HISTORY;
            if (s.time[i] == 0) continue;
            c.addArrayLen(2);
            c.addLong(s.time[i]);
            c.addLong(s.latency[i]);
        }
    }

    void latencyLatest(Client c) {
        Map<String, LatencyMonitor.Series> events = c.engine.latency.events;
        c.addArrayLen(events.size());
        for (var en : events.entrySet()) {
            LatencyMonitor.Series s = en.getValue();
            int last = (s.idx + LatencyMonitor.HISTORY - 1) % LatencyMonitor.HISTORY;
            c.addArrayLen(4);
            c.addBulk(en.getKey());
            c.addLong(s.time[last]);
            c.addLong(s.latency[last]);
            c.addLong(s.max);
        }
    }

    void latencyReset(Client c) {
        LatencyMonitor m = c.engine.latency;
        if (c.argc == 2) {
            int n = m.events.size();
            m.reset();
            c.addLong(n);
            return;
        }
        long n = 0;
        for (int j = 2; j < c.argc; j++) n += m.reset(Bytes.str(c.argv[j]));
        c.addLong(n);
    }

    void latencyHistogram(Client c) {
        Engine e = c.engine;
        List<CommandSpec> with = new ArrayList<>();
        if (c.argc == 2) {
            for (CommandSpec s : e.commands.visible()) {
                if (e.latency.histogram(s) != null) with.add(s);
                for (CommandSpec sub : s.subcommands.values()) if (e.latency.histogram(sub) != null) with.add(sub);
            }
        } else {
            for (int j = 2; j < c.argc; j++) {
                CommandSpec s = CommandCommand.byFullName(e, c.argv[j]);
                if (s == null) continue;
                if (e.latency.histogram(s) != null) with.add(s);
                for (CommandSpec sub : s.subcommands.values()) if (e.latency.histogram(sub) != null) with.add(sub);
            }
        }
        c.addMapLen(with.size());
        for (CommandSpec s : with) {
            LatencyHistogram h = e.latency.histogram(s);
            c.addBulk(s.fullName);
            c.addMapLen(2);
            c.addBulk("calls");
            c.addLong(h.totalCount());
            c.addBulk("histogram_usec");
            c.addMapLen(h.cumulativeSteps());
            h.forEachCumulative((usec, count) -> {
                c.addLong(usec);
                c.addLong(count);
            });
        }
    }

    void latencyGraph(Client c) {
        String name = Bytes.str(c.argv[2]);
        LatencyMonitor.Series s = c.engine.latency.events.get(name);
        if (s == null) {
            c.addError("ERR No samples available for event '" + name + "'");
            return;
        }
        c.addVerbatim(graph(name, s, System.currentTimeMillis() / 1000));
    }

    /**
     * An ASCII chart of an event's samples, oldest on the left: one column per sample, four rows
     * of height, and under each column how long ago it was recorded, written downwards.
     */
    static String graph(String event, LatencyMonitor.Series s, long nowSec) {
        List<long[]> samples = new ArrayList<>();
        for (int j = 0; j < LatencyMonitor.HISTORY; j++) {
            int i = (s.idx + j) % LatencyMonitor.HISTORY;
            if (s.time[i] != 0) samples.add(new long[] {s.time[i], s.latency[i]});
        }
        if (samples.size() > 80) samples = samples.subList(samples.size() - 80, samples.size());
        long min = Long.MAX_VALUE, max = 0;
        for (long[] x : samples) {
            min = Math.min(min, x[1]);
            max = Math.max(max, x[1]);
        }
        if (samples.isEmpty()) min = 0;
        StringBuilder sb = new StringBuilder();
        sb.append(event).append(" - high ").append(max).append(" ms, low ").append(min)
            .append(" ms (all time high ").append(s.max).append(" ms)\n");
        sb.append("-".repeat(80)).append('\n');
        final int rows = 4;
        int[] height = new int[samples.size()];
        for (int i = 0; i < height.length; i++) {
            long v = samples.get(i)[1];
            height[i] = max == min ? rows : (int) Math.max(1, Math.round((double) (v - min) / (max - min) * rows));
        }
        for (int r = rows; r >= 1; r--) {
            for (int h : height) sb.append(h >= r ? '#' : (r == 1 ? '_' : ' '));
            sb.append('\n');
        }
        List<String> labels = new ArrayList<>();
        int longest = 0;
        for (long[] x : samples) {
            long ago = Math.max(0, nowSec - x[0]);
            String l = ago < 60 ? ago + "s" : ago < 3600 ? ago / 60 + "m" : ago < 86400 ? ago / 3600 + "h" : ago / 86400 + "d";
            labels.add(l);
            longest = Math.max(longest, l.length());
        }
        for (int r = 0; r < longest; r++) {
            for (String l : labels) sb.append(r < l.length() ? l.charAt(r) : ' ');
            sb.append('\n');
        }
        return sb.toString();
    }

    void latencyDoctor(Client c) {
        c.addVerbatim(latencyReport(c.engine));
    }

    /** LATENCY DOCTOR: a plain-language summary of the recorded events, with advice. */
    static String latencyReport(Engine e) {
        LatencyMonitor m = e.latency;
        long threshold = e.config.latencyMonitorThreshold;
        StringBuilder sb = new StringBuilder();
        if (m.events.isEmpty() && threshold == 0) {
            sb.append("Latency monitoring is disabled on this server, so there is nothing to analyse. ")
                .append("Enable it with 'CONFIG SET latency-monitor-threshold <milliseconds>' and ask again ")
                .append("once the server has run for a while.\n");
            return sb.toString();
        }
        if (m.events.isEmpty()) {
            sb.append("No latency spike above ").append(threshold)
                .append(" ms has been recorded since the server started (or since the last LATENCY RESET). ")
                .append("Everything looks calm.\n");
            return sb.toString();
        }
        long now = System.currentTimeMillis() / 1000;
        sb.append("Latency spikes were recorded on this server. Summary per event:\n\n");
        List<String> advice = new ArrayList<>();
        int n = 0;
        for (var en : m.events.entrySet()) {
            String event = en.getKey();
            LatencyMonitor.Series s = en.getValue();
            long count = 0, sum = 0, oldest = 0;
            for (int i = 0; i < LatencyMonitor.HISTORY; i++) {
                if (s.time[i] == 0) continue;
                count++;
                sum += s.latency[i];
                if (oldest == 0 || s.time[i] < oldest) oldest = s.time[i];
            }
            long avg = count == 0 ? 0 : sum / count;
            long dev = 0;
            for (int i = 0; i < LatencyMonitor.HISTORY; i++) if (s.time[i] != 0) dev += Math.abs(s.latency[i] - avg);
            dev = count == 0 ? 0 : dev / count;
            long period = count == 0 ? 0 : Math.max(1, now - oldest);
            sb.append(++n).append(". ").append(event).append(": ").append(count).append(" spikes, average ")
                .append(avg).append(" ms (mean deviation ").append(dev).append(" ms), one every ")
                .append(InfoGenerator.f2(count == 0 ? 0 : (double) period / count)).append(" s on average; worst ever ")
                .append(s.max).append(" ms.\n");
            switch (event) {
                case "command" -> {
                    addOnce(advice, "- Slow commands are blocking the server. SLOWLOG GET shows which ones; "
                        + "prefer commands whose cost does not grow with the size of the values they touch.");
                    if (e.config.slowlogLogSlowerThan < 0) {
                        addOnce(advice, "- The slow log is disabled: 'CONFIG SET slowlog-log-slower-than "
                            + threshold * 1000 + "' records the commands behind these spikes.");
                    } else if (e.config.slowlogLogSlowerThan / 1000 > threshold) {
                        addOnce(advice, "- The slow log only keeps commands slower than the latency threshold: "
                            + "'CONFIG SET slowlog-log-slower-than " + threshold * 1000 + "' aligns them.");
                    }
                    addOnce(advice, "- Deleting, expiring or evicting very large keys takes time proportional to "
                        + "their size; splitting them into smaller keys (or UNLINK) keeps pauses short.");
                }
                case "fast-command" -> addOnce(advice, "- Even O(1) commands were slow: the machine is likely "
                    + "overloaded or the JVM paused (garbage collection, CPU steal). Check the GC log and the host load.");
                case "expire-cycle" -> {
                    addOnce(advice, "- Active expiry took long: many keys expire at the same moment. Spreading "
                        + "their TTLs, or a higher 'hz', makes the work more incremental.");
                    addOnce(advice, "- Deleting, expiring or evicting very large keys takes time proportional to "
                        + "their size; splitting them into smaller keys (or UNLINK) keeps pauses short.");
                }
                case "eviction-del", "eviction-cycle" -> addOnce(advice, "- Eviction caused pauses: maxmemory is "
                    + "reached often. A larger maxmemory, or fewer large writes at once, reduces the pressure.");
                default -> {
                    if (event.startsWith("aof") || event.startsWith("rdb") || event.startsWith("fork")) {
                        addOnce(advice, "- Persistence caused pauses: a local, fast disk (SSD) and a relaxed "
                            + "appendfsync policy reduce them.");
                    }
                }
            }
        }
        if (ProcessStats.anonHugePages() > 0) {
            addOnce(advice, "- Transparent huge pages are in use by this process; they can cause latency "
                + "spikes. Consider 'echo never > /sys/kernel/mm/transparent_hugepage/enabled'.");
        }
        if (advice.isEmpty()) {
            sb.append("\nThere is no specific advice for these events.\n");
        } else {
            sb.append("\nAdvice:\n\n");
            for (String a : advice) sb.append(a).append('\n');
        }
        return sb.toString();
    }

    private static void addOnce(List<String> l, String s) { if (!l.contains(s)) l.add(s); }

    void latencyHelp(Client c) {
        c.addHelp("LATENCY",
            "DOCTOR",
            "    Return a human readable latency analysis report.",
            "GRAPH <event>",
            "    Return an ASCII latency graph for the <event> class.",
            "HISTORY <event>",
            "    Return time-latency samples for the <event> class.",
            "LATEST",
            "    Return the latest latency samples for all events.",
            "RESET [<event> ...]",
            "    Reset latency data of one or more <event> classes.",
            "    (default: reset all data for all event classes)",
            "HISTOGRAM [COMMAND ...]",
            "    Return a cumulative distribution of latencies in the format of a histogram for the specified command names.",
            "    If no commands are specified then all histograms are replied.");
    }

    // =====================================================================================
    // MEMORY
    // =====================================================================================

    void memoryUsage(Client c) {
        long samples = 5;
        for (int j = 3; j < c.argc; j++) {
            if (Bytes.equalsIgnoreCase(c.argv[j], "samples") && j + 1 < c.argc) {
                byte[] a = c.argv[j + 1];
                if (!Numbers.isLong(a, 0, a.length)) {
                    c.addError(Errors.NOT_INTEGER);
                    return;
                }
                samples = Numbers.parseLong(a, 0, a.length);
                if (samples < 0) {
                    c.addError(Errors.SYNTAX);
                    return;
                }
                if (samples == 0) samples = Long.MAX_VALUE;
                j++;
            } else {
                c.addError(Errors.SYNTAX);
                return;
            }
        }
        byte[] key = c.argv[2];
        // Like Redis, a key past its TTL but not yet reclaimed still has a size.
        Object v = c.db.mainMap().get(key);
        if (v == null) {
            c.addNull();
            return;
        }
        c.addLong(MemoryEstimator.keyUsage(key, v, samples));
    }

    void memoryStats(Client c) {
        Engine e = c.engine;
        InfoGenerator.Memory m = InfoGenerator.Memory.of(e);
        List<Db> withKeys = new ArrayList<>();
        for (Db db : e.dbs()) if (db.size() > 0) withKeys.add(db);
        c.addMapLen(27 + withKeys.size());
        pair(c, "peak.allocated", m.peak);
        pair(c, "total.allocated", m.used);
        pair(c, "startup.allocated", m.startup);
        pair(c, "replication.backlog", 0);
        pair(c, "clients.slaves", 0);
        pair(c, "clients.normal", m.clients);
        pair(c, "cluster.links", 0);
        pair(c, "aof.buffer", 0);
        pair(c, "lua.caches", 0);
        pair(c, "functions.caches", 0);
        for (Db db : withKeys) {
            c.addBulk("db." + db.id);
            c.addMapLen(3);
            pair(c, "overhead.hashtable.main", db.size() * 24L);
            pair(c, "overhead.hashtable.expires", db.expiresSize() * 40L);
            pair(c, "overhead.hashtable.slot-to-keys", 0);
        }
        pair(c, "overhead.total", m.overhead);
        pair(c, "keys.count", m.keys);
        pair(c, "keys.bytes-per-key", m.keys == 0 ? 0 : (m.used - m.startup) / m.keys);
        pair(c, "dataset.bytes", m.dataset);
        c.addBulk("dataset.percentage");
        c.addDouble((float) m.datasetPerc);
        c.addBulk("peak.percentage");
        c.addDouble((float) m.peakPerc);
        pair(c, "allocator.allocated", m.allocated);
        pair(c, "allocator.active", m.active);
        pair(c, "allocator.resident", m.resident);
        c.addBulk("allocator-fragmentation.ratio");
        c.addDouble((float) m.allocatorFrag());
        pair(c, "allocator-fragmentation.bytes", m.active - m.allocated);
        c.addBulk("allocator-rss.ratio");
        c.addDouble((float) m.allocatorRss());
        pair(c, "allocator-rss.bytes", m.resident - m.active);
        c.addBulk("rss-overhead.ratio");
        c.addDouble((float) m.rssOverhead());
        pair(c, "rss-overhead.bytes", m.rss - m.resident);
        c.addBulk("fragmentation");
        c.addDouble((float) m.fragmentation());
        pair(c, "fragmentation.bytes", m.rss - m.used);
    }

    private static void pair(Client c, String name, long v) {
        c.addBulk(name);
        c.addLong(v);
    }

    void memoryDoctor(Client c) {
        c.addVerbatim(memoryReport(c.engine));
    }

    /** MEMORY DOCTOR: the conditions worth a human's attention, in plain language. */
    static String memoryReport(Engine e) {
        InfoGenerator.Memory m = InfoGenerator.Memory.of(e);
        StringBuilder sb = new StringBuilder();
        // On the JVM the startup heap (classes, buffers, JIT) is not data: judge what came after it.
        if (m.used - m.startup < 5L * 1024 * 1024) {
            sb.append("This server holds very little data (").append(InfoGenerator.human(Math.max(0, m.used - m.startup)))
                .append(" above its startup footprint), too little for a meaningful memory analysis. ")
                .append("Come back once it stores a real dataset.\n");
            return sb.toString();
        }
        List<String> issues = new ArrayList<>();
        if (m.peak > 0 && m.used * 100 / m.peak < 67) {
            issues.add("- Memory use peaked at " + InfoGenerator.human(m.peak) + ", well above the current "
                + InfoGenerator.human(m.used) + ". The JVM keeps heap it grew into for a while; MEMORY PURGE asks it to give memory back.");
        }
        long committed = ProcessStats.heapCommitted();
        if (committed > m.used * 3 / 2 && committed - m.used > 64L * 1024 * 1024) {
            issues.add("- The heap holds " + InfoGenerator.human(committed) + " from the OS for " + InfoGenerator.human(m.used)
                + " in use: free space or garbage not yet collected. MEMORY PURGE runs a collection.");
        }
        if (m.rss > 0 && m.rss < m.used) {
            issues.add("- The resident size is below the memory in use: part of the heap is swapped out. "
                + "Swapping makes latency unpredictable; give the machine more RAM or lower maxmemory.");
        }
        long clients = e.clients.size();
        if (clients > 0 && m.clients / clients > 200 * 1024) {
            issues.add("- Connected clients hold " + InfoGenerator.human(m.clients) + " of buffers ("
                + InfoGenerator.human(m.clients / clients) + " per client on average): large pipelines or slow readers. "
                + "Check CLIENT LIST and client-output-buffer-limit.");
        }
        if (e.config.maxmemory > 0 && m.used > e.config.maxmemory) {
            issues.add("- Memory in use is above maxmemory (" + InfoGenerator.human(e.config.maxmemory)
                + "); with policy " + e.config.maxmemoryPolicy + " writes may fail or keys be evicted.");
        }
        if (issues.isEmpty()) {
            sb.append("No memory problem detected: the figures in INFO memory look healthy.\n");
        } else {
            sb.append("Some memory figures deserve a look:\n\n");
            for (String i : issues) sb.append(i).append('\n');
        }
        return sb.toString();
    }

    void mallocStats(Client c) {
        StringBuilder sb = new StringBuilder();
        sb.append("JVM memory pools (").append(Runtime.version()).append(")\n");
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            MemoryUsage u = p.getUsage();
            if (u == null) continue;
            sb.append(String.format(java.util.Locale.ROOT, "%-32s %-16s used: %12d committed: %12d max: %12d%n",
                p.getName(), p.getType(), u.getUsed(), u.getCommitted(), u.getMax()));
        }
        Runtime rt = Runtime.getRuntime();
        sb.append("heap: used ").append(rt.totalMemory() - rt.freeMemory()).append(" committed ")
            .append(rt.totalMemory()).append(" max ").append(rt.maxMemory()).append('\n');
        c.addVerbatim(sb.toString());
    }

    void memoryHelp(Client c) {
        c.addHelp("MEMORY",
            "DOCTOR",
            "    Return memory problems reports.",
            "MALLOC-STATS",
            "    Return internal statistics report from the memory allocator.",
            "PURGE",
            "    Attempt to purge dirty pages for reclamation by the allocator.",
            "STATS",
            "    Return information about the memory usage of the server.",
            "USAGE <key> [SAMPLES <count>]",
            "    Return memory in bytes used by <key> and its value. Nested values are",
            "    sampled up to <count> times (default: 5, 0 means sample all).");
    }
}
