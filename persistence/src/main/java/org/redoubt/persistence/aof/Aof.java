package org.redoubt.persistence.aof;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import org.redoubt.engine.Client;
import org.redoubt.engine.Engine;
import org.redoubt.engine.command.CommandFlags;
import org.redoubt.engine.command.CommandSpec;
import org.redoubt.engine.db.Db;
import org.redoubt.engine.info.ServerInfo;
import org.redoubt.engine.script.Scripting;
import org.redoubt.persistence.ChildProcess;
import org.redoubt.persistence.Persistence;
import org.redoubt.persistence.RdbSaver;
import org.redoubt.persistence.Snapshot;
import org.redoubt.persistence.rdb.Codecs;
import org.redoubt.persistence.rdb.RdbOutput;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The append-only file of one engine (Redis's aof.c state): the write-after log of executed
 * write commands, its fsync policies, background rewrites and the multi-part layout of Redis 7.
 *
 * <h2>Write-after log</h2>
 * A write command is logged after it ran, in the deterministic form its handler left in
 * {@code c.argv} (EXPIRE as PEXPIREAT, SPOP as SREM ...): the engine's write listeners call
 * {@link #written}, expiry calls {@link #expired} (a DEL). Commands are encoded as RESP into
 * an in-memory buffer on the engine thread, with a SELECT whenever the database changes; the
 * writes of one EXEC or one script are collected apart and logged inside MULTI/EXEC when there
 * is more than one. At the end of each event-loop iteration (beforeSleep) the buffer is handed
 * to the {@link AofWriter} thread as one batch; no file is touched on the engine thread.
 *
 * <h2>Replies wait for the log</h2>
 * As in Redis, where the AOF buffer is written in beforeSleep before any reply goes out, a
 * reply produced while a handed-over batch is not yet in the file is held back (taken out of
 * the engine's flush list) and released when the writer reports that batch done. So an
 * acknowledged write, or a write a reply may have revealed, is in the file (in the OS cache)
 * before the client hears of it, and survives a kill of the process.
 *
 * <h2>fsync policies</h2>
 * {@code always}: "done" includes the fdatasync — group commit: one write and one fdatasync
 * per batch, several batches per fsync when the disk is slower than the engine, so a reply is
 * never sent before the write it acknowledges is durable. {@code everysec}: the writer fsyncs
 * in the background at most once a second; while such an fsync is still running, the engine
 * keeps accumulating up to two seconds before handing over anyway (Redis's postponed flush,
 * aof_delayed_fsync; replies are not held for postponed data, as in Redis). {@code no}: never
 * fsync, the OS decides.
 *
 * <h2>Rewrite: Redis 7's multi-part scheme</h2>
 * BGREWRITEAOF (or the automatic trigger, or turning appendonly on) first moves appending to a
 * new incr file (named in the manifest; a temporary one while the AOF is being turned on), and
 * at the same instant takes an O(1) {@link Snapshot} of every database: the snapshot is exactly
 * the content of the base plus the incr files before the new one. A rewrite thread serializes
 * the snapshot as the new base — commands (at most 64 items per RPUSH/SADD/ZADD/HMSET) or an
 * RDB image with aof-use-rdb-preamble — into the temp file of a {@link ChildProcess} (the
 * rewrite's child, which killing fails the rewrite as killing Redis's fork child does). On
 * success the writer renames the base into place and switches the manifest atomically (the new
 * base, the incr files from the new one on; older files become history and are deleted). On
 * failure nothing is lost: the new incr file stays in the manifest after the previous ones,
 * which is why failed rewrites leave several incr files, as in Redis. No write is ever held in
 * memory for a rewrite.
 *
 * <p>Engine thread only, except the fields the writer and loader publish (volatile).
 */
public final class Aof {
    private static final Logger log = LoggerFactory.getLogger(Aof.class);
    static final int OFF = 0, ON = 1, WAIT_REWRITE = 2;
    static final String MISCONF_PREFIX = "MISCONF Errors writing to the AOF file: ";
    private static final byte[] DEL = bytes("DEL"), UNLINK = bytes("UNLINK");
    private static final byte[][] MULTI = {bytes("MULTI")}, EXEC = {bytes("EXEC")};
    /** Rewrite throttling after repeated failures (AOF_REWRITE_LIMITE_*). */
    private static final int LIMIT_THRESHOLD = 3, LIMIT_MAX_MINUTES = 60;

    private static final Map<Engine, Aof> BY_ENGINE = Collections.synchronizedMap(new WeakHashMap<>());

    /** The AOF state of an engine (created on first use). */
    public static Aof of(Engine e) {
        synchronized (BY_ENGINE) {
            Aof a = BY_ENGINE.get(e);
            if (a == null) BY_ENGINE.put(e, a = new Aof(e));
            return a;
        }
    }

    private static byte[] bytes(String s) { return s.getBytes(StandardCharsets.US_ASCII); }

    final Engine engine;
    final Persistence persistence;
    AofWriter writer;
    int state = OFF;
    /** The database the log's last command ran in (-1: the next command needs a SELECT). */
    private int selectedDb = -1;
    private final AofBuffer buf = new AofBuffer(16 * 1024);
    /** Writes of the running EXEC/script, logged as one unit when it ends. */
    private final AofBuffer unit = new AofBuffer(1024);
    private int unitCount, unitDb;
    private long curTimestamp;
    /** Set while the log is being replayed: nothing is logged. */
    boolean replaying;

    // ---- batches and held replies (appendfsync always)
    private long seq, ackedSeq, lastSubmittedSeq;
    /** Clients whose replies are held (their Client.holdSeq is set). */
    private final ArrayList<Client> held = new ArrayList<>();
    /** Clients released since the last beforeSleep (their Client.releaseMark is set). */
    private final ArrayList<Client> released = new ArrayList<>();

    // ---- rewrite
    Rewrite rewrite;
    boolean rewriteScheduled;
    long rewriteTimeLastSec = -1;
    boolean lastRewriteOk = true;
    long rewrites, consecutiveFailures;
    private int limitDelayMinutes;
    private long limitNextSec;

    // ---- flush
    long delayedFsync;
    private long postponedStartSec;

    // ---- settings (refreshed from the config table)
    int policy = AofWriter.FSYNC_EVERYSEC;
    boolean timestamps, noFsyncOnRewrite, loadTruncated = true, autoGc = true;
    long autoPercentage = 100, autoMinSize = 64L * 1024 * 1024;

    final AofLoader.Progress progress = new AofLoader.Progress();
    private boolean installed;
    /** Called when the process must stop (Redis exits); tests replace it. */
    public Runnable exit;

    /** A background rewrite: the snapshot being written, its child process and temp file. */
    final class Rewrite {
        final Snapshot snap;
        final long startSec = System.currentTimeMillis() / 1000;
        final AtomicBoolean abort = new AtomicBoolean();
        final boolean rdb;
        /** The child writing the temp base (null: the rewrite thread writes it itself). */
        ChildProcess child;
        /** The temporary base file (named after the child's pid, as Redis's). */
        Path temp;
        /** The rewrite succeeded and the writer is installing the new base (Switch). */
        boolean finishing;
        volatile Thread thread;
        /** The RDB saver of an RDB-format base, for abort requests. */
        volatile RdbSaver saver;
        /** aof-rewrite-incremental-fsync: fsync the base every 4MB while writing it. */
        boolean incrementalFsync;

        Rewrite(Snapshot snap, boolean rdb) {
            this.snap = snap;
            this.rdb = rdb;
        }

        long pid() { return child != null ? child.pid() : ProcessHandle.current().pid(); }
    }

    private Aof(Engine e) {
        this.engine = e;
        this.persistence = Persistence.of(e);
        this.exit = () -> persistence.exitHook.run();
    }

    // =====================================================================================
    // Paths and settings
    // =====================================================================================

    Path serverDir() { return Path.of(engine.config.dir).toAbsolutePath().normalize(); }

    Path aofDir() { return serverDir().resolve(engine.config.appenddirname); }

    private String conf(String name, String dflt) {
        if (engine.configTable == null) return dflt;
        try {
            String v = engine.configTable.get(name);
            return v == null ? dflt : v;
        } catch (RuntimeException e) {
            return dflt;
        }
    }

    private long confLong(String name, long dflt) {
        try {
            return Long.parseLong(conf(name, Long.toString(dflt)).trim());
        } catch (NumberFormatException e) {
            return dflt;
        }
    }

    private boolean confBool(String name, boolean dflt) {
        return "yes".equalsIgnoreCase(conf(name, dflt ? "yes" : "no"));
    }

    static int policyOf(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "always" -> AofWriter.FSYNC_ALWAYS;
            case "no" -> AofWriter.FSYNC_NO;
            default -> AofWriter.FSYNC_EVERYSEC;
        };
    }

    void refreshSettings() {
        policy = policyOf(engine.config.appendfsync);
        timestamps = confBool("aof-timestamp-enabled", false);
        noFsyncOnRewrite = confBool("no-appendfsync-on-rewrite", false);
        loadTruncated = confBool("aof-load-truncated", true);
        autoGc = !confBool("aof-disable-auto-gc", false);
        autoPercentage = confLong("auto-aof-rewrite-percentage", 100);
        autoMinSize = confLong("auto-aof-rewrite-min-size", 64L * 1024 * 1024);
        if (writer != null) {
            writer.policy = policy;
            writer.skipFsync = noFsyncOnRewrite && childActive();
        }
    }

    /** Redis's hasActiveChildProcess: a background save or rewrite is running. */
    boolean childActive() { return rewrite != null || persistence.bgsaveInProgress(); }

    public boolean rewriteInProgress() { return rewrite != null; }

    public boolean enabled() { return state != OFF; }

    // =====================================================================================
    // Installation (engine thread, once the config table is attached)
    // =====================================================================================

    /** Runs on an engine thread task: the writer, config hooks; with appendonly no, the manifest. */
    void ensureInstalled() {
        if (installed) return;
        installed = true;
        ensureWriter();
        refreshSettings();
        if (engine.configTable != null) {
            engine.configTable.addApplyHook("appendonly", this::appendonlyChanged);
            for (String n : new String[] {"appendfsync", "aof-timestamp-enabled", "no-appendfsync-on-rewrite",
                "aof-load-truncated", "auto-aof-rewrite-percentage", "auto-aof-rewrite-min-size"}) {
                engine.configTable.addApplyHook(n, this::refreshSettings);
            }
            engine.configTable.addApplyHook("aof-disable-auto-gc", () -> {
                refreshSettings();
                if (autoGc) {
                    writer.submit(new AofWriter.Gc());
                    fenceReplies();
                }
            });
        }
        // With appendonly yes the loader reads the manifest and opens the log; otherwise the
        // writer only needs the manifest (BGREWRITEAOF, CONFIG SET appendonly yes).
        if (!engine.config.appendonly) {
            writer.submit(new AofWriter.Start(aofDir(), engine.config.appendfilename, null, false, false, null, null));
        }
    }

    void ensureWriter() {
        if (writer != null) return;
        writer = new AofWriter(events);
        writer.policy = policy;
    }

    /** The writer's notifications, posted to the engine thread. */
    private final class WriterEvents implements AofWriter.Events {
        CompletableFuture<Void> started;

        @Override public void synced(long s) { onEngine(() -> onSynced(s)); }

        @Override public void started(long currentSize, long baseSize) {
            CompletableFuture<Void> f = started;
            if (f != null) f.complete(null);
        }

        @Override public void rewriteSwitched(boolean ok, long currentSize, long baseSize) {
            onEngine(() -> switchDone(ok));
        }

        @Override public void openIncrFailed() { onEngine(Aof.this::openIncrFailed); }

        @Override public void fatal(String message) {
            for (String l : message.split("\n")) if (!l.isEmpty()) log.warn("{}", l);
            exit.run();
        }
    }

    /** Runs r on the engine thread (directly when there is no event loop: unit tests). */
    void onEngine(Runnable r) {
        if (engine.loop != null) engine.loop.execute(r);
        else synchronized (pendingForTests) { pendingForTests.add(r); }
    }

    /** Engine tasks of an engine without a loop, run by {@link #runPendingForTests}. */
    private final List<Runnable> pendingForTests = new ArrayList<>();

    /** Tests: runs the writer notifications received so far on the calling (engine) thread. */
    void runPendingForTests() {
        List<Runnable> l;
        synchronized (pendingForTests) {
            l = new ArrayList<>(pendingForTests);
            pendingForTests.clear();
        }
        for (Runnable r : l) r.run();
    }

    // =====================================================================================
    // Feeding (engine thread)
    // =====================================================================================

    private boolean feeding() {
        if (replaying) return false;
        if (state == ON) return true;
        // Turning the AOF on: logged (to the temporary incr file) while the rewrite runs.
        return state == WAIT_REWRITE && rewrite != null;
    }

    private Scripting scripting;
    private ServerInfo serverInfo;

    private Scripting scripting() {
        Scripting sc = scripting;
        if (sc == null) scripting = sc = Scripting.of(engine);
        return sc;
    }

    /** Inside an EXEC or a script: writes are collected into one unit. */
    private boolean inUnit() { return engine.inExec || scripting().isRunning(); }

    /** A write listener: c.argv is the command in its propagation form. */
    void written(Client c, CommandSpec cmd) {
        if (!feeding()) {
            if (unitCount > 0 && !inUnit()) { unit.clear(); unitCount = 0; }
            return;
        }
        if (cmd == engine.multi.execCmd) {
            if (!engine.inExec) closeUnit();
            return;
        }
        if (Scripting.isScriptCommand(cmd)) {
            // The script's writes were logged one by one; EVAL itself never is.
            if (!inUnit()) closeUnit();
            return;
        }
        // Only writes are logged: PUBLISH is forced to replicas only, and a command that lowered
        // the dirty counter (DEBUG LOADAOF resets it) changed nothing to replay.
        if (!cmd.has(CommandFlags.WRITE)) return;
        if ((scripting().currentReplFlags() & Scripting.PROPAGATE_AOF) == 0) return;
        if (inUnit()) addToUnit(c.dbIndex, c.argv, c.argc);
        else feed(c.dbIndex, c.argv, c.argc);
    }

    /** An expired key is deleted in the log too. */
    void expired(Db db, byte[] key) {
        if (!feeding()) return;
        byte[][] argv = {engine.config.lazyfreeLazyExpire ? UNLINK : DEL, key};
        if (inUnit()) addToUnit(db.id, argv, 2);
        else feed(db.id, argv, 2);
    }

    private void timestamp(AofBuffer b) {
        long now = engine.nowMs() / 1000;
        if (curTimestamp < now) {
            curTimestamp = now;
            b.write(("#TS:" + now + "\r\n").getBytes(StandardCharsets.US_ASCII));
        }
    }

    void feed(int db, byte[][] argv, int argc) {
        if (timestamps) timestamp(buf);
        if (db != selectedDb) {
            buf.select(db);
            selectedDb = db;
        }
        buf.command(argv, argc);
        engine.requestBeforeSleep();
    }

    private void addToUnit(int db, byte[][] argv, int argc) {
        if (unitCount == 0) unitDb = selectedDb;
        if (db != unitDb) {
            unit.select(db);
            unitDb = db;
        }
        unit.command(argv, argc);
        unitCount++;
    }

    /** The end of an EXEC or script: its writes go to the log, inside MULTI/EXEC when several. */
    void closeUnit() {
        if (unitCount == 0) return;
        if (timestamps) timestamp(buf);
        boolean wrap = unitCount > 1;
        if (wrap) buf.command(MULTI, 1);
        buf.write(unit.array(), 0, unit.length());
        if (wrap) buf.command(EXEC, 1);
        selectedDb = unitDb;
        unit.clear();
        unitCount = 0;
        engine.requestBeforeSleep();
    }

    // =====================================================================================
    // Hand-off to the writer (beforeSleep) and held replies
    // =====================================================================================

    /** beforeSleep: hand the buffer over; hold replies that must wait for the writer. */
    void beforeSleep() {
        if (unitCount > 0 && !inUnit()) closeUnit();
        if (!buf.isEmpty()) handoff(false);
        if (lastSubmittedSeq > ackedSeq || !held.isEmpty()) holdReplies();
        for (int i = 0, n = released.size(); i < n; i++) released.get(i).releaseMark = -1;
        released.clear();
    }

    /**
     * Hands the buffer to the writer as one batch (flushAppendOnlyFile). Without force, under
     * everysec, a background fsync still running postpones it for up to two seconds.
     */
    void handoff(boolean force) {
        if (buf.isEmpty()) return;
        if (!force && policy == AofWriter.FSYNC_EVERYSEC && writer != null && writer.fsyncInProgress()) {
            long now = System.currentTimeMillis() / 1000;
            if (postponedStartSec == 0) {
                postponedStartSec = now;
                return;
            }
            if (now - postponedStartSec < 2) return;
            delayedFsync++;
            log.info("Asynchronous AOF fsync is taking too long (disk is busy?). Writing the AOF buffer without "
                + "waiting for fsync to complete, this may slow down Redis.");
        }
        postponedStartSec = 0;
        byte[] data = buf.take();
        long s = ++seq;
        if (!feeding()) return;
        boolean always = policy == AofWriter.FSYNC_ALWAYS;
        ServerInfo si = serverInfo;
        if (si == null) serverInfo = si = ServerInfo.of(engine);
        long sleep = si.aofFlushSleepMicros;
        writer.submit(new AofWriter.Batch(s, data, data.length, always, sleep));
        lastSubmittedSeq = s;
    }

    /**
     * Takes out of the flush list every client with output while some batch is not yet done by
     * the writer (its replies may acknowledge or reveal that batch). Each held client records
     * the newest batch its output depends on and the size of its output at that point; output
     * that grew since then depends on the batch just handed over (the newest), and a client
     * whose batch is done goes back to the flush list. The state lives in the Client's hold
     * fields, so holding costs no allocation per reply.
     */
    private void holdReplies() {
        boolean unsynced = lastSubmittedSeq > ackedSeq;
        List<Client> pending = engine.pendingFlushClients();
        int w = 0;
        for (int i = 0, n = pending.size(); i < n; i++) {
            Client c = pending.get(i);
            if (c.holdSeq != 0) {
                c.flushQueued = false;      // decided with the held set below
                continue;
            }
            if (unsynced && c.out != null && c.channel != null) {
                int idx = c.out.writerIndex();
                // A client just released, with nothing new since, goes out now.
                if (c.releaseMark != idx) {
                    c.holdSeq = lastSubmittedSeq;
                    c.holdMark = idx;
                    held.add(c);
                    c.flushQueued = false;
                    continue;
                }
            }
            pending.set(w++, c);
        }
        pending.subList(w, pending.size()).clear();
        for (int i = 0; i < held.size(); ) {
            Client c = held.get(i);
            int idx = c.out == null ? -1 : c.out.writerIndex();
            if (idx != c.holdMark) {
                c.holdSeq = lastSubmittedSeq;
                c.holdMark = idx;
            }
            if (c.holdSeq <= ackedSeq) {
                removeHeld(i);
                if (c.out != null && !c.flushQueued) {
                    c.flushQueued = true;
                    pending.add(c);
                }
            } else {
                i++;
            }
        }
    }

    /** Removes held.get(i) (order does not matter: each client is decided on its own). */
    private void removeHeld(int i) {
        Client c = held.get(i);
        c.holdSeq = 0;
        int last = held.size() - 1;
        held.set(i, held.get(last));
        held.remove(last);
    }

    /**
     * The writer finished batches up to s: release the replies that waited for them, unless the
     * client produced more output since (that output may depend on writes not handed over yet:
     * the next beforeSleep decides).
     */
    void onSynced(long s) {
        if (s > ackedSeq) ackedSeq = s;
        if (held.isEmpty()) return;
        boolean grown = false;
        for (int i = 0; i < held.size(); ) {
            Client c = held.get(i);
            if (c.holdSeq > ackedSeq) {
                i++;
                continue;
            }
            int idx = c.out == null ? -1 : c.out.writerIndex();
            if (idx != c.holdMark) {
                grown = true;
                i++;
                continue;
            }
            removeHeld(i);
            if (c.out != null) {
                c.releaseMark = idx;
                released.add(c);
                engine.queueFlush(c);
            }
        }
        if (grown) engine.requestBeforeSleep();
    }

    /**
     * Replies produced from now until the next hand-off wait until the writer has done every
     * operation submitted so far: a command that changed the files (manifest, incr file) answers
     * once the change is on disk, as Redis does it synchronously before replying.
     */
    void fenceReplies() {
        long s = ++seq;
        writer.submit(new AofWriter.Fence(s));
        lastSubmittedSeq = s;
        engine.requestBeforeSleep();
    }

    /** Clients currently holding replies (INFO, tests). */
    int heldClients() { return held.size(); }

    // =====================================================================================
    // Cron
    // =====================================================================================

    void cron() {
        ensureInstalled();
        if (writer != null) writer.skipFsync = noFsyncOnRewrite && childActive();
        if (engine.loading || replaying) return;
        if (state == ON && postponedStartSec != 0) handoff(false);
        if (!childActive() && rewriteScheduled && !rewriteLimited()) {
            startRewrite();
        } else if (state == ON && !childActive() && autoPercentage > 0 && writer != null
            && writer.currentSize > autoMinSize) {
            long base = writer.baseSize > 0 ? writer.baseSize : 1;
            long growth = writer.currentSize * 100 / base - 100;
            if (growth >= autoPercentage && !rewriteLimited()) {
                log.info("Starting automatic rewriting of AOF on {}% growth", growth);
                startRewrite();
            }
        }
    }

    /** aofRewriteLimited: after 3 consecutive failures, automatic rewrites wait 1, 2, 4 ... 60 minutes. */
    boolean rewriteLimited() {
        if (consecutiveFailures < LIMIT_THRESHOLD) {
            limitDelayMinutes = 0;
            limitNextSec = 0;
            return false;
        }
        long now = System.currentTimeMillis() / 1000;
        if (limitNextSec != 0) {
            if (now < limitNextSec) return true;
            limitNextSec = 0;
            return false;
        }
        limitDelayMinutes = limitDelayMinutes == 0 ? 1 : Math.min(LIMIT_MAX_MINUTES, limitDelayMinutes * 2);
        limitNextSec = now + limitDelayMinutes * 60L;
        log.warn("Background AOF rewrite has repeatedly failed and triggered the limit, will retry in {} minutes",
            limitDelayMinutes);
        return true;
    }

    // =====================================================================================
    // Rewrite (engine thread)
    // =====================================================================================

    /** BGREWRITEAOF. */
    void bgrewriteaof(Client c) {
        ensureInstalled();
        if (rewrite != null) {
            c.addError("ERR Background append only file rewriting already in progress");
        } else if (persistence.bgsaveInProgress() || engine.inExec) {
            rewriteScheduled = true;
            // A manual request lifts the throttling of failed automatic rewrites.
            consecutiveFailures = 0;
            c.addSimple("Background append only file rewriting scheduled");
        } else if (startRewrite()) {
            c.addSimple("Background append only file rewriting started");
        } else {
            c.addError("ERR Can't execute an AOF background rewriting. Please check the server logs for more information.");
        }
    }

    /** rewriteAppendOnlyFileBackground: false when it cannot start. */
    boolean startRewrite() {
        if (childActive()) return false;
        ensureWriter();
        // Everything before the snapshot belongs to the current incr file only.
        handoff(true);
        selectedDb = -1;
        // openNewIncrAofForAppend: from here on the log goes to a new incr file.
        if (state != OFF) {
            writer.submit(new AofWriter.OpenIncr(state == WAIT_REWRITE));
            fenceReplies();
        }
        boolean rdb = engine.config.aofUseRdbPreamble;
        Snapshot snap = Snapshot.take(engine, true);
        Rewrite r = new Rewrite(snap, rdb);
        rewrites++;
        rewriteScheduled = false;
        long ts = timestamps ? System.currentTimeMillis() / 1000 : -1;
        if (ts >= 0) curTimestamp = ts;
        r.incrementalFsync = confBool("aof-rewrite-incremental-fsync", true);
        Thread t = new Thread(() -> {
            org.redoubt.persistence.BackgroundPriority.lowerCurrentThread();
            runRewrite(r, ts);
        }, "redoubt-aof-rewrite");
        t.setDaemon(true);
        r.thread = t;
        // The child exists before BGREWRITEAOF replies, as after Redis's fork.
        Path dir = serverDir();
        r.child = ChildProcess.start(dir, "temp-rewriteaof-bg-", ".aof", () -> childDied(r));
        r.temp = r.child != null ? r.child.file() : dir.resolve("temp-rewriteaof-bg-" + ProcessHandle.current().pid() + ".aof");
        if (r.child != null) r.child.count(engine.stats);
        rewrite = r;
        t.start();
        log.info("Background append only file rewriting started by pid {}", r.pid());
        if (writer != null) writer.skipFsync = noFsyncOnRewrite;
        return true;
    }

    /** The rewrite's child ended before the rewrite did (killed): the rewrite thread stops now. */
    private static void childDied(Rewrite r) {
        r.abort.set(true);
        RdbSaver saver = r.saver;
        if (saver != null) saver.abort.set(true);
        Thread t = r.thread;
        if (t != null) t.interrupt();
    }

    /** The rewrite thread: serializes the snapshot into the temporary base (through the child) and fsyncs it. */
    private void runRewrite(Rewrite r, long timestampSec) {
        boolean[] complete = {true};
        AofWriter.BaseWriter body = out -> {
            if (r.rdb) {
                RdbSaver saver = new RdbSaver(r.snap, Codecs.standard());
                r.saver = saver;
                if (r.abort.get()) saver.abort.set(true);
                RdbOutput ro = new RdbOutput(out::write, r.snap.compress, r.snap.checksum);
                if (!saver.write(ro)) complete[0] = false;
                ro.flush();
            } else {
                if (!new AofRewriter(r.snap, out, r.abort).write(timestampSec)) complete[0] = false;
            }
        };
        boolean ok = false;
        int signal = 0;
        ChildProcess child = r.child;
        try {
            if (child == null) {
                AofWriter.writeBase(body, r.temp, r.incrementalFsync);
                ok = complete[0] && !r.abort.get();
            } else {
                IOException writeError = null;
                try {
                    AofWriter.writeBaseTo(body, child, r.incrementalFsync);
                    ok = complete[0] && !r.abort.get();
                } catch (IOException e) {
                    writeError = e;     // a broken pipe when the child was killed
                }
                ChildProcess.Exit exit;
                if (ok) {
                    exit = child.finish();
                } else {
                    if (r.abort.get() && child.alive() && !child.killedByUs()) child.kill();
                    exit = child.abandon();
                }
                ok = ok && exit.ok();
                signal = exit.signal();
                if (!ok && signal == 0 && !child.killedByUs()) {
                    String why = writeError != null ? AofFiles.strerror(writeError)
                        : exit.stderr().isEmpty() ? "rewrite child exited with " + exit.code() : exit.stderr();
                    log.warn("Write error writing append only file on disk: {}", why);
                }
            }
            if (ok) log.info("Successfully created the temporary AOF base file {}", r.temp.getFileName());
        } catch (IOException | RuntimeException e) {
            ok = false;
            // A cancelled rewrite (killRewrite interrupts the thread) is not a write error.
            if (!r.abort.get()) {
                log.warn("Write error writing append only file on disk: {}", e instanceof IOException io ? AofFiles.strerror(io) : e.toString());
            }
        }
        if (!ok) {
            try { Files.deleteIfExists(r.temp); } catch (IOException ignored) { }
        }
        boolean done = ok;
        int sig = signal;
        onEngine(() -> rewriteDone(r, done, sig));
    }

    /** The rewrite thread finished (engine thread): backgroundRewriteDoneHandler. */
    private void rewriteDone(Rewrite r, boolean ok, int signal) {
        if (rewrite != r) {
            // Cancelled meanwhile: a base completed all the same is of no use.
            if (ok && writer != null) writer.submit(new AofWriter.Delete(r.temp));
            return;
        }
        if (ok) {
            log.info("Background AOF rewrite terminated with success");
            r.finishing = true;
            writer.submit(new AofWriter.Switch(r.temp, r.rdb, autoGc));
            return;
        }
        if (signal != 0) log.warn("Background AOF rewrite terminated by signal {}", signal);
        else log.warn("Background AOF rewrite terminated with error");
        // The writer removes the temp files, in order: a next rewrite's new files come after.
        writer.submit(new AofWriter.Abandon(r.temp));
        rewriteFailed(r);
    }

    /** The writer finished (or failed) the end of the rewrite. */
    private void switchDone(boolean ok) {
        Rewrite r = rewrite;
        if (r == null) return;
        rewrite = null;
        rewriteTimeLastSec = System.currentTimeMillis() / 1000 - r.startSec;
        if (ok) {
            lastRewriteOk = true;
            consecutiveFailures = 0;
            log.info("Background AOF rewrite finished successfully");
            if (state == WAIT_REWRITE) state = ON;
            return;
        }
        rewriteFailed(r);
    }

    /**
     * The failure end of backgroundRewriteDoneHandler (engine thread; the writer removes the
     * files): the rewrite is over, and when it was turning the AOF on, its temporary incr file
     * goes away with what was collected for it (the next rewrite's snapshot carries those writes)
     * and the rewrite is retried.
     */
    private void rewriteFailed(Rewrite r) {
        if (rewrite == r) rewrite = null;
        rewriteTimeLastSec = System.currentTimeMillis() / 1000 - r.startSec;
        lastRewriteOk = false;
        consecutiveFailures++;
        if (state == WAIT_REWRITE) {
            log.info("Removing the temp incr aof file {} in the background", AofManifest.tempIncrName(engine.config.appendfilename));
            buf.clear();
            selectedDb = -1;
            rewriteScheduled = true;
        }
    }

    /** The writer could not open the rewrite's new incr file: the rewrite cannot count (Redis refuses to start it). */
    private void openIncrFailed() {
        Rewrite r = rewrite;
        if (r == null || r.finishing) return;
        killRewrite();
        lastRewriteOk = false;
        if (state == WAIT_REWRITE) rewriteScheduled = true;
    }

    /** killAppendOnlyChild: stops a running rewrite (not one whose end the writer is already handling). */
    void killRewrite() {
        Rewrite r = rewrite;
        if (r == null || r.finishing) return;
        log.info("Killing running AOF rewrite child: {}", r.pid());
        r.abort.set(true);
        RdbSaver saver = r.saver;
        if (saver != null) saver.abort.set(true);
        if (r.child != null) r.child.kill();
        Thread t = r.thread;
        if (t != null) t.interrupt();
        rewrite = null;
        rewriteTimeLastSec = System.currentTimeMillis() / 1000 - r.startSec;
    }

    // =====================================================================================
    // appendonly yes|no at runtime
    // =====================================================================================

    private void appendonlyChanged() {
        boolean want = engine.config.appendonly;
        if (!want && state != OFF) {
            stopAppendOnly();
        } else if (want && state == OFF) {
            if (!startAppendOnly()) throw new IllegalStateException("Unable to turn on AOF. Check server logs.");
        }
    }

    void stopAppendOnly() {
        ensureWriter();
        handoff(true);
        writer.submit(new AofWriter.Stop());
        fenceReplies();
        state = OFF;
        selectedDb = -1;
        rewriteScheduled = false;
        killRewrite();
        buf.clear();
        unit.clear();
        unitCount = 0;
    }

    boolean startAppendOnly() {
        ensureInstalled();
        state = WAIT_REWRITE;
        if (persistence.bgsaveInProgress()) {
            rewriteScheduled = true;
            log.warn("AOF was enabled but there is already another background operation. An AOF background was "
                + "scheduled to start when possible.");
        } else if (engine.inExec) {
            rewriteScheduled = true;
            log.warn("AOF was enabled during a transaction. An AOF background was scheduled to start when possible.");
        } else {
            if (rewrite != null && !rewrite.finishing) {
                log.warn("AOF was enabled but there is already an AOF rewriting in background. Stopping background "
                    + "AOF and starting a rewrite now.");
                killRewrite();
            }
            if (!startRewrite()) {
                state = OFF;
                log.warn("Redis needs to enable the AOF but can't trigger a background AOF rewrite operation. Check "
                    + "the above logs for more info about the error.");
                return false;
            }
        }
        if (writer.writeError != null || writer.fsyncError != null) {
            log.warn("AOF reopen, just ignore the last error.");
            writer.writeError = null;
            writer.fsyncError = null;
        }
        return true;
    }

    // =====================================================================================
    // Start-up loading (loader thread) and DEBUG LOADAOF (engine thread)
    // =====================================================================================

    /**
     * loadDataFromDisk with appendonly yes, run on the persistence loader thread: manifest,
     * upgrade of an old single-file AOF, replay, then the log is opened. Exits on failure.
     */
    void loadAtStartup() {
        CompletableFuture<Void> installedF = new CompletableFuture<>();
        onEngine(() -> {
            ensureInstalled();
            installedF.complete(null);
        });
        installedF.join();
        Path dir = aofDir();
        String name = engine.config.appendfilename;
        AofManifest am;
        try {
            am = readManifest(dir, name);
            upgradeIfNeeded(am, dir, name);
        } catch (AofManifest.ManifestException e) {
            for (String l : manifestErrorText(e).split("\n")) if (!l.isEmpty()) log.warn("{}", l);
            exit.run();
            throw new IllegalStateException("AOF manifest error");
        } catch (IOException e) {
            log.warn("Fatal error: can't open the AOF manifest file for reading: {}", AofFiles.strerror(e));
            exit.run();
            throw new IllegalStateException("AOF manifest error");
        }
        if (am.isEmpty()) {
            // Nothing to load: the log opens at once; writes made meanwhile queue behind its start.
            onEngineGet(() -> {
                openLog(am, null);
                return null;
            });
            return;
        }
        // A real log to replay: the server may accept clients now (they get -LOADING meanwhile).
        org.redoubt.persistence.Persistence.of(engine).startupLoadUnderway.complete(null);
        long start = System.nanoTime();
        Semaphore inFlight = new Semaphore(8);
        AofLoader.Replay replay = onEngineGet(() -> new AofLoader.Replay(engine));
        int keyLoadDelay = (int) confLong("key-load-delay", 0);
        AofLoader loader = new AofLoader(engine, dir, name, loadTruncated, step -> {
            inFlight.acquire();
            onEngine(() -> {
                try {
                    replayStep(step);
                } finally {
                    inFlight.release();
                }
            });
        }, replay, progress);
        loader.keyLoadDelay = keyLoadDelay;
        int ret;
        try {
            ret = loader.loadAll(am);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            ret = AofLoader.FAILED;
        }
        if (ret == AofLoader.FAILED || ret == AofLoader.OPEN_ERR) {
            exit.run();
            throw new IllegalStateException("AOF loading failed");
        }
        // Every replay step runs before the log is opened.
        onEngineGet(() -> null);
        if (ret != AofLoader.NOT_EXIST) {
            log.info("DB loaded from append only file: {} seconds", AofLoader.seconds(start));
        }
        CompletableFuture<Void> opened = new CompletableFuture<>();
        onEngine(() -> openLog(am, opened));
        opened.join();
    }

    private <T> T onEngineGet(java.util.function.Supplier<T> s) {
        CompletableFuture<T> f = new CompletableFuture<>();
        onEngine(() -> {
            try {
                f.complete(s.get());
            } catch (RuntimeException e) {
                f.completeExceptionally(e);
            }
        });
        return f.join();
    }

    /** aofOpenIfNeededOnServerStart (engine thread): the writer opens the log; done completes when it is open. */
    private void openLog(AofManifest am, CompletableFuture<Void> done) {
        ensureWriter();
        state = ON;
        selectedDb = -1;
        events.started = done;
        boolean rdb = engine.config.aofUseRdbPreamble;
        // Only an empty manifest needs a base, written from the (then empty) dataset.
        Snapshot empty = am.isEmpty() ? Snapshot.take(engine, true) : null;
        Path temp = serverDir().resolve("temp-rewriteaof-" + ProcessHandle.current().pid() + ".aof");
        AofWriter.BaseWriter base = empty == null ? null : out -> {
            if (rdb) {
                RdbOutput ro = new RdbOutput(out::write, empty.compress, empty.checksum);
                new RdbSaver(empty, Codecs.standard()).write(ro);
                ro.flush();
            } else {
                new AofRewriter(empty, out, new AtomicBoolean()).write(timestamps ? System.currentTimeMillis() / 1000 : -1);
            }
        };
        writer.submit(new AofWriter.Start(aofDir(), engine.config.appendfilename, am, true, rdb, base, temp));
        if (autoGc) writer.submit(new AofWriter.Gc());
    }

    private final WriterEvents events = new WriterEvents();

    /** The lines Redis logs for a bad manifest. */
    static String manifestErrorText(AofManifest.ManifestException e) {
        StringBuilder sb = new StringBuilder("\n*** FATAL AOF MANIFEST FILE ERROR ***\n");
        if (e.line != null) {
            sb.append("\nReading the manifest file, at line ").append(e.lineNumber).append('\n');
            sb.append("\n>>> '").append(e.line).append("'\n");
        }
        return sb.append('\n').append(e.getMessage()).append('\n').toString();
    }

    static AofManifest readManifest(Path dir, String name) throws IOException, AofManifest.ManifestException {
        Path mp = dir.resolve(AofManifest.manifestName(name));
        if (!Files.isDirectory(dir) || !Files.exists(mp)) return new AofManifest();
        return AofManifest.load(mp);
    }

    /**
     * An old single-file AOF in the data directory moves into the AOF directory as the base of
     * a new manifest (aofUpgradePrepare), when the directory or manifest do not know it yet.
     */
    private void upgradeIfNeeded(AofManifest am, Path dir, String name) throws IOException {
        Path old = serverDir().resolve(name);
        if (!Files.exists(old)) return;
        boolean upgrade = !Files.isDirectory(dir)
            || am.isEmpty()
            || (am.base != null && am.incrs.isEmpty() && am.base.name.equals(name) && !Files.exists(dir.resolve(name)));
        if (!upgrade) return;
        Files.createDirectories(dir);
        am.base = new AofManifest.Entry(name, 1, AofManifest.TYPE_BASE);
        am.baseSeq = 1;
        AofFiles.writeAtomically(dir.resolve(AofManifest.manifestName(name)),
            dir.resolve(AofManifest.tempManifestName(name)), am.toString());
        Files.move(old, dir.resolve(name), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        AofFiles.fsyncDir(dir);
        log.info("Successfully migrated an old-style AOF file ({}) into the AOF directory ({}).", name, dir.getFileName());
    }

    /** The client of a DEBUG LOADAOF in progress (it waits, paused, for its reply). */
    private Client loadaofClient;

    /**
     * DEBUG LOADAOF: flush, empty the dataset, replay the files. Redis blocks in the command and
     * processes events meanwhile (other clients get -LOADING, a slow script in the log logs and
     * polls); here the calling client is paused while a loader thread reads the files and the
     * engine thread replays them as loop tasks between other work, with the dataset marked as
     * loading, and the reply goes out when the last file is done. Inside MULTI/EXEC, or without
     * an event loop, it runs to completion on the spot.
     */
    void debugLoadaof(Client c) {
        ensureInstalled();
        if (loadaofClient != null || (replaying && engine.loading)) {
            c.addError("ERR Error trying to load the AOF files: already loading");
            return;
        }
        if (state == ON) handoff(true);
        if (!engine.canDeferReply(c)) {
            debugLoadaofNow(c);
            return;
        }
        CompletableFuture<AofManifest> mf = new CompletableFuture<>();
        // Ordered behind the batch just handed over: the files are complete when it is read.
        writer.submit(new AofWriter.ReloadManifest(aofDir(), engine.config.appendfilename, mf));
        for (int i = 0; i < engine.dbCount(); i++) engine.db(i).clear();
        boolean wasLoading = engine.loading;
        engine.loading = true;
        replaying = true;
        loadaofClient = c;
        c.flags |= Client.F_PAUSED;
        AofLoader.Replay replay = new AofLoader.Replay(engine);
        int keyLoadDelay = (int) confLong("key-load-delay", 0);
        Path dir = aofDir();
        String name = engine.config.appendfilename;
        boolean truncatedOk = loadTruncated;
        Thread t = new Thread(() -> {
            int ret;
            try {
                AofManifest am = mf.join();
                Semaphore inFlight = new Semaphore(8);
                AofLoader loader = new AofLoader(engine, dir, name, truncatedOk, step -> {
                    inFlight.acquire();
                    onEngine(() -> {
                        try {
                            replayStep(step);
                        } finally {
                            inFlight.release();
                        }
                    });
                }, replay, progress);
                loader.keyLoadDelay = keyLoadDelay;
                ret = loader.loadAll(am);
            } catch (InterruptedException e) {
                ret = AofLoader.FAILED;
            } catch (RuntimeException e) {
                log.warn("Can't reload the AOF manifest: {}", e.getMessage());
                ret = AofLoader.FAILED;
            }
            int result = ret;
            // Loop tasks run in order: this one comes after every replay step.
            onEngine(() -> debugLoadaofDone(c, result, wasLoading));
        }, "redoubt-aof-loadaof");
        t.setDaemon(true);
        t.start();
    }

    /** The end of an asynchronous DEBUG LOADAOF (engine thread): the reply, and the client goes on. */
    private void debugLoadaofDone(Client c, int ret, boolean wasLoading) {
        engine.loading = wasLoading;
        replaying = false;
        loadaofClient = null;
        selectedDb = -1;
        if (ret != AofLoader.OK && ret != AofLoader.EMPTY && ret != AofLoader.TRUNCATED && ret != AofLoader.NOT_EXIST) {
            exit.run();
            c.addError("ERR Error trying to load the AOF files");
        } else {
            engine.dirty = 0;
            log.warn("Append Only File loaded by DEBUG LOADAOF");
            c.addOk();
        }
        engine.resumeDeferred(c);
    }

    /**
     * One replay step as a loop task. Not being inside the I/O handler, a script of the log that
     * runs past busy-reply-threshold may poll the other clients (they get -LOADING), as Redis
     * processes events during a slow script while loading.
     */
    void replayStep(Runnable step) {
        Scripting sc = scripting();
        sc.replayMayPollIo = true;
        try {
            step.run();
        } finally {
            sc.replayMayPollIo = false;
        }
    }

    /** DEBUG LOADAOF run to completion on the engine thread (inside EXEC, or without an event loop). */
    private void debugLoadaofNow(Client c) {
        writer.drain(false);
        CompletableFuture<AofManifest> mf = new CompletableFuture<>();
        writer.submit(new AofWriter.ReloadManifest(aofDir(), engine.config.appendfilename, mf));
        AofManifest am;
        try {
            am = mf.join();
        } catch (RuntimeException e) {
            log.warn("Can't reload the AOF manifest: {}", e.getMessage());
            exit.run();
            c.addError("ERR Error trying to load the AOF files");
            return;
        }
        for (int i = 0; i < engine.dbCount(); i++) engine.db(i).clear();
        LinkedBlockingQueue<Runnable> steps = new LinkedBlockingQueue<>(16);
        int[] result = {AofLoader.OK};
        Runnable end = () -> { };
        boolean wasLoading = engine.loading;
        engine.loading = true;
        replaying = true;
        AofLoader.Replay replay = new AofLoader.Replay(engine);
        AofLoader loader = new AofLoader(engine, aofDir(), engine.config.appendfilename, loadTruncated,
            steps::put, replay, progress);
        Thread t = new Thread(() -> {
            try {
                result[0] = loader.loadAll(am);
            } catch (InterruptedException e) {
                result[0] = AofLoader.FAILED;
            } finally {
                try {
                    steps.put(end);
                } catch (InterruptedException ignored) {
                    Thread.currentThread().interrupt();
                }
            }
        }, "redoubt-aof-loadaof");
        t.start();
        try {
            while (true) {
                Runnable s = steps.take();
                if (s == end) break;
                s.run();
            }
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            engine.loading = wasLoading;
            replaying = false;
        }
        selectedDb = -1;
        int ret = result[0];
        if (ret != AofLoader.OK && ret != AofLoader.EMPTY && ret != AofLoader.TRUNCATED && ret != AofLoader.NOT_EXIST) {
            exit.run();
            c.addError("ERR Error trying to load the AOF files");
            return;
        }
        engine.dirty = 0;
        log.warn("Append Only File loaded by DEBUG LOADAOF");
        c.addOk();
    }

    // =====================================================================================
    // Shutdown, MISCONF, INFO
    // =====================================================================================

    /** prepareForShutdown's AOF part. */
    boolean beforeExit(int flags) {
        if (state == OFF) return true;
        if (rewrite != null && !rewrite.finishing) {
            if (state == WAIT_REWRITE) {
                if ((flags & Engine.SHUTDOWN_FORCE) != 0) {
                    log.warn("Writing initial AOF. Exit anyway.");
                } else {
                    log.warn("Writing initial AOF, can't exit.");
                    return false;
                }
            }
            log.warn("There is a child rewriting the AOF. Killing it!");
            killRewrite();
        }
        log.info("Calling fsync() on the AOF file.");
        if (unitCount > 0) closeUnit();
        handoff(true);
        if (writer != null) writer.drain(true);
        return true;
    }

    /** The last write or background fsync error, or null. */
    String diskError() {
        if (state == OFF || writer == null) return null;
        String e = writer.writeError;
        return e != null ? e : writer.fsyncError;
    }

    /** writeCommandsDeniedByDiskError for the AOF: writes (and PING) are refused after a write error. */
    boolean allow(Client c, CommandSpec cmd) {
        // The config hooks (CONFIG SET appendonly ...) must be in place before the first command.
        if (!installed) ensureInstalled();
        String err = diskError();
        if (err == null) return true;
        if (!cmd.has(CommandFlags.WRITE) && !cmd.name.equals("ping")) return true;
        if (c.has(Client.F_MASTER)) return true;
        c.addError(MISCONF_PREFIX + err);
        cmd.rejectedCalls++;
        return false;
    }

    boolean info(String section, StringBuilder sb) {
        if (section.equals("memory")) {
            long mem = buf.length() + unit.length();
            line(sb, "mem_aof_buffer", mem);
            return true;
        }
        if (!section.equals("persistence")) return false;
        long now = System.currentTimeMillis() / 1000;
        Rewrite r = rewrite;
        line(sb, "aof_enabled", state != OFF ? 1 : 0);
        line(sb, "aof_rewrite_in_progress", r != null ? 1 : 0);
        line(sb, "aof_rewrite_scheduled", rewriteScheduled ? 1 : 0);
        line(sb, "aof_last_rewrite_time_sec", rewriteTimeLastSec);
        line(sb, "aof_current_rewrite_time_sec", r == null ? -1 : now - r.startSec);
        line(sb, "aof_last_bgrewrite_status", lastRewriteOk ? "ok" : "err");
        line(sb, "aof_rewrites", rewrites);
        line(sb, "aof_rewrites_consecutive_failures", consecutiveFailures);
        line(sb, "aof_last_write_status", diskError() == null ? "ok" : "err");
        line(sb, "aof_last_cow_size", 0);
        if (engine.config.appendonly) {
            AofWriter w = writer;
            line(sb, "aof_current_size", w == null ? 0 : w.currentSize);
            line(sb, "aof_base_size", w == null ? 0 : w.baseSize);
            line(sb, "aof_pending_rewrite", rewriteScheduled ? 1 : 0);
            line(sb, "aof_buffer_length", buf.length());
            line(sb, "aof_pending_bio_fsync", w == null ? 0 : w.fsyncPendingCount());
            line(sb, "aof_delayed_fsync", delayedFsync);
        }
        if (progress.active) {
            long total = progress.totalBytes, loaded = progress.loadedBytes;
            double perc = total == 0 ? 0 : (double) loaded / total * 100;
            long elapsed = now - progress.startSec;
            long eta = elapsed == 0 ? 1 : elapsed * Math.max(1, total - loaded) / (loaded + 1);
            line(sb, "loading_start_time", progress.startSec);
            line(sb, "loading_total_bytes", total);
            line(sb, "loading_rdb_used_mem", 0);
            line(sb, "loading_loaded_bytes", loaded);
            line(sb, "loading_loaded_perc", String.format(Locale.ROOT, "%.2f", perc));
            line(sb, "loading_eta_seconds", eta);
        }
        return true;
    }

    private static void line(StringBuilder sb, String field, Object value) {
        sb.append(field).append(':').append(value).append("\r\n");
    }
}
