package org.redoubt.persistence.aof;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.redoubt.engine.Client;
import org.redoubt.engine.Engine;
import org.redoubt.engine.command.CommandSpec;
import org.redoubt.engine.command.CommandTable;
import org.redoubt.engine.db.Db;
import org.redoubt.engine.info.ServerInfo;
import org.redoubt.persistence.Persistence;
import org.redoubt.persistence.rdb.Codecs;
import org.redoubt.persistence.rdb.LoadContext;
import org.redoubt.persistence.rdb.RdbException;
import org.redoubt.persistence.rdb.RdbInput;
import org.redoubt.persistence.rdb.RdbLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replays the AOF files named by a manifest (loadAppendOnlyFiles / loadSingleAppendOnlyFile).
 *
 * <h2>Threads</h2>
 * The files are read and parsed on the calling (loader) thread; what must touch the dataset is
 * handed to the engine thread as steps through a {@link Steps} — batches of parsed commands,
 * executed there by a {@link Replay} through an internal client, and the installation of the
 * databases an RDB-format base was read into. Commands are looked up on the loader thread (the
 * command table is frozen), so an unknown command stops the load before anything after it runs.
 *
 * <h2>Rules (as Redis)</h2>
 * A file may start with an RDB image ("REDIS" signature: a base in RDB format, or an old-style
 * RDB preamble) followed by commands. Commands between MULTI and EXEC run only when the EXEC is
 * read; a file that ends inside a transaction, or in the middle of a command, is "short": with
 * aof-load-truncated it is cut back to the last complete command (before the unfinished
 * MULTI) with a warning and loading goes on, otherwise loading fails. A short file that is not
 * the last one is fatal; a format error or an unknown command is fatal.
 */
final class AofLoader {
    private static final Logger log = LoggerFactory.getLogger(AofLoader.class);
    static final int OK = 0, NOT_EXIST = 1, EMPTY = 2, OPEN_ERR = 3, FAILED = 4, TRUNCATED = 5;
    private static final int CHUNK_COMMANDS = 1024, CHUNK_BYTES = 1 << 20;

    /** Runs a step on the engine thread, in order. */
    interface Steps {
        void run(Runnable step) throws InterruptedException;
    }

    /** Loading progress, read by INFO on the engine thread. */
    static final class Progress {
        volatile boolean active;
        volatile long startSec, totalBytes, loadedBytes;
    }

    private final Engine engine;
    private final Path dir;
    private final String fileName;
    private final boolean loadTruncated;
    private final Steps steps;
    private final Replay replay;
    private final Progress progress;
    private final CommandSpec multiCmd, execCmd;
    private long filesStartOffset;
    long currentSize, baseSize;
    /** key-load-delay (microseconds per command, negative = 1us with probability 1/-n): slows loading for tests. */
    int keyLoadDelay;

    AofLoader(Engine engine, Path dir, String fileName, boolean loadTruncated, Steps steps, Replay replay, Progress progress) {
        this.engine = engine;
        this.dir = dir;
        this.fileName = fileName;
        this.loadTruncated = loadTruncated;
        this.steps = steps;
        this.replay = replay;
        this.progress = progress;
        this.multiCmd = engine.commands.find("multi");
        this.execCmd = engine.commands.find("exec");
    }

    static String seconds(long startNanos) {
        return String.format(Locale.ROOT, "%.3f", (System.nanoTime() - startNanos) / 1e9);
    }

    /** Loads every base and incr file of the manifest. */
    int loadAll(AofManifest am) throws InterruptedException {
        if (am.isEmpty()) return NOT_EXIST;
        List<AofManifest.Entry> files = am.loadOrder();
        long total = 0;
        for (AofManifest.Entry e : files) {
            try {
                total += Files.size(dir.resolve(e.name));
            } catch (IOException ex) {
                log.warn("Unable to obtain the AOF file {} length. stat: {}", e.name, AofFiles.strerror(ex));
                return FAILED;
            }
        }
        if (total == 0) return EMPTY;
        progress.startSec = System.currentTimeMillis() / 1000;
        progress.totalBytes = total;
        progress.loadedBytes = 0;
        progress.active = true;
        filesStartOffset = 0;
        int ret = OK;
        try {
            for (int i = 0; i < files.size(); i++) {
                AofManifest.Entry e = files.get(i);
                boolean last = i == files.size() - 1;
                long start = System.nanoTime();
                long size = AofFiles.sizeOrZero(dir.resolve(e.name));
                ret = loadFile(e.name, last);
                boolean isBase = e.type == AofManifest.TYPE_BASE;
                if (ret == OK || (ret == TRUNCATED && last)) {
                    log.info("DB loaded from {} file {}: {} seconds", isBase ? "base" : "incr", e.name, seconds(start));
                }
                if (ret == EMPTY && !isBase) ret = OK;
                if (ret == TRUNCATED && !last) {
                    log.warn("Fatal error: the truncated file is not the last file");
                    ret = FAILED;
                }
                if (ret == OPEN_ERR || ret == FAILED) return ret;
                if (isBase) baseSize = size;
                filesStartOffset += size;
            }
            currentSize = total;
            return ret;
        } finally {
            progress.active = false;
        }
    }

    /** Loads one file; the result is one of the status constants. */
    int loadFile(String name, boolean lastFile) throws InterruptedException {
        Path path = dir.resolve(name);
        long size;
        InputStream raw;
        try {
            size = Files.size(path);
            raw = Files.newInputStream(path);
        } catch (NoSuchFileException e) {
            log.warn("The append log file {} doesn't exist: No such file or directory", name);
            return NOT_EXIST;
        } catch (IOException e) {
            log.warn("Fatal error: can't open the append log file {} for reading: {}", name, AofFiles.strerror(e));
            return OPEN_ERR;
        }
        if (size == 0) {
            closeQuietly(raw);
            return EMPTY;
        }
        long tailStart = 0;
        try (InputStream in = new BufferedInputStream(raw, 1 << 16)) {
            in.mark(8);
            byte[] sig = new byte[5];
            int n = in.readNBytes(sig, 0, 5);
            in.reset();
            if (n == 5 && Arrays.equals(sig, "REDIS".getBytes(StandardCharsets.US_ASCII))) {
                boolean oldStyle = name.equals(fileName);
                log.info(oldStyle ? "Reading RDB preamble from AOF file..." : "Reading RDB base file on AOF loading...");
                long end = loadRdb(in, size, name, oldStyle);
                if (end < 0) return FAILED;
                tailStart = end;
                if (oldStyle) log.info("Reading the remaining AOF tail...");
            }
        } catch (IOException e) {
            log.warn("Unrecoverable error reading the append only file {}: {}", name, AofFiles.strerror(e));
            return FAILED;
        }
        if (tailStart >= size) return OK;
        try (InputStream in = openAt(path, tailStart)) {
            return replayCommands(in, path, name, tailStart, size);
        } catch (IOException e) {
            log.warn("Unrecoverable error reading the append only file {}: {}", name, AofFiles.strerror(e));
            return FAILED;
        }
    }

    private static InputStream openAt(Path path, long offset) throws IOException {
        InputStream in = Files.newInputStream(path);
        long skipped = 0;
        while (skipped < offset) {
            long s = in.skip(offset - skipped);
            if (s <= 0) break;
            skipped += s;
        }
        return new BufferedInputStream(in, 1 << 16);
    }

    private static void closeQuietly(InputStream in) {
        try { in.close(); } catch (IOException ignored) { }
    }

    /**
     * Reads the commands of a file from offset {@code start} and hands them to the engine in
     * chunks; handles the end of the file (clean, short, inside MULTI) as Redis does.
     */
    private int replayCommands(InputStream in, Path path, String name, long start, long size) throws IOException, InterruptedException {
        AofReader r = new AofReader(in, start, size);
        CommandTable table = engine.commands;
        List<byte[][]> argvs = new ArrayList<>(CHUNK_COMMANDS);
        List<CommandSpec> specs = new ArrayList<>(CHUNK_COMMANDS);
        long chunkBytes = 0;
        long validBeforeMulti = start;
        boolean inMulti = false;
        long lastReport = System.nanoTime();
        int res;
        while (true) {
            res = r.next();
            if (res != AofReader.COMMAND) break;
            CommandSpec cmd = lookup(table, r.argv, r.argc);
            if (cmd == null) {
                flush(argvs, specs);
                log.warn("Unknown command '{}' reading the append only file {}",
                    new String(r.argv[0], StandardCharsets.UTF_8), name);
                return FAILED;
            }
            if (cmd == multiCmd) {
                validBeforeMulti = r.commandStart;
                inMulti = true;
            } else if (cmd == execCmd) {
                inMulti = false;
            }
            byte[][] argv = Arrays.copyOf(r.argv, r.argc);
            if (keyLoadDelay != 0) AofRewriter.delay(keyLoadDelay);
            argvs.add(argv);
            specs.add(cmd);
            for (byte[] a : argv) chunkBytes += a.length;
            if (argvs.size() >= CHUNK_COMMANDS || chunkBytes >= CHUNK_BYTES) {
                flush(argvs, specs);
                chunkBytes = 0;
                progress.loadedBytes = filesStartOffset + r.offset();
                if (System.nanoTime() - lastReport > 5_000_000_000L) {
                    lastReport = System.nanoTime();
                    long tot = progress.totalBytes;
                    log.info("AOF loading: {} of {} bytes ({}%)", progress.loadedBytes, tot,
                        String.format(Locale.ROOT, "%.2f", tot == 0 ? 0.0 : progress.loadedBytes * 100.0 / tot));
                }
            }
        }
        flush(argvs, specs);
        progress.loadedBytes = filesStartOffset + r.offset();
        long validUpTo = r.validUpTo;
        switch (res) {
            case AofReader.END -> {
                if (!inMulti) return OK;
                // A transaction without its EXEC: as a short read, cut before its MULTI.
                log.warn("Revert incomplete MULTI/EXEC transaction in AOF file {}", name);
                validUpTo = validBeforeMulti;
            }
            case AofReader.SHORT_READ -> {
                if (inMulti) validUpTo = validBeforeMulti;
            }
            default -> {
                log.warn("Bad file format reading the append only file {}: make a backup of your AOF file, "
                    + "then use ./redis-check-aof --fix <filename.manifest>", name);
                return FAILED;
            }
        }
        // Unexpected end of file.
        steps.run(replay::discardMulti);
        if (loadTruncated) {
            log.warn("!!! Warning: short read while loading the AOF file {}!!!", name);
            log.warn("!!! Truncating the AOF {} at offset {} !!!", name, validUpTo);
            boolean ok;
            try (RandomAccessFile f = new RandomAccessFile(path.toFile(), "rw")) {
                f.setLength(validUpTo);
                f.getFD().sync();
                ok = true;
            } catch (IOException e) {
                log.warn("Error truncating the AOF file {}: {}", name, AofFiles.strerror(e));
                ok = false;
            }
            if (ok) {
                log.warn("AOF {} loaded anyway because aof-load-truncated is enabled", name);
                return TRUNCATED;
            }
        }
        log.warn("Unexpected end of file reading the append only file {}. You can: 1) Make a backup of your AOF "
            + "file, then use ./redis-check-aof --fix <filename.manifest>. 2) Alternatively you can set the "
            + "'aof-load-truncated' configuration option to yes and restart the server.", name);
        return FAILED;
    }

    /** The command argv names (a container's subcommand too), or null when unknown. */
    static CommandSpec lookup(CommandTable table, byte[][] argv, int argc) {
        CommandSpec cmd = table.lookup(argv[0]);
        if (cmd == null) return null;
        if (!cmd.subcommands.isEmpty() && argc >= 2) {
            CommandSpec sub = CommandTable.lookupSub(cmd, argv[1]);
            if (sub != null) return sub;
        }
        return cmd.handler == null ? null : cmd;
    }

    private void flush(List<byte[][]> argvs, List<CommandSpec> specs) throws InterruptedException {
        if (argvs.isEmpty()) return;
        byte[][][] a = argvs.toArray(new byte[0][][]);
        CommandSpec[] s = specs.toArray(new CommandSpec[0]);
        argvs.clear();
        specs.clear();
        steps.run(() -> replay.run(a, s));
    }

    // =====================================================================================
    // RDB images
    // =====================================================================================

    /**
     * Reads the RDB image at the start of a file into fresh databases (off the engine thread),
     * then has the engine install them. Returns the offset just after the image, or -1.
     */
    private long loadRdb(InputStream in, long size, String name, boolean oldStyle) throws InterruptedException {
        Db[] fresh = new Db[engine.dbCount()];
        for (int i = 0; i < fresh.length; i++) fresh[i] = new Db(engine, i);
        RdbTarget target = new RdbTarget(fresh, engine.config.maxmemoryPolicy.endsWith("-lfu"));
        boolean sanitize = false;
        if (engine.configTable != null) {
            String v = engine.configTable.get("sanitize-dump-payload");
            sanitize = "yes".equalsIgnoreCase(v);
        }
        LoadContext ctx = new LoadContext(engine.config, engine.snapshotEpoch, sanitize);
        long end;
        try {
            RdbInput rin = new RdbInput(in, size);
            long base = filesStartOffset;
            rin.setProgress(off -> progress.loadedBytes = base + off, 1 << 20);
            boolean verify = engine.config.rdbchecksum && !ServerInfo.of(engine).skipChecksumValidation;
            RdbLoader.load(rin, RdbLoader.codecReader(Codecs.standard(), ctx), target, verify);
            end = rin.offset();
        } catch (RdbException e) {
            log.warn("Internal error in RDB reading offset {} -> {}", e.offset, e.getMessage());
            log.warn(oldStyle ? "Error reading the RDB preamble of the AOF file {}, AOF loading aborted"
                : "Error reading the RDB base file {}, AOF loading aborted", name);
            return -1;
        } catch (IOException | RuntimeException e) {
            log.warn("Error reading the RDB base file {}: {}", name, e.toString());
            return -1;
        }
        List<byte[]> functions = target.functions;
        steps.run(() -> replay.install(fresh, functions));
        log.info("Done loading RDB, keys loaded: {}, keys expired: 0.", target.keys);
        return end;
    }

    /** Collects an RDB image's keys into fresh databases; nothing is dropped (an AOF base). */
    private static final class RdbTarget implements RdbLoader.Target {
        private final Db[] dbs;
        private final boolean lfu;
        private final long nowSec = System.currentTimeMillis() / 1000;
        private Db db;
        final List<byte[]> functions = new ArrayList<>();
        long keys;

        RdbTarget(Db[] dbs, boolean lfu) {
            this.dbs = dbs;
            this.db = dbs[0];
            this.lfu = lfu;
        }

        @Override public void aux(String key, byte[] value) {
            String v = new String(value, StandardCharsets.UTF_8);
            switch (key) {
                case "redis-ver" -> log.info("Loading RDB produced by version {}", v);
                case "aof-base" -> { if (!v.equals("0")) log.info("RDB is base AOF"); }
                case "aof-preamble" -> { if (!v.equals("0")) log.info("RDB has an AOF tail"); }
                default -> { }
            }
        }

        @Override public void function(byte[] code, long offset) { functions.add(code); }

        @Override public void selectDb(long id, long offset) throws IOException {
            if (id < 0 || id >= dbs.length) {
                throw new RdbException(RdbException.Kind.UNSUPPORTED, offset, "FATAL: Data file was created with a "
                    + "Redis server configured to handle more than " + dbs.length + " databases. Exiting");
            }
            db = dbs[(int) id];
        }

        @Override public void key(byte[] key, Object value, long expireMs, long idleSeconds, int freq, long offset) throws IOException {
            int meta;
            if (lfu) {
                meta = (int) ((((nowSec / 60) & 0xFFFF) << 8) | (freq >= 0 ? freq : 5));
            } else {
                meta = (int) ((idleSeconds >= 0 ? nowSec - idleSeconds : nowSec) & 0xFFFFFF);
            }
            if (db.mainMap().put(key, value, meta) != null) {
                throw new RdbException(RdbException.Kind.CORRUPT, offset, "RDB has duplicated key '"
                    + new String(key, StandardCharsets.UTF_8) + "' in DB " + db.id);
            }
            if (expireMs != -1) db.expiresMap().put(key, Long.valueOf(expireMs), 0);
            keys++;
        }
    }

    // =====================================================================================
    // The engine side
    // =====================================================================================

    /**
     * Executes replayed commands on the engine thread through an internal client that gets no
     * replies and never blocks, with MULTI ... EXEC run as a unit when its EXEC arrives.
     */
    static final class Replay {
        private final Engine engine;
        private final Client client;
        private final CommandSpec multiCmd, execCmd;
        private final List<byte[][]> queuedArgv = new ArrayList<>();
        private final List<CommandSpec> queuedCmd = new ArrayList<>();
        private boolean inMulti;
        long commands;

        Replay(Engine engine) {
            this.engine = engine;
            this.client = engine.newClient(null);
            client.authenticated = true;
            // Obeyed like a master's link (Redis's mustObeyClient for the AOF client): read-only
            // replicas, size limits and script write checks do not apply to the log's commands.
            client.flags |= Client.F_REPLY_OFF | Client.F_DENY_BLOCKING | Client.F_MASTER;
            this.multiCmd = engine.commands.find("multi");
            this.execCmd = engine.commands.find("exec");
        }

        void run(byte[][][] argvs, CommandSpec[] cmds) {
            for (int i = 0; i < argvs.length; i++) {
                CommandSpec cmd = cmds[i];
                if (cmd == multiCmd) {
                    inMulti = true;
                } else if (cmd == execCmd) {
                    inMulti = false;
                    for (int j = 0; j < queuedArgv.size(); j++) execute(queuedArgv.get(j), queuedCmd.get(j));
                    queuedArgv.clear();
                    queuedCmd.clear();
                } else if (inMulti) {
                    queuedArgv.add(argvs[i]);
                    queuedCmd.add(cmd);
                } else {
                    execute(argvs[i], cmd);
                }
            }
        }

        private void execute(byte[][] argv, CommandSpec cmd) {
            Client c = client;
            c.argv = argv;
            c.argc = argv.length;
            c.cmd = cmd;
            c.lastCmd = cmd;
            engine.updateClock();
            Client prev = engine.currentClient;
            engine.currentClient = c;
            try {
                if (cmd.arityOk(c.argc)) cmd.handler.execute(c);
                else log.warn("Wrong number of arguments for '{}' in the AOF: command skipped", cmd.fullName);
            } catch (RuntimeException | StackOverflowError e) {
                log.warn("Command '{}' failed while loading the AOF", cmd.fullName, e);
            } finally {
                engine.currentClient = prev;
            }
            if (c.out != null) c.takeOutput().release();
            commands++;
        }

        /** The file ended inside MULTI: its queued commands are dropped. */
        void discardMulti() {
            inMulti = false;
            queuedArgv.clear();
            queuedCmd.clear();
        }

        /** Installs databases read from an RDB image (swapped in when the live one is empty). */
        void install(Db[] fresh, List<byte[]> functions) {
            for (int i = 0; i < fresh.length; i++) {
                Db live = engine.db(i);
                if (fresh[i].size() == 0) continue;
                if (live.size() == 0) {
                    live.swapWith(fresh[i]);
                } else {
                    Db src = fresh[i];
                    src.mainMap().forEach((k, v, meta) -> {
                        live.mainMap().put(k, v, meta);
                        Object t = src.expiresMap().get(k);
                        if (t != null) live.expiresMap().put(k, t, 0);
                        else live.expiresMap().remove(k);
                        return true;
                    });
                }
            }
            if (!functions.isEmpty()) {
                Persistence.FunctionLibraries libs = Persistence.of(engine).functions;
                if (libs == null) {
                    log.warn("The AOF base contains {} function libraries, but FUNCTION is not available", functions.size());
                } else {
                    for (byte[] code : functions) {
                        String err = libs.load(code, true);
                        if (err != null) log.warn("Failed loading library, {}", err);
                    }
                }
            }
        }
    }
}
