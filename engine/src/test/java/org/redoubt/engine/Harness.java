package org.redoubt.engine;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.redoubt.engine.commands.Families;
import org.redoubt.engine.config.Config;

/**
 * Runs commands against an in-process engine (no network) and decodes the replies, for the
 * per-family unit tests. Replies: String for +simple, byte[]→String for bulk (UTF-8), Long for
 * integers, Double for RESP3 doubles, Boolean, List, Map, null, {@link Err} for errors.
 */
public final class Harness {
    public final Engine engine;
    public final Client client;

    public record Err(String message) {
        @Override public String toString() { return "-" + message; }
    }

    public Harness() { this(new Config()); }

    public Harness(Config config) {
        engine = new Engine(config, Families.standard());
        engine.configTable = new org.redoubt.engine.config.ConfigTable(config);
        client = newClient();
    }

    public Client newClient() {
        Client c = engine.newClient(null);
        c.authenticated = true;
        return c;
    }

    public Object exec(String... args) { return exec(client, args); }

    public Object exec(Client c, String... args) {
        byte[][] argv = new byte[args.length][];
        for (int i = 0; i < args.length; i++) argv[i] = args[i].getBytes(StandardCharsets.UTF_8);
        return execBytes(c, argv);
    }

    public Object execBytes(Client c, byte[]... argv) {
        c.argv = argv;
        c.argc = argv.length;
        engine.process(c);
        List<Object> r = drain(c);
        if (r.isEmpty()) return NONE;
        if (r.size() != 1) throw new AssertionError("expected one reply, got " + r);
        return r.get(0);
    }

    /** Marker for "no reply produced" (blocked client, CLIENT REPLY OFF). */
    public static final Object NONE = new Object() { @Override public String toString() { return "<no reply>"; } };

    /** Every reply buffered for c, decoded. */
    public List<Object> drain(Client c) {
        ByteBuf b = c.takeOutput();
        try {
            List<Object> out = new ArrayList<>();
            while (b.isReadable()) out.add(read(b));
            return out;
        } finally {
            b.release();
        }
    }

    /** The raw reply bytes for exact-encoding assertions. */
    public String raw(String... args) {
        byte[][] argv = new byte[args.length][];
        for (int i = 0; i < args.length; i++) argv[i] = args[i].getBytes(StandardCharsets.UTF_8);
        client.argv = argv;
        client.argc = argv.length;
        engine.process(client);
        ByteBuf b = client.takeOutput();
        try {
            return b.toString(StandardCharsets.UTF_8);
        } finally {
            b.release();
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
            case '#': return line(b).equals("t");
            case ',': {
                String s = line(b);
                return switch (s) {
                    case "inf" -> Double.POSITIVE_INFINITY;
                    case "-inf" -> Double.NEGATIVE_INFINITY;
                    case "nan" -> Double.NaN;
                    default -> Double.parseDouble(s);
                };
            }
            case '(': return new java.math.BigInteger(line(b));
            case '$': case '=': {
                int n = Integer.parseInt(line(b));
                if (n < 0) return null;
                String s = b.toString(b.readerIndex(), n, StandardCharsets.UTF_8);
                b.skipBytes(n + 2);
                return t == '=' ? s.substring(4) : s;
            }
            case '*': case '~': case '>': {
                int n = Integer.parseInt(line(b));
                if (n < 0) return null;
                List<Object> l = new ArrayList<>(n);
                for (int i = 0; i < n; i++) l.add(read(b));
                return l;
            }
            case '%': case '|': {
                int n = Integer.parseInt(line(b));
                Map<Object, Object> m = new LinkedHashMap<>();
                for (int i = 0; i < n; i++) { Object k = read(b); m.put(k, read(b)); }
                return m;
            }
            default: throw new AssertionError("bad reply type " + t);
        }
    }
}
