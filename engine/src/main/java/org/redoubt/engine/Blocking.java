package org.redoubt.engine;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.redoubt.engine.command.CommandFlags;
import org.redoubt.engine.command.CommandSpec;
import org.redoubt.engine.db.CowMap;
import org.redoubt.engine.db.Db;
import org.redoubt.protocol.Numbers;

/**
 * Blocking operations on keys (BLPOP and friends, BZPOPMIN, XREAD BLOCK...), as Redis's
 * blocked.c: a command that finds nothing to serve calls {@link #block}; the client then stops
 * being parsed ({@link Client#F_BLOCKED}) until a key it waits for is written, its timeout
 * passes, CLIENT UNBLOCK releases it, or it disconnects.
 *
 * <h2>Readiness and serving</h2>
 * Every key modification reaches {@link Engine#signalModifiedKey}; while some client is blocked
 * (and only then, so idle servers pay nothing) this class listens there and queues each written
 * key that has waiters, at most once until it is served, as Redis's db->ready_keys. SWAPDB,
 * which changes contents without per-key writes, queues every waited-for key of both databases
 * ({@link #signalDb}). {@link #afterCommand}, called by the engine after each
 * top-level command (so after a whole MULTI/EXEC or script), serves the queued keys: for each,
 * the clients blocked on it are offered the key first-blocked-first-served
 * ({@link BlockedCommand#tryServe}) until one leaves it deleted. Serving may write other keys
 * (BLMOVE pushes), which are queued and served in the same call, as handleClientsBlockedOnKeys.
 *
 * <h2>After a client is served</h2>
 * The engine accounts the command as Redis's updateStatsOnUnblock does (duration, failed call,
 * latency histogram, slowlog with the arguments as sent), hands the rewritten non-blocking form
 * (tryServe replaces {@code c.argv}, e.g. BLPOP to LPOP) to the propagation listeners, resets the
 * client's argument vector (so the front end's resume finds no pending command) and resumes its
 * input parsing through {@link ClientIO#resume} once the serving loop is done.
 *
 * <p>Engine thread only.
 */
public final class Blocking {
    /** The blocking command's side: how to serve a blocked client, and what to reply on timeout. */
    public interface BlockedCommand {
        /**
         * key (in db, the client's database) was written and may have data for c, whose argv is
         * still the blocking command. Serve it: reply (or reply an error) and return true, and
         * replace c.argv with the form to propagate when the dataset changed; or return false,
         * having replied nothing, to keep waiting. Must not block again.
         */
        boolean tryServe(Client c, Db db, byte[] key);

        /** The reply when the timeout passes or CLIENT UNBLOCK [TIMEOUT]: a null array by default. */
        default void timedOut(Client c) {
            c.addNullArray();
        }

        /** Whether tryServe must also be offered a key that no longer exists (XREADGROUP's NOGROUP case). */
        default boolean servesAbsentKey() {
            return false;
        }
    }

    /** A waited-for key: database id and key bytes. Mutable only for the reusable probe. */
    private static final class KeyRef {
        int db;
        byte[] key;
        int hash;

        KeyRef(int db, byte[] key) {
            set(db, key);
        }

        void set(int db, byte[] key) {
            this.db = db;
            this.key = key;
            this.hash = CowMap.hash(key) * 31 + db;
        }

        @Override
        public int hashCode() { return hash; }

        @Override
        public boolean equals(Object o) {
            return o instanceof KeyRef k && k.hash == hash && k.db == db && Arrays.equals(k.key, key);
        }
    }

    private static final class Waiter {
        final Client c;
        final Db db;
        final KeyRef[] keys;
        final long deadlineMs;
        final BlockedCommand cmd;
        final CommandSpec spec;
        /** The command as sent (the identity tells whether tryServe rewrote c.argv). */
        final byte[][] argv;
        final int argc;
        ScheduledFuture<?> timer;
        boolean active = true;

        Waiter(Client c, KeyRef[] keys, long deadlineMs, BlockedCommand cmd) {
            this.c = c;
            this.db = c.db;
            this.keys = keys;
            this.deadlineMs = deadlineMs;
            this.cmd = cmd;
            this.spec = c.cmd;
            this.argv = c.argv;
            this.argc = c.argc;
        }
    }

    /** Returned by {@link #parseTimeout} when it replied an error. */
    public static final long INVALID = -1;
    private static final byte[][] NO_ARGS = new byte[0][];
    private static final Waiter[] NO_WAITERS = new Waiter[0];

    private final Engine engine;
    private final HashMap<KeyRef, LinkedHashSet<Waiter>> byKey = new HashMap<>();
    private final IdentityHashMap<Client, Waiter> byClient = new IdentityHashMap<>();
    private ArrayList<KeyRef> ready = new ArrayList<>();
    private ArrayList<KeyRef> spare = new ArrayList<>();
    private final HashSet<KeyRef> readySet = new HashSet<>();
    private final ArrayDeque<Client> toResume = new ArrayDeque<>();
    private final KeyRef probe = new KeyRef(0, new byte[0]);
    private final Engine.KeyListener listener = this::signalKeyAsReady;
    private boolean listening, serving, resuming;

    public Blocking(Engine engine) {
        this.engine = engine;
        engine.clientHooks.add(this::clientClosed);
        engine.cronTasks.add(this::expireTimeouts);
    }

    // =====================================================================================
    // Introspection
    // =====================================================================================

    /** Clients blocked on keys (INFO blocked_clients counts every F_BLOCKED client). */
    public int blockedClients() { return byClient.size(); }

    /** Distinct keys with at least one blocked client (INFO total_blocking_keys). */
    public int totalBlockingKeys() { return byKey.size(); }

    public boolean isBlocked(Client c) { return byClient.containsKey(c); }

    // =====================================================================================
    // Blocking
    // =====================================================================================

    /**
     * Whether c may block now: not inside MULTI/EXEC, a script or the AOF loader, which set
     * {@link Client#F_DENY_BLOCKING} (there a blocking command answers as if it timed out).
     */
    public boolean mayBlock(Client c) {
        return (c.flags & Client.F_DENY_BLOCKING) == 0;
    }

    /**
     * Redis's getTimeoutFromObjectOrReply: the absolute deadline (unix ms) for a timeout
     * argument, 0 for "forever", or {@link #INVALID} after replying the error. In seconds
     * (BLPOP...: a float, millisecond precision, rounded up) or milliseconds (XREAD BLOCK: an
     * integer).
     */
    public static long parseTimeout(Client c, byte[] arg, boolean seconds) {
        long ms;
        if (seconds) {
            ms = secondsToMs(arg);
            if (ms == INVALID_FLOAT) {
                c.addError("ERR timeout is not a float or out of range");
                return INVALID;
            }
        } else {
            ms = Numbers.parseLong(arg);
            if (ms == Numbers.NOT_A_LONG && !Numbers.isLong(arg)) {
                c.addError("ERR timeout is not an integer or out of range");
                return INVALID;
            }
        }
        if (ms < 0) {
            c.addError(Errors.TIMEOUT_NEGATIVE);
            return INVALID;
        }
        // As Redis, a deadline past the end of time wraps and simply expires at once.
        return ms == 0 ? 0 : ms + System.currentTimeMillis();
    }

    private static final long INVALID_FLOAT = Long.MIN_VALUE + 1;

    /**
     * ceil(seconds * 1000) as Redis computes it in long double, then converted to a long long; a
     * value outside the long range converts to LLONG_MIN on x86-64, which Redis then reports as
     * a negative timeout.
     */
    private static long secondsToMs(byte[] arg) {
        long l = Numbers.parseLong(arg);
        if (l != Numbers.NOT_A_LONG || Numbers.isLong(arg)) {
            if (l > Long.MAX_VALUE / 1000 || l < Long.MIN_VALUE / 1000) return Long.MIN_VALUE;
            return l * 1000;
        }
        double d = Numbers.parseDouble(arg);
        if (Double.isNaN(d)) {
            // Valid for strtold but not for strtod: beyond the double range, or a subnormal.
            Numbers.LongDouble ld = Numbers.LongDouble.parse(arg);
            if (ld == null) return INVALID_FLOAT;
            d = ld.toDouble();
            if (d == 0) return ld.toBigDecimal().signum() > 0 ? 1 : 0;
        }
        double x = Math.ceil(d * 1000.0);
        if (!(x < 9.223372036854775807E18) || !(x >= -9.223372036854775808E18)) return Long.MIN_VALUE;
        return (long) x;
    }

    /**
     * Blocks c (which has not replied) on keys of its current database until one is served by
     * cmd, the deadline passes (absolute unix ms from {@link #parseTimeout}; 0 = never), CLIENT
     * UNBLOCK, or disconnection. Duplicate keys count once. With no keys, only the timeout or
     * {@link #unblockClient} end the wait.
     */
    public void block(Client c, byte[][] keys, long deadlineMs, BlockedCommand cmd) {
        block(c, keys, 0, keys.length, deadlineMs, cmd);
    }

    /** {@link #block} on keys[from, to). */
    public void block(Client c, byte[][] keys, int from, int to, long deadlineMs, BlockedCommand cmd) {
        KeyRef[] refs = new KeyRef[to - from];
        int n = 0;
        for (int j = from; j < to; j++) {
            KeyRef r = new KeyRef(c.db.id, keys[j]);
            boolean dup = false;
            for (int k = 0; k < n && !dup; k++) dup = refs[k].equals(r);
            if (!dup) refs[n++] = r;
        }
        if (n != refs.length) refs = Arrays.copyOf(refs, n);
        Waiter w = new Waiter(c, refs, deadlineMs, cmd);
        for (KeyRef r : refs) {
            LinkedHashSet<Waiter> set = byKey.get(r);
            if (set == null) byKey.put(r, set = new LinkedHashSet<>());
            set.add(w);
        }
        byClient.put(c, w);
        c.flags |= Client.F_BLOCKED;
        c.blockedUntilMs = deadlineMs;
        engine.stats.totalBlockingKeys = byKey.size();
        if (!listening) {
            engine.keyListeners.add(listener);
            listening = true;
        }
        if (deadlineMs != 0 && engine.loop != null) schedule(w);
    }

    private void schedule(Waiter w) {
        // Redis times a client out once now > deadline.
        long delay = Math.max(0, w.deadlineMs + 1 - System.currentTimeMillis());
        w.timer = engine.loop.schedule(() -> timerFired(w), delay, TimeUnit.MILLISECONDS);
    }

    private void timerFired(Waiter w) {
        if (!w.active) return;
        if (System.currentTimeMillis() <= w.deadlineMs) {
            schedule(w);
            return;
        }
        timeOut(w);
        drainResumes();
    }

    private void timeOut(Waiter w) {
        engine.updateClock();
        w.cmd.timedOut(w.c);
        unblock(w);
    }

    /**
     * Times out every client whose deadline has passed (the engine's cron calls it as a safety
     * net for the per-client timers; engines without an event loop rely on it alone).
     */
    public void expireTimeouts() {
        if (byClient.isEmpty()) return;
        long now = System.currentTimeMillis();
        ArrayList<Waiter> due = null;
        for (Waiter w : byClient.values()) {
            if (w.deadlineMs != 0 && w.deadlineMs < now) {
                if (due == null) due = new ArrayList<>();
                due.add(w);
            }
        }
        if (due == null) return;
        for (Waiter w : due) if (w.active) timeOut(w);
        drainResumes();
    }

    // =====================================================================================
    // Readiness
    // =====================================================================================

    /**
     * Queues key for serving if some client waits for it (Redis's signalKeyAsReady). Called for
     * every key modification while clients are blocked; cheap when the key has no waiters.
     */
    public void signalKeyAsReady(Db db, byte[] key) {
        if (byKey.isEmpty()) return;
        probe.set(db.id, key);
        if (!byKey.containsKey(probe) || readySet.contains(probe)) return;
        KeyRef r = new KeyRef(db.id, key);
        readySet.add(r);
        ready.add(r);
    }

    /**
     * Queues every key of db that clients wait for (Redis's scanDatabaseForReadyKeys), for
     * SWAPDB: the contents changed under the waiters without per-key writes. Keys that turn out
     * absent (or expired) when served are skipped.
     */
    public void signalDb(Db db) {
        if (byKey.isEmpty()) return;
        for (KeyRef r : byKey.keySet()) {
            if (r.db == db.id && readySet.add(r)) ready.add(r);
        }
    }

    /** Whether {@link #afterCommand} has anything to do. */
    public boolean hasWork() {
        return !ready.isEmpty() || !toResume.isEmpty();
    }

    /**
     * Serves the clients blocked on keys written by the command that just ran, then resumes the
     * clients unblocked meanwhile. Called by the engine after every top-level command.
     */
    public void afterCommand() {
        if (!ready.isEmpty() && !serving) serveReadyKeys();
        drainResumes();
    }

    private void serveReadyKeys() {
        serving = true;
        try {
            while (!ready.isEmpty()) {
                ArrayList<KeyRef> batch = ready;
                ready = spare;
                for (int i = 0; i < batch.size(); i++) {
                    KeyRef r = batch.get(i);
                    readySet.remove(r);
                    LinkedHashSet<Waiter> set = byKey.get(r);
                    if (set == null) continue;
                    // A fixed clock per key, as Redis's fixed_time_expire around serving.
                    engine.updateClock();
                    Db db = engine.db(r.db);
                    boolean present = db.lookupNoTouch(r.key) != null;
                    Waiter[] ws = set.toArray(NO_WAITERS);
                    for (Waiter w : ws) {
                        if (!w.active) continue;
                        if (!present && !w.cmd.servesAbsentKey()) continue;
                        if (serve(w, db, r.key)) present = db.mainMap().get(r.key) != null;
                    }
                }
                batch.clear();
                spare = batch;
            }
        } finally {
            serving = false;
        }
    }

    private boolean serve(Waiter w, Db db, byte[] key) {
        Client c = w.c;
        c.errorsThisCommand = 0;
        long t0 = System.nanoTime();
        Client prev = engine.currentClient;
        engine.currentClient = c;
        // Served as a command of c: invalidations of keys c itself tracks and this serving
        // modifies (BLMOVE's destination) are held until after its reply, as in a call.
        engine.callDepth++;
        boolean served;
        try {
            served = w.cmd.tryServe(c, db, key);
        } catch (RuntimeException e) {
            // A bug in a serving routine costs the waiter one error reply, never the server.
            org.slf4j.LoggerFactory.getLogger(Blocking.class).warn("Serving a blocked client failed", e);
            c.addError("ERR internal error while serving a blocked client: " + e.getClass().getSimpleName());
            served = true;
        } finally {
            engine.callDepth--;
            engine.currentClient = prev;
        }
        if (!served) return false;
        long us = (System.nanoTime() - t0) / 1000;
        accountUnblocked(w, us, c.errorsThisCommand > 0);
        if (c.argv != w.argv) propagate(c);
        unblock(w);
        if (engine.tracking.active()) engine.tracking.afterCommand(c);
        return true;
    }

    /** Redis's updateStatsOnUnblock. */
    private void accountUnblocked(Waiter w, long us, boolean failed) {
        CommandSpec spec = w.spec;
        if (spec == null) return;
        spec.microseconds += us;
        if (failed) spec.failedCalls++;
        if (engine.config.latencyTracking) engine.latency.recordCommand(spec, us);
        if (!spec.has(CommandFlags.SKIP_SLOWLOG)) engine.slowlog.maybeLog(engine, w.c, w.argv, w.argc, us);
    }

    private void propagate(Client c) {
        CommandSpec spec = engine.commands.lookup(c.argv[0]);
        if (spec == null) return;
        engine.propagatedWrites++;
        for (int i = 0; i < engine.writeListeners.size(); i++) engine.writeListeners.get(i).written(c, spec);
    }

    // =====================================================================================
    // Unblocking
    // =====================================================================================

    /** Forgets w and releases its client (which has replied); it resumes after the serving loop. */
    private void unblock(Waiter w) {
        detach(w);
        Client c = w.c;
        c.flags &= ~(Client.F_BLOCKED | Client.F_REPLY_SKIP);
        if (c.has(Client.F_REPLY_SKIP_NEXT)) c.flags = (c.flags & ~Client.F_REPLY_SKIP_NEXT) | Client.F_REPLY_SKIP;
        c.blockedUntilMs = 0;
        // The blocking command is complete: nothing is pending when the front end resumes it.
        c.argv = NO_ARGS;
        c.argc = 0;
        toResume.add(c);
    }

    private void detach(Waiter w) {
        w.active = false;
        byClient.remove(w.c);
        for (KeyRef r : w.keys) {
            LinkedHashSet<Waiter> set = byKey.get(r);
            if (set != null && set.remove(w) && set.isEmpty()) byKey.remove(r);
        }
        if (w.timer != null) {
            w.timer.cancel(false);
            w.timer = null;
        }
        engine.stats.totalBlockingKeys = byKey.size();
        if (byClient.isEmpty() && listening) {
            engine.keyListeners.remove(listener);
            listening = false;
            ready.clear();
            readySet.clear();
        }
    }

    /**
     * CLIENT UNBLOCK: releases the client with this id if it is blocked here, replying the
     * timeout reply or the UNBLOCKED error. False when no such client is blocked.
     */
    public boolean unblockClient(long id, boolean error) {
        Waiter w = null;
        for (Waiter x : byClient.values()) {
            if (x.c.id == id) {
                w = x;
                break;
            }
        }
        if (w == null) return false;
        if (error) w.c.addError("UNBLOCKED client unblocked via CLIENT UNBLOCK");
        else w.cmd.timedOut(w.c);
        // Redis counts an unblocked command as failed either way.
        accountUnblocked(w, 0, true);
        unblock(w);
        return true;
    }

    /**
     * Releases c after its owner replied by other means (e.g. a WAIT satisfied by replica
     * acknowledgements), with Redis's unblock accounting.
     */
    public void finish(Client c, boolean failed) {
        Waiter w = byClient.get(c);
        if (w == null) return;
        accountUnblocked(w, 0, failed);
        unblock(w);
        drainResumes();
    }

    private void clientClosed(Client c) {
        Waiter w = byClient.get(c);
        if (w != null) detach(w);
        toResume.remove(c);
    }

    /**
     * Lets every client released so far parse its pending input. Runs outside the serving loop;
     * commands run by a resumed client may serve and release more clients, which this loop
     * picks up (it is not re-entered).
     */
    private void drainResumes() {
        if (resuming || toResume.isEmpty()) return;
        resuming = true;
        try {
            Client c;
            while ((c = toResume.poll()) != null) {
                if (c.has(Client.F_BLOCKED) || engine.io == null || c.channel == null) continue;
                engine.io.resume(c);
            }
        } finally {
            resuming = false;
        }
    }
}
