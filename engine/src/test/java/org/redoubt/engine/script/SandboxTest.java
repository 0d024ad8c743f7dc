package org.redoubt.engine.script;

import static org.assertj.core.api.Assertions.assertThat;
import static org.redoubt.engine.script.EvalTest.err;

import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.redoubt.engine.Harness;

/** The Lua sandbox: locked globals and libraries, no os/io/file access, Lua 5.1 globals. */
class SandboxTest {
    private Harness h;

    @BeforeEach
    void setUp() { h = new Harness(); }

    private Object x(String... a) { return h.exec(a); }

    private String fails(String script) { return err(x("EVAL", script, "0")); }

    @Test
    void globalsAreReadOnly() {
        assertThat(fails("a=10")).contains("user_script:1: Attempt to modify a readonly table");
        assertThat(fails("return a")).contains("Script attempted to access nonexistent global variable 'a'");
        assertThat(fails("setmetatable(_G, {})")).contains("Attempt to modify a readonly table");
        assertThat(fails("local g = getmetatable(_G) g.__index = {}")).contains("Attempt to modify a readonly table");
        assertThat(fails("redis = function() return 1 end")).contains("Attempt to modify a readonly table");
        assertThat(fails("_G = {}")).contains("Attempt to modify a readonly table");
        assertThat(fails("rawset(_G, 'x', 1)")).contains("Attempt to modify a readonly table");
    }

    @Test
    void librariesAreReadOnly() {
        for (String lib : List.of("redis.call", "cjson.encode", "cmsgpack.pack", "bit.lshift", "struct.pack", "string.rep",
                                  "math.random", "table.insert")) {
            assertThat(fails(lib + " = function() return 1 end")).as(lib).contains("Attempt to modify a readonly table");
        }
        assertThat(fails("getmetatable('').__index.upper = nil")).contains("Attempt to modify a readonly table");
        x("SCRIPT", "FLUSH");  // a fresh VM must lock the shared string metatable again
        assertThat(fails("getmetatable('').__index.upper = nil")).contains("Attempt to modify a readonly table");
        assertThat(fails("getmetatable('').__index = {}")).contains("Attempt to modify a readonly table");
        assertThat(h.exec("EVAL", "return ('abc'):upper()", "0")).isEqualTo("ABC");
        assertThat(fails("table.sort(_G)")).isNotNull();
    }

    @Test
    void dangerousGlobalsAreAbsent() {
        for (String g : List.of("loadfile", "dofile", "print", "os", "io", "package", "require", "debug", "module")) {
            assertThat(fails("return " + g + "('x')")).as(g).contains("Script attempted to access nonexistent global variable '" + g + "'");
        }
    }

    @Test
    void lua51GlobalsArePresent() {
        assertThat(x("EVAL", "return {type(unpack), type(loadstring), type(getfenv), type(setfenv), type(gcinfo), type(newproxy), _VERSION}", "0"))
            .isEqualTo(List.of("function", "function", "function", "function", "function", "function", "Lua 5.1"));
        assertThat(x("EVAL", "return loadstring('return 1 + 1')()", "0")).isEqualTo(2L);
        assertThat(fails("return loadstring(string.dump(function() return 1 end))()")).contains("attempt to call a nil value");
        assertThat(x("EVAL", "local f = function() return x end setfenv(f, {x = 42}) return f()", "0")).isEqualTo(42L);
        assertThat(x("EVAL", "return table.getn({1,2,3}) + table.maxn({[7]=1})", "0")).isEqualTo(10L);
        assertThat(x("EVAL", "return tostring(0.0003) .. ' ' .. tostring(1e100) .. ' ' .. tostring(1/3)", "0"))
            .isEqualTo("0.0003 1e+100 0.33333333333333");
        assertThat(x("EVAL", "return math.log10(1000) + math.pow(2, 3) + math.fmod(7, 4)", "0")).isEqualTo(14L);
        assertThat(x("EVAL", "local co = coroutine.wrap(function() coroutine.yield(1) return 2 end) return {co(), co()}", "0"))
            .isEqualTo(List.of(1L, 2L));
        assertThat(x("EVAL", "return 'hello' --trailing comment", "0")).isEqualTo("hello");
    }

    @Test
    void keysAndArgvAreFreshEachRun() {
        assertThat(x("EVAL", "KEYS[1] = 'changed' return KEYS[1]", "1", "k")).isEqualTo("changed");
        assertThat(x("EVAL", "return KEYS[1]", "1", "k")).isEqualTo("k");
        assertThat(x("EVAL", "return #ARGV", "0")).isEqualTo(0L);
    }

    @Test
    void pcallCannotCatchAKill() {
        Scripting s = Scripting.of(h.engine);
        // A kill is raised by the instruction hook; pcall must let it through.
        Thread killer = new Thread(() -> {
            for (int i = 0; i < 500; i++) {
                Scripting.Run r = s.run;
                if (r != null) {
                    r.killed = true;
                    return;
                }
                try { Thread.sleep(10); } catch (InterruptedException e) { return; }
            }
        });
        killer.start();
        String e = fails("local f = function() while true do end end while true do pcall(f) end");
        assertThat(e).contains("Script killed by user with SCRIPT KILL...");
        assertThat(x("PING")).isEqualTo("PONG");
    }
}
