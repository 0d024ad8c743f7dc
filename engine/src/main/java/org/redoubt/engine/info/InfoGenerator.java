package org.redoubt.engine.info;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.redoubt.engine.Client;
import org.redoubt.engine.Engine;
import org.redoubt.engine.Stats;
import org.redoubt.engine.command.CommandSpec;
import org.redoubt.engine.config.Config;
import org.redoubt.engine.db.Db;
import org.redoubt.engine.util.Bytes;

/**
 * The text of INFO, field for field as Redis 7.0.15's genRedisInfoString: the same sections in
 * the same order, the same "default" set, "all" (every built-in section) and "everything", and
 * case-insensitive section names.
 *
 * <h2>Contributors</h2>
 * Modules that own state shown by INFO (persistence, replication, pub/sub...) register an
 * {@link Engine.InfoContributor} in {@code engine.infoContributors}. For every section produced,
 * each contributor is asked for that section (lower-case name) with an empty buffer; when it
 * answers true, its "field:value\r\n" lines are merged into the section: a field that already
 * exists is replaced in place (keeping Redis's field order), a new field is appended. A
 * contributor may thus supply a whole section (persistence writes every rdb_and aof_ field) or
 * override a few fields (pub/sub sets pubsub_channels in stats). A requested section that is
 * not built in is produced when some contributor answers for it.
 */
public final class InfoGenerator {
    private InfoGenerator() {}

    /** Built-in sections, in output order. */
    static final String[] SECTIONS = {
        "server", "clients", "memory", "persistence", "stats", "replication", "cpu", "modules",
        "commandstats", "errorstats", "latencystats", "cluster", "keyspace",
    };
    /** Redis's default set ("module_list" stands for the modules section). */
    static final String[] DEFAULTS = {
        "server", "clients", "memory", "persistence", "stats", "replication", "cpu",
        "module_list", "errorstats", "cluster", "keyspace",
    };
    private static final String[] TITLES = {
        "Server", "Clients", "Memory", "Persistence", "Stats", "Replication", "CPU", "Modules",
        "Commandstats", "Errorstats", "Latencystats", "Cluster", "Keyspace",
    };

    /** INFO's reply for the section arguments argv[from..argc). */
    public static String generate(Engine e, byte[][] argv, int from, int argc) {
        Set<String> requested = new LinkedHashSet<>();
        boolean all = false, everything = false;
        if (argc - from == 0) {
            for (String s : DEFAULTS) requested.add(s);
        }
        for (int i = from; i < argc; i++) {
            String s = Bytes.lower(argv[i]);
            switch (s) {
                case "default" -> { for (String d : DEFAULTS) requested.add(d); }
                case "all" -> all = true;
                case "everything" -> { everything = true; all = true; }
                default -> requested.add(s);
            }
        }
        return generate(e, requested, all, everything);
    }

    public static String generate(Engine e, Set<String> requested, boolean all, boolean everything) {
        StringBuilder out = new StringBuilder(4096);
        int sections = 0;
        for (int i = 0; i < SECTIONS.length; i++) {
            String name = SECTIONS[i];
            boolean want = all || requested.contains(name)
                || (name.equals("modules") && requested.contains("module_list"));
            if (!want) continue;
            if (sections++ > 0) out.append("\r\n");
            out.append("# ").append(TITLES[i]).append("\r\n");
            StringBuilder body = new StringBuilder(512);
            section(e, name, body);
            out.append(contribute(e, name, body));
        }
        // Sections only a module knows about (never produced for plain "all", as Redis).
        for (String name : requested) {
            if (isBuiltIn(name) || name.equals("module_list")) continue;
            StringBuilder body = contribute(e, name, new StringBuilder());
            if (body.length() == 0) continue;
            if (sections++ > 0) out.append("\r\n");
            out.append("# ").append(Character.toUpperCase(name.charAt(0))).append(name, 1, name.length()).append("\r\n");
            out.append(body);
        }
        return out.toString();
    }

    private static boolean isBuiltIn(String name) {
        for (String s : SECTIONS) if (s.equals(name)) return true;
        return false;
    }

    private static StringBuilder contribute(Engine e, String name, StringBuilder body) {
        List<Engine.InfoContributor> cs = e.infoContributors;
        for (int i = 0; i < cs.size(); i++) {
            StringBuilder extra = new StringBuilder();
            if (cs.get(i).info(name, extra) && extra.length() > 0) body = merge(body, extra);
        }
        return body;
    }

    /** Merges "field:value\r\n" lines of extra into base: same field replaced, new appended. */
    static StringBuilder merge(StringBuilder base, StringBuilder extra) {
        List<String> lines = splitLines(base);
        for (String line : splitLines(extra)) {
            String field = fieldOf(line);
            boolean replaced = false;
            for (int i = 0; i < lines.size(); i++) {
                if (fieldOf(lines.get(i)).equals(field)) {
                    lines.set(i, line);
                    replaced = true;
                    break;
                }
            }
            if (!replaced) lines.add(line);
        }
        StringBuilder r = new StringBuilder(base.length() + extra.length());
        for (String l : lines) r.append(l).append("\r\n");
        return r;
    }

    private static List<String> splitLines(CharSequence s) {
        List<String> r = new ArrayList<>();
        int start = 0, n = s.length();
        for (int i = 0; i < n; i++) {
            char ch = s.charAt(i);
            if (ch == '\n') {
                int end = i > start && s.charAt(i - 1) == '\r' ? i - 1 : i;
                if (end > start) r.add(s.subSequence(start, end).toString());
                start = i + 1;
            }
        }
        if (start < n) r.add(s.subSequence(start, n).toString());
        return r;
    }

    private static String fieldOf(String line) {
        int c = line.indexOf(':');
        return c < 0 ? line : line.substring(0, c);
    }

    // =====================================================================================
    // Sections
    // =====================================================================================

    static void section(Engine e, String name, StringBuilder sb) {
        switch (name) {
            case "server" -> server(e, sb);
            case "clients" -> clients(e, sb);
            case "memory" -> memory(e, sb);
            case "persistence" -> persistence(e, sb);
            case "stats" -> stats(e, sb);
            case "replication" -> replication(e, sb);
            case "cpu" -> cpu(sb);
            case "modules" -> { }
            case "commandstats" -> commandStats(e, sb);
            case "errorstats" -> errorStats(e, sb);
            case "latencystats" -> latencyStats(e, sb);
            case "cluster" -> sb.append("cluster_enabled:0\r\n");
            case "keyspace" -> keyspace(e, sb);
            default -> { }
        }
    }

    private static void line(StringBuilder sb, String field, Object value) {
        sb.append(field).append(':').append(value).append("\r\n");
    }

    private static void server(Engine e, StringBuilder sb) {
        Config c = e.config;
        long uptime = e.uptimeSeconds();
        line(sb, "redis_version", ServerInfo.REDIS_VERSION);
        line(sb, "redoubt_version", ServerInfo.REDOUBT_VERSION);
        line(sb, "redis_git_sha1", "00000000");
        line(sb, "redis_git_dirty", 0);
        line(sb, "redis_build_id", "0");
        line(sb, "redis_mode", "standalone");
        line(sb, "os", ProcessStats.os());
        line(sb, "arch_bits", 64);
        line(sb, "monotonic_clock", "JVM System.nanoTime");
        line(sb, "multiplexing_api", ServerInfo.multiplexingApi());
        line(sb, "atomicvar_api", "java-atomic");
        line(sb, "gcc_version", "0.0.0");
        line(sb, "process_id", ProcessHandle.current().pid());
        line(sb, "process_supervised", "no");
        line(sb, "run_id", e.runId);
        line(sb, "tcp_port", c.port);
        java.time.Instant now = java.time.Instant.now();
        line(sb, "server_time_usec", now.getEpochSecond() * 1_000_000 + now.getNano() / 1000);
        line(sb, "uptime_in_seconds", uptime);
        line(sb, "uptime_in_days", uptime / 86400);
        line(sb, "hz", c.hz);
        line(sb, "configured_hz", c.hz);
        line(sb, "lru_clock", e.lruClock());
        line(sb, "executable", executable());
        line(sb, "config_file", e.configFile == null ? "" : e.configFile.toAbsolutePath().toString());
        line(sb, "io_threads_active", 0);
    }

    private static String executable() {
        String p = System.getProperty("redoubt.executable");
        if (p != null) return p;
        return ProcessHandle.current().info().command().orElse("");
    }

    private static void clients(Engine e, StringBuilder sb) {
        int replicas = 0, blocked = 0, tracking = 0, timeouts = 0;
        long maxIn = 0, maxOut = 0;
        for (Client c : e.clients.values()) {
            if (c.has(Client.F_REPLICA)) replicas++;
            if (c.has(Client.F_BLOCKED)) {
                blocked++;
                if (c.blockedUntilMs > 0) timeouts++;
            } else if (c.has(Client.F_PAUSED)) {
                // Redis 7.0 holds a paused client as blocked (BLOCKED_POSTPONE) and counts it.
                blocked++;
            }
            if (c.has(Client.F_TRACKING)) tracking++;
            maxIn = Math.max(maxIn, (long) c.qbuf + c.qbufFree);
            maxOut = Math.max(maxOut, c.pendingWriteBytes + (c.out == null ? 0 : c.out.readableBytes()));
        }
        line(sb, "connected_clients", e.clients.size() - replicas);
        line(sb, "cluster_connections", 0);
        line(sb, "maxclients", e.config.maxclients);
        line(sb, "client_recent_max_input_buffer", maxIn);
        line(sb, "client_recent_max_output_buffer", maxOut);
        line(sb, "blocked_clients", blocked);
        line(sb, "tracking_clients", tracking);
        line(sb, "clients_in_timeout_table", timeouts);
        // Redis 7.2 field, reported here too: distinct keys that blocked clients wait for.
        line(sb, "total_blocking_keys", e.blocking.totalBlockingKeys());
    }

    /** Bytes buffered for clients (query and reply buffers): part of the memory overhead. */
    public static long clientMemory(Engine e) {
        long sum = 0;
        for (Client c : e.clients.values()) {
            sum += (long) c.qbuf + c.qbufFree + c.pendingWriteBytes + (c.out == null ? 0 : c.out.capacity());
        }
        return sum;
    }

    /** The figures behind INFO memory and MEMORY STATS, computed once per call. */
    public static final class Memory {
        public long used, rss, peak, startup, overhead, dataset, clients, allocated, active, resident, totalSystem;
        public double peakPerc, datasetPerc;
        public long keys;

        public static Memory of(Engine e) {
            Memory m = new Memory();
            ServerInfo si = ServerInfo.of(e);
            m.used = si.samplePeak(e.nowMs());
            m.peak = si.peakMemory;
            m.rss = ProcessStats.rss();
            m.startup = Math.min(si.startupMemory, m.used);
            m.clients = clientMemory(e);
            m.overhead = m.startup + m.clients;
            for (Db db : e.dbs()) {
                m.keys += db.size();
                // Per key: a map slot (key reference, value reference, meta) and its share of
                // trie nodes; per expire: the same plus a boxed Long.
                m.overhead += db.size() * 24L + db.expiresSize() * 40L;
            }
            if (m.overhead > m.used) m.overhead = m.used;
            m.dataset = m.used - m.overhead;
            long net = m.used - m.startup;
            m.datasetPerc = net > 0 ? m.dataset * 100.0 / net : 0;
            m.peakPerc = m.peak > 0 ? m.used * 100.0 / m.peak : 0;
            m.allocated = m.used;
            m.active = Math.max(m.used, ProcessStats.heapCommitted());
            m.resident = Math.max(m.rss, m.active);
            m.totalSystem = ProcessStats.totalSystemMemory();
            return m;
        }

        public double allocatorFrag() { return allocated > 0 ? (double) active / allocated : 0; }

        public double allocatorRss() { return active > 0 ? (double) resident / active : 0; }

        public double rssOverhead() { return resident > 0 ? (double) rss / resident : 0; }

        public double fragmentation() { return used > 0 ? (double) rss / used : 0; }
    }

    private static void memory(Engine e, StringBuilder sb) {
        Memory m = Memory.of(e);
        Config c = e.config;
        line(sb, "used_memory", m.used);
        line(sb, "used_memory_human", human(m.used));
        line(sb, "used_memory_rss", m.rss);
        line(sb, "used_memory_rss_human", human(m.rss));
        line(sb, "used_memory_peak", m.peak);
        line(sb, "used_memory_peak_human", human(m.peak));
        line(sb, "used_memory_peak_perc", f2(m.peakPerc) + "%");
        line(sb, "used_memory_overhead", m.overhead);
        line(sb, "used_memory_startup", m.startup);
        line(sb, "used_memory_dataset", m.dataset);
        line(sb, "used_memory_dataset_perc", f2(m.datasetPerc) + "%");
        line(sb, "allocator_allocated", m.allocated);
        line(sb, "allocator_active", m.active);
        line(sb, "allocator_resident", m.resident);
        line(sb, "total_system_memory", m.totalSystem);
        line(sb, "total_system_memory_human", human(m.totalSystem));
        line(sb, "used_memory_lua", 0);
        line(sb, "used_memory_vm_eval", 0);
        line(sb, "used_memory_lua_human", human(0));
        line(sb, "used_memory_scripts_eval", 0);
        line(sb, "number_of_cached_scripts", 0);
        line(sb, "number_of_functions", 0);
        line(sb, "number_of_libraries", 0);
        line(sb, "used_memory_vm_functions", 0);
        line(sb, "used_memory_vm_total", 0);
        line(sb, "used_memory_vm_total_human", human(0));
        line(sb, "used_memory_functions", 0);
        line(sb, "used_memory_scripts", 0);
        line(sb, "used_memory_scripts_human", human(0));
        line(sb, "maxmemory", c.maxmemory);
        line(sb, "maxmemory_human", human(c.maxmemory));
        line(sb, "maxmemory_policy", c.maxmemoryPolicy);
        line(sb, "allocator_frag_ratio", f2(m.allocatorFrag()));
        line(sb, "allocator_frag_bytes", m.active - m.allocated);
        line(sb, "allocator_rss_ratio", f2(m.allocatorRss()));
        line(sb, "allocator_rss_bytes", m.resident - m.active);
        line(sb, "rss_overhead_ratio", f2(m.rssOverhead()));
        line(sb, "rss_overhead_bytes", m.rss - m.resident);
        line(sb, "mem_fragmentation_ratio", f2(m.fragmentation()));
        line(sb, "mem_fragmentation_bytes", m.rss - m.used);
        line(sb, "mem_not_counted_for_evict", 0);
        line(sb, "mem_replication_backlog", 0);
        line(sb, "mem_total_replication_buffers", 0);
        line(sb, "mem_clients_slaves", 0);
        line(sb, "mem_clients_normal", m.clients);
        line(sb, "mem_cluster_links", 0);
        line(sb, "mem_aof_buffer", 0);
        line(sb, "mem_allocator", "jvm-" + Runtime.version().feature());
        line(sb, "active_defrag_running", 0);
        line(sb, "lazyfree_pending_objects", 0);
        line(sb, "lazyfreed_objects", 0);
    }

    private static void persistence(Engine e, StringBuilder sb) {
        line(sb, "loading", e.loading ? 1 : 0);
        line(sb, "async_loading", 0);
        line(sb, "current_cow_peak", 0);
        line(sb, "current_cow_size", 0);
        line(sb, "current_cow_size_age", 0);
        line(sb, "current_fork_perc", "0.00");
        line(sb, "current_save_keys_processed", 0);
        line(sb, "current_save_keys_total", 0);
        line(sb, "rdb_changes_since_last_save", e.dirty);
        line(sb, "rdb_bgsave_in_progress", 0);
        line(sb, "rdb_last_save_time", e.startTimeMs / 1000);
        line(sb, "rdb_last_bgsave_status", "ok");
        line(sb, "rdb_last_bgsave_time_sec", -1);
        line(sb, "rdb_current_bgsave_time_sec", -1);
        line(sb, "rdb_saves", 0);
        line(sb, "rdb_last_cow_size", 0);
        line(sb, "rdb_last_load_keys_expired", 0);
        line(sb, "rdb_last_load_keys_loaded", 0);
        line(sb, "aof_enabled", 0);
        line(sb, "aof_rewrite_in_progress", 0);
        line(sb, "aof_rewrite_scheduled", 0);
        line(sb, "aof_last_rewrite_time_sec", -1);
        line(sb, "aof_current_rewrite_time_sec", -1);
        line(sb, "aof_last_bgrewrite_status", "ok");
        line(sb, "aof_rewrites", 0);
        line(sb, "aof_rewrites_consecutive_failures", 0);
        line(sb, "aof_last_write_status", "ok");
        line(sb, "aof_last_cow_size", 0);
        line(sb, "module_fork_in_progress", 0);
        line(sb, "module_fork_last_cow_size", 0);
    }

    private static void stats(Engine e, StringBuilder sb) {
        Stats s = e.stats;
        line(sb, "total_connections_received", s.totalConnectionsReceived);
        line(sb, "total_commands_processed", s.totalCommandsProcessed);
        line(sb, "instantaneous_ops_per_sec", s.instantaneous(Stats.M_COMMANDS));
        line(sb, "total_net_input_bytes", s.netInputBytes);
        line(sb, "total_net_output_bytes", s.netOutputBytes);
        line(sb, "total_net_repl_input_bytes", 0);
        line(sb, "total_net_repl_output_bytes", 0);
        line(sb, "instantaneous_input_kbps", f2((float) s.instantaneous(Stats.M_NET_IN) / 1024));
        line(sb, "instantaneous_output_kbps", f2((float) s.instantaneous(Stats.M_NET_OUT) / 1024));
        line(sb, "instantaneous_input_repl_kbps", "0.00");
        line(sb, "instantaneous_output_repl_kbps", "0.00");
        line(sb, "rejected_connections", s.rejectedConnections);
        line(sb, "sync_full", 0);
        line(sb, "sync_partial_ok", 0);
        line(sb, "sync_partial_err", 0);
        line(sb, "expired_keys", s.expiredKeys);
        line(sb, "expired_stale_perc", f2(s.expiredStalePerc));
        line(sb, "expired_time_cap_reached_count", s.expiredTimeCapReached);
        line(sb, "expire_cycle_cpu_milliseconds", s.expireCycleCpuMilliseconds);
        line(sb, "evicted_keys", s.evictedKeys);
        line(sb, "evicted_clients", s.evictedClients);
        line(sb, "total_eviction_exceeded_time", 0);
        line(sb, "current_eviction_exceeded_time", 0);
        line(sb, "keyspace_hits", s.keyspaceHits);
        line(sb, "keyspace_misses", s.keyspaceMisses);
        line(sb, "pubsub_channels", 0);
        line(sb, "pubsub_patterns", 0);
        line(sb, "pubsubshard_channels", 0);
        line(sb, "latest_fork_usec", s.latestForkUsec);
        line(sb, "total_forks", s.totalForks);
        line(sb, "migrate_cached_sockets", 0);
        line(sb, "slave_expires_tracked_keys", 0);
        line(sb, "active_defrag_hits", 0);
        line(sb, "active_defrag_misses", 0);
        line(sb, "active_defrag_key_hits", 0);
        line(sb, "active_defrag_key_misses", 0);
        line(sb, "total_active_defrag_time", 0);
        line(sb, "current_active_defrag_time", 0);
        line(sb, "tracking_total_keys", s.trackingTotalKeys);
        line(sb, "tracking_total_items", 0);
        line(sb, "tracking_total_prefixes", 0);
        line(sb, "unexpected_error_replies", s.unexpectedErrorReplies);
        line(sb, "total_error_replies", s.totalErrorReplies);
        line(sb, "dump_payload_sanitizations", s.dumpPayloadSanitizations);
        line(sb, "total_reads_processed", s.totalReadsProcessed);
        line(sb, "total_writes_processed", s.totalWritesProcessed);
        line(sb, "io_threaded_reads_processed", s.ioReadsProcessed);
        line(sb, "io_threaded_writes_processed", s.ioWritesProcessed);
        line(sb, "reply_buffer_shrinks", 0);
        line(sb, "reply_buffer_expands", 0);
    }

    private static void replication(Engine e, StringBuilder sb) {
        ServerInfo si = ServerInfo.of(e);
        Config c = e.config;
        if (c.replicaofHost == null) {
            line(sb, "role", "master");
        } else {
            line(sb, "role", "slave");
            line(sb, "master_host", c.replicaofHost);
            line(sb, "master_port", c.replicaofPort);
            line(sb, "master_link_status", "down");
            line(sb, "master_last_io_seconds_ago", -1);
            line(sb, "master_sync_in_progress", 0);
            line(sb, "slave_read_repl_offset", 1);
            line(sb, "slave_repl_offset", 1);
            line(sb, "master_link_down_since_seconds", -1);
            line(sb, "slave_priority", c.replicaPriority);
            line(sb, "slave_read_only", c.replicaReadOnly ? 1 : 0);
            line(sb, "replica_announced", 1);
        }
        line(sb, "connected_slaves", 0);
        line(sb, "master_failover_state", "no-failover");
        line(sb, "master_replid", si.replId);
        line(sb, "master_replid2", si.replId2);
        line(sb, "master_repl_offset", 0);
        line(sb, "second_repl_offset", si.secondReplOffset);
        line(sb, "repl_backlog_active", 0);
        line(sb, "repl_backlog_size", ServerInfo.DEFAULT_BACKLOG_SIZE);
        line(sb, "repl_backlog_first_byte_offset", 0);
        line(sb, "repl_backlog_histlen", 0);
    }

    private static void cpu(StringBuilder sb) {
        long[] p = ProcessStats.cpuMicros();
        long[] t = ProcessStats.threadCpuMicros();
        line(sb, "used_cpu_sys", ProcessStats.seconds(p[0]));
        line(sb, "used_cpu_user", ProcessStats.seconds(p[1]));
        line(sb, "used_cpu_sys_children", ProcessStats.seconds(p[2]));
        line(sb, "used_cpu_user_children", ProcessStats.seconds(p[3]));
        line(sb, "used_cpu_sys_main_thread", ProcessStats.seconds(t[0]));
        line(sb, "used_cpu_user_main_thread", ProcessStats.seconds(t[1]));
    }

    private static void commandStats(Engine e, StringBuilder sb) {
        for (CommandSpec c : e.commands.visible()) {
            commandStat(c, sb);
            for (CommandSpec s : c.subcommands.values()) commandStat(s, sb);
        }
    }

    private static void commandStat(CommandSpec c, StringBuilder sb) {
        if (c.calls == 0 && c.failedCalls == 0 && c.rejectedCalls == 0) return;
        float perCall = c.calls == 0 ? 0 : (float) c.microseconds / c.calls;
        sb.append("cmdstat_").append(safe(c.fullName)).append(":calls=").append(c.calls)
            .append(",usec=").append(c.microseconds)
            .append(",usec_per_call=").append(f2(perCall))
            .append(",rejected_calls=").append(c.rejectedCalls)
            .append(",failed_calls=").append(c.failedCalls).append("\r\n");
    }

    private static void errorStats(Engine e, StringBuilder sb) {
        for (var en : e.stats.errors.entrySet()) {
            sb.append("errorstat_").append(safe(en.getKey())).append(":count=").append(en.getValue()[0]).append("\r\n");
        }
    }

    private static void latencyStats(Engine e, StringBuilder sb) {
        if (!e.config.latencyTracking) return;
        for (CommandSpec c : e.commands.visible()) {
            latencyStat(e, c, sb);
            for (CommandSpec s : c.subcommands.values()) latencyStat(e, s, sb);
        }
    }

    private static void latencyStat(Engine e, CommandSpec c, StringBuilder sb) {
        LatencyHistogram h = e.latency.histogram(c);
        if (h == null) return;
        double[] ps = e.config.latencyTrackingInfoPercentiles;
        sb.append("latency_percentiles_usec_").append(safe(c.fullName)).append(':');
        for (int j = 0; j < ps.length; j++) {
            if (j > 0) sb.append(',');
            sb.append('p').append(trimDouble(ps[j])).append('=')
                .append(fixed(h.valueAtPercentile(ps[j]) / 1000.0, 3));
        }
        sb.append("\r\n");
    }

    private static void keyspace(Engine e, StringBuilder sb) {
        Db[] dbs = e.dbs();
        for (int j = 0; j < dbs.length; j++) {
            long keys = dbs[j].size(), vkeys = dbs[j].expiresSize();
            if (keys == 0 && vkeys == 0) continue;
            sb.append("db").append(j).append(":keys=").append(keys).append(",expires=").append(vkeys)
                .append(",avg_ttl=").append(dbs[j].avgTtl).append("\r\n");
        }
    }

    // =====================================================================================
    // Formatting as Redis's printf calls
    // =====================================================================================

    /** Names in INFO may not contain the characters INFO uses as syntax. */
    public static String safe(String s) {
        if (s.indexOf('#') < 0 && s.indexOf(':') < 0 && s.indexOf('\n') < 0 && s.indexOf('\r') < 0) return s;
        return s.replace('#', '_').replace(':', '_').replace('\n', '_').replace('\r', '_');
    }

    /** C's "%.2f". */
    public static String f2(double d) { return fixed(d, 2); }

    /** C's "%.Nf": the exact binary value rounded half-even, as glibc prints it. */
    public static String fixed(double d, int digits) {
        if (Double.isNaN(d)) return "nan";
        if (Double.isInfinite(d)) return d > 0 ? "inf" : "-inf";
        String s = new BigDecimal(d).setScale(digits, RoundingMode.HALF_EVEN).toPlainString();
        if (s.startsWith("-") && new BigDecimal(s).signum() == 0) return s; // "-0.00" as C
        return s;
    }

    /** A percentile as "%f" with trailing zeros (and a trailing dot) removed: 50, 99.9. */
    public static String trimDouble(double d) {
        String s = fixed(d, 6);
        if (s.indexOf('.') >= 0) {
            int end = s.length();
            while (s.charAt(end - 1) == '0') end--;
            if (s.charAt(end - 1) == '.') end--;
            s = s.substring(0, end);
        }
        return s;
    }

    /** Redis's bytesToHuman: 100B, 1.50K, 2.00M... */
    public static String human(long n) {
        if (n < 0) return n + "B";
        if (n < 1024) return n + "B";
        String[] units = {"K", "M", "G", "T", "P"};
        double d = n;
        long limit = 1024L * 1024;
        for (int i = 0; i < units.length; i++, limit *= 1024) {
            if (n < limit || i == units.length - 1) {
                if (i == units.length - 1 && n >= limit) return n + "B";
                return f2(d / (limit / 1024)) + units[i];
            }
        }
        return n + "B";
    }
}
