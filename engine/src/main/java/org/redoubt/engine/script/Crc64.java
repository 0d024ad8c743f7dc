package org.redoubt.engine.script;

/**
 * CRC-64/Jones (reflected polynomial 0x95ac9329ac4bc9b5, init 0, no final xor): the checksum
 * Redis appends to DUMP payloads, FUNCTION DUMP included. {@code update(0, "123456789")} is
 * 0xe9c6d914c4b8d9ca. Byte-at-a-time table: FUNCTION DUMP payloads are small.
 */
public final class Crc64 {
    private Crc64() {}

    private static final long[] TABLE = new long[256];

    static {
        long poly = Long.reverse(0xad93d23594c935a9L);
        for (int i = 0; i < 256; i++) {
            long crc = i;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >>> 1) ^ poly : crc >>> 1;
            TABLE[i] = crc;
        }
    }

    public static long update(long crc, byte[] b, int off, int len) {
        for (int i = off, end = off + len; i < end; i++) {
            crc = TABLE[(int) (crc ^ b[i]) & 0xff] ^ (crc >>> 8);
        }
        return crc;
    }
}
