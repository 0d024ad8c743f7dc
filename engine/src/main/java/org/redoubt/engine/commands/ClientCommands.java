package org.redoubt.engine.commands;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.redoubt.engine.Client;
import org.redoubt.engine.CommandFamily;
import org.redoubt.engine.Engine;
import org.redoubt.engine.Errors;
import org.redoubt.engine.command.CommandTable;
import org.redoubt.engine.util.Bytes;
import org.redoubt.protocol.Numbers;

/**
 * CLIENT subcommands (Redis's clientCommand in networking.c): identity (ID, SETNAME, GETNAME),
 * introspection (LIST, INFO), KILL, PAUSE/UNPAUSE, REPLY and NO-EVICT. TRACKING, CACHING,
 * GETREDIR, TRACKINGINFO and UNBLOCK belong to the tracking and blocking modules.
 *
 * <p>CLIENT LIST lines have Redis 7.0's fields in Redis's order, so that tools splitting them
 * on spaces and '=' keep working. Values Redis takes from its allocator (buffer sizes, memory)
 * are our best equivalents: what the query and reply buffers hold right now.
 */
public final class ClientCommands implements CommandFamily {
    /** Redis's client types (CLIENT_TYPE_*), as CLIENT LIST/KILL TYPE name them. */
    static final int TYPE_NORMAL = 0, TYPE_REPLICA = 1, TYPE_PUBSUB = 2, TYPE_MASTER = 3;

    static final String BAD_NAME = "ERR Client names cannot contain spaces, newlines or special characters.";
    static final String NO_SUCH_CLIENT = "ERR No such client";
    static final String INVALID_ID = "ERR Invalid client ID";
    static final String ID_NOT_POSITIVE = "ERR client-id should be greater than 0";
    static final String PAUSE_MODE = "ERR CLIENT PAUSE mode must be WRITE or ALL";
    static final String PAUSE_TIMEOUT = "ERR timeout is not an integer or out of range";

    /** Redis's static reply buffer size: what obl can hold before replies spill into a list. */
    private static final int REPLY_CHUNK = 16 * 1024;
    /** Fixed per-connection overhead counted in tot-mem (the client structure and buffers). */
    private static final int CLIENT_OVERHEAD = 1928;

    @Override
    public void register(CommandTable t, Engine e) {
        t.bind("client|help", this::help);
        t.bind("client|id", this::id);
        t.bind("client|info", this::info);
        t.bind("client|list", this::list);
        t.bind("client|setname", this::setname);
        t.bind("client|getname", this::getname);
        t.bind("client|kill", this::kill);
        t.bind("client|pause", this::pause);
        t.bind("client|unpause", this::unpause);
        t.bind("client|reply", this::reply);
        t.bind("client|no-evict", this::noEvict);
    }

    // =====================================================================================
    // HELP, ID, SETNAME, GETNAME
    // =====================================================================================

    void help(Client c) {
        c.addHelp("CLIENT",
            "CACHING (YES|NO)",
            "    Turn tracking of the keys read by the next command on or off (OPTIN/OPTOUT modes).",
            "GETREDIR",
            "    Return the ID of the client tracking notifications are redirected to.",
            "GETNAME",
            "    Return the name of this connection.",
            "ID",
            "    Return the ID of this connection.",
            "INFO",
            "    Return information about this connection.",
            "KILL <ip:port>",
            "    Kill the connection from <ip:port>.",
            "KILL <option> <value> [<option> <value> [...]]",
            "    Kill the connections matching every option given. Options are:",
            "    * ADDR (<ip:port>|<unixsocket>:0)",
            "      Connections from this address.",
            "    * LADDR (<ip:port>|<unixsocket>:0)",
            "      Connections to this local address.",
            "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
            "      Connections of this type.",
            "    * USER <username>",
            "      Connections authenticated as <username>.",
            "    * SKIPME (YES|NO)",
            "      Spare this connection (default: yes).",
            "LIST [options ...]",
            "    Return information about the connections. Options:",
            "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
            "      Only connections of this type.",
            "UNPAUSE",
            "    End the current client pause, resuming traffic.",
            "PAUSE <timeout> [WRITE|ALL]",
            "    Hold all clients, or only their writes, for <timeout> milliseconds.",
            "REPLY (ON|OFF|SKIP)",
            "    Control the replies sent to this connection.",
            "SETNAME <name>",
            "    Name this connection <name>.",
            "UNBLOCK <clientid> [TIMEOUT|ERROR]",
            "    Unblock the given blocked client.",
            "TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]",
            "         [OPTIN] [OPTOUT] [NOLOOP]",
            "    Control server-assisted client-side caching.",
            "TRACKINGINFO",
            "    Report the tracking state of this connection.",
            "NO-EVICT (ON|OFF)",
            "    Exempt this connection from client eviction.");
    }

    void id(Client c) {
        c.addLong(c.id);
    }

    void setname(Client c) {
        if (setName(c, c.argv[2])) c.addOk();
    }

    /**
     * Sets (or, with an empty name, clears) c's name; replies the error and returns false for
     * a name CLIENT LIST could not print as one space-free field (only '!'..'~' are allowed).
     */
    static boolean setName(Client c, byte[] name) {
        if (name.length == 0) {
            c.name = null;
            return true;
        }
        for (byte b : name) {
            if (b < '!' || b > '~') {
                c.addError(BAD_NAME);
                return false;
            }
        }
        c.name = name;
        return true;
    }

    void getname(Client c) {
        c.addBulkOrNull(c.name);
    }

    // =====================================================================================
    // INFO, LIST
    // =====================================================================================

    void info(Client c) {
        StringBuilder sb = new StringBuilder(320);
        appendInfo(sb, c, c);
        c.addVerbatim(sb.append('\n').toString());
    }

    void list(Client c) {
        int type = -1;
        StringBuilder sb = new StringBuilder(320 * Math.max(1, c.engine.clients.size()));
        if (c.argc == 4 && Bytes.equalsIgnoreCase(c.argv[2], "type")) {
            type = typeByName(c.argv[3]);
            if (type < 0) {
                c.addError("ERR Unknown client type '" + Bytes.str(c.argv[3]) + "'");
                return;
            }
        } else if (c.argc > 3 && Bytes.equalsIgnoreCase(c.argv[2], "id")) {
            // Every ID is validated before anything is listed; unknown IDs are skipped.
            for (int j = 3; j < c.argc; j++) {
                if (!Numbers.isLong(c.argv[j])) {
                    c.addError(INVALID_ID);
                    return;
                }
            }
            for (int j = 3; j < c.argc; j++) {
                Client cl = c.engine.clients.get(Numbers.parseLong(c.argv[j]));
                if (cl != null) appendInfo(sb, cl, c).append('\n');
            }
            c.addVerbatim(sb.toString());
            return;
        } else if (c.argc != 2) {
            c.addError(Errors.SYNTAX);
            return;
        }
        for (Client cl : c.engine.clients.values()) {
            if (type >= 0 && typeOf(cl) != type) continue;
            appendInfo(sb, cl, c).append('\n');
        }
        c.addVerbatim(sb.toString());
    }

    /** Redis's getClientType: monitors count as normal clients. */
    static int typeOf(Client c) {
        if (c.has(Client.F_MASTER)) return TYPE_MASTER;
        if (c.has(Client.F_REPLICA) && !c.has(Client.F_MONITOR)) return TYPE_REPLICA;
        if (c.has(Client.F_PUBSUB)) return TYPE_PUBSUB;
        return TYPE_NORMAL;
    }

    static int typeByName(byte[] n) {
        if (Bytes.equalsIgnoreCase(n, "normal")) return TYPE_NORMAL;
        if (Bytes.equalsIgnoreCase(n, "slave") || Bytes.equalsIgnoreCase(n, "replica")) return TYPE_REPLICA;
        if (Bytes.equalsIgnoreCase(n, "pubsub")) return TYPE_PUBSUB;
        if (Bytes.equalsIgnoreCase(n, "master")) return TYPE_MASTER;
        return -1;
    }

    /** Redis's flags field: one letter per state, 'N' for none. */
    static String flagLetters(Client c) {
        StringBuilder f = new StringBuilder(4);
        if (c.has(Client.F_MONITOR)) f.append('O');
        else if (c.has(Client.F_REPLICA)) f.append('S');
        if (c.has(Client.F_MASTER)) f.append('M');
        if (c.has(Client.F_PUBSUB)) f.append('P');
        if (c.has(Client.F_MULTI)) f.append('x');
        // A client held by CLIENT PAUSE is a blocked client in Redis (BLOCKED_POSTPONE).
        if (c.has(Client.F_BLOCKED | Client.F_PAUSED)) f.append('b');
        if (c.has(Client.F_TRACKING)) f.append('t');
        if ((org.redoubt.engine.Tracking.opts(c) & org.redoubt.engine.Tracking.BROKEN_REDIR) != 0) f.append('R');
        if ((org.redoubt.engine.Tracking.opts(c) & org.redoubt.engine.Tracking.BCAST) != 0) f.append('B');
        if (c.has(Client.F_DIRTY_CAS)) f.append('d');
        if (c.has(Client.F_CLOSE_AFTER_REPLY)) f.append('c');
        if (c.has(Client.F_CLOSE_ASAP)) f.append('A');
        if (c.has(Client.F_UNIX)) f.append('U');
        if (c.has(Client.F_READONLY)) f.append('r');
        if (c.has(Client.F_NO_EVICT)) f.append('e');
        if (f.length() == 0) f.append('N');
        return f.toString();
    }

    /**
     * Appends the CLIENT LIST line of cl (without the newline), as seen by the client
     * {@code self} running the command.
     */
    static StringBuilder appendInfo(StringBuilder sb, Client cl, Client self) {
        long nowSec = cl.engine.nowMs() / 1000;
        // The command being executed is still in Redis's query buffer while it runs, and a
        // held (paused, blocked) command keeps its arguments.
        boolean holdsArgv = cl == self || cl.has(Client.F_BLOCKED | Client.F_PAUSED);
        long qbuf = cl == self ? commandBytes(cl) : cl.qbuf;
        long argvMem = 0;
        if (holdsArgv) for (int i = 0; i < cl.argc; i++) argvMem += cl.argv[i].length;
        long pending = org.redoubt.engine.OutputLimits.pendingBytes(cl);
        long obl = Math.min(pending, REPLY_CHUNK);
        long omem = pending - obl;
        long oll = (omem + REPLY_CHUNK - 1) / REPLY_CHUNK;
        long rbs = Math.max(1024, cl.out != null ? cl.out.capacity() : 0);
        long totMem = CLIENT_OVERHEAD + qbuf + cl.qbufFree + argvMem + rbs + omem;
        sb.append("id=").append(cl.id)
            .append(" addr=").append(addr(cl))
            .append(" laddr=").append(laddr(cl))
            .append(" fd=").append(fd(cl))
            .append(" name=");
        if (cl.name != null) sb.append(new String(cl.name, StandardCharsets.ISO_8859_1));
        sb.append(" age=").append(nowSec - cl.createdMs / 1000)
            .append(" idle=").append(nowSec - cl.lastInteractionMs / 1000)
            .append(" flags=").append(flagLetters(cl))
            .append(" db=").append(cl.dbIndex)
            .append(" sub=").append(org.redoubt.engine.PubSub.channelCount(cl))
            .append(" psub=").append(org.redoubt.engine.PubSub.patternCount(cl))
            .append(" ssub=").append(org.redoubt.engine.PubSub.shardCount(cl))
            .append(" multi=").append(org.redoubt.engine.Multi.queuedCount(cl))
            .append(" qbuf=").append(qbuf)
            .append(" qbuf-free=").append(cl.qbufFree)
            .append(" argv-mem=").append(argvMem)
            .append(" multi-mem=").append(org.redoubt.engine.Multi.memOverhead(cl))
            .append(" rbs=").append(rbs)
            .append(" rbp=").append(obl)
            .append(" obl=").append(obl)
            .append(" oll=").append(oll)
            .append(" omem=").append(omem)
            .append(" tot-mem=").append(totMem)
            .append(" events=").append(cl.channel == null ? "" : pending > 0 && cl != self ? "rw" : "r")
            .append(" cmd=").append(cl.lastCmd == null ? "NULL" : cl.lastCmd.fullName)
            .append(" user=").append(cl.user)
            .append(" redir=").append(org.redoubt.engine.Tracking.redirection(cl))
            .append(" resp=").append(cl.resp);
        return sb;
    }

    /** Size of c's current command in the multibulk form it arrived in. */
    private static long commandBytes(Client c) {
        long n = 1 + Numbers.stringSize(c.argc) + 2;
        for (int i = 0; i < c.argc; i++) {
            int len = c.argv[i].length;
            n += 1 + Numbers.stringSize(len) + 2 + len + 2;
        }
        return n;
    }

    static String addr(Client c) {
        return c.addr.isEmpty() ? "?:0" : c.addr;
    }

    static String laddr(Client c) {
        return c.laddr.isEmpty() ? "?:0" : c.laddr;
    }

    /** The socket's descriptor where the transport exposes one; -1 for internal clients. */
    static int fd(Client c) {
        if (c.channel instanceof io.netty.channel.unix.UnixChannel u) return u.fd().intValue();
        return -1;
    }

    // =====================================================================================
    // KILL
    // =====================================================================================

    void kill(Client c) {
        String addr = null, laddr = null;
        int type = -1;
        long id = 0;
        boolean skipme = true;
        if (c.argc == 3) {
            // The old form names one address and may kill the caller itself.
            addr = Bytes.str(c.argv[2]);
            skipme = false;
        } else {
            for (int i = 2; i < c.argc; i += 2) {
                byte[] opt = c.argv[i];
                boolean more = i + 1 < c.argc;
                if (!more) {
                    c.addError(Errors.SYNTAX);
                    return;
                }
                byte[] val = c.argv[i + 1];
                if (Bytes.equalsIgnoreCase(opt, "id")) {
                    long v = Numbers.parseLong(val, 0, val.length);
                    if (v < 1) {
                        c.addError(ID_NOT_POSITIVE);
                        return;
                    }
                    id = v;
                } else if (Bytes.equalsIgnoreCase(opt, "type")) {
                    type = typeByName(val);
                    if (type < 0) {
                        c.addError("ERR Unknown client type '" + Bytes.str(val) + "'");
                        return;
                    }
                } else if (Bytes.equalsIgnoreCase(opt, "addr")) {
                    addr = Bytes.str(val);
                } else if (Bytes.equalsIgnoreCase(opt, "laddr")) {
                    laddr = Bytes.str(val);
                } else if (Bytes.equalsIgnoreCase(opt, "user")) {
                    if (!java.util.Arrays.equals(val, Bytes.of(ConnectionCommands.DEFAULT_USER))) {
                        c.addError("ERR No such user '" + Bytes.str(val) + "'");
                        return;
                    }
                } else if (Bytes.equalsIgnoreCase(opt, "skipme")) {
                    if (Bytes.equalsIgnoreCase(val, "yes")) skipme = true;
                    else if (Bytes.equalsIgnoreCase(val, "no")) skipme = false;
                    else {
                        c.addError(Errors.SYNTAX);
                        return;
                    }
                } else {
                    c.addError(Errors.SYNTAX);
                    return;
                }
            }
        }
        // With a single (default) user, a USER filter that parsed matches every client.
        List<Client> victims = new ArrayList<>();
        boolean closeSelf = false;
        for (Client cl : c.engine.clients.values()) {
            if (addr != null && !addr.equals(addr(cl))) continue;
            if (laddr != null && !laddr.equals(laddr(cl))) continue;
            if (type >= 0 && typeOf(cl) != type) continue;
            if (id != 0 && cl.id != id) continue;
            if (cl == c) {
                if (skipme) continue;
                closeSelf = true;
            } else {
                victims.add(cl);
            }
        }
        int killed = victims.size() + (closeSelf ? 1 : 0);
        // Closing may re-enter the engine (clientClosed), so the list is walked first.
        for (Client v : victims) closeClient(v);
        if (c.argc == 3) {
            if (killed == 0) c.addError(NO_SUCH_CLIENT);
            else c.addOk();
        } else {
            c.addLong(killed);
        }
        // The caller is closed only after its reply is queued.
        if (closeSelf) ConnectionCommands.closeAfterReply(c);
    }

    private static void closeClient(Client v) {
        Engine e = v.engine;
        if (e.io != null) e.io.close(v);
        else {
            v.flags |= Client.F_CLOSE_ASAP;
            e.clientClosed(v);
        }
    }

    // =====================================================================================
    // PAUSE, UNPAUSE
    // =====================================================================================

    void pause(Client c) {
        if (c.argc > 4) {
            subcommandSyntaxError(c);
            return;
        }
        int type = Engine.PAUSE_ALL;
        if (c.argc == 4) {
            if (Bytes.equalsIgnoreCase(c.argv[3], "write")) type = Engine.PAUSE_WRITE;
            else if (Bytes.equalsIgnoreCase(c.argv[3], "all")) type = Engine.PAUSE_ALL;
            else {
                c.addError(PAUSE_MODE);
                return;
            }
        }
        byte[] a = c.argv[2];
        long ms = Numbers.parseLong(a, 0, a.length);
        if (ms == Numbers.NOT_A_LONG && !Numbers.isLong(a)) {
            c.addError(PAUSE_TIMEOUT);
            return;
        }
        if (ms < 0) {
            c.addError(Errors.TIMEOUT_NEGATIVE);
            return;
        }
        Engine e = c.engine;
        long now = e.nowMs();
        long end = ms > 0 ? now + ms : 0;
        // A pause already running is only ever made stricter and longer, never relaxed.
        if (e.pauseType != Engine.PAUSE_OFF && e.pauseEndMs >= now) {
            e.pauseType = Math.max(e.pauseType, type);
            e.pauseEndMs = Math.max(e.pauseEndMs, end);
        } else if (end >= now) {
            e.pauseType = type;
            e.pauseEndMs = end;
        }
        c.addOk();
    }

    void unpause(Client c) {
        c.engine.unpause();
        c.addOk();
    }

    /** Redis 7.0's reply when a subcommand exists but its argument count does not fit. */
    static void subcommandSyntaxError(Client c) {
        String sub = Bytes.str(c.argv[1]);
        if (sub.length() > 128) sub = sub.substring(0, 128);
        c.addError("ERR unknown subcommand or wrong number of arguments for '" + sub + "'. Try "
            + Bytes.str(c.argv[0]).toUpperCase(java.util.Locale.ROOT) + " HELP.");
    }

    // =====================================================================================
    // REPLY, NO-EVICT
    // =====================================================================================

    void reply(Client c) {
        byte[] a = c.argv[2];
        if (Bytes.equalsIgnoreCase(a, "on")) {
            c.flags &= ~(Client.F_REPLY_SKIP | Client.F_REPLY_OFF);
            c.addOk();
        } else if (Bytes.equalsIgnoreCase(a, "off")) {
            c.flags |= Client.F_REPLY_OFF;
        } else if (Bytes.equalsIgnoreCase(a, "skip")) {
            // The dispatcher turns SKIP_NEXT into SKIP once this command is done.
            if (!c.has(Client.F_REPLY_OFF)) c.flags |= Client.F_REPLY_SKIP_NEXT;
        } else {
            c.addError(Errors.SYNTAX);
        }
    }

    void noEvict(Client c) {
        byte[] a = c.argv[2];
        if (Bytes.equalsIgnoreCase(a, "on")) {
            c.flags |= Client.F_NO_EVICT;
            c.addOk();
        } else if (Bytes.equalsIgnoreCase(a, "off")) {
            c.flags &= ~Client.F_NO_EVICT;
            c.addOk();
        } else {
            c.addError(Errors.SYNTAX);
        }
    }
}
