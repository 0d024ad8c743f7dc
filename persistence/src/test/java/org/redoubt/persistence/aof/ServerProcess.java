package org.redoubt.persistence.aof;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * A server run as a real process: ours through {@code bin/redoubt-server}, or Debian's
 * {@code redis-server}. Ours needs the server jar built from the current sources; the tests that
 * use it are skipped (with the reason) when it is missing or older than the persistence classes
 * — build it with {@code ./mvnw -o -DskipTests package} first. {@code -Dredoubt.root=DIR} runs
 * the server of another tree.
 */
final class ServerProcess implements AutoCloseable {
    final Process proc;
    final int port;
    final Path dir;
    final Path log;

    private ServerProcess(Process proc, int port, Path dir, Path log) {
        this.proc = proc;
        this.port = port;
        this.dir = dir;
        this.log = log;
    }

    static Path root() {
        String r = System.getProperty("redoubt.root");
        if (r != null) return Path.of(r).toAbsolutePath();
        Path here = Path.of("").toAbsolutePath();
        return Files.exists(here.resolve("bin/redoubt-server")) ? here : here.getParent();
    }

    /** Skips the calling test unless bin/redoubt-server runs the current code. */
    static void assumeOurServer() throws IOException {
        Path root = root();
        Path jar = root.resolve("server/target/redoubt.jar");
        assumeTrue(Files.isExecutable(root.resolve("bin/redoubt-server")), "no bin/redoubt-server under " + root);
        assumeTrue(Files.exists(jar), "no server jar: run ./mvnw -o -DskipTests package first");
        if (System.getProperty("redoubt.root") == null) {
            long jarTime = Files.getLastModifiedTime(jar).toMillis();
            Path classes = root.resolve("persistence/target/classes/org/redoubt/persistence/aof");
            long newest = 0;
            if (Files.isDirectory(classes)) {
                try (Stream<Path> s = Files.list(classes)) {
                    for (Path p : (Iterable<Path>) s::iterator) newest = Math.max(newest, Files.getLastModifiedTime(p).toMillis());
                }
            }
            assumeTrue(jarTime >= newest, "server jar older than the AOF classes: run ./mvnw -o -DskipTests package first");
        }
    }

    static boolean onPath(String exe) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(d, exe))) return true;
        }
        return false;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Starts ours with the given directives (appendonly, appendfsync ...) on dir and waits until it serves. */
    static ServerProcess ours(Path dir, String... directives) throws Exception {
        int port = freePort();
        List<String> cmd = new ArrayList<>(List.of(root().resolve("bin/redoubt-server").toString(),
            "--port", Integer.toString(port), "--bind", "127.0.0.1", "--dir", dir.toString(), "--save", "",
            "--enable-debug-command", "yes"));
        cmd.addAll(List.of(directives));
        return start(cmd, port, dir, dir.resolve("ours-" + port + ".log"));
    }

    /** Starts Debian's redis-server. */
    static ServerProcess redis(Path dir, String... directives) throws Exception {
        int port = freePort();
        List<String> cmd = new ArrayList<>(List.of("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
            "--dir", dir.toString(), "--save", "", "--enable-debug-command", "yes", "--daemonize", "no"));
        cmd.addAll(List.of(directives));
        return start(cmd, port, dir, dir.resolve("redis-" + port + ".log"));
    }

    private static ServerProcess start(List<String> cmd, int port, Path dir, Path log) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("REDOUBT_JAVA_OPTS", "-Xmx512m");
        Process p = pb.start();
        ServerProcess s = new ServerProcess(p, port, dir, log);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) throw new IllegalStateException("server exited: " + Files.readString(log));
            try (Jedis j = new Jedis("127.0.0.1", port, 2000)) {
                if ("PONG".equals(j.ping())) return s;
            } catch (JedisDataException e) {
                // LOADING: not yet
            } catch (Exception e) {
                // not listening yet
            }
            Thread.sleep(20);
        }
        p.destroyForcibly();
        throw new IllegalStateException("server did not start: " + Files.readString(log));
    }

    Jedis client() { return new Jedis("127.0.0.1", port, 20000); }

    /** kill -9. */
    void kill() throws InterruptedException {
        proc.destroyForcibly();
        proc.waitFor(30, TimeUnit.SECONDS);
    }

    /** SHUTDOWN (NOSAVE) and wait for the exit. */
    void shutdown() throws InterruptedException {
        try (Jedis j = client()) {
            j.sendCommand(redis.clients.jedis.Protocol.Command.SHUTDOWN, "NOSAVE");
        } catch (Exception ignored) {
            // the connection closes as the server exits
        }
        if (!proc.waitFor(30, TimeUnit.SECONDS)) proc.destroyForcibly();
    }

    @Override
    public void close() {
        if (!proc.isAlive()) return;
        try {
            kill();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
