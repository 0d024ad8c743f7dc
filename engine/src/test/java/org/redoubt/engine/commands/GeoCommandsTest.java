package org.redoubt.engine.commands;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.redoubt.engine.Harness;
import org.redoubt.engine.geo.GeoHash;
import org.redoubt.engine.geo.GeoSort;
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

    private final Harness h = new Harness();

    private static Harness.Err err(String m) { return new Harness.Err(m); }

    private void sicily() {
        assertThat(h.exec("GEOADD", "Sicily", "13.361389", "38.115556", "Palermo", "15.087269", "37.502669", "Catania",
            "13.583333", "37.316667", "Agrigento")).isEqualTo(3L);
    }

    @Test
    void addAndLookups() {
        sicily();
        assertThat(h.exec("ZSCORE", "Sicily", "Palermo")).isEqualTo("3479099956230698");
        assertThat(h.exec("GEOADD", "Sicily", "200", "0", "x")).isEqualTo(err("ERR invalid longitude,latitude pair 200.000000,0.000000"));
        assertThat(h.exec("GEOADD", "Sicily", "xx", "nx", "1", "1", "a")).isEqualTo(err("ERR syntax error"));
        assertThat(h.exec("GEOADD", "Sicily", "CH", "13.361389", "38.2", "Palermo")).isEqualTo(1L);
        assertThat(h.exec("GEOPOS", "Sicily", "Catania", "nobody")).isEqualTo(java.util.Arrays.asList(
            List.of("15.08726745843887329", "37.50266842333162032"), null));
        assertThat(h.exec("GEOHASH", "Sicily", "Catania")).isEqualTo(List.of("sqdtr74hyu0"));
        assertThat(h.exec("GEODIST", "Sicily", "Palermo", "nobody")).isNull();
        assertThat(h.exec("GEODIST", "nokey", "a", "b")).isNull();
        h.exec("SET", "str", "x");
        assertThat(h.exec("GEOPOS", "str", "a")).isEqualTo(err("WRONGTYPE Operation against a key holding the wrong kind of value"));
    }

    @Test
    void searchesMatchRedis() {
        sicily();
        h.exec("GEOADD", "Sicily", "CH", "13.361389", "38.2", "Palermo");
        assertThat(h.exec("GEOSEARCH", "Sicily", "FROMMEMBER", "Palermo", "BYBOX", "400", "400", "km", "ASC", "WITHDIST"))
            .isEqualTo(List.of(List.of("Palermo", "0.0000"), List.of("Agrigento", "100.1694"), List.of("Catania", "170.2626")));
        assertThat(h.exec("GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "100", "km")).isEqualTo(List.of("Catania"));
        assertThat(h.exec("GEORADIUS", "Sicily", "15", "37", "200", "km", "ASC", "COUNT", "2", "ANY"))
            .isEqualTo(List.of("Agrigento", "Palermo"));
        assertThat(h.exec("GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "10", "km", "ANY"))
            .isEqualTo(err("ERR the ANY argument requires COUNT argument"));
        assertThat(h.exec("GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "-1", "km"))
            .isEqualTo(err("ERR radius cannot be negative"));
        assertThat(h.exec("GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "BYRADIUS", "1", "parsec"))
            .isEqualTo(err("ERR unsupported unit provided. please use M, KM, FT, MI"));
        assertThat(h.exec("GEORADIUSBYMEMBER", "Sicily", "nobody", "10", "km"))
            .isEqualTo(err("ERR could not decode requested zset member"));
        assertThat(h.exec("GEORADIUS", "Sicily", "15", "37", "200", "km", "STORE", "dst", "WITHDIST"))
            .isEqualTo(err("ERR STORE option in GEORADIUS is not compatible with WITHDIST, WITHHASH and WITHCOORD options"));
        assertThat(h.exec("GEOSEARCH", "Sicily", "FROMLONLAT", "15", "37", "FROMMEMBER", "Palermo", "BYRADIUS", "1", "km"))
            .isEqualTo(err("ERR syntax error"));
        assertThat(h.exec("GEORADIUS", "Sicily", "15", "37", "200", "km", "STOREDIST", "dst")).isEqualTo(3L);
        assertThat(h.exec("ZRANGE", "dst", "0", "-1", "WITHSCORES")).isEqualTo(List.of("Catania", "56.441257870158204",
            "Agrigento", "130.42348706714702", "Palermo", "196.63009289182335"));
        assertThat(h.exec("GEODIST", "Sicily", "Palermo", "Catania", "mi")).isEqualTo("105.7966");
        assertThat(h.exec("GEOSEARCHSTORE", "dst", "nokey", "FROMLONLAT", "15", "37", "BYRADIUS", "10", "km")).isEqualTo(0L);
        assertThat(h.exec("EXISTS", "dst")).isEqualTo(0L);
    }

    @Test
    void partialSortKeepsRedisTieOrder() {
        // pqsort with equal keys: the elements left in the wanted range are pqsort's, not a stable sort's.
        double[] dist = new double[60];
        for (int i = 0; i < dist.length; i++) dist[i] = i % 3;
        int[] idx = new int[60];
        for (int i = 0; i < 60; i++) idx[i] = i;
        GeoSort.partial(idx, 60, dist, false, 0, 4);
        for (int i = 0; i < 5; i++) assertThat(dist[idx[i]]).isEqualTo(0.0);
        int[] st = new int[60];
        for (int i = 0; i < 60; i++) st[i] = i;
        GeoSort.stable(st, 60, dist, true);
        assertThat(st[0]).isEqualTo(2);
        assertThat(st[1]).isEqualTo(5);
    }
}
