package org.redoubt.persistence;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.redoubt.engine.Client;
import org.redoubt.engine.Engine;
import org.redoubt.engine.Errors;
import org.redoubt.engine.config.Notify;
import org.redoubt.engine.util.Bytes;
import org.redoubt.persistence.rdb.RdbWriter;
import org.redoubt.protocol.Numbers;

/**
 * MIGRATE host port key|"" destination-db timeout [COPY] [REPLACE] [AUTH password]
 * [AUTH2 username password] [KEYS key...] (cluster.c's migrateCommand): serializes the keys as
 * DUMP payloads, sends them as RESTORE commands over a connection cached per target, and deletes
 * them locally once the target acknowledged (unless COPY).
 *
 * <p>Like Redis, the transfer is synchronous on the engine thread, bounded by the timeout for
 * connecting and for every reply read. Connections are kept for reuse (at most 64) and closed by
 * the cron after 10 seconds unused; a socket error on a cached connection is retried once on a
 * fresh one unless it was a timeout.
 */
final class Migrate {
    private static final int CACHE_ITEMS = 64;
    private static final long CACHE_TTL_SECONDS = 10;

    private static final class Conn {
        final Socket socket;
        final InputStream in;
        final OutputStream out;
        long lastDbid = -1;
        long lastUseSec;

        Conn(Socket s) throws IOException {
            socket = s;
            in = s.getInputStream();
            out = s.getOutputStream();
        }

        void close() {
            try {
                socket.close();
            } catch (IOException ignored) {
                // Nothing to do: the connection is dropped either way.
            }
        }
    }

    private final Persistence p;
    private final Map<String, Conn> cache = new LinkedHashMap<>();

    Migrate(Persistence p) {
        this.p = p;
    }

    int cachedSockets() { return cache.size(); }

    /** migrateCloseTimedoutSockets (cron). */
    void closeIdle() {
        long now = System.currentTimeMillis() / 1000;
        for (Iterator<Conn> it = cache.values().iterator(); it.hasNext(); ) {
            Conn c = it.next();
            if (now - c.lastUseSec > CACHE_TTL_SECONDS) {
                c.close();
                it.remove();
            }
        }
    }

    private static String name(byte[] host, byte[] port) {
        return new String(host, StandardCharsets.UTF_8) + ":" + new String(port, StandardCharsets.UTF_8);
    }

    /** migrateGetSocket: a cached or new connection, or null after replying the error. */
    private Conn connect(Client c, byte[] host, byte[] port, long timeout) {
        String name = name(host, port);
        Conn cs = cache.get(name);
        if (cs != null) {
            cs.lastUseSec = System.currentTimeMillis() / 1000;
            return cs;
        }
        if (cache.size() == CACHE_ITEMS) {
            Iterator<Conn> it = cache.values().iterator();
            it.next().close();
            it.remove();
        }
        Socket s = new Socket();
        try {
            int portNum = (int) Numbers.parseLong(port);
            s.connect(new InetSocketAddress(new String(host, StandardCharsets.UTF_8), portNum), (int) Math.min(timeout, Integer.MAX_VALUE));
            s.setTcpNoDelay(true);
            cs = new Conn(s);
        } catch (IOException | RuntimeException e) {
            try {
                s.close();
            } catch (IOException ignored) {
                // Already failed.
            }
            c.addError("IOERR error or timeout connecting to the client");
            return null;
        }
        cs.lastUseSec = System.currentTimeMillis() / 1000;
        cache.put(name, cs);
        return cs;
    }

    private void closeSocket(byte[] host, byte[] port) {
        Conn cs = cache.remove(name(host, port));
        if (cs != null) cs.close();
    }

    private static void bulk(ByteArrayOutputStream b, byte[] s) {
        b.writeBytes(("$" + s.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
        b.writeBytes(s);
        b.writeBytes(CRLF);
    }

    private static final byte[] CRLF = {'\r', '\n'};
    private static final byte[] AUTH = Bytes.of("AUTH"), SELECT = Bytes.of("SELECT"), RESTORE = Bytes.of("RESTORE"),
        REPLACE = Bytes.of("REPLACE"), DEL = Bytes.of("DEL");

    /** connSyncReadLine: one reply line without CRLF; throws on timeout or EOF. */
    private static String readLine(Conn cs, long timeout) throws IOException {
        cs.socket.setSoTimeout((int) Math.min(timeout, Integer.MAX_VALUE));
        ByteArrayOutputStream line = new ByteArrayOutputStream(64);
        while (true) {
            int b = cs.in.read();
            if (b < 0) throw new IOException("connection closed");
            if (b == '\n') break;
            if (line.size() < 1024) line.write(b);
        }
        byte[] l = line.toByteArray();
        int n = l.length > 0 && l[l.length - 1] == '\r' ? l.length - 1 : l.length;
        return new String(l, 0, n, StandardCharsets.UTF_8);
    }

    void migrate(Client c) {
        Engine e = c.engine;
        boolean copy = false, replace = false;
        byte[] username = null, password = null;
        int firstKey = 3, numKeys = 1;
        for (int j = 6; j < c.argc; j++) {
            int moreargs = c.argc - 1 - j;
            byte[] a = c.argv[j];
            if (Bytes.equalsIgnoreCase(a, "copy")) {
                copy = true;
            } else if (Bytes.equalsIgnoreCase(a, "replace")) {
                replace = true;
            } else if (Bytes.equalsIgnoreCase(a, "auth")) {
                if (moreargs == 0) {
                    c.addError(Errors.SYNTAX);
                    return;
                }
                password = c.argv[++j];
                c.redactArgument(j);
            } else if (Bytes.equalsIgnoreCase(a, "auth2")) {
                if (moreargs < 2) {
                    c.addError(Errors.SYNTAX);
                    return;
                }
                username = c.argv[++j];
                c.redactArgument(j);
                password = c.argv[++j];
                c.redactArgument(j);
            } else if (Bytes.equalsIgnoreCase(a, "keys")) {
                if (c.argv[3].length != 0) {
                    c.addError("ERR When using MIGRATE KEYS option, the key argument must be set to the empty string");
                    return;
                }
                firstKey = j + 1;
                numKeys = c.argc - j - 1;
                break;
            } else {
                c.addError(Errors.SYNTAX);
                return;
            }
        }
        byte[] ta = c.argv[5], da = c.argv[4];
        if (!Numbers.isLong(ta) || !Numbers.isLong(da)) {
            c.addError(Errors.NOT_INTEGER);
            return;
        }
        long timeout = Numbers.parseLong(ta);
        long dbid = Numbers.parseLong(da);
        if (timeout <= 0) timeout = 1000;

        List<byte[]> keys = new ArrayList<>();
        List<Object> values = new ArrayList<>();
        for (int j = 0; j < numKeys; j++) {
            byte[] k = c.argv[firstKey + j];
            Object v = c.db.lookupRead(k);
            if (v != null) {
                keys.add(k);
                values.add(v);
            }
        }
        if (keys.isEmpty()) {
            c.addSimple("NOKEY");
            return;
        }
        byte[] host = c.argv[1], port = c.argv[2];
        boolean mayRetry = true;
        while (true) {
            boolean writeError = false;
            Conn cs = connect(c, host, port, timeout);
            if (cs == null) return;
            ByteArrayOutputStream cmd = new ByteArrayOutputStream();
            if (password != null) {
                cmd.writeBytes(("*" + (username != null ? 3 : 2) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                bulk(cmd, AUTH);
                if (username != null) bulk(cmd, username);
                bulk(cmd, password);
            }
            boolean select = cs.lastDbid != dbid;
            if (select) {
                cmd.writeBytes("*2\r\n".getBytes(StandardCharsets.US_ASCII));
                bulk(cmd, SELECT);
                bulk(cmd, Numbers.longToBytes(dbid));
            }
            List<byte[]> sentKeys = new ArrayList<>();
            long now = System.currentTimeMillis();
            for (int j = 0; j < keys.size(); j++) {
                byte[] k = keys.get(j);
                long ttl = 0;
                long expireAt = c.db.getExpire(k);
                if (expireAt != -1) {
                    ttl = expireAt - now;
                    if (ttl < 0) continue;
                    if (ttl < 1) ttl = 1;
                }
                byte[] payload;
                try {
                    payload = RdbWriter.dumpPayload(values.get(j), p.codecs, PersistenceCommands.saveContext(e),
                        e.config.rdbcompression);
                } catch (IOException ex) {
                    c.addError("ERR " + ex.getMessage());
                    return;
                }
                cmd.writeBytes(("*" + (replace ? 5 : 4) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                bulk(cmd, RESTORE);
                bulk(cmd, k);
                bulk(cmd, Numbers.longToBytes(ttl));
                bulk(cmd, payload);
                if (replace) bulk(cmd, REPLACE);
                sentKeys.add(k);
            }
            String authReply = null, selectReply = null;
            boolean socketError = false, timedOut = false;
            boolean errorFromTarget = false;
            List<byte[]> deleted = new ArrayList<>();
            int j = 0;
            try {
                try {
                    byte[] buf = cmd.toByteArray();
                    for (int pos = 0; pos < buf.length; pos += 64 * 1024) {
                        cs.out.write(buf, pos, Math.min(64 * 1024, buf.length - pos));
                    }
                    cs.out.flush();
                } catch (IOException ex) {
                    writeError = true;
                    throw ex;
                }
                if (password != null) authReply = readLine(cs, timeout);
                if (select) selectReply = readLine(cs, timeout);
            } catch (IOException ex) {
                timedOut = ex instanceof SocketTimeoutException;
                closeSocket(host, port);
                if (!timedOut && mayRetry) {
                    mayRetry = false;
                    continue;
                }
                c.addError("IOERR error or timeout " + (writeError ? "writing" : "reading") + " to target instance");
                return;
            }
            for (j = 0; j < sentKeys.size(); j++) {
                String reply;
                try {
                    reply = readLine(cs, timeout);
                } catch (IOException ex) {
                    socketError = true;
                    timedOut = ex instanceof SocketTimeoutException;
                    break;
                }
                boolean authErr = authReply != null && authReply.startsWith("-");
                boolean selErr = selectReply != null && selectReply.startsWith("-");
                if (authErr || selErr || reply.startsWith("-")) {
                    if (!errorFromTarget) {
                        cs.lastDbid = -1;
                        String err = authErr ? authReply : selErr ? selectReply : reply;
                        errorFromTarget = true;
                        c.addError("ERR Target instance replied with error: " + err.substring(1));
                    }
                } else if (!copy) {
                    byte[] k = sentKeys.get(j);
                    if (c.db.delete(k)) {
                        e.notify(Notify.GENERIC, "del", k, c.db.id);
                        e.dirty++;
                    }
                    deleted.add(k);
                }
            }
            if (!errorFromTarget && socketError && j == 0 && mayRetry && !timedOut) {
                closeSocket(host, port);
                mayRetry = false;
                continue;
            }
            if (socketError) closeSocket(host, port);
            if (!copy && !deleted.isEmpty()) {
                // Propagated as a DEL of the keys the target acknowledged.
                byte[][] v = new byte[deleted.size() + 1][];
                v[0] = DEL;
                for (int i = 0; i < deleted.size(); i++) v[i + 1] = deleted.get(i);
                c.argv = v;
                c.argc = v.length;
            }
            if (!errorFromTarget && socketError) {
                c.addError("IOERR error or timeout reading to target instance");
                return;
            }
            if (!errorFromTarget) {
                cs.lastDbid = dbid;
                c.addOk();
            }
            return;
        }
    }
}
