package org.redoubt.persistence;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.redoubt.engine.info.ServerInfo;
import org.redoubt.persistence.rdb.Rdb;
import org.redoubt.persistence.rdb.RdbException;
import org.redoubt.persistence.rdb.RdbInput;
import org.redoubt.persistence.rdb.RdbLoader;
import org.redoubt.persistence.rdb.StreamData;
import org.redoubt.persistence.rdb.StreamListpacks;
import org.redoubt.persistence.rdb.ValueParser;

/**
 * {@code bin/redoubt-check-rdb FILE}: validates an RDB file the way redis-check-rdb does and
 * reports what it holds: the version, every AUX field, the databases, key counts per type and
 * encoding, expires, and the first error with the offset where it was found. Every value is
 * fully parsed and its embedded encodings (listpacks, ziplists, intsets, zipmaps, stream nodes)
 * deep-validated, without building engine values. Exit status 0 when the file is sound, 1 when
 * not.
 */
public final class CheckRdb {
    private final PrintStream out;
    private long offset;
    private String doing = "start";
    private byte[] key;
    private int keyType = -1;
    private long keys, expires, alreadyExpired;
    private final Map<String, Long> byType = new TreeMap<>();
    private final long now = System.currentTimeMillis();

    CheckRdb(PrintStream out) {
        this.out = out;
    }

    public static void main(String[] args) {
        if (args.length != 1 || args[0].startsWith("-")) {
            if (args.length == 1 && (args[0].equals("-v") || args[0].equals("--version"))) {
                System.out.println("redoubt-check-rdb " + ServerInfo.REDOUBT_VERSION + " (redis " + ServerInfo.REDIS_VERSION + ")");
                System.exit(0);
            }
            System.err.println("Usage: redoubt-check-rdb <rdb-file-name>");
            System.exit(1);
        }
        System.exit(new CheckRdb(System.out).check(Path.of(args[0])) ? 0 : 1);
    }

    private void info(String msg) {
        out.println("[offset " + offset + "] " + msg);
    }

    /** Checks file, printing the report; true when it is a valid RDB file. */
    boolean check(Path file) {
        info("Checking RDB file " + file);
        long size;
        InputStream in;
        try {
            size = Files.size(file);
            in = Files.newInputStream(file);
        } catch (IOException e) {
            out.println("Cannot check RDB file " + file + ": " + RdbSaver.message(e));
            return false;
        }
        RdbInput rin = new RdbInput(in, size);
        try (in) {
            RdbLoader.Result r = RdbLoader.load(rin, this::readValue, new RdbLoader.Target() {
                @Override public void aux(String k, byte[] v) {
                    offset = rin.offset();
                    info("AUX FIELD " + k + " = '" + new String(v, StandardCharsets.UTF_8) + "'");
                    doing = "read-type";
                }

                @Override public void function(byte[] code, long at) {
                    offset = rin.offset();
                    String first = new String(code, StandardCharsets.UTF_8).lines().findFirst().orElse("");
                    info("FUNCTION library: " + first);
                }

                @Override public void selectDb(long db, long at) {
                    offset = rin.offset();
                    info("Selecting DB ID " + db);
                }

                @Override public void resizeDb(long sizeHint, long expiresHint) {
                    offset = rin.offset();
                    info("DB size hint: " + sizeHint + " keys, " + expiresHint + " with an expire");
                }

                @Override public void key(byte[] k, Object value, long expireMs, long idle, int freq, long at) {
                    keys++;
                    if (expireMs != -1) {
                        expires++;
                        if (expireMs < now) alreadyExpired++;
                    }
                    key = null;
                    keyType = -1;
                    doing = "read-type";
                }

                @Override public void emptyKey(byte[] k, int type) {
                    info("Empty key skipped: '" + new String(k, StandardCharsets.UTF_8) + "'");
                    key = null;
                    keyType = -1;
                }
            }, true);
            offset = rin.offset();
            if (r.checksumDisabledInFile) info("RDB file was saved with checksum disabled: no check performed.");
            else if (r.checksumVerified) info("Checksum OK");
            if (rin.offset() != size) info("Warning: " + (size - rin.offset()) + " bytes after the end of the RDB data");
            info("RDB version " + r.version);
            info("\\o/ RDB looks OK! \\o/");
            summary(true);
            return true;
        } catch (RdbException e) {
            offset = e.offset;
            out.println("--- RDB ERROR DETECTED ---");
            String msg = e.kind == RdbException.Kind.CHECKSUM ? "RDB CRC error (" + e.getMessage() + ")" : e.getMessage();
            out.println("[offset " + e.offset + "] " + msg);
            out.println("[additional info] While doing: " + doing);
            if (key != null) out.println("[additional info] Reading key '" + new String(key, StandardCharsets.UTF_8) + "'");
            if (keyType != -1) {
                out.println("[additional info] Reading type " + keyType + " (" + Rdb.typeName(keyType) + ", "
                    + Rdb.encodingName(keyType) + ")");
            }
            summary(false);
            out.println("--- RDB ERROR DETECTED ---");
            return false;
        } catch (IOException e) {
            out.println("--- RDB ERROR DETECTED ---");
            out.println("[offset " + rin.offset() + "] I/O error: " + RdbSaver.message(e));
            return false;
        }
    }

    /** The generic counters (redis-check-rdb's three lines), then per type after a clean check. */
    private void summary(boolean perType) {
        out.println("[info] " + keys + " keys read");
        out.println("[info] " + expires + " expires");
        out.println("[info] " + alreadyExpired + " already expired");
        if (!perType) return;
        for (Map.Entry<String, Long> e : byType.entrySet()) {
            out.println("[info] " + e.getValue() + " keys of type " + e.getKey());
        }
    }

    /** Parses and validates one value; returns a marker (or null for an empty collection). */
    private Object readValue(int type, byte[] k, RdbInput in, long typeOffset) throws IOException {
        keyType = type;
        key = k;
        doing = "read-object-value";
        ValueParser.Counter c = new ValueParser.Counter();
        long n;
        if (type == Rdb.TYPE_STRING) {
            in.skipString();
            n = 1;
        } else if (ValueParser.isList(type)) {
            n = ValueParser.parseList(type, in, c);
        } else if (ValueParser.isSet(type)) {
            n = ValueParser.parseSet(type, in, c);
        } else if (ValueParser.isHash(type)) {
            n = ValueParser.parseHash(type, in, c);
        } else if (ValueParser.isZSet(type)) {
            n = ValueParser.parseZSet(type, in, c);
        } else if (ValueParser.isStream(type)) {
            StreamData s = ValueParser.parseStream(type, in);
            long live = 0;
            for (StreamData.Node node : s.nodes) live += StreamListpacks.walk(node.masterId, node.listpack, in.offset(), null);
            if (live != s.length) {
                throw new RdbException(RdbException.Kind.CORRUPT, in.offset(), "Stream length " + s.length
                    + " does not match its " + live + " entries");
            }
            n = 1;
        } else {
            throw new RdbException(RdbException.Kind.UNSUPPORTED, typeOffset,
                type == Rdb.TYPE_MODULE || type == Rdb.TYPE_MODULE_2
                    ? "Module values cannot be checked: modules are not supported" : "Invalid object type: " + type);
        }
        String name = Rdb.typeName(type) + " (" + Rdb.encodingName(type) + ")";
        byType.merge(name, 1L, Long::sum);
        return n == 0 && type != Rdb.TYPE_STRING && !ValueParser.isStream(type) ? null : Boolean.TRUE;
    }
}
