package org.redoubt.engine.commands;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.redoubt.engine.Client;
import org.redoubt.engine.ClientIO;
import org.redoubt.engine.Engine;
import org.redoubt.engine.Harness;
import org.redoubt.engine.Harness.Err;

/**
 * CLIENT subcommands against in-process clients. The engine lists only clients it knows as
 * connections, so the test registers its clients in {@code engine.clients} and records what
 * the front end is asked to close. Behaviour that needs real sockets (fd, laddr, the close
 * after QUIT or a self-KILL, paused clients resuming their input) is covered by the Tcl
 * suite (unit/introspection, unit/pause, unit/quit) and the server's integration tests.
 */
class ClientCommandsTest {
    private final Harness h = new Harness();
    private final List<Client> closed = new ArrayList<>();
    private final List<Client> resumed = new ArrayList<>();

    @BeforeEach
    void connect() {
        h.engine.io = new ClientIO() {
            @Override public void resume(Client c) {
                resumed.add(c);
                h.engine.process(c);
            }

            @Override public void close(Client c) {
                closed.add(c);
                c.flags |= Client.F_CLOSE_ASAP;
                h.engine.clientClosed(c);
            }
        };
        register(h.client, "127.0.0.1:50001");
    }

    private Client register(Client c, String addr) {
        c.addr = addr;
        c.laddr = "127.0.0.1:6379";
        h.engine.clients.put(c.id, c);
        return c;
    }

    private Client connection(String addr) {
        return register(h.newClient(), addr);
    }

    private static String field(String line, String name) {
        for (String kv : line.trim().split(" ")) {
            int eq = kv.indexOf('=');
            if (kv.substring(0, eq).equals(name)) return kv.substring(eq + 1);
        }
        throw new AssertionError("no field " + name + " in " + line);
    }

    private static final String[] FIELDS = {"id", "addr", "laddr", "fd", "name", "age", "idle", "flags", "db",
        "sub", "psub", "ssub", "multi", "qbuf", "qbuf-free", "argv-mem", "multi-mem", "rbs", "rbp", "obl", "oll",
        "omem", "tot-mem", "events", "cmd", "user", "redir", "resp"};

    // ---------------------------------------------------------------- ID, SETNAME, GETNAME

    @Test
    void idIsTheConnectionId() {
        assertThat(h.exec("CLIENT", "ID")).isEqualTo(h.client.id);
        Client other = connection("127.0.0.1:50002");
        assertThat(h.exec(other, "client", "id")).isEqualTo(other.id);
        assertThat(other.id).isGreaterThan(h.client.id);
    }

    @Test
    void setnameAndGetname() {
        assertThat(h.exec("CLIENT", "GETNAME")).isNull();
        assertThat(h.exec("CLIENT", "SETNAME", "myname")).isEqualTo("OK");
        assertThat(h.exec("CLIENT", "GETNAME")).isEqualTo("myname");
        assertThat(h.exec("CLIENT", "SETNAME", "someothername")).isEqualTo("OK");
        assertThat(h.exec("CLIENT", "GETNAME")).isEqualTo("someothername");
        assertThat(h.exec("CLIENT", "SETNAME", "")).isEqualTo("OK");
        assertThat(h.exec("CLIENT", "GETNAME")).isNull();
    }

    @Test
    void setnameRejectsSpacesNewlinesAndNonPrintables() {
        h.exec("CLIENT", "SETNAME", "keep");
        for (String bad : new String[] {"foo bar", "a\nb", "tab\t", "\u007f", "caf\u00e9"}) {
            assertThat(h.exec("CLIENT", "SETNAME", bad)).as(bad)
                .isEqualTo(new Err("ERR Client names cannot contain spaces, newlines or special characters."));
        }
        assertThat(h.exec("CLIENT", "GETNAME")).isEqualTo("keep");
        assertThat(h.exec("CLIENT", "SETNAME", "!~all-printable_{}")).isEqualTo("OK");
    }

    // ---------------------------------------------------------------- INFO, LIST

    @Test
    void infoHasRedisFieldsInOrder() {
        String info = (String) h.exec("CLIENT", "INFO");
        assertThat(info).endsWith("\n").doesNotContain("\r");
        String[] kv = info.trim().split(" ");
        assertThat(kv).hasSize(FIELDS.length);
        for (int i = 0; i < FIELDS.length; i++) assertThat(kv[i]).startsWith(FIELDS[i] + "=");
        assertThat(info).matches("id=" + h.client.id + " addr=127\\.0\\.0\\.1:50001 laddr=127\\.0\\.0\\.1:6379 fd=-1 "
            + "name= age=0 idle=0 flags=N db=0 sub=0 psub=0 ssub=0 multi=-1 qbuf=26 qbuf-free=\\d+ argv-mem=10 "
            + "multi-mem=0 rbs=\\d+ rbp=\\d+ obl=0 oll=0 omem=0 tot-mem=\\d+ events= cmd=client\\|info user=default "
            + "redir=-1 resp=2\n");
    }

    @Test
    void infoReflectsClientState() {
        h.exec("SELECT", "3");
        h.exec("CLIENT", "SETNAME", "worker");
        h.exec("HELLO", "3");
        h.client.flags |= Client.F_MULTI | Client.F_NO_EVICT;
        // Inside MULTI the client's own commands are queued: another connection looks at it.
        String info = (String) h.exec(h.newClient(), "CLIENT", "LIST", "ID", Long.toString(h.client.id));
        assertThat(field(info, "name")).isEqualTo("worker");
        assertThat(field(info, "db")).isEqualTo("3");
        assertThat(field(info, "resp")).isEqualTo("3");
        assertThat(field(info, "flags")).isEqualTo("xe");
        assertThat(field(info, "multi")).isNotEqualTo("-1");
    }

    @Test
    void flagLettersFollowRedis() {
        Client c = h.newClient();
        assertThat(ClientCommands.flagLetters(c)).isEqualTo("N");
        c.flags = Client.F_REPLICA;
        assertThat(ClientCommands.flagLetters(c)).isEqualTo("S");
        c.flags = Client.F_REPLICA | Client.F_MONITOR;
        assertThat(ClientCommands.flagLetters(c)).isEqualTo("O");
        c.flags = Client.F_MONITOR;
        assertThat(ClientCommands.flagLetters(c)).isEqualTo("O");
        c.flags = Client.F_MASTER | Client.F_READONLY;
        assertThat(ClientCommands.flagLetters(c)).isEqualTo("Mr");
        c.flags = Client.F_PUBSUB | Client.F_BLOCKED | Client.F_TRACKING | Client.F_DIRTY_CAS
            | Client.F_CLOSE_AFTER_REPLY | Client.F_CLOSE_ASAP | Client.F_UNIX;
        assertThat(ClientCommands.flagLetters(c)).isEqualTo("PbtdcAU");
        c.flags = Client.F_PAUSED;
        assertThat(ClientCommands.flagLetters(c)).isEqualTo("b");
    }

    @Test
    void listShowsEveryConnectionInIdOrder() {
        Client a = connection("10.0.0.1:1111");
        Client b = connection("10.0.0.2:2222");
        h.exec(a, "CLIENT", "SETNAME", "alpha");
        h.exec(b, "PING");
        String list = (String) h.exec("CLIENT", "LIST");
        String[] lines = list.split("\n");
        assertThat(lines).hasSize(3);
        assertThat(field(lines[0], "id")).isEqualTo(String.valueOf(h.client.id));
        assertThat(field(lines[0], "cmd")).isEqualTo("client|list");
        assertThat(field(lines[1], "addr")).isEqualTo("10.0.0.1:1111");
        assertThat(field(lines[1], "name")).isEqualTo("alpha");
        assertThat(field(lines[1], "cmd")).isEqualTo("client|setname");
        assertThat(field(lines[1], "qbuf")).isEqualTo("0");
        assertThat(field(lines[1], "argv-mem")).isEqualTo("0");
        assertThat(field(lines[2], "cmd")).isEqualTo("ping");
        assertThat(list).endsWith("\n");
    }

    @Test
    void listOfANeverUsedClientShowsNullCommand() {
        connection("10.0.0.3:3333");
        String[] lines = ((String) h.exec("CLIENT", "LIST")).split("\n");
        assertThat(field(lines[1], "cmd")).isEqualTo("NULL");
        assertThat(field(lines[1], "name")).isEmpty();
    }

    @Test
    void listByType() {
        Client sub = connection("10.0.0.1:1");
        sub.flags |= Client.F_PUBSUB;
        Client replica = connection("10.0.0.2:2");
        replica.flags |= Client.F_REPLICA;
        Client monitor = connection("10.0.0.3:3");
        monitor.flags |= Client.F_MONITOR | Client.F_REPLICA;
        Client master = connection("10.0.0.4:4");
        master.flags |= Client.F_MASTER;
        assertThat(ids(h.exec("CLIENT", "LIST", "TYPE", "normal"))).containsExactly(h.client.id, monitor.id);
        assertThat(ids(h.exec("CLIENT", "LIST", "TYPE", "PUBSUB"))).containsExactly(sub.id);
        assertThat(ids(h.exec("CLIENT", "LIST", "type", "replica"))).containsExactly(replica.id);
        assertThat(ids(h.exec("CLIENT", "LIST", "type", "slave"))).containsExactly(replica.id);
        assertThat(ids(h.exec("CLIENT", "LIST", "type", "master"))).containsExactly(master.id);
        assertThat(h.exec("CLIENT", "LIST", "TYPE", "wrong_type")).isEqualTo(new Err("ERR Unknown client type 'wrong_type'"));
    }

    @Test
    void listById() {
        Client a = connection("10.0.0.1:1");
        Client b = connection("10.0.0.2:2");
        assertThat(ids(h.exec("CLIENT", "LIST", "ID", String.valueOf(b.id), "999", String.valueOf(a.id))))
            .containsExactly(b.id, a.id);
        assertThat(h.exec("CLIENT", "LIST", "ID", "999")).isEqualTo("");
        assertThat(h.exec("CLIENT", "LIST", "ID", "1", "x")).isEqualTo(new Err("ERR Invalid client ID"));
    }

    @Test
    void listSyntaxErrors() {
        assertThat(h.exec("CLIENT", "LIST", "TYPE")).isEqualTo(new Err("ERR syntax error"));
        assertThat(h.exec("CLIENT", "LIST", "ID")).isEqualTo(new Err("ERR syntax error"));
        assertThat(h.exec("CLIENT", "LIST", "foo", "bar")).isEqualTo(new Err("ERR syntax error"));
        assertThat(h.exec("CLIENT", "LIST", "TYPE", "normal", "x")).isEqualTo(new Err("ERR syntax error"));
    }

    private static List<Long> ids(Object list) {
        List<Long> r = new ArrayList<>();
        for (String line : ((String) list).split("\n")) {
            if (!line.isEmpty()) r.add(Long.parseLong(field(line, "id")));
        }
        return r;
    }

    // ---------------------------------------------------------------- KILL

    @Test
    void killIllegalArguments() {
        assertThat(h.exec("CLIENT", "KILL")).isEqualTo(new Err("ERR wrong number of arguments for 'client|kill' command"));
        assertThat(h.exec("CLIENT", "KILL", "id", "10", "wrong_arg")).isEqualTo(new Err("ERR syntax error"));
        for (String id : new String[] {"str", "-1", "0"}) {
            assertThat(h.exec("CLIENT", "KILL", "id", id)).isEqualTo(new Err("ERR client-id should be greater than 0"));
        }
        assertThat(h.exec("CLIENT", "KILL", "type", "wrong_type")).isEqualTo(new Err("ERR Unknown client type 'wrong_type'"));
        assertThat(h.exec("CLIENT", "KILL", "user", "wrong_user")).isEqualTo(new Err("ERR No such user 'wrong_user'"));
        assertThat(h.exec("CLIENT", "KILL", "skipme", "yes_or_no")).isEqualTo(new Err("ERR syntax error"));
        assertThat(h.exec("CLIENT", "KILL", "foo", "bar")).isEqualTo(new Err("ERR syntax error"));
        assertThat(closed).isEmpty();
    }

    @Test
    void killOldFormByAddress() {
        Client a = connection("10.0.0.1:1111");
        assertThat(h.exec("CLIENT", "KILL", "10.0.0.1:1111")).isEqualTo("OK");
        assertThat(closed).containsExactly(a);
        assertThat(h.engine.clients).doesNotContainKey(a.id);
        assertThat(h.exec("CLIENT", "KILL", "10.0.0.1:1111")).isEqualTo(new Err("ERR No such client"));
    }

    @Test
    void killOldFormCanKillTheCaller() {
        assertThat(h.exec("CLIENT", "KILL", "127.0.0.1:50001")).isEqualTo("OK");
        assertThat(h.client.has(Client.F_CLOSE_AFTER_REPLY)).isTrue();
        assertThat(closed).isEmpty();
    }

    @Test
    void killByIdReturnsTheCount() {
        Client a = connection("10.0.0.1:1");
        Client b = connection("10.0.0.2:2");
        assertThat(h.exec("CLIENT", "KILL", "ID", String.valueOf(a.id))).isEqualTo(1L);
        assertThat(closed).containsExactly(a);
        assertThat(h.exec("CLIENT", "KILL", "ID", String.valueOf(a.id))).isEqualTo(0L);
        assertThat(h.exec("CLIENT", "KILL", "ID", String.valueOf(h.client.id))).as("SKIPME defaults to yes").isEqualTo(0L);
        assertThat(h.engine.clients).containsKey(b.id);
    }

    @Test
    void killFiltersCombine() {
        Client a = connection("10.0.0.1:1");
        Client b = connection("10.0.0.1:2");
        b.laddr = "127.0.0.1:7000";
        Client sub = connection("10.0.0.9:9");
        sub.flags |= Client.F_PUBSUB;
        assertThat(h.exec("CLIENT", "KILL", "LADDR", "127.0.0.1:7000", "USER", "default")).isEqualTo(1L);
        assertThat(closed).containsExactly(b);
        assertThat(h.exec("CLIENT", "KILL", "TYPE", "pubsub", "ADDR", "10.0.0.1:1")).isEqualTo(0L);
        assertThat(h.exec("CLIENT", "KILL", "TYPE", "pubsub")).isEqualTo(1L);
        assertThat(h.exec("CLIENT", "KILL", "ADDR", "10.0.0.1:1", "ID", String.valueOf(a.id))).isEqualTo(1L);
        assertThat(closed).containsExactly(b, sub, a);
    }

    @Test
    void killSkipmeYesAndNo() {
        Client a = connection("10.0.0.1:1");
        Client b = connection("10.0.0.2:2");
        assertThat(h.exec("CLIENT", "KILL", "SKIPME", "yes")).isEqualTo(2L);
        assertThat(closed).containsExactly(a, b);
        assertThat(h.client.has(Client.F_CLOSE_AFTER_REPLY)).isFalse();
        Client c = connection("10.0.0.3:3");
        assertThat(h.exec("CLIENT", "KILL", "SKIPME", "no")).isEqualTo(2L);
        assertThat(closed).containsExactly(a, b, c);
        assertThat(h.client.has(Client.F_CLOSE_AFTER_REPLY)).isTrue();
    }

    // ---------------------------------------------------------------- PAUSE, UNPAUSE

    @Test
    void pauseSetsTypeAndEnd() {
        long before = System.currentTimeMillis();
        assertThat(h.exec("CLIENT", "PAUSE", "100000", "WRITE")).isEqualTo("OK");
        assertThat(h.engine.pauseType).isEqualTo(Engine.PAUSE_WRITE);
        assertThat(h.engine.pauseEndMs).isBetween(before + 100000, System.currentTimeMillis() + 100000);
        long end = h.engine.pauseEndMs;
        // A running pause only becomes stricter and longer.
        assertThat(h.exec("CLIENT", "PAUSE", "10", "ALL")).isEqualTo("OK");
        assertThat(h.engine.pauseType).isEqualTo(Engine.PAUSE_ALL);
        assertThat(h.engine.pauseEndMs).isEqualTo(end);
        h.engine.unpause();
        assertThat(h.exec("CLIENT", "PAUSE", "0")).isEqualTo("OK");
        assertThat(h.engine.pauseType).as("a zero timeout ends at once").isEqualTo(Engine.PAUSE_OFF);
    }

    @Test
    void pauseArgumentErrors() {
        assertThat(h.exec("CLIENT", "PAUSE", "abc")).isEqualTo(new Err("ERR timeout is not an integer or out of range"));
        assertThat(h.exec("CLIENT", "PAUSE", "1.5")).isEqualTo(new Err("ERR timeout is not an integer or out of range"));
        assertThat(h.exec("CLIENT", "PAUSE", "-1")).isEqualTo(new Err("ERR timeout is negative"));
        assertThat(h.exec("CLIENT", "PAUSE", "100", "READ")).isEqualTo(new Err("ERR CLIENT PAUSE mode must be WRITE or ALL"));
        assertThat(h.exec("CLIENT", "PAUSE", "abc", "READ")).as("mode is checked first")
            .isEqualTo(new Err("ERR CLIENT PAUSE mode must be WRITE or ALL"));
        assertThat(h.exec("CLIENT", "PAUSE", "100", "ALL", "x"))
            .isEqualTo(new Err("ERR unknown subcommand or wrong number of arguments for 'PAUSE'. Try CLIENT HELP."));
        assertThat(h.engine.pauseType).isEqualTo(Engine.PAUSE_OFF);
    }

    @Test
    void pauseWriteHoldsWritesUntilUnpause() {
        Client other = connection("10.0.0.1:1");
        assertThat(h.exec("CLIENT", "PAUSE", "100000", "WRITE")).isEqualTo("OK");
        assertThat(h.exec(other, "SET", "k", "v")).isSameAs(Harness.NONE);
        assertThat(other.has(Client.F_PAUSED)).isTrue();
        assertThat(h.engine.pausedClients).containsExactly(other);
        assertThat(h.exec("CLIENT", "UNPAUSE")).isEqualTo("OK");
        assertThat(h.engine.pauseType).isEqualTo(Engine.PAUSE_OFF);
        assertThat(resumed).containsExactly(other);
        assertThat(h.drain(other)).containsExactly("OK");
        assertThat(other.has(Client.F_PAUSED)).isFalse();
    }

    @Test
    void pauseAllHoldsEveryClientIncludingThePauser() {
        Client other = connection("10.0.0.1:1");
        assertThat(h.exec("CLIENT", "PAUSE", "100000")).isEqualTo("OK");
        assertThat(h.engine.pauseType).isEqualTo(Engine.PAUSE_ALL);
        assertThat(h.exec(other, "PING", "held")).isSameAs(Harness.NONE);
        // As in Redis 7.0, even CLIENT UNPAUSE waits under an ALL pause.
        assertThat(h.exec("CLIENT", "UNPAUSE")).isSameAs(Harness.NONE);
        assertThat(h.engine.pausedClients).containsExactly(other, h.client);
        // The timeout running out releases both in arrival order; the held UNPAUSE then runs.
        h.engine.pauseEndMs = 0;
        h.engine.cron();
        assertThat(resumed).containsExactly(other, h.client);
        assertThat(h.drain(other)).containsExactly("held");
        assertThat(h.drain(h.client)).containsExactly("OK");
    }

    @Test
    void pausedClientsStillGetArityErrorsAtOnce() {
        Client other = connection("10.0.0.1:1");
        assertThat(h.exec("CLIENT", "PAUSE", "100000")).isEqualTo("OK");
        assertThat(h.exec(other, "ECHO")).isEqualTo(new Err("ERR wrong number of arguments for 'echo' command"));
        assertThat(h.engine.pausedClients).isEmpty();
        h.engine.unpause();
    }

    @Test
    void pauseWriteLetsReadsThrough() {
        Client other = connection("10.0.0.1:1");
        assertThat(h.exec("CLIENT", "PAUSE", "100000", "WRITE")).isEqualTo("OK");
        assertThat(h.exec(other, "PING")).isEqualTo("PONG");
        assertThat(h.exec(other, "CLIENT", "ID")).isEqualTo(other.id);
        assertThat(h.exec("CLIENT", "UNPAUSE")).isEqualTo("OK");
    }

    // ---------------------------------------------------------------- REPLY, NO-EVICT

    @Test
    void replyOffSilencesUntilOn() {
        assertThat(h.exec("CLIENT", "REPLY", "OFF")).isSameAs(Harness.NONE);
        assertThat(h.exec("PING", "pong")).isSameAs(Harness.NONE);
        assertThat(h.exec("CLIENT", "REPLY", "SKIP")).isSameAs(Harness.NONE);
        assertThat(h.exec("PING", "pong2")).isSameAs(Harness.NONE);
        assertThat(h.exec("CLIENT", "REPLY", "ON")).isEqualTo("OK");
        assertThat(h.exec("PING", "pong3")).isEqualTo("pong3");
    }

    @Test
    void replySkipSilencesOnlyTheNextCommand() {
        assertThat(h.exec("CLIENT", "REPLY", "SKIP")).isSameAs(Harness.NONE);
        assertThat(h.exec("PING", "pong")).isSameAs(Harness.NONE);
        assertThat(h.exec("PING", "pong2")).isEqualTo("pong2");
    }

    @Test
    void replyOnClearsAPendingSkip() {
        assertThat(h.exec("CLIENT", "REPLY", "SKIP")).isSameAs(Harness.NONE);
        assertThat(h.exec("CLIENT", "REPLY", "ON")).isEqualTo("OK");
        assertThat(h.exec("PING")).isEqualTo("PONG");
    }

    @Test
    void replyBadArgument() {
        assertThat(h.exec("CLIENT", "REPLY", "maybe")).isEqualTo(new Err("ERR syntax error"));
        assertThat(h.exec("CLIENT", "REPLY")).isEqualTo(new Err("ERR wrong number of arguments for 'client|reply' command"));
    }

    @Test
    void noEvict() {
        assertThat(h.exec("CLIENT", "NO-EVICT", "on")).isEqualTo("OK");
        assertThat(h.client.has(Client.F_NO_EVICT)).isTrue();
        assertThat(field((String) h.exec("CLIENT", "INFO"), "flags")).isEqualTo("e");
        assertThat(h.exec("CLIENT", "no-evict", "OFF")).isEqualTo("OK");
        assertThat(h.client.has(Client.F_NO_EVICT)).isFalse();
        assertThat(h.exec("CLIENT", "NO-EVICT", "yes")).isEqualTo(new Err("ERR syntax error"));
    }

    // ---------------------------------------------------------------- HELP, unknown

    @Test
    void helpListsSubcommands() {
        @SuppressWarnings("unchecked")
        List<Object> help = (List<Object>) h.exec("CLIENT", "HELP");
        assertThat(help.get(0)).isEqualTo("CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
        assertThat(help).contains("KILL <ip:port>", "PAUSE <timeout> [WRITE|ALL]", "REPLY (ON|OFF|SKIP)",
            "SETNAME <name>", "NO-EVICT (ON|OFF)", "LIST [options ...]");
        assertThat(help.get(help.size() - 2)).isEqualTo("HELP");
        assertThat(help.get(help.size() - 1)).isEqualTo("    Prints this help.");
    }

    @Test
    void unknownSubcommand() {
        assertThat(h.exec("CLIENT", "foo")).isEqualTo(new Err("ERR unknown subcommand 'foo'. Try CLIENT HELP."));
        assertThat(h.exec("CLIENT")).isEqualTo(new Err("ERR wrong number of arguments for 'client' command"));
    }
}
