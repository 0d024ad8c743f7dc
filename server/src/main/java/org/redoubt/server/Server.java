package org.redoubt.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.redoubt.engine.CommandFamily;
import org.redoubt.engine.Engine;
import org.redoubt.engine.commands.Families;
import org.redoubt.engine.config.Config;
import org.redoubt.engine.config.ConfigTable;
import org.redoubt.persistence.Persistence;
import org.redoubt.persistence.PersistenceCommands;
import org.redoubt.persistence.aof.AofCommands;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The process: wires config, engine and front end; start-up and shutdown as redis-server. */
public final class Server {
    private static final Logger log = LoggerFactory.getLogger(Server.class);
    /** Set when this process only launched a daemonized copy and must exit. */
    static volatile boolean daemonParent;

    private final Config config;
    private final ConfigTable table;
    private final Path configFile;
    private Engine engine;
    private FrontEnd frontEnd;
    private HeapTrimmer trimmer;
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final CountDownLatch stopped = new CountDownLatch(1);

    public Server(Config config, ConfigTable table, Path configFile) {
        this.config = config;
        this.table = table;
        this.configFile = configFile;
    }

    public Engine engine() { return engine; }

    /** Every command family of the process: the engine's, then persistence's. */
    public static List<CommandFamily> families() {
        List<CommandFamily> families = new ArrayList<>(Families.standard());
        families.add(new PersistenceCommands());
        families.add(new AofCommands());
        return families;
    }

    public int start(List<String> warnings) {
        Logging.configure(config.loglevel, resolve(config.logfile));
        long pid = ProcessHandle.current().pid();
        log.warn("oO0OoO0OoO0Oo Redoubt is starting oO0OoO0OoO0Oo");
        log.warn("Redoubt version={}, redis_version={}, bits=64, java={}, pid={}, just started",
            Main.REDOUBT_VERSION, Main.REDIS_VERSION, Runtime.version(), pid);
        if (configFile == null) {
            log.warn("Warning: no config file specified, using the default config. In order to specify a config file use bin/redoubt-server /path/to/redis.conf");
        } else {
            log.warn("Configuration loaded");
        }
        for (String w : warnings) log.warn("{}", w);

        engine = new Engine(config, families());
        engine.configTable = table;
        engine.configFile = configFile;
        for (String[] r : table.renamedCommands) engine.commands.rename(r[0], r[1]);
        table.addApplyHook("loglevel", () -> Logging.setLevel(config.loglevel));
        frontEnd = new FrontEnd(engine);
        engine.shutdownHandler = this::shutdownFromEngine;

        // Bound from this thread: the listeners register on the engine loop, which must not
        // block waiting on itself. They listen at once but accept only once the start-up load
        // is underway (below): connections wait in the backlog meanwhile, as with redis-server.
        String[] bindError = new String[1];
        try {
            bindError[0] = frontEnd.bind();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
        if (bindError[0] != null) {
            log.warn("{}", bindError[0]);
            frontEnd.shutdown();
            return 1;
        }
        // The ASCII-art line redis-server prints carries "Port:" and "PID:"; tools and Redis's
        // own test suite read the PID from it, also of a server whose load then fails.
        log.info("Redoubt {} (redis {}) 64 bit, running in standalone mode, Port: {} PID: {} transport: {}",
            Main.REDOUBT_VERSION, Main.REDIS_VERSION, config.port, pid, frontEnd.transport());
        writePidfile(pid);
        log.info("Server initialized");
        // An empty or missing dataset is in place before the first client is accepted (no
        // -LOADING, never an empty keyspace it could read or write); during a real load clients
        // are accepted and get -LOADING.
        engine.loading = true;
        frontEnd.loop().execute(engine::startCron);
        Persistence persistence = Persistence.of(engine);
        java.util.concurrent.atomic.AtomicInteger readyParts = new java.util.concurrent.atomic.AtomicInteger();
        // "Ready to accept connections" once both the listeners and the dataset are in place.
        Runnable readyPart = () -> {
            if (readyParts.incrementAndGet() == 2) log.info("Ready to accept connections tcp");
        };
        persistence.loadAtStartup(readyPart);
        try {
            persistence.startupLoadUnderway.get(60, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            log.debug("start-up load not underway yet ({}); accepting anyway", e.toString());
        }
        frontEnd.startAccepting();
        trimmer = HeapTrimmer.startIfConcurrent(() -> config.jemallocBgThread);
        installSignalHandlers();
        readyPart.run();
        return 0;
    }

    private String resolve(String file) {
        if (file == null || file.isEmpty()) return file;
        Path p = Path.of(file);
        return p.isAbsolute() ? file : Path.of(config.dir).resolve(p).toString();
    }

    private void writePidfile(long pid) {
        if (config.pidfile == null || config.pidfile.isEmpty()) return;
        try {
            Files.writeString(Path.of(resolve(config.pidfile)), pid + "\n");
        } catch (IOException e) {
            log.warn("Failed to write PID file: {}", e.getMessage());
        }
    }

    private void installSignalHandlers() {
        try {
            sun.misc.Signal.handle(new sun.misc.Signal("TERM"), s -> signalShutdown("SIGTERM"));
            sun.misc.Signal.handle(new sun.misc.Signal("INT"), s -> signalShutdown("SIGINT"));
        } catch (IllegalArgumentException e) {
            log.debug("signal handlers not installed: {}", e.getMessage());
        }
    }

    private void signalShutdown(String sig) {
        log.warn("Received {} scheduling shutdown...", sig);
        frontEnd.loop().execute(() -> engine.requestShutdown(Engine.SHUTDOWN_DEFAULT));
    }

    /** Stops the server without exiting the process (tests, embedding). */
    public void stop() {
        if (!stopping.compareAndSet(false, true)) return;
        engine.shutdownRequested = true;
        if (trimmer != null) trimmer.stop();
        frontEnd.shutdown();
        stopped.countDown();
    }

    public int port() { return config.port; }

    /**
     * Called on the engine thread once the engine has done its part of SHUTDOWN (final save,
     * etc.); closes listeners and exits the process from another thread.
     */
    private void shutdownFromEngine() {
        if (!stopping.compareAndSet(false, true)) return;
        if (config.pidfile != null && !config.pidfile.isEmpty()) {
            try { Files.deleteIfExists(Path.of(resolve(config.pidfile))); } catch (IOException ignored) { }
        }
        log.warn("Redoubt is now ready to exit, bye bye...");
        Thread t = new Thread(() -> {
            frontEnd.shutdown();
            stopped.countDown();
            System.exit(0);
        }, "redoubt-exit");
        t.start();
    }
}
