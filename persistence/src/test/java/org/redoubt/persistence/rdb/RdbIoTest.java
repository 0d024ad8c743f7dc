package org.redoubt.persistence.rdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class RdbIoTest {
    private static byte[] bytes(String s) { return s.getBytes(StandardCharsets.US_ASCII); }

    @Test
    void lengthsUseTheShortestForm() throws IOException {
        long[] lens = {0, 63, 64, 16383, 16384, 0xFFFFFFFFL, 0x100000000L, Long.MAX_VALUE};
        int[] sizes = {1, 1, 2, 2, 5, 5, 9, 9};
        for (int i = 0; i < lens.length; i++) {
            RdbOutput o = new RdbOutput(false);
            o.writeLen(lens[i]);
            byte[] b = o.toByteArray();
            assertThat(b).hasSize(sizes[i]);
            assertThat(new RdbInput(b).readLen()).isEqualTo(lens[i]);
        }
    }

    @Test
    void integerStringsUseTheIntegerEncodings() throws IOException {
        String[] ints = {"0", "-128", "127", "128", "-32768", "32767", "32768", "2147483647", "-2147483648"};
        int[] sizes = {2, 2, 2, 3, 3, 3, 5, 5, 5};
        for (int i = 0; i < ints.length; i++) {
            RdbOutput o = new RdbOutput(true);
            o.writeString(bytes(ints[i]));
            byte[] b = o.toByteArray();
            assertThat(b).as(ints[i]).hasSize(sizes[i]);
            assertThat(new String(new RdbInput(b).readString(), StandardCharsets.US_ASCII)).isEqualTo(ints[i]);
        }
        // Not canonical or too big for 32 bits: stored as text.
        for (String s : new String[] {"007", "-0", "+1", "2147483648", "12345678901"}) {
            RdbOutput o = new RdbOutput(true);
            o.writeString(bytes(s));
            byte[] b = o.toByteArray();
            assertThat(b).as(s).hasSize(1 + s.length());
            assertThat(new RdbInput(b).readString()).isEqualTo(bytes(s));
        }
    }

    @Test
    void longCompressibleStringsAreLzfCompressedOnlyWhenEnabled() throws IOException {
        byte[] s = bytes("a".repeat(100));
        RdbOutput on = new RdbOutput(true);
        on.writeString(s);
        byte[] c = on.toByteArray();
        assertThat(c[0] & 0xff).isEqualTo(0xC3);
        assertThat(c.length).isLessThan(20);
        assertThat(new RdbInput(c).readString()).isEqualTo(s);
        RdbOutput off = new RdbOutput(false);
        off.writeString(s);
        assertThat(off.toByteArray()).hasSize(2 + 100);
        // 20 bytes or fewer are never compressed.
        RdbOutput small = new RdbOutput(true);
        small.writeString(bytes("b".repeat(20)));
        assertThat(small.toByteArray()).hasSize(21);
    }

    @Test
    void streamingOutputComputesTheSameCrcAndBytesAsMemory() throws IOException {
        java.io.ByteArrayOutputStream sink = new java.io.ByteArrayOutputStream();
        RdbOutput streamed = new RdbOutput(sink::write, true, true);
        RdbOutput mem = new RdbOutput(true);
        byte[] big = new byte[200_000];
        for (int i = 0; i < big.length; i++) big[i] = (byte) (i * 31 + (i >> 7));
        for (RdbOutput o : new RdbOutput[] {streamed, mem}) {
            o.writeString(bytes("hello"));
            o.writeString(big);
            o.writeLen(123456);
            o.writeMillis(1700000000123L);
        }
        long crc = streamed.crc();
        streamed.flush();
        assertThat(sink.toByteArray()).isEqualTo(mem.toByteArray());
        assertThat(crc).isEqualTo(mem.crc()).isEqualTo(Crc64.of(mem.toByteArray()));
        // And reading it back from a stream tracks offsets and the CRC.
        RdbInput in = new RdbInput(new ByteArrayInputStream(sink.toByteArray()), sink.size());
        assertThat(in.readString()).isEqualTo(bytes("hello"));
        assertThat(in.readString()).isEqualTo(big);
        assertThat(in.readLen()).isEqualTo(123456);
        assertThat(in.readMillis()).isEqualTo(1700000000123L);
        assertThat(in.offset()).isEqualTo(sink.size());
        assertThat(in.crc()).isEqualTo(crc);
    }

    @Test
    void truncatedInputReportsAShortReadAtTheOffset() throws IOException {
        RdbOutput o = new RdbOutput(false);
        o.writeString(bytes("0123456789abcdefghij0123456789"));
        byte[] full = o.toByteArray();
        for (int cut = 0; cut < full.length; cut++) {
            byte[] part = Arrays.copyOf(full, cut);
            assertThatThrownBy(() -> new RdbInput(new ByteArrayInputStream(part), part.length).readString())
                .isInstanceOfSatisfying(RdbException.class, e -> {
                    assertThat(e.kind).isEqualTo(RdbException.Kind.SHORT_READ);
                    assertThat(e.offset).isBetween(0L, (long) part.length);
                });
        }
    }

    @Test
    void aHugeLengthIsRejectedBeforeAllocating() {
        byte[] b = {(byte) 0x81, 0x7f, 0, 0, 0, 0, 0, 0, 0};
        assertThatThrownBy(() -> new RdbInput(b).readString()).isInstanceOf(RdbException.class);
        byte[] lzf = {(byte) 0xC3, 0x01, (byte) 0x80, 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0};
        assertThatThrownBy(() -> new RdbInput(lzf).readString()).isInstanceOf(RdbException.class);
    }
}
