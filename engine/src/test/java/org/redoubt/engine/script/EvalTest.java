package org.redoubt.engine.script;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.redoubt.engine.Harness;
import org.redoubt.engine.Harness.Err;

/** EVAL family: Lua ↔ RESP conversions in both protocols, the script cache, error replies. */
class EvalTest {
    private Harness h;

    @BeforeEach
    void setUp() {
        h = new Harness();
        h.engine.config.enableDebugCommand = 1;
    }

    private Object x(String... a) { return h.exec(a); }

    static String err(Object o) {
        assertThat(o).isInstanceOf(Err.class);
        return ((Err) o).message();
    }

    @Test
    void luaToRespInResp2() {
        assertThat(x("EVAL", "return 'hello'", "0")).isEqualTo("hello");
        assertThat(x("EVAL", "return 100.5", "0")).isEqualTo(100L);
        assertThat(x("EVAL", "return -3.9", "0")).isEqualTo(-3L);
        assertThat(x("EVAL", "return true", "0")).isEqualTo(1L);
        assertThat(x("EVAL", "return false", "0")).isNull();
        assertThat(x("EVAL", "return nil", "0")).isNull();
        assertThat(h.raw("EVAL", "return {ok='fine'}", "0")).isEqualTo("+fine\r\n");
        assertThat(h.raw("EVAL", "return {ok='a\\r\\nb'}", "0")).isEqualTo("+a  b\r\n");
        assertThat(err(x("EVAL", "return {err='ERR this is an error'}", "0"))).isEqualTo("ERR this is an error");
        assertThat(x("EVAL", "return {1,2,3,'ciao',{1,2}}", "0")).isEqualTo(List.of(1L, 2L, 3L, "ciao", List.of(1L, 2L)));
        assertThat(x("EVAL", "return {1,2,nil,4}", "0")).isEqualTo(List.of(1L, 2L));
        assertThat(x("EVAL", "return _G", "0")).isEqualTo(List.of());
        assertThat(h.raw("EVAL", "return {double=3.5}", "0")).isEqualTo("$3\r\n3.5\r\n");
        assertThat(h.raw("EVAL", "return {big_number='123'}", "0")).isEqualTo("$3\r\n123\r\n");
        assertThat(h.raw("EVAL", "return {verbatim_string={format='txt', string='hi'}}", "0")).isEqualTo("$2\r\nhi\r\n");
        assertThat(h.raw("EVAL", "return {map={a=1}}", "0")).isEqualTo("*2\r\n$1\r\na\r\n:1\r\n");
        assertThat(h.raw("EVAL", "return {set={a=true}}", "0")).isEqualTo("*1\r\n$1\r\na\r\n");
    }

    @Test
    void luaToRespInResp3() {
        x("HELLO", "3");
        assertThat(h.raw("EVAL", "return true", "0")).isEqualTo(":1\r\n");  // script still in RESP2 mode
        assertThat(h.raw("EVAL", "return false", "0")).isEqualTo("_\r\n");
        assertThat(h.raw("EVAL", "redis.setresp(3); return true", "0")).isEqualTo("#t\r\n");
        assertThat(h.raw("EVAL", "redis.setresp(3); return false", "0")).isEqualTo("#f\r\n");
        assertThat(h.raw("EVAL", "return {double=3.5}", "0")).isEqualTo(",3.5\r\n");
        assertThat(h.raw("EVAL", "return {big_number='123\\r\\n4'}", "0")).isEqualTo("(123  4\r\n");
        assertThat(h.raw("EVAL", "return {verbatim_string={format='txt', string='hi'}}", "0")).isEqualTo("=6\r\ntxt:hi\r\n");
        assertThat(h.raw("EVAL", "return {map={a=1}}", "0")).isEqualTo("%1\r\n$1\r\na\r\n:1\r\n");
        assertThat(h.raw("EVAL", "return {set={a=true}}", "0")).isEqualTo("~1\r\n$1\r\na\r\n");
    }

    @Test
    void respToLua() {
        org.redoubt.engine.info.ServerInfo.of(h.engine).scriptDisableDenyScript = true;  // DEBUG PROTOCOL is noscript
        x("SET", "x", "0");
        assertThat(x("EVAL", "local foo = redis.pcall('incr',KEYS[1]) return {type(foo),foo}", "1", "x")).isEqualTo(List.of("number", 1L));
        assertThat(x("EVAL", "local foo = redis.pcall('get',KEYS[1]) return {type(foo),foo}", "1", "x")).isEqualTo(List.of("string", "1"));
        assertThat(x("EVAL", "local foo = redis.pcall('set',KEYS[1],'v') return {type(foo),foo['ok']}", "1", "x")).isEqualTo(List.of("table", "OK"));
        assertThat(x("EVAL", "local foo = redis.pcall('incr',KEYS[1]) return {type(foo),foo['err']}", "1", "x"))
            .isEqualTo(List.of("table", "ERR value is not an integer or out of range"));
        assertThat(x("EVAL", "local foo = redis.pcall('get','nokey') return {type(foo),foo == false}", "0")).isEqualTo(List.of("boolean", 1L));
        // RESP3 replies seen by a script in RESP3 mode, converted back for a RESP2 caller.
        assertThat(x("EVAL", "redis.setresp(3) local m = redis.call('debug','protocol','map') return {type(m.map), m.map[1], m.map[2] == false}", "0"))
            .isEqualTo(List.of("table", 1L, 1L));
        assertThat(x("EVAL", "redis.setresp(3) return redis.call('debug','protocol','double')['double'] * 1000", "0")).isEqualTo(3141L);
        assertThat(x("EVAL", "redis.setresp(3) return redis.call('debug','protocol','bignum')['big_number']", "0"))
            .isEqualTo("1234567999999999999999999999999999999");
        assertThat(x("EVAL", "redis.setresp(3) local v = redis.call('debug','protocol','verbatim')['verbatim_string'] return {v.format, v.string}", "0"))
            .isEqualTo(List.of("txt", "This is a verbatim\nstring"));
        assertThat(x("EVAL", "redis.setresp(3) return redis.call('debug','protocol','null') == nil", "0")).isEqualTo(1L);
        assertThat(x("EVAL", "redis.setresp(3) return redis.call('debug','protocol','attrib')", "0")).isEqualTo("Some real reply following the attribute");
    }

    @Test
    void cacheAndEvalsha() {
        x("SET", "mykey", "myval");
        assertThat(x("EVAL", "return redis.call('get',KEYS[1])", "1", "mykey")).isEqualTo("myval");
        assertThat(x("EVALSHA", "fd758d1589d044dd850a6f05d52f2eefd27f033f", "1", "mykey")).isEqualTo("myval");
        assertThat(x("EVALSHA", "FD758D1589D044DD850A6F05D52F2EEFD27F033F", "1", "mykey")).isEqualTo("myval");
        assertThat(err(x("EVALSHA", "NotValidShaSUM", "0"))).isEqualTo("NOSCRIPT No matching script. Please use EVAL.");
        assertThat(err(x("EVALSHA", "ffd632c7d33e571e9f24556ebed26c3479a87130", "0"))).startsWith("NOSCRIPT");
        assertThat(x("SCRIPT", "LOAD", "return 'loaded'")).isEqualTo("b534286061d4b9e4026607613b95c06c06015ae8");
        assertThat(x("SCRIPT", "EXISTS", "b534286061d4b9e4026607613b95c06c06015ae8", "B534286061D4B9E4026607613B95C06C06015AE8", "ffff"))
            .isEqualTo(List.of(1L, 1L, 0L));
        assertThat(Scripting.of(h.engine).cachedScripts()).isEqualTo(2);
        assertThat((String) x("INFO", "memory")).contains("number_of_cached_scripts:2\r\n").contains("number_of_functions:0\r\n");
        assertThat(x("SCRIPT", "FLUSH", "ASYNC")).isEqualTo("OK");
        assertThat(Scripting.of(h.engine).cachedScripts()).isZero();
        assertThat(err(x("EVALSHA", "fd758d1589d044dd850a6f05d52f2eefd27f033f", "1", "mykey"))).startsWith("NOSCRIPT");
        assertThat(err(x("SCRIPT", "FLUSH", "bad"))).isEqualTo("ERR SCRIPT FLUSH only support SYNC|ASYNC option");
        assertThat(err(x("SCRIPT", "KILL"))).isEqualTo("NOTBUSY No scripts in execution right now.");
        assertThat(x("EVAL", "return redis.sha1hex('Pizza & Mandolino')", "0")).isEqualTo("74822d82031af7493c20eefa13bd07ec4fada82f");
    }

    @Test
    void argumentErrors() {
        assertThat(err(x("EVAL", "return 1", "-12"))).isEqualTo("ERR Number of keys can't be negative");
        assertThat(err(x("EVAL", "return 1", "2", "a"))).isEqualTo("ERR Number of keys can't be greater than number of args");
        assertThat(err(x("EVAL", "return 1", "x"))).isEqualTo("ERR value is not an integer or out of range");
        assertThat(x("EVAL", "return {KEYS[1],KEYS[2],ARGV[1],ARGV[2]}", "2", "a", "b", "c", "d")).isEqualTo(List.of("a", "b", "c", "d"));
    }

    @Test
    void scriptErrorsUseRedis70Format() {
        String sha = Sha1.hex("return a".getBytes());
        assertThat(err(x("EVAL", "return a", "0")))
            .isEqualTo("ERR user_script:1: Script attempted to access nonexistent global variable 'a' script: " + sha + ", on @user_script:1.");
        assertThat(err(x("EVAL", "redis.call('nosuchcommand')", "0"))).startsWith("ERR Unknown Redis command called from script script: ");
        assertThat(err(x("EVAL", "redis.call('get','a','b','c')", "0"))).startsWith("ERR Wrong number of args calling Redis command from script script:");
        x("SET", "foo", "bar");
        assertThat(err(x("EVAL", "\n\nredis.call('lpush',KEYS[1],'val')", "1", "foo")))
            .matches("WRONGTYPE Operation against a key holding the wrong kind of value script: [0-9a-f]{40}, on @user_script:3\\.");
        assertThat(err(x("EVAL", "return redis.call()", "0"))).contains("Please specify at least one argument for this redis lib call");
        assertThat(err(x("EVAL", "error('boom')", "0"))).startsWith("ERR user_script:1: boom script: ");
        assertThat(err(x("EVAL", "foo()", "0"))).contains("Script attempted to access nonexistent global variable 'foo'");
        assertThat(err(x("EVAL", "local t = {} t.x.y = 1", "0"))).contains("user_script:1: attempt to index field 'x' (a nil value)");
        assertThat(err(x("EVAL", "local t = {} t.f()", "0"))).contains("user_script:1: attempt to call field 'f' (a nil value)");
        assertThat(err(x("EVAL", "bad script", "0"))).startsWith("ERR Error compiling script (new function): user_script:1:");
        assertThat(err(x("EVAL", "return redis.pcall('blpop','x',0)", "0"))).isEqualTo("ERR This Redis command is not allowed from script");
        assertThat(err(x("EVAL", "local x={} return redis.call('ping', x)", "0")))
            .startsWith("ERR Lua redis lib command arguments must be strings or integers");
        assertThat(x("EVAL", "return redis.call('ping', 'asdf')", "0")).isEqualTo("asdf");
        assertThat(err(x("EVAL", "return redis.error_reply('MY_ERR_CODE custom msg')", "0"))).isEqualTo("MY_ERR_CODE custom msg");
        assertThat(h.raw("EVAL", "return redis.status_reply('MY_OK_CODE custom msg')", "0")).isEqualTo("+MY_OK_CODE custom msg\r\n");
        assertThat(x("EVAL", "local s, r = pcall(function() return foo end) return 'status: ' .. tostring(s) .. ' result: ' .. r", "0"))
            .isEqualTo("status: false result: user_script:1: Script attempted to access nonexistent global variable 'foo'");
        assertThat(x("EVAL", "local s, r = pcall(redis.call, 'nosuch') return r", "0")).isEqualTo("ERR Unknown Redis command called from script");
        assertThat(err(x("EVAL", "redis.sha1hex()", "0"))).startsWith("ERR wrong number of arguments script:");
    }

    @Test
    void errorStatsCountedOnce() {
        h.engine.config.maxmemory = 1;
        h.engine.stats.totalErrorReplies = 0;
        assertThat(err(x("EVAL", "return redis.call('set','x','y')", "1", "x"))).startsWith("OOM command not allowed when used memory > 'maxmemory'.");
        assertThat(h.engine.stats.totalErrorReplies).isEqualTo(1);
        var set = h.engine.commands.find("set");
        var eval = h.engine.commands.find("eval");
        assertThat(set.rejectedCalls).isEqualTo(1);
        assertThat(eval.failedCalls).isEqualTo(1);
        assertThat(x("EVAL", "return redis.call('get','x')", "1", "x")).isNull();  // reads are fine in OOM
        // Declared flags without allow-oom make EVAL a denyoom command: refused before it runs (as Redis).
        assertThat(err(x("EVAL", "#!lua flags=\nreturn 1", "0"))).startsWith("OOM command not allowed when used memory > 'maxmemory'.");
        assertThat(x("EVAL", "#!lua flags=allow-oom\nreturn redis.call('set','x','1')", "1", "x")).isEqualTo("OK");
        assertThat(x("EVAL", "#!lua flags=no-writes\nreturn redis.call('get','x')", "1", "x")).isEqualTo("1");
        h.engine.config.maxmemory = 0;
    }

    @Test
    void readOnlyScriptsAndShebang() {
        x("SET", "foo", "bar");
        assertThat(x("EVAL_RO", "return redis.call('get', KEYS[1])", "1", "foo")).isEqualTo("bar");
        assertThat(err(x("EVAL_RO", "redis.call('del', KEYS[1])", "1", "foo"))).startsWith("ERR Write commands are not allowed from read-only scripts.");
        assertThat(err(x("EVAL", "#!lua flags=no-writes\nredis.call('set','x',1)", "1", "x"))).startsWith("ERR Write commands are not allowed from read-only scripts.");
        assertThat(err(x("EVAL_RO", "#!lua\nreturn 1", "0"))).isEqualTo("ERR Can not execute a script with write flag using *_ro command.");
        assertThat(err(x("EVAL", "#!not-lua\nreturn 1", "0"))).isEqualTo("ERR Unexpected engine in script shebang: #!not-lua");
        assertThat(err(x("EVAL", "#!lua badger=data\nreturn 1", "0"))).isEqualTo("ERR Unknown lua shebang option: badger=data");
        assertThat(err(x("EVAL", "#!lua flags=allow-oom,what?\nreturn 1", "0"))).isEqualTo("ERR Unexpected flag in script shebang: what?");
        assertThat(err(x("EVAL", "#!lua", "0"))).isEqualTo("ERR Invalid script shebang");
        assertThat(x("EVAL", "#!lua\nreturn 1", "0")).isEqualTo(1L);
    }

    @Test
    void notEnoughGoodReplicas() {
        x("SET", "x", "some value");
        assertThat(x("CONFIG", "SET", "min-replicas-to-write", "1")).isEqualTo("OK");
        assertThat(x("EVAL", "#!lua flags=no-writes\nreturn redis.call('get','x')", "1", "x")).isEqualTo("some value");
        assertThat(x("EVAL", "return redis.call('get','x')", "1", "x")).isEqualTo("some value");
        assertThat(err(x("EVAL", "#!lua\nreturn redis.call('get','x')", "1", "x"))).isEqualTo("NOREPLICAS Not enough good replicas to write.");
        assertThat(err(x("EVAL", "local r = redis.call('set','x', 1) return r", "1", "x")))
            .matches("NOREPLICAS Not enough good replicas to write\\. script: [0-9a-f]{40}, on @user_script:1\\.");
        assertThat(err(x("EVAL", "return redis.call('set','x', 1)", "1", "x")))
            .matches("NOREPLICAS Not enough good replicas to write\\. script: [0-9a-f]{40}, on =\\(tail call\\):-1\\.");
        x("CONFIG", "SET", "min-replicas-to-write", "0");
        assertThat(x("EVAL", "return redis.call('set','x', 1)", "1", "x")).isEqualTo("OK");
    }

    @Test
    void scriptClientUsesCallerDbAndDoesNotChangeIt() {
        x("SELECT", "10");
        x("SET", "mykey", "db10");
        assertThat(x("EVAL", "return redis.pcall('get',KEYS[1])", "1", "mykey")).isEqualTo("db10");
        assertThat(x("EVAL", "return redis.pcall('select','9')", "0")).isEqualTo("OK");
        assertThat(x("GET", "mykey")).isEqualTo("db10");
    }

    @Test
    void numbersAsArgumentsKeepPrecision() {
        assertThat(x("EVAL", "redis.call('set','foo',9007199254740991) return redis.call('get','foo')", "0")).isEqualTo("9007199254740991");
        assertThat(x("EVAL", "redis.call('set','foo',0.1) return redis.call('get','foo')", "0")).isEqualTo("0.10000000000000001");
        assertThat(x("EVAL", "local a = {} for i=1,7999 do a[i] = 1 end return redis.call('lpush', 'l', unpack(a))", "0")).isEqualTo(7999L);
    }

    @Test
    void recursiveReplyIsCut() {
        String raw = h.raw("EVAL", "local a = {}; local b = {a}; a[1] = b; return a", "0");
        assertThat(raw).endsWith("-ERR reached lua stack limit\r\n");
        assertThat(raw).startsWith("*1\r\n*1\r\n");
    }

    @Test
    void nonDeterministicRandomIsSeedable() {
        Object a = x("EVAL", "math.randomseed(ARGV[1]); return tostring(math.random())", "0", "10");
        Object b = x("EVAL", "math.randomseed(ARGV[1]); return tostring(math.random())", "0", "10");
        Object c = x("EVAL", "math.randomseed(ARGV[1]); return tostring(math.random())", "0", "20");
        assertThat(a).isEqualTo(b).isNotEqualTo(c);
        assertThat(x("EVAL", "return redis.replicate_commands()", "0")).isEqualTo(1L);
        assertThat(x("EVAL", "redis.set_repl(redis.REPL_ALL) return redis.breakpoint()", "0")).isNull();
        assertThat(err(x("EVAL", "redis.set_repl(12345)", "0"))).contains("Invalid replication flags");
    }

    @Test
    void redisVersionApi() {
        assertThat(x("EVAL", "return redis.REDIS_VERSION", "0")).isEqualTo("7.0.15");
        assertThat(x("EVAL", "return string.format('%s.%s.%s', bit.band(bit.rshift(redis.REDIS_VERSION_NUM, 16), 255), "
            + "bit.band(bit.rshift(redis.REDIS_VERSION_NUM, 8), 255), bit.band(redis.REDIS_VERSION_NUM, 255))", "0")).isEqualTo("7.0.15");
        assertThat(x("EVAL", "redis.log(redis.LOG_WARNING, 'from a script', 1) return redis.LOG_NOTICE", "0")).isEqualTo(2L);
        assertThat(err(x("EVAL", "redis.log(9, 'x')", "0"))).contains("Invalid debug level.");
    }

    @Test
    void mapRepliesInBothModes() {
        x("HSET", "hash", "field", "value");
        assertThat(x("EVAL", "redis.setresp(3); return redis.call('hgetall', KEYS[1])", "1", "hash")).isEqualTo(List.of("field", "value"));
        x("HELLO", "3");
        assertThat(x("EVAL", "redis.setresp(3); return redis.call('hgetall', KEYS[1])", "1", "hash")).isEqualTo(Map.of("field", "value"));
        assertThat(x("EVAL", "redis.setresp(2); return redis.call('hgetall', KEYS[1])", "1", "hash")).isEqualTo(List.of("field", "value"));
    }
}
