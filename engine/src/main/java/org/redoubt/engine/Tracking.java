package org.redoubt.engine;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.redoubt.engine.command.CommandFlags;
import org.redoubt.engine.command.CommandSpec;
import org.redoubt.engine.util.ByteKey;

/**
 * Server-assisted client-side caching (Redis's tracking.c).
 *
 * <h2>Default mode</h2>
 * The keys read by a tracking client (a read-only command's key arguments) are remembered in
 * one table: key -> ids of the clients that may cache it. When a key is modified its entry is
 * dropped and each of those clients that still tracks gets one invalidation message: a RESP3
 * push {@code [invalidate, [key]]} on its own connection, or, with REDIRECT, a message on the
 * redirect target (a push in RESP3, a {@code __redis__:invalidate} pub/sub message for a RESP2
 * subscriber). Ids are not cleaned when a client stops tracking; stale ids are skipped when
 * their key is invalidated, as Redis does. tracking-table-max-keys bounds the table: keys are
 * invalidated early, with growing effort, when it is over the limit.
 *
 * <h2>Ordering</h2>
 * A message for the client whose command is running is held until that command (the whole
 * EXEC, the whole script) has replied, so that it never lands inside a reply.
 *
 * <h2>BCAST mode</h2>
 * No per-key memory: prefix -> clients; a modified key is recorded under every prefix it
 * starts with (with the client that modified it, for NOLOOP), and each prefix's keys go out
 * in one message per client, once per event-loop iteration (Redis's beforeSleep).
 *
 * <p>Engine thread only.
 */
public final class Tracking {
    public static final int BCAST = 1, OPTIN = 1 << 1, OPTOUT = 1 << 2, CACHING = 1 << 3, NOLOOP = 1 << 4,
        BROKEN_REDIR = 1 << 5;
    private static final byte[] INVALIDATE = "$10\r\ninvalidate\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] REDIR_BROKEN = "$21\r\ntracking-redir-broken\r\n".getBytes(StandardCharsets.US_ASCII);
    static final byte[] CHANNEL = "__redis__:invalidate".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NULL2 = "$-1\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NULL3 = "_\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final Client[] NO_CLIENTS = new Client[0];

    private final Engine engine;
    /** Default mode: key -> ids of the clients that read it. */
    private final HashMap<ByteKey, LongSet> table = new HashMap<>();
    private long totalItems;
    /** BCAST mode: prefix -> its clients and the keys modified in this loop iteration. */
    private final TreeMap<ByteKey, Bcast> prefixes = new TreeMap<>();
    /** Clients with tracking on. */
    private final LinkedHashSet<Client> clients = new LinkedHashSet<>();
    /** Invalidations held for the running client: keys, null for "everything" (a flush). */
    private final ArrayList<byte[]> pending = new ArrayList<>();
    private boolean broadcastScheduled;
    private final Runnable broadcastTask = this::broadcastInvalidations;
    private int limitEffortRounds;
    private final ByteKey.Probe probe = new ByteKey.Probe();
    private int[] keyPositions = new int[16];
    /** Commands whose reads are handled by the scripting module (set by PubSubCommands). */
    public CommandSpec evalRo, evalshaRo, fcallRo, clientContainer;

    /** A client's tracking options (null until it first turns tracking on). */
    public static final class State {
        public long redirect;
        public int opts;
        /** BCAST prefixes, sorted; null when none. */
        TreeSet<ByteKey> prefixes;
    }

    private static final class Bcast {
        final TreeMap<ByteKey, Client> keys = new TreeMap<>();
        final LinkedHashSet<Client> clients = new LinkedHashSet<>();
    }

    Tracking(Engine engine) {
        this.engine = engine;
    }

    public static State state(Client c) {
        State s = c.tracking;
        if (s == null) s = c.tracking = new State();
        return s;
    }

    public static int opts(Client c) { return c.tracking == null ? 0 : c.tracking.opts; }

    /** CLIENT LIST redir=: the redirection of a tracking client, -1 otherwise. */
    public static long redirection(Client c) {
        return c.has(Client.F_TRACKING) && c.tracking != null ? c.tracking.redirect : -1;
    }

    /** Whether anything is tracked at all (cheap test for the dispatcher's hooks). */
    public boolean active() { return !clients.isEmpty() || !pending.isEmpty(); }

    public int trackingClients() { return clients.size(); }

    public long totalKeys() { return table.size(); }

    public long totalItems() { return totalItems; }

    public int totalPrefixes() { return prefixes.size(); }

    /** BCAST prefixes of c, in order (CLIENT TRACKINGINFO). */
    public java.util.List<byte[]> prefixesOf(Client c) {
        java.util.List<byte[]> r = new ArrayList<>();
        if (c.tracking != null && c.tracking.prefixes != null) for (ByteKey k : c.tracking.prefixes) r.add(k.bytes());
        return r;
    }

    // =====================================================================================
    // Enabling and disabling
    // =====================================================================================

    /** Turns tracking on (again) with these options (BCAST, OPTIN, OPTOUT, NOLOOP) and prefixes. */
    public void enable(Client c, long redirect, int options, java.util.List<byte[]> newPrefixes) {
        State s = state(c);
        clients.add(c);
        c.flags |= Client.F_TRACKING;
        s.opts &= ~(BROKEN_REDIR | BCAST | OPTIN | OPTOUT | NOLOOP);
        s.redirect = redirect;
        if ((options & BCAST) != 0) {
            s.opts |= BCAST;
            if (newPrefixes.isEmpty()) addPrefix(c, s, new byte[0]);
            for (byte[] p : newPrefixes) addPrefix(c, s, p);
        }
        s.opts |= options & (OPTIN | OPTOUT | NOLOOP);
    }

    private void addPrefix(Client c, State s, byte[] prefix) {
        ByteKey k = new ByteKey(prefix);
        Bcast b = prefixes.get(k);
        if (b == null) prefixes.put(k, b = new Bcast());
        if (b.clients.add(c)) {
            if (s.prefixes == null) s.prefixes = new TreeSet<>();
            s.prefixes.add(k);
        }
    }

    /** Turns tracking off (CLIENT TRACKING OFF, RESET, connection closed). */
    public void disable(Client c) {
        State s = c.tracking;
        if (s != null && (s.opts & BCAST) != 0 && s.prefixes != null) {
            for (ByteKey k : s.prefixes) {
                Bcast b = prefixes.get(k);
                b.clients.remove(c);
                if (b.clients.isEmpty()) prefixes.remove(k);
            }
            s.prefixes = null;
        }
        if (c.has(Client.F_TRACKING)) {
            clients.remove(c);
            c.flags &= ~Client.F_TRACKING;
            if (s != null) s.opts &= ~(BROKEN_REDIR | BCAST | OPTIN | OPTOUT | CACHING | NOLOOP);
        }
    }

    /**
     * The error for prefixes that overlap (one is a prefix of another) among themselves or
     * with c's current ones, or null when they are fine.
     */
    public String prefixCollision(Client c, java.util.List<byte[]> newPrefixes) {
        TreeSet<ByteKey> existing = c.tracking == null ? null : c.tracking.prefixes;
        for (int i = 0; i < newPrefixes.size(); i++) {
            byte[] p = newPrefixes.get(i);
            if (existing != null) {
                for (ByteKey k : existing) {
                    if (overlap(k.bytes(), p)) {
                        return "ERR Prefix '" + str(p) + "' overlaps with an existing prefix '" + str(k.bytes())
                            + "'. Prefixes for a single client must not overlap.";
                    }
                }
            }
            for (int j = i + 1; j < newPrefixes.size(); j++) {
                if (overlap(p, newPrefixes.get(j))) {
                    return "ERR Prefix '" + str(p) + "' overlaps with another provided prefix '" + str(newPrefixes.get(j))
                        + "'. Prefixes for a single client must not overlap.";
                }
            }
        }
        return null;
    }

    private static boolean overlap(byte[] a, byte[] b) {
        int n = Math.min(a.length, b.length);
        return Arrays.equals(a, 0, n, b, 0, n);
    }

    private static String str(byte[] b) {
        // Redis formats with %s: the text stops at a NUL byte.
        int n = 0;
        while (n < b.length && b[n] != 0) n++;
        return new String(b, 0, n, StandardCharsets.UTF_8);
    }

    // =====================================================================================
    // Remembering reads
    // =====================================================================================

    /**
     * After a read-only command of a tracking client: remember its keys for that client
     * (unless OPTIN without CACHING yes, or OPTOUT with CACHING no). Key positions come from
     * cmd's key specs over argv.
     */
    public void rememberKeys(Client c, CommandSpec cmd, byte[][] argv, int argc) {
        State s = c.tracking;
        if (s == null || (s.opts & BCAST) != 0) return;
        boolean caching = (s.opts & CACHING) != 0;
        if (((s.opts & OPTIN) != 0 && !caching) || ((s.opts & OPTOUT) != 0 && caching)) return;
        // Shard channels look like keys to COMMAND but are no cacheable data.
        if (cmd.has(CommandFlags.PUBSUB)) return;
        if (keyPositions.length < argc) keyPositions = new int[Math.max(argc, keyPositions.length * 2)];
        int n = cmd.getKeys(argv, argc, keyPositions);
        for (int j = 0; j < n; j++) {
            byte[] key = argv[keyPositions[j]];
            LongSet ids = table.get(probe.of(key));
            if (ids == null) table.put(new ByteKey(key), ids = new LongSet());
            if (ids.add(c.id)) totalItems++;
        }
    }

    /** The dispatcher's hook after a command ran: remember what a tracking client read. */
    void afterCall(Client c, CommandSpec cmd) {
        if (cmd == evalRo || cmd == evalshaRo || cmd == fcallRo) return;
        Client caller = c.has(Client.F_SCRIPT) && engine.scriptCaller != null ? engine.scriptCaller : c;
        if (!caller.has(Client.F_TRACKING)) return;
        if (caller == c) rememberKeys(c, cmd, c.argv, c.argc);
        else if (caller.cmd != null) rememberKeys(caller, caller.cmd, caller.argv, caller.argc);
    }

    /**
     * The dispatcher's hook once a client's command is complete: CLIENT CACHING applies to
     * one command (or transaction) only, and held invalidations go out after the reply.
     */
    public void afterCommand(Client c) {
        State s = c.tracking;
        // A held command (paused, blocked) has not run yet: CACHING still applies to it.
        if (s != null && (s.opts & CACHING) != 0 && !c.has(Client.F_MULTI | Client.F_PAUSED | Client.F_BLOCKED)
            && (c.cmd == null || c.cmd.parent != clientContainer)) {
            s.opts &= ~CACHING;
        }
        if (!pending.isEmpty()) {
            for (int i = 0; i < pending.size(); i++) {
                byte[] key = pending.get(i);
                if (key != null) sendKey(c, key);
                else sendNull(c);
            }
            pending.clear();
        }
        if (broadcastScheduled && engine.loop == null) broadcastInvalidations();
    }

    // =====================================================================================
    // Invalidation
    // =====================================================================================

    /** A key listener: key was modified by {@link Engine#keyModifier}. */
    public void keyModified(org.redoubt.engine.db.Db db, byte[] key) {
        invalidateKey(engine.keyModifier, key, true);
    }

    /**
     * key was modified (by {@code by}, null for expiry or eviction): every client that may
     * cache it is told, and the key is forgotten. With bcast the key is also recorded for the
     * BCAST prefixes it starts with.
     */
    void invalidateKey(Client by, byte[] key, boolean bcast) {
        if (bcast && !prefixes.isEmpty()) rememberKeyToBroadcast(by, key);
        if (table.isEmpty()) return;
        LongSet ids = table.remove(probe.of(key));
        if (ids == null) return;
        totalItems -= ids.size;
        Client current = engine.currentClient;
        long[] slots = ids.slots;
        for (int i = 0; i < slots.length; i++) {
            long id = slots[i];
            if (id == 0) continue;
            Client target = lookup(id);
            if (target == null || !target.has(Client.F_TRACKING) || (opts(target) & BCAST) != 0) continue;
            // NOLOOP: no news about the client's own writes (of the running command's client).
            if ((opts(target) & NOLOOP) != 0 && target == current) continue;
            if (target == current && engine.callDepth > 0) pending.add(key);
            else sendKey(target, key);
        }
    }

    private Client lookup(long id) {
        return engine.clients.get(id);
    }

    private void rememberKeyToBroadcast(Client by, byte[] key) {
        ByteKey k = null;
        for (Map.Entry<ByteKey, Bcast> e : prefixes.entrySet()) {
            byte[] p = e.getKey().bytes();
            if (p.length > key.length || !Arrays.equals(p, 0, p.length, key, 0, p.length)) continue;
            if (k == null) k = new ByteKey(key);
            e.getValue().keys.put(k, by);
        }
        if (k != null && !broadcastScheduled) {
            broadcastScheduled = true;
            if (engine.loop != null) engine.loop.execute(broadcastTask);
        }
    }

    /** FLUSHDB / FLUSHALL: every tracking client drops its whole cache; the table is emptied. */
    void invalidateOnFlush() {
        if (!clients.isEmpty()) {
            Client current = engine.currentClient;
            for (Client c : clients.toArray(NO_CLIENTS)) {
                if (c == current) pending.add(null);
                else sendNull(c);
            }
        }
        table.clear();
        totalItems = 0;
    }

    /**
     * Keeps the table within tracking-table-max-keys by invalidating keys early; each call
     * that finds the table still over the limit tries harder next time (Redis's effort).
     */
    public void limitUsedSlots() {
        long max = engine.config.trackingTableMaxKeys;
        if (max <= 0 || table.size() <= max) {
            limitEffortRounds = 0;
            return;
        }
        int effort = 100 * (limitEffortRounds + 1);
        int evict = (int) Math.min(effort, table.size() - max);
        byte[][] victims = new byte[evict][];
        Iterator<ByteKey> it = table.keySet().iterator();
        for (int i = 0; i < evict; i++) victims[i] = it.next().bytes();
        for (byte[] k : victims) invalidateKey(null, k, false);
        if (table.size() <= max) limitEffortRounds = 0;
        else limitEffortRounds++;
    }

    /** Sends each BCAST prefix's modified keys to its clients (Redis's beforeSleep step). */
    public void broadcastInvalidations() {
        broadcastScheduled = false;
        for (Bcast b : prefixes.values()) {
            if (b.keys.isEmpty()) continue;
            byte[] all = null;
            for (Client c : b.clients.toArray(NO_CLIENTS)) {
                if ((opts(c) & NOLOOP) != 0) {
                    byte[] mine = encodeKeys(b.keys, c);
                    if (mine != null) sendEncoded(c, mine);
                } else {
                    if (all == null) all = encodeKeys(b.keys, null);
                    sendEncoded(c, all);
                }
            }
            b.keys.clear();
        }
    }

    /** The keys as a RESP array, without those last modified by {@code except} (null: all). */
    private static byte[] encodeKeys(TreeMap<ByteKey, Client> keys, Client except) {
        int count = 0;
        for (Map.Entry<ByteKey, Client> e : keys.entrySet()) if (except == null || e.getValue() != except) count++;
        if (count == 0) return null;
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(16 + count * 16);
        writeAscii(out, "*" + count + "\r\n");
        for (Map.Entry<ByteKey, Client> e : keys.entrySet()) {
            if (except != null && e.getValue() == except) continue;
            byte[] k = e.getKey().bytes();
            writeAscii(out, "$" + k.length + "\r\n");
            out.write(k, 0, k.length);
            writeAscii(out, "\r\n");
        }
        return out.toByteArray();
    }

    private static void writeAscii(java.io.ByteArrayOutputStream out, String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        out.write(b, 0, b.length);
    }

    // =====================================================================================
    // Messages
    // =====================================================================================

    private void sendKey(Client c, byte[] key) {
        Client target = destination(c);
        if (target == null) return;
        int old = target.flags;
        target.flags |= Client.F_PUSHING;
        if (target.resp > 2) {
            target.addPushLen(2);
            target.addRaw(INVALIDATE);
            target.addArrayLen(1);
            target.addBulk(key);
        } else {
            PubSub.messageHeader(target, CHANNEL);
            target.addArrayLen(1);
            target.addBulk(key);
        }
        if ((old & Client.F_PUSHING) == 0) target.flags &= ~Client.F_PUSHING;
    }

    /** "Everything is invalid": a null as the key list (null in c's own protocol). */
    private void sendNull(Client c) {
        sendEncoded(c, c.resp > 2 ? NULL3 : NULL2);
    }

    private void sendEncoded(Client c, byte[] encoded) {
        Client target = destination(c);
        if (target == null) return;
        int old = target.flags;
        target.flags |= Client.F_PUSHING;
        if (target.resp > 2) {
            target.addPushLen(2);
            target.addRaw(INVALIDATE);
            target.addRaw(encoded);
        } else {
            PubSub.messageHeader(target, CHANNEL);
            target.addRaw(encoded);
        }
        if ((old & Client.F_PUSHING) == 0) target.flags &= ~Client.F_PUSHING;
    }

    /**
     * Where c's invalidations go: c itself in RESP3, its redirect target when that is RESP3 or
     * a RESP2 subscriber; null when they cannot be delivered. A redirect to a client that is
     * gone marks c's redirection broken and tells c (in RESP3).
     */
    private Client destination(Client c) {
        State s = c.tracking;
        if (s != null && s.redirect != 0) {
            Client redir = engine.clients.get(s.redirect);
            if (redir == null) {
                s.opts |= BROKEN_REDIR;
                if (c.resp > 2) {
                    int old = c.flags;
                    c.flags |= Client.F_PUSHING;
                    c.addPushLen(2);
                    c.addRaw(REDIR_BROKEN);
                    c.addLong(s.redirect);
                    if ((old & Client.F_PUSHING) == 0) c.flags &= ~Client.F_PUSHING;
                }
                return null;
            }
            if (redir.resp > 2 || redir.has(Client.F_PUBSUB)) return redir;
            return null;
        }
        return c.resp > 2 ? c : null;
    }

    // =====================================================================================
    // A set of client ids (open addressing; ids are never 0)
    // =====================================================================================

    static final class LongSet {
        long[] slots = new long[4];
        int size;

        boolean add(long id) {
            if ((size + 1) * 4 > slots.length * 3) grow();
            int mask = slots.length - 1;
            int i = (int) mix(id) & mask;
            while (slots[i] != 0) {
                if (slots[i] == id) return false;
                i = (i + 1) & mask;
            }
            slots[i] = id;
            size++;
            return true;
        }

        private void grow() {
            long[] old = slots;
            slots = new long[old.length * 2];
            int mask = slots.length - 1;
            for (long id : old) {
                if (id == 0) continue;
                int i = (int) mix(id) & mask;
                while (slots[i] != 0) i = (i + 1) & mask;
                slots[i] = id;
            }
        }

        private static long mix(long x) {
            x ^= x >>> 33;
            x *= 0xff51afd7ed558ccdL;
            return x ^ (x >>> 33);
        }
    }
}
