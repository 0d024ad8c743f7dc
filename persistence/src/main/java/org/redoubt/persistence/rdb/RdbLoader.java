package org.redoubt.persistence.rdb;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.redoubt.persistence.rdb.RdbException.Kind;

/**
 * Reads an RDB file (rdbLoadRioWithLoadingCtx's loop) and hands what it finds to a
 * {@link Target}: AUX fields, function libraries, database selections, and every key with its
 * expire time and LRU/LFU hints. Values are read by a {@link ValueReader}: the engine's reads
 * them with the {@link Codecs} into engine values, the check tool's only validates them.
 *
 * <p>Versions 1 to {@link Rdb#VERSION} are accepted, as Redis 7.0 does. A file that ends
 * early, has an impossible structure or a wrong checksum throws an {@link RdbException} with the
 * offset where reading stopped.
 */
public final class RdbLoader {
    /** Receives the content of the file, in file order. */
    public interface Target {
        /** An AUX field (Redis logs some, keeps replication ones, ignores unknown ones). */
        default void aux(String key, byte[] value) throws IOException {}

        /** A FUNCTION2 library (or a 7.0-rc FUNCTION one). */
        default void function(byte[] code, long offset) throws IOException {}

        /** SELECTDB: throw to refuse a db number out of range. */
        default void selectDb(long db, long offset) throws IOException {}

        default void resizeDb(long size, long expires) {}

        /**
         * A key and its value. {@code expireMs} -1 when none; {@code idleSeconds} -1 and
         * {@code freq} -1 when the file has no hint. {@code offset} is where the key's record
         * started (for duplicate-key messages).
         */
        void key(byte[] key, Object value, long expireMs, long idleSeconds, int freq, long offset) throws IOException;

        /** A key whose value was empty (skipped by Redis, with a warning). */
        default void emptyKey(byte[] key, int type) {}
    }

    /** Reads one value body. */
    public interface ValueReader {
        /**
         * The value of key, of the given type byte found at typeOffset; null for an empty
         * collection.
         */
        Object read(int type, byte[] key, RdbInput in, long typeOffset) throws IOException;
    }

    /** What the loader learned besides the keys. */
    public static final class Result {
        public int version;
        public long keys;
        public long emptyKeysSkipped;
        /** The checksum at the end, and whether it was checked (false when 0 or disabled). */
        public long checksum;
        public boolean checksumVerified;
        public boolean checksumDisabledInFile;
    }

    /** A reader building engine values with the codecs. */
    public static ValueReader codecReader(Codecs codecs, LoadContext ctx) {
        return (type, key, in, typeOffset) -> {
            TypeCodec c = codecs.forType(type);
            if (c == null) {
                Kind k = Rdb.isObjectType(type) ? Kind.UNSUPPORTED : Kind.CORRUPT;
                throw new RdbException(k, typeOffset, Codecs.unsupportedType(type) + " (key '"
                    + new String(key, StandardCharsets.UTF_8) + "')");
            }
            return c.load(type, in, ctx);
        };
    }

    /**
     * Loads {@code in} into {@code t}.
     * @param verifyChecksum rdbchecksum and not DEBUG SET-SKIP-CHECKSUM-VALIDATION
     */
    public static Result load(RdbInput in, ValueReader values, Target t, boolean verifyChecksum) throws IOException {
        Result r = new Result();
        byte[] magic = new byte[9];
        try {
            in.readFully(magic, 0, 9);
        } catch (RdbException e) {
            throw new RdbException(Kind.SHORT_READ, in.offset(), "Unexpected EOF reading RDB file (header)");
        }
        for (int i = 0; i < 5; i++) {
            if (magic[i] != Rdb.MAGIC[i]) throw new RdbException(Kind.CORRUPT, 0, "Wrong signature trying to load DB from file");
        }
        int ver = 0;
        for (int i = 5; i < 9; i++) {
            int d = magic[i] - '0';
            if (d < 0 || d > 9) {
                ver = -1;
                break;
            }
            ver = ver * 10 + d;
        }
        if (ver < 1 || ver > Rdb.VERSION) {
            throw new RdbException(Kind.UNSUPPORTED, 5, "Can't handle RDB format version " + ver);
        }
        r.version = ver;
        long expire = -1, idle = -1;
        int freq = -1;
        long recordStart = -1;
        while (true) {
            if (recordStart < 0) recordStart = in.offset();
            int type = in.readType();
            switch (type) {
                case Rdb.OPCODE_EXPIRETIME -> {
                    expire = in.readIntLE() * 1000L;
                    continue;
                }
                case Rdb.OPCODE_EXPIRETIME_MS -> {
                    expire = in.readMillis();
                    continue;
                }
                case Rdb.OPCODE_FREQ -> {
                    freq = in.readUnsignedByte();
                    continue;
                }
                case Rdb.OPCODE_IDLE -> {
                    idle = in.readLen();
                    continue;
                }
                case Rdb.OPCODE_EOF -> {
                    // fall out of the loop below
                }
                case Rdb.OPCODE_SELECTDB -> {
                    long at = in.offset();
                    long db = in.readLen();
                    t.selectDb(db, at);
                    recordStart = -1;
                    continue;
                }
                case Rdb.OPCODE_RESIZEDB -> {
                    long size = in.readLen();
                    long expires = in.readLen();
                    t.resizeDb(size, expires);
                    recordStart = -1;
                    continue;
                }
                case Rdb.OPCODE_AUX -> {
                    byte[] k = in.readString();
                    byte[] v = in.readString();
                    t.aux(new String(k, StandardCharsets.UTF_8), v);
                    recordStart = -1;
                    continue;
                }
                case Rdb.OPCODE_MODULE_AUX -> throw new RdbException(Kind.UNSUPPORTED, in.offset() - 1,
                    "The RDB file contains AUX module data I can't load: modules are not supported");
                case Rdb.OPCODE_FUNCTION, Rdb.OPCODE_FUNCTION2 -> {
                    long at = in.offset() - 1;
                    if (type == Rdb.OPCODE_FUNCTION) {
                        // 7.0-rc1/rc2 layout: name, engine, optional description, code; turned
                        // into the 7.0 form, the code behind a "#!engine name=..." line.
                        byte[] name = in.readString();
                        byte[] engineName = in.readString();
                        if (in.readLen() != 0) in.skipString();
                        byte[] blob = in.readString();
                        byte[] head = ("#!" + new String(engineName, StandardCharsets.UTF_8) + " name="
                            + new String(name, StandardCharsets.UTF_8) + "\n").getBytes(StandardCharsets.UTF_8);
                        byte[] code = java.util.Arrays.copyOf(head, head.length + blob.length);
                        System.arraycopy(blob, 0, code, head.length, blob.length);
                        t.function(code, at);
                    } else {
                        t.function(in.readString(), at);
                    }
                    recordStart = -1;
                    continue;
                }
                default -> {
                    if (!Rdb.isObjectType(type)) {
                        throw new RdbException(Kind.CORRUPT, in.offset() - 1, "Unknown RDB encoding type " + type);
                    }
                    long typeOffset = in.offset() - 1;
                    byte[] key = in.readString();
                    Object value = values.read(type, key, in, typeOffset);
                    if (value == null) {
                        r.emptyKeysSkipped++;
                        t.emptyKey(key, type);
                    } else {
                        t.key(key, value, expire, idle, freq, recordStart);
                        r.keys++;
                    }
                    expire = -1;
                    idle = -1;
                    freq = -1;
                    recordStart = -1;
                    continue;
                }
            }
            break;
        }
        if (ver >= 5) {
            long expected = in.crc();
            long sum;
            try {
                sum = in.readLongLE();
            } catch (RdbException e) {
                throw new RdbException(Kind.SHORT_READ, in.offset(), "Unexpected EOF reading RDB file (checksum)");
            }
            r.checksum = sum;
            if (verifyChecksum) {
                if (sum == 0) {
                    r.checksumDisabledInFile = true;
                } else if (sum != expected) {
                    throw new RdbException(Kind.CHECKSUM, in.offset() - 8, String.format(java.util.Locale.ROOT,
                        "Wrong RDB checksum expected: (%x) but got (%x). Aborting now.", expected, sum));
                } else {
                    r.checksumVerified = true;
                }
            }
        }
        return r;
    }
}
