package org.redoubt.persistence.aof;

import io.netty.buffer.ByteBuf;
import io.netty.channel.DefaultEventLoopGroup;
import io.netty.channel.EventLoop;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.redoubt.engine.Client;
import org.redoubt.engine.CommandFamily;
import org.redoubt.engine.Engine;
import org.redoubt.engine.commands.Families;
import org.redoubt.engine.config.Config;
import org.redoubt.engine.config.ConfigTable;
import org.redoubt.persistence.Persistence;
import org.redoubt.persistence.PersistenceCommands;

/**
 * An in-process engine with the persistence and AOF families, driven on a real event loop (as
 * the server drives it, so that beforeSleep hand-offs, the cron and writer notifications happen
 * as in production), without a network. Replies are decoded: String, Long, List, Map, null, Err.
 */
final class AofHarness implements AutoCloseable {
    final Path dir;
    final Config config = new Config();
    final ConfigTable table = new ConfigTable(config);
    final Engine engine;
    final Aof aof;
    final Persistence p;
    private final DefaultEventLoopGroup group = new DefaultEventLoopGroup(1);
    final EventLoop loop = group.next();
    final List<String> exits = new CopyOnWriteArrayList<>();
    private Client client;

    record Err(String message) {
        @Override public String toString() { return "-" + message; }
    }

    /** @param configText redis.conf lines (appendonly yes, appendfsync always ...) */
    AofHarness(Path dir, String configText) throws Exception {
        this.dir = dir;
        table.load("dir " + dir.toAbsolutePath() + "\nsave \"\"\nenable-debug-command yes\n" + configText, null);
        List<CommandFamily> fams = new ArrayList<>(Families.standard());
        fams.add(new PersistenceCommands());
        fams.add(new AofCommands());
        engine = new Engine(config, fams);
        engine.configTable = table;
        engine.loop = loop;
        aof = Aof.of(engine);
        p = Persistence.of(engine);
        p.exitHook = () -> exits.add("exit(1)");
        aof.exit = () -> exits.add("exit(1)");
        onLoop(() -> {
            engine.startCron();
            return null;
        });
    }

    /** Loads the data as the server does at start-up; false when the load stopped the "process". */
    boolean start() throws Exception {
        CountDownLatch ready = startAsync();
        for (int i = 0; i < 3000 && ready.getCount() > 0 && exits.isEmpty(); i++) ready.await(10, TimeUnit.MILLISECONDS);
        return exits.isEmpty();
    }

    /** Starts loading; the latch opens when the server is ready. Commands may be sent meanwhile. */
    CountDownLatch startAsync() throws Exception {
        CountDownLatch ready = new CountDownLatch(1);
        client = onLoop(() -> {
            p.loadAtStartup(ready::countDown);
            Client c = engine.newClient(null);
            c.authenticated = true;
            return c;
        });
        return ready;
    }

    <T> T onLoop(Callable<T> c) throws Exception {
        return loop.submit(c).get(60, TimeUnit.SECONDS);
    }

    Client newClient() throws Exception {
        return onLoop(() -> {
            Client c = engine.newClient(null);
            c.authenticated = true;
            return c;
        });
    }

    Object exec(String... args) throws Exception { return exec(client, args); }

    Object exec(Client c, String... args) throws Exception {
        byte[][] argv = new byte[args.length][];
        for (int i = 0; i < args.length; i++) argv[i] = args[i].getBytes(StandardCharsets.UTF_8);
        Object r = onLoop(() -> {
            c.argv = argv;
            c.argc = argv.length;
            engine.process(c);
            return c.has(Client.F_PAUSED) ? PENDING : reply(c);
        });
        // A paused client (DEBUG LOADAOF replays in loop tasks) gets its reply later.
        for (int i = 0; r == PENDING && i < 12_000; i++) {
            Thread.sleep(5);
            r = onLoop(() -> c.has(Client.F_PAUSED) ? PENDING : reply(c));
        }
        if (r == PENDING) throw new AssertionError("no reply within 60 s");
        return r;
    }

    private static final Object PENDING = new Object();

    private static Object reply(Client c) {
        ByteBuf b = c.takeOutput();
        try {
            List<Object> out = new ArrayList<>();
            while (b.isReadable()) out.add(read(b));
            if (out.size() != 1) throw new AssertionError("expected one reply, got " + out);
            return out.get(0);
        } finally {
            b.release();
        }
    }

    String info(String section, String field) throws Exception {
        String text = (String) exec("INFO", section);
        for (String line : text.split("\r\n")) {
            if (line.startsWith(field + ":")) return line.substring(field.length() + 1);
        }
        return null;
    }

    /** Waits for the end of a background rewrite. */
    void waitRewrite() throws Exception {
        for (int i = 0; i < 6000; i++) {
            if ("0".equals(info("persistence", "aof_rewrite_in_progress"))) return;
            Thread.sleep(10);
        }
        throw new AssertionError("rewrite did not finish");
    }

    /** Everything logged so far is on disk (as after a kill -9 once the writes reached the OS). */
    void flushLog() throws Exception {
        onLoop(() -> {
            aof.beforeSleep();
            return null;
        });
        if (aof.writer != null) aof.writer.drain(false);
    }

    /** Stops without the shutdown hooks: the files stay as they are (a crash). */
    void crash() throws Exception {
        flushLog();
        if (aof.writer != null) aof.writer.close();
        group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS).await(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        if (group.isShutdown()) return;
        try {
            onLoop(() -> aof.beforeExit(0));
            crash();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String line(ByteBuf b) {
        int i = b.indexOf(b.readerIndex(), b.writerIndex(), (byte) '\r');
        String s = b.toString(b.readerIndex(), i - b.readerIndex(), StandardCharsets.UTF_8);
        b.readerIndex(i + 2);
        return s;
    }

    private static Object read(ByteBuf b) {
        char t = (char) b.readByte();
        switch (t) {
            case '+': return line(b);
            case '-': return new Err(line(b));
            case ':': return Long.parseLong(line(b));
            case '_': line(b); return null;
            case ',': return line(b);
            case '$': case '=': {
                int n = Integer.parseInt(line(b));
                if (n < 0) return null;
                byte[] d = new byte[n];
                b.readBytes(d);
                b.skipBytes(2);
                String s = new String(d, StandardCharsets.UTF_8);
                return t == '=' ? s.substring(4) : s;
            }
            case '*': case '~': case '>': {
                int n = Integer.parseInt(line(b));
                if (n < 0) return null;
                List<Object> l = new ArrayList<>(n);
                for (int i = 0; i < n; i++) l.add(read(b));
                return l;
            }
            case '%': {
                int n = Integer.parseInt(line(b));
                Map<Object, Object> m = new LinkedHashMap<>();
                for (int i = 0; i < n; i++) { Object k = read(b); m.put(k, read(b)); }
                return m;
            }
            default: throw new AssertionError("bad reply type " + t);
        }
    }
}
