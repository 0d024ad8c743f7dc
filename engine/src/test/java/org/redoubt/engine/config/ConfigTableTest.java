package org.redoubt.engine.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.redoubt.engine.Harness;

class ConfigTableTest {
    Config config;
    ConfigTable t;

    @TempDir
    Path tmp;

    @BeforeEach
    void setUp() {
        config = new Config();
        t = new ConfigTable(config);
        t.commandExists = n -> Set.of("get", "set", "flushdb", "config", "debug").contains(n);
    }

    static List<byte[]> pairs(String... kv) {
        List<byte[]> l = new ArrayList<>();
        for (String s : kv) l.add(s.getBytes(StandardCharsets.UTF_8));
        return l;
    }

    String set(String... kv) { return t.set(pairs(kv), true); }

    static String fatal(int line, String text, String reason) {
        return "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line " + line
            + "\n>>> '" + text + "'\n" + reason;
    }

    String loadError(String text) {
        return assertThrows(ConfigFileException.class, () -> t.load(text, null)).getMessage();
    }

    /** Loads one directive line and returns the fatal reason. */
    String lineError(String line) {
        String msg = loadError(line);
        assertThat(msg).startsWith("\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 1\n");
        return msg.substring(msg.lastIndexOf('\n') + 1);
    }

    // =====================================================================================
    // Parsing
    // =====================================================================================

    @Test
    void parsesCommentsBlankLinesQuotesAndCase() throws Exception {
        List<String> w = t.load("""
            # a comment
               # an indented comment

              port   7000\s\s
            PORT 7001
            requirepass "p a\\"ss\\x41\\n"
            masteruser 'it\\'s me'
            logfile ""
            dbfilename  "my dump.rdb"\t
            """, "test.conf");
        assertThat(w).isEmpty();
        assertEquals(7001, config.port);
        assertEquals("p a\"ssA\n", config.requirepass);
        assertEquals("it's me", config.masteruser);
        assertEquals("", config.logfile);
        assertEquals("my dump.rdb", config.dbfilename);
        assertEquals("my dump.rdb", t.get("dbfilename"));
    }

    @Test
    void crLfLinesAndEmptyInput() throws Exception {
        t.load("port 7003\r\nhz 20\r\n", null);
        assertEquals(7003, config.port);
        assertEquals(20, config.hz);
        assertThat(t.load("", null)).isEmpty();
    }

    @Test
    void unknownDirectiveFailsAtItsLine() {
        assertEquals(fatal(4, "foo bar", "Bad directive or wrong number of arguments"),
            loadError("port 7000\n\n# comment\n  foo bar   \nport 7001\n"));
    }

    @Test
    void unbalancedQuotes() {
        assertEquals(fatal(2, "requirepass \"abc", "Unbalanced quotes in configuration line"),
            loadError("port 7000\nrequirepass \"abc\n"));
        assertEquals("Unbalanced quotes in configuration line", lineError("dbfilename \"a\"b"));
        assertEquals("Unbalanced quotes in configuration line", lineError("dbfilename 'a"));
    }

    @Test
    void wrongNumberOfArguments() {
        assertEquals(fatal(1, "port 1 2", "wrong number of arguments"), loadError("port 1 2"));
        assertEquals("wrong number of arguments", lineError("port"));
        assertEquals("wrong number of arguments", lineError("replicaof localhost"));
        assertEquals("wrong number of arguments", lineError("oom-score-adj-values 1 2"));
        // Outside the table only these argument counts are accepted.
        assertEquals("Bad directive or wrong number of arguments", lineError("include"));
        assertEquals("Bad directive or wrong number of arguments", lineError("rename-command get"));
        assertEquals("Bad directive or wrong number of arguments", lineError("list-max-ziplist-entries 1 2"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "daemonize maybe|argument must be 'yes' or 'no'",
        "port abc|argument couldn't be parsed into an integer",
        "port 007|argument couldn't be parsed into an integer",
        "port +1|argument couldn't be parsed into an integer",
        "port 70000|argument must be between 0 and 65535 inclusive",
        "port -1|argument must be between 0 and 65535 inclusive",
        "maxclients 0|argument must be between 1 and 4294967295 inclusive",
        "set-max-intset-entries -1|argument must be between 0 and 9223372036854775807 inclusive",
        "slowlog-log-slower-than -2|argument must be between -1 and 9223372036854775807 inclusive",
        "timeout 99999999999999999999|argument couldn't be parsed into an integer",
        "maxmemory 12x|argument must be a memory value",
        "maxmemory -1|argument must be a memory value",
        "proto-max-bulk-len 1k|argument must be between 1048576 and 9223372036854775807 inclusive",
        "maxmemory-clients 12x|argument must be a memory or percent value",
        "maxmemory-clients 101%|percentage argument must be less or equal to 100",
        "unixsocketperm 8|argument couldn't be parsed as an octal number",
        "unixsocketperm 1000|argument must be between 0 and 777 inclusive",
        "loglevel loud|argument(s) must be one of the following: debug, verbose, notice, warning",
        "maxmemory-policy lru|argument(s) must be one of the following: volatile-lru, volatile-lfu, volatile-random, volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, noeviction",
        "enable-debug-command sometimes|argument(s) must be one of the following: no, yes, local",
        "shutdown-on-sigint save nosave|shutdown options SAVE and NOSAVE can't be used simultaneously",
        "shutdown-on-sigint later|argument(s) must be one of the following: default, save, nosave, now, force",
        "dbfilename a/b.rdb|dbfilename can't be a path, just a filename",
        "appendfilename ''|appendfilename can't be empty",
        "appendfilename x/y|appendfilename can't be a path, just a filename",
        "appenddirname x/y|appenddirname can't be a path, just a dirname",
        "activedefrag yes|Active defragmentation cannot be enabled: it requires a Redis server compiled with a modified Jemalloc like the one shipped by default with the Redis source distribution",
        "proc-title-template {title}|template format is invalid or contains unknown variables",
        "proc-title-template '{nope} x'|template format is invalid or contains unknown variables",
        "cluster-announce-hostname a_b|Hostnames may only contain alphanumeric characters, hyphens or dots",
        "save 900|Invalid save parameters",
        "save 0 1|Invalid save parameters",
        "save 10 x|Invalid save parameters",
        "notify-keyspace-events KQ|Invalid event class character. Use 'Ag$lshzxeKEtmdn'.",
        "replicaof localhost abc|Invalid master port",
        "replicaof localhost 65536|Invalid master port",
        "client-output-buffer-limit normal 0 0|Wrong number of arguments in buffer limit configuration.",
        "client-output-buffer-limit master 0 0 0|Invalid client class specified in buffer limit configuration.",
        "client-output-buffer-limit pubsub 1x 0 0|Error in hard, soft or soft_seconds setting in buffer limit configuration.",
        "client-output-buffer-limit pubsub 1 0 -1|Error in hard, soft or soft_seconds setting in buffer limit configuration.",
        "oom-score-adj-values 0 200 3000|Invalid oom-score-adj-values, elements must be between -2000 and 2000.",
        "latency-tracking-info-percentiles 50 101|latency-tracking-info-percentiles parameters should sit between [0.0,100.0]",
        "latency-tracking-info-percentiles 50 abc|Invalid latency-tracking-info-percentiles parameters",
        "bind 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17|Too many bind addresses specified.",
        "mymodule.option|Module config specified without value",
        "rename-command nosuchcmd foo|No such command in rename-command",
        "rename-command get set|Target command name already exists",
    })
    void fileValidationErrors(String line, String reason) {
        assertEquals(reason, lineError(line));
    }

    @Test
    void everyTypeParsesItsNotations() throws Exception {
        t.load("""
            maxmemory 1GB
            proto-max-bulk-len 2mb
            client-query-buffer-limit 3000k
            hll-sparse-max-bytes 4kb
            maxmemory-clients 10%
            unixsocketperm 700
            list-max-listpack-size -5
            slowlog-log-slower-than -1
            loglevel VERBOSE
            enable-debug-command local
            enable-protected-configs yes
            maxmemory-policy allkeys-lru
            appendfsync always
            shutdown-on-sigterm "nosave now"
            oom-score-adj relative
            """, null);
        assertEquals(1073741824L, config.maxmemory);
        assertEquals("1073741824", t.get("maxmemory"));
        assertEquals(2L * 1024 * 1024, config.protoMaxBulkLen);
        assertEquals(3_000_000L, config.clientQueryBufferLimit);
        assertEquals(4096, config.hllSparseMaxBytes);
        assertEquals(-10, config.maxmemoryClients);
        assertEquals("10%", t.get("maxmemory-clients"));
        assertEquals("700", t.get("unixsocketperm"));
        assertEquals(-5, config.listMaxListpackSize);
        assertEquals(-1, config.slowlogLogSlowerThan);
        assertEquals("verbose", config.loglevel);
        assertEquals(2, config.enableDebugCommand);
        assertEquals("local", t.get("enable-debug-command"));
        assertEquals(1, config.enableProtectedConfigs);
        assertEquals("allkeys-lru", config.maxmemoryPolicy);
        assertEquals("always", config.appendfsync);
        assertEquals(Config.SHUTDOWN_NOSAVE | Config.SHUTDOWN_NOW, config.shutdownOnSigterm);
        assertEquals("nosave now", t.get("shutdown-on-sigterm"));
        assertEquals("default", t.get("shutdown-on-sigint"));
        // Two names for one value: the first is what GET shows.
        assertEquals("yes", t.get("oom-score-adj"));
    }

    @Test
    void hzIsClampedLikeRedis() throws Exception {
        t.load("hz 1000", null);
        assertEquals(500, config.hz);
        assertEquals("500", t.get("hz"));
        t.load("hz 0", null);
        assertEquals(1, config.hz);
        assertNull(set("hz", "100000"));
        assertEquals("500", t.get("hz"));
    }

    @Test
    void saveLinesAccumulateInAFileAndReplaceOnSet() throws Exception {
        t.load("save 900 1\nsave 300 10\n", null);
        assertEquals("900 1 300 10", t.get("save"));
        assertThat(config.savePoints).isDeepEqualTo(new long[][] {{900, 1}, {300, 10}});
        t.load("save \"\"\n", null);
        assertEquals("", t.get("save"));
        assertThat(config.savePoints).isEmpty();
        t.load("save '100 1 200 2'\n", null);
        assertEquals("100 1 200 2", t.get("save"));
        assertNull(set("save", "3000 5"));
        assertEquals("3000 5", t.get("save"));
        assertNull(set("save", ""));
        assertEquals("", t.get("save"));
        assertEquals("ERR CONFIG SET failed (possibly related to argument 'save') - Invalid save parameters",
            set("save", "3000"));
        // Defaults stay when the file has no save line.
        Config c2 = new Config();
        new ConfigTable(c2).load("port 1234", null);
        assertThat(c2.savePoints).isDeepEqualTo(new long[][] {{3600, 1}, {300, 100}, {60, 10000}});
    }

    @Test
    void notifyKeyspaceEventsUsesTheCanonicalString() throws Exception {
        t.load("notify-keyspace-events KEA", null);
        assertEquals(Notify.KEYSPACE | Notify.KEYEVENT | Notify.ALL, config.notifyKeyspaceEvents);
        assertEquals("AKE", t.get("notify-keyspace-events"));
        assertNull(set("notify-keyspace-events", "Kx$"));
        assertEquals("$xK", t.get("notify-keyspace-events"));
        assertNull(set("notify-keyspace-events", "gn"));
        assertEquals("gn", t.get("notify-keyspace-events"));
        assertNull(set("notify-keyspace-events", ""));
        assertEquals(0, config.notifyKeyspaceEvents);
        assertEquals("AKEm", Notify.toString(Notify.parse("KEAmn"))); // as Redis: n is not shown next to A
        assertEquals("g$lshzxtdKE", Notify.toString(Notify.ALL & ~Notify.EVICTED | Notify.KEYSPACE | Notify.KEYEVENT));
        assertEquals(-1, Notify.parse("K?"));
    }

    @Test
    void bindReplicaofPercentilesAndBufferLimits() throws Exception {
        t.load("""
            bind 127.0.0.1 -::1
            replicaof 10.0.0.1 6380
            latency-tracking-info-percentiles 99.99 50
            client-output-buffer-limit replica 512mb 128mb 120 pubsub 64mb 16mb 30
            oom-score-adj-values "-10 0 10"
            """, null);
        assertThat(config.bind).containsExactly("127.0.0.1", "-::1");
        assertEquals("127.0.0.1 -::1", t.get("bind"));
        assertEquals("10.0.0.1", config.replicaofHost);
        assertEquals(6380, config.replicaofPort);
        assertEquals("10.0.0.1 6380", t.get("replicaof"));
        assertEquals("10.0.0.1 6380", t.get("slaveof"));
        assertThat(config.latencyTrackingInfoPercentiles).containsExactly(99.99, 50.0);
        assertEquals("99.99 50", t.get("latency-tracking-info-percentiles"));
        assertEquals("normal 0 0 0 slave 536870912 134217728 120 pubsub 67108864 16777216 30",
            t.get("client-output-buffer-limit"));
        assertThat(config.clientOutputBufferLimits[Config.OBUF_PUBSUB]).containsExactly(67108864L, 16777216L, 30L);
        assertEquals("-10 0 10", t.get("oom-score-adj-values"));

        t.load("slaveof no one\nbind \"\"\nlatency-tracking-info-percentiles \"\"", null);
        assertNull(config.replicaofHost);
        assertEquals("", t.get("replicaof"));
        assertThat(config.bind).isEmpty();
        assertEquals("", t.get("latency-tracking-info-percentiles"));
        assertNull(set("bind", "0.0.0.0 ::"));
        assertThat(config.bind).containsExactly("0.0.0.0", "::");
        assertNull(set("latency-tracking-info-percentiles", "50 99.9"));
        assertEquals("50 99.9", t.get("latency-tracking-info-percentiles"));
    }

    @Test
    void replicaofIsNotAllowedInClusterMode() {
        String msg = loadError("cluster-enabled yes\nreplicaof 10.0.0.1 6379\n");
        assertEquals("\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nreplicaof directive not allowed in cluster mode", msg);
    }

    @Test
    void logFileMustBeOpenable() throws Exception {
        assertEquals("\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nCan't open the log file: No such file or directory",
            loadError("logfile /nonexistent-dir-redoubt/x.log"));
        Path log = tmp.resolve("redoubt.log");
        t.load("logfile " + log, null);
        assertThat(log).exists();
    }

    @Test
    void aliasesReadAndWriteTheSameDirective() throws Exception {
        t.load("slave-read-only no\nlua-time-limit 100\nhash-max-ziplist-entries 20\nhash-max-listpack-entries 21\n", null);
        assertEquals(false, config.replicaReadOnly);
        assertEquals("no", t.get("replica-read-only"));
        assertEquals("no", t.get("SLAVE-READ-ONLY"));
        assertEquals(100, config.busyReplyThreshold);
        assertEquals(21, config.hashMaxListpackEntries);
        assertEquals("21", t.get("hash-max-ziplist-entries"));
        assertNull(set("slave-priority", "7"));
        assertEquals(7, config.replicaPriority);
        assertEquals("ERR CONFIG SET failed (possibly related to argument 'slave-priority') - argument couldn't be parsed into an integer",
            set("slave-priority", "x"));
    }

    @Test
    void deprecatedAndSentinelLinesAreAccepted() throws Exception {
        List<String> w = t.load("""
            list-max-ziplist-entries 512
            list-max-ziplist-value 64
            lua-replicate-commands yes
            sentinel monitor mymaster 127.0.0.1 6379 2
            sentinel down-after-milliseconds mymaster 60000
            """, null);
        assertThat(w).isEmpty();
    }

    @Test
    void directivesWithNoEffectYetWarnWhenNotAtTheirDefault() throws Exception {
        List<String> w = t.load("""
            always-show-logo yes
            activerehashing yes
            replica-ignore-maxmemory no
            always-show-logo yes
            port 7000
            loadmodule /opt/redis/mymodule.so arg1
            mymodule.setting 5
            user alice on >secret ~* +@all
            rename-command flushdb badger
            """, null);
        assertThat(w).containsExactly(
            "always-show-logo is not implemented yet and has no effect",
            "replica-ignore-maxmemory is not implemented yet and has no effect",
            "loadmodule is not implemented yet and has no effect",
            "mymodule.setting is not implemented yet and has no effect",
            "user is not implemented yet and has no effect");
        assertThat(t.loadmoduleLines).containsExactly("loadmodule /opt/redis/mymodule.so arg1");
        assertThat(t.userLines).containsExactly("user alice on >secret ~* +@all");
        assertThat(t.renamedCommands).hasSize(1);
        assertThat(t.renamedCommands.get(0)).containsExactly("flushdb", "badger");
        // Unbound directives still store, show and validate their value.
        assertEquals("yes", t.get("always-show-logo"));
        assertEquals("no", t.get("replica-ignore-maxmemory"));
    }

    @Test
    void renameCommandChecksTheRealCommandTable() throws Exception {
        ConfigTable real = new ConfigTable(new Config());
        real.load("rename-command flushall \"\"\nrename-command keys mykeys\nrename-command mykeys keys2", null);
        assertThat(real.renamedCommands).hasSize(3);
        ConfigTable again = new ConfigTable(new Config());
        assertThatThrownBy(() -> again.load("rename-command nosuchcommand x", null))
            .hasMessageEndingWith("No such command in rename-command");
    }

    // =====================================================================================
    // include
    // =====================================================================================

    @Test
    void includeReadsAnotherFile() throws Exception {
        Path inc = tmp.resolve("inc.conf");
        Files.writeString(inc, "maxmemory 1mb\nport 7100\n");
        t.load("port 7000\ninclude " + inc + "\nhz 20\n", null);
        assertEquals(1024 * 1024, config.maxmemory);
        assertEquals(7100, config.port);
        assertEquals(20, config.hz);
        // A relative name is relative to the working directory, which "dir" changes.
        Files.writeString(tmp.resolve("rel.conf"), "port 7300\n");
        t.load("dir " + tmp + "\ninclude rel.conf\n", null);
        assertEquals(7300, config.port);
        Files.writeString(tmp.resolve("rel2.conf"), "port 7301\n");
        t.load("include rel*.conf\n", null);
        assertEquals(7301, config.port);
    }

    @Test
    void includeGlobInNameOrder() throws Exception {
        Path d = Files.createDirectory(tmp.resolve("conf.d"));
        Files.writeString(d.resolve("b.conf"), "hz 30\n");
        Files.writeString(d.resolve("a.conf"), "hz 20\nport 7200\n");
        Files.writeString(d.resolve("c.txt"), "bogus directive\n");
        t.load("include " + d + "/*.conf\n", null);
        assertEquals(30, config.hz);
        assertEquals(7200, config.port);
        // A glob matching nothing is fine.
        t.load("include " + tmp + "/empty.d/*.conf\n", null);
    }

    @Test
    void includeErrors() throws Exception {
        assertEquals("Fatal error, can't open config file '/nonexistent-redoubt/x.conf': No such file or directory",
            loadError("include /nonexistent-redoubt/x.conf"));
        Path inc = tmp.resolve("bad.conf");
        Files.writeString(inc, "port 1\nbogus 1\n");
        assertEquals(fatal(2, "bogus 1", "Bad directive or wrong number of arguments"),
            loadError("# x\n# y\n# z\ninclude " + inc));
        Path loop = tmp.resolve("loop.conf");
        Files.writeString(loop, "include " + loop + "\n");
        assertThat(loadError("include " + loop)).contains("Too many levels of include");
    }

    // =====================================================================================
    // CONFIG SET
    // =====================================================================================

    @Test
    void setErrorsAsRedis() {
        assertEquals("ERR CONFIG SET failed (possibly related to argument 'daemonize') - can't set immutable config",
            set("daemonize", "yes"));
        assertEquals("ERR CONFIG SET failed (possibly related to argument 'DAEMONIZE') - can't set immutable config",
            set("DAEMONIZE", "yes"));
        assertEquals("ERR Unknown option or number of arguments for CONFIG SET - 'foo'", set("foo", "bar"));
        assertEquals("ERR Unknown option or number of arguments for CONFIG SET - 'foo'", set("port", "1", "foo", "bar"));
        // The first problem found wins.
        assertEquals("ERR CONFIG SET failed (possibly related to argument 'daemonize') - can't set immutable config",
            set("daemonize", "yes", "foo", "bar"));
        assertEquals("ERR CONFIG SET failed (possibly related to argument 'maxmemory') - duplicate parameter",
            set("maxmemory", "10000001", "maxmemory", "10000002"));
        assertEquals("ERR CONFIG SET failed (possibly related to argument 'hash-max-ziplist-entries') - duplicate parameter",
            set("hash-max-listpack-entries", "1", "hash-max-ziplist-entries", "2"));
        assertEquals("ERR CONFIG SET failed (possibly related to argument 'maxclients') - argument must be between 1 and 4294967295 inclusive",
            set("maxclients", "0"));
        assertEquals("ERR CONFIG SET failed (possibly related to argument 'appendonly') - argument must be 'yes' or 'no'",
            set("appendonly", "maybe"));
        assertEquals("ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory value",
            set("MAXMEMORY", "lots"));
        assertEquals("ERR CONFIG SET failed (possibly related to argument 'port') - argument couldn't be parsed into an integer",
            set("port", "x"));
        assertEquals("ERR CONFIG SET failed (possibly related to argument 'replicaof') - can't set immutable config",
            set("replicaof", "no one"));
        assertEquals("ERR syntax error", t.set(pairs("port"), true));
        assertEquals(6379, config.port);
        assertEquals("LOADING Redis is loading the dataset in memory", t.set(pairs("appendonly", "yes"), true, true));
        assertNull(t.set(pairs("loglevel", "debug"), true, true));
    }

    @Test
    void setSeveralAtOnceAndRollBackOnAnyFailure() {
        assertNull(set("maxmemory", "10000001", "repl-backlog-size", "10000002", "save", "3000 5"));
        assertEquals("10000001", t.get("maxmemory"));
        assertEquals("10000002", t.get("repl-backlog-size"));
        assertEquals("3000 5", t.get("save"));

        assertNull(set("maxmemory", "10000002"));
        String qbl = t.get("client-query-buffer-limit");
        assertEquals("ERR CONFIG SET failed (possibly related to argument 'maxmemory-clients') - percentage argument must be less or equal to 100",
            set("maxmemory", "10000001", "maxmemory-clients", "200%", "client-query-buffer-limit", "invalid"));
        assertEquals("10000002", t.get("maxmemory"));
        assertEquals("0", t.get("maxmemory-clients"));
        assertEquals(qbl, t.get("client-query-buffer-limit"));

        // A refused value in the middle puts back the ones set before it.
        assertEquals("ERR CONFIG SET failed (possibly related to argument 'latency-tracking-info-percentiles') - Invalid latency-tracking-info-percentiles parameters",
            set("port", "7777", "save", "1 1", "latency-tracking-info-percentiles", "50 x", "hz", "20"));
        assertEquals(6379, config.port);
        assertEquals("3000 5", t.get("save"));
        assertEquals("50 99 99.9", t.get("latency-tracking-info-percentiles"));
        assertEquals(10, config.hz);
    }

    @Test
    void applyHooksRunOnChangeAndAFailingHookRollsBack() {
        AtomicInteger portHooks = new AtomicInteger(), mmHooks = new AtomicInteger();
        t.addApplyHook("maxmemory", mmHooks::incrementAndGet);
        assertNull(set("maxmemory", "100mb"));
        assertNull(set("maxmemory", "100mb"));
        assertEquals(1, mmHooks.get());

        t.addApplyHook("port", () -> {
            portHooks.incrementAndGet();
            if (config.port == 7777) throw new IllegalStateException("Unable to listen on this port. Check server logs.");
        });
        assertEquals("ERR CONFIG SET failed (possibly related to argument 'port') - Unable to listen on this port. Check server logs.",
            set("maxmemory", "10000001", "port", "7777", "client-query-buffer-limit", "10m"));
        assertEquals(6379, config.port);
        assertEquals(100L * 1024 * 1024, config.maxmemory);
        assertEquals(1024L * 1024 * 1024, config.clientQueryBufferLimit);
        // maxmemory's hook ran for the new value and again for the restored one.
        assertEquals(3, mmHooks.get());
        assertNull(set("port", "7778"));
        assertEquals(7778, config.port);
        assertThatThrownBy(() -> t.addApplyHook("nope", () -> { })).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void protectedConfigsFollowEnableProtectedConfigs() throws IOException {
        String dir = tmp.toRealPath().toString();
        assertEquals("ERR CONFIG SET failed (possibly related to argument 'dir') - can't set protected config",
            set("dir", dir));
        assertEquals("ERR CONFIG SET failed (possibly related to argument 'dbfilename') - can't set protected config",
            set("dbfilename", "x.rdb"));
        config.enableProtectedConfigs = 2;
        assertEquals("ERR CONFIG SET failed (possibly related to argument 'dir') - can't set protected config",
            t.set(pairs("dir", dir), false));
        assertNull(t.set(pairs("dir", dir), true));
        assertEquals(dir, t.get("dir"));
        config.enableProtectedConfigs = 1;
        assertNull(t.set(pairs("dbfilename", "x.rdb"), false));
        assertEquals("x.rdb", config.dbfilename);
        assertEquals("ERR CONFIG SET failed (possibly related to argument 'dir') - No such file or directory",
            set("dir", tmp.resolve("missing").toString()));
        assertEquals(dir, t.get("dir"));
    }

    @Test
    void multiArgumentValuesSplitOnSpaces() {
        assertNull(set("shutdown-on-sigint", "nosave now force"));
        assertEquals("nosave now force", t.get("shutdown-on-sigint"));
        assertEquals("ERR CONFIG SET failed (possibly related to argument 'shutdown-on-sigint') - argument(s) must be one of the following: default, save, nosave, now, force",
            set("shutdown-on-sigint", ""));
        assertNull(set("client-output-buffer-limit", "pubsub 64mb 16mb 30"));
        assertEquals("normal 0 0 0 slave 268435456 67108864 60 pubsub 67108864 16777216 30", t.get("client-output-buffer-limit"));
        assertNull(set("oom-score-adj-values", "1 2 3"));
        assertEquals("1 2 3", t.get("oom-score-adj-values"));
        assertEquals("ERR CONFIG SET failed (possibly related to argument 'oom-score-adj-values') - wrong number of arguments",
            set("oom-score-adj-values", "1 2"));
        // As Redis splits on single spaces, "1  2" is three values, the middle one empty (0).
        assertNull(set("oom-score-adj-values", "1  2"));
        assertEquals("1 0 2", t.get("oom-score-adj-values"));
        assertNull(set("bind", ""));
        assertEquals("", t.get("bind"));
    }

    @Test
    void stringsThatMeanUnset() {
        assertNull(set("requirepass", "secret"));
        assertEquals("secret", config.requirepass);
        assertNull(set("requirepass", ""));
        assertEquals("", config.requirepass);
        assertEquals("", t.get("requirepass"));
        assertNull(set("cluster-announce-ip", "10.1.1.1"));
        assertEquals("10.1.1.1", t.get("cluster-announce-ip"));
    }

    // =====================================================================================
    // CONFIG GET
    // =====================================================================================

    static Map<String, String> asMap(List<String[]> l) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String[] kv : l) m.put(kv[0], kv[1]);
        return m;
    }

    @Test
    void getByNameAndPattern() {
        assertEquals("6379", t.get("port"));
        assertNull(t.get("nope"));
        assertNull(t.get("include"));
        assertEquals(Map.of("PORT", "6379"), asMap(t.getMatching("PORT")));
        assertThat(t.getMatching("nope")).isEmpty();
        assertThat(asMap(t.getMatching("maxmemory*")).keySet()).containsExactlyInAnyOrder(
            "maxmemory", "maxmemory-policy", "maxmemory-samples", "maxmemory-eviction-tenacity", "maxmemory-clients");
        assertThat(asMap(t.getMatching("*of")).keySet()).containsExactlyInAnyOrder("replicaof", "slaveof");
        assertThat(asMap(t.getMatching("hash-max-*-entries")).keySet())
            .containsExactlyInAnyOrder("hash-max-listpack-entries", "hash-max-ziplist-entries");
        assertThat(asMap(t.getMatching("[pq]ort")).keySet()).containsExactly("port");
        assertThat(asMap(t.getMatching("PO?T")).keySet()).containsExactly("port");
        Map<String, String> all = asMap(t.getMatching("*"));
        assertThat(all).doesNotContainKey("key-load-delay").containsKey("slave-read-only").containsKey("tls-port");
        assertEquals(Map.of("key-load-delay", "0"), asMap(t.getMatching("key-load-delay")));
        // Every name and alias, hidden ones aside.
        assertEquals(t.names().size() - ConfigTable.FILE_ONLY.size() + countAliases() - 5, all.size());
    }

    int countAliases() {
        int n = 0;
        for (String name : t.names()) {
            ConfigEntry e = t.entry(name);
            if (e != null && e.alias != null) n++;
        }
        return n;
    }

    // =====================================================================================
    // The table itself
    // =====================================================================================

    @Test
    void theTableHasEveryRedisDirective() {
        List<String> names = t.names();
        assertEquals(178 + 5, names.size());
        assertEquals(names.size(), new HashSet<>(names).size());
        for (String n : names) assertThat(t.describe(n)).as(n).isNotNull();
        assertEquals("int [0..65535]; default 6379; modifiable", t.describe("port"));
        assertEquals("bool (yes|no); default yes; alias slave-read-only; modifiable, debug", t.describe("replica-read-only"));
        assertEquals("memory or percent [-100..9223372036854775807]; default 0; modifiable", t.describe("maxmemory-clients"));
        assertEquals("bool (yes|no); default no; immutable; no effect yet", t.describe("always-show-logo"));
        assertEquals("string; default \"\"; modifiable, sensitive", t.describe("requirepass"));
        assertNull(t.describe("nope"));
        for (String n : List.of("include", "rename-command", "user", "loadmodule", "sentinel", "dir", "save",
                "client-output-buffer-limit", "oom-score-adj-values", "notify-keyspace-events", "bind", "replicaof",
                "latency-tracking-info-percentiles", "busy-reply-threshold", "tls-port", "io-threads-do-reads")) {
            assertThat(names).contains(n);
        }
    }

    @Test
    void freshConfigFieldsMatchTheTableDefaults() {
        for (String n : t.names()) {
            ConfigEntry e = t.entry(n);
            if (e == null || n.equals("dir")) continue;
            assertThat(e.get()).as(n).isEqualTo(e.defaultValue());
        }
    }

    /** Sets every bound directive away from its default. */
    String nonDefaults() {
        return """
            port 7000
            bind 10.0.0.1
            protected-mode no
            tcp-backlog 100
            timeout 5
            tcp-keepalive 60
            maxclients 50
            unixsocket /tmp/redoubt-test.sock
            databases 4
            hz 20
            dynamic-hz no
            loglevel debug
            logfile %s
            pidfile /tmp/redoubt-test.pid
            daemonize yes
            dir %s
            requirepass pw
            enable-debug-command yes
            enable-protected-configs local
            enable-module-command yes
            proto-max-bulk-len 2mb
            client-query-buffer-limit 2mb
            maxmemory 1mb
            maxmemory-policy allkeys-lru
            maxmemory-samples 7
            lfu-log-factor 11
            lfu-decay-time 2
            slowlog-log-slower-than 5
            slowlog-max-len 5
            latency-monitor-threshold 5
            latency-tracking no
            latency-tracking-info-percentiles 90
            notify-keyspace-events Kg
            lazyfree-lazy-user-del yes
            lazyfree-lazy-user-flush yes
            lazyfree-lazy-expire yes
            lazyfree-lazy-server-del yes
            lazyfree-lazy-eviction yes
            hash-max-listpack-entries 10
            hash-max-listpack-value 10
            set-max-intset-entries 10
            zset-max-listpack-entries 10
            zset-max-listpack-value 10
            list-max-listpack-size 5
            list-compress-depth 1
            hll-sparse-max-bytes 10
            stream-node-max-bytes 10
            stream-node-max-entries 10
            dbfilename x.rdb
            save 10 10
            appendonly yes
            appendfilename x.aof
            appenddirname xdir
            appendfsync always
            rdbcompression no
            rdbchecksum no
            stop-writes-on-bgsave-error no
            replicaof 10.0.0.2 7001
            replica-read-only no
            replica-priority 5
            io-threads 2
            active-expire-effort 2
            busy-reply-threshold 10
            tracking-table-max-keys 10
            maxmemory-clients 5%%
            client-output-buffer-limit normal 1mb 1mb 1
            aclfile /tmp/redoubt-users.acl
            acllog-max-len 5
            shutdown-timeout 5
            shutdown-on-sigint save
            shutdown-on-sigterm now
            masterauth m
            masteruser u
            replica-serve-stale-data no
            repl-backlog-size 2mb
            aof-use-rdb-preamble no
            jemalloc-bg-thread no
            min-replicas-to-write 1
            min-replicas-max-lag 5
            """.formatted(tmp.resolve("r.log"), tmp);
    }

    @Test
    void everyConfigFieldIsBound() throws Exception {
        List<String> w = t.load(nonDefaults(), null);
        assertThat(w).isEmpty();
        Config fresh = new Config();
        List<String> untouched = new ArrayList<>();
        for (Field f : Config.class.getFields()) {
            if (Modifier.isStatic(f.getModifiers())) continue;
            if (Objects.deepEquals(f.get(fresh), f.get(config))) untouched.add(f.getName());
        }
        // activeExpireEnabled has no directive (DEBUG SET-ACTIVE-EXPIRE sets it).
        assertThat(untouched).containsExactly("activeExpireEnabled");
    }

    // =====================================================================================
    // Command line
    // =====================================================================================

    @Test
    void commandLineArgumentsBecomeConfigLines() {
        assertEquals("port \"7777\" \nsave \"\" ", ConfigTable.argsToConfigText(List.of("--port", "7777", "--save", "")));
        assertEquals("save \"\"", ConfigTable.argsToConfigText(List.of("--save")));
        assertEquals("save \"\"\nloglevel \"verbose\" ", ConfigTable.argsToConfigText(List.of("--save", "--loglevel", "verbose")));
        assertEquals("maxmemory 700mb \nmaxmemory-policy volatile-lru ",
            ConfigTable.argsToConfigText(List.of("--maxmemory 700mb", "--maxmemory-policy volatile-lru")));
        assertEquals("proc-title-template \"--my--title--template\" \nloglevel \"verbose\" ",
            ConfigTable.argsToConfigText(List.of("--proc-title-template", "--my--title--template", "--loglevel", "verbose")));
        assertEquals("requirepass \"a b\\\"c\" ", ConfigTable.argsToConfigText(List.of("--requirepass", "a b\"c")));
        assertEquals("", ConfigTable.argsToConfigText(List.of()));
    }

    String loadArgs(String... args) throws ConfigFileException {
        t.load(ConfigTable.argsToConfigText(List.of(args)), null);
        return null;
    }

    String argsError(String... args) {
        return assertThrows(ConfigFileException.class, () -> loadArgs(args)).getMessage();
    }

    @Test
    void commandLineErrorsShowTheBuiltLine() throws Exception {
        assertEquals(fatal(1, "port", "wrong number of arguments"), argsError("--port"));
        assertEquals(fatal(2, "loglevel", "wrong number of arguments"), argsError("--port", "6380", "--loglevel"));
        assertEquals(fatal(1, "port \"6379\" \"6380\"", "wrong number of arguments"), argsError("--port", "6379", "6380"));
        assertEquals(fatal(1, "port \"--loglevel\" \"verbose\"", "wrong number of arguments"),
            argsError("--port", "--loglevel", "verbose"));
        assertEquals(fatal(1, "port \"--bla\"", "argument couldn't be parsed into an integer"),
            argsError("--port", "--bla", "--loglevel", "verbose"));
        assertThat(argsError("--shutdown-on-sigint")).contains("'shutdown-on-sigint'").contains("argument(s) must be one of the following");
        assertEquals(fatal(1, "replicaof \"127.0.0.1\" \"abc\"", "Invalid master port"),
            argsError("--replicaof", "127.0.0.1", "abc"));
        assertEquals(fatal(1, "replicaof \"--127.0.0.1\"", "wrong number of arguments"),
            argsError("--replicaof", "--127.0.0.1", "--abc"));
    }

    @Test
    void commandLineValues() throws Exception {
        loadArgs("--maxmemory 700mb", "--maxmemory-policy volatile-lru");
        assertEquals("734003200", t.get("maxmemory"));
        assertEquals("volatile-lru", t.get("maxmemory-policy"));
        loadArgs("--shutdown-on-sigint", "nosave", "force", "now", "--shutdown-on-sigterm", "nosave force");
        assertEquals("nosave now force", t.get("shutdown-on-sigint"));
        assertEquals("nosave force", t.get("shutdown-on-sigterm"));
        loadArgs("--proc-title-template", "--save", "--save", "", "--loglevel", "verbose");
        assertEquals("--save", t.get("proc-title-template"));
        assertEquals("", t.get("save"));
        assertEquals("verbose", t.get("loglevel"));
        loadArgs("--save", "--loglevel", "debug");
        assertEquals("", t.get("save"));
        assertEquals("debug", t.get("loglevel"));
        loadArgs("--save", "60", "100", "--port", "7001");
        assertEquals("60 100", t.get("save"));
        assertEquals(7001, config.port);
    }

    // =====================================================================================
    // REWRITE
    // =====================================================================================

    Map<String, String> snapshot(ConfigTable table) { return asMap(table.getMatching("*")); }

    @Test
    void rewriteKeepsCommentsUpdatesInPlaceAndAppends() throws Exception {
        String original = """
            # My config
            port 7000

            # persistence
            save 900 1
            save 300 10
            slave-read-only no
            maxmemory 100mb
            """;
        t.load(original, null);
        Path file = tmp.resolve("redis.conf");
        Files.writeString(file, original.replace("maxmemory 100mb", "maxmemory 100mb\nunknown-directive x"));
        assertNull(set("port", "7001", "save", "60 5", "maxmemory", "0", "notify-keyspace-events", "KEA",
            "requirepass", "se cret", "maxmemory-clients", "5%", "client-query-buffer-limit", "2gb"));
        assertNull(t.rewrite(file));
        String dir = t.get("dir");
        assertEquals("""
            # My config
            port 7001

            # persistence
            save 60 5

            replica-read-only no
            maxmemory 0
            # ??? unknown-directive x

            # Generated by CONFIG REWRITE
            requirepass "se cret"
            client-query-buffer-limit 2gb
            maxmemory-clients 5%
            dir "DIR"
            notify-keyspace-events "AKE"
            latency-tracking-info-percentiles 50 99 99.9
            """.replace("DIR", dir), Files.readString(file));

        // Loading the rewritten file gives the same values.
        Config c2 = new Config();
        ConfigTable t2 = new ConfigTable(c2);
        t2.load(Files.readString(file), file.toString());
        assertEquals(snapshot(t), snapshot(t2));

        // Rewriting again changes nothing but, as Redis, keeps the file's last (empty) line.
        String before = Files.readString(file);
        assertNull(t.rewrite(file));
        assertEquals(before + "\n", Files.readString(file));
        assertNull(t.rewrite(file));
        assertEquals(before + "\n", Files.readString(file));

        // Back to defaults: existing lines stay (with the default value), unset strings go away.
        assertNull(set("requirepass", "", "notify-keyspace-events", ""));
        assertNull(t.rewrite(file));
        String after = Files.readString(file);
        assertThat(after).doesNotContain("requirepass").contains("notify-keyspace-events \"\"\n");
        assertThat(Files.list(tmp).map(p -> p.getFileName().toString()).toList()).containsExactly("redis.conf");
    }

    @Test
    void rewriteAliasLinesAndReplicaof() throws Exception {
        Path file = tmp.resolve("r.conf");
        String text = "hash-max-ziplist-entries 20\nhash-max-listpack-entries 21\nslaveof 10.0.0.1 6379\nbind 127.0.0.1\n";
        Files.writeString(file, text);
        t.load(text, null);
        assertNull(set("hash-max-listpack-entries", "100", "bind", "* -::*"));
        assertNull(t.rewrite(file));
        String out = Files.readString(file);
        assertThat(out).startsWith("hash-max-listpack-entries 100\n\nreplicaof 10.0.0.1 6379\n\n");
        assertThat(out).doesNotContain("bind").doesNotContain("slaveof");
        Config c2 = new Config();
        new ConfigTable(c2).load(out, null);
        assertEquals(100, c2.hashMaxListpackEntries);
        assertEquals("10.0.0.1", c2.replicaofHost);
    }

    @Test
    void rewriteOfANewFileAndForceAll() throws Exception {
        assertEquals("ERR The server is running without a config file", t.rewrite(null));
        Path file = tmp.resolve("new.conf");
        assertNull(t.rewrite(file));
        assertThat(Files.readString(file)).startsWith("# Generated by CONFIG REWRITE\ndir ");

        t.load(nonDefaults(), null);
        t.load("aclfile \"\"\nuser alice on >pw ~* +@all\nrename-command flushdb badger\n", null);
        Path all = tmp.resolve("all.conf");
        Files.writeString(all, "rename-command flushdb badger\n");
        assertNull(t.rewrite(all, true));
        String content = Files.readString(all);
        assertThat(content).contains("\nhz 20\n").contains("\nrdb-key-save-delay 0\n").contains("\nuser alice on >pw ~* +@all\n")
            .startsWith("rename-command flushdb badger\n");
        Config c2 = new Config();
        ConfigTable t2 = new ConfigTable(c2);
        t2.commandExists = t.commandExists;
        t2.load(content, null);
        Map<String, String> a = snapshot(t), b = snapshot(t2);
        assertEquals(a, b);
    }

    @Test
    void rewriteUnreadableFileReportsTheError() throws Exception {
        Path dirAsFile = Files.createDirectory(tmp.resolve("adir"));
        assertThat(t.rewrite(dirAsFile)).startsWith("ERR Rewriting config file: ");
    }

    // =====================================================================================
    // Real-world files
    // =====================================================================================

    @Test
    void loadsARepresentativeRedisConf() throws Exception {
        String text;
        try (InputStream in = ConfigTableTest.class.getResourceAsStream("sample-redis-7.0.conf")) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        List<String> w = t.load(text, "redis.conf");
        assertThat(w).isEmpty();
        assertThat(config.bind).containsExactly("127.0.0.1", "-::1");
        assertEquals("/var/run/redis_6379.pid", config.pidfile);
        assertEquals(512, config.hashMaxListpackEntries);
        assertEquals("{title} {listen-addr} {server-mode}", t.get("proc-title-template"));
        assertEquals("normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60", t.get("client-output-buffer-limit"));
        assertEquals(Path.of("").toAbsolutePath().toRealPath().toString(), t.get("dir"));
    }

    /** The directives of tests/assets/default.conf in Redis 7.0.15's test suite. */
    static final String REDIS_TEST_DEFAULT_CONF = """
        always-show-logo yes
        notify-keyspace-events KEA
        daemonize no
        pidfile /var/run/redis.pid
        port 6379
        timeout 0
        bind 127.0.0.1
        loglevel verbose
        logfile ''
        databases 16
        latency-monitor-threshold 1
        repl-diskless-sync-delay 0

        save 900 1

        rdbcompression yes
        dbfilename dump.rdb
        dir ./

        slave-serve-stale-data yes
        appendonly no
        appendfsync everysec
        no-appendfsync-on-rewrite no
        activerehashing yes

        enable-protected-configs yes
        enable-debug-command yes
        enable-module-command yes

        propagation-error-behavior panic
        """;

    @Test
    void loadsTheRedisTestSuiteDefaultConf() throws Exception {
        List<String> w = t.load(REDIS_TEST_DEFAULT_CONF, "default.conf");
        assertThat(w).containsExactly(
            "always-show-logo is not implemented yet and has no effect",
            "repl-diskless-sync-delay is not implemented yet and has no effect",
            "propagation-error-behavior is not implemented yet and has no effect");
        assertEquals("AKE", t.get("notify-keyspace-events"));
        assertThat(config.bind).containsExactly("127.0.0.1");
        assertEquals("verbose", config.loglevel);
        assertEquals(1, config.latencyMonitorThreshold);
        assertThat(config.savePoints).isDeepEqualTo(new long[][] {{900, 1}});
        assertEquals(1, config.enableProtectedConfigs);
        assertEquals(1, config.enableDebugCommand);
        assertEquals(1, config.enableModuleCommand);
    }

    // =====================================================================================
    // Syntax helpers
    // =====================================================================================

    @Test
    void splittingAndQuoting() {
        assertEquals(List.of("a", "b c", "d e", "A\n", "x"), ConfigSyntax.splitArgs("a \"b c\" 'd e' \"\\x41\\n\"   x  "));
        assertEquals(List.of("it's"), ConfigSyntax.splitArgs("'it\\'s'"));
        assertEquals(List.of("\u00e9"), ConfigSyntax.splitArgs("\"\\xc3\\xa9\""));
        assertEquals(List.of(), ConfigSyntax.splitArgs("   "));
        assertNull(ConfigSyntax.splitArgs("\"abc"));
        assertNull(ConfigSyntax.splitArgs("\"a\"b"));
        assertEquals("\"a\\\"b\\\\\\n\\xc3\\xa9\"", ConfigSyntax.repr("a\"b\\\n\u00e9"));
        assertEquals(List.of("\u00e9 x"), ConfigSyntax.splitArgs(ConfigSyntax.repr("\u00e9 x")));
        assertEquals(List.of("a", "", "b"), ConfigSyntax.splitSpaces("a  b"));
        assertEquals(List.of(), ConfigSyntax.splitSpaces(""));
    }

    @Test
    void numbers() {
        assertEquals(1073741824L, ConfigSyntax.memtoull("1gb"));
        assertEquals(1073741824L, ConfigSyntax.memtoull("1GB"));
        assertEquals(1000L, ConfigSyntax.memtoull("1k"));
        assertEquals(1024L, ConfigSyntax.memtoull("1Kb"));
        assertEquals(5L, ConfigSyntax.memtoull("5b"));
        assertNull(ConfigSyntax.memtoull("-1"));
        assertNull(ConfigSyntax.memtoull("1x"));
        assertNull(ConfigSyntax.memtoull("1 kb"));
        assertEquals(0L, ConfigSyntax.memtoull(""));
        assertEquals(-1L, ConfigSyntax.memtoull("99999999999999999999"));
        assertNull(ConfigSyntax.string2ll("007"));
        assertNull(ConfigSyntax.string2ll("-0"));
        assertNull(ConfigSyntax.string2ll("+1"));
        assertNull(ConfigSyntax.string2ll(" 1"));
        assertNull(ConfigSyntax.string2ll(""));
        assertEquals(Long.MAX_VALUE, ConfigSyntax.string2ll("9223372036854775807"));
        assertNull(ConfigSyntax.string2ll("9223372036854775808"));
        assertEquals(Long.MIN_VALUE, ConfigSyntax.string2ll("-9223372036854775808"));
        assertEquals(new ConfigSyntax.Strtoll(0, true, false), ConfigSyntax.strtoll("", 10));
        assertEquals(new ConfigSyntax.Strtoll(12, true, false), ConfigSyntax.strtoll(" +12", 10));
        assertEquals(new ConfigSyntax.Strtoll(12, false, false), ConfigSyntax.strtoll("12x", 10));
        assertEquals(new ConfigSyntax.Strtoll(Long.MAX_VALUE, true, true), ConfigSyntax.strtoll("99999999999999999999", 10));
        assertEquals(new ConfigSyntax.Strtoll(448, true, false), ConfigSyntax.strtoll("700", 8));
        assertEquals("1gb", ConfigSyntax.formatMemory(1073741824L));
        assertEquals("64mb", ConfigSyntax.formatMemory(64L * 1024 * 1024));
        assertEquals("3kb", ConfigSyntax.formatMemory(3072));
        assertEquals("1000", ConfigSyntax.formatMemory(1000));
        assertEquals("0", ConfigSyntax.formatMemory(0));
        assertEquals("99.9", ConfigSyntax.trimmedDouble(99.9));
        assertEquals("50", ConfigSyntax.trimmedDouble(50));
        assertEquals(99.99, ConfigSyntax.string2d("99.99"));
        assertEquals(1e2, ConfigSyntax.string2d("1e2"));
        assertNull(ConfigSyntax.string2d("nan"));
        assertNull(ConfigSyntax.string2d(" 1"));
        assertNull(ConfigSyntax.string2d("1x"));
    }

    @Test
    void globMatching() {
        assertThat(ConfigSyntax.stringmatch("*of", "slaveof", true)).isTrue();
        assertThat(ConfigSyntax.stringmatch("h?llo", "HELLO", true)).isTrue();
        assertThat(ConfigSyntax.stringmatch("h?llo", "HELLO", false)).isFalse();
        assertThat(ConfigSyntax.stringmatch("h[a-e]llo", "hello", false)).isTrue();
        assertThat(ConfigSyntax.stringmatch("h[^e]llo", "hello", false)).isFalse();
        assertThat(ConfigSyntax.stringmatch("h[^e]llo", "hallo", false)).isTrue();
        assertThat(ConfigSyntax.stringmatch("h\\*o", "h*o", false)).isTrue();
        assertThat(ConfigSyntax.stringmatch("h\\*o", "hxo", false)).isFalse();
        assertThat(ConfigSyntax.stringmatch("a*b*c", "aXbYc", false)).isTrue();
        assertThat(ConfigSyntax.stringmatch("a*b*c", "aXbYd", false)).isFalse();
        assertThat(ConfigSyntax.stringmatch("*", "", false)).isFalse(); // as Redis's stringmatchlen
        assertThat(ConfigSyntax.stringmatch("a**", "a", false)).isTrue();
        assertThat(ConfigSyntax.stringmatch("[abc", "a", false)).isTrue();
    }

    // =====================================================================================
    // CONFIG commands through the engine
    // =====================================================================================

    @Nested
    class Commands {
        Harness h;

        @BeforeEach
        void start() { h = new Harness(); }

        @Test
        void getReturnsEachDirectiveOnce() {
            assertEquals(List.of("maxmemory", "0"), h.exec("CONFIG", "GET", "maxmemory"));
            @SuppressWarnings("unchecked")
            List<Object> res = (List<Object>) h.exec("CONFIG", "GET", "maxmemory", "maxmemory*", "bind", "*of", "MAXMEMORY");
            Map<Object, Object> m = new LinkedHashMap<>();
            for (int i = 0; i < res.size(); i += 2) m.put(res.get(i), res.get(i + 1));
            assertEquals(res.size(), m.size() * 2);
            assertThat(m).containsKeys("slaveof", "replicaof", "maxmemory", "maxmemory-samples", "maxmemory-clients", "bind");
            assertEquals(List.of(), h.exec("CONFIG", "GET", "nosuchthing"));
            h.exec("HELLO", "3");
            assertEquals(Map.of("port", "6379"), h.exec("CONFIG", "GET", "port"));
        }

        @Test
        void setAndErrors() {
            assertEquals("OK", h.exec("CONFIG", "SET", "maxmemory", "1mb", "slowlog-max-len", "3"));
            assertEquals(1024L * 1024, h.engine.config.maxmemory);
            assertEquals(List.of("slowlog-max-len", "3"), h.exec("CONFIG", "GET", "slowlog-max-len"));
            assertEquals(new Harness.Err("ERR CONFIG SET failed (possibly related to argument 'daemonize') - can't set immutable config"),
                h.exec("CONFIG", "SET", "daemonize", "yes"));
            assertEquals(new Harness.Err("ERR syntax error"), h.exec("CONFIG", "SET", "maxmemory", "1", "port"));
            assertEquals(new Harness.Err("ERR wrong number of arguments for 'config|set' command"),
                h.exec("CONFIG", "SET", "maxmemory"));
        }

        @Test
        void resetStatAndRewriteAndHelp() {
            h.exec("CONFIG", "GET", "port");
            h.exec("CONFIG", "GET", "port");
            assertThat(h.engine.stats.totalCommandsProcessed).isGreaterThanOrEqualTo(2);
            assertEquals("OK", h.exec("CONFIG", "RESETSTAT"));
            assertEquals(0, h.engine.commands.visible("config").subcommands.get("get").calls);
            assertThat(h.engine.stats.totalCommandsProcessed).isLessThanOrEqualTo(1);
            assertEquals(new Harness.Err("ERR The server is running without a config file"), h.exec("CONFIG", "REWRITE"));
            // (raw: Client.addHelp's array length is checked by its own tests)
            assertThat(h.raw("CONFIG", "HELP")).contains("+CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n")
                .contains("+RESETSTAT\r\n+    Reset statistics reported by the INFO command.\r\n")
                .contains("+REWRITE\r\n+    Rewrite the configuration file.\r\n");
        }
    }
}
