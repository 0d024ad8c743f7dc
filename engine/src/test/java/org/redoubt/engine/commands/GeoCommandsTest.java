package org.redoubt.engine.commands;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.redoubt.engine.geo.GeoHash;
import org.redoubt.protocol.Numbers;

/** Expected values were produced by Redis 7.0.15 for the same inputs. */
class GeoCommandsTest {

    private static String human(double d) {
        return Numbers.LongDouble.of(d).toHumanString();
    }

    private static String s(byte[] b) { return new String(b, StandardCharsets.US_ASCII); }

    @Test
    void scoresMatchRedis() {
        assertThat(GeoHash.score(13.361389, 38.115556)).isEqualTo(3479099956230698L);
        assertThat(GeoHash.score(15.087269, 37.502669)).isEqualTo(3479447370796909L);
        assertThat(GeoHash.score(180, 85.05112878)).isEqualTo(13510798882111488L);
        assertThat(GeoHash.score(-180, -85.05112878)).isEqualTo(0L);
        assertThat(GeoHash.score(0, 0)).isEqualTo(3377699720527872L);
        assertThat(GeoHash.score(180.0001, 0)).isEqualTo(-1L);
        assertThat(GeoHash.score(0, 85.06)).isEqualTo(-1L);
    }

    @Test
    void positionsMatchRedis() {
        double[] xy = new double[2];
        GeoHash.decodeScore(3479099956230698.0, xy);
        assertThat(human(xy[0])).isEqualTo("13.36138933897018433");
        assertThat(human(xy[1])).isEqualTo("38.11555639549629859");
        GeoHash.decodeScore(13510798882111488.0, xy);
        assertThat(human(xy[0])).isEqualTo("180");
        assertThat(human(xy[1])).isEqualTo("85.0511287799999991");
        GeoHash.decodeScore(0, xy);
        assertThat(human(xy[0])).isEqualTo("-179.99999731779098511");
        assertThat(human(xy[1])).isEqualTo("-85.05112751263942528");
        GeoHash.decodeScore(3377699720527872.0, xy);
        assertThat(human(xy[0])).isEqualTo("0.00000268220901489");
        assertThat(human(xy[1])).isEqualTo("0.00000126736058093");
    }

    @Test
    void standardHashesMatchRedis() {
        assertThat(s(GeoHash.standardHash(3479099956230698.0))).isEqualTo("sqc8b49rny0");
        assertThat(s(GeoHash.standardHash(3479447370796909.0))).isEqualTo("sqdtr74hyu0");
        assertThat(s(GeoHash.standardHash(13510798882111488.0))).isEqualTo("bp05b5048p0");
        assertThat(s(GeoHash.standardHash(0))).isEqualTo("00bh0hbj200");
        assertThat(s(GeoHash.standardHash(3377699720527872.0))).isEqualTo("s0000000000");
    }

    @Test
    void distancesMatchRedis() {
        double[] a = new double[2], b = new double[2];
        GeoHash.decodeScore(3479099956230698.0, a);
        GeoHash.decodeScore(3479447370796909.0, b);
        assertThat(s(GeoHash.formatDistance(GeoHash.distance(a[0], a[1], b[0], b[1])))).isEqualTo("166274.1516");
        assertThat(s(GeoHash.formatDistance(GeoHash.distance(15, 37, b[0], b[1]) / 1000))).isEqualTo("56.4413");
        assertThat(s(GeoHash.formatDistance(GeoHash.distance(15, 37, a[0], a[1]) / 1000))).isEqualTo("190.4424");
        assertThat(s(GeoHash.formatDistance(0))).isEqualTo("0.0000");
        assertThat(s(GeoHash.formatDistance(0.00004))).isEqualTo("0.0000");
        assertThat(s(GeoHash.formatDistance(1.23456))).isEqualTo("1.2346");
    }

    @Test
    void searchAreasCoverTheShape() {
        GeoHash.Shape shape = new GeoHash.Shape();
        shape.type = GeoHash.CIRCULAR;
        shape.xy[0] = 15;
        shape.xy[1] = 37;
        shape.radius = 200;
        shape.conversion = 1000;
        long[] boxes = new long[18];
        GeoHash.areasByShape(shape, boxes);
        int step = (int) boxes[1];
        assertThat(step).isBetween(1, 26);
        // The centre box holds the centre point.
        long centre = GeoHash.encodeWgs84(15, 37, step);
        assertThat(boxes[0]).isEqualTo(centre);
        double[] xy = new double[2];
        GeoHash.decodeScore(3479447370796909.0, xy);
        assertThat(GeoHash.distanceIfWithin(shape, xy[0], xy[1])).isGreaterThan(0);
    }
}
