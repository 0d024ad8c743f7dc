package org.redoubt.engine.commands;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.redoubt.engine.Client;
import org.redoubt.engine.Engine;
import org.redoubt.engine.Harness;
import org.redoubt.engine.Harness.Err;
import org.redoubt.engine.info.InfoGenerator;
import org.redoubt.engine.info.ServerInfo;

@SuppressWarnings("unchecked")
class ServerCommandsTest {
    private Harness h;

    @BeforeEach
    void setUp() {
        h = new Harness();
    }

    private Object x(String... args) { return h.exec(args); }

    private String info(String... sections) {
        String[] a = new String[sections.length + 1];
        a[0] = "INFO";
        System.arraycopy(sections, 0, a, 1, sections.length);
        return (String) x(a);
    }

    private static String field(String info, String name) {
        Matcher m = Pattern.compile("\r\n" + Pattern.quote(name) + ":(.*?)\r\n").matcher("\r\n" + info);
        return m.find() ? m.group(1) : null;
    }

    // ---------------------------------------------------------------- INFO sections

    @Test
    void defaultInfoHasTheDefaultSectionsInRedisOrder() {
        String info = info();
        assertThat(info).startsWith("# Server\r\nredis_version:7.0.15\r\n");
        int last = -1;
        for (String s : new String[] {"# Server", "# Clients", "# Memory", "# Persistence", "# Stats",
            "# Replication", "# CPU", "# Modules", "# Errorstats", "# Cluster", "# Keyspace"}) {
            int at = info.indexOf(s + "\r\n");
            assertThat(at).as(s).isGreaterThan(last);
            last = at;
        }
        assertThat(info).doesNotContain("# Commandstats").doesNotContain("# Latencystats");
        assertThat(info).contains("\r\n\r\n# Clients\r\n");
        assertThat(info).endsWith("\r\n");
        assertThat(info(("default"))).doesNotContain("rejected_calls");
    }

    @Test
    void allAndEverythingIncludeCommandStatsOnce() {
        x("SET", "a", "b");
        for (String arg : new String[] {"all", "everything"}) {
            String info = info(arg);
            assertThat(info).contains("# Commandstats").contains("# Latencystats").contains("rejected_calls");
            assertThat(info.indexOf("used_cpu_user_children")).isEqualTo(info.lastIndexOf("used_cpu_user_children"));
        }
        String both = info("cpu", "all");
        assertThat(both.indexOf("used_cpu_user_children")).isEqualTo(both.lastIndexOf("used_cpu_user_children"));
        String cpuDefault = info("cpu", "default");
        assertThat(cpuDefault).contains("used_memory:").contains("master_repl_offset").doesNotContain("rejected_calls");
    }

    @Test
    void sectionNamesAreCaseInsensitiveAndUnknownOnesAreEmpty() {
        String cpu = info("CPU");
        assertThat(cpu).startsWith("# CPU\r\n").contains("used_cpu_user:").doesNotContain("used_memory");
        assertThat(cpu).containsPattern("used_cpu_sys:\\d+\\.\\d{6}\r\n");
        assertThat(info("sentinel")).isEmpty();
        assertThat(info("cpu", "sentinel")).contains("used_cpu_user").doesNotContain("master_repl_offset");
        x("SET", "k", "v");
        assertThat(info("commandSTATS")).startsWith("# Commandstats\r\n").contains("cmdstat_set:");
    }

    @Test
    void serverSectionFields() {
        String s = info("server");
        assertThat(field(s, "redis_mode")).isEqualTo("standalone");
        assertThat(field(s, "arch_bits")).isEqualTo("64");
        assertThat(field(s, "run_id")).isEqualTo(h.engine.runId);
        assertThat(field(s, "process_id")).isEqualTo(Long.toString(ProcessHandle.current().pid()));
        assertThat(field(s, "tcp_port")).isEqualTo("6379");
        assertThat(field(s, "redoubt_version")).isEqualTo(ServerInfo.REDOUBT_VERSION);
        assertThat(field(s, "hz")).isEqualTo("10");
        assertThat(field(s, "multiplexing_api")).isNotEmpty();
        assertThat(field(s, "config_file")).isEmpty();
        assertThat(s).contains("\r\nuptime_in_days:0\r\n").contains("\r\nlru_clock:");
    }

    @Test
    void clientsAndStatsCounters() {
        String c = info("clients");
        assertThat(field(c, "connected_clients")).isEqualTo("0");   // internal clients are not connections
        assertThat(field(c, "maxclients")).isEqualTo("10000");
        assertThat(field(c, "blocked_clients")).isEqualTo("0");
        x("SET", "k", "v");
        x("GET", "k");
        x("GET", "nope");
        String s = info("stats");
        assertThat(field(s, "keyspace_hits")).isEqualTo("1");
        assertThat(field(s, "keyspace_misses")).isEqualTo("1");
        assertThat(Long.parseLong(field(s, "total_commands_processed"))).isGreaterThanOrEqualTo(3);
        assertThat(field(s, "instantaneous_input_kbps")).matches("\\d+\\.\\d\\d");
    }

    @Test
    void memoryPersistenceReplicationClusterKeyspace() {
        String m = info("memory");
        assertThat(Long.parseLong(field(m, "used_memory"))).isPositive();
        assertThat(field(m, "used_memory_human")).matches("[0-9.]+[BKMGTP]");
        assertThat(field(m, "maxmemory_policy")).isEqualTo("noeviction");
        assertThat(field(m, "mem_fragmentation_ratio")).matches("\\d+\\.\\d\\d");
        assertThat(field(m, "used_memory_peak_perc")).endsWith("%");

        String p = info("persistence");
        assertThat(field(p, "loading")).isEqualTo("0");
        assertThat(field(p, "rdb_bgsave_in_progress")).isEqualTo("0");
        assertThat(field(p, "aof_enabled")).isEqualTo("0");
        assertThat(field(p, "rdb_last_bgsave_status")).isEqualTo("ok");

        String r = info("replication");
        assertThat(field(r, "role")).isEqualTo("master");
        assertThat(field(r, "connected_slaves")).isEqualTo("0");
        assertThat(field(r, "master_failover_state")).isEqualTo("no-failover");
        assertThat(field(r, "master_replid")).matches("[0-9a-f]{40}");
        assertThat(field(r, "master_replid2")).isEqualTo("0".repeat(40));
        assertThat(field(r, "second_repl_offset")).isEqualTo("-1");
        assertThat(field(r, "repl_backlog_active")).isEqualTo("0");

        assertThat(info("cluster")).isEqualTo("# Cluster\r\ncluster_enabled:0\r\n");

        assertThat(info("keyspace")).isEqualTo("# Keyspace\r\n");
        x("SET", "a", "1");
        x("SET", "b", "2");
        x("PEXPIRE", "b", "100000");
        assertThat(info("keyspace")).isEqualTo("# Keyspace\r\ndb0:keys=2,expires=1,avg_ttl=0\r\n");
    }

    @Test
    void commandStatsErrorStatsAndLatencyStats() {
        x("SET", "k", "v");
        x("SET", "k", "v2");
        x("SET", "k");                        // rejected: wrong arity
        x("NOSUCHCOMMAND");
        String cs = info("commandstats");
        assertThat(cs).containsPattern("\r\ncmdstat_set:calls=2,usec=\\d+,usec_per_call=\\d+\\.\\d\\d,rejected_calls=1,failed_calls=0\r\n");
        x("CLIENT", "ID");
        assertThat(info("commandstats")).contains("cmdstat_client|id:calls=1,");
        String es = info("errorstats");
        assertThat(es).contains("errorstat_ERR:count=2\r\n");
        String ls = info("latencystats");
        assertThat(ls).containsPattern("latency_percentiles_usec_set:p50=\\d+\\.\\d{3},p99=\\d+\\.\\d{3},p99\\.9=\\d+\\.\\d{3}\r\n");
        h.engine.config.latencyTrackingInfoPercentiles = new double[] {0.0, 50.0, 100.0};
        assertThat(info("latencystats")).containsPattern("latency_percentiles_usec_set:p0=[0-9.]+,p50=[0-9.]+,p100=[0-9.]+\r\n");
        h.engine.config.latencyTracking = false;
        assertThat(info("latencystats")).isEqualTo("# Latencystats\r\n");
    }

    @Test
    void contributorsOverrideFieldsAndAddSections() {
        h.engine.infoContributors.add((section, sb) -> {
            if (section.equals("persistence")) {
                sb.append("rdb_bgsave_in_progress:1\r\naof_current_size:42\r\n");
                return true;
            }
            if (section.equals("mymodule")) {
                sb.append("answer:42\r\n");
                return true;
            }
            return false;
        });
        String p = info("persistence");
        assertThat(field(p, "rdb_bgsave_in_progress")).isEqualTo("1");
        assertThat(p.indexOf("rdb_bgsave_in_progress")).isLessThan(p.indexOf("rdb_last_save_time"));
        assertThat(p).endsWith("aof_current_size:42\r\n");
        assertThat(info("mymodule")).isEqualTo("# Mymodule\r\nanswer:42\r\n");
        assertThat(info("all")).doesNotContain("answer:42");
    }

    @Test
    void formattingHelpersFollowC() {
        assertThat(InfoGenerator.human(100)).isEqualTo("100B");
        assertThat(InfoGenerator.human(1536)).isEqualTo("1.50K");
        assertThat(InfoGenerator.human(3L * 1024 * 1024)).isEqualTo("3.00M");
        assertThat(InfoGenerator.f2(0.125)).isEqualTo("0.12");   // exact binary tie rounds to even, as glibc
        assertThat(InfoGenerator.f2(2.675)).isEqualTo("2.67");   // 2.675 is 2.67499999... in binary
        assertThat(InfoGenerator.trimDouble(99.9)).isEqualTo("99.9");
        assertThat(InfoGenerator.trimDouble(50.0)).isEqualTo("50");
        assertThat(InfoGenerator.safe("a:b#c")).isEqualTo("a_b_c");
    }

    // ---------------------------------------------------------------- TIME / ROLE / LOLWUT

    @Test
    void timeIsSecondsAndMicroseconds() {
        List<Object> t = (List<Object>) x("TIME");
        assertThat(t).hasSize(2);
        long sec = Long.parseLong((String) t.get(0));
        long usec = Long.parseLong((String) t.get(1));
        assertThat(Math.abs(sec - System.currentTimeMillis() / 1000)).isLessThanOrEqualTo(1);
        assertThat(usec).isBetween(0L, 999_999L);
    }

    @Test
    void roleOfAMaster() {
        assertThat(x("ROLE")).isEqualTo(List.of("master", 0L, List.of()));
    }

    @Test
    void lolwutShowsTheVersion() {
        assertThat((String) x("LOLWUT")).contains("Redis ver. 7.0.15\n");
        assertThat((String) x("LOLWUT", "VERSION", "5", "2")).contains("Redis ver. 7.0.15");
        assertThat(x("LOLWUT", "VERSION", "x")).isEqualTo(new Err("ERR value is not an integer or out of range"));
    }

    // ---------------------------------------------------------------- MONITOR

    @Test
    void monitorReceivesOtherClientsCommands() {
        Client mon = h.newClient();
        assertThat(h.exec(mon, "MONITOR")).isEqualTo("OK");
        assertThat(h.engine.monitors).containsExactly(mon);
        assertThat(mon.has(Client.F_MONITOR)).isTrue();
        assertThat(h.exec(mon, "MONITOR")).isSameAs(Harness.NONE);
        x("SET", "k", "a\"b\n");
        List<Object> lines = h.drain(mon);
        assertThat(lines).hasSize(1);
        assertThat((String) lines.get(0)).matches("\\d+\\.\\d{6} \\[0 lua\\] \"SET\" \"k\" \"a\\\\\"b\\\\n\"");
    }

    // ---------------------------------------------------------------- SHUTDOWN

    @Test
    void shutdownArgumentsAndRefusal() {
        assertThat(x("SHUTDOWN", "bogus")).isEqualTo(new Err("ERR syntax error"));
        assertThat(x("SHUTDOWN", "SAVE", "NOSAVE")).isEqualTo(new Err("ERR syntax error"));
        assertThat(x("SHUTDOWN", "ABORT", "NOW")).isEqualTo(new Err("ERR syntax error"));
        assertThat(x("SHUTDOWN", "ABORT")).isEqualTo(new Err("ERR No shutdown in progress."));
        int[] seen = {-1};
        h.engine.shutdownHooks.add(flags -> { seen[0] = flags; return false; });
        assertThat(x("SHUTDOWN", "NOSAVE")).isEqualTo(new Err("ERR Errors trying to SHUTDOWN. Check logs."));
        assertThat(seen[0]).isEqualTo(Engine.SHUTDOWN_NOSAVE);
        assertThat(h.engine.shutdownRequested).isFalse();
        assertThat(x("SHUTDOWN", "NOSAVE", "FORCE", "NOW")).isSameAs(Harness.NONE);
        assertThat(seen[0]).isEqualTo(Engine.SHUTDOWN_NOSAVE | Engine.SHUTDOWN_FORCE | Engine.SHUTDOWN_NOW);
        assertThat(h.engine.shutdownRequested).isTrue();
    }
}
