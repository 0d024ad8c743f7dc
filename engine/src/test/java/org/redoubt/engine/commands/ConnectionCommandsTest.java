package org.redoubt.engine.commands;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.redoubt.engine.Client;
import org.redoubt.engine.Engine;
import org.redoubt.engine.Harness;
import org.redoubt.engine.Harness.Err;
import org.redoubt.engine.config.Config;

class ConnectionCommandsTest {
    private final Harness h = new Harness();

    private static Harness withPassword(String pass) {
        Config cfg = new Config();
        cfg.requirepass = pass;
        return new Harness(cfg);
    }

    /** A client as a new connection sees it: not authenticated when a password is required. */
    private static Client fresh(Harness h) {
        Client c = h.engine.newClient(null);
        c.authenticated = h.engine.config.requirepass.isEmpty();
        return c;
    }

    // ---------------------------------------------------------------- PING, ECHO

    @Test
    void pingRepliesPongOrItsArgument() {
        assertThat(h.raw("PING")).isEqualTo("+PONG\r\n");
        assertThat(h.raw("ping", "hello")).isEqualTo("$5\r\nhello\r\n");
        assertThat(h.exec("PING", "")).isEqualTo("");
    }

    @Test
    void pingWithTwoArgumentsIsAnArityError() {
        assertThat(h.exec("PING", "a", "b"))
            .isEqualTo(new Err("ERR wrong number of arguments for 'ping' command"));
    }

    @Test
    void pingInResp2SubscribedModeRepliesAnArray() {
        h.client.flags |= Client.F_PUBSUB;
        assertThat(h.exec("PING")).isEqualTo(List.of("pong", ""));
        assertThat(h.exec("PING", "msg")).isEqualTo(List.of("pong", "msg"));
        h.client.resp = 3;
        assertThat(h.exec("PING")).isEqualTo("PONG");
        assertThat(h.exec("PING", "msg")).isEqualTo("msg");
    }

    @Test
    void echoIsBinarySafe() {
        byte[] bin = {0, (byte) 0xff, '\r', '\n', 'x'};
        h.client.argv = new byte[][] {"ECHO".getBytes(StandardCharsets.US_ASCII), bin};
        h.client.argc = 2;
        h.engine.process(h.client);
        var out = h.client.takeOutput();
        byte[] got = new byte[out.readableBytes()];
        out.readBytes(got);
        out.release();
        assertThat(got).isEqualTo(new byte[] {'$', '5', '\r', '\n', 0, (byte) 0xff, '\r', '\n', 'x', '\r', '\n'});
        assertThat(h.exec("ECHO")).isEqualTo(new Err("ERR wrong number of arguments for 'echo' command"));
    }

    // ---------------------------------------------------------------- SELECT

    @Test
    void selectChangesTheDatabase() {
        assertThat(h.exec("SELECT", "9")).isEqualTo("OK");
        assertThat(h.client.dbIndex).isEqualTo(9);
        assertThat(h.client.db).isSameAs(h.engine.db(9));
        assertThat(h.exec("SELECT", "0")).isEqualTo("OK");
        assertThat(h.client.db).isSameAs(h.engine.db(0));
    }

    @Test
    void selectRejectsOutOfRangeAndNonIntegers() {
        assertThat(h.exec("SELECT", "16")).isEqualTo(new Err("ERR DB index is out of range"));
        assertThat(h.exec("SELECT", "-1")).isEqualTo(new Err("ERR DB index is out of range"));
        assertThat(h.exec("SELECT", "2147483647")).isEqualTo(new Err("ERR DB index is out of range"));
        for (String bad : new String[] {"abc", "1.0", " 1", "01", "2147483648", "", "99999999999999999999"}) {
            assertThat(h.exec("SELECT", bad)).as(bad).isEqualTo(new Err("ERR value is not an integer or out of range"));
        }
        assertThat(h.client.dbIndex).isZero();
    }

    // ---------------------------------------------------------------- QUIT

    @Test
    void quitRepliesOkAndClosesAfterTheReply() {
        assertThat(h.exec("QUIT")).isEqualTo("OK");
        assertThat(h.client.has(Client.F_CLOSE_AFTER_REPLY)).isTrue();
    }

    @Test
    void quitIsAllowedBeforeAuthentication() {
        Harness p = withPassword("secret");
        Client c = fresh(p);
        assertThat(p.exec(c, "QUIT")).isEqualTo("OK");
        assertThat(c.has(Client.F_CLOSE_AFTER_REPLY)).isTrue();
    }

    // ---------------------------------------------------------------- AUTH

    @Test
    void authWithoutConfiguredPassword() {
        assertThat(h.exec("AUTH", "foo")).isEqualTo(new Err(
            "ERR AUTH <password> called without any password configured for the default user. "
                + "Are you sure your configuration is correct?"));
        // The default user needs no password: any password authenticates it.
        assertThat(h.exec("AUTH", "default", "anything")).isEqualTo("OK");
        assertThat(h.exec("AUTH", "someone", "anything"))
            .isEqualTo(new Err("WRONGPASS invalid username-password pair or user is disabled."));
    }

    @Test
    void authWithTooManyArgumentsIsASyntaxError() {
        assertThat(h.exec("AUTH", "a", "b", "c")).isEqualTo(new Err("ERR syntax error"));
    }

    @Test
    void authAgainstRequirepass() {
        Harness p = withPassword("foobar");
        Client c = fresh(p);
        assertThat(p.exec(c, "PING")).isEqualTo(new Err("NOAUTH Authentication required."));
        assertThat(p.exec(c, "AUTH", "wrong!"))
            .isEqualTo(new Err("WRONGPASS invalid username-password pair or user is disabled."));
        assertThat(c.authenticated).isFalse();
        assertThat(p.exec(c, "AUTH", "foobar")).isEqualTo("OK");
        assertThat(c.authenticated).isTrue();
        assertThat(p.exec(c, "PING")).isEqualTo("PONG");
        // A failed attempt does not undo an earlier success.
        assertThat(p.exec(c, "AUTH", "nope")).isInstanceOf(Err.class);
        assertThat(c.authenticated).isTrue();
    }

    @Test
    void authWithUserName() {
        Harness p = withPassword("pw");
        Client c = fresh(p);
        assertThat(p.exec(c, "AUTH", "other", "pw")).isInstanceOf(Err.class);
        assertThat(p.exec(c, "AUTH", "DEFAULT", "pw")).as("user names are case sensitive").isInstanceOf(Err.class);
        assertThat(p.exec(c, "AUTH", "default", "pw")).isEqualTo("OK");
        assertThat(c.user).isEqualTo("default");
    }

    @Test
    void passwordsAreRedactedFromArgvForSlowlogAndMonitor() {
        Harness p = withPassword("pw");
        Client c = fresh(p);
        p.exec(c, "AUTH", "secret");
        assertThat(new String(c.argv[1], StandardCharsets.UTF_8)).isEqualTo("(redacted)");
        p.exec(c, "AUTH", "default", "pw");
        assertThat(new String(c.argv[1], StandardCharsets.UTF_8)).isEqualTo("(redacted)");
        assertThat(new String(c.argv[2], StandardCharsets.UTF_8)).isEqualTo("(redacted)");
        p.exec(c, "HELLO", "2", "AUTH", "default", "pw", "SETNAME", "x");
        assertThat(new String(c.argv[3], StandardCharsets.UTF_8)).isEqualTo("(redacted)");
        assertThat(new String(c.argv[4], StandardCharsets.UTF_8)).isEqualTo("(redacted)");
        assertThat(new String(c.argv[6], StandardCharsets.UTF_8)).isEqualTo("x");
    }

    @Test
    void authWithBinaryPassword() {
        Harness p = withPassword("abc\u0000d\u00e9f");
        Client c = fresh(p);
        assertThat(p.execBytes(c, bytes("AUTH"), bytes("abc"))).isInstanceOf(Err.class);
        byte[] pass = {'a', 'b', 'c', 0, 'd', (byte) 0xc3, (byte) 0xa9, 'f'};
        assertThat(p.execBytes(c, bytes("AUTH"), pass)).isEqualTo("OK");
    }

    // ---------------------------------------------------------------- HELLO

    @Test
    void helloWithoutArgumentsKeepsTheProtocol() {
        Object r = h.exec("HELLO");
        assertThat(r).isEqualTo(List.of("server", "redis", "version", "7.0.15", "proto", 2L,
            "id", h.client.id, "mode", "standalone", "role", "master", "modules", List.of()));
        assertThat(h.client.resp).isEqualTo(2);
    }

    @Test
    void hello3SwitchesToResp3AndRepliesAMap() {
        Object r = h.exec("HELLO", "3");
        assertThat(r).isInstanceOf(Map.class);
        Map<?, ?> m = (Map<?, ?>) r;
        assertThat(new ArrayList<Object>(m.keySet()))
            .containsExactly("server", "version", "proto", "id", "mode", "role", "modules");
        assertThat(m.get("server")).isEqualTo("redis");
        assertThat(m.get("version")).isEqualTo("7.0.15");
        assertThat(m.get("modules")).isEqualTo(List.of());
        assertThat(m.get("proto")).isEqualTo(3L);
        assertThat(m.get("id")).isEqualTo(h.client.id);
        assertThat(h.client.resp).isEqualTo(3);
        assertThat(h.raw("HELLO", "2")).startsWith("*14\r\n$6\r\nserver\r\n$5\r\nredis\r\n");
        assertThat(h.client.resp).isEqualTo(2);
    }

    @Test
    void helloRejectsBadProtocolVersions() {
        assertThat(h.exec("HELLO", "4")).isEqualTo(new Err("NOPROTO unsupported protocol version"));
        assertThat(h.exec("HELLO", "1")).isEqualTo(new Err("NOPROTO unsupported protocol version"));
        assertThat(h.exec("HELLO", "-9223372036854775808")).isEqualTo(new Err("NOPROTO unsupported protocol version"));
        assertThat(h.exec("HELLO", "three"))
            .isEqualTo(new Err("ERR Protocol version is not an integer or out of range"));
        assertThat(h.client.resp).isEqualTo(2);
    }

    @Test
    void helloOptions() {
        assertThat(h.exec("HELLO", "3", "SETNAME", "myname")).isInstanceOf(Map.class);
        assertThat(h.client.name).isEqualTo(bytes("myname"));
        assertThat(h.exec("HELLO", "2", "setname", "bad name"))
            .isEqualTo(new Err("ERR Client names cannot contain spaces, newlines or special characters."));
        assertThat(h.client.resp).as("a failed HELLO keeps the protocol").isEqualTo(3);
        assertThat(h.exec("HELLO", "3", "foo"))
            .isEqualTo(new Err("ERR Syntax error in HELLO option 'foo'"));
        assertThat(h.exec("HELLO", "3", "AUTH", "default"))
            .as("AUTH needs two values").isEqualTo(new Err("ERR Syntax error in HELLO option 'AUTH'"));
        assertThat(h.exec("HELLO", "3", "SETNAME"))
            .isEqualTo(new Err("ERR Syntax error in HELLO option 'SETNAME'"));
    }

    @Test
    void helloAuthenticates() {
        Harness p = withPassword("pw");
        Client c = fresh(p);
        assertThat(p.exec(c, "HELLO")).isEqualTo(new Err(
            "NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH "
                + "<user> <pass> option can be used to authenticate the client and select the RESP protocol "
                + "version at the same time"));
        assertThat(p.exec(c, "HELLO", "3", "AUTH", "default", "bad"))
            .isEqualTo(new Err("WRONGPASS invalid username-password pair or user is disabled."));
        assertThat(c.authenticated).isFalse();
        assertThat(c.resp).isEqualTo(2);
        Object r = p.exec(c, "HELLO", "3", "AUTH", "default", "pw", "SETNAME", "n1");
        assertThat(r).isInstanceOf(Map.class);
        assertThat(c.authenticated).isTrue();
        assertThat(c.resp).isEqualTo(3);
        assertThat(c.nameString()).isEqualTo("n1");
    }

    // ---------------------------------------------------------------- RESET

    @Test
    void resetRestoresANewConnectionsState() {
        h.exec("SELECT", "5");
        h.exec("HELLO", "3", "SETNAME", "someone");
        h.client.flags |= Client.F_MULTI | Client.F_DIRTY_CAS | Client.F_PUBSUB | Client.F_READONLY
            | Client.F_TRACKING | Client.F_NO_EVICT;
        assertThat(h.exec("RESET")).isEqualTo("RESET");
        assertThat(h.client.dbIndex).isZero();
        assertThat(h.client.db).isSameAs(h.engine.db(0));
        assertThat(h.client.resp).isEqualTo(2);
        assertThat(h.client.name).isNull();
        assertThat(h.client.has(Client.F_MULTI | Client.F_DIRTY_CAS | Client.F_PUBSUB | Client.F_READONLY
            | Client.F_TRACKING)).isFalse();
        assertThat(h.client.has(Client.F_NO_EVICT)).as("Redis 7.0 keeps NO-EVICT").isTrue();
        assertThat(h.client.authenticated).isTrue();
        assertThat(h.exec("PING")).isEqualTo("PONG");
    }

    @Test
    void resetTurnsRepliesBackOn() {
        assertThat(h.exec("CLIENT", "REPLY", "OFF")).isSameAs(Harness.NONE);
        // Replies are back on before RESET replies, so its own reply is sent.
        assertThat(h.exec("RESET")).isEqualTo("RESET");
        assertThat(h.exec("PING")).isEqualTo("PONG");
    }

    @Test
    void resetLeavesMonitorMode() {
        h.client.flags |= Client.F_MONITOR;
        h.engine.monitors.add(h.client);
        h.client.argv = new byte[][] {bytes("RESET")};
        h.client.argc = 1;
        h.engine.process(h.client);
        // Whether a monitor sees its own RESET depends on when monitors are fed; the reply is last.
        assertThat(h.drain(h.client)).last().isEqualTo("RESET");
        assertThat(h.engine.monitors).doesNotContain(h.client);
        assertThat(h.client.has(Client.F_MONITOR)).isFalse();
    }

    @Test
    void resetDeauthenticatesWhenAPasswordIsRequired() {
        Harness p = withPassword("pw");
        Client c = fresh(p);
        assertThat(p.exec(c, "AUTH", "pw")).isEqualTo("OK");
        assertThat(p.exec(c, "RESET")).isEqualTo("RESET");
        assertThat(c.authenticated).isFalse();
        assertThat(p.exec(c, "PING")).isEqualTo(new Err("NOAUTH Authentication required."));
        assertThat(p.exec(c, "RESET")).as("RESET needs no auth").isEqualTo("RESET");
    }

    @Test
    void resetRefusesReplicationLinks() {
        h.client.flags |= Client.F_REPLICA;
        assertThat(h.exec("RESET")).isEqualTo(new Err("ERR can only reset normal client connections"));
        h.client.flags = Client.F_MASTER;
        assertThat(h.exec("RESET")).isEqualTo(new Err("ERR can only reset normal client connections"));
    }

    @Test
    void resetCallsModuleResetHooks() {
        List<Client> seen = new ArrayList<>();
        class Hook implements Engine.ClientHook, ConnectionCommands.ResetHook {
            @Override public void closed(Client c) {}
            @Override public void reset(Client c) {
                assertThat(c.has(Client.F_PUBSUB)).as("flags still visible to the hook").isTrue();
                seen.add(c);
            }
        }
        h.engine.clientHooks.add(new Hook());
        h.engine.clientHooks.add(c -> { throw new AssertionError("a plain close hook must not run on RESET"); });
        h.client.flags |= Client.F_PUBSUB;
        assertThat(h.exec("RESET")).isEqualTo("RESET");
        assertThat(seen).containsExactly(h.client);
    }

    private static byte[] bytes(String s) { return s.getBytes(StandardCharsets.UTF_8); }
}
