package org.redoubt.engine.commands;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.redoubt.engine.Harness;
import org.redoubt.engine.Harness.Err;
import org.redoubt.engine.config.Config;
import org.redoubt.engine.info.Digest;
import org.redoubt.engine.info.ServerInfo;

@SuppressWarnings("unchecked")
class DebugCommandTest {
    private Harness h;

    @BeforeEach
    void setUp() {
        Config c = new Config();
        c.enableDebugCommand = 1;
        h = new Harness(c);
    }

    private Object x(String... args) { return h.exec(args); }

    @Test
    void protectedByEnableDebugCommand() {
        Harness off = new Harness();
        assertThat(off.exec("DEBUG", "SLEEP", "0")).isInstanceOf(Err.class);
        assertThat(x("DEBUG", "SLEEP", "0")).isEqualTo("OK");
    }

    @Test
    void sleepBlocksTheEngineAndIsSlowlogged() {
        h.engine.config.slowlogLogSlowerThan = 40_000;
        long t0 = System.nanoTime();
        assertThat(x("DEBUG", "SLEEP", "0.05")).isEqualTo("OK");
        assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(50_000_000L);
        List<Object> e = (List<Object>) ((List<Object>) x("SLOWLOG", "GET")).get(0);
        assertThat(e.get(3)).isEqualTo(List.of("DEBUG", "SLEEP", "0.05"));
        assertThat((Long) e.get(2)).isGreaterThanOrEqualTo(50_000L);
        // The recorded p50 is at least the sleep (a loaded machine may add any amount on top).
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("latency_percentiles_usec_debug:p50=(\\d+)\\.\\d{3}")
            .matcher((String) x("INFO", "latencystats"));
        assertThat(m.find()).isTrue();
        assertThat(Long.parseLong(m.group(1))).isGreaterThanOrEqualTo(49_000L);
        assertThat(DebugCommand.strtod("0.2abc".getBytes())).isEqualTo(0.2);
        assertThat(DebugCommand.strtod("x".getBytes())).isEqualTo(0.0);
        assertThat(DebugCommand.strtod("1e-1".getBytes())).isEqualTo(0.1);
    }

    @Test
    void latencyMonitorSeesSlowCommands() {
        h.engine.config.latencyMonitorThreshold = 10;
        x("DEBUG", "SLEEP", "0.02");
        List<Object> latest = (List<Object>) x("LATENCY", "LATEST");
        assertThat(latest).hasSize(1);
        assertThat(((List<Object>) latest.get(0)).get(0)).isEqualTo("command");
        assertThat((Long) ((List<Object>) latest.get(0)).get(2)).isGreaterThanOrEqualTo(20L);
    }

    @Test
    void setActiveExpire() {
        assertThat(x("DEBUG", "SET-ACTIVE-EXPIRE", "0")).isEqualTo("OK");
        assertThat(h.engine.config.activeExpireEnabled).isFalse();
        assertThat(x("DEBUG", "set-active-expire", "1")).isEqualTo("OK");
        assertThat(h.engine.config.activeExpireEnabled).isTrue();
    }

    @Test
    void objectDescribesStrings() {
        x("SET", "foo", "bar");
        x("SET", "n", "123");
        x("SET", "big", "x".repeat(100));
        assertThat((String) x("DEBUG", "OBJECT", "foo"))
            .matches("Value at:0x[0-9a-f]+ refcount:1 encoding:embstr serializedlength:4 lru:\\d+ lru_seconds_idle:\\d+");
        assertThat((String) x("DEBUG", "OBJECT", "n"))
            .matches("Value at:0x[0-9a-f]+ refcount:2147483647 encoding:int serializedlength:2 lru:\\d+ lru_seconds_idle:\\d+");
        assertThat((String) x("DEBUG", "OBJECT", "big")).contains("refcount:1 encoding:raw serializedlength:102 ");
        assertThat(x("DEBUG", "OBJECT", "nope")).isEqualTo(new Err("ERR no such key"));
        // The address of a key's value is stable while the key is rewritten (INCR in place).
        x("SET", "c", "20000");
        String before = ((String) x("DEBUG", "OBJECT", "c")).split(" ")[1];
        x("SET", "c", "20001");
        assertThat(((String) x("DEBUG", "OBJECT", "c")).split(" ")[1]).isEqualTo(before);
        assertThat((String) x("DEBUG", "SDSLEN", "foo")).startsWith("key_sds_len:3, key_sds_avail:0, key_zmalloc: 8, val_sds_len:3,");
        assertThat(x("DEBUG", "SDSLEN", "n")).isEqualTo(new Err("ERR Not an sds encoded string."));
    }

    @Test
    void digestsMatchRedis() {
        assertThat(x("DEBUG", "DIGEST")).isEqualTo("0".repeat(40));
        x("SET", "foo", "bar");
        // Values computed by Redis 7.0.15 for the same dataset.
        assertThat(x("DEBUG", "DIGEST")).isEqualTo("d2ab4820c1be0580ea28efbfe8bfa1dc05bb802a");
        assertThat(x("DEBUG", "DIGEST-VALUE", "foo", "nope"))
            .isEqualTo(List.of("68467c70ae30376e7ce005bcc8827f5ba7fd67dc", "0".repeat(40)));
        x("SET", "n", "123");
        x("SET", "big", "x".repeat(100));
        x("PEXPIRE", "n", "100000");
        assertThat(x("DEBUG", "DIGEST-VALUE", "n")).isEqualTo(List.of("6f720be4ac4df2a2a7c35fa640511a20a52ceda8"));
        assertThat(x("DEBUG", "DIGEST")).isEqualTo("a5e194e745e59cd879d618e72c9b8d36172ec2d6");
        assertThat(x("DEBUG", "DIGEST-VALUE")).isEqualTo(List.of());
    }

    @Test
    void g17FormatsLikeC() {
        assertThat(Digest.g17(1.5)).isEqualTo("1.5");
        assertThat(Digest.g17(0.1)).isEqualTo("0.10000000000000001");
        assertThat(Digest.g17(1e20)).isEqualTo("1e+20");
        assertThat(Digest.g17(-2.5e-7)).isEqualTo("-2.4999999999999999e-07");
        assertThat(Digest.g17(100)).isEqualTo("100");
    }

    @Test
    void protocolRepliesInBothProtocols() {
        assertThat(x("DEBUG", "PROTOCOL", "string")).isEqualTo("Hello World");
        assertThat(x("DEBUG", "PROTOCOL", "integer")).isEqualTo(12345L);
        assertThat(x("DEBUG", "PROTOCOL", "double")).isEqualTo("3.141");
        assertThat(x("DEBUG", "PROTOCOL", "bignum")).isEqualTo("1234567999999999999999999999999999999");
        assertThat(x("DEBUG", "PROTOCOL", "null")).isNull();
        assertThat(x("DEBUG", "PROTOCOL", "array")).isEqualTo(List.of(0L, 1L, 2L));
        assertThat(x("DEBUG", "PROTOCOL", "map")).isEqualTo(List.of(0L, 0L, 1L, 1L, 2L, 0L));
        assertThat(x("DEBUG", "PROTOCOL", "true")).isEqualTo(1L);
        assertThat(x("DEBUG", "PROTOCOL", "false")).isEqualTo(0L);
        assertThat(x("DEBUG", "PROTOCOL", "attrib")).isEqualTo("Some real reply following the attribute");
        assertThat(x("DEBUG", "PROTOCOL", "push")).isEqualTo(new Err("ERR RESP2 is not supported by this command"));
        assertThat(x("DEBUG", "PROTOCOL", "verbatim")).isEqualTo("This is a verbatim\nstring");
        assertThat(x("DEBUG", "PROTOCOL", "nope")).isEqualTo(new Err(DebugCommand.PROTOCOL_TYPES));

        h.client.resp = 3;
        assertThat(x("DEBUG", "PROTOCOL", "double")).isEqualTo(3.141);
        assertThat(x("DEBUG", "PROTOCOL", "bignum")).isEqualTo(new java.math.BigInteger("1234567999999999999999999999999999999"));
        assertThat(x("DEBUG", "PROTOCOL", "map")).isEqualTo(Map.of(0L, false, 1L, true, 2L, false));
        assertThat(x("DEBUG", "PROTOCOL", "true")).isEqualTo(true);
        assertThat(x("DEBUG", "PROTOCOL", "verbatim")).isEqualTo("This is a verbatim\nstring");
        assertThat(h.raw("DEBUG", "PROTOCOL", "attrib"))
            .isEqualTo("|1\r\n$14\r\nkey-popularity\r\n*2\r\n$7\r\nkey:123\r\n:90\r\n$39\r\nSome real reply following the attribute\r\n");
        assertThat(h.raw("DEBUG", "PROTOCOL", "push"))
            .isEqualTo(">2\r\n$16\r\nserver-cpu-usage\r\n:42\r\n$40\r\nSome real reply following the push reply\r\n");
        assertThat(h.raw("DEBUG", "PROTOCOL", "null")).isEqualTo("_\r\n");
    }

    @Test
    void populateCreatesKeysWithoutDirtying() {
        long dirty = h.engine.dirty;
        assertThat(x("DEBUG", "POPULATE", "3")).isEqualTo("OK");
        assertThat(x("GET", "key:0")).isEqualTo("value:0");
        assertThat(x("GET", "key:2")).isEqualTo("value:2");
        assertThat(x("DEBUG", "POPULATE", "2", "p", "10")).isEqualTo("OK");
        assertThat(x("GET", "p:1")).isEqualTo("value:1\0\0\0");
        x("SET", "key:5", "keep");
        x("DEBUG", "POPULATE", "6");
        assertThat(x("GET", "key:5")).isEqualTo("keep");
        assertThat(h.engine.db(0).size()).isEqualTo(8);
        assertThat(h.engine.dirty).isEqualTo(dirty + 1);   // only the SET
        assertThat(x("DEBUG", "POPULATE", "-1")).isEqualTo(new Err("ERR value is out of range, must be positive"));
        assertThat(x("DEBUG", "POPULATE", "x")).isEqualTo(new Err("ERR value is out of range, must be positive"));
    }

    @Test
    void knobsAndMiscellany() {
        String before = ServerInfo.of(h.engine).replId;
        assertThat(x("DEBUG", "CHANGE-REPL-ID")).isEqualTo("OK");
        assertThat(ServerInfo.of(h.engine).replId).isNotEqualTo(before).matches("[0-9a-f]{40}");
        assertThat((String) x("INFO", "replication")).contains("master_replid:" + ServerInfo.of(h.engine).replId);
        assertThat(x("DEBUG", "QUICKLIST-PACKED-THRESHOLD", "100")).isEqualTo("OK");
        assertThat(ServerInfo.of(h.engine).quicklistPackedThreshold).isEqualTo(100);
        assertThat(x("DEBUG", "QUICKLIST-PACKED-THRESHOLD", "1kb")).isEqualTo("OK");
        assertThat(ServerInfo.of(h.engine).quicklistPackedThreshold).isEqualTo(1024);
        assertThat(x("DEBUG", "QUICKLIST-PACKED-THRESHOLD", "5gb")).isInstanceOf(Err.class);
        assertThat(x("DEBUG", "PAUSE-CRON", "1")).isEqualTo("OK");
        assertThat(ServerInfo.of(h.engine).cronPaused).isTrue();
        assertThat(x("DEBUG", "REPLYBUFFER", "PEAK-RESET-TIME", "never")).isEqualTo("OK");
        assertThat(x("DEBUG", "REPLYBUFFER", "RESIZING", "0")).isEqualTo("OK");
        assertThat(x("DEBUG", "REPLYBUFFER", "x", "0")).isEqualTo(new Err("ERR unknown subcommand or wrong number of arguments for 'REPLYBUFFER'. Try DEBUG HELP."));
        assertThat(x("DEBUG", "LOG", "hello")).isEqualTo("OK");
        assertThat(x("DEBUG", "JMAP")).isEqualTo("OK");
        assertThat(x("DEBUG", "SET-DISABLE-DENY-SCRIPTS", "1")).isEqualTo("OK");
        assertThat(x("DEBUG", "STRINGMATCH-TEST")).isEqualTo("Apparently Redis did not crash: test passed");
        assertThat(x("DEBUG", "ERROR", "MYERR oops")).isEqualTo(new Err("MYERR oops"));
        assertThat(x("DEBUG", "NOPE")).isEqualTo(new Err("ERR unknown subcommand or wrong number of arguments for 'NOPE'. Try DEBUG HELP."));
        assertThat(x("DEBUG", "SLEEP")).isEqualTo(new Err("ERR unknown subcommand or wrong number of arguments for 'SLEEP'. Try DEBUG HELP."));
        List<Object> help = (List<Object>) x("DEBUG", "HELP");
        assertThat(help.get(0)).isEqualTo("DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
        assertThat(help).contains("SLEEP <seconds>", "PROTOCOL <type>");
    }

    @Test
    void modulesCanExtendDebug() {
        DebugCommand.extend(h.engine, "RELOAD", c -> c.addSimple("reloaded"));
        assertThat(x("DEBUG", "reload")).isEqualTo("reloaded");
        Harness other = new Harness();
        other.engine.config.enableDebugCommand = 1;
        assertThat(other.exec("DEBUG", "RELOAD")).isInstanceOf(Err.class);
    }
}
