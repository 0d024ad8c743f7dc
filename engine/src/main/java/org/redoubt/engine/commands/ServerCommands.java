package org.redoubt.engine.commands;

import java.time.Instant;
import org.redoubt.engine.Client;
import org.redoubt.engine.CommandFamily;
import org.redoubt.engine.Engine;
import org.redoubt.engine.Errors;
import org.redoubt.engine.command.CommandTable;
import org.redoubt.engine.info.InfoGenerator;
import org.redoubt.engine.info.ServerInfo;
import org.redoubt.engine.util.Bytes;
import org.redoubt.protocol.Numbers;

/**
 * Server-level commands: INFO, TIME, ROLE, MONITOR, SHUTDOWN and LOLWUT. COMMAND, DEBUG and the
 * SLOWLOG/LATENCY/MEMORY diagnostics live in {@link CommandCommand}, {@link DebugCommand} and
 * {@link IntrospectionCommands}; the text of INFO is built by {@link InfoGenerator}.
 */
public final class ServerCommands implements CommandFamily {
    static final String SHUTDOWN_FAILED = "ERR Errors trying to SHUTDOWN. Check logs.";

    @Override
    public void register(CommandTable t, Engine e) {
        t.bind("info", this::info);
        t.bind("time", this::time);
        t.bind("role", this::role);
        t.bind("monitor", this::monitor);
        t.bind("shutdown", this::shutdown);
        t.bind("lolwut", this::lolwut);
        ServerInfo si = ServerInfo.of(e);
        // Redis samples the memory peak in its cron; INFO and MEMORY STATS also raise it.
        e.cronTasks.add(() -> si.samplePeak(e.nowMs()));
    }

    // ---------------------------------------------------------------- INFO

    void info(Client c) {
        c.addVerbatim(InfoGenerator.generate(c.engine, c.argv, 1, c.argc));
    }

    // ---------------------------------------------------------------- TIME

    void time(Client c) {
        Instant now = Instant.now();
        c.addArrayLen(2);
        c.addBulkLong(now.getEpochSecond());
        c.addBulkLong(now.getNano() / 1000);
    }

    // ---------------------------------------------------------------- ROLE

    /**
     * ROLE as a master without replicas (or a replica not connected yet). The replication
     * module replaces this binding when it lands.
     */
    void role(Client c) {
        if (c.engine.config.replicaofHost == null) {
            c.addArrayLen(3);
            c.addBulk(MASTER);
            c.addLong(0);
            c.addArrayLen(0);
        } else {
            c.addArrayLen(5);
            c.addBulk(SLAVE);
            c.addBulk(c.engine.config.replicaofHost);
            c.addLong(c.engine.config.replicaofPort);
            c.addBulk(CONNECT);
            c.addLong(-1);
        }
    }

    private static final byte[] MASTER = Bytes.of("master"), SLAVE = Bytes.of("slave"), CONNECT = Bytes.of("connect");

    // ---------------------------------------------------------------- MONITOR

    void monitor(Client c) {
        if (c.has(Client.F_MULTI)) {
            c.addError("ERR MONITOR isn't allowed for DENY BLOCKING client");
            return;
        }
        // A replica, or a client already monitoring, gets no reply at all (as Redis).
        if (c.has(Client.F_REPLICA) || c.has(Client.F_MONITOR)) return;
        c.flags |= Client.F_MONITOR;
        c.engine.monitors.add(c);
        c.addOk();
    }

    // ---------------------------------------------------------------- SHUTDOWN

    void shutdown(Client c) {
        int flags = Engine.SHUTDOWN_DEFAULT;
        boolean abort = false;
        for (int i = 1; i < c.argc; i++) {
            byte[] a = c.argv[i];
            if (Bytes.equalsIgnoreCase(a, "nosave")) flags |= Engine.SHUTDOWN_NOSAVE;
            else if (Bytes.equalsIgnoreCase(a, "save")) flags |= Engine.SHUTDOWN_SAVE;
            else if (Bytes.equalsIgnoreCase(a, "now")) flags |= Engine.SHUTDOWN_NOW;
            else if (Bytes.equalsIgnoreCase(a, "force")) flags |= Engine.SHUTDOWN_FORCE;
            else if (Bytes.equalsIgnoreCase(a, "abort")) abort = true;
            else {
                c.addError(Errors.SYNTAX);
                return;
            }
        }
        if ((abort && flags != Engine.SHUTDOWN_DEFAULT)
            || ((flags & Engine.SHUTDOWN_NOSAVE) != 0 && (flags & Engine.SHUTDOWN_SAVE) != 0)) {
            c.addError(Errors.SYNTAX);
            return;
        }
        if (abort) {
            // Shutdown here is never deferred (no waiting for replicas), so nothing can be aborted.
            c.addError("ERR No shutdown in progress.");
            return;
        }
        if ((flags & Engine.SHUTDOWN_NOW) == 0 && c.has(Client.F_MULTI)) {
            c.addError("ERR SHUTDOWN without NOW or ABORT isn't allowed for DENY BLOCKING client");
            return;
        }
        // While loading, never save a half-loaded dataset over the file on disk.
        if (c.engine.loading) flags = (flags & ~Engine.SHUTDOWN_SAVE) | Engine.SHUTDOWN_NOSAVE;
        if (!c.engine.requestShutdown(flags)) c.addError(SHUTDOWN_FAILED);
        // On success the process exits: like Redis, the client gets no reply, only EOF.
    }

    // ---------------------------------------------------------------- LOLWUT

    /**
     * LOLWUT [VERSION v]: Redoubt's own piece (a redoubt, the small square fort), followed by the
     * version line clients look for. The art changes with the version asked for.
     */
    void lolwut(Client c) {
        long version = 7;
        int i = 1;
        if (c.argc >= 3 && Bytes.equalsIgnoreCase(c.argv[1], "version")) {
            byte[] v = c.argv[2];
            if (!Numbers.isLong(v, 0, v.length)) {
                c.addError(Errors.NOT_INTEGER);
                return;
            }
            version = Numbers.parseLong(v, 0, v.length);
            i = 3;
        }
        int size = 3;
        if (i < c.argc) {
            byte[] v = c.argv[i];
            if (Numbers.isLong(v, 0, v.length)) {
                long n = Numbers.parseLong(v, 0, v.length);
                size = (int) Math.max(1, Math.min(8, n));
            }
        }
        StringBuilder sb = new StringBuilder();
        art(sb, size, (int) Math.floorMod(version, 4));
        sb.append("\nRedoubt ver. ").append(ServerInfo.REDOUBT_VERSION)
            .append(" - Redis ver. ").append(ServerInfo.REDIS_VERSION).append('\n');
        c.addVerbatim(sb.toString());
    }

    /** A square fort seen from above: walls of '#', a bastion at each corner, a gate south. */
    static void art(StringBuilder sb, int size, int style) {
        char wall = "#=%@".charAt(style);
        int w = 4 * size + 5, h = 2 * size + 3;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                boolean cornerX = x < 3 || x >= w - 3, cornerY = y < 2 || y >= h - 2;
                char ch;
                if (cornerX && cornerY) ch = '^';
                else if (y == 0 || y == h - 1 || x == 0 || x == w - 1) ch = wall;
                else if (y == h / 2 && x == w / 2) ch = '*';
                else ch = ' ';
                if (y == h - 1 && Math.abs(x - w / 2) <= 1) ch = ' ';
                sb.append(ch);
            }
            sb.append('\n');
        }
    }
}
