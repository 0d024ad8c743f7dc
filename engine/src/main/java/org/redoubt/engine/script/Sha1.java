package org.redoubt.engine.script;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** SHA1 of a script body as 40 lower-case hex characters (script cache keys, redis.sha1hex). */
public final class Sha1 {
    private Sha1() {}

    private static final char[] HEX = "0123456789abcdef".toCharArray();
    private static final ThreadLocal<MessageDigest> MD = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-1");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-1", e);
        }
    });

    public static String hex(byte[] b, int off, int len) {
        MessageDigest md = MD.get();
        md.reset();
        md.update(b, off, len);
        byte[] d = md.digest();
        char[] c = new char[40];
        for (int i = 0; i < 20; i++) {
            c[2 * i] = HEX[(d[i] >> 4) & 15];
            c[2 * i + 1] = HEX[d[i] & 15];
        }
        return new String(c);
    }

    public static String hex(byte[] b) { return hex(b, 0, b.length); }

    /** The argument lower-cased if it has the shape of a SHA1 hex digest, else null. */
    public static String normalize(byte[] sha) {
        if (sha.length != 40) return null;
        char[] c = new char[40];
        for (int i = 0; i < 40; i++) {
            int x = sha[i] & 0xff;
            if (x >= 'A' && x <= 'Z') x += 32;
            c[i] = (char) x;
        }
        return new String(c);
    }
}
