package org.redoubt.engine;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import org.redoubt.engine.command.CommandSpec;
import org.redoubt.engine.db.Db;
import org.redoubt.engine.util.ByteKey;

/**
 * Transactions (Redis's multi.c): the MULTI queue of each client, WATCH and EXEC.
 *
 * <h2>Queueing</h2>
 * While a client is in MULTI, {@link Engine#process} runs every check on a command and then,
 * instead of executing it, hands it to {@link #queue} (EXEC, DISCARD, MULTI, WATCH, QUIT and
 * RESET still run at once). A command refused by a check flags the transaction
 * ({@link Client#F_DIRTY_EXEC}) through {@link Engine#reject}, so that EXEC answers EXECABORT.
 * The parser reuses its argv array, so a queued command keeps a copy of it.
 *
 * <h2>WATCH</h2>
 * Each database has a table from key to the WATCHes on it; each client keeps its own list
 * of WATCHes. A signalled modification of a watched key marks every watcher
 * {@link Client#F_DIRTY_CAS} and drops its WATCHes (nothing more can change its fate). A key
 * that was already logically expired when it was WATCHed is remembered as such: its deletion
 * by expiry is no change, and EXEC does not fail because it is (still) expired. Any other
 * watched key that has logically expired by the time EXEC runs fails the EXEC, even if no
 * one deleted it yet.
 *
 * <h2>EXEC and propagation</h2>
 * EXEC runs each queued command through {@link Engine#call} (statistics, slowlog, MONITOR and
 * write listeners per command, as Redis) with {@link Engine#inExec} set. The write listeners
 * see each inner write; when at least one was propagated, EXEC ends with one more
 * {@code written(c, execCommand)} call so that AOF and replication can wrap what they got
 * since {@code inExec} went up in MULTI ... EXEC (Redis wraps only when more than one command
 * was propagated). EXEC itself is never propagated as a command.
 *
 * <p>Engine thread only.
 */
public final class Multi {
    static final String EXEC_WITHOUT = "ERR EXEC without MULTI";
    static final String EXECABORT = "EXECABORT Transaction discarded because of previous errors.";
    private static final byte[] QUEUED = "+QUEUED\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final Watch[] NO_WATCHES = new Watch[0];

    private final Engine engine;
    /** Per database id: watched key -> its WATCHes, oldest first. */
    private final HashMap<ByteKey, ArrayList<Watch>>[] watchedByDb;
    private final ByteKey.Probe probe = new ByteKey.Probe();
    private int watchCount;
    /** The commands that run at once inside MULTI instead of being queued (set by TxCommands). */
    public CommandSpec execCmd, discardCmd, multiCmd, watchCmd, quitCmd, resetCmd;

    /** One WATCH: a key of a database, for a client. */
    static final class Watch {
        final ByteKey key;
        final Db db;
        final Client client;
        /** The key was logically expired when it was watched. */
        boolean expired;

        Watch(ByteKey key, Db db, Client client, boolean expired) {
            this.key = key;
            this.db = db;
            this.client = client;
            this.expired = expired;
        }
    }

    /** A client's transaction state: the queued commands and its WATCHes. */
    public static final class State {
        CommandSpec[] cmds = new CommandSpec[2];
        byte[][][] argvs = new byte[2][][];
        int count;
        /** OR of the queued commands' flags, and of their complements (Redis's cmd_inv_flags). */
        public int cmdFlags, cmdInvFlags;
        /** Bytes held by queued arguments (multi-mem in CLIENT LIST). */
        public long argvBytes;
        final ArrayList<Watch> watched = new ArrayList<>();

        void clearQueue() {
            Arrays.fill(cmds, 0, count, null);
            Arrays.fill(argvs, 0, count, null);
            count = 0;
            cmdFlags = cmdInvFlags = 0;
            argvBytes = 0;
            if (cmds.length > 64) {
                cmds = new CommandSpec[2];
                argvs = new byte[2][][];
            }
        }
    }

    @SuppressWarnings("unchecked")
    Multi(Engine engine, int databases) {
        this.engine = engine;
        this.watchedByDb = new HashMap[databases];
    }

    private static State state(Client c) {
        State s = c.mstate;
        if (s == null) s = c.mstate = new State();
        return s;
    }

    /** The number of commands queued by c, or -1 when c is not in MULTI (CLIENT LIST multi=). */
    public static int queuedCount(Client c) {
        if (!c.has(Client.F_MULTI)) return -1;
        return c.mstate == null ? 0 : c.mstate.count;
    }

    /** Memory of c's transaction state, as Redis's multiStateMemOverhead (CLIENT LIST multi-mem). */
    public static long memOverhead(Client c) {
        State s = c.mstate;
        if (s == null) return 0;
        return s.argvBytes + s.watched.size() * 48L + (s.count == 0 ? 0 : s.cmds.length * 24L);
    }

    /** Keys watched by all clients (every database). */
    public int watchCount() { return watchCount; }

    // =====================================================================================
    // MULTI queue
    // =====================================================================================

    /** Whether cmd is queued inside MULTI (everything but the transaction-control commands). */
    boolean queues(CommandSpec cmd) {
        return cmd != execCmd && cmd != discardCmd && cmd != multiCmd && cmd != watchCmd
            && cmd != quitCmd && cmd != resetCmd;
    }

    /** Queues c's current command (already checked by the dispatcher) and replies +QUEUED. */
    void queue(Client c, CommandSpec cmd) {
        // An aborted transaction keeps nothing: EXEC will only discard it.
        if ((c.flags & (Client.F_DIRTY_CAS | Client.F_DIRTY_EXEC)) == 0) {
            State s = state(c);
            if (s.count == s.cmds.length) {
                int n = s.count * 2;
                s.cmds = Arrays.copyOf(s.cmds, n);
                s.argvs = Arrays.copyOf(s.argvs, n);
            }
            byte[][] argv = Arrays.copyOf(c.argv, c.argc);
            s.cmds[s.count] = cmd;
            s.argvs[s.count] = argv;
            s.count++;
            s.cmdFlags |= cmd.flags;
            s.cmdInvFlags |= ~cmd.flags;
            long bytes = 8L * argv.length;
            for (byte[] a : argv) bytes += a.length;
            s.argvBytes += bytes;
        }
        c.addRaw(QUEUED);
    }

    /** Ends c's transaction: drops the queue, the MULTI and dirty flags and every WATCH. */
    public void discard(Client c) {
        if (c.mstate != null) c.mstate.clearQueue();
        c.flags &= ~(Client.F_MULTI | Client.F_DIRTY_CAS | Client.F_DIRTY_EXEC);
        unwatchAll(c);
    }

    /**
     * EXEC refused by a check of the dispatcher (OOM, READONLY, BUSY ...): the transaction is
     * discarded and the reason is given inside an EXECABORT error.
     */
    void execAbort(Client c, String error) {
        discard(c);
        c.addError("EXECABORT Transaction discarded because of: " + error);
        engine.feedMonitorsIfAny(c);
    }

    /** EXEC: runs the queued commands, or answers why it does not (null array, EXECABORT). */
    public void exec(Client c) {
        if (!c.has(Client.F_MULTI)) {
            c.addError(EXEC_WITHOUT);
            return;
        }
        if (isWatchedKeyExpired(c)) c.flags |= Client.F_DIRTY_CAS;
        if ((c.flags & (Client.F_DIRTY_CAS | Client.F_DIRTY_EXEC)) != 0) {
            if (c.has(Client.F_DIRTY_EXEC)) c.addError(EXECABORT);
            else c.addNullArray();
            discard(c);
            return;
        }
        State s = state(c);
        int oldFlags = c.flags;
        // Blocking commands run as their non-blocking forms inside a transaction.
        c.flags |= Client.F_DENY_BLOCKING;
        unwatchAll(c);
        byte[][] origArgv = c.argv;
        int origArgc = c.argc;
        CommandSpec origCmd = c.cmd;
        boolean outerExec = engine.inExec;
        engine.inExec = true;
        long propagatedBefore = engine.propagatedWrites;
        int n = s.count;
        c.addArrayLen(n);
        for (int j = 0; j < n; j++) {
            CommandSpec cmd = s.cmds[j];
            c.argv = s.argvs[j];
            c.argc = c.argv.length;
            c.cmd = cmd;
            engine.call(c, cmd);
        }
        if ((oldFlags & Client.F_DENY_BLOCKING) == 0) c.flags &= ~Client.F_DENY_BLOCKING;
        c.argv = origArgv;
        c.argc = origArgc;
        c.cmd = origCmd;
        discard(c);
        engine.inExec = outerExec;
        // The transaction's closing mark for the propagation listeners (see the class notes).
        if (engine.propagatedWrites != propagatedBefore) engine.fireWritten(c, execCmd);
    }

    // =====================================================================================
    // WATCH
    // =====================================================================================

    /** WATCHes key of c's selected database (no-op when already watched). */
    public void watch(Client c, byte[] key) {
        State s = state(c);
        Db db = c.db;
        ArrayList<Watch> mine = s.watched;
        for (int i = 0, n = mine.size(); i < n; i++) {
            Watch w = mine.get(i);
            if (w.db == db && Arrays.equals(w.key.bytes(), key)) return;
        }
        HashMap<ByteKey, ArrayList<Watch>> table = watchedByDb[db.id];
        if (table == null) table = watchedByDb[db.id] = new HashMap<>();
        ByteKey k = new ByteKey(key);
        ArrayList<Watch> watchers = table.get(k);
        if (watchers == null) table.put(k, watchers = new ArrayList<>(2));
        Watch w = new Watch(k, db, c, keyIsExpired(db, key));
        watchers.add(w);
        mine.add(w);
        watchCount++;
    }

    /** Drops every WATCH of c; the caller clears F_DIRTY_CAS where Redis does. */
    public void unwatchAll(Client c) {
        State s = c.mstate;
        if (s == null || s.watched.isEmpty()) return;
        ArrayList<Watch> mine = s.watched;
        for (int i = 0, n = mine.size(); i < n; i++) {
            Watch w = mine.get(i);
            HashMap<ByteKey, ArrayList<Watch>> table = watchedByDb[w.db.id];
            ArrayList<Watch> watchers = table.get(w.key);
            watchers.remove(w);
            if (watchers.isEmpty()) table.remove(w.key);
        }
        watchCount -= mine.size();
        mine.clear();
    }

    /** A key whose expiry time has passed, deleted or not (Redis's keyIsExpired). */
    private boolean keyIsExpired(Db db, byte[] key) {
        if (engine.loading) return false;
        long when = db.getExpire(key);
        return when != -1 && engine.expireNowMs() > when;
    }

    private boolean isWatchedKeyExpired(Client c) {
        State s = c.mstate;
        if (s == null) return false;
        ArrayList<Watch> mine = s.watched;
        for (int i = 0, n = mine.size(); i < n; i++) {
            Watch w = mine.get(i);
            if (!w.expired && keyIsExpired(w.db, w.key.bytes())) return true;
        }
        return false;
    }

    /** A key was modified (a key listener): its watchers' next EXEC fails. */
    public void touchWatchedKey(Db db, byte[] key) {
        if (watchCount == 0) return;
        HashMap<ByteKey, ArrayList<Watch>> table = watchedByDb[db.id];
        if (table == null || table.isEmpty()) return;
        ArrayList<Watch> watchers = table.get(probe.of(key));
        if (watchers == null) return;
        // Unwatching a client edits this very list, so walk a copy.
        Watch[] ws = watchers.toArray(NO_WATCHES);
        for (Watch w : ws) {
            if (w.expired) {
                // A key that was stale when watched and is now gone was deleted by expiry:
                // logically nothing changed. From now on it counts as an absent key.
                if (!db.mainMap().containsKey(key)) w.expired = false;
                continue;
            }
            w.client.flags |= Client.F_DIRTY_CAS;
            unwatchAll(w.client);
        }
    }

    /**
     * The contents of database {@code dbid} are replaced at once: {@code before} holds what it
     * held, {@code after} what it holds now (null when it is being emptied). A watched key
     * counts as touched when it is live on either side (Redis's touchAllWatchedKeysInDb): a
     * stale key that goes away, or stays stale, or an absent key that becomes a stale one, is
     * no change. For a flush call it before the keys go; for SWAPDB after the exchange (then
     * {@code before} is the other database, which now holds the old contents).
     */
    void touchAllWatchedKeysInDb(int dbid, Db before, Db after) {
        if (watchCount == 0) return;
        HashMap<ByteKey, ArrayList<Watch>> table = watchedByDb[dbid];
        if (table == null || table.isEmpty()) return;
        for (var e : table.entrySet()) {
            byte[] key = e.getKey().bytes();
            boolean existed = before.mainMap().containsKey(key);
            boolean exists = after != null && after.mainMap().containsKey(key);
            if (!existed && !exists) continue;
            for (Watch w : e.getValue()) {
                if (w.expired) {
                    if (!exists) {
                        // The stale key is simply dropped: no logical change.
                        w.expired = false;
                        continue;
                    } else if (keyIsExpired(after, key)) {
                        continue;   // stale before, stale after
                    }
                } else if (!existed && keyIsExpired(after, key)) {
                    // An absent key replaced by a stale one is still absent.
                    w.expired = true;
                    continue;
                }
                // Flagged only: unwatching here would edit the table being walked.
                w.client.flags |= Client.F_DIRTY_CAS;
            }
        }
    }
}
