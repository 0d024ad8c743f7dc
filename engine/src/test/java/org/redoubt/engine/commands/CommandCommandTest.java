package org.redoubt.engine.commands;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.redoubt.engine.Harness;
import org.redoubt.engine.Harness.Err;
import org.redoubt.engine.command.CommandSpec;

@SuppressWarnings("unchecked")
class CommandCommandTest {
    private Harness h;

    @BeforeEach
    void setUp() {
        h = new Harness();
    }

    private Object x(String... args) { return h.exec(args); }

    @Test
    void countAndFullListAgreeWithTheTable() {
        long n = h.engine.commands.size();
        assertThat(x("COMMAND", "COUNT")).isEqualTo(n);
        assertThat((List<Object>) x("COMMAND")).hasSize((int) n);
        assertThat((List<Object>) x("COMMAND", "INFO")).hasSize((int) n);
    }

    @Test
    void infoLayoutOfGet() {
        List<Object> all = (List<Object>) x("COMMAND", "INFO", "get");
        assertThat(all).hasSize(1);
        List<Object> get = (List<Object>) all.get(0);
        assertThat(get).hasSize(10);
        assertThat(get.subList(0, 2)).containsExactly("get", 2L);
        assertThat((List<Object>) get.get(2)).containsExactly("readonly", "fast");
        assertThat(get.subList(3, 6)).containsExactly(1L, 1L, 1L);
        assertThat((List<Object>) get.get(6)).containsExactly("@read", "@string", "@fast");
        assertThat((List<Object>) get.get(7)).isEmpty();
        assertThat(get.get(8)).isEqualTo(List.of(List.of(
            "flags", List.of("RO", "access"),
            "begin_search", List.of("type", "index", "spec", List.of("index", 1L)),
            "find_keys", List.of("type", "range", "spec", List.of("lastkey", 0L, "keystep", 1L, "limit", 0L)))));
        assertThat((List<Object>) get.get(9)).isEmpty();
    }

    @Test
    void infoOfContainersListsSubcommandsAndHidesInternalFlags() {
        List<Object> cmd = (List<Object>) ((List<Object>) x("COMMAND", "INFO", "command")).get(0);
        List<Object> subs = (List<Object>) cmd.get(9);
        List<Object> names = new ArrayList<>();
        for (Object s : subs) names.add(((List<Object>) s).get(0));
        assertThat(names).contains("command|info", "command|getkeys", "command|list");
        assertThat((List<Object>) cmd.get(2)).containsExactly("loading", "stale");   // "sentinel" is hidden
    }

    @Test
    void infoOfUnknownOrInvalidNamesIsNull() {
        assertThat(x("COMMAND", "INFO", "get|key")).isEqualTo(Arrays.asList((Object) null));
        assertThat(x("COMMAND", "INFO", "config|get|key")).isEqualTo(Arrays.asList((Object) null));
        assertThat(x("COMMAND", "INFO", "nosuch", "GET")).satisfies(r -> {
            List<Object> l = (List<Object>) r;
            assertThat(l.get(0)).isNull();
            assertThat(((List<Object>) l.get(1)).get(0)).isEqualTo("get");
        });
        assertThat(((List<Object>) ((List<Object>) x("COMMAND", "INFO", "CLIENT|ID")).get(0)).get(0)).isEqualTo("client|id");
    }

    @Test
    void movableKeysFlag() {
        for (String c : new String[] {"SET", "GET", "MSET"}) {
            List<Object> info = (List<Object>) ((List<Object>) x("COMMAND", "INFO", c)).get(0);
            assertThat((List<Object>) info.get(2)).doesNotContain("movablekeys");
        }
    }

    @Test
    void docsOfGetAndOfAContainer() {
        h.client.resp = 3;
        Map<Object, Object> docs = (Map<Object, Object>) x("COMMAND", "DOCS", "get", "nosuch");
        assertThat(docs).containsOnlyKeys("get");
        Map<Object, Object> get = (Map<Object, Object>) docs.get("get");
        assertThat(get.get("summary")).isEqualTo("Get the value of a key");
        assertThat(get.get("since")).isEqualTo("1.0.0");
        assertThat(get.get("group")).isEqualTo("string");
        assertThat(get.get("complexity")).isEqualTo("O(1)");
        Map<Object, Object> client = (Map<Object, Object>) ((Map<Object, Object>) x("COMMAND", "DOCS", "client")).get("client");
        assertThat(client.get("group")).isEqualTo("connection");
        assertThat((Map<Object, Object>) client.get("subcommands")).containsKey("client|id");
        Map<Object, Object> dbg = (Map<Object, Object>) ((Map<Object, Object>) x("COMMAND", "DOCS", "debug")).get("debug");
        assertThat(dbg.get("doc_flags")).isEqualTo(List.of("syscmd"));
        Map<Object, Object> all = (Map<Object, Object>) x("COMMAND", "DOCS");
        assertThat(all).hasSize(h.engine.commands.size());
    }

    @Test
    void listWithAndWithoutFilters() {
        List<Object> all = (List<Object>) x("COMMAND", "LIST");
        assertThat(all).contains("set", "client|list", "command|info");
        assertThat(x("COMMAND", "LIST", "FILTERBY", "pattern", "set")).isEqualTo(List.of("set"));
        assertThat((List<Object>) x("COMMAND", "LIST", "FILTERBY", "PATTERN", "client|*i*t")).contains("client|list")
            .doesNotContain("client|kill", "client|id");
        assertThat((List<Object>) x("COMMAND", "LIST", "FILTERBY", "pattern", "cl*help")).contains("client|help");
        assertThat((List<Object>) x("COMMAND", "LIST", "FILTERBY", "pattern", "CLIENT*")).contains("client", "client|id");
        assertThat(x("COMMAND", "LIST", "FILTERBY", "pattern", "non_exists*")).isEqualTo(List.of());
        assertThat((List<Object>) x("COMMAND", "LIST", "FILTERBY", "aclcat", "string")).contains("get", "set").doesNotContain("client|id");
        assertThat((List<Object>) x("COMMAND", "LIST", "FILTERBY", "ACLCAT", "String")).contains("get");
        assertThat(x("COMMAND", "LIST", "FILTERBY", "aclcat", "non_existing_category")).isEqualTo(List.of());
        assertThat(x("COMMAND", "LIST", "FILTERBY", "module", "x")).isEqualTo(List.of());
        assertThat(x("COMMAND", "LIST", "bad_arg")).isEqualTo(new Err("ERR syntax error"));
        assertThat(x("COMMAND", "LIST", "filterby", "bad_arg")).isEqualTo(new Err("ERR syntax error"));
        assertThat(x("COMMAND", "LIST", "filterby", "bad_arg", "bad_arg2")).isEqualTo(new Err("ERR syntax error"));
    }

    @Test
    void globMatcher() {
        assertThat(CommandCommand.Glob.match("c?nfig|*re*".getBytes(), "config|rewrite".getBytes(), true)).isTrue();
        assertThat(CommandCommand.Glob.match("[a-c]et".getBytes(), "get".getBytes(), true)).isFalse();
        assertThat(CommandCommand.Glob.match("[^a-c]et".getBytes(), "get".getBytes(), true)).isTrue();
        assertThat(CommandCommand.Glob.match("g\\et".getBytes(), "get".getBytes(), true)).isTrue();
        assertThat(CommandCommand.Glob.match("*".getBytes(), "".getBytes(), true)).isTrue();
        assertThat(CommandCommand.Glob.match("a*".getBytes(), "b".getBytes(), true)).isFalse();
    }

    @Test
    void getkeys() {
        assertThat(x("COMMAND", "GETKEYS", "get", "key")).isEqualTo(List.of("key"));
        assertThat(x("COMMAND", "GETKEYS", "MSET", "a", "1", "b", "2")).isEqualTo(List.of("a", "b"));
        assertThat(x("COMMAND", "GETKEYS", "MEMORY", "USAGE", "key")).isEqualTo(List.of("key"));
        assertThat(x("COMMAND", "GETKEYS", "nosuch", "key")).isEqualTo(new Err("ERR Invalid command specified"));
        assertThat(x("COMMAND", "GETKEYS", "client", "nosuch")).isEqualTo(new Err("ERR Invalid command specified"));
        assertThat(x("COMMAND", "GETKEYS", "ping", "x")).isEqualTo(new Err("ERR The command has no key arguments"));
        assertThat(x("COMMAND", "GETKEYS", "get", "a", "b")).isEqualTo(new Err("ERR Invalid number of arguments specified for command"));
        assertThat(x("COMMAND", "GETKEYS")).isEqualTo(new Err("ERR wrong number of arguments for 'command|getkeys' command"));
    }

    @Test
    void getkeysAndFlags() {
        assertThat(x("COMMAND", "GETKEYSANDFLAGS", "set", "k1", "v1")).isEqualTo(List.of(List.of("k1", List.of("OW", "update"))));
        assertThat(x("COMMAND", "GETKEYSANDFLAGS", "set", "k1", "v1", "GET"))
            .isEqualTo(List.of(List.of("k1", List.of("RW", "access", "update"))));
        assertThat(x("COMMAND", "GETKEYSANDFLAGS", "mset", "k1", "v1", "k2", "v2"))
            .isEqualTo(List.of(List.of("k1", List.of("OW", "update")), List.of("k2", List.of("OW", "update"))));
    }

    @Test
    void keyFindersOfCommandsWithIncompleteOrVariableSpecs() {
        CommandSpec sort = h.engine.commands.find("sort");
        byte[][] argv = bytes("sort", "k1", "by", "w_*", "store", "k2", "limit", "0", "1");
        int[] pos = new int[argv.length], flags = new int[argv.length];
        int n = CommandCommand.keysWithFlags(sort, argv, argv.length, pos, flags);
        assertThat(n).isEqualTo(2);
        assertThat(new int[] {pos[0], pos[1]}).containsExactly(1, 5);
        assertThat(flags[0]).isEqualTo(CommandCommand.K_RO | CommandCommand.K_ACCESS);
        assertThat(flags[1]).isEqualTo(CommandCommand.K_OW | CommandCommand.K_UPDATE);

        CommandSpec zu = h.engine.commands.find("zunionstore");
        List<String> args = new ArrayList<>(List.of("zunionstore", "target", "260"));
        for (int i = 1; i <= 260; i++) args.add("key" + i);
        argv = bytes(args.toArray(new String[0]));
        pos = new int[argv.length];
        flags = new int[argv.length];
        n = CommandCommand.keysWithFlags(zu, argv, argv.length, pos, flags);
        assertThat(n).isEqualTo(261);
        assertThat(pos[0]).isEqualTo(1);
        assertThat(pos[260]).isEqualTo(262);

        CommandSpec eval = h.engine.commands.find("eval");
        argv = bytes("eval", "return 1", "0");
        assertThat(CommandCommand.keysWithFlags(eval, argv, argv.length, new int[3], new int[3])).isZero();
        argv = bytes("eval", "return 1", "1", "key");
        pos = new int[4];
        assertThat(CommandCommand.keysWithFlags(eval, argv, argv.length, pos, new int[4])).isEqualTo(1);
        assertThat(pos[0]).isEqualTo(3);

        CommandSpec migrate = h.engine.commands.find("migrate");
        argv = bytes("migrate", "h", "p", "", "0", "5000", "AUTH", "pw", "KEYS", "a", "b");
        pos = new int[argv.length];
        assertThat(CommandCommand.keysWithFlags(migrate, argv, argv.length, pos, new int[argv.length])).isEqualTo(2);
        assertThat(new int[] {pos[0], pos[1]}).containsExactly(9, 10);

        CommandSpec lmove = h.engine.commands.find("lmove");
        argv = bytes("lmove", "k1", "k2", "left", "right");
        flags = new int[5];
        assertThat(CommandCommand.keysWithFlags(lmove, argv, argv.length, new int[5], flags)).isEqualTo(2);
        assertThat(flags[0]).isEqualTo(CommandCommand.K_RW | CommandCommand.K_ACCESS | CommandCommand.K_DELETE);
        assertThat(flags[1]).isEqualTo(CommandCommand.K_RW | CommandCommand.K_INSERT);
    }

    @Test
    void helpAndUnknownSubcommand() {
        List<Object> help = (List<Object>) x("COMMAND", "HELP");
        assertThat(help.get(0)).isEqualTo("COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
        assertThat(help.get(help.size() - 2)).isEqualTo("HELP");
        assertThat(x("COMMAND", "FOO")).isEqualTo(new Err("ERR unknown subcommand 'FOO'. Try COMMAND HELP."));
        assertThat(x("COMMAND", "COUNT", "x")).isEqualTo(new Err("ERR wrong number of arguments for 'command|count' command"));
    }

    private static byte[][] bytes(String... s) {
        byte[][] r = new byte[s.length][];
        for (int i = 0; i < s.length; i++) r[i] = s[i].getBytes();
        return r;
    }
}
