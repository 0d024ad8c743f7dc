package org.redoubt.server;

import java.io.IOException;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.redoubt.engine.config.Config;
import org.redoubt.engine.config.ConfigTable;

/** A real Redoubt server on a free loopback port, started in this JVM, for integration tests. */
public final class ServerFixture implements AutoCloseable {
    public final Server server;
    public final int port;

    private ServerFixture(Server server, int port) {
        this.server = server;
        this.port = port;
    }

    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Starts a server with Redis-style directives, e.g. start("--requirepass", "secret"). */
    public static ServerFixture start(String... directives) {
        int port = freePort();
        List<String> args = new ArrayList<>(List.of("--port", Integer.toString(port), "--bind", "127.0.0.1",
            "--save", "", "--appendonly", "no", "--enable-debug-command", "yes", "--loglevel", "warning"));
        args.addAll(Arrays.asList(directives));
        Config config = new Config();
        ConfigTable table = new ConfigTable(config);
        try {
            table.load(ConfigTable.argsToConfigText(args), null);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        Server s = new Server(config, table, null);
        int rc = s.start(List.of());
        if (rc != 0) throw new IllegalStateException("server failed to start on port " + port);
        return new ServerFixture(s, port);
    }

    @Override
    public void close() {
        server.stop();
    }
}
