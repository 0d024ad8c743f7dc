package org.redoubt.engine.commands;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import org.redoubt.engine.Client;
import org.redoubt.engine.CommandFamily;
import org.redoubt.engine.Engine;
import org.redoubt.engine.Errors;
import org.redoubt.engine.command.CommandSpec;
import org.redoubt.engine.command.CommandTable;
import org.redoubt.engine.config.Notify;
import org.redoubt.engine.geo.GeoHash;
import org.redoubt.engine.geo.GeoSort;
import org.redoubt.engine.type.ZSetValue;
import org.redoubt.engine.util.Bytes;
import org.redoubt.protocol.Numbers;

/**
 * The GEO commands (Redis's geo.c) over sorted sets whose scores are 52-bit geohashes
 * ({@link GeoHash}). GEOADD is ZADD with computed scores (and propagates as ZADD); searches
 * scan the score ranges of the nine boxes covering the shape, in Redis's box order and the
 * set's order within a box, so unsorted results, ties and COUNT ANY cut-offs come out exactly
 * as in Redis; sorting reproduces glibc's stable qsort and Redis's partial pqsort.
 *
 * <p>Engine thread only (scratch fields are reused).
 */
public final class GeoCommands implements CommandFamily {
    private static final byte[] ZADD = Bytes.of("zadd");
    private static final String UNIT_ERR = "ERR unsupported unit provided. please use M, KM, FT, MI";

    private static final int RADIUS_COORDS = 1, RADIUS_MEMBER = 2, RADIUS_NOSTORE = 4, SEARCH = 8, SEARCHSTORE = 16;
    private static final int SORT_NONE = 0, SORT_ASC = 1, SORT_DESC = 2;

    private CommandSpec zadd;
    private final double[] xy = new double[2], xy2 = new double[2];
    private double parsed;

    @Override
    public void register(CommandTable t, Engine e) {
        t.bind("geoadd", this::geoadd);
        t.bind("geodist", this::geodist);
        t.bind("geohash", this::geohash);
        t.bind("geopos", this::geopos);
        t.bind("georadius", c -> search(c, 1, RADIUS_COORDS));
        t.bind("georadiusbymember", c -> search(c, 1, RADIUS_MEMBER));
        t.bind("georadius_ro", c -> search(c, 1, RADIUS_COORDS | RADIUS_NOSTORE));
        t.bind("georadiusbymember_ro", c -> search(c, 1, RADIUS_MEMBER | RADIUS_NOSTORE));
        t.bind("geosearch", c -> search(c, 1, SEARCH));
        t.bind("geosearchstore", c -> search(c, 2, SEARCH | SEARCHSTORE));
        zadd = t.find("zadd");
    }

    // =====================================================================================
    // Argument helpers
    // =====================================================================================

    /** getDoubleFromObjectOrReply into {@link #parsed}. */
    private boolean doubleArg(Client c, byte[] a, String msg) {
        double d = Numbers.parseDouble(a, 0, a.length);
        if (Double.isNaN(d)) {
            c.addError(msg != null ? "ERR " + msg : Errors.NOT_FLOAT);
            return false;
        }
        parsed = d;
        return true;
    }

    /** C's "%f": six decimals of the exact binary value, rounded half-even. */
    private static String cFixed6(double d) {
        if (Double.isInfinite(d)) return d > 0 ? "inf" : "-inf";
        String s = new BigDecimal(d).setScale(6, RoundingMode.HALF_EVEN).toPlainString();
        if (d < 0 || (d == 0 && 1 / d < 0)) {
            if (!s.startsWith("-")) s = "-" + s;
        }
        return s;
    }

    /** extractLongLatOrReply: argv[i], argv[i+1] into out {lon, lat}. */
    private boolean lonLat(Client c, int i, double[] out) {
        for (int k = 0; k < 2; k++) {
            if (!doubleArg(c, c.argv[i + k], null)) return false;
            out[k] = parsed;
        }
        if (out[0] < GeoHash.LONG_MIN || out[0] > GeoHash.LONG_MAX || out[1] < GeoHash.LAT_MIN || out[1] > GeoHash.LAT_MAX) {
            c.addError("ERR invalid longitude,latitude pair " + cFixed6(out[0]) + "," + cFixed6(out[1]));
            return false;
        }
        return true;
    }

    /** extractUnitOrReply: meters per unit, or -1 after replying. */
    private static double unit(Client c, byte[] u) {
        if (Bytes.equalsIgnoreCase(u, "m")) return 1;
        if (Bytes.equalsIgnoreCase(u, "km")) return 1000;
        if (Bytes.equalsIgnoreCase(u, "ft")) return 0.3048;
        if (Bytes.equalsIgnoreCase(u, "mi")) return 1609.34;
        c.addError(UNIT_ERR);
        return -1;
    }

    /** The sorted set at key, null when absent; {@link #WRONG} after replying WRONGTYPE. */
    private static final Object WRONG = new Object();

    private static Object zsetOrWrong(Client c, Object v) {
        if (v == null || v instanceof ZSetValue) return v;
        c.addError(Errors.WRONGTYPE);
        return WRONG;
    }

    /** A coordinate as Redis's addReplyHumanLongDouble prints it. */
    private static void addCoord(Client c, double d) {
        byte[] text = Numbers.LongDouble.of(d).toHumanString().getBytes(StandardCharsets.US_ASCII);
        if (c.resp >= 3) {
            byte[] raw = new byte[text.length + 3];
            raw[0] = ',';
            System.arraycopy(text, 0, raw, 1, text.length);
            raw[raw.length - 2] = '\r';
            raw[raw.length - 1] = '\n';
            c.addRaw(raw);
        } else {
            c.addBulk(text);
        }
    }

    // =====================================================================================
    // GEOADD / GEODIST / GEOHASH / GEOPOS
    // =====================================================================================

    void geoadd(Client c) {
        boolean xx = false, nx = false;
        int longidx = 2;
        while (longidx < c.argc) {
            byte[] o = c.argv[longidx];
            if (Bytes.equalsIgnoreCase(o, "nx")) nx = true;
            else if (Bytes.equalsIgnoreCase(o, "xx")) xx = true;
            else if (!Bytes.equalsIgnoreCase(o, "ch")) break;
            longidx++;
        }
        if ((c.argc - longidx) % 3 != 0 || (xx && nx)) {
            c.addError(Errors.SYNTAX);
            return;
        }
        int elements = (c.argc - longidx) / 3;
        byte[][] argv = new byte[longidx + elements * 2][];
        argv[0] = ZADD;
        System.arraycopy(c.argv, 1, argv, 1, longidx - 1);
        for (int i = 0; i < elements; i++) {
            if (!lonLat(c, longidx + i * 3, xy)) return;
            long score = GeoHash.score(xy[0], xy[1]);
            argv[longidx + i * 2] = Numbers.longToBytes(score);
            argv[longidx + 1 + i * 2] = c.argv[longidx + i * 3 + 2];
        }
        // As Redis, the command becomes a ZADD: it runs and propagates as one.
        KeyCommands.rewriteArgv(c, argv);
        zadd.handler.execute(c);
    }

    void geodist(Client c) {
        double toMeter = 1;
        if (c.argc == 5) {
            toMeter = unit(c, c.argv[4]);
            if (toMeter < 0) return;
        } else if (c.argc > 5) {
            c.addError(Errors.SYNTAX);
            return;
        }
        Object o = c.db.lookupRead(c.argv[1]);
        if (o == null) {
            c.addNull();
            return;
        }
        if (zsetOrWrong(c, o) == WRONG) return;
        ZSetValue z = (ZSetValue) o;
        double s1 = z.score(c.argv[2]), s2 = z.score(c.argv[3]);
        if (Double.isNaN(s1) || Double.isNaN(s2) || !GeoHash.decodeScore(s1, xy) || !GeoHash.decodeScore(s2, xy2)) {
            c.addNull();
            return;
        }
        c.addBulk(GeoHash.formatDistance(GeoHash.distance(xy[0], xy[1], xy2[0], xy2[1]) / toMeter));
    }

    void geohash(Client c) {
        Object o = zsetOrWrong(c, c.db.lookupRead(c.argv[1]));
        if (o == WRONG) return;
        ZSetValue z = (ZSetValue) o;
        c.addArrayLen(c.argc - 2);
        for (int j = 2; j < c.argc; j++) {
            double s = z == null ? Double.NaN : z.score(c.argv[j]);
            byte[] h = Double.isNaN(s) ? null : GeoHash.standardHash(s);
            if (h == null) c.addNull();
            else c.addBulk(h);
        }
    }

    void geopos(Client c) {
        Object o = zsetOrWrong(c, c.db.lookupRead(c.argv[1]));
        if (o == WRONG) return;
        ZSetValue z = (ZSetValue) o;
        c.addArrayLen(c.argc - 2);
        for (int j = 2; j < c.argc; j++) {
            double s = z == null ? Double.NaN : z.score(c.argv[j]);
            if (Double.isNaN(s) || !GeoHash.decodeScore(s, xy)) {
                c.addNullArray();
                continue;
            }
            c.addArrayLen(2);
            addCoord(c, xy[0]);
            addCoord(c, xy[1]);
        }
    }

    // =====================================================================================
    // Searches
    // =====================================================================================

    /** The points found by a search (Redis's geoArray), in collection order. */
    private static final class Points {
        int n;
        double[] lon = new double[16], lat = new double[16], dist = new double[16], score = new double[16];
        byte[][] member = new byte[16][];

        void add(double lo, double la, double d, double s, byte[] m) {
            if (n == lon.length) {
                int cap = n * 2;
                lon = java.util.Arrays.copyOf(lon, cap);
                lat = java.util.Arrays.copyOf(lat, cap);
                dist = java.util.Arrays.copyOf(dist, cap);
                score = java.util.Arrays.copyOf(score, cap);
                member = java.util.Arrays.copyOf(member, cap);
            }
            lon[n] = lo;
            lat[n] = la;
            dist[n] = d;
            score[n] = s;
            member[n] = m;
            n++;
        }
    }

    /** geoGetPointsInRange: members with min <= score < max inside the shape, up to limit (0 = all). */
    private void pointsInRange(ZSetValue z, double min, double max, GeoHash.Shape shape, Points pts, long limit) {
        long start = z.countScoreBelow(min, false);
        if (start >= z.size()) return;
        ZSetValue.Iter it = z.iter(start, false);
        double[] p = xy2;
        while (it.next()) {
            if (!(it.score < max)) break;
            if (GeoHash.decodeScore(it.score, p)) {
                double d = GeoHash.distanceIfWithin(shape, p[0], p[1]);
                if (d >= 0) pts.add(p[0], p[1], d, it.score, it.member);
            }
            if (pts.n != 0 && limit != 0 && pts.n >= limit) break;
        }
    }

    /** membersOfAllNeighbors: scans the nine boxes in Redis's order, skipping repeats. */
    private void membersOfAllNeighbors(ZSetValue z, long[] boxes, GeoHash.Shape shape, Points pts, long limit) {
        int last = 0;
        for (int i = 0; i < 9; i++) {
            long bits = boxes[2 * i];
            int step = (int) boxes[2 * i + 1];
            if (bits == 0 && step == 0) continue;
            if (last != 0 && bits == boxes[2 * last] && step == boxes[2 * last + 1]) continue;
            if (pts.n != 0 && limit != 0 && pts.n >= limit) break;
            long min = GeoHash.align52(bits, step);
            long max = GeoHash.align52(bits + 1, step);
            pointsInRange(z, (double) min, (double) max, shape, pts, limit);
            last = i;
        }
    }

    /** georadiusGeneric. srcIdx is the source key's index; flags select the variant. */
    void search(Client c, int srcIdx, int flags) {
        byte[] storeKey = null;
        boolean storeDist = false;
        Object o = zsetOrWrong(c, c.db.lookupRead(c.argv[srcIdx]));
        if (o == WRONG) return;
        ZSetValue z = (ZSetValue) o;
        GeoHash.Shape shape = new GeoHash.Shape();
        int baseArgs;
        if ((flags & RADIUS_COORDS) != 0) {
            baseArgs = 6;
            shape.type = GeoHash.CIRCULAR;
            if (!lonLat(c, 2, shape.xy)) return;
            if (!distance(c, baseArgs - 2, shape)) return;
        } else if ((flags & RADIUS_MEMBER) != 0 && z == null) {
            baseArgs = 5;
        } else if ((flags & RADIUS_MEMBER) != 0) {
            baseArgs = 5;
            shape.type = GeoHash.CIRCULAR;
            double s = z.score(c.argv[2]);
            if (Double.isNaN(s) || !GeoHash.decodeScore(s, shape.xy)) {
                c.addError("ERR could not decode requested zset member");
                return;
            }
            if (!distance(c, baseArgs - 2, shape)) return;
        } else {
            baseArgs = 2;
            if ((flags & SEARCHSTORE) != 0) {
                baseArgs = 3;
                storeKey = c.argv[1];
            }
        }

        boolean withDist = false, withHash = false, withCoords = false;
        boolean fromMember = false, fromLoc = false, byRadius = false, byBox = false, any = false;
        int sort = SORT_NONE;
        long count = 0;
        int remaining = c.argc - baseArgs;
        for (int i = 0; i < remaining; i++) {
            byte[] arg = c.argv[baseArgs + i];
            if (Bytes.equalsIgnoreCase(arg, "withdist")) {
                withDist = true;
            } else if (Bytes.equalsIgnoreCase(arg, "withhash")) {
                withHash = true;
            } else if (Bytes.equalsIgnoreCase(arg, "withcoord")) {
                withCoords = true;
            } else if (Bytes.equalsIgnoreCase(arg, "any")) {
                any = true;
            } else if (Bytes.equalsIgnoreCase(arg, "asc")) {
                sort = SORT_ASC;
            } else if (Bytes.equalsIgnoreCase(arg, "desc")) {
                sort = SORT_DESC;
            } else if (Bytes.equalsIgnoreCase(arg, "count") && i + 1 < remaining) {
                byte[] a = c.argv[baseArgs + i + 1];
                long v = Numbers.parseLong(a);
                if (v == Numbers.NOT_A_LONG && !Numbers.isLong(a)) {
                    c.addError(Errors.NOT_INTEGER);
                    return;
                }
                if (v <= 0) {
                    c.addError("ERR COUNT must be > 0");
                    return;
                }
                count = v;
                i++;
            } else if (Bytes.equalsIgnoreCase(arg, "store") && i + 1 < remaining
                && (flags & RADIUS_NOSTORE) == 0 && (flags & SEARCH) == 0) {
                storeKey = c.argv[baseArgs + i + 1];
                storeDist = false;
                i++;
            } else if (Bytes.equalsIgnoreCase(arg, "storedist") && i + 1 < remaining
                && (flags & RADIUS_NOSTORE) == 0 && (flags & SEARCH) == 0) {
                storeKey = c.argv[baseArgs + i + 1];
                storeDist = true;
                i++;
            } else if (Bytes.equalsIgnoreCase(arg, "storedist") && (flags & SEARCH) != 0 && (flags & SEARCHSTORE) != 0) {
                storeDist = true;
            } else if (Bytes.equalsIgnoreCase(arg, "frommember") && i + 1 < remaining
                && (flags & SEARCH) != 0 && !fromLoc) {
                if (z == null) {
                    fromMember = true;
                    i++;
                    continue;
                }
                double s = z.score(c.argv[baseArgs + i + 1]);
                if (Double.isNaN(s) || !GeoHash.decodeScore(s, shape.xy)) {
                    c.addError("ERR could not decode requested zset member");
                    return;
                }
                fromMember = true;
                i++;
            } else if (Bytes.equalsIgnoreCase(arg, "fromlonlat") && i + 2 < remaining
                && (flags & SEARCH) != 0 && !fromMember) {
                if (!lonLat(c, baseArgs + i + 1, shape.xy)) return;
                fromLoc = true;
                i += 2;
            } else if (Bytes.equalsIgnoreCase(arg, "byradius") && i + 2 < remaining
                && (flags & SEARCH) != 0 && !byBox) {
                if (!distance(c, baseArgs + i + 1, shape)) return;
                shape.type = GeoHash.CIRCULAR;
                byRadius = true;
                i += 2;
            } else if (Bytes.equalsIgnoreCase(arg, "bybox") && i + 3 < remaining
                && (flags & SEARCH) != 0 && !byRadius) {
                if (!box(c, baseArgs + i + 1, shape)) return;
                shape.type = GeoHash.RECTANGLE;
                byBox = true;
                i += 3;
            } else {
                c.addError(Errors.SYNTAX);
                return;
            }
        }

        if (storeKey != null && (withDist || withHash || withCoords)) {
            c.addError("ERR " + ((flags & SEARCHSTORE) != 0 ? "GEOSEARCHSTORE" : "STORE option in GEORADIUS")
                + " is not compatible with WITHDIST, WITHHASH and WITHCOORD options");
            return;
        }
        String cmdName = new String(c.argv[0], StandardCharsets.UTF_8);
        if ((flags & SEARCH) != 0 && !(fromMember || fromLoc)) {
            c.addError("ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for " + cmdName);
            return;
        }
        if ((flags & SEARCH) != 0 && !(byRadius || byBox)) {
            c.addError("ERR exactly one of BYRADIUS and BYBOX can be specified for " + cmdName);
            return;
        }
        if (any && count == 0) {
            c.addError("ERR the ANY argument requires COUNT argument");
            return;
        }

        if (z == null) {
            if (storeKey != null) {
                if (c.db.delete(storeKey)) {
                    c.engine.notify(Notify.GENERIC, "del", storeKey, c.db.id);
                    c.engine.dirty++;
                }
                c.addLong(0);
            } else {
                c.addArrayLen(0);
            }
            return;
        }
        if (count != 0 && sort == SORT_NONE && !any) sort = SORT_ASC;

        long[] boxes = new long[18];
        GeoHash.areasByShape(shape, boxes);
        Points pts = new Points();
        membersOfAllNeighbors(z, boxes, shape, pts, any ? count : 0);

        if (pts.n == 0 && storeKey == null) {
            c.addArrayLen(0);
            return;
        }
        int resultLength = pts.n;
        int returned = (count == 0 || resultLength < count) ? resultLength : (int) count;
        int[] order = new int[resultLength];
        for (int i = 0; i < resultLength; i++) order[i] = i;
        if (sort != SORT_NONE) {
            boolean desc = sort == SORT_DESC;
            if (returned == resultLength) GeoSort.stable(order, resultLength, pts.dist, desc);
            else GeoSort.partial(order, resultLength, pts.dist, desc, 0, returned - 1);
        }

        if (storeKey == null) {
            int options = (withDist ? 1 : 0) + (withCoords ? 1 : 0) + (withHash ? 1 : 0);
            c.addArrayLen(returned);
            for (int k = 0; k < returned; k++) {
                int i = order[k];
                double d = pts.dist[i] / shape.conversion;
                if (options != 0) c.addArrayLen(options + 1);
                c.addBulk(pts.member[i]);
                if (withDist) c.addBulk(GeoHash.formatDistance(d));
                if (withHash) c.addLong((long) pts.score[i]);
                if (withCoords) {
                    c.addArrayLen(2);
                    addCoord(c, pts.lon[i]);
                    addCoord(c, pts.lat[i]);
                }
            }
            return;
        }

        if (returned > 0) {
            byte[][] ele = new byte[returned][];
            double[] sc = new double[returned];
            int maxLen = 0;
            for (int k = 0; k < returned; k++) {
                int i = order[k];
                ele[k] = pts.member[i];
                sc[k] = storeDist ? pts.dist[i] / shape.conversion : pts.score[i];
                maxLen = Math.max(maxLen, ele[k].length);
            }
            ZSetValue.sort(ele, sc, returned);
            boolean lp = ZSetValue.fitsListpack(returned, maxLen, c.engine.config.zsetMaxListpackEntries,
                c.engine.config.zsetMaxListpackValue);
            ZSetValue dst = ZSetValue.fromSorted(ele, sc, returned, lp, c.engine.snapshotEpoch);
            c.db.setKey(storeKey, dst, false);
            c.engine.notify(Notify.ZSET, (flags & SEARCH) != 0 ? "geosearchstore" : "georadiusstore", storeKey, c.db.id);
            c.engine.dirty += returned;
        } else if (c.db.delete(storeKey)) {
            c.engine.notify(Notify.GENERIC, "del", storeKey, c.db.id);
            c.engine.dirty++;
        }
        c.addLong(returned);
    }

    /** extractDistanceOrReply: radius and unit at argv[i], argv[i+1]. */
    private boolean distance(Client c, int i, GeoHash.Shape shape) {
        if (!doubleArg(c, c.argv[i], "need numeric radius")) return false;
        if (parsed < 0) {
            c.addError("ERR radius cannot be negative");
            return false;
        }
        shape.radius = parsed;
        double u = unit(c, c.argv[i + 1]);
        if (u < 0) return false;
        shape.conversion = u;
        return true;
    }

    /** extractBoxOrReply: width, height and unit at argv[i..i+2]. */
    private boolean box(Client c, int i, GeoHash.Shape shape) {
        if (!doubleArg(c, c.argv[i], "need numeric width")) return false;
        double w = parsed;
        if (!doubleArg(c, c.argv[i + 1], "need numeric height")) return false;
        double h = parsed;
        if (h < 0 || w < 0) {
            c.addError("ERR height or width cannot be negative");
            return false;
        }
        shape.height = h;
        shape.width = w;
        double u = unit(c, c.argv[i + 2]);
        if (u < 0) return false;
        shape.conversion = u;
        return true;
    }
}
