package org.redoubt.persistence.aof;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.redoubt.persistence.ChildProcess;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The AOF's file side: one thread that owns every AOF file descriptor and the live manifest,
 * and performs, strictly in submission order, the operations the engine thread hands it —
 * appending batches of commands, starting the log, finishing a rewrite (the switch to the new
 * base and incr files), stopping. A second thread performs the background fsyncs of the
 * {@code everysec} policy (Redis's bio AOF fsync job), so that a slow fsync never delays the
 * next write, and closes replaced files after syncing them.
 *
 * <h2>Ordering and durability</h2>
 * Because operations run in order, a batch submitted after a rewrite started ({@link OpenIncr})
 * is written to the new incr file, and one submitted before it to the old one; the manifest
 * names a new file before anything is appended to it. Under {@code appendfsync always}
 * consecutive batches are written
 * with one write and made durable with one fdatasync (group commit); {@link Events#synced} then
 * tells the engine which batches are durable, and only then are the replies of their commands
 * released (see {@link Aof}).
 *
 * <p>State read by the engine thread (sizes, fsync in progress, error) is published through
 * volatile fields; everything else belongs to the writer thread.
 */
final class AofWriter {
    private static final Logger log = LoggerFactory.getLogger(AofWriter.class);
    static final int FSYNC_ALWAYS = 0, FSYNC_EVERYSEC = 1, FSYNC_NO = 2;

    /** Notifications to the engine; called on the writer thread (implementations post to the engine loop). */
    interface Events {
        /**
         * Batches up to seq are written (and, for always batches, fsynced unless fsync is off
         * during a background job): the replies that waited for them may go.
         */
        void synced(long seq);

        /** The log is open: sizes of all base+incr files and of the base. */
        void started(long currentSize, long baseSize);

        /**
         * A {@link Switch} was handled: on success the new base is in the manifest; on failure
         * the temp files are gone.
         */
        void rewriteSwitched(boolean ok, long currentSize, long baseSize);

        /** A rewrite could not open its new incr file: appending goes on in the previous one. */
        void openIncrFailed();

        /** An unrecoverable condition (Redis exits): the message is logged, the process must stop. */
        void fatal(String message);
    }

    /** Writes the content of a base file (a rewrite of a snapshot). */
    interface BaseWriter {
        void write(OutputStream out) throws IOException;
    }

    // ---- operations
    sealed interface Op permits Batch, Start, OpenIncr, Switch, Abandon, Stop, Barrier, Gc, ReloadManifest, Delete, Fence {}

    /** Commands to append. {@code always}: the engine waits for {@link Events#synced}. */
    record Batch(long seq, byte[] data, int len, boolean always, long sleepMicros) implements Op {}

    /**
     * Takes the manifest loaded at start-up; with {@code openLog} (appendonly yes) also opens the
     * log: a base is created when the manifest names no file, and the last incr file (or a new
     * one) is opened for appending.
     */
    record Start(Path dir, String fileName, AofManifest manifest, boolean openLog, boolean rdbBase,
                 BaseWriter emptyBase, Path tempBase) implements Op {}

    /**
     * The start of a rewrite (openNewIncrAofForAppend): appending moves to a new incr file, so
     * the file the rewrite's snapshot covers ends here. With the AOF on, the new file is named in
     * the manifest before anything is written to it; while the AOF is being turned on
     * ({@code temp}) it is {@code temp-<appendfilename>.incr}, outside the manifest, which names
     * it only if the rewrite succeeds.
     */
    record OpenIncr(boolean temp) implements Op {}

    /**
     * The end of a successful rewrite: {@code tempBase} (complete and fsynced) becomes the new
     * base, a temporary incr file becomes a named one, and every incr file before the one being
     * appended to becomes history.
     */
    record Switch(Path tempBase, boolean rdbBase, boolean autoGc) implements Op {}

    /** The end of a failed rewrite: its temp base and a temporary incr file are removed (no event). */
    record Abandon(Path tempBase) implements Op {}

    /** appendonly no: sync and close the incr file; the files and manifest stay. */
    record Stop() implements Op {}

    /** Completes after every earlier operation (optionally with an fsync of the incr file). */
    record Barrier(CompletableFuture<Void> done, boolean fsync) implements Op {}

    /** Deletes the history files now (aof-disable-auto-gc turned off). */
    record Gc() implements Op {}

    /** DEBUG LOADAOF: re-read the manifest from disk, drop history, return a copy. */
    record ReloadManifest(Path dir, String fileName, CompletableFuture<AofManifest> result) implements Op {}

    /** Removes a file (a failed rewrite's temporary base). */
    record Delete(Path file) implements Op {}

    /**
     * Reports seq as done once every earlier operation is: replies held for it (see {@link Aof})
     * go out only when, say, the manifest a command changed is on disk, as Redis replies after
     * changing it synchronously.
     */
    record Fence(long seq) implements Op {}

    private final LinkedBlockingQueue<Op> queue = new LinkedBlockingQueue<>();
    private final Events events;
    private final Thread thread;
    private final ExecutorService fsyncThread;
    private final AtomicInteger fsyncPending = new AtomicInteger();
    private volatile boolean shutdown;

    // ---- published to the engine thread
    volatile int policy = FSYNC_EVERYSEC;
    /** no-appendfsync-on-rewrite while a background save/rewrite runs. */
    volatile boolean skipFsync;
    volatile long currentSize, baseSize;
    /** Last write error (null when writes succeed), as Redis's aof_last_write_status/errno. */
    volatile String writeError;
    /** A background fsync failed (Redis's aof_bio_fsync_status). */
    volatile String fsyncError;
    volatile boolean open;

    // ---- writer thread only
    private FileChannel incr;
    /** The incr file being appended to is the temporary one of a rewrite turning the AOF on. */
    private boolean incrIsTemp;
    private long incrSize, fsyncedSize, lastFsyncSec;
    private AofManifest manifest;
    private Path dir;
    private String fileName;
    /** Data of batches whose write failed, retried before anything else (everysec/no only). */
    private final List<byte[]> retry = new ArrayList<>();
    private long lastErrorLogSec;

    AofWriter(Events events) {
        this.events = events;
        this.thread = new Thread(this::run, "redoubt-aof-writer");
        this.thread.setDaemon(true);
        this.fsyncThread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "redoubt-aof-fsync");
            t.setDaemon(true);
            return t;
        });
        thread.start();
    }

    void submit(Op op) { queue.add(op); }

    /** Whether a background fsync is queued or running (Redis's aofFsyncInProgress). */
    boolean fsyncInProgress() { return fsyncPending.get() != 0; }

    int fsyncPendingCount() { return fsyncPending.get(); }

    /** Stops the threads after the queued operations (process exit). */
    void close() {
        shutdown = true;
        thread.interrupt();
        fsyncThread.shutdown();
    }

    /** Blocks until every operation submitted so far is done (tests, shutdown, DEBUG LOADAOF). */
    void drain(boolean fsync) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        submit(new Barrier(f, fsync));
        f.join();
    }

    // =====================================================================================
    // The loop
    // =====================================================================================

    private void run() {
        List<Batch> group = new ArrayList<>();
        while (!shutdown) {
            Op op;
            try {
                op = queue.poll(200, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                if (shutdown) break;
                continue;
            }
            try {
                if (op instanceof Batch b) {
                    group.clear();
                    group.add(b);
                    while (queue.peek() instanceof Batch) group.add((Batch) queue.poll());
                    writeGroup(group);
                } else if (op != null) {
                    handle(op);
                }
                idle();
            } catch (RuntimeException e) {
                log.warn("AOF writer: unexpected error", e);
            }
        }
    }

    private static long nowSec() { return System.currentTimeMillis() / 1000; }

    /** Periodic duties: retry a failed write; everysec fsync of data written but not synced. */
    private void idle() {
        if (incr == null || shutdown) return;
        if (!retry.isEmpty()) {
            writeGroup(List.of());
            return;
        }
        if (policy == FSYNC_EVERYSEC && fsyncedSize != incrSize && nowSec() > lastFsyncSec && !fsyncInProgress()) {
            backgroundFsync();
        }
    }

    private void writeGroup(List<Batch> group) {
        boolean always = false;
        long maxSeq = 0, sleep = 0;
        for (Batch b : group) {
            always |= b.always;
            maxSeq = Math.max(maxSeq, b.seq);
            sleep = Math.max(sleep, b.sleepMicros);
        }
        if (incr == null) {
            // No log open (a rewrite that should have opened it failed): the data lives in memory
            // and the next rewrite's snapshot will carry it.
            events.synced(maxSeq);
            return;
        }
        if (sleep > 0) {
            try {
                TimeUnit.MICROSECONDS.sleep(sleep);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        int n = retry.size() + group.size();
        ByteBuffer[] bufs = new ByteBuffer[n];
        long total = 0;
        int i = 0;
        for (byte[] r : retry) { bufs[i++] = ByteBuffer.wrap(r); total += r.length; }
        for (Batch b : group) { bufs[i++] = ByteBuffer.wrap(b.data, 0, b.len); total += b.len; }
        long written = 0;
        try {
            while (written < total) written += incr.write(bufs);
        } catch (IOException e) {
            writeFailed(e, written, total, group, always);
            // Under everysec/no Redis answers anyway (the data stays queued, new writes get MISCONF).
            events.synced(maxSeq);
            return;
        }
        retry.clear();
        incrSize += total;
        currentSize += total;
        if (writeError != null) {
            log.warn("AOF write error looks solved, Redis can write again.");
            writeError = null;
        }
        sync(always);
        if (!group.isEmpty()) events.synced(maxSeq);
    }

    private void writeFailed(IOException e, long written, long total, List<Batch> group, boolean always) {
        long now = nowSec();
        boolean canLog = now - lastErrorLogSec > 30;
        if (canLog) lastErrorLogSec = now;
        if (written > 0) {
            if (canLog) log.warn("Short write while writing to the AOF file: (nwritten={}, expected={})", written, total);
            try {
                incr.truncate(incrSize);
                written = 0;
            } catch (IOException te) {
                if (canLog) {
                    log.warn("Could not remove short write from the append-only file.  Redis may refuse to load the AOF the next time it starts.  ftruncate: {}", AofFiles.strerror(te));
                }
            }
        } else if (canLog) {
            log.warn("Error writing to the AOF file: {}", AofFiles.strerror(e));
        }
        if (always || policy == FSYNC_ALWAYS) {
            // Replies may already have been observed by other readers of the data; the contract
            // of "always" cannot be kept, so stop as Redis does.
            events.fatal("Can't recover from AOF write error when the AOF fsync policy is 'always'. Exiting...");
            return;
        }
        writeError = written > 0 ? "No space left on device" : AofFiles.strerror(e);
        // Keep what was not written, in order, for the next attempt.
        List<byte[]> keep = new ArrayList<>(retry.size() + group.size());
        long skip = written;
        List<byte[]> all = new ArrayList<>(retry);
        for (Batch b : group) all.add(b.len == b.data.length ? b.data : java.util.Arrays.copyOf(b.data, b.len));
        for (byte[] a : all) {
            if (skip >= a.length) { skip -= a.length; continue; }
            keep.add(skip == 0 ? a : java.util.Arrays.copyOfRange(a, (int) skip, a.length));
            skip = 0;
        }
        if (written > 0) {
            incrSize += written;
            currentSize += written;
        }
        retry.clear();
        retry.addAll(keep);
    }

    /** The fsync step after a write (flushAppendOnlyFile's try_fsync). */
    private void sync(boolean always) {
        if (skipFsync) return;
        if (always || policy == FSYNC_ALWAYS) {
            try {
                incr.force(false);
            } catch (IOException e) {
                events.fatal("Can't persist AOF for fsync error when the AOF fsync policy is 'always': "
                    + AofFiles.strerror(e) + ". Exiting...");
                return;
            }
            fsyncedSize = incrSize;
            lastFsyncSec = nowSec();
        } else if (policy == FSYNC_EVERYSEC && nowSec() > lastFsyncSec) {
            if (!fsyncInProgress()) backgroundFsync();
            lastFsyncSec = nowSec();
        }
    }

    private void backgroundFsync() {
        FileChannel ch = incr;
        fsyncPending.incrementAndGet();
        fsyncedSize = incrSize;
        lastFsyncSec = nowSec();
        submitToFsyncThread(() -> {
            try {
                ch.force(false);
                fsyncError = null;
            } catch (IOException e) {
                if (ch.isOpen()) {
                    fsyncError = AofFiles.strerror(e);
                    log.warn("Fail to fsync the AOF file: {}", fsyncError);
                }
            } finally {
                fsyncPending.decrementAndGet();
            }
        });
    }

    /** Syncs and closes a replaced incr file in the background (bio close job). */
    private void backgroundClose(FileChannel ch) {
        fsyncPending.incrementAndGet();
        submitToFsyncThread(() -> {
            try {
                ch.force(false);
            } catch (IOException e) {
                log.warn("Fail to fsync the AOF file: {}", AofFiles.strerror(e));
            } finally {
                try { ch.close(); } catch (IOException ignored) { }
                fsyncPending.decrementAndGet();
            }
        });
    }

    private void submitToFsyncThread(Runnable job) {
        try {
            fsyncThread.execute(job);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // Closing down (close()): nothing more is synced in the background.
            fsyncPending.decrementAndGet();
        }
    }

    // =====================================================================================
    // Control operations
    // =====================================================================================

    private void handle(Op op) {
        switch (op) {
            case Start s -> start(s);
            case OpenIncr o -> openIncr(o);
            case Switch s -> rewriteSwitch(s);
            case Abandon a -> {
                deleteQuietly(a.tempBase);
                dropTempIncr();
            }
            case Stop s -> stop();
            case Barrier b -> {
                if (b.fsync && incr != null) {
                    try {
                        incr.force(false);
                        fsyncedSize = incrSize;
                    } catch (IOException e) {
                        log.warn("Fail to fsync the AOF file: {}", AofFiles.strerror(e));
                    }
                }
                b.done.complete(null);
            }
            case Gc g -> {
                if (manifest != null) deleteHistory();
            }
            case ReloadManifest r -> reloadManifest(r);
            case Delete d -> {
                try {
                    Files.deleteIfExists(d.file);
                } catch (IOException e) {
                    log.warn("Can't remove {}: {}", d.file, AofFiles.strerror(e));
                }
            }
            case Batch b -> writeGroup(List.of(b));
            case Fence f -> events.synced(f.seq);
        }
    }

    private void start(Start s) {
        dir = s.dir;
        fileName = s.fileName;
        if (s.manifest == null) {
            // appendonly no: the manifest is only read, for later rewrites and CONFIG SET appendonly yes.
            try {
                manifest = Aof.readManifest(dir, fileName);
            } catch (IOException e) {
                events.fatal("Fatal error: can't open the AOF manifest file for reading: " + AofFiles.strerror(e));
                return;
            } catch (AofManifest.ManifestException e) {
                events.fatal(Aof.manifestErrorText(e));
                return;
            }
        } else {
            manifest = s.manifest.copy();
        }
        String before = manifest.toString();
        if (!s.openLog) return;
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            events.fatal("Can't open or create append-only dir " + dir.getFileName() + ": " + AofFiles.strerror(e));
            return;
        }
        String createdBase = null;
        if (manifest.isEmpty()) {
            String baseName = manifest.newBase(fileName, s.rdbBase);
            try {
                writeBase(s.emptyBase, s.tempBase, false);
                Files.move(s.tempBase, dir.resolve(baseName), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                log.warn("Write error writing append only file on disk: {}", AofFiles.strerror(e));
                try { Files.deleteIfExists(s.tempBase); } catch (IOException ignored) { }
                events.fatal("Can't create the AOF base file " + baseName);
                return;
            }
            createdBase = baseName;
            log.info("Creating AOF base file {} on server start", baseName);
        }
        boolean hadIncr = !manifest.incrs.isEmpty();
        String incrName = manifest.lastIncrOrNew(fileName);
        incrIsTemp = false;
        try {
            incr = FileChannel.open(dir.resolve(incrName), StandardOpenOption.WRITE, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
        } catch (IOException e) {
            events.fatal("Can't open the append-only file " + incrName + ": " + AofFiles.strerror(e));
            return;
        }
        if (!manifest.toString().equals(before) || !Files.exists(manifestPath())) {
            try {
                persistManifest(manifest);
            } catch (IOException e) {
                events.fatal("Can't persist the AOF manifest: " + AofFiles.strerror(e));
                return;
            }
        }
        try {
            incrSize = incr.size();
        } catch (IOException e) {
            incrSize = 0;
        }
        fsyncedSize = incrSize;
        lastFsyncSec = nowSec();
        long base = manifest.base == null ? 0 : AofFiles.sizeOrZero(dir.resolve(manifest.base.name));
        long total = base;
        for (AofManifest.Entry e : manifest.incrs) total += AofFiles.sizeOrZero(dir.resolve(e.name));
        currentSize = total;
        baseSize = base;
        writeError = null;
        fsyncError = null;
        open = true;
        if (createdBase == null && hadIncr) log.info("Opening AOF incr file {} on server start", incrName);
        else log.info("Creating AOF incr file {} on server start", incrName);
        events.started(total, base);
    }

    /** Bytes between fsyncs of a base being written with aof-rewrite-incremental-fsync (REDIS_AUTOSYNC_BYTES). */
    static final long AUTOSYNC_BYTES = 4L * 1024 * 1024;

    /** Writes a complete base file to path and fsyncs it (also every 4MB when incremental). */
    static void writeBase(BaseWriter w, Path path, boolean incrementalFsync) throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.WRITE, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            OutputStream raw = Channels.newOutputStream(ch);
            OutputStream counted = !incrementalFsync ? raw : new OutputStream() {
                long sinceSync;

                @Override public void write(int b) throws IOException { write(new byte[] {(byte) b}, 0, 1); }

                @Override public void write(byte[] b, int off, int len) throws IOException {
                    raw.write(b, off, len);
                    // Spread the flush to disk over the rewrite instead of one burst at the end.
                    if ((sinceSync += len) >= AUTOSYNC_BYTES) {
                        ch.force(false);
                        sinceSync = 0;
                    }
                }
            };
            OutputStream os = new BufferedOutputStream(counted, 1 << 16);
            w.write(os);
            os.flush();
            ch.force(true);
        }
    }

    /**
     * Streams a base to a rewrite's child process (which writes its temp file); with incremental
     * fsync the file is synced every 4MB. The final fsync is {@link ChildProcess#finish}'s.
     */
    static void writeBaseTo(BaseWriter w, ChildProcess child, boolean incrementalFsync) throws IOException {
        OutputStream pipe = child.out();
        OutputStream counted = !incrementalFsync ? pipe : new OutputStream() {
            @Override public void write(int b) throws IOException { write(new byte[] {(byte) b}, 0, 1); }

            @Override public void write(byte[] b, int off, int len) throws IOException {
                pipe.write(b, off, len);
                child.syncIfDue(len);
            }

            @Override public void flush() throws IOException { pipe.flush(); }
        };
        OutputStream os = new BufferedOutputStream(counted, 1 << 16);
        w.write(os);
        os.flush();
    }

    private Path manifestPath() { return dir.resolve(AofManifest.manifestName(fileName)); }

    private void persistManifest(AofManifest m) throws IOException {
        AofFiles.writeAtomically(manifestPath(), dir.resolve(AofManifest.tempManifestName(fileName)), m.toString());
    }

    /**
     * openNewIncrAofForAppend: appending moves to a new incr file. A named one enters the
     * manifest on disk before it is used; if anything fails, appending stays where it was.
     */
    private void openIncr(OpenIncr o) {
        if (dir == null || manifest == null) {
            events.openIncrFailed();
            return;
        }
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            log.warn("Can't open or create append-only dir {}: {}", dir.getFileName(), AofFiles.strerror(e));
            events.openIncrFailed();
            return;
        }
        AofManifest next = o.temp ? null : manifest.copy();
        String name = o.temp ? AofManifest.tempIncrName(fileName) : next.newIncr(fileName);
        FileChannel ch;
        try {
            ch = FileChannel.open(dir.resolve(name), StandardOpenOption.WRITE, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING);
        } catch (IOException e) {
            log.warn("Can't open the append-only file {}: {}", name, AofFiles.strerror(e));
            events.openIncrFailed();
            return;
        }
        if (next != null) {
            try {
                persistManifest(next);
            } catch (IOException e) {
                log.warn("Can't persist the AOF manifest: {}", AofFiles.strerror(e));
                closeQuietly(ch);
                deleteQuietly(dir.resolve(name));
                events.openIncrFailed();
                return;
            }
            manifest = next;
        }
        log.info("Creating AOF incr file {} on background rewrite", name);
        // The replaced file is synced in the background (under always it already is).
        if (incr != null) {
            if (incrIsTemp) {
                closeQuietly(incr);
            } else {
                backgroundClose(incr);
            }
        }
        incr = ch;
        incrIsTemp = o.temp;
        incrSize = fsyncedSize = 0;
        open = true;
    }

    /**
     * The end of a rewrite (backgroundRewriteDoneHandler's success path), atomic on disk: the
     * complete temp base gets its final name, a temporary incr file gets a named one, then the
     * new manifest (new base, older files as history) replaces the old one by rename. Until that
     * rename the old manifest names only files that are untouched, so a crash at any point leaves
     * a complete log.
     */
    private void rewriteSwitch(Switch s) {
        if (dir == null || manifest == null) {
            log.warn("Background AOF rewrite failed: no AOF directory");
            switchFailed(s.tempBase, null);
            return;
        }
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            log.warn("Can't open or create append-only dir {}: {}", dir.getFileName(), AofFiles.strerror(e));
            switchFailed(s.tempBase, null);
            return;
        }
        AofManifest next = manifest.copy();
        String baseName = next.newBase(fileName, s.rdbBase);
        Path basePath = dir.resolve(baseName);
        try {
            Files.move(s.tempBase, basePath, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            log.warn("Error trying to rename the temporary AOF base file {} into {}: {}",
                s.tempBase.getFileName(), baseName, AofFiles.strerror(e));
            switchFailed(s.tempBase, null);
            return;
        }
        log.info("Successfully renamed the temporary AOF base file {} into {}", s.tempBase.getFileName(), baseName);
        Path tempIncr = null, namedIncr = null;
        if (incr != null && incrIsTemp) {
            String tempName = AofManifest.tempIncrName(fileName);
            String incrName = next.newIncr(fileName);
            tempIncr = dir.resolve(tempName);
            namedIncr = dir.resolve(incrName);
            try {
                Files.move(tempIncr, namedIncr, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                log.warn("Error trying to rename the temporary AOF incr file {} into {}: {}", tempName, incrName,
                    AofFiles.strerror(e));
                switchFailed(basePath, null);
                return;
            }
            log.info("Successfully renamed the temporary AOF incr file {} into {}", tempName, incrName);
        }
        next.markIncrsAsHistory(incr != null);
        try {
            persistManifest(next);
        } catch (IOException e) {
            log.warn("Can't persist the AOF manifest: {}", AofFiles.strerror(e));
            // The open incr file keeps its temporary role (and name) for the failure handling.
            if (namedIncr != null) {
                try {
                    Files.move(namedIncr, tempIncr, StandardCopyOption.ATOMIC_MOVE);
                } catch (IOException ignored) {
                    // the file descriptor stays valid either way
                }
            }
            switchFailed(basePath, null);
            return;
        }
        manifest = next;
        incrIsTemp = false;
        long base = AofFiles.sizeOrZero(basePath);
        // As Redis: the base size of the growth trigger counts the incr data written since the rewrite started.
        currentSize = base + (incr != null ? incrSize : 0);
        baseSize = currentSize;
        if (s.autoGc) deleteHistory();
        events.rewriteSwitched(true, currentSize, baseSize);
    }

    private void switchFailed(Path tempBase, Path other) {
        deleteQuietly(tempBase);
        if (other != null) deleteQuietly(other);
        dropTempIncr();
        events.rewriteSwitched(false, currentSize, baseSize);
    }

    /**
     * aofDelTempIncrAofFile: the temporary incr file of a failed rewrite turning the AOF on goes
     * away (the engine logs it, when it ends the rewrite).
     */
    private void dropTempIncr() {
        if (!incrIsTemp) return;
        String name = AofManifest.tempIncrName(fileName);
        closeQuietly(incr);
        incr = null;
        incrIsTemp = false;
        retry.clear();
        incrSize = fsyncedSize = 0;
        open = false;
        deleteQuietly(dir.resolve(name));
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            log.warn("Can't remove {}: {}", p, AofFiles.strerror(e));
        }
    }

    private static void closeQuietly(FileChannel ch) {
        if (ch == null) return;
        try { ch.close(); } catch (IOException ignored) { }
    }

    private void deleteHistory() {
        if (manifest.history.isEmpty()) return;
        for (AofManifest.Entry e : manifest.history) {
            log.info("Removing the history file {} in the background", e.name);
            try {
                Files.deleteIfExists(dir.resolve(e.name));
            } catch (IOException ex) {
                log.warn("Can't remove the history file {}: {}", e.name, AofFiles.strerror(ex));
            }
        }
        manifest.history.clear();
        try {
            persistManifest(manifest);
        } catch (IOException e) {
            log.warn("Can't persist the AOF manifest: {}", AofFiles.strerror(e));
        }
    }

    private void stop() {
        if (incr != null) {
            try {
                if (!retry.isEmpty()) writeGroup(List.of());
                incr.force(false);
            } catch (IOException e) {
                log.warn("Fail to fsync the AOF file: {}", AofFiles.strerror(e));
            }
            closeQuietly(incr);
            incr = null;
            // A temporary incr file (the AOF was being turned on) is of no use to anyone now.
            if (incrIsTemp) deleteQuietly(dir.resolve(AofManifest.tempIncrName(fileName)));
            incrIsTemp = false;
        }
        retry.clear();
        incrSize = fsyncedSize = 0;
        open = false;
        writeError = null;
    }

    private void reloadManifest(ReloadManifest r) {
        try {
            AofManifest m;
            Path mp = r.dir.resolve(AofManifest.manifestName(r.fileName));
            m = Files.exists(mp) ? AofManifest.load(mp) : new AofManifest();
            dir = r.dir;
            fileName = r.fileName;
            manifest = m;
            deleteHistory();
            r.result.complete(manifest.copy());
        } catch (IOException | AofManifest.ManifestException e) {
            r.result.completeExceptionally(e);
        }
    }
}
