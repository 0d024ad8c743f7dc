package org.redoubt.persistence.rdb;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LzfTest {
    private final Lzf lzf = new Lzf();

    private byte[] roundTrip(byte[] in) {
        byte[] c = new byte[in.length + in.length / 16 + 64];
        int n = lzf.compress(in, 0, in.length, c, 0, c.length);
        assertThat(n).as("compressed length").isPositive();
        byte[] out = new byte[in.length];
        assertThat(Lzf.decompress(c, 0, n, out, 0, out.length)).isEqualTo(in.length);
        assertThat(out).isEqualTo(in);
        return Arrays.copyOf(c, n);
    }

    @Test
    void repetitiveDataShrinks() {
        byte[] in = new byte[10_000];
        Arrays.fill(in, (byte) 'a');
        assertThat(roundTrip(in).length).isLessThan(200);
        byte[] text = "hello world, hello world, hello world! ".repeat(100).getBytes(StandardCharsets.US_ASCII);
        assertThat(roundTrip(text).length).isLessThan(text.length / 5);
    }

    @Test
    void randomAndMixedInputsOfManyLengthsRoundTrip() {
        SplittableRandom rnd = new SplittableRandom(7);
        for (int len = 1; len < 2000; len += rnd.nextInt(1, 37)) {
            byte[] in = new byte[len];
            int alphabet = 1 + rnd.nextInt(255);
            for (int i = 0; i < len; i++) in[i] = (byte) rnd.nextInt(alphabet);
            roundTrip(in);
        }
    }

    @Test
    void compressReportsZeroWhenOutputDoesNotFit() {
        SplittableRandom rnd = new SplittableRandom(3);
        byte[] in = new byte[1000];
        for (int i = 0; i < in.length; i++) in[i] = (byte) rnd.nextInt();
        byte[] out = new byte[in.length - 4];
        assertThat(lzf.compress(in, 0, in.length, out, 0, out.length)).isZero();
    }

    @Test
    void stateFromAnEarlierInputNeverCorruptsALaterOne() {
        byte[] a = "abcabcabcabcabcabcabcabcabcabcabcabcabcabc".getBytes(StandardCharsets.US_ASCII);
        byte[] b = "xyzabcxyzabc0123456789abcxyz".getBytes(StandardCharsets.US_ASCII);
        roundTrip(a);
        roundTrip(b);
        roundTrip(a);
    }

    @Test
    void malformedStreamsAreRejected() {
        byte[] out = new byte[100];
        // A back-reference before the start of the output.
        assertThat(Lzf.decompress(new byte[] {(byte) 0x20, 0x05}, 0, 2, out, 0, out.length)).isEqualTo(-1);
        // A literal run longer than the input.
        assertThat(Lzf.decompress(new byte[] {0x05, 'a'}, 0, 2, out, 0, out.length)).isEqualTo(-1);
        // Output larger than announced.
        assertThat(Lzf.decompress(new byte[] {0x03, 'a', 'b', 'c', 'd'}, 0, 5, out, 0, 2)).isEqualTo(-1);
    }

    @Test
    void decodesAHandWrittenStream() {
        // literal "ab", then a 4-byte copy from 2 back ("abab"), then literal "!".
        byte[] c = {0x01, 'a', 'b', (byte) (2 << 5), 0x01, 0x00, '!'};
        byte[] out = new byte[7];
        assertThat(Lzf.decompress(c, 0, c.length, out, 0, out.length)).isEqualTo(7);
        assertThat(new String(out, StandardCharsets.US_ASCII)).isEqualTo("ababab!");
    }
}
