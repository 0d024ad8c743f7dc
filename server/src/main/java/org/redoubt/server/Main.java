package org.redoubt.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.redoubt.engine.config.Config;
import org.redoubt.engine.config.ConfigFileException;
import org.redoubt.engine.config.ConfigTable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code redoubt-server [/path/to/redis.conf] [--directive value ...]}, as redis-server:
 * the optional config file comes first, every "--name args" pair after it is a config line
 * appended to the file's text. picocli renders --help and --version; the directive list is
 * Redis's and is parsed by the config table.
 */
@Command(name = "redoubt-server", mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Redoubt: a Redis 7 compatible in-memory key-value server.",
    footer = {"", "Examples:",
        "  redoubt-server                       (run with the embedded default configuration)",
        "  redoubt-server /etc/redis/6379.conf",
        "  redoubt-server --port 7777",
        "  redoubt-server --port 7777 --replicaof 127.0.0.1 8888",
        "  redoubt-server /etc/myredis.conf --loglevel verbose --save 60 1000"})
public final class Main {
    public static final String REDIS_VERSION = "7.0.15";
    public static final String REDOUBT_VERSION = "0.1.0";

    @CommandLine.Parameters(paramLabel = "[config-file] [--directive value ...]", arity = "0..*",
        description = "A redis.conf file (or - for stdin), then directives as --name value.")
    List<String> unused;

    static final class Version implements CommandLine.IVersionProvider {
        @Override public String[] getVersion() {
            return new String[] {"Redoubt server v=" + REDOUBT_VERSION + " redis_version=" + REDIS_VERSION
                + " bits=64 java=" + Runtime.version()};
        }
    }

    public static void main(String[] args) {
        if (args.length > 0 && isHelpOrVersion(args[0])) {
            System.exit(new CommandLine(new Main()).execute(args[0]));
        }
        int rc = run(args);
        if (rc != 0) System.exit(rc);
        if (Server.daemonParent) System.exit(0);
    }

    /**
     * daemonize yes: a JVM cannot fork, so start a detached copy of this process (same JVM
     * options and arguments, a new session via setsid when available, output to the logfile or
     * /dev/null) and exit; the copy writes the pidfile (Redis's default for daemons:
     * /var/run/redis_PORT.pid... here redoubt_PORT.pid under /var/run or /tmp).
     */
    private static int daemonize(Config config, String[] args) {
        List<String> cmd = new ArrayList<>();
        if (Files.isExecutable(Path.of("/usr/bin/setsid"))) cmd.add("/usr/bin/setsid");
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.addAll(java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments());
        cmd.add("-Dredoubt.daemonized=true");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(Main.class.getName());
        cmd.addAll(Arrays.asList(args));
        if (config.pidfile.isEmpty()) {
            String dir = Files.isWritable(Path.of("/var/run")) ? "/var/run" : System.getProperty("java.io.tmpdir");
            cmd.add("--pidfile");
            cmd.add(dir + "/redoubt_" + config.port + ".pid");
        }
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        java.io.File out = new java.io.File(config.logfile.isEmpty() ? "/dev/null" : config.logfile);
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(out)).redirectError(ProcessBuilder.Redirect.appendTo(out));
        try {
            pb.start();
            return 0;
        } catch (IOException e) {
            System.err.println("Can't daemonize: " + e.getMessage());
            return 1;
        }
    }

    private static boolean isHelpOrVersion(String a) {
        return a.equals("-h") || a.equals("--help") || a.equals("-v") || a.equals("--version")
            || a.equals("-V");
    }

    /** Loads the configuration and starts the server; returns a process exit code on failure. */
    static int run(String[] args) {
        Config config = new Config();
        ConfigTable table = new ConfigTable(config);
        Path configFile = null;
        StringBuilder text = new StringBuilder();
        int i = 0;
        try {
            if (args.length > 0 && !args[0].startsWith("--")) {
                if (args[0].equals("-")) {
                    text.append(new String(System.in.readAllBytes(), StandardCharsets.UTF_8)).append('\n');
                } else {
                    configFile = Path.of(args[0]).toAbsolutePath();
                    text.append(Files.readString(configFile, StandardCharsets.UTF_8)).append('\n');
                }
                i = 1;
            }
        } catch (IOException e) {
            System.err.println("Fatal error, can't open config file '" + args[0] + "': " + e.getMessage());
            return 1;
        }
        List<String> rest = new ArrayList<>(Arrays.asList(args).subList(i, args.length));
        text.append(ConfigTable.argsToConfigText(rest));
        List<String> warnings;
        try {
            warnings = table.load(text.toString(), configFile == null ? null : configFile.toString());
        } catch (ConfigFileException e) {
            System.err.println(e.getMessage());
            return 1;
        }
        if (config.daemonize && !Boolean.getBoolean("redoubt.daemonized")) {
            Server.daemonParent = true;
            return daemonize(config, args);
        }
        Server server = new Server(config, table, configFile);
        return server.start(warnings);
    }
}
