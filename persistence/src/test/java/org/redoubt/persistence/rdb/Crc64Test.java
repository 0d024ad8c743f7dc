package org.redoubt.persistence.rdb;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class Crc64Test {
    /** Bit-at-a-time reference: the definition, with no tables. */
    private static long reference(byte[] b, int off, int len) {
        long poly = Long.reverse(0xad93d23594c935a9L);
        long crc = 0;
        for (int i = off; i < off + len; i++) {
            crc ^= b[i] & 0xff;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >>> 1) ^ poly : crc >>> 1;
        }
        return crc;
    }

    @Test
    void checkValueOfJonesCrc() {
        // The check value Redis's crc64 test uses for "123456789".
        assertThat(Crc64.of("123456789".getBytes(StandardCharsets.US_ASCII))).isEqualTo(0xe9c6d914c4b8d9caL);
        assertThat(Crc64.of(new byte[0])).isZero();
    }

    @Test
    void slicingMatchesBitwiseReferenceAtEveryLengthAndAlignment() {
        SplittableRandom rnd = new SplittableRandom(42);
        byte[] data = new byte[300];
        for (int i = 0; i < data.length; i++) data[i] = (byte) rnd.nextInt();
        for (int off = 0; off < 9; off++) {
            for (int len = 0; off + len <= data.length; len += 7) {
                assertThat(Crc64.of(data, off, len)).as("off %d len %d", off, len).isEqualTo(reference(data, off, len));
            }
        }
    }

    @Test
    void piecewiseEqualsWhole() {
        byte[] data = "The quick brown fox jumps over the lazy dog, several times over.".getBytes(StandardCharsets.US_ASCII);
        long whole = Crc64.of(data);
        for (int cut = 0; cut <= data.length; cut++) {
            long a = Crc64.update(0, data, 0, cut);
            assertThat(Crc64.update(a, data, cut, data.length - cut)).isEqualTo(whole);
        }
    }
}
