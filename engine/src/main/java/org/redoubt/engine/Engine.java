package org.redoubt.engine;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.EventLoop;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.redoubt.engine.command.CommandFlags;
import org.redoubt.engine.command.CommandSpec;
import org.redoubt.engine.command.CommandTable;
import org.redoubt.engine.config.Config;
import org.redoubt.engine.db.Db;
import org.redoubt.engine.info.LatencyMonitor;
import org.redoubt.engine.info.SlowLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The keyspace engine: every database, every client's state and the command table, owned by
 * one thread (the engine event loop). Implementation notes:
 *
 * <h2>Threads</h2>
 * All public methods run on the engine thread. With {@code io-threads 1} (the default) the
 * front end registers every connection on this same event loop, so a read is decoded and
 * executed with no hand-off, as in Redis. Replies are encoded into each client's buffer and
 * flushed once per loop iteration by {@link #flushPending} (Redis's beforeSleep), so a
 * pipeline costs one write.
 *
 * <h2>Time</h2>
 * {@link #nowMs} is sampled once per command: a key cannot expire in the middle of a command,
 * and keys of one MULTI/script see one clock (Redis's server.mstime / cmd_time_snapshot).
 */
public final class Engine {
    /** The Redis version we are compatible with, reported by INFO, HELLO and LOLWUT. */
    public static final String REDIS_VERSION = "7.0.15";
    private static final Logger log = LoggerFactory.getLogger(Engine.class);

    public final Config config;
    public final CommandTable commands = new CommandTable();
    public final Stats stats = new Stats();
    public final SlowLog slowlog = new SlowLog();
    public final LatencyMonitor latency = new LatencyMonitor();
    public final SplittableRandom random = new SplittableRandom(new SecureRandom().nextLong());
    public final String runId;
    public final long startTimeMs = System.currentTimeMillis();
    public final long startNanos = System.nanoTime();
    private Db[] dbs;
    /** The engine's event loop; null for an engine driven directly (unit tests). */
    public EventLoop loop;
    public ClientIO io;
    /** Transactions, pub/sub and client-side caching: state several command families share. */
    public final Multi multi;
    public final PubSub pubsub;
    public final Tracking tracking;
    /** Clients blocked on keys (BLPOP, BZPOPMIN, XREAD BLOCK...): see {@link Blocking}. */
    public final Blocking blocking;
    /** The client whose command is being processed (Redis's current_client); null between commands. */
    public Client currentClient;
    /** Nesting of {@link #call}: above 0 while a command runs (EXEC and scripts nest calls). */
    public int callDepth;
    /** Set while EXEC runs its queued commands (see {@link Multi} for the propagation contract). */
    public boolean inExec;
    /** Set by the scripting module while a script runs: the client that called the script. */
    public Client scriptCaller;
    /**
     * While key listeners run: the client whose command modified the key, null for expiry
     * and eviction (Redis's signalModifiedKey client argument).
     */
    public Client keyModifier;
    /** Rounds of write listeners so far (commands handed to propagation). */
    public long propagatedWrites;

    public final LinkedHashMap<Long, Client> clients = new LinkedHashMap<>();
    public final List<Client> monitors = new ArrayList<>();
    private final ArrayList<Client> pendingFlush = new ArrayList<>();
    private boolean flushScheduled;
    private final Runnable flushTask = this::flushPending;
    private long nextClientId = 1;

    /**
     * Bumped by every snapshot. A mutable value ({@link org.redoubt.engine.type.Sds}, collection
     * chunks) created in an older epoch may be shared with a snapshot and must be copied before
     * it is written.
     */
    public long snapshotEpoch;
    /** Writes since the last save (Redis's server.dirty). */
    public long dirty;
    private long cachedNowMs = System.currentTimeMillis();
    private boolean noTouch;
    private int[] keyPositions = new int[256];

    // ---- CLIENT PAUSE
    public static final int PAUSE_OFF = 0, PAUSE_WRITE = 1, PAUSE_ALL = 2;
    public int pauseType = PAUSE_OFF;
    public long pauseEndMs;
    public final List<Client> pausedClients = new ArrayList<>();

    /** Extra INFO sections and commands contributed by modules (persistence, replication...). */
    public final List<InfoContributor> infoContributors = new ArrayList<>();
    /** Set while the dataset is being loaded (LOADING replies). */
    public boolean loading;
    public volatile boolean shutdownRequested;
    /** The configuration table (CONFIG GET/SET/REWRITE) and the file it was loaded from, if any. */
    public org.redoubt.engine.config.ConfigTable configTable;
    public java.nio.file.Path configFile;

    public interface InfoContributor {
        /** Appends "field:value\r\n" lines for section (lower case); false when it does not own it. */
        boolean info(String section, StringBuilder sb);
    }

    public Engine(Config config, List<CommandFamily> families) {
        this.config = config;
        byte[] id = new byte[20];
        new SecureRandom().nextBytes(id);
        StringBuilder sb = new StringBuilder(40);
        for (byte b : id) sb.append(String.format(Locale.ROOT, "%02x", b & 0xff));
        this.runId = sb.toString();
        this.dbs = new Db[config.databases];
        for (int i = 0; i < dbs.length; i++) dbs[i] = new Db(this, i);
        this.multi = new Multi(this, dbs.length);
        this.pubsub = new PubSub(this);
        this.tracking = new Tracking(this);
        this.blocking = new Blocking(this);
        for (CommandFamily f : families) f.register(commands, this);
        commands.freeze();
    }

    public Db db(int i) { return dbs[i]; }

    public int dbCount() { return dbs.length; }

    public Db[] dbs() { return dbs; }

    // =====================================================================================
    // Time and clocks
    // =====================================================================================

    public long nowMs() { return cachedNowMs; }

    public void updateClock() { cachedNowMs = System.currentTimeMillis(); }

    /** The time against which keys expire: the start time of the current command. */
    public long expireNowMs() { return cachedNowMs; }

    /** Redis's 24-bit LRU clock in seconds. */
    public int lruClock() { return (int) ((cachedNowMs / 1000) & 0xFFFFFF); }

    public boolean noTouch() { return noTouch; }

    public boolean isReplica() { return config.replicaofHost != null; }

    /**
     * Whether keys may be deleted by expiry now: not while loading, and not during CLIENT PAUSE
     * (a paused server must not change its dataset; expired keys just read as absent).
     */
    public boolean expiryDeletesKeys() { return !loading && pauseType == PAUSE_OFF && !isReplica(); }

    // =====================================================================================
    // Clients
    // =====================================================================================

    public Client newClient(io.netty.channel.Channel ch) {
        Client c = new Client(this, nextClientId++, ch);
        if (config.requirepass.isEmpty()) c.authenticated = true;
        if (ch != null) {
            clients.put(c.id, c);
            stats.totalConnectionsReceived++;
        }
        return c;
    }

    /** Forgets a client whose connection closed. */
    public void clientClosed(Client c) {
        clients.remove(c.id);
        if (c.has(Client.F_MONITOR)) monitors.remove(c);
        pausedClients.remove(c);
        pendingFlush.remove(c);
        if (c.out != null) { c.out.release(); c.out = null; }
        for (ClientHook h : clientHooks) h.closed(c);
    }

    /** Modules that keep per-client state (pub/sub, blocking, tracking) clean up here. */
    public interface ClientHook { void closed(Client c); }

    public final List<ClientHook> clientHooks = new ArrayList<>();

    /** Schedules a client's buffered replies to be flushed at the end of this loop iteration. */
    public void queueFlush(Client c) {
        if (c.flushQueued || c.channel == null) return;
        c.flushQueued = true;
        pendingFlush.add(c);
        if (!flushScheduled && loop != null) {
            flushScheduled = true;
            loop.execute(flushTask);
        }
    }

    /**
     * Redis's beforeSleep work: run at the start of every {@link #flushPending}, before any reply
     * is written (the AOF hands its buffer to its writer here). A task may take clients out of
     * {@link #pendingFlushClients()} (clearing their {@code flushQueued}) to hold their replies
     * back, e.g. until an fsync; it queues them again with {@link #queueFlush} to release them.
     */
    public final List<Runnable> beforeSleepTasks = new ArrayList<>();

    /** The clients whose replies the current {@link #flushPending} will write (beforeSleep tasks only). */
    public List<Client> pendingFlushClients() { return pendingFlush; }

    /** Makes sure {@link #flushPending} (and so the beforeSleep tasks) runs at the end of this loop iteration. */
    public void requestBeforeSleep() {
        if (!flushScheduled && loop != null) {
            flushScheduled = true;
            loop.execute(flushTask);
        }
    }

    /** Hands every pending reply buffer to its channel (Redis's handleClientsWithPendingWrites). */
    public void flushPending() {
        flushScheduled = false;
        for (int i = 0; i < beforeSleepTasks.size(); i++) beforeSleepTasks.get(i).run();
        List<Client> overLimit = null;
        for (int i = 0, n = pendingFlush.size(); i < n; i++) {
            Client c = pendingFlush.get(i);
            c.flushQueued = false;
            io.netty.buffer.ByteBuf b = c.out;
            if (b == null) continue;
            // A client over its output-buffer limits gets nothing more: it is closed below.
            if (c.has(Client.F_CLOSE_ASAP) || OutputLimits.check(this, c)) {
                if (overLimit == null) overLimit = new ArrayList<>();
                overLimit.add(c);
                continue;
            }
            c.out = null;
            int len = b.readableBytes();
            stats.netOutputBytes += len;
            c.totalReplyBytes += len;
            if (c.has(Client.F_CLOSE_AFTER_REPLY)) {
                c.channel.writeAndFlush(b).addListener(ChannelFutureListener.CLOSE);
            } else if (len == 0) {
                b.release();
            } else {
                c.channel.writeAndFlush(b, c.channel.voidPromise());
                OutputLimits.pendingBytes(c);
            }
        }
        pendingFlush.clear();
        if (overLimit != null) for (Client c : overLimit) OutputLimits.close(this, c);
    }

    // =====================================================================================
    // Command dispatch (Redis's processCommand + call)
    // =====================================================================================

    /**
     * Executes the command in c.argv[0..argc): lookup, arity, auth and flag checks, then the
     * handler, then statistics. Exactly one reply is produced unless the client blocks.
     */
    public void process(Client c) {
        Client prev = currentClient;
        currentClient = c;
        dispatch(c);
        if (tracking.active()) tracking.afterCommand(c);
        currentClient = prev;
        // Keys written by the command (or MULTI/EXEC, script) serve the clients blocked on them.
        if (callDepth == 0 && blocking.hasWork()) blocking.afterCommand();
    }

    private void dispatch(Client c) {
        updateClock();
        c.lastInteractionMs = cachedNowMs;
        if (c.argc == 0) return;
        byte[][] argv = c.argv;
        CommandSpec cmd = commands.lookup(argv[0]);
        if (cmd == null) {
            rejectUnknown(c);
            return;
        }
        if (!cmd.subcommands.isEmpty()) {
            // A container routes by argv[1]; one that is also runnable (COMMAND) runs alone.
            if (c.argc >= 2) {
                CommandSpec sub = CommandTable.lookupSub(cmd, argv[1]);
                if (sub == null) {
                    c.cmd = cmd;
                    String s = new String(argv[1], StandardCharsets.UTF_8);
                    reject(c, null, Errors.unknownSubcommand(s, cmd.name.toUpperCase(Locale.ROOT)));
                    return;
                }
                cmd = sub;
            } else if (cmd.handler == null) {
                c.cmd = cmd;
                reject(c, cmd, Errors.wrongArgs(cmd.fullName));
                return;
            }
        }
        c.cmd = cmd;
        c.lastCmd = cmd;
        if (!cmd.arityOk(c.argc)) {
            reject(c, cmd, Errors.wrongArgs(cmd.fullName));
            return;
        }
        if (!c.authenticated && !cmd.has(CommandFlags.NO_AUTH)) {
            reject(c, cmd, Errors.NOAUTH);
            return;
        }
        if (cmd.has(CommandFlags.PROTECTED) && !protectedAllowed(c, cmd)) return;
        if (loading && !cmd.has(CommandFlags.LOADING)) {
            reject(c, cmd, Errors.LOADING);
            return;
        }
        if (config.maxmemory > 0 && !c.has(Client.F_MASTER) && deniedByMaxmemory(c, cmd)) {
            reject(c, cmd, Errors.OOM);
            return;
        }
        if (config.minReplicasToWrite > 0 && !enoughGoodReplicas() && isWriteCommand(c, cmd)) {
            reject(c, cmd, Errors.NOREPLICAS);
            return;
        }
        if (pauseType != PAUSE_OFF && mustPause(c, cmd)) {
            c.flags |= Client.F_PAUSED;
            pausedClients.add(c);
            return;
        }
        for (int i = 0; i < preChecks.size(); i++) {
            if (!preChecks.get(i).allow(c, cmd)) {
                // A refused command inside MULTI dooms the transaction (Redis's flagTransaction).
                if (c.has(Client.F_MULTI)) c.flags |= Client.F_DIRTY_EXEC;
                return;
            }
        }
        if (c.has(Client.F_MULTI) && multi.queues(cmd)) {
            multi.queue(c, cmd);
            return;
        }
        call(c, cmd);
    }

    /**
     * Extra checks installed by modules (cluster redirection, OOM...), run after the built-in
     * ones; a check that refuses a command replies through {@link #reject} and returns false.
     */
    public interface PreCheck { boolean allow(Client c, CommandSpec cmd); }

    /** Flags a command carries for one call (scripts declare theirs); null = the table's. */
    public interface FlagsHook { int effectiveFlags(Client c, CommandSpec cmd); }

    public FlagsHook commandFlagsHook;

    public final List<PreCheck> preChecks = new ArrayList<>();

    /** Runs a command that passed every check: handler, stats, slowlog, latency, monitors. */
    public void call(Client c, CommandSpec cmd) {
        // A handler may replace c.argv with the form to propagate (EXPIRE -> PEXPIREAT ...);
        // MONITOR and the slowlog show what the client sent, propagation what was done.
        byte[][] origArgv = c.argv;
        int origArgc = c.argc;
        c.errorsThisCommand = 0;
        long dirtyBefore = dirty;
        long t0 = System.nanoTime();
        callDepth++;
        try {
            cmd.handler.execute(c);
        } catch (RuntimeException | StackOverflowError e) {
            // A bug in a handler must cost one error reply, never the server or a stack trace.
            log.warn("Command '{}' failed with an internal error", cmd.fullName, e);
            c.addError("ERR internal error while executing '" + cmd.fullName + "': " + e.getClass().getSimpleName());
        }
        callDepth--;
        long us = (System.nanoTime() - t0) / 1000;
        if (c.has(Client.F_BLOCKED)) {
            // As Redis, a command that blocks is counted now; its duration, failure, latency
            // and slowlog entry are accounted when it is unblocked (see Blocking).
            cmd.calls++;
            cmd.microseconds += us;
            stats.totalCommandsProcessed++;
            c.commandsProcessed++;
            if (!monitors.isEmpty() && !cmd.has(CommandFlags.SKIP_MONITOR) && !cmd.has(CommandFlags.ADMIN)) {
                feedMonitors(c, origArgv, origArgc);
            }
            return;
        }
        cmd.calls++;
        cmd.microseconds += us;
        if (c.errorsThisCommand > 0) cmd.failedCalls++;
        // Errors of a nested call (inside EXEC) are that command's, not its caller's.
        c.errorsThisCommand = 0;
        stats.totalCommandsProcessed++;
        c.commandsProcessed++;
        if (config.latencyTracking) latency.recordCommand(cmd, us);
        if (!cmd.has(CommandFlags.SKIP_SLOWLOG)) slowlog.maybeLog(this, c, origArgv, origArgc, us);
        if (config.latencyMonitorThreshold > 0 && us / 1000 >= config.latencyMonitorThreshold) {
            latency.add(cmd.has(CommandFlags.FAST) ? "fast-command" : "command", us / 1000, cachedNowMs / 1000);
        }
        if (!monitors.isEmpty() && !cmd.has(CommandFlags.SKIP_MONITOR) && !cmd.has(CommandFlags.ADMIN)) {
            feedMonitors(c, origArgv, origArgc);
        }
        // EXEC is never propagated itself; Multi closes a transaction with fireWritten.
        boolean forced = (c.flags & Client.F_FORCE_REPL) != 0;
        // Propagate when the dataset changed (dirty grew; a reset to 0 by a save or DEBUG LOADAOF
        // is not a write) or when the command forces it (PUBLISH, FLUSHALL on an empty db).
        if ((dirty > dirtyBefore || forced) && cmd != multi.execCmd) afterWrite(c, cmd);
        c.flags &= ~Client.F_FORCE_REPL;
        if (cmd.has(CommandFlags.READONLY) && tracking.active()) tracking.afterCall(c, cmd);
        // CLIENT REPLY SKIP applies to exactly one command after the one that set it.
        if (c.has(Client.F_REPLY_SKIP)) c.flags &= ~Client.F_REPLY_SKIP;
        if (c.has(Client.F_REPLY_SKIP_NEXT)) {
            c.flags = (c.flags & ~Client.F_REPLY_SKIP_NEXT) | Client.F_REPLY_SKIP;
        }
    }

    /** Propagation hooks (AOF, replication) see every write command after it executed. */
    public interface WriteListener { void written(Client c, CommandSpec cmd); }

    public final List<WriteListener> writeListeners = new ArrayList<>();

    private void afterWrite(Client c, CommandSpec cmd) {
        propagatedWrites++;
        for (int i = 0; i < writeListeners.size(); i++) writeListeners.get(i).written(c, cmd);
    }

    /** Runs the write listeners for cmd without counting a write (EXEC's closing mark). */
    void fireWritten(Client c, CommandSpec cmd) {
        for (int i = 0; i < writeListeners.size(); i++) writeListeners.get(i).written(c, cmd);
    }

    private boolean protectedAllowed(Client c, CommandSpec cmd) {
        int mode = cmd.name.equals("debug") ? config.enableDebugCommand : config.enableModuleCommand;
        if (mode == 1) return true;
        if (mode == 2 && isLocal(c)) return true;
        String up = cmd.name.toUpperCase(Locale.ROOT);
        String opt = cmd.name.equals("debug") ? "enable-debug-command" : "enable-module-command";
        reject(c, cmd, "ERR " + up + " command not allowed. If the " + opt
            + " option is set to \"local\", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.");
        return false;
    }

    public static boolean isLocal(Client c) {
        return c.channel == null || c.addr.startsWith("127.") || c.addr.startsWith("[::1]") || c.has(Client.F_UNIX);
    }

    /**
     * maxmemory: a command that may grow the dataset (denyoom, or EXEC of such commands) is
     * refused while used memory (the live JVM heap) is above the limit. Eviction policies are
     * not implemented, so every policy behaves as noeviction here.
     */
    private boolean deniedByMaxmemory(Client c, CommandSpec cmd) {
        int flags = commandFlagsHook != null ? commandFlagsHook.effectiveFlags(c, cmd) : cmd.flags;
        if (cmd == multi.execCmd && c.mstate != null) flags |= c.mstate.cmdFlags;
        boolean reject = (flags & CommandFlags.DENYOOM) != 0;
        // Queueing inside MULTI may grow memory without bound: refuse everything but the
        // commands that end the transaction or the connection, as Redis.
        if (c.has(Client.F_MULTI) && cmd != multi.execCmd && !cmd.name.equals("discard")
            && !cmd.name.equals("quit") && !cmd.name.equals("reset")) reject = true;
        return reject && org.redoubt.engine.info.ProcessStats.heapUsed() > config.maxmemory;
    }

    /**
     * Redis's checkGoodReplicasStatus: a master with min-replicas-to-write and
     * min-replicas-max-lag set needs that many good replicas to accept a write. A replica client
     * counts as good while connected (replication does not report lags yet).
     */
    public boolean enoughGoodReplicas() {
        if (isReplica() || config.minReplicasToWrite <= 0 || config.minReplicasMaxLag <= 0) return true;
        int good = 0;
        for (Client r : clients.values()) if (r.has(Client.F_REPLICA)) good++;
        return good >= config.minReplicasToWrite;
    }

    /** A write by its flags for this call, or an EXEC that queued one (processCommand's is_write_command). */
    private boolean isWriteCommand(Client c, CommandSpec cmd) {
        int flags = commandFlagsHook != null ? commandFlagsHook.effectiveFlags(c, cmd) : cmd.flags;
        if (cmd == multi.execCmd && c.mstate != null) flags |= c.mstate.cmdFlags;
        return (flags & CommandFlags.WRITE) != 0;
    }

    private boolean mustPause(Client c, CommandSpec cmd) {
        if (cachedNowMs >= pauseEndMs) { unpause(); return false; }
        // Replicas are never paused (their master link must keep flowing); everything else is.
        if (c.has(Client.F_REPLICA)) return false;
        if (pauseType == PAUSE_ALL) return true;
        // WRITE pause blocks writes and commands that may replicate (EVAL, PUBLISH...); EXEC
        // is judged by what it queued.
        // A script that declared no-writes is neither (its flags come from the script).
        int flags = commandFlagsHook != null ? commandFlagsHook.effectiveFlags(c, cmd) : cmd.flags;
        if (cmd == multi.execCmd && c.mstate != null) flags |= c.mstate.cmdFlags;
        return (flags & (CommandFlags.WRITE | CommandFlags.MAY_REPLICATE)) != 0;
    }

    /**
     * Whether the command of {@code c} may answer later, from a loop task, with the client paused
     * meanwhile (DEBUG LOADAOF, BGSAVE): only on the engine loop and outside a transaction, where
     * the reply must come before the next queued command's.
     */
    public boolean canDeferReply(Client c) {
        return loop != null && loop.inEventLoop() && !inExec && !c.has(Client.F_MULTI);
    }

    /**
     * The deferred reply of a paused client has been written: it goes out, and the client
     * resumes its pipeline (without running the command that paused it again).
     */
    public void resumeDeferred(Client c) {
        c.flags &= ~Client.F_PAUSED;
        c.argc = 0;
        queueFlush(c);
        if (io != null && c.channel != null) io.resume(c);
    }

    /** Ends CLIENT PAUSE and resumes the clients it held, in arrival order. */
    public void unpause() {
        pauseType = PAUSE_OFF;
        if (pausedClients.isEmpty()) return;
        List<Client> held = new ArrayList<>(pausedClients);
        pausedClients.clear();
        for (Client c : held) {
            c.flags &= ~Client.F_PAUSED;
            if (io != null) io.resume(c); else process(c);
        }
    }

    /**
     * Refuses a command before it runs (Redis's rejectCommand): counts it as rejected and,
     * inside MULTI, dooms the transaction; a refused EXEC discards it with EXECABORT. Checks
     * installed in {@link #preChecks} should refuse through here.
     */
    public void reject(Client c, CommandSpec cmd, String err) {
        if (cmd != null) cmd.rejectedCalls++;
        if (c.has(Client.F_MULTI)) {
            if (cmd != null && cmd == multi.execCmd) {
                multi.execAbort(c, err);
                return;
            }
            c.flags |= Client.F_DIRTY_EXEC;
        }
        c.addError(err);
    }

    private void rejectUnknown(Client c) {
        StringBuilder args = new StringBuilder();
        for (int i = 1; i < c.argc && args.length() < 128; i++) {
            String a = new String(c.argv[i], StandardCharsets.UTF_8);
            int room = 128 - args.length();
            args.append('\'').append(a, 0, Math.min(a.length(), room)).append("' ");
        }
        String name = new String(c.argv[0], StandardCharsets.UTF_8);
        if (name.length() > 128) name = name.substring(0, 128);
        if (c.has(Client.F_MULTI)) c.flags |= Client.F_DIRTY_EXEC;
        c.addError("ERR unknown command '" + name + "', with args beginning with: " + args);
    }

    /** The key positions of the current command (COMMAND GETKEYS, cluster checks). */
    public int keyPositions(CommandSpec cmd, byte[][] argv, int argc, int[][] holder) {
        if (keyPositions.length < argc) keyPositions = new int[argc];
        holder[0] = keyPositions;
        return cmd.getKeys(argv, argc, keyPositions);
    }

    /** Shows c's current command to MONITOR clients (an EXEC refused before it ran). */
    void feedMonitorsIfAny(Client c) {
        if (!monitors.isEmpty()) feedMonitors(c, c.argv, c.argc);
    }

    private void feedMonitors(Client c, byte[][] argv, int argc) {
        StringBuilder sb = new StringBuilder(64);
        long now = System.currentTimeMillis();
        long usec = (System.nanoTime() / 1000) % 1000;
        sb.append(now / 1000).append('.').append(String.format(Locale.ROOT, "%06d", (now % 1000) * 1000 + usec));
        sb.append(" [").append(c.dbIndex).append(' ');
        if (c.channel == null) sb.append("lua"); else sb.append(c.addr);
        sb.append(']');
        for (int i = 0; i < argc; i++) {
            sb.append(" \"");
            Repr.appendEscaped(sb, argv[i]);
            sb.append('"');
        }
        String line = sb.toString();
        for (Client m : monitors) m.addSimple(line);
    }

    // =====================================================================================
    // Keyspace hooks
    // =====================================================================================

    /** A key was modified by the running command: WATCH invalidation and client tracking. */
    public void signalModifiedKey(Db db, byte[] key) {
        signalModifiedKey(currentClient, db, key);
    }

    /** A key was modified by {@code by} (null: by the server itself, as expiry and eviction). */
    public void signalModifiedKey(Client by, Db db, byte[] key) {
        Client prev = keyModifier;
        keyModifier = by;
        for (int i = 0; i < keyListeners.size(); i++) keyListeners.get(i).modified(db, key);
        keyModifier = prev;
    }

    /**
     * A whole database is about to be emptied (FLUSHDB, FLUSHALL, a full resync; dbid -1 for
     * all of them), as Redis's signalFlushedDb: WATCHes of live keys fail, tracking clients
     * drop their whole cache. Call once per flush, before the keys go, instead of signalling
     * each key: this costs O(watched keys), not O(keys).
     */
    public void signalFlushedDb(int dbid) {
        for (Db d : dbs) {
            if (dbid >= 0 && d.id != dbid) continue;
            multi.touchAllWatchedKeysInDb(d.id, d, null);
            // Clients blocked on keys of the flushed db re-check them (XREADGROUP fails with
            // "UNBLOCKED the stream key no longer exists", as Redis).
            blocking.signalDb(d);
        }
        tracking.invalidateOnFlush();
    }

    /**
     * SWAPDB has just exchanged the contents of a and b: WATCHes of keys live on either side
     * fail, and clients blocked on keys of either re-check them.
     */
    public void signalSwapDb(Db a, Db b) {
        // Each side now holds what the other held: a's old contents are in b, and so on.
        multi.touchAllWatchedKeysInDb(a.id, b, a);
        multi.touchAllWatchedKeysInDb(b.id, a, b);
        blocking.signalDb(a);
        blocking.signalDb(b);
    }

    public interface KeyListener { void modified(Db db, byte[] key); }

    public final List<KeyListener> keyListeners = new ArrayList<>();

    /** A key expired (lazily or actively): notifications and DEL propagation hook in here. */
    public void keyExpired(Db db, byte[] key) {
        notify(org.redoubt.engine.config.Notify.EXPIRED, "expired", key, db.id);
        signalModifiedKey(null, db, key);
        for (int i = 0; i < expireListeners.size(); i++) expireListeners.get(i).expired(db, key);
    }

    public interface ExpireListener { void expired(Db db, byte[] key); }

    public final List<ExpireListener> expireListeners = new ArrayList<>();

    /** Keyspace notification (notify-keyspace-events); Notify handles the classes. */
    public void notify(int type, String event, byte[] key, int dbid) {
        if ((config.notifyKeyspaceEvents & type) == 0) return;
        for (int i = 0; i < notifyListeners.size(); i++) notifyListeners.get(i).event(type, event, key, dbid);
    }

    public interface NotifyListener { void event(int type, String event, byte[] key, int dbid); }

    public final List<NotifyListener> notifyListeners = new ArrayList<>();

    // =====================================================================================
    // Cron (Redis's serverCron at hz)
    // =====================================================================================

    public final List<Runnable> cronTasks = new ArrayList<>();
    private final ActiveExpire activeExpire = new ActiveExpire(this);
    private long cronLoops;

    public void startCron() {
        if (loop == null) return;
        loop.schedule(this::cronTick, 1000 / Math.max(1, config.hz), TimeUnit.MILLISECONDS);
    }

    private void cronTick() {
        try {
            cron();
        } catch (RuntimeException e) {
            log.warn("cron failed", e);
        }
        if (!shutdownRequested) {
            loop.schedule(this::cronTick, 1000 / Math.max(1, Math.min(500, config.hz)), TimeUnit.MILLISECONDS);
        }
    }

    public void cron() {
        updateClock();
        cronLoops++;
        if (config.activeExpireEnabled) activeExpire.cycle(1000 / Math.max(1, config.hz));
        if (pauseType != PAUSE_OFF && cachedNowMs >= pauseEndMs) unpause();
        if (cronLoops % Math.max(1, config.hz / 10) == 0) {
            stats.sample(Stats.M_COMMANDS, stats.totalCommandsProcessed, cachedNowMs);
            stats.sample(Stats.M_NET_IN, stats.netInputBytes, cachedNowMs);
            stats.sample(Stats.M_NET_OUT, stats.netOutputBytes, cachedNowMs);
        }
        if (config.timeoutSeconds > 0) closeIdleClients();
        if (cronLoops % Math.max(1, config.hz) == 0) OutputLimits.cron(this);
        if (tracking.trackingClients() > 0) tracking.limitUsedSlots();
        for (int i = 0; i < cronTasks.size(); i++) cronTasks.get(i).run();
    }

    private void closeIdleClients() {
        long limit = config.timeoutSeconds * 1000L;
        List<Client> idle = null;
        for (Client c : clients.values()) {
            if (c.has(Client.F_MASTER) || c.has(Client.F_REPLICA) || c.has(Client.F_BLOCKED)
                || c.has(Client.F_PUBSUB) || c.has(Client.F_MONITOR)) continue;
            if (cachedNowMs - c.lastInteractionMs > limit) {
                if (idle == null) idle = new ArrayList<>();
                idle.add(c);
            }
        }
        if (idle != null && io != null) for (Client c : idle) io.close(c);
    }

    // =====================================================================================
    // Shutdown
    // =====================================================================================

    public static final int SHUTDOWN_DEFAULT = 0, SHUTDOWN_SAVE = 1, SHUTDOWN_NOSAVE = 2,
        SHUTDOWN_NOW = 4, SHUTDOWN_FORCE = 8;
    /** Installed by the server: closes listeners and exits the process. */
    public Runnable shutdownHandler;

    /** Persistence and replication do their final work here; false aborts (unless FORCE). */
    public interface ShutdownHook { boolean beforeExit(int flags); }

    public final List<ShutdownHook> shutdownHooks = new ArrayList<>();

    /** SHUTDOWN / SIGTERM: run the hooks, then exit. Returns false when a hook refused. */
    public boolean requestShutdown(int flags) {
        boolean ok = true;
        for (ShutdownHook h : shutdownHooks) ok &= h.beforeExit(flags);
        if (!ok && (flags & SHUTDOWN_FORCE) == 0) {
            log.warn("Errors trying to shut down the server. Check the logs for more information.");
            return false;
        }
        shutdownRequested = true;
        flushPending();
        if (shutdownHandler != null) shutdownHandler.run();
        return true;
    }

    public long uptimeSeconds() { return (System.currentTimeMillis() - startTimeMs) / 1000; }
}
