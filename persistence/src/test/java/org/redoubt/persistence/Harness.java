package org.redoubt.persistence;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.redoubt.engine.Client;
import org.redoubt.engine.CommandFamily;
import org.redoubt.engine.Engine;
import org.redoubt.engine.commands.Families;
import org.redoubt.engine.config.Config;
import org.redoubt.engine.config.ConfigTable;

/**
 * An in-process engine with the persistence family installed (no network, no event loop:
 * background-save completions are applied by {@link Persistence#awaitBgsave}), with replies
 * decoded: String for simple and bulk replies, Long, List, Map, null, {@link Err}.
 */
final class Harness {
    final Engine engine;
    final Client client;
    final Persistence p;

    record Err(String message) {
        @Override public String toString() { return "-" + message; }
    }

    Harness(Path dir) {
        this(dir, new Config());
    }

    Harness(Path dir, Config config) {
        config.dir = dir.toAbsolutePath().toString();
        config.savePoints = new long[0][];
        List<CommandFamily> fams = new ArrayList<>(Families.standard());
        fams.add(new PersistenceCommands());
        engine = new Engine(config, fams);
        engine.configTable = new ConfigTable(config);
        config.dir = dir.toAbsolutePath().toString();
        config.enableDebugCommand = 1;
        p = Persistence.of(engine);
        p.exitHook = () -> { throw new IllegalStateException("exit(1) requested"); };
        client = newClient();
    }

    Client newClient() {
        Client c = engine.newClient(null);
        c.authenticated = true;
        return c;
    }

    Object exec(String... args) { return exec(client, args); }

    Object exec(Client c, String... args) {
        byte[][] argv = new byte[args.length][];
        for (int i = 0; i < args.length; i++) argv[i] = args[i].getBytes(StandardCharsets.UTF_8);
        return execBytes(c, argv);
    }

    Object execBytes(byte[]... argv) { return execBytes(client, argv); }

    Object execBytes(Client c, byte[]... argv) {
        c.argv = argv;
        c.argc = argv.length;
        engine.process(c);
        ByteBuf b = c.takeOutput();
        try {
            List<Object> out = new ArrayList<>();
            while (b.isReadable()) out.add(read(b, false));
            if (out.size() != 1) throw new AssertionError("expected one reply, got " + out);
            return out.get(0);
        } finally {
            b.release();
        }
    }

    /** A bulk reply as raw bytes (DUMP payloads). */
    byte[] execRaw(String... args) {
        byte[][] argv = new byte[args.length][];
        for (int i = 0; i < args.length; i++) argv[i] = args[i].getBytes(StandardCharsets.UTF_8);
        client.argv = argv;
        client.argc = argv.length;
        engine.process(client);
        ByteBuf b = client.takeOutput();
        try {
            Object o = read(b, true);
            return o instanceof byte[] x ? x : null;
        } finally {
            b.release();
        }
    }

    /** INFO field value from the given section. */
    String info(String section, String field) {
        String text = (String) exec("INFO", section);
        for (String line : text.split("\r\n")) {
            if (line.startsWith(field + ":")) return line.substring(field.length() + 1);
        }
        return null;
    }

    private static String line(ByteBuf b) {
        int i = b.indexOf(b.readerIndex(), b.writerIndex(), (byte) '\r');
        String s = b.toString(b.readerIndex(), i - b.readerIndex(), StandardCharsets.UTF_8);
        b.readerIndex(i + 2);
        return s;
    }

    private static Object read(ByteBuf b, boolean raw) {
        char t = (char) b.readByte();
        switch (t) {
            case '+': return line(b);
            case '-': return new Err(line(b));
            case ':': return Long.parseLong(line(b));
            case '_': line(b); return null;
            case '$': case '=': {
                int n = Integer.parseInt(line(b));
                if (n < 0) return null;
                byte[] d = new byte[n];
                b.readBytes(d);
                b.skipBytes(2);
                if (raw) return d;
                String s = new String(d, StandardCharsets.UTF_8);
                return t == '=' ? s.substring(4) : s;
            }
            case '*': case '~': case '>': {
                int n = Integer.parseInt(line(b));
                if (n < 0) return null;
                List<Object> l = new ArrayList<>(n);
                for (int i = 0; i < n; i++) l.add(read(b, raw));
                return l;
            }
            case '%': {
                int n = Integer.parseInt(line(b));
                Map<Object, Object> m = new LinkedHashMap<>();
                for (int i = 0; i < n; i++) { Object k = read(b, raw); m.put(k, read(b, raw)); }
                return m;
            }
            default: throw new AssertionError("bad reply type " + t);
        }
    }
}
