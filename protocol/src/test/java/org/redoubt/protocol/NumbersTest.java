package org.redoubt.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.redoubt.protocol.Numbers.LongDouble;

/**
 * Expected values were produced with glibc on x86-64 (strtod / strtold / printf "%.17g" and
 * "%.17Lf" with Redis's trimming), i.e. what Redis 7.0 prints on Linux.
 */
class NumbersTest {

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    // ------------------------------------------------------------------ string2ll

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "0|0",
        "1|1",
        "-1|-1",
        "10|10",
        "123456789|123456789",
        "9223372036854775807|9223372036854775807",
        "-9223372036854775807|-9223372036854775807",
        "-9223372036854775808|-9223372036854775808",
    })
    void parseLongValid(String s, long expected) {
        assertThat(Numbers.isLong(b(s))).isTrue();
        assertThat(Numbers.parseLong(b(s))).isEqualTo(expected);
        long[] out = new long[1];
        assertThat(Numbers.tryParseLong(b(s), 0, s.length(), out)).isTrue();
        assertThat(out[0]).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "", "-", "-0", "01", "00", "-01", "+1", "+0", " 1", "1 ", "1a", "a", "1.0", "1e3", "0x10",
        "9223372036854775808", "-9223372036854775809", "18446744073709551615",
        "18446744073709551616", "99999999999999999999", "-99999999999999999999",
        "100000000000000000000", "123456789012345678901", "--1", "1-", "\u00001",
    })
    void parseLongInvalid(String s) {
        assertThat(Numbers.isLong(b(s))).as(s).isFalse();
        assertThat(Numbers.parseLong(b(s))).isEqualTo(Numbers.NOT_A_LONG);
        long[] out = {42};
        assertThat(Numbers.tryParseLong(b(s), 0, s.length(), out)).isFalse();
        assertThat(out[0]).isEqualTo(42);
    }

    @Test
    void parseLongWithOffsets() {
        byte[] buf = b("xx-1234yy");
        assertThat(Numbers.parseLong(buf, 2, 5)).isEqualTo(-1234);
        assertThat(Numbers.parseLong(buf, 3, 4)).isEqualTo(1234);
        assertThat(Numbers.parseLong(buf, 2, 6)).isEqualTo(Numbers.NOT_A_LONG);
        assertThat(Numbers.isLong(buf, 3, 2)).isTrue();
    }

    @Test
    void longToBytes() {
        for (long v : new long[] {0, 1, 9, 10, 99, 100, -1, -10, 12345, Long.MAX_VALUE, Long.MIN_VALUE, Long.MIN_VALUE + 1,
                                  999_999_999_999L, 1_000_000_000_000L, 9_999_999_999_999_999L, 1_000_000_000_000_000_000L}) {
            assertThat(new String(Numbers.longToBytes(v), StandardCharsets.US_ASCII)).isEqualTo(Long.toString(v));
            assertThat(Numbers.stringSize(v)).isEqualTo(Long.toString(v).length());
        }
        for (long v = 1, i = 0; i < 19; i++, v *= 10) {
            for (long w : new long[] {v - 1, v, v + 1, -v, -v + 1}) {
                assertThat(Numbers.stringSize(w)).as("%d", w).isEqualTo(Long.toString(w).length());
            }
        }
        // the cached small values must not be shared mutable arrays
        Numbers.longToBytes(5)[0] = 'x';
        assertThat(Numbers.longToBytes(5)).isEqualTo(b("5"));
    }

    // ------------------------------------------------------------------ %.17g

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "3|3",
        "1.5|1.5",
        "0.1|0.10000000000000001",
        "1e20|1e+20",
        "1e17|1e+17",
        "1e16|10000000000000000",
        "99999999999999999|1e+17",
        "1.5e-5|1.5e-05",
        "0.0001|0.0001",
        "0.00001|1.0000000000000001e-05",
        "-0.0|-0",
        "0|0",
        "123456789.123456789|123456789.12345679",
        "1e300|1.0000000000000001e+300",
        "2.5e-300|2.5e-300",
        "140737488355328.125|140737488355328.12",
        "1.1|1.1000000000000001",
        "10.6|10.6",
        "3.0e3|3000",
        "4.9e-324|4.9406564584124654e-324",
        "1.7976931348623157e308|1.7976931348623157e+308",
        "0.3|0.29999999999999999",
        "100|100",
        "-7.25|-7.25",
        "9.999999999999999e22|9.9999999999999992e+22",
        "12345678901234567890|1.2345678901234567e+19",
        "-12345.5|-12345.5",
        "Infinity|inf",
        "-Infinity|-inf",
        "NaN|nan",
    })
    void formatDoubleMatchesPrintfG17(String in, String expected) {
        assertThat(Numbers.formatDouble(Double.parseDouble(in))).isEqualTo(expected);
    }

    @Test
    void d2string() {
        assertThat(Numbers.d2string(1e17)).isEqualTo("100000000000000000");
        assertThat(Numbers.d2string(0x1p62)).isEqualTo("4611686018427387904");
        assertThat(Numbers.d2string(-0x1p62)).isEqualTo("-4611686018427387904");
        assertThat(Numbers.d2string(0x1p63)).isEqualTo("9.2233720368547758e+18");
        assertThat(Numbers.d2string(1.5)).isEqualTo("1.5");
        assertThat(Numbers.d2string(-0.0)).isEqualTo("-0");
        assertThat(Numbers.d2string(Double.NaN)).isEqualTo("nan");
        assertThat(Numbers.d2string(Double.NEGATIVE_INFINITY)).isEqualTo("-inf");
    }

    // ------------------------------------------------------------------ string2d

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "1|1",
        "+1|1",
        "-1.5|-1.5",
        "0x10|16",
        "0x1.8p1|3",
        "0x.8|0.5",
        "0x1P-2|0.25",
        "0X1p0|1",
        "1e5|100000",
        "1.e5|100000",
        "1E3|1000",
        ".5|0.5",
        "5.|5",
        "0e-400|0",
        "-0|-0",
        "00012|12",
        "4e-320|3.999955468730732e-320",
        "1e-320|9.9998886718268301e-321",
        "0.1|0.10000000000000001",
        "3.0e3|3000",
        "1.7976931348623157e308|1.7976931348623157e+308",
        "123456789012345678901234567890|1.2345678901234568e+29",
        "0.000000000000000000000000000001|1.0000000000000001e-30",
        "1e0000000000000000000000000005|100000",
    })
    void parseDoubleValid(String s, String printed) {
        double v = Numbers.parseDouble(b(s));
        assertThat(Double.isNaN(v)).as(s).isFalse();
        assertThat(Numbers.formatDouble(v)).isEqualTo(printed);
        assertThat(Numbers.isDouble(b(s))).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"inf", "INF", "+Infinity", "infinity", "iNfInItY"})
    void parseDoubleInfinity(String s) {
        assertThat(Numbers.parseDouble(b(s))).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(Numbers.parseDouble(b("-" + s.replace("+", "")))).isEqualTo(Double.NEGATIVE_INFINITY);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "", " 1", "1 ", "\t1", "1\n", "infinit", "infx", "nan", "-nan", "NaN(123)", "NAN", "0x", "0xp1", "0x.",
        "0x1p", "1e", "1e+", "1e-", ".", "-", "+", "1..2", "1e5.5", "1_0", "1d", "1f", "1e400", "-1e400",
        "1e-400", "0x1p-1080", "0x1p1024", "1.7976931348623159e308", "abc", "1,5", "--1", "+-1", "0x1g",
        "1\u00002",
    })
    void parseDoubleInvalid(String s) {
        assertThat(Numbers.parseDouble(b(s))).as("[%s]", s).isNaN();
        assertThat(Numbers.isDouble(b(s))).isFalse();
    }

    @Test
    void parseDoubleAgreesWithJavaOnManyDecimals() {
        java.util.Random r = new java.util.Random(42);
        for (int i = 0; i < 20000; i++) {
            double d = switch (i % 3) {
                case 0 -> Double.longBitsToDouble(r.nextLong());
                case 1 -> r.nextDouble() * 1000;
                default -> (r.nextInt(2_000_000) - 1_000_000) / 100.0;
            };
            if (Double.isNaN(d) || Double.isInfinite(d)) continue;
            for (String s : new String[] {Double.toString(d), Numbers.formatDouble(d), String.format("%.6f", d)}) {
                if (s.contains("E")) s = s.replace("E", "e");
                double expected = Double.parseDouble(s);
                if (expected == 0 && !s.matches("-?[0.]+(e.*)?")) continue; // underflow: rejected
                assertThat(Numbers.parseDouble(b(s))).as(s).isEqualTo(expected);
            }
            // %.17g round-trips exactly
            assertThat(Numbers.parseDouble(b(Numbers.formatDouble(d)))).isEqualTo(d);
        }
    }

    // ------------------------------------------------------------------ long double (INCRBYFLOAT)

    private static String incr(String a, String b) {
        LongDouble x = LongDouble.parse(b(a));
        LongDouble y = LongDouble.parse(b(b));
        if (x == null || y == null) return "INVALID";
        LongDouble s = x.add(y);
        if (s.isNaN() || s.isInfinite()) return "NANINF";
        return s.toHumanString();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "10.5|0.1|10.6",
        "10.5|1.1|11.6",
        "1|1.1|2.1",
        "5.0e3|2.0e2|5200",
        "17179869184|1.5|17179869185.5",
        "1.5|1.5|3",
        "0.1|0.2|0.3",
        "0|0.1|0.1",
        "3.0e3|0|3000",
        "0.024390243902439025|-0.024390243902439025|0",
        "1e4932|1e4932|NANINF",
        "inf|1|NANINF",
        "1|-inf|NANINF",
        "-inf|-inf|NANINF",
        "-1|0.1|-0.9",
        "1.23456789012345678|0|1.23456789012345678",
        "100|-0.00000000000000001|99.99999999999999999",
        "9223372036854775807|1|9223372036854775808",
        "0.1|-0.1|0",
        "1|1e-18|1",
        "1|1e-17|1.00000000000000001",
        "1|5e-18|1",
        "abc|1|INVALID",
        "1|nan|INVALID",
        "1|' 1'|INVALID",
        "'1 '|1|INVALID",
        "1|1e-5000|INVALID",
        "1|1.2e4932|INVALID",
    })
    void incrByFloatArithmetic(String a, String b, String expected) {
        assertThat(incr(a, b)).isEqualTo(expected);
    }

    @Test
    void incrByFloatLargeResults() {
        assertThat(incr("1e308", "1e308")).isEqualTo(
            "19999999999999999999337175931169129132112019969483113441559409598984346973767612374420025384377707864"
            + "08934944501080264463042694991879211671948416288603928375359182000392063815573262192090142133358783067"
            + "91577877829121087126122536729803237260434173178506889763247582601711514636284849020905456510092687857156096");
        assertThat(LongDouble.parse(b("1e400")).toHumanString()).isEqualTo(
            "10000000000000000000281880683947586514586453433629052038625910693539685534008629862039363994848324160522"
            + "09405392731761620029582277725925573402382897659334066101779744743454617391786244811667497172377894382439"
            + "15933380474706750262466844013592375136038303437354855052449559649790218250382800910684149474024568986530"
            + "40951017512658092615827588920183472511643316591362664138176309734806343732497430221946880");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "1e-4950|0",
        "0x1p-16445|0",
        "0.1|0.1",
        "3.0e3|3000",
        "10.5|10.5",
        "-0|0",
        "inf|inf",
        "-Infinity|-inf",
        "0x1.8p1|3",
        "0x10|16",
    })
    void parseLongDoubleValid(String s, String human) {
        LongDouble v = LongDouble.parse(b(s));
        assertThat(v).as(s).isNotNull();
        assertThat(v.toHumanString()).isEqualTo(human);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "1e-5000", "0x1p-16446", "1.2e4932", "nan", " 1", "1 ", "abc", "1e", "0x"})
    void parseLongDoubleInvalid(String s) {
        assertThat(LongDouble.parse(b(s))).as(s).isNull();
    }

    @Test
    void longDoubleMisc() {
        assertThat(LongDouble.parse(b("1.18973149535723176502e+4932"))).isNotNull();
        assertThat(LongDouble.parse(b("1" + "0".repeat(5118)))).isNull(); // 5119 chars but > LDBL_MAX
        assertThat(LongDouble.parse(b("0".repeat(5119)))).isEqualTo(LongDouble.ZERO);
        assertThat(LongDouble.parse(b("0".repeat(5120)))).isNull();   // too long for string2ld
        assertThat(LongDouble.of(Long.MIN_VALUE).toHumanString()).isEqualTo("-9223372036854775808");
        assertThat(LongDouble.of(42).add(LongDouble.parse(b("0.5"))).toHumanString()).isEqualTo("42.5");
        assertThat(LongDouble.of(0.1).toHumanString()).isEqualTo("0.10000000000000001");
        assertThat(LongDouble.parse(b("2.5")).toDouble()).isEqualTo(2.5);
        assertThat(LongDouble.POSITIVE_INFINITY.add(LongDouble.NEGATIVE_INFINITY).isNaN()).isTrue();
        assertThat(new String(LongDouble.parse(b("7")).toHumanBytes(), StandardCharsets.US_ASCII)).isEqualTo("7");
    }
}
