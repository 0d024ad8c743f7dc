package org.redoubt.persistence;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.redoubt.engine.db.CowMap;
import org.redoubt.persistence.rdb.Codecs;
import org.redoubt.persistence.rdb.RdbOutput;
import org.redoubt.persistence.rdb.RdbWriter;

/**
 * Writes a {@link Snapshot} as an RDB file: to {@code temp-<pid>.rdb} in the data directory,
 * fsync, atomic rename over the target, fsync of the directory (rdbSave's sequence), so the
 * target is at every instant either the previous complete file or the new complete one: a crash
 * or a kill -9 in the middle leaves the previous dump in place (and at worst a stale temp file).
 *
 * <p>Runs on whatever thread calls it (the saver thread for BGSAVE, the engine thread for SAVE)
 * and reads only the snapshot. Progress is published through {@link #keysProcessed}; an
 * {@link #abort} request stops it at the next key and removes the temp file.
 */
public final class RdbSaver {
    /** Bytes between fsyncs with rdb-save-incremental-fsync (REDIS_AUTOSYNC_BYTES). */
    static final long AUTOSYNC_BYTES = 4L * 1024 * 1024;

    /** Outcome of one save; signal is the signal that killed the save's child process (0: none). */
    public record Result(boolean ok, boolean aborted, String error, long bytes, long keys, int signal) {
        static Result failed(String error) { return new Result(false, false, error, 0, 0, 0); }

        static Result aborted(long bytes, long keys) { return new Result(false, true, "aborted", bytes, keys, 0); }
    }

    private final Snapshot snap;
    private final Codecs codecs;
    public final AtomicLong keysProcessed = new AtomicLong();
    public final AtomicBoolean abort = new AtomicBoolean();

    public RdbSaver(Snapshot snap, Codecs codecs) {
        this.snap = snap;
        this.codecs = codecs;
    }

    /** The temp file name Redis uses for a save by process pid. */
    public static String tempName(long pid) {
        return "temp-" + pid + ".rdb";
    }

    /** Saves to dir/filename through dir/temp-pid.rdb. */
    public Result saveToFile(Path dir, String filename) {
        Path tmp = dir.resolve(tempName(ProcessHandle.current().pid()));
        long[] written = new long[1];
        boolean aborted = false;
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            long[] sinceSync = new long[1];
            RdbOutput out = new RdbOutput((b, off, len) -> {
                ByteBuffer bb = ByteBuffer.wrap(b, off, len);
                while (bb.hasRemaining()) ch.write(bb);
                written[0] += len;
                if (snap.incrementalFsync && (sinceSync[0] += len) >= AUTOSYNC_BYTES) {
                    ch.force(false);
                    sinceSync[0] = 0;
                }
            }, snap.compress, snap.checksum);
            if (write(out)) {
                out.flush();
                ch.force(true);
            } else {
                aborted = true;
            }
        } catch (IOException | UncheckedIOException e) {
            deleteQuietly(tmp);
            return Result.failed("Write error saving DB on disk: " + message(e));
        } catch (RuntimeException e) {
            deleteQuietly(tmp);
            return Result.failed("Error saving DB on disk: " + e);
        }
        if (aborted) {
            deleteQuietly(tmp);
            return Result.aborted(written[0], keysProcessed.get());
        }
        return install(tmp, dir, filename, written[0]);
    }

    /**
     * Saves to dir/filename through the temp file of a {@link ChildProcess} (BGSAVE): the
     * snapshot is serialized here and streamed to the child, which writes it. A child that dies
     * (killed) fails the save with its signal; an {@link #abort} stops the child.
     */
    public Result saveThroughChild(ChildProcess child, Path dir, String filename) {
        long[] written = new long[1];
        boolean complete;
        String error = null;
        try {
            java.io.OutputStream pipe = child.out();
            RdbOutput out = new RdbOutput((b, off, len) -> {
                pipe.write(b, off, len);
                written[0] += len;
                if (snap.incrementalFsync) child.syncIfDue(len);
            }, snap.compress, snap.checksum);
            complete = write(out);
            if (complete) out.flush();
        } catch (IOException | UncheckedIOException e) {
            complete = false;
            error = "Write error saving DB on disk: " + message(e);
        } catch (RuntimeException e) {
            complete = false;
            error = "Error saving DB on disk: " + e;
        }
        ChildProcess.Exit exit;
        if (complete && !abort.get()) {
            try {
                exit = child.finish();
            } catch (IOException e) {
                child.deleteFile();
                return Result.failed("Write error saving DB on disk: " + message(e));
            }
            if (exit.ok()) return install(child.file(), dir, filename, written[0]);
        } else {
            if (abort.get() && child.alive() && !child.killedByUs()) child.kill();
            exit = child.abandon();
        }
        child.deleteFile();
        if (child.killedByUs()) return Result.aborted(written[0], keysProcessed.get());
        if (exit.signal() != 0) {
            return new Result(false, false, "Background save child killed by signal " + exit.signal(),
                written[0], keysProcessed.get(), exit.signal());
        }
        if (error == null) {
            error = "Write error saving DB on disk: " + (exit.stderr().isEmpty() ? "child exited with " + exit.code() : exit.stderr());
        }
        return Result.failed(error);
    }

    /** rdbSave's end: the complete temp file replaces the target atomically, then the directory is synced. */
    private Result install(Path tmp, Path dir, String filename, long bytes) {
        Path target = dir.resolve(filename);
        try {
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            deleteQuietly(tmp);
            return Result.failed("Error moving temp DB file " + tmp.getFileName() + " on the final destination "
                + filename + " (in server root dir " + dir + "): " + message(e));
        }
        try {
            fsyncDir(dir);
        } catch (IOException e) {
            return Result.failed("Write error saving DB on disk(fsyncFileDir): " + message(e));
        }
        return new Result(true, false, null, bytes, keysProcessed.get(), 0);
    }

    /** Writes the whole snapshot; false when aborted. Also used for AOF bases and replication. */
    public boolean write(RdbOutput out) throws IOException {
        RdbWriter w = new RdbWriter(out, codecs, snap.ctx);
        w.header(snap.aux);
        for (byte[] f : snap.functions) w.function(f);
        for (int i = 0; i < snap.mains.length; i++) {
            CowMap main = snap.mains[i];
            if (main == null || main.size() == 0) continue;
            CowMap exp = snap.expires[i];
            w.selectDb(i, main.size(), exp.size());
            boolean[] aborted = new boolean[1];
            try {
                main.forEach((key, value, meta) -> {
                    if (abort.get()) {
                        aborted[0] = true;
                        return false;
                    }
                    long when = -1;
                    if (exp.size() != 0) {
                        Object t = exp.get(key);
                        if (t != null) when = (Long) t;
                    }
                    try {
                        w.keyValue(key, value, when, snap.saveLru ? snap.idleSeconds(meta) : -1,
                            snap.saveLfu ? snap.lfuFreq(meta) : -1);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                    keysProcessed.lazySet(keysProcessed.get() + 1);
                    if (snap.keySaveDelay != 0) delay(snap.keySaveDelay);
                    return true;
                });
            } catch (UncheckedIOException e) {
                throw e.getCause();
            }
            if (aborted[0]) return false;
        }
        w.footer();
        return true;
    }

    /** debugDelay: sleep usec microseconds; a negative value sleeps 1us with probability 1/-usec. */
    static void delay(int usec) {
        if (usec < 0) usec = ThreadLocalRandom.current().nextInt(-usec) == 0 ? 1 : 0;
        if (usec > 0) LockSupport.parkNanos(usec * 1000L);
    }

    static void fsyncDir(Path dir) throws IOException {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException e) {
            // Some file systems refuse to open or sync a directory; the rename itself was atomic.
            if (!(e instanceof java.nio.file.FileSystemException)) throw e;
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // Best effort: a stale temp file is harmless and overwritten by the next save.
        }
    }

    static String message(Throwable e) {
        Throwable c = e instanceof UncheckedIOException u ? u.getCause() : e;
        String m = c.getMessage();
        if (c instanceof java.nio.file.AccessDeniedException) return "Permission denied";
        if (c instanceof java.nio.file.NoSuchFileException) return "No such file or directory";
        return m == null ? c.getClass().getSimpleName() : m;
    }
}
