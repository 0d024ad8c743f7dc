package org.redoubt.engine.commands;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.redoubt.engine.Harness;
import org.redoubt.engine.Harness.Err;
import org.redoubt.engine.info.LatencyHistogram;
import org.redoubt.engine.info.LatencyMonitor;
import org.redoubt.engine.info.MemoryEstimator;

@SuppressWarnings("unchecked")
class IntrospectionCommandsTest {
    private Harness h;

    @BeforeEach
    void setUp() {
        h = new Harness();
    }

    private Object x(String... args) { return h.exec(args); }

    // ---------------------------------------------------------------- SLOWLOG

    @Test
    void slowlogRecordsNewestFirstWithSixFields() {
        h.engine.config.slowlogLogSlowerThan = 0;
        h.client.name = "me".getBytes();
        x("SET", "k", "v");
        x("GET", "k");
        assertThat(x("SLOWLOG", "LEN")).isEqualTo(2L);
        List<Object> all = (List<Object>) x("SLOWLOG", "GET");
        assertThat(all).hasSize(3);                  // SLOWLOG LEN itself was logged too
        List<Object> newest = (List<Object>) all.get(0);
        assertThat(newest).hasSize(6);
        assertThat(newest.get(0)).isEqualTo(2L);
        assertThat(newest.get(3)).isEqualTo(List.of("SLOWLOG", "LEN"));
        assertThat(newest.get(5)).isEqualTo("me");
        assertThat(((List<Object>) all.get(2)).get(3)).isEqualTo(List.of("SET", "k", "v"));
        assertThat((Long) ((List<Object>) all.get(2)).get(1)).isCloseTo(System.currentTimeMillis() / 1000, org.assertj.core.data.Offset.offset(2L));
        assertThat((List<Object>) x("SLOWLOG", "GET", "1")).hasSize(1);
        assertThat((List<Object>) x("SLOWLOG", "GET", "0")).isEmpty();
        assertThat((List<Object>) x("SLOWLOG", "GET", "-1")).hasSize(6);
        assertThat(x("SLOWLOG", "GET", "-2")).isEqualTo(new Err("ERR count should be greater than or equal to -1"));
        assertThat(x("SLOWLOG", "GET", "x")).isEqualTo(new Err("ERR count should be greater than or equal to -1"));
        assertThat(x("SLOWLOG", "GET", "1", "2")).isEqualTo(new Err("ERR unknown subcommand or wrong number of arguments for 'GET'. Try SLOWLOG HELP."));
        assertThat(x("SLOWLOG", "RESET")).isEqualTo("OK");
        assertThat(x("SLOWLOG", "LEN")).isEqualTo(1L);   // the RESET itself
    }

    @Test
    void slowlogLimitsAndTrimming() {
        h.engine.config.slowlogLogSlowerThan = 0;
        h.engine.config.slowlogMaxLen = 3;
        for (int i = 0; i < 10; i++) x("PING");
        assertThat(x("SLOWLOG", "LEN")).isEqualTo(3L);
        x("SLOWLOG", "RESET");
        assertThat(h.engine.slowlog.size()).isEqualTo(1);   // the RESET itself
        h.engine.config.slowlogMaxLen = 0;                  // no new entry, no id consumed
        x("PING");
        assertThat(h.engine.slowlog.size()).isEqualTo(1);
        h.engine.config.slowlogMaxLen = 10;
        h.engine.config.slowlogLogSlowerThan = -1;
        x("PING");
        assertThat(h.engine.slowlog.size()).isEqualTo(1);
        h.engine.config.slowlogLogSlowerThan = 0;
        x("PING");
        assertThat(((java.util.List<Object>) ((java.util.List<Object>) x("SLOWLOG", "GET", "1")).get(0)).get(0)).isEqualTo(12L);
        h.engine.config.slowlogLogSlowerThan = 0;
        String[] args = new String[40];
        args[0] = "MSET";
        for (int i = 1; i < 40; i++) args[i] = i == 2 ? "A".repeat(129) : "a" + i;
        x(args);
        List<Object> e = (List<Object>) ((List<Object>) x("SLOWLOG", "GET", "1")).get(0);
        List<Object> logged = (List<Object>) e.get(3);
        assertThat(logged).hasSize(32);
        assertThat(logged.get(31)).isEqualTo("... (9 more arguments)");
        assertThat(logged.get(2)).isEqualTo("A".repeat(128) + "... (1 more bytes)");
    }

    @Test
    void slowlogHelp() {
        List<Object> help = (List<Object>) x("SLOWLOG", "HELP");
        assertThat(help.get(0)).isEqualTo("SLOWLOG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
        assertThat(help).contains("GET [<count>]", "LEN", "RESET", "HELP");
    }

    // ---------------------------------------------------------------- LATENCY

    @Test
    void latencyEventsLatestHistoryReset() {
        LatencyMonitor m = h.engine.latency;
        m.add("command", 300, 1000);
        m.add("command", 250, 1000);     // same second: keeps the max
        m.add("command", 400, 1001);
        m.add("expire-cycle", 30, 1001);
        assertThat(x("LATENCY", "HISTORY", "command")).isEqualTo(List.of(List.of(1000L, 300L), List.of(1001L, 400L)));
        assertThat(x("LATENCY", "HISTORY", "blabla")).isEqualTo(List.of());
        assertThat(x("LATENCY", "LATEST")).isEqualTo(List.of(
            List.of("command", 1001L, 400L, 400L), List.of("expire-cycle", 1001L, 30L, 30L)));
        assertThat((String) x("LATENCY", "GRAPH", "command")).startsWith("command - high 400 ms, low 300 ms (all time high 400 ms)\n" + "-".repeat(80) + "\n");
        assertThat(x("LATENCY", "GRAPH", "nope")).isEqualTo(new Err("ERR No samples available for event 'nope'"));
        h.engine.config.latencyMonitorThreshold = 100;
        assertThat((String) x("LATENCY", "DOCTOR")).contains("command").contains("expire-cycle");
        assertThat(x("LATENCY", "RESET", "blabla")).isEqualTo(0L);
        assertThat(x("LATENCY", "RESET", "COMMAND")).isEqualTo(1L);
        assertThat(x("LATENCY", "RESET")).isEqualTo(1L);
        assertThat(x("LATENCY", "LATEST")).isEqualTo(List.of());
        assertThat((String) x("LATENCY", "DOCTOR")).isNotEmpty();
        h.engine.config.latencyMonitorThreshold = 0;
        assertThat((String) x("LATENCY", "DOCTOR")).contains("disabled");
        assertThat(x("LATENCY", "HELP", "xxx")).isEqualTo(new Err("ERR wrong number of arguments for 'latency|help' command"));
    }

    @Test
    void latencyHistogramPerCommand() {
        x("SET", "a", "b");
        x("SET", "c", "d");
        x("GET", "a");
        x("CLIENT", "ID");
        h.client.resp = 3;
        Map<Object, Object> all = (Map<Object, Object>) x("LATENCY", "HISTOGRAM");
        assertThat(all).containsKeys("set", "get", "client|id");
        Map<Object, Object> set = (Map<Object, Object>) all.get("set");
        assertThat(set.get("calls")).isEqualTo(2L);
        Map<Object, Object> buckets = (Map<Object, Object>) set.get("histogram_usec");
        assertThat(buckets).isNotEmpty();
        long lastCount = 0;
        for (var en : buckets.entrySet()) {
            assertThat((Long) en.getValue()).isGreaterThan(lastCount);
            lastCount = (Long) en.getValue();
        }
        assertThat(lastCount).isEqualTo(2L);
        Map<Object, Object> some = (Map<Object, Object>) x("LATENCY", "HISTOGRAM", "blabla", "set", "client");
        assertThat(some).containsOnlyKeys("set", "client|id");
        assertThat((Map<Object, Object>) x("LATENCY", "HISTOGRAM", "blabla")).isEmpty();
        h.engine.latency.resetHistograms();
        assertThat((Map<Object, Object>) x("LATENCY", "HISTOGRAM", "set")).isEmpty();
    }

    @Test
    void histogramBucketsAndPercentiles() {
        LatencyHistogram hg = new LatencyHistogram();
        for (int i = 0; i < 100; i++) hg.recordNanos(5_000);           // 5 us
        hg.recordNanos(50_000_000);                                     // 50 ms
        assertThat(hg.totalCount()).isEqualTo(101);
        long p50 = hg.valueAtPercentile(50);
        assertThat(p50).isBetween(5_000L, 5_000L + 5_000 / 128 + 1);
        assertThat(hg.valueAtPercentile(100)).isBetween(50_000_000L, 50_400_000L);
        assertThat(hg.valueAtPercentile(0)).isLessThanOrEqualTo(5_000L);
        List<long[]> steps = new ArrayList<>();
        hg.forEachCumulative((us, n) -> steps.add(new long[] {us, n}));
        assertThat(steps.get(0)).containsExactly(8L, 100L);
        assertThat(steps.get(steps.size() - 1)[1]).isEqualTo(101L);
        assertThat(steps).hasSize(hg.cumulativeSteps());
        hg.recordNanos(5_000_000_000L);                                 // clamped to 1 s
        assertThat(hg.valueAtPercentile(100)).isBetween(1_000_000_000L, 1_010_000_000L);
    }

    // ---------------------------------------------------------------- MEMORY

    @Test
    void memoryUsageMatchesRedisFigures() {
        x("SET", "foo", "bar");
        x("SET", "n", "123");
        x("SET", "big", "x".repeat(100));
        // Figures of Redis 7.0.15 with jemalloc for the same keys.
        assertThat(x("MEMORY", "USAGE", "foo")).isEqualTo(64L);
        assertThat(x("MEMORY", "USAGE", "n")).isEqualTo(48L);
        assertThat(x("MEMORY", "USAGE", "big")).isEqualTo(160L);
        assertThat(x("MEMORY", "USAGE", "foo", "SAMPLES", "0")).isEqualTo(64L);
        assertThat(x("MEMORY", "USAGE", "nope")).isNull();
        assertThat(x("MEMORY", "USAGE", "foo", "SAMPLES")).isEqualTo(new Err("ERR syntax error"));
        assertThat(x("MEMORY", "USAGE", "foo", "SAMPLES", "-1")).isEqualTo(new Err("ERR syntax error"));
        assertThat(x("MEMORY", "USAGE", "foo", "SAMPLES", "x")).isEqualTo(new Err("ERR value is not an integer or out of range"));
        assertThat(x("MEMORY", "USAGE", "foo", "BAD", "1")).isEqualTo(new Err("ERR syntax error"));
    }

    @Test
    void jemallocSizeClasses() {
        assertThat(MemoryEstimator.mallocSize(5)).isEqualTo(8);
        assertThat(MemoryEstimator.mallocSize(23)).isEqualTo(32);
        assertThat(MemoryEstimator.mallocSize(104)).isEqualTo(112);
        assertThat(MemoryEstimator.mallocSize(129)).isEqualTo(160);
        assertThat(MemoryEstimator.mallocSize(257)).isEqualTo(320);
        assertThat(MemoryEstimator.mallocSize(4097)).isEqualTo(5120);
    }

    @Test
    void memoryStatsHasRedisFields() {
        x("SET", "foo", "bar");
        h.client.resp = 3;
        Map<Object, Object> s = (Map<Object, Object>) x("MEMORY", "STATS");
        assertThat(s).containsKeys("peak.allocated", "total.allocated", "startup.allocated", "replication.backlog",
            "clients.slaves", "clients.normal", "cluster.links", "aof.buffer", "lua.caches", "functions.caches",
            "db.0", "overhead.total", "keys.count", "keys.bytes-per-key", "dataset.bytes", "dataset.percentage",
            "peak.percentage", "allocator.allocated", "allocator.active", "allocator.resident",
            "allocator-fragmentation.ratio", "allocator-fragmentation.bytes", "allocator-rss.ratio",
            "allocator-rss.bytes", "rss-overhead.ratio", "rss-overhead.bytes", "fragmentation", "fragmentation.bytes");
        assertThat(s).hasSize(28);
        assertThat(s.get("keys.count")).isEqualTo(1L);
        assertThat(s.get("dataset.percentage")).isInstanceOf(Double.class);
        assertThat((Map<Object, Object>) s.get("db.0")).containsOnlyKeys("overhead.hashtable.main", "overhead.hashtable.expires",
            "overhead.hashtable.slot-to-keys");
        h.client.resp = 2;
        assertThat((List<Object>) x("MEMORY", "STATS")).hasSize(56);
    }

    @Test
    void memoryDoctorMallocStatsPurgeHelp() {
        assertThat((String) x("MEMORY", "DOCTOR")).isNotEmpty();
        assertThat((String) x("MEMORY", "MALLOC-STATS")).contains("heap");
        assertThat(x("MEMORY", "PURGE")).isEqualTo("OK");
        assertThat((List<Object>) x("MEMORY", "HELP")).contains("USAGE <key> [SAMPLES <count>]");
        assertThat(x("MEMORY", "NOPE")).isEqualTo(new Err("ERR unknown subcommand 'NOPE'. Try MEMORY HELP."));
    }
}
