package org.redoubt.persistence;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The child process of a background job (BGSAVE, BGREWRITEAOF). Redis forks a child that
 * serializes the dataset into a temp file; a JVM cannot fork, so the work is split: a thread of
 * the server serializes the in-process copy-on-write {@link Snapshot}, and its bytes go through a
 * pipe to this child, a {@code cat} that writes them into the job's temp file. What Redis's
 * child is to the outside world, this one is too:
 * <ul>
 *   <li>it is a child process of the server, running while the job runs, and its pid is the one
 *       the logs report;</li>
 *   <li>the temp file carries its pid, as Redis's child names it ({@code temp-<pid>.rdb},
 *       {@code temp-rewriteaof-bg-<pid>.aof}); the shell creates it before running cat, so the
 *       name is fixed by the child itself;</li>
 *   <li>killing it (any signal) fails the job: the serializer is stopped at once (a kill while
 *       it sleeps in rdb-key-save-delay included), the server logs "terminated by signal N",
 *       removes the temp file and carries on, as after the death of a forked child.</li>
 * </ul>
 * The server keeps the durability duties: it fsyncs the file (every 4 MB when asked, and at the
 * end, once the child exited cleanly) before the job counts as done.
 *
 * <p>Thread use: {@link #start} on the engine thread (so the child exists when the command that
 * started the job replies, as after Redis's fork); {@link #out}, {@link #finish},
 * {@link #syncIfDue} on the job's thread; {@link #kill} from anywhere.
 */
public final class ChildProcess {
    private static final Logger log = LoggerFactory.getLogger(ChildProcess.class);
    /** Bytes between fsyncs with incremental fsync (REDIS_AUTOSYNC_BYTES). */
    static final long AUTOSYNC_BYTES = 4L * 1024 * 1024;
    /** The child: create the temp file named after its own pid, then become cat. */
    private static final String SCRIPT = "exec cat >\"$1$$$2\"";
    private static final AtomicBoolean warned = new AtomicBoolean();

    /** How the child ended: an exit code, or the signal that killed it (0 when none). */
    public record Exit(int code, int signal, String stderr) {
        public boolean ok() { return code == 0 && signal == 0; }
    }

    private final Process process;
    private final Path file;
    private final OutputStream out;
    private final AtomicBoolean finishing = new AtomicBoolean();
    private volatile boolean killedByUs;
    private FileChannel syncChannel;
    private long sinceSync;
    /** Microseconds the spawn took (INFO latest_fork_usec). */
    public final long spawnMicros;

    private ChildProcess(Process process, Path file, long spawnMicros) {
        this.process = process;
        this.file = file;
        this.out = process.getOutputStream();
        this.spawnMicros = spawnMicros;
    }

    /**
     * Starts the child for a job writing {@code dir/<prefix><childpid><suffix>}. onDeath runs
     * (on a JDK thread) if the child ends before {@link #finish} is called: the job must stop.
     * Returns null when no child can be started (no /bin/sh): the caller then writes the file
     * from its own thread (the job has no child to kill), and a warning is logged once.
     */
    public static ChildProcess start(Path dir, String prefix, String suffix, Runnable onDeath) {
        long t0 = System.nanoTime();
        Process p;
        try {
            ProcessBuilder pb = new ProcessBuilder("/bin/sh", "-c", SCRIPT, "sh", prefix, suffix)
                .directory(dir.toFile())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.PIPE);
            p = pb.start();
        } catch (IOException | RuntimeException e) {
            if (warned.compareAndSet(false, true)) {
                log.warn("Can't start a child process for background jobs ({}): saving from a thread instead",
                    e.getMessage());
            }
            return null;
        }
        long us = (System.nanoTime() - t0) / 1000;
        ChildProcess c = new ChildProcess(p, dir.resolve(prefix + p.pid() + suffix), us);
        p.onExit().thenRun(() -> {
            if (!c.finishing.get()) onDeath.run();
        });
        return c;
    }

    public long pid() { return process.pid(); }

    /** The temp file the child writes (named after its pid). */
    public Path file() { return file; }

    /** The pipe to the child: everything written here ends up in {@link #file()}. */
    public OutputStream out() { return out; }

    public boolean alive() { return process.isAlive(); }

    /** Stops the child (the job was cancelled: not a failure of the job). */
    public void kill() {
        killedByUs = true;
        finishing.set(true);
        process.destroy();
    }

    public boolean killedByUs() { return killedByUs; }

    /**
     * With incremental fsync, after every {@link #AUTOSYNC_BYTES} written: fsync what the child
     * wrote so far, spreading the flush over the job instead of one burst at the end.
     */
    public void syncIfDue(long justWritten) throws IOException {
        if ((sinceSync += justWritten) < AUTOSYNC_BYTES) return;
        sinceSync = 0;
        FileChannel ch = syncChannel;
        if (ch == null) {
            try {
                ch = syncChannel = FileChannel.open(file, StandardOpenOption.READ);
            } catch (NoSuchFileException e) {
                return;     // not created yet: the final fsync covers everything
            }
        }
        ch.force(false);
    }

    /**
     * The job's output is complete: closes the pipe, waits (bounded) for the child to write the
     * rest and exit, and on a clean exit fsyncs the file. A child that does not exit in time is
     * killed and the job fails.
     */
    public Exit finish() throws IOException {
        finishing.set(true);
        try {
            out.close();
        } catch (IOException e) {
            // The child is gone (broken pipe): its exit status says why.
        }
        Exit exit = waitExit(60_000);
        if (exit.ok()) {
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
                ch.force(true);
            }
        }
        closeSync();
        return exit;
    }

    /** Waits for the end of a child that failed or was killed, and reports how it ended. */
    public Exit abandon() {
        finishing.set(true);
        try {
            out.close();
        } catch (IOException ignored) {
            // broken pipe: the child is gone already
        }
        Exit e = waitExit(10_000);
        closeSync();
        return e;
    }

    private Exit waitExit(long timeoutMs) {
        // An interrupt only woke the job up (from rdb-key-save-delay) to stop: consumed here.
        Thread.interrupted();
        boolean done;
        try {
            done = process.waitFor(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            done = false;
        }
        if (!done) {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (process.isAlive()) return new Exit(-1, 9, "child did not exit");
        }
        int v = process.exitValue();
        String err = readStderr();
        // The JDK reports a death by signal N as 128 + N, as the shell does.
        if (v > 128 && v < 128 + 65) return new Exit(v, v - 128, err);
        return new Exit(v, 0, err);
    }

    private String readStderr() {
        try (InputStream in = process.getErrorStream()) {
            byte[] b = in.readNBytes(4096);
            return new String(b, StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            return "";
        }
    }

    private void closeSync() {
        FileChannel ch = syncChannel;
        syncChannel = null;
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // read-only handle used for fsync only
            }
        }
    }

    /** Removes the temp file of a failed job. */
    public void deleteFile() {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // a stale temp file is harmless: the next job's child has another pid
        }
    }

    /** Counts a started child in INFO stats (total_forks, latest_fork_usec); engine thread. */
    public void count(org.redoubt.engine.Stats stats) {
        stats.totalForks++;
        stats.latestForkUsec = spawnMicros;
    }
}
