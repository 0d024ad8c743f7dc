package org.redoubt.engine.info;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import org.redoubt.engine.Engine;
import org.redoubt.engine.db.Db;
import org.redoubt.engine.type.RValue;
import org.redoubt.engine.type.Types;

/**
 * DEBUG DIGEST and DIGEST-VALUE: the dataset signature Redis computes in debug.c, so that a
 * dataset digests to the same 40 hex characters here and in Redis.
 *
 * <p>Per key: digest = mix(key), then mix(type code as 4 big-endian bytes), then the value's
 * content (strings: mix(bytes); other types through {@link Digestible}), then xor("!!expire!!")
 * when the key has a TTL. Per database with keys: mix(db id) into the result, then xor the SHA1
 * of every key digest into it (key order is irrelevant). mix(d, x) is d = SHA1(d xor SHA1(x)); xor(d, x) is
 * d = d xor SHA1(x).
 */
public final class Digest {
    private Digest() {}

    public static final int TYPE_STRING = 0, TYPE_LIST = 1, TYPE_SET = 2, TYPE_ZSET = 3, TYPE_HASH = 4,
        TYPE_STREAM = 6;
    private static final byte[] EXPIRE_MARK = "!!expire!!".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private static MessageDigest sha1() {
        try {
            return MessageDigest.getInstance("SHA-1");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is required by every Java platform", e);
        }
    }

    /** digest ^= SHA1(data[off, off+len)). */
    public static void xor(byte[] digest, byte[] data, int off, int len) {
        MessageDigest md = sha1();
        md.update(data, off, len);
        byte[] h = md.digest();
        for (int i = 0; i < 20; i++) digest[i] ^= h[i];
    }

    public static void xor(byte[] digest, byte[] data) { xor(digest, data, 0, data.length); }

    /** digest = SHA1(digest ^ SHA1(data)): order-sensitive accumulation. */
    public static void mix(byte[] digest, byte[] data, int off, int len) {
        xor(digest, data, off, len);
        MessageDigest md = sha1();
        md.update(digest, 0, 20);
        byte[] h = md.digest();
        System.arraycopy(h, 0, digest, 0, 20);
    }

    public static void mix(byte[] digest, byte[] data) { mix(digest, data, 0, data.length); }

    public static void mix(byte[] digest, String ascii) {
        mix(digest, ascii.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }

    private static byte[] int32(int v) {
        return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
    }

    /**
     * Mixes one value (type, content, TTL marker) into digest, as xorObjectDigest. Returns null,
     * or the type name of a value that cannot be digested (it does not implement Digestible).
     */
    public static String value(byte[] digest, Object v, boolean hasExpire) {
        if (Types.isString(v)) {
            mix(digest, int32(TYPE_STRING));
            mix(digest, Types.array(v), 0, Types.strlen(v));
        } else if (v instanceof Digestible d) {
            mix(digest, int32(d.digestTypeCode()));
            d.digestInto(digest);
        } else {
            return v instanceof RValue r ? r.typeName() : v.getClass().getSimpleName();
        }
        if (hasExpire) xor(digest, EXPIRE_MARK);
        return null;
    }

    /**
     * DEBUG DIGEST-VALUE of one key into out (20 bytes, left zero when the key does not exist;
     * logically expired keys still count, as Redis). Returns null or an undigestable type name.
     */
    public static String keyValue(Db db, byte[] key, byte[] out) {
        java.util.Arrays.fill(out, (byte) 0);
        Object v = db.mainMap().get(key);
        return v == null ? null : value(out, v, db.getExpire(key) != -1);
    }

    /**
     * DEBUG DIGEST of every database into out (20 zero bytes for an empty dataset). Returns
     * null or the type name of the first value that cannot be digested.
     */
    public static String dataset(Engine e, byte[] out) {
        java.util.Arrays.fill(out, (byte) 0);
        Db[] dbs = e.dbs();
        String[] failure = new String[1];
        byte[] kd = new byte[20];
        for (int j = 0; j < dbs.length; j++) {
            Db db = dbs[j];
            if (db.size() == 0) continue;
            mix(out, int32(j));
            db.mainMap().forEach((key, v, meta) -> {
                java.util.Arrays.fill(kd, (byte) 0);
                mix(kd, key);
                failure[0] = value(kd, v, db.getExpire(key) != -1);
                if (failure[0] != null) return false;
                xor(out, kd);
                return true;
            });
            if (failure[0] != null) return failure[0];
        }
        return null;
    }

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    public static String hex(byte[] d) {
        char[] c = new char[d.length * 2];
        for (int i = 0; i < d.length; i++) {
            c[2 * i] = HEX[(d[i] >> 4) & 15];
            c[2 * i + 1] = HEX[d[i] & 15];
        }
        return new String(c);
    }

    /** C's "%.17g", used by sorted-set digests for scores. */
    public static String g17(double d) {
        if (Double.isNaN(d)) return "nan";
        if (Double.isInfinite(d)) return d > 0 ? "inf" : "-inf";
        if (d == 0) return (1 / d < 0) ? "-0" : "0";
        BigDecimal bd = new BigDecimal(d).round(new MathContext(17, RoundingMode.HALF_EVEN));
        int exp = bd.precision() - bd.scale() - 1;
        if (exp < -4 || exp >= 17) {
            String digits = bd.unscaledValue().abs().toString();
            int end = digits.length();
            while (end > 1 && digits.charAt(end - 1) == '0') end--;
            StringBuilder sb = new StringBuilder();
            if (bd.signum() < 0) sb.append('-');
            sb.append(digits.charAt(0));
            if (end > 1) sb.append('.').append(digits, 1, end);
            sb.append('e').append(exp < 0 ? '-' : '+');
            int ax = Math.abs(exp);
            if (ax < 10) sb.append('0');
            sb.append(ax);
            return sb.toString();
        }
        String s = bd.toPlainString();
        if (s.indexOf('.') >= 0) {
            int end = s.length();
            while (s.charAt(end - 1) == '0') end--;
            if (s.charAt(end - 1) == '.') end--;
            s = s.substring(0, end);
        }
        return s;
    }
}
