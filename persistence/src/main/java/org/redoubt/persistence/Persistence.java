package org.redoubt.persistence;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.redoubt.engine.Client;
import org.redoubt.engine.Engine;
import org.redoubt.engine.command.CommandFlags;
import org.redoubt.engine.command.CommandSpec;
import org.redoubt.engine.db.CowMap;
import org.redoubt.engine.db.Db;
import org.redoubt.engine.info.MemoryEstimator;
import org.redoubt.engine.info.ServerInfo;
import org.redoubt.persistence.rdb.Codecs;
import org.redoubt.persistence.rdb.LoadContext;
import org.redoubt.persistence.rdb.RdbException;
import org.redoubt.persistence.rdb.RdbInput;
import org.redoubt.persistence.rdb.RdbLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * RDB persistence of one engine: SAVE, BGSAVE and save points, loading at start-up, the final
 * save at shutdown, stop-writes-on-bgsave-error, and the persistence section of INFO (Redis's
 * rdb.c state in server.c). One instance per engine ({@link #of}); other modules (AOF,
 * replication) reach it there to take snapshots or to learn whether a save is running.
 *
 * <h2>Implementation notes</h2>
 *
 * <h3>Fork-less background saves</h3>
 * BGSAVE takes a {@link Snapshot} (O(1): a frozen root per map and a new snapshot epoch) and
 * starts a saver thread that writes it with {@link RdbSaver}; the engine keeps serving
 * meanwhile. The saver reads only the snapshot. Its result is handed back to the engine thread
 * ({@code engine.loop.execute}), where the counters (dirty, lastsave, status) are updated, so
 * every field here is engine-thread-only except the saver's progress counter and the loading
 * progress, which are volatile/atomic.
 *
 * <h3>Copy-on-write accounting</h3>
 * While a snapshot is being written, the first modification of a key retains its old value for
 * the snapshot's sake: {@link CowTracker} adds that value's estimated size once per key
 * (current_cow_size, rdb_last_cow_size). This is the extra memory the save costs, the figure
 * Redis reports for a forked child's copied pages.
 *
 * <h3>Loading at start-up</h3>
 * The file is read on a loader thread into fresh databases while the engine answers LOADING
 * (INFO reports progress); the databases are swapped in on the engine thread once the whole
 * file has loaded and its checksum matched. A truncated or corrupted file stops the server with
 * a message naming the file and the offset, as Redis refuses to start on a bad RDB.
 */
public final class Persistence {
    private static final Logger log = LoggerFactory.getLogger(Persistence.class);

    static final long LRU_CLOCK_MAX = (1 << 24) - 1;
    static final int LFU_INIT_VAL = 5;
    /** CONFIG_BGSAVE_RETRY_DELAY: seconds before a failed BGSAVE is retried by save points. */
    static final int BGSAVE_RETRY_DELAY = 5;
    /** Redis's shared.bgsaveerr. */
    public static final String MISCONF = "MISCONF Redis is configured to save RDB snapshots, but it's currently unable "
        + "to persist to disk. Commands that may modify the data set are disabled, because this instance is "
        + "configured to report errors during writes if RDB snapshotting fails (stop-writes-on-bgsave-error "
        + "option). Please check the Redis logs for details about the RDB error.";

    private static final Map<Engine, Persistence> BY_ENGINE = Collections.synchronizedMap(new WeakHashMap<>());

    /** The persistence state of an engine (created on first use). */
    public static Persistence of(Engine e) {
        synchronized (BY_ENGINE) {
            Persistence p = BY_ENGINE.get(e);
            if (p == null) BY_ENGINE.put(e, p = new Persistence(e));
            return p;
        }
    }

    // =====================================================================================
    // Hooks other modules fill in
    // =====================================================================================

    /** The function libraries (FUNCTION), supplied by the scripting module. */
    public interface FunctionLibraries {
        /** The code of every library, in a stable order (engine thread). */
        List<byte[]> codes();

        /** Removes every library (before a full reload). */
        void clear();

        /** Creates a library from its code; null on success, else an error message. */
        String load(byte[] code, boolean replace);
    }

    /** Replication identity written in AUX fields (repl-id, repl-offset, repl-stream-db). */
    public record ReplicationInfo(String replId, long offset, int streamDb) {}

    public FunctionLibraries functions;
    /**
     * The replication identity found in the AUX fields of the file loaded at start-up (repl-id,
     * repl-offset, repl-stream-db), or null: the replication module may continue from it, as
     * Redis does to allow partial resynchronizations after a restart.
     */
    public ReplicationInfo loadedReplicationInfo;
    /** Supplies replication info for the AUX fields, or null (no replication: none written). */
    public Supplier<ReplicationInfo> replicationInfo;
    /** True while another background job (an AOF rewrite) is running: BGSAVE must wait. */
    public BooleanSupplier otherChildActive = () -> false;
    /**
     * Loads the dataset at start-up when appendonly is yes (the AOF module installs it; it runs
     * instead of the RDB load). Returns normally when done, throws to stop the server.
     */
    public Runnable aofStartupLoader;
    /** Libraries read from a file while no FunctionLibraries was installed: kept and saved again. */
    private List<byte[]> keptFunctions = new ArrayList<>();

    // =====================================================================================
    // State (engine thread)
    // =====================================================================================

    final Engine engine;
    final Codecs codecs = Codecs.standard();
    long lastSaveSec;
    boolean lastBgsaveOk = true;
    long lastBgsaveTrySec;
    long rdbSaves;
    long lastBgsaveTimeSec = -1;
    long lastCowSize;
    boolean bgsaveScheduled;
    BgSave current;
    long lastLoadKeysLoaded, lastLoadKeysExpired;
    final CowTracker cow = new CowTracker();
    /** Completions of background saves of an engine without an event loop (unit tests). */
    private final ConcurrentLinkedQueue<Runnable> pending = new ConcurrentLinkedQueue<>();

    /**
     * Completes once the start-up load is over, or is reading a non-empty dataset: the server
     * binds its listeners then (clients connecting during a real load get -LOADING).
     */
    public final java.util.concurrent.CompletableFuture<Void> startupLoadUnderway = new java.util.concurrent.CompletableFuture<>();

    // ---- loading progress (written by the loader thread, read by INFO)
    volatile boolean loadingFile;
    volatile long loadingStartSec, loadingTotalBytes, loadingLoadedBytes;
    volatile EngineLoader.LoadStats loadingStats;

    private Persistence(Engine e) {
        this.engine = e;
        this.lastSaveSec = e.startTimeMs / 1000;
        preloadSavePath();
    }

    /**
     * Loads and initializes the classes of a background job's start from another thread, so the
     * first BGSAVE does not pay class loading on the engine thread (measured ~1.3 ms at 5M keys,
     * against ~0.07 ms for later ones).
     */
    private static void preloadSavePath() {
        Thread t = new Thread(() -> {
            ClassLoader cl = Persistence.class.getClassLoader();
            for (String n : new String[] {"org.redoubt.persistence.Snapshot", "org.redoubt.persistence.RdbSaver",
                    "org.redoubt.persistence.RdbSaver$Result", "org.redoubt.persistence.ChildProcess",
                    "org.redoubt.persistence.Persistence$BgSave", "org.redoubt.persistence.BackgroundPriority",
                    "org.redoubt.persistence.rdb.SaveContext", "org.redoubt.engine.info.ServerInfo"}) {
                try {
                    Class.forName(n, true, cl);
                } catch (ClassNotFoundException | LinkageError ignored) {
                    // Only a warm-up: the class loads when first used instead.
                }
            }
        }, "redoubt-preload");
        t.setDaemon(true);
        t.start();
    }

    /** A background save in progress. */
    final class BgSave {
        final Snapshot snap;
        final RdbSaver saver;
        final long startSec = System.currentTimeMillis() / 1000;
        final long dirtyBefore;
        volatile Thread thread;
        /** The child process writing the file (null: written from the saver thread itself). */
        volatile ChildProcess child;
        /** Engine-thread time taken by the snapshot (INFO latest_fork_usec). */
        long snapshotMicros;

        BgSave(Snapshot snap, long dirtyBefore) {
            this.snap = snap;
            this.saver = new RdbSaver(snap, codecs);
            this.dirtyBefore = dirtyBefore;
        }
    }

    // =====================================================================================
    // Files and settings
    // =====================================================================================

    Path dir() {
        return Path.of(engine.config.dir).toAbsolutePath().normalize();
    }

    Path rdbFile() {
        return dir().resolve(engine.config.dbfilename);
    }

    /** A directive without a Config field (rdb-key-save-delay ...), from the config table. */
    long configLong(String name, long dflt) {
        String v = configString(name, null);
        if (v == null) return dflt;
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            return dflt;
        }
    }

    String configString(String name, String dflt) {
        if (engine.configTable == null) return dflt;
        try {
            String v = engine.configTable.get(name);
            return v == null ? dflt : v;
        } catch (RuntimeException e) {
            return dflt;
        }
    }

    List<byte[]> functionsForSave() {
        if (functions != null) return new ArrayList<>(functions.codes());
        return new ArrayList<>(keptFunctions);
    }

    public boolean bgsaveInProgress() { return current != null; }

    public long lastSaveSeconds() { return lastSaveSec; }

    /** stop-writes-on-bgsave-error: writes are refused after a failed save (writeCommandsDeniedByDiskError). */
    public boolean writesDenied() {
        return engine.config.stopWritesOnBgsaveError && engine.config.savePoints.length > 0 && !lastBgsaveOk;
    }

    // =====================================================================================
    // SAVE
    // =====================================================================================

    /**
     * rdbSave: writes the dataset now, on this (the engine) thread. A running BGSAVE must have
     * been stopped first (callers check). Returns true on success.
     */
    public boolean saveNow() {
        Snapshot snap = Snapshot.take(engine, false);
        long dirtyBefore = engine.dirty;
        RdbSaver.Result r = new RdbSaver(snap, codecs).saveToFile(dir(), engine.config.dbfilename);
        if (!r.ok()) {
            log.warn("{}", r.error());
            return false;
        }
        log.info("DB saved on disk");
        // Writes during an inline save are impossible: everything dirty is now on disk.
        engine.dirty -= Math.min(engine.dirty, dirtyBefore);
        lastSaveSec = System.currentTimeMillis() / 1000;
        lastBgsaveOk = true;
        return true;
    }

    // =====================================================================================
    // BGSAVE
    // =====================================================================================

    /** rdbSaveBackground: false when a save could not start (one is already running). */
    public boolean startBgsave() {
        return startBgsave(null);
    }

    /**
     * rdbSaveBackground. With {@code replyTo} (a BGSAVE caller the engine thread has paused), the
     * child is started by the save's own thread and the caller is answered "Background saving
     * started" on the engine thread once the child exists, as after Redis's fork: the engine
     * pays only the O(1) snapshot, not the process spawn (about a millisecond, more on a busy
     * machine). Without it (cron save points, inside EXEC, no event loop) the child is started
     * here, before returning. False when a save could not start (one is already running).
     */
    public boolean startBgsave(Client replyTo) {
        if (current != null || otherChildActive.getAsBoolean()) return false;
        rdbSaves++;
        lastBgsaveTrySec = System.currentTimeMillis() / 1000;
        long t0 = System.nanoTime();
        BgSave b = new BgSave(Snapshot.take(engine, false), engine.dirty);
        current = b;
        cow.start(b.snap);
        b.snapshotMicros = (System.nanoTime() - t0) / 1000;
        Path dir = dir();
        String name = engine.config.dbfilename;
        boolean spawnHere = replyTo == null;
        java.util.function.Supplier<ChildProcess> spawn = () -> ChildProcess.start(dir, "temp-", ".rdb", () -> childDied(b));
        Thread t = new Thread(() -> {
            BackgroundPriority.lowerCurrentThread();
            RdbSaver.Result r;
            try {
                ChildProcess child = b.child;
                if (!spawnHere) {
                    child = spawn.get();
                    b.child = child;
                    ChildProcess started = child;
                    onEngine(() -> childStarted(b, started, replyTo));
                }
                r = child != null ? b.saver.saveThroughChild(child, dir, name) : b.saver.saveToFile(dir, name);
            } catch (Throwable e) {
                r = RdbSaver.Result.failed("Background save failed: " + e);
            }
            RdbSaver.Result result = r;
            onEngine(() -> bgsaveDone(b, result));
        }, "redoubt-bgsave");
        t.setDaemon(true);
        b.thread = t;
        if (spawnHere) {
            // The child exists before this returns, as after Redis's fork.
            ChildProcess child = spawn.get();
            b.child = child;
            childStarted(b, child, null);
        }
        t.start();
        return true;
    }

    /** Engine thread: the save's child exists (or could not be started); answers the paused BGSAVE caller. */
    private void childStarted(BgSave b, ChildProcess child, Client replyTo) {
        if (child != null) {
            engine.stats.totalForks++;
            // latest_fork_usec is what Redis's main thread pays for fork: here the snapshot, plus
            // the spawn when the engine thread started the child itself.
            engine.stats.latestForkUsec = b.snapshotMicros + (replyTo == null ? child.spawnMicros : 0);
        }
        if (current == b) {
            log.info("Background saving started by pid {}", child != null ? child.pid() : ProcessHandle.current().pid());
        }
        if (replyTo != null) {
            replyTo.addSimple("Background saving started");
            engine.resumeDeferred(replyTo);
        }
    }

    /** The save's child process ended before the save did (killed): the saver must stop now. */
    private static void childDied(BgSave b) {
        b.saver.abort.set(true);
        Thread t = b.thread;
        if (t != null) t.interrupt();
    }

    private void onEngine(Runnable r) {
        if (engine.loop != null) engine.loop.execute(r);
        else pending.add(r);
    }

    /** backgroundSaveDoneHandlerDisk, on the engine thread. */
    void bgsaveDone(BgSave b, RdbSaver.Result r) {
        if (current != b) return;   // already handled (killed and waited for)
        current = null;
        if (r.signal() != 0) {
            log.warn("Background saving terminated by signal {}", r.signal());
            lastBgsaveOk = false;
        } else if (r.aborted() || b.saver.abort.get()) {
            log.warn("Background saving terminated by request");
        } else if (r.ok()) {
            log.info("Background saving terminated with success");
            engine.dirty -= Math.min(engine.dirty, b.dirtyBefore);
            lastSaveSec = System.currentTimeMillis() / 1000;
            lastBgsaveOk = true;
        } else {
            log.warn("{}", r.error());
            log.warn("Background saving error");
            lastBgsaveOk = false;
        }
        lastBgsaveTimeSec = System.currentTimeMillis() / 1000 - b.startSec;
        lastCowSize = cow.size;
        cow.stop();
        for (Runnable w : bgsaveWaiters) w.run();
        bgsaveWaiters.clear();
    }

    /** Callbacks run when the current background save ends (replication waits for it). */
    final List<Runnable> bgsaveWaiters = new ArrayList<>();

    /**
     * killRDBChild: stops a running background save without counting it as an error, and waits
     * for its thread so that its temp file is gone before anything else writes one.
     */
    public void killBgsave() {
        BgSave b = current;
        if (b == null) return;
        ChildProcess child = b.child;
        if (child != null) child.kill();
        b.saver.abort.set(true);
        b.thread.interrupt();
        try {
            b.thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (b.child == null) {   // re-read: the save's thread may have started one meanwhile
            try {
                Files.deleteIfExists(dir().resolve(RdbSaver.tempName(ProcessHandle.current().pid())));
            } catch (IOException ignored) {
                // The next save truncates it anyway.
            }
        }
        bgsaveDone(b, RdbSaver.Result.aborted(0, 0));
    }

    /** Waits for a running background save and applies its result (tests, SHUTDOWN). */
    public void awaitBgsave() {
        BgSave b = current;
        if (b != null) {
            try {
                b.thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        drainPending();
    }

    /** Runs completions queued by threads when the engine has no event loop (unit tests). */
    public void drainPending() {
        Runnable r;
        while ((r = pending.poll()) != null) r.run();
    }

    // =====================================================================================
    // Cron: save points and scheduled saves
    // =====================================================================================

    void cron() {
        drainPending();
        if (engine.loading || engine.shutdownRequested) return;
        if (current != null) {
            cow.sample();
            return;
        }
        if (otherChildActive.getAsBoolean()) return;
        long now = System.currentTimeMillis() / 1000;
        boolean retryOk = now - lastBgsaveTrySec > BGSAVE_RETRY_DELAY || lastBgsaveOk;
        if (bgsaveScheduled && retryOk) {
            bgsaveScheduled = false;
            startBgsave();
            return;
        }
        for (long[] sp : engine.config.savePoints) {
            if (engine.dirty >= sp[1] && now - lastSaveSec > sp[0] && retryOk) {
                log.info("{} changes in {} seconds. Saving...", sp[1], sp[0]);
                startBgsave();
                break;
            }
        }
    }

    // =====================================================================================
    // Shutdown
    // =====================================================================================

    /** prepareForShutdown's persistence part; false refuses the shutdown. */
    boolean beforeExit(int flags) {
        if (current != null) {
            log.warn("There is a child saving an .rdb. Killing it!");
            killBgsave();
        }
        // Never write a half-loaded (or not yet installed) dataset over the file on disk.
        if (engine.loading) return true;
        boolean save = (flags & Engine.SHUTDOWN_SAVE) != 0
            || (engine.config.savePoints.length > 0 && (flags & Engine.SHUTDOWN_NOSAVE) == 0);
        if (!save) return true;
        log.info("Saving the final RDB snapshot before exiting.");
        if (!saveNow()) {
            log.warn("Error trying to save the DB, can't exit.");
            return false;
        }
        return true;
    }

    // =====================================================================================
    // Loading
    // =====================================================================================

    /** Why a load failed, for the caller's message. */
    static final class LoadFailure extends Exception {
        LoadFailure(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * The settings a load reads, captured on the engine thread (or at start-up, before the
     * engine runs) so that a loader thread never reads the live configuration table.
     */
    record LoadSettings(boolean master, int keyLoadDelay, long progressInterval, boolean verifyChecksum,
                        boolean sanitize, long epoch) {}

    LoadSettings loadSettings() {
        return new LoadSettings(engine.config.replicaofHost == null, (int) configLong("key-load-delay", 0),
            Math.max(1024, configLong("loading-process-events-interval-bytes", 2 * 1024 * 1024)),
            engine.config.rdbchecksum && !ServerInfo.of(engine).skipChecksumValidation, sanitize(), engine.snapshotEpoch);
    }

    /** {@link #loadFile(Path, Db[], boolean, LoadSettings)} with the current settings (engine thread). */
    boolean loadFile(Path file, Db[] dbs, boolean allowDup) throws LoadFailure {
        return loadFile(file, dbs, allowDup, loadSettings());
    }

    /**
     * Reads file into dbs (see {@link EngineLoader}); updates the loading progress fields.
     * Returns false when the file does not exist.
     */
    boolean loadFile(Path file, Db[] dbs, boolean allowDup, LoadSettings set) throws LoadFailure {
        EngineLoader.LoadStats stats = new EngineLoader.LoadStats();
        long start = System.nanoTime();
        long size;
        InputStream in;
        try {
            size = Files.size(file);
            in = Files.newInputStream(file);
        } catch (NoSuchFileException e) {
            return false;
        } catch (AccessDeniedException e) {
            throw new LoadFailure("Fatal error loading the DB: Permission denied. Exiting.", e);
        } catch (IOException e) {
            throw new LoadFailure("Fatal error loading the DB: " + RdbSaver.message(e) + ". Exiting.", e);
        }
        loadingStats = stats;
        loadingStartSec = System.currentTimeMillis() / 1000;
        loadingTotalBytes = size;
        loadingLoadedBytes = 0;
        loadingFile = true;
        LoadContext ctx = new LoadContext(engine.config, set.epoch(), set.sanitize());
        EngineLoader target = new EngineLoader(engine, dbs, set.master(), allowDup, set.keyLoadDelay(), stats);
        try (in) {
            RdbInput rin = new RdbInput(in, size);
            rin.setProgress(off -> loadingLoadedBytes = off, set.progressInterval());
            RdbLoader.Result r = target.load(rin, codecs, ctx, set.verifyChecksum());
            loadingLoadedBytes = rin.offset();
            if (r.checksumDisabledInFile) log.warn("RDB file was saved with checksum disabled: no check performed.");
            if (r.emptyKeysSkipped > 0) {
                log.warn("Done loading RDB, keys loaded: {}, keys expired: {}, empty keys skipped: {}.",
                    stats.loaded, stats.expired, r.emptyKeysSkipped);
            } else {
                log.info("Done loading RDB, keys loaded: {}, keys expired: {}.", stats.loaded, stats.expired);
            }
        } catch (RdbException e) {
            throw new LoadFailure(describeLoadError(file, e), e);
        } catch (IOException e) {
            throw new LoadFailure("Fatal error loading the DB: " + RdbSaver.message(e) + ". Exiting.", e);
        } finally {
            loadingFile = false;
        }
        pendingSanitizations = ctx.sanitizations;
        pendingReplication = target.replId != null && target.replOffset != -1 && target.replStreamDb != -1
            ? new ReplicationInfo(target.replId, target.replOffset, target.replStreamDb) : null;
        lastLoadKeysLoaded = stats.loaded;
        lastLoadKeysExpired = stats.expired;
        pendingFunctions = target.functions;
        loadSeconds = (System.nanoTime() - start) / 1e9;
        return true;
    }

    /** Functions read by the last load, installed on the engine thread. */
    private List<byte[]> pendingFunctions = List.of();
    /** Deep sanitizations of the last load, added to INFO stats on the engine thread. */
    private long pendingSanitizations;
    private ReplicationInfo pendingReplication;
    private double loadSeconds;

    /** The log lines of a failed load, Redis's wording plus the file and offset. */
    static String describeLoadError(Path file, RdbException e) {
        String where = " (file " + file + ", offset " + e.offset + ")";
        return switch (e.kind) {
            case SHORT_READ -> "Short read or OOM loading DB. Unrecoverable error, aborting now.\n"
                + "Internal error in RDB reading offset " + e.offset + " -> " + e.getMessage() + where;
            case CHECKSUM -> e.getMessage() + "\n"
                + "Internal error in RDB reading offset " + e.offset + " -> RDB CRC error" + where;
            default -> "Internal error in RDB reading offset " + e.offset + " -> " + e.getMessage() + where;
        };
    }

    boolean sanitize() {
        return "yes".equalsIgnoreCase(configString("sanitize-dump-payload", "no"));
    }

    /** Installs the functions of the last load (engine thread). */
    /** Installs the libraries the last load read; returns the first library that failed, or null. */
    private String installFunctions(boolean replace) {
        engine.stats.dumpPayloadSanitizations += pendingSanitizations;
        pendingSanitizations = 0;
        List<byte[]> fs = pendingFunctions;
        pendingFunctions = List.of();
        if (functions == null) {
            if (!fs.isEmpty()) {
                log.warn("The RDB file contains {} function libraries; they are kept and saved again, "
                    + "but FUNCTION is not available in this build", fs.size());
            }
            keptFunctions = new ArrayList<>(fs);
            return null;
        }
        String first = null;
        for (byte[] code : fs) {
            String err = functions.load(code, replace);
            if (err != null) {
                log.warn("Failed loading library, {}", err);
                if (first == null) first = err;
            }
        }
        return first;
    }

    /**
     * loadDataFromDisk, asynchronously: engine.loading is set now; a loader thread reads the RDB
     * file into fresh databases; on success they are swapped in on the engine thread, then
     * {@code ready} runs there. A bad file stops the process with exit code 1.
     */
    public void loadAtStartup(Runnable ready) {
        if (engine.config.appendonly && aofStartupLoader != null) {
            engine.loading = true;
            Thread t = new Thread(() -> {
                try {
                    aofStartupLoader.run();
                } catch (RuntimeException e) {
                    fatal(e.getMessage() == null ? e.toString() : e.getMessage());
                    return;
                }
                onEngine(() -> {
                    engine.loading = false;
                    startupLoadUnderway.complete(null);
                    if (ready != null) ready.run();
                });
            }, "redoubt-loader");
            t.setDaemon(true);
            t.start();
            return;
        }
        if (engine.config.appendonly) {
            log.warn("appendonly is yes but no AOF loader is installed: loading the RDB file instead");
        }
        Path file = rdbFile();
        if (!Files.exists(file)) {
            onEngine(() -> {
                engine.loading = false;
                startupLoadUnderway.complete(null);
                if (ready != null) ready.run();
            });
            return;
        }
        engine.loading = true;
        startupLoadUnderway.complete(null);
        LoadSettings settings = loadSettings();
        Thread t = new Thread(() -> {
            Db[] fresh = new Db[engine.dbCount()];
            for (int i = 0; i < fresh.length; i++) fresh[i] = new Db(engine, i);
            boolean found;
            try {
                found = loadFile(file, fresh, false, settings);
            } catch (LoadFailure f) {
                for (String line : f.getMessage().split("\n")) log.error("{}", line);
                if (f.getCause() instanceof RdbException) logCheckReport(file);
                fatal("");
                return;
            } catch (RuntimeException | OutOfMemoryError e) {
                fatal("Short read or OOM loading DB. Unrecoverable error, aborting now. (" + e + ", file " + file + ")");
                return;
            }
            boolean loaded = found;
            onEngine(() -> {
                if (loaded) {
                    for (int i = 0; i < fresh.length; i++) engine.db(i).swapWith(fresh[i]);
                    installFunctions(false);
                    loadedReplicationInfo = pendingReplication;
                    log.info("DB loaded from disk: {} seconds", String.format(Locale.ROOT, "%.3f", loadSeconds));
                }
                engine.loading = false;
                if (ready != null) ready.run();
            });
        }, "redoubt-loader");
        t.setDaemon(true);
        t.start();
    }

    /** Exit code 1 with the message in the log (the server refuses to start). */
    public Runnable exitHook = () -> Runtime.getRuntime().exit(1);

    private void fatal(String message) {
        for (String line : message.split("\n")) if (!line.isEmpty()) log.error("{}", line);
        log.error("Terminating server after rdb file reading failure.");
        exitHook.run();
    }

    /** As Redis runs redis-check-rdb on a file that failed to load: its report goes to the log. */
    private static void logCheckReport(Path file) {
        java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();
        try (java.io.PrintStream ps = new java.io.PrintStream(buf, true, java.nio.charset.StandardCharsets.UTF_8)) {
            new CheckRdb(ps).check(file);
        } catch (RuntimeException e) {
            log.warn("RDB check of {} failed: {}", file, e.toString());
        }
        for (String line : buf.toString(java.nio.charset.StandardCharsets.UTF_8).split("\n")) {
            if (!line.isEmpty()) log.warn("{}", line);
        }
    }

    /**
     * DEBUG RELOAD [MERGE] [NOFLUSH] [NOSAVE], on the engine thread: save (unless NOSAVE), empty
     * the dataset (unless NOFLUSH), load the file back. Returns null or an error reply.
     */
    String debugReload(boolean merge, boolean flush, boolean save) {
        if (current != null) killBgsave();
        if (save && !saveNow()) return "ERR";
        Path file = rdbFile();
        Db[] target;
        if (flush) {
            target = new Db[engine.dbCount()];
            for (int i = 0; i < target.length; i++) target[i] = new Db(engine, i);
        } else {
            target = engine.dbs();
        }
        boolean wasLoading = engine.loading;
        engine.loading = true;
        try {
            if (!loadFile(file, target, merge)) return "ERR Error trying to load the RDB dump";
        } catch (LoadFailure f) {
            for (String line : f.getMessage().split("\n")) log.warn("{}", line);
            return "ERR Error trying to load the RDB dump";
        } finally {
            engine.loading = wasLoading;
        }
        if (flush) {
            for (int i = 0; i < target.length; i++) engine.db(i).swapWith(target[i]);
            if (functions != null) functions.clear();
        }
        // Without MERGE a library that already exists fails the load, as rdbFunctionLoad does
        // (only reachable with NOFLUSH: a flush emptied the libraries above).
        if (installFunctions(merge) != null && !merge) return "ERR Error trying to load the RDB dump";
        log.warn("DB reloaded by DEBUG RELOAD");
        return null;
    }

    // =====================================================================================
    // INFO
    // =====================================================================================

    boolean info(String section, StringBuilder sb) {
        if (!section.equals("persistence")) return false;
        long now = System.currentTimeMillis() / 1000;
        BgSave b = current;
        long processed = b == null ? 0 : b.saver.keysProcessed.get();
        long total = b == null ? 0 : b.snap.totalKeys;
        line(sb, "current_cow_peak", b == null ? 0 : cow.peak);
        line(sb, "current_cow_size", b == null ? 0 : cow.size);
        line(sb, "current_cow_size_age", b == null || cow.updatedSec == 0 ? 0 : now - cow.updatedSec);
        line(sb, "current_fork_perc", String.format(Locale.ROOT, "%.2f",
            b == null || total == 0 ? 0.0 : processed * 100.0 / total));
        line(sb, "current_save_keys_processed", processed);
        line(sb, "current_save_keys_total", total);
        line(sb, "rdb_changes_since_last_save", engine.dirty);
        line(sb, "rdb_bgsave_in_progress", b == null ? 0 : 1);
        line(sb, "rdb_last_save_time", lastSaveSec);
        line(sb, "rdb_last_bgsave_status", lastBgsaveOk ? "ok" : "err");
        line(sb, "rdb_last_bgsave_time_sec", lastBgsaveTimeSec);
        line(sb, "rdb_current_bgsave_time_sec", b == null ? -1 : now - b.startSec);
        line(sb, "rdb_saves", rdbSaves);
        line(sb, "rdb_last_cow_size", lastCowSize);
        line(sb, "rdb_last_load_keys_expired", lastLoadKeysExpired);
        line(sb, "rdb_last_load_keys_loaded", lastLoadKeysLoaded);
        if (engine.loading) {
            EngineLoader.LoadStats st = loadingStats;
            long totalBytes = loadingTotalBytes, loaded = loadingLoadedBytes;
            long usedMem = st == null ? 0 : st.usedMem;
            double perc = 0;
            long remaining = 1;
            if (totalBytes != 0) {
                perc = (double) loaded / totalBytes * 100;
                remaining = totalBytes - loaded;
            } else if (usedMem != 0) {
                perc = Math.min(99.99, (double) loaded / usedMem * 100);
                remaining = Math.max(1, usedMem - loaded);
            }
            long elapsed = now - loadingStartSec;
            long eta = elapsed == 0 ? 1 : elapsed * remaining / (loaded + 1);
            line(sb, "loading_start_time", loadingStartSec);
            line(sb, "loading_total_bytes", totalBytes);
            line(sb, "loading_rdb_used_mem", usedMem);
            line(sb, "loading_loaded_bytes", loaded);
            line(sb, "loading_loaded_perc", String.format(Locale.ROOT, "%.2f", perc));
            line(sb, "loading_eta_seconds", eta);
        }
        return true;
    }

    private static void line(StringBuilder sb, String field, Object value) {
        sb.append(field).append(':').append(value).append("\r\n");
    }

    // =====================================================================================
    // MISCONF
    // =====================================================================================

    /** The engine pre-check refusing writes (and PING) after a failed save, as processCommand. */
    boolean allow(Client c, CommandSpec cmd) {
        if (!writesDenied()) return true;
        boolean write = cmd.has(CommandFlags.WRITE)
            || (cmd == engine.multi.execCmd && c.mstate != null && (c.mstate.cmdFlags & CommandFlags.WRITE) != 0);
        if (!write && !cmd.name.equals("ping")) return true;
        if (c.has(Client.F_MASTER)) return true;
        engine.reject(c, cmd, MISCONF);
        return false;
    }

    // =====================================================================================
    // Copy-on-write accounting
    // =====================================================================================

    /**
     * Estimates the memory a running save retains: the first write to a key while the snapshot
     * is being written keeps the old value alive for the snapshot, once per key.
     */
    final class CowTracker implements Engine.KeyListener {
        private Snapshot snap;
        private final List<Set<Key>> seen = new ArrayList<>();
        long size, peak, updatedSec;

        void start(Snapshot s) {
            snap = s;
            size = peak = updatedSec = 0;
            seen.clear();
            for (int i = 0; i < s.mains.length; i++) seen.add(null);
        }

        void stop() {
            snap = null;
            seen.clear();
        }

        void sample() {
            if (size > peak) peak = size;
        }

        @Override
        public void modified(Db db, byte[] key) {
            Snapshot s = snap;
            if (s == null || db.id >= s.mains.length) return;
            CowMap m = s.mains[db.id];
            if (m == null) return;
            Set<Key> set = seen.get(db.id);
            if (set == null) seen.set(db.id, set = new HashSet<>());
            Key k = new Key(key);
            if (!set.add(k)) return;
            Object old = m.get(key);
            // The trie path copied by the write (a few small nodes) plus the retained value.
            long bytes = 64;
            if (old != null) bytes += MemoryEstimator.keyUsage(key, old, 5);
            size += bytes;
            if (size > peak) peak = size;
            updatedSec = System.currentTimeMillis() / 1000;
        }
    }

    /** A byte[] key for hash sets. */
    record Key(byte[] b) {
        @Override public boolean equals(Object o) { return o instanceof Key k && Arrays.equals(b, k.b); }

        @Override public int hashCode() { return CowMap.hash(b); }
    }
}
