package org.redoubt.persistence.rdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.redoubt.protocol.Numbers;

class ListpackTest {
    private static List<String> decode(byte[] lp) throws RdbException {
        List<String> out = new ArrayList<>();
        Listpack.decode(lp, new Listpack.BytesVisitor() {
            @Override public void element(byte[] e) { out.add(new String(e, StandardCharsets.ISO_8859_1)); }
        }, 0);
        return out;
    }

    @Test
    void integersAtEveryEncodingBoundaryRoundTrip() throws RdbException {
        long[] vals = {0, 1, 127, 128, -1, -4096, 4095, 4096, -4097, 32767, -32768, 32768, 8388607, -8388608,
            8388608, Integer.MAX_VALUE, Integer.MIN_VALUE, 1L << 31, Long.MAX_VALUE, Long.MIN_VALUE};
        Listpack.Builder b = new Listpack.Builder();
        List<String> expect = new ArrayList<>();
        for (long v : vals) {
            b.add(v);
            expect.add(Long.toString(v));
        }
        assertThat(decode(b.toByteArray())).containsExactlyElementsOf(expect);
    }

    @Test
    void stringsAtEveryLengthClassRoundTripAndCanonicalIntegersBecomeIntegers() throws RdbException {
        Listpack.Builder b = new Listpack.Builder();
        List<String> expect = new ArrayList<>();
        for (int len : new int[] {0, 1, 63, 64, 127, 128, 4095, 4096, 70000}) {
            String s = "x".repeat(len);
            b.add(s.getBytes(StandardCharsets.US_ASCII));
            expect.add(s);
        }
        for (String s : new String[] {"12", "-7", "007", "-0", " 1", "9223372036854775808"}) {
            b.add(s.getBytes(StandardCharsets.US_ASCII));
            expect.add(s);
        }
        byte[] lp = b.toByteArray();
        assertThat(decode(lp)).containsExactlyElementsOf(expect);
        assertThat(Listpack.headerCount(lp)).isEqualTo(expect.size());
    }

    @Test
    void exactBytesOfASmallListpack() {
        // "a" (6-bit string), 1 (7-bit uint), -1 (13-bit int): total 6 + 3 + 2 + 3 + 1 bytes.
        byte[] lp = new Listpack.Builder().add(new byte[] {'a'}).add(Numbers.longToBytes(1)).add(-1).toByteArray();
        assertThat(lp).containsExactly(15, 0, 0, 0, 3, 0, 0x81, 'a', 2, 1, 1, 0xDF, 0xFF, 2, 0xFF);
    }

    @Test
    void corruptionsAreDetected() {
        byte[] lp = new Listpack.Builder().add("hello".getBytes(StandardCharsets.US_ASCII)).add(300).toByteArray();
        byte[] badLen = lp.clone();
        badLen[0]++;
        assertThatThrownBy(() -> Listpack.validate(badLen, 5)).isInstanceOf(RdbException.class)
            .satisfies(e -> assertThat(((RdbException) e).offset).isEqualTo(5));
        byte[] badBacklen = lp.clone();
        badBacklen[6 + 6] = 9;
        assertThatThrownBy(() -> Listpack.validate(badBacklen, 0)).isInstanceOf(RdbException.class);
        byte[] badCount = lp.clone();
        badCount[4] = 3;
        assertThatThrownBy(() -> Listpack.validate(badCount, 0)).isInstanceOf(RdbException.class);
        byte[] unterminated = lp.clone();
        unterminated[lp.length - 1] = 0;
        assertThatThrownBy(() -> Listpack.validate(unterminated, 0)).isInstanceOf(RdbException.class);
    }
}
