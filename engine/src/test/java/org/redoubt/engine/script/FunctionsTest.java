package org.redoubt.engine.script;

import static org.assertj.core.api.Assertions.assertThat;
import static org.redoubt.engine.script.EvalTest.err;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.redoubt.engine.Harness;

/** FUNCTION LOAD/LIST/DELETE/FLUSH/DUMP/RESTORE/STATS and FCALL. */
class FunctionsTest {
    private Harness h;

    @BeforeEach
    void setUp() { h = new Harness(); }

    private Object x(String... a) { return h.exec(a); }

    private static String lib(String name, String fn, String body) {
        return "#!lua name=" + name + "\nredis.register_function('" + fn + "', function(KEYS, ARGV)\n " + body + " \nend)";
    }

    @Test
    void loadCallDelete() {
        assertThat(x("FUNCTION", "LOAD", lib("test", "test", "return 'hello'"))).isEqualTo("test");
        assertThat(x("FCALL", "test", "0")).isEqualTo("hello");
        assertThat(x("FCALL", "TEST", "0")).isEqualTo("hello");
        assertThat(err(x("FUNCTION", "LOAD", lib("test", "test", "return 'x'")))).isEqualTo("ERR Library 'test' already exists");
        assertThat(err(x("FUNCTION", "LOAD", "foo", "bar", lib("test", "test", "return 1")))).isEqualTo("ERR Unknown option given: foo");
        assertThat(err(x("FUNCTION", "LOAD", "REPLACE", lib("test", "test", "bad script")))).startsWith("ERR Error compiling function: user_function:");
        assertThat(x("FCALL", "test", "0")).isEqualTo("hello");  // a failed REPLACE keeps the old library
        assertThat(x("FUNCTION", "LOAD", "REPLACE", lib("test", "test", "return redis.call('set', KEYS[1], ARGV[1])"))).isEqualTo("test");
        assertThat(x("FCALL", "test", "1", "x", "foo")).isEqualTo("OK");
        assertThat(x("GET", "x")).isEqualTo("foo");
        assertThat(err(x("FCALL", "test", "bad_arg"))).isEqualTo("ERR Bad number of keys provided");
        assertThat(err(x("FCALL", "test", "10", "key1"))).isEqualTo("ERR Number of keys can't be greater than number of args");
        assertThat(err(x("FCALL", "test", "-1", "key1"))).isEqualTo("ERR Number of keys can't be negative");
        assertThat(err(x("FCALL", "nosuch", "0"))).isEqualTo("ERR Function not found");
        assertThat(x("FUNCTION", "DELETE", "test")).isEqualTo("OK");
        assertThat(err(x("FUNCTION", "DELETE", "test"))).isEqualTo("ERR Library not found");
        assertThat(err(x("FCALL", "test", "0"))).isEqualTo("ERR Function not found");
        assertThat(err(x("FUNCTION", "KILL"))).isEqualTo("NOTBUSY No scripts in execution right now.");
        assertThat(err(x("FUNCTION", "FLUSH", "bad_arg"))).isEqualTo("ERR FUNCTION FLUSH only supports SYNC|ASYNC option");
        assertThat(err(x("FUNCTION", "flush", "sync", "extra"))).endsWith("'flush'. Try FUNCTION HELP.");
    }

    @Test
    void metadataErrors() {
        assertThat(err(x("FUNCTION", "LOAD", "return 1"))).isEqualTo("ERR Missing library metadata");
        assertThat(err(x("FUNCTION", "LOAD", "#!lua name=x"))).isEqualTo("ERR Invalid library metadata");
        assertThat(err(x("FUNCTION", "LOAD", lib("bad\\0format", "f", "return 1")))).startsWith("ERR Library names can only contain letters");
        assertThat(err(x("FUNCTION", "LOAD", "#!bad_engine name=t\nreturn 1"))).isEqualTo("ERR Engine 'bad_engine' not found");
        assertThat(err(x("FUNCTION", "LOAD", "#! name=t\nreturn 1"))).isEqualTo("ERR Engine '' not found");
        assertThat(err(x("FUNCTION", "LOAD", "#!lua name=t foo=bar\nreturn 1"))).isEqualTo("ERR Invalid metadata value given: foo=bar");
        assertThat(err(x("FUNCTION", "LOAD", "#!lua\nreturn 1"))).isEqualTo("ERR Library name was not given");
        assertThat(err(x("FUNCTION", "LOAD", "#!lua name=a name=b\nreturn 1"))).isEqualTo("ERR Invalid metadata value, name argument was given multiple times");
        assertThat(x("FUNCTION", "LOAD", "#!lua name=\"foo\"\nredis.register_function('foo', function() return 1 end)")).isEqualTo("foo");
        assertThat(err(x("FUNCTION", "LOAD", "#!lua name=lib\nreturn 1"))).isEqualTo("ERR No functions registered");
    }

    @Test
    void registrationErrorsAndSandbox() {
        String p = "#!lua name=lib2\n";
        assertThat(err(x("FUNCTION", "LOAD", p + "redis.register_function()"))).contains("wrong number of arguments to redis.register_function");
        assertThat(err(x("FUNCTION", "LOAD", p + "redis.register_function('f1')"))).contains("calling redis.register_function with a single argument is only applicable to Lua table");
        assertThat(err(x("FUNCTION", "LOAD", p + "redis.register_function(nil, function() return 1 end)"))).contains("first argument to redis.register_function must be a string");
        assertThat(err(x("FUNCTION", "LOAD", p + "redis.register_function('f1', 'x')"))).contains("second argument to redis.register_function must be a function");
        assertThat(err(x("FUNCTION", "LOAD", p + "redis.register_function('', function() return 1 end)"))).contains("Library names can only contain");
        assertThat(err(x("FUNCTION", "LOAD", p + "redis.register_function('f1', function() end) redis.register_function('f1', function() end)")))
            .contains("Function already exists in the library");
        assertThat(err(x("FUNCTION", "LOAD", p + "redis.register_function{function_name='f1', callback=function() end, flags={'unknown'}}")))
            .contains("unknown flag given");
        assertThat(err(x("FUNCTION", "LOAD", p + "redis.register_function{function_name='f1', callback=function() end, some_unknown='x'}")))
            .contains("unknown argument given to redis.register_function");
        assertThat(err(x("FUNCTION", "LOAD", p + "return math.random()"))).contains("attempted to access nonexistent global variable 'math'");
        assertThat(err(x("FUNCTION", "LOAD", p + "return redis.call('ping')"))).contains("attempted to access nonexistent global variable 'call'");
        assertThat(err(x("FUNCTION", "LOAD", p + "a = 1"))).contains("Attempt to modify a readonly table");
        assertThat(err(x("FUNCTION", "LOAD", p + "local a = 1 while 1 do a = a + 1 end"))).contains("FUNCTION LOAD timeout");

        x("FUNCTION", "LOAD", "#!lua name=lib\nlocal lib = redis\n"
            + "lib.register_function('f1', function () lib.redis = redis return {ok='OK'} end)\n"
            + "lib.register_function('f2', function () lib.register_function('f3', function () end) end)\n"
            + "redis.register_function('f4', function() redis.register_function('f5', function() return 2 end) return 1 end)\n"
            + "redis.register_function('f6', function() mt = getmetatable(_G) end)");
        assertThat(err(x("FCALL", "f1", "0"))).contains("Attempt to modify a readonly table");
        assertThat(err(x("FCALL", "f2", "0"))).contains("can only be called on FUNCTION LOAD command");
        assertThat(err(x("FCALL", "f4", "0"))).contains("attempt to call field 'register_function' (a nil value)");
        assertThat(err(x("FCALL", "f6", "0"))).contains("Attempt to modify a readonly table");
    }

    @Test
    void flagsAndReadOnly() {
        x("FUNCTION", "LOAD", "#!lua name=t\nredis.register_function{function_name='w', callback=function() return redis.call('set','x',1) end}\n"
            + "redis.register_function{function_name='r', callback=function() return redis.call('set','x',1) end, flags={'no-writes'}, description='desc'}\n"
            + "redis.register_function{function_name='g', callback=function() return redis.call('get','x') end, flags={'no-writes', 'allow-stale'}}");
        assertThat(err(x("FCALL_RO", "w", "0"))).isEqualTo("ERR Can not execute a script with write flag using *_ro command.");
        assertThat(err(x("FCALL", "r", "0"))).startsWith("ERR Write commands are not allowed from read-only scripts.");
        assertThat(x("FCALL_RO", "g", "0")).isNull();
        Object list = x("FUNCTION", "LIST");
        assertThat(list).isEqualTo(List.of(List.of("library_name", "t", "engine", "LUA", "functions", List.of(
            java.util.Arrays.asList("name", "w", "description", null, "flags", List.of()),
            List.of("name", "r", "description", "desc", "flags", List.of("no-writes")),
            java.util.Arrays.asList("name", "g", "description", null, "flags", List.of("no-writes", "allow-stale"))))));
    }

    @Test
    void listWithCodeAndPattern() {
        String code1 = "#!lua name=library1\nredis.register_function('f6', function(keys, args) return 7 end)";
        x("FUNCTION", "LOAD", code1);
        x("FUNCTION", "LOAD", "#!lua name=lib1\nredis.register_function('f7', function(keys, args) return 7 end)");
        assertThat(x("FUNCTION", "LIST", "LIBRARYNAME", "library*")).isEqualTo(List.of(List.of("library_name", "library1", "engine", "LUA",
            "functions", List.of(java.util.Arrays.asList("name", "f6", "description", null, "flags", List.of())))));
        @SuppressWarnings("unchecked")
        List<Object> withCode = (List<Object>) ((List<Object>) x("FUNCTION", "LIST", "WITHCODE", "LIBRARYNAME", "library1")).get(0);
        assertThat(withCode.get(7)).isEqualTo(code1);
        assertThat(err(x("FUNCTION", "LIST", "bad_argument"))).isEqualTo("ERR Unknown argument bad_argument");
        assertThat(err(x("FUNCTION", "LIST", "libraryname"))).isEqualTo("ERR library name argument was not given");
        assertThat(err(x("FUNCTION", "LIST", "withcode", "withcode"))).isEqualTo("ERR Unknown argument withcode");
    }

    @Test
    void dumpAndRestore() {
        x("FUNCTION", "LOAD", "#!lua name=lib1\nlocal function add1(a) return a + 1 end\n"
            + "redis.register_function('f1', function() return add1(1) end)\nredis.register_function('f3', function() return add1(3) end)");
        byte[] payload = Scripting.of(h.engine).functions().dump();
        assertThat(payload[0] & 0xff).isEqualTo(245);
        assertThat(payload[payload.length - 10]).isEqualTo((byte) 10);
        assertThat(Functions.verifyPayload(payload, false)).isTrue();
        x("FUNCTION", "FLUSH");
        x("FUNCTION", "LOAD", "#!lua name=lib1\nredis.register_function('f6', function() return 7 end)");
        x("FUNCTION", "LOAD", "#!lua name=lib2\nredis.register_function('f3', function() return 4 end)");
        assertThat(err(h.execBytes(h.client, b("FUNCTION"), b("RESTORE"), payload))).isEqualTo("ERR Library lib1 already exists");
        assertThat(err(h.execBytes(h.client, b("FUNCTION"), b("RESTORE"), payload, b("REPLACE")))).isEqualTo("ERR Function f3 already exists");
        assertThat(x("FCALL", "f6", "0")).isEqualTo(7L);
        assertThat(h.execBytes(h.client, b("FUNCTION"), b("RESTORE"), payload, b("FLUSH"))).isEqualTo("OK");
        assertThat(x("FCALL", "f1", "0")).isEqualTo(2L);
        assertThat(err(x("FCALL", "f6", "0"))).isEqualTo("ERR Function not found");
        assertThat(err(x("FUNCTION", "RESTORE", "bad_payload"))).isEqualTo("ERR DUMP payload version or checksum are wrong");
        assertThat(err(x("FUNCTION", "restore", "a", "b", "c"))).endsWith("'restore'. Try FUNCTION HELP.");
        assertThat(err(x("FUNCTION", "RESTORE", "a", "bad"))).startsWith("ERR Wrong restore policy given");
        payload[3] ^= 1;
        assertThat(Functions.verifyPayload(payload, false)).isFalse();
    }

    @Test
    void restoresCompressedPayloadsOfRealRedis() {
        // An RDB string compressed with LZF, as Redis writes long library code.
        byte[] code = ("#!lua name=z\nredis.register_function('zz', function() return '" + "a".repeat(100) + "' end)").getBytes();
        byte[] lit = code;  // a literal-only LZF stream: runs of up to 32 bytes
        java.io.ByteArrayOutputStream lzf = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < lit.length; i += 32) {
            int n = Math.min(32, lit.length - i);
            lzf.write(n - 1);
            lzf.write(lit, i, n);
        }
        byte[] comp = lzf.toByteArray();
        java.io.ByteArrayOutputStream p = new java.io.ByteArrayOutputStream();
        p.write(245);
        p.write(0xC3);  // RDB_ENCVAL | RDB_ENC_LZF
        p.write(0x40 | (comp.length >> 8));
        p.write(comp.length & 0xff);
        p.write(0x40 | (code.length >> 8));
        p.write(code.length & 0xff);
        p.write(comp, 0, comp.length);
        p.write(10);
        p.write(0);
        byte[] body = p.toByteArray();
        long crc = Crc64.update(0, body, 0, body.length);
        byte[] payload = java.util.Arrays.copyOf(body, body.length + 8);
        for (int i = 0; i < 8; i++) payload[body.length + i] = (byte) (crc >>> (8 * i));
        assertThat(h.execBytes(h.client, b("FUNCTION"), b("RESTORE"), payload)).isEqualTo("OK");
        assertThat(x("FCALL", "zz", "0")).isEqualTo("a".repeat(100));
    }

    @Test
    void crc64MatchesRedis() {
        byte[] b = "123456789".getBytes();
        assertThat(Crc64.update(0, b, 0, b.length)).isEqualTo(0xe9c6d914c4b8d9caL);
    }

    @Test
    void stats() {
        x("FUNCTION", "LOAD", "#!lua name=test1\nredis.register_function('f1', function() return 1 end)\nredis.register_function('f2', function() return 1 end)");
        x("FUNCTION", "LOAD", "#!lua name=test2\nredis.register_function('f3', function() return 1 end)");
        assertThat(x("FUNCTION", "STATS")).isEqualTo(java.util.Arrays.asList("running_script", null, "engines",
            List.of("LUA", List.of("libraries_count", 2L, "functions_count", 3L))));
        x("FUNCTION", "DELETE", "test1");
        x("HELLO", "3");
        Map<Object, Object> expected = new java.util.LinkedHashMap<>();
        expected.put("running_script", null);
        expected.put("engines", Map.of("LUA", Map.of("libraries_count", 1L, "functions_count", 1L)));
        assertThat(x("FUNCTION", "STATS")).isEqualTo(expected);
        assertThat(Scripting.of(h.engine).functions().functionCount()).isEqualTo(1);
        assertThat(x("FUNCTION", "FLUSH")).isEqualTo("OK");
        assertThat(Scripting.of(h.engine).functions().libraryCount()).isZero();
    }

    @Test
    void flushallKeepsFunctions() {
        x("FUNCTION", "LOAD", "#!lua name=t\nredis.register_function('f', function() return redis.call('ping') end)");
        x("FLUSHALL");
        assertThat(x("FCALL", "f", "0")).isEqualTo("PONG");
    }

    private static byte[] b(String s) { return s.getBytes(); }
}
