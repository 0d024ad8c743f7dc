package org.redoubt.engine.commands;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.redoubt.engine.Client;
import org.redoubt.engine.CommandFamily;
import org.redoubt.engine.Engine;
import org.redoubt.engine.Errors;
import org.redoubt.engine.command.CommandTable;
import org.redoubt.engine.util.Bytes;
import org.redoubt.protocol.Numbers;

/**
 * Connection commands: PING, ECHO, SELECT, QUIT, RESET, HELLO, AUTH (Redis's server.c,
 * networking.c and acl.c). Authentication here knows one user, "default", whose password is
 * {@code requirepass} (none configured = the user needs no password), as Redis without ACL
 * users.
 */
public final class ConnectionCommands implements CommandFamily {
    /** The Redis release whose behaviour we reproduce, as HELLO reports it. */
    static final String REDIS_VERSION = "7.0.15";
    static final String DEFAULT_USER = "default";
    private static final byte[] DEFAULT_USER_BYTES = Bytes.of(DEFAULT_USER);
    private static final byte[] PONG = Bytes.of("pong");
    private static final byte[] PONG_REPLY = Bytes.of("+PONG\r\n");

    static final String AUTH_NO_PASSWORD = "ERR AUTH <password> called without any password configured for the default user. "
        + "Are you sure your configuration is correct?";
    static final String HELLO_NOAUTH = "NOAUTH HELLO must be called with the client already authenticated, "
        + "otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select "
        + "the RESP protocol version at the same time";
    static final String HELLO_BAD_PROTO = "ERR Protocol version is not an integer or out of range";
    static final String NOPROTO = "NOPROTO unsupported protocol version";
    static final String RESET_NOT_NORMAL = "ERR can only reset normal client connections";

    /**
     * Per-client state a module keeps (a MULTI queue and WATCHed keys, subscriptions, tracking)
     * that RESET must drop, leaving the connection as if new. A {@link Engine.ClientHook}
     * registered in {@code engine.clientHooks} that also implements this is called by RESET;
     * it runs before RESET clears the client's flags, so it can still see them.
     */
    public interface ResetHook {
        void reset(Client c);
    }

    @Override
    public void register(CommandTable t, Engine e) {
        t.bind("ping", this::ping);
        t.bind("echo", this::echo);
        t.bind("select", this::select);
        t.bind("quit", this::quit);
        t.bind("reset", this::reset);
        t.bind("hello", this::hello);
        t.bind("auth", this::auth);
    }

    // =====================================================================================
    // PING, ECHO, SELECT, QUIT
    // =====================================================================================

    void ping(Client c) {
        if (c.argc > 2) {
            c.addError(Errors.wrongArgs(c.cmd.fullName));
            return;
        }
        // A RESP2 subscriber can only receive arrays, so PING answers like a message would.
        if (c.has(Client.F_PUBSUB) && c.resp == 2) {
            c.addArrayLen(2);
            c.addBulk(PONG);
            c.addBulk(c.argc == 1 ? Bytes.EMPTY : c.argv[1]);
        } else if (c.argc == 1) {
            c.addRaw(PONG_REPLY);
        } else {
            c.addBulk(c.argv[1]);
        }
    }

    void echo(Client c) {
        c.addBulk(c.argv[1]);
    }

    void select(Client c) {
        byte[] a = c.argv[1];
        long id = Numbers.parseLong(a, 0, a.length);
        if ((id == Numbers.NOT_A_LONG && !Numbers.isLong(a)) || id < Integer.MIN_VALUE || id > Integer.MAX_VALUE) {
            c.addError(Errors.NOT_INTEGER);
            return;
        }
        if (id < 0 || id >= c.engine.dbCount()) {
            c.addError(Errors.DB_INDEX);
            return;
        }
        c.selectDb((int) id);
        c.addOk();
    }

    void quit(Client c) {
        c.addOk();
        closeAfterReply(c);
    }

    /**
     * Closes c once the replies queued so far are written. The flush that writes them closes
     * the channel; when replies are suppressed (CLIENT REPLY OFF) no flush may ever come for
     * c, so it is closed now.
     */
    static void closeAfterReply(Client c) {
        c.flags |= Client.F_CLOSE_AFTER_REPLY;
        if (c.out == null && c.channel != null && c.engine.io != null) c.engine.io.close(c);
    }

    // =====================================================================================
    // RESET
    // =====================================================================================

    void reset(Client c) {
        // A monitor is also a kind of replica in Redis; only real replication links refuse.
        if (c.has(Client.F_MASTER) || (c.has(Client.F_REPLICA) && !c.has(Client.F_MONITOR))) {
            c.addError(RESET_NOT_NORMAL);
            return;
        }
        clearConnectionState(c);
        c.addSimple("RESET");
    }

    /** Leaves c as a newly connected client would be (Redis's clearClientConnectionState). */
    static void clearConnectionState(Client c) {
        Engine e = c.engine;
        if (c.has(Client.F_MONITOR)) {
            e.monitors.remove(c);
            c.flags &= ~Client.F_MONITOR;
        }
        for (int i = 0; i < e.clientHooks.size(); i++) {
            if (e.clientHooks.get(i) instanceof ResetHook h) h.reset(c);
        }
        c.selectDb(0);
        c.resp = 2;
        c.user = DEFAULT_USER;
        c.authenticated = !passwordRequired(e);
        c.name = null;
        // CLIENT NO-EVICT survives RESET in Redis 7.0 (7.2 changed that); CLIENT REPLY SKIP
        // is cleared by the dispatcher after this command anyway.
        c.flags &= ~(Client.F_MULTI | Client.F_DIRTY_CAS | Client.F_DIRTY_EXEC | Client.F_PUBSUB
            | Client.F_TRACKING | Client.F_READONLY | Client.F_REPLY_OFF | Client.F_REPLY_SKIP_NEXT);
    }

    // =====================================================================================
    // AUTH, HELLO
    // =====================================================================================

    void auth(Client c) {
        if (c.argc > 3) {
            c.addError(Errors.SYNTAX);
            return;
        }
        byte[] user, pass;
        // Passwords must not reach SLOWLOG or MONITOR, which read argv after the handler.
        byte[] first = c.argv[1];
        c.redactArgument(1);
        if (c.argc == 2) {
            if (!passwordRequired(c.engine)) {
                c.addError(AUTH_NO_PASSWORD);
                return;
            }
            user = DEFAULT_USER_BYTES;
            pass = first;
        } else {
            user = first;
            pass = c.argv[2];
            c.redactArgument(2);
        }
        if (authenticate(c, user, pass)) c.addOk();
        else c.addError(Errors.WRONGPASS);
    }

    /**
     * Checks a user/password pair; on success c is authenticated as that user. A failure
     * leaves c as it was (an authenticated client stays authenticated), as in Redis.
     */
    static boolean authenticate(Client c, byte[] user, byte[] pass) {
        if (!java.util.Arrays.equals(user, DEFAULT_USER_BYTES)) return false;
        if (passwordRequired(c.engine) && !MessageDigest.isEqual(passwordBytes(c.engine.config.requirepass), pass)) {
            return false;
        }
        c.user = DEFAULT_USER;
        c.authenticated = true;
        return true;
    }

    /** False when the default user needs no password (no requirepass), as Redis's "nopass". */
    static boolean passwordRequired(Engine e) {
        String p = e.config.requirepass;
        return p != null && !p.isEmpty();
    }

    /** The bytes of a configured password: config values are decoded from UTF-8 (ConfigTable). */
    static byte[] passwordBytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    void hello(Client c) {
        long ver = 0;
        int next = 1;
        if (c.argc >= 2) {
            byte[] a = c.argv[next++];
            ver = Numbers.parseLong(a, 0, a.length);
            if (ver == Numbers.NOT_A_LONG && !Numbers.isLong(a)) {
                c.addError(HELLO_BAD_PROTO);
                return;
            }
            if (ver < 2 || ver > 3) {
                c.addError(NOPROTO);
                return;
            }
        }
        for (int j = next; j < c.argc; j++) {
            int more = c.argc - 1 - j;
            byte[] opt = c.argv[j];
            if (Bytes.equalsIgnoreCase(opt, "auth") && more >= 2) {
                byte[] user = c.argv[j + 1], pass = c.argv[j + 2];
                c.redactArgument(j + 1);
                c.redactArgument(j + 2);
                if (!authenticate(c, user, pass)) {
                    c.addError(Errors.WRONGPASS);
                    return;
                }
                j += 2;
            } else if (Bytes.equalsIgnoreCase(opt, "setname") && more >= 1) {
                if (!ClientCommands.setName(c, c.argv[j + 1])) return;
                j++;
            } else {
                c.addError("ERR Syntax error in HELLO option '" + Bytes.str(opt) + "'");
                return;
            }
        }
        if (!c.authenticated) {
            c.addError(HELLO_NOAUTH);
            return;
        }
        if (ver != 0) c.resp = (int) ver;
        c.addMapLen(7);
        c.addBulk("server");
        c.addBulk("redis");
        c.addBulk("version");
        c.addBulk(REDIS_VERSION);
        c.addBulk("proto");
        c.addLong(c.resp);
        c.addBulk("id");
        c.addLong(c.id);
        c.addBulk("mode");
        c.addBulk("standalone");
        c.addBulk("role");
        c.addBulk(c.engine.isReplica() ? "replica" : "master");
        c.addBulk("modules");
        c.addArrayLen(0);
    }
}
