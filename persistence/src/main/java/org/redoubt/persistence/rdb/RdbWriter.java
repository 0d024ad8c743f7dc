package org.redoubt.persistence.rdb;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Writes an RDB file (rdbSaveRio's layout) or a DUMP payload through an {@link RdbOutput}:
 * <pre>
 *   "REDIS0010"  (AUX key value)*  (FUNCTION2 code)*
 *   (SELECTDB n  RESIZEDB size expires  ([EXPIRETIME_MS t] [IDLE s | FREQ f] type key value)*)*
 *   EOF  crc64 (8 bytes little endian, 0 when checksums are off)
 * </pre>
 * A DUMP payload is {@code type value} followed by the RDB version (2 bytes little endian) and
 * the CRC64 of everything before it (8 bytes little endian).
 */
public final class RdbWriter {
    private final RdbOutput out;
    private final Codecs codecs;
    private final SaveContext ctx;

    public RdbWriter(RdbOutput out, Codecs codecs, SaveContext ctx) {
        this.out = out;
        this.codecs = codecs;
        this.ctx = ctx;
    }

    public RdbOutput output() { return out; }

    /** Magic, version, then the AUX fields in the given order. */
    public void header(Map<String, String> aux) throws IOException {
        out.writeBytes(Rdb.MAGIC);
        out.writeBytes(String.format(java.util.Locale.ROOT, "%04d", Rdb.VERSION).getBytes(StandardCharsets.US_ASCII));
        for (Map.Entry<String, String> e : aux.entrySet()) auxField(e.getKey(), e.getValue());
    }

    public void auxField(String key, String value) throws IOException {
        out.writeType(Rdb.OPCODE_AUX);
        out.writeString(key);
        out.writeString(value);
    }

    /** One function library (its source code, with its "#!lua name=..." shebang). */
    public void function(byte[] code) throws IOException {
        out.writeType(Rdb.OPCODE_FUNCTION2);
        out.writeString(code);
    }

    public void selectDb(int id, long size, long expires) throws IOException {
        out.writeType(Rdb.OPCODE_SELECTDB);
        out.writeLen(id);
        out.writeType(Rdb.OPCODE_RESIZEDB);
        out.writeLen(size);
        out.writeLen(expires);
    }

    /**
     * rdbSaveKeyValuePair. {@code expireMs} -1 for none; {@code idleSeconds} -1 unless the
     * policy is LRU; {@code freq} -1 unless the policy is LFU.
     */
    public void keyValue(byte[] key, Object value, long expireMs, long idleSeconds, int freq) throws IOException {
        TypeCodec codec = codecs.forValue(value);
        if (codec == null) throw new RdbException(RdbException.Kind.UNSUPPORTED, out.position(), Codecs.unsupportedValue(value));
        if (expireMs != -1) {
            out.writeType(Rdb.OPCODE_EXPIRETIME_MS);
            out.writeMillis(expireMs);
        }
        if (idleSeconds >= 0) {
            out.writeType(Rdb.OPCODE_IDLE);
            out.writeLen(idleSeconds);
        }
        if (freq >= 0) {
            out.writeType(Rdb.OPCODE_FREQ);
            out.writeByte(freq);
        }
        out.writeType(codec.rdbType(value));
        out.writeString(key);
        codec.save(value, out, ctx);
    }

    /** EOF and the checksum. */
    public void footer() throws IOException {
        out.writeType(Rdb.OPCODE_EOF);
        out.writeLongLE(out.crc());
    }

    /** createDumpPayload. */
    public static byte[] dumpPayload(Object value, Codecs codecs, SaveContext ctx, boolean compress) throws IOException {
        TypeCodec codec = codecs.forValue(value);
        if (codec == null) throw new RdbException(RdbException.Kind.UNSUPPORTED, 0, Codecs.unsupportedValue(value));
        RdbOutput o = new RdbOutput(compress);
        o.writeType(codec.rdbType(value));
        codec.save(value, o, ctx);
        o.writeByte(Rdb.VERSION & 0xff);
        o.writeByte((Rdb.VERSION >>> 8) & 0xff);
        o.writeLongLE(o.crc());
        return o.toByteArray();
    }
}
