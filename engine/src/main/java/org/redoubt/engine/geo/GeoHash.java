package org.redoubt.engine.geo;

/**
 * Redis's geohash arithmetic (geohash.c, geohash_helper.c): 52-bit interleaved hashes of
 * (longitude, latitude) stored as sorted-set scores, the 3x3 grid of boxes that covers a search
 * shape, and the haversine distances. Every formula evaluates the same double operations in the
 * same order as Redis, with sin/cos/asin from the C library ({@link LibM}) as Redis calls them,
 * so scores, positions, box choices and distances are bit-identical.
 *
 * <p>A hash at precision {@code step} is {@code step*2} bits: latitude bits at even positions,
 * longitude bits at odd positions, most significant pair first. Latitude is limited to the
 * Web-Mercator range (+-85.05112878), longitude to +-180. A hash value of 0 with step 0 is
 * "no box" (a neighbour excluded from the search).
 */
public final class GeoHash {
    private GeoHash() {}

    public static final int STEP_MAX = 26;
    public static final double LAT_MIN = -85.05112878, LAT_MAX = 85.05112878;
    public static final double LONG_MIN = -180, LONG_MAX = 180;

    private static final double D_R = Math.PI / 180.0;
    /** Earth's quadratic mean radius for WGS-84, as Redis uses it. */
    public static final double EARTH_RADIUS_IN_METERS = 6372797.560856;
    private static final double MERCATOR_MAX = 20037726.37;

    public static final int CIRCULAR = 1, RECTANGLE = 2;

    // =====================================================================================
    // Bit interleaving
    // =====================================================================================

    /** Interleaves the low 32 bits of x (even positions) and y (odd positions). */
    static long interleave64(long xlo, long ylo) {
        long x = xlo & 0xffffffffL, y = ylo & 0xffffffffL;
        x = (x | (x << 16)) & 0x0000FFFF0000FFFFL;
        y = (y | (y << 16)) & 0x0000FFFF0000FFFFL;
        x = (x | (x << 8)) & 0x00FF00FF00FF00FFL;
        y = (y | (y << 8)) & 0x00FF00FF00FF00FFL;
        x = (x | (x << 4)) & 0x0F0F0F0F0F0F0F0FL;
        y = (y | (y << 4)) & 0x0F0F0F0F0F0F0F0FL;
        x = (x | (x << 2)) & 0x3333333333333333L;
        y = (y | (y << 2)) & 0x3333333333333333L;
        x = (x | (x << 1)) & 0x5555555555555555L;
        y = (y | (y << 1)) & 0x5555555555555555L;
        return x | (y << 1);
    }

    /** The inverse: even bits into the low 32 bits, odd bits into the high 32 bits. */
    static long deinterleave64(long v) {
        long x = v, y = v >>> 1;
        x &= 0x5555555555555555L;
        y &= 0x5555555555555555L;
        x = (x | (x >>> 1)) & 0x3333333333333333L;
        y = (y | (y >>> 1)) & 0x3333333333333333L;
        x = (x | (x >>> 2)) & 0x0F0F0F0F0F0F0F0FL;
        y = (y | (y >>> 2)) & 0x0F0F0F0F0F0F0F0FL;
        x = (x | (x >>> 4)) & 0x00FF00FF00FF00FFL;
        y = (y | (y >>> 4)) & 0x00FF00FF00FF00FFL;
        x = (x | (x >>> 8)) & 0x0000FFFF0000FFFFL;
        y = (y | (y >>> 8)) & 0x0000FFFF0000FFFFL;
        x = (x | (x >>> 16)) & 0x00000000FFFFFFFFL;
        y = (y | (y >>> 16)) & 0x00000000FFFFFFFFL;
        return x | (y << 32);
    }

    // =====================================================================================
    // Encode / decode
    // =====================================================================================

    /**
     * geohashEncode over the given ranges; -1 when the point is outside them or outside the
     * Mercator limits (the bits are otherwise non-negative).
     */
    public static long encode(double longMin, double longMax, double latMin, double latMax,
                              double longitude, double latitude, int step) {
        if (step > 32 || step == 0) return -1;
        if (longitude > LONG_MAX || longitude < LONG_MIN || latitude > LAT_MAX || latitude < LAT_MIN) return -1;
        if (latitude < latMin || latitude > latMax || longitude < longMin || longitude > longMax) return -1;
        double latOffset = (latitude - latMin) / (latMax - latMin);
        double longOffset = (longitude - longMin) / (longMax - longMin);
        latOffset *= (double) (1L << step);
        longOffset *= (double) (1L << step);
        return interleave64((long) latOffset, (long) longOffset);
    }

    /** geohashEncodeWGS84: the hash of a point at precision step, -1 out of range. */
    public static long encodeWgs84(double longitude, double latitude, int step) {
        return encode(LONG_MIN, LONG_MAX, LAT_MIN, LAT_MAX, longitude, latitude, step);
    }

    /** The sorted-set score of a point (52-bit hash); -1 when out of range. */
    public static long score(double longitude, double latitude) {
        long bits = encodeWgs84(longitude, latitude, STEP_MAX);
        return bits < 0 ? -1 : align52(bits, STEP_MAX);
    }

    public static long align52(long bits, int step) {
        return bits << (52 - step * 2);
    }

    /**
     * geohashDecode: the box of a hash as {longMin, longMax, latMin, latMax} into area. False
     * (area untouched) for the "no box" hash.
     */
    public static boolean decode(long bits, int step, double[] area) {
        return decode(LONG_MIN, LONG_MAX, LAT_MIN, LAT_MAX, bits, step, area);
    }

    static boolean decode(double longMin, double longMax, double latMin, double latMax,
                          long bits, int step, double[] area) {
        if (bits == 0 && step == 0) return false;
        long sep = deinterleave64(bits);
        double latScale = latMax - latMin;
        double longScale = longMax - longMin;
        long ilato = sep & 0xffffffffL;
        long ilono = sep >>> 32;
        double div = (double) (1L << step);
        area[2] = latMin + (ilato * 1.0 / div) * latScale;
        area[3] = latMin + (((ilato + 1) & 0xffffffffL) * 1.0 / div) * latScale;
        area[0] = longMin + (ilono * 1.0 / div) * longScale;
        area[1] = longMin + (((ilono + 1) & 0xffffffffL) * 1.0 / div) * longScale;
        return true;
    }

    /**
     * decodeGeohash: the position a score stands for (the centre of its 52-bit box, clamped to
     * the valid ranges) into xy = {longitude, latitude}.
     */
    public static boolean decodeScore(double score, double[] xy) {
        // geohashDecode + geohashDecodeAreaToLongLat at step 26, without an area array.
        long sep = deinterleave64(toUnsignedLong(score));
        long ilato = sep & 0xffffffffL, ilono = sep >>> 32;
        double div = (double) (1L << STEP_MAX);
        double latScale = LAT_MAX - LAT_MIN, longScale = LONG_MAX - LONG_MIN;
        double latMin = LAT_MIN + (ilato * 1.0 / div) * latScale;
        double latMax = LAT_MIN + (((ilato + 1) & 0xffffffffL) * 1.0 / div) * latScale;
        double lonMin = LONG_MIN + (ilono * 1.0 / div) * longScale;
        double lonMax = LONG_MIN + (((ilono + 1) & 0xffffffffL) * 1.0 / div) * longScale;
        xy[0] = (lonMin + lonMax) / 2;
        if (xy[0] > LONG_MAX) xy[0] = LONG_MAX;
        if (xy[0] < LONG_MIN) xy[0] = LONG_MIN;
        xy[1] = (latMin + latMax) / 2;
        if (xy[1] > LAT_MAX) xy[1] = LAT_MAX;
        if (xy[1] < LAT_MIN) xy[1] = LAT_MIN;
        return true;
    }

    /** C's (uint64_t) conversion of a double for the scores geo uses (finite, non-negative). */
    static long toUnsignedLong(double d) {
        if (d != d || d <= 0) return 0;
        if (d >= 0x1p63) return d >= 0x1p64 ? -1L : (long) (d - 0x1p63) ^ Long.MIN_VALUE;
        return (long) d;
    }

    private static final byte[] ALPHABET = "0123456789bcdefghjkmnpqrstuvwxyz".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    /**
     * GEOHASH's 11-character standard geohash of a score: the position re-encoded over the
     * standard ranges (latitude +-90), 52 bits in 10 characters and a final '0'.
     */
    public static byte[] standardHash(double score) {
        double[] xy = new double[2];
        if (!decodeScore(score, xy)) return null;
        long bits = encode(-180, 180, -90, 90, xy[0], xy[1], 26);
        if (bits < 0) bits = 0;
        byte[] out = new byte[11];
        for (int i = 0; i < 11; i++) {
            int idx = i == 10 ? 0 : (int) ((bits >>> (52 - ((i + 1) * 5))) & 0x1f);
            out[i] = ALPHABET[idx];
        }
        return out;
    }

    // =====================================================================================
    // Neighbours and search areas
    // =====================================================================================

    static long moveX(long bits, int step, int d) {
        if (d == 0) return bits;
        long x = bits & 0xaaaaaaaaaaaaaaaaL;
        long y = bits & 0x5555555555555555L;
        long zz = 0x5555555555555555L >>> (64 - step * 2);
        if (d > 0) {
            x = x + (zz + 1);
        } else {
            x = x | zz;
            x = x - (zz + 1);
        }
        x &= (0xaaaaaaaaaaaaaaaaL >>> (64 - step * 2));
        return x | y;
    }

    static long moveY(long bits, int step, int d) {
        if (d == 0) return bits;
        long x = bits & 0xaaaaaaaaaaaaaaaaL;
        long y = bits & 0x5555555555555555L;
        long zz = 0xaaaaaaaaaaaaaaaaL >>> (64 - step * 2);
        if (d > 0) {
            y = y + (zz + 1);
        } else {
            y = y | zz;
            y = y - (zz + 1);
        }
        y &= (0x5555555555555555L >>> (64 - step * 2));
        return x | y;
    }

    /** geohashEstimateStepsByRadius: the precision whose boxes are about the radius wide. */
    static int estimateStepsByRadius(double rangeMeters, double lat) {
        if (rangeMeters == 0) return 26;
        int step = 1;
        while (rangeMeters < MERCATOR_MAX) {
            rangeMeters *= 2;
            step++;
        }
        step -= 2;
        if (lat > 66 || lat < -66) {
            step--;
            if (lat > 80 || lat < -80) step--;
        }
        if (step < 1) step = 1;
        if (step > 26) step = 26;
        return step;
    }

    static double degRad(double ang) { return ang * D_R; }

    static double radDeg(double ang) { return ang / D_R; }

    /** A search shape: centre, unit conversion, radius or box, and its computed bounds. */
    public static final class Shape {
        public int type;
        /** Centre: xy[0] longitude, xy[1] latitude. */
        public final double[] xy = new double[2];
        /** Meters per unit of the radius/width/height. */
        public double conversion;
        public double radius, width, height;
        /** minLon, minLat, maxLon, maxLat. */
        public final double[] bounds = new double[4];
    }

    /** geohashBoundingBox: the shape's lon/lat bounds into shape.bounds. */
    static void boundingBox(Shape s) {
        double longitude = s.xy[0], latitude = s.xy[1];
        double height = s.conversion * (s.type == CIRCULAR ? s.radius : s.height / 2);
        double width = s.conversion * (s.type == CIRCULAR ? s.radius : s.width / 2);
        double latDelta = radDeg(height / EARTH_RADIUS_IN_METERS);
        double longDeltaTop = radDeg(width / EARTH_RADIUS_IN_METERS / LibM.cos(degRad(latitude + latDelta)));
        double longDeltaBottom = radDeg(width / EARTH_RADIUS_IN_METERS / LibM.cos(degRad(latitude - latDelta)));
        boolean southern = latitude < 0;
        s.bounds[0] = southern ? longitude - longDeltaBottom : longitude - longDeltaTop;
        s.bounds[2] = southern ? longitude + longDeltaBottom : longitude + longDeltaTop;
        s.bounds[1] = latitude - latDelta;
        s.bounds[3] = latitude + latDelta;
    }

    /**
     * geohashCalculateAreasByShapeWGS84: the nine boxes to scan for a shape, in Redis's scan
     * order (centre, N, S, E, W, NE, NW, SE, SW); excluded boxes have bits 0 and step 0. Each
     * box is two longs: {@code out[2i]} the hash bits, {@code out[2i+1]} its step.
     */
    public static void areasByShape(Shape shape, long[] out) {
        boundingBox(shape);
        double minLon = shape.bounds[0], minLat = shape.bounds[1];
        double maxLon = shape.bounds[2], maxLat = shape.bounds[3];
        double longitude = shape.xy[0], latitude = shape.xy[1];
        double radiusMeters = shape.type == CIRCULAR ? shape.radius
            : Math.sqrt((shape.width / 2) * (shape.width / 2) + (shape.height / 2) * (shape.height / 2));
        radiusMeters *= shape.conversion;

        int steps = estimateStepsByRadius(radiusMeters, latitude);
        long hash = encodeWgs84(longitude, latitude, steps);
        double[] area = new double[4], tmp = new double[4];

        // A box next to the centre one may not reach the far side of the shape: go one level up.
        boolean decrease = false;
        decode(moveY(hash, steps, 1), steps, tmp);
        if (tmp[3] < maxLat) decrease = true;
        decode(moveY(hash, steps, -1), steps, tmp);
        if (tmp[2] > minLat) decrease = true;
        decode(moveX(hash, steps, 1), steps, tmp);
        if (tmp[1] < maxLon) decrease = true;
        decode(moveX(hash, steps, -1), steps, tmp);
        if (tmp[0] > minLon) decrease = true;
        if (steps > 1 && decrease) {
            steps--;
            hash = encodeWgs84(longitude, latitude, steps);
        }
        decode(hash, steps, area);

        long n = moveY(hash, steps, 1), s = moveY(hash, steps, -1);
        long e = moveX(hash, steps, 1), w = moveX(hash, steps, -1);
        long ne = moveY(moveX(hash, steps, 1), steps, 1), nw = moveY(moveX(hash, steps, -1), steps, 1);
        long se = moveY(moveX(hash, steps, 1), steps, -1), sw = moveY(moveX(hash, steps, -1), steps, -1);
        boolean noN = false, noS = false, noE = false, noW = false;
        if (steps >= 2) {
            if (area[2] < minLat) noS = true;
            if (area[3] > maxLat) noN = true;
            if (area[0] < minLon) noW = true;
            if (area[1] > maxLon) noE = true;
        }
        put(out, 0, hash, steps, false);
        put(out, 1, n, steps, noN);
        put(out, 2, s, steps, noS);
        put(out, 3, e, steps, noE);
        put(out, 4, w, steps, noW);
        put(out, 5, ne, steps, noN || noE);
        put(out, 6, nw, steps, noN || noW);
        put(out, 7, se, steps, noS || noE);
        put(out, 8, sw, steps, noS || noW);
    }

    private static void put(long[] out, int i, long bits, int step, boolean excluded) {
        out[2 * i] = excluded ? 0 : bits;
        out[2 * i + 1] = excluded ? 0 : step;
    }

    // =====================================================================================
    // Distances
    // =====================================================================================

    /** Distance along a meridian (longitudes equal): arcsin(sin(x)) = x on [-pi/2, pi/2]. */
    static double latDistance(double lat1d, double lat2d) {
        return EARTH_RADIUS_IN_METERS * Math.abs(degRad(lat2d) - degRad(lat1d));
    }

    /** Haversine great-circle distance in meters. */
    public static double distance(double lon1d, double lat1d, double lon2d, double lat2d) {
        double lon1r = degRad(lon1d), lon2r = degRad(lon2d);
        double v = LibM.sin((lon2r - lon1r) / 2);
        if (v == 0.0) return latDistance(lat1d, lat2d);
        double lat1r = degRad(lat1d), lat2r = degRad(lat2d);
        double u = LibM.sin((lat2r - lat1r) / 2);
        double a = u * u + LibM.cos(lat1r) * LibM.cos(lat2r) * v * v;
        return 2.0 * EARTH_RADIUS_IN_METERS * LibM.asin(Math.sqrt(a));
    }

    /**
     * geoWithinShape after decoding: the distance from the shape's centre to (lon, lat) when the
     * point is inside the shape, else -1.
     */
    public static double distanceIfWithin(Shape shape, double lon, double lat) {
        if (shape.type == CIRCULAR) {
            double d = distance(shape.xy[0], shape.xy[1], lon, lat);
            return d > shape.radius * shape.conversion ? -1 : d;
        }
        double widthM = shape.width * shape.conversion, heightM = shape.height * shape.conversion;
        double latDist = latDistance(lat, shape.xy[1]);
        if (latDist > heightM / 2) return -1;
        double lonDist = distance(lon, lat, shape.xy[0], lat);
        if (lonDist > widthM / 2) return -1;
        return distance(shape.xy[0], shape.xy[1], lon, lat);
    }

    // =====================================================================================
    // Formatting
    // =====================================================================================

    /** fixedpoint_d2string(d, 4): the value rounded (half even) to 4 decimals, "%.4f"-like. */
    public static byte[] formatDistance(double d) {
        if (d == 0) return new byte[] {'0', '.', '0', '0', '0', '0'};
        long sv = (long) Math.rint(d * 10000.0);
        StringBuilder sb = new StringBuilder(24);
        long v = sv;
        if (sv < 0) {
            sb.append('-');
            v = -sv;
        }
        sb.append(v / 10000).append('.');
        long frac = v % 10000;
        if (frac < 1000) sb.append('0');
        if (frac < 100) sb.append('0');
        if (frac < 10) sb.append('0');
        sb.append(frac);
        return sb.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }
}
