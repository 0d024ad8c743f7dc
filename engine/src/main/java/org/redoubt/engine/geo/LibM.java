package org.redoubt.engine.geo;

import java.lang.invoke.MethodHandle;
import org.redoubt.engine.util.NativeLink;

/**
 * The C library's sin, cos, asin and pow, which Redis's geo distances and HyperLogLog estimator
 * call. Java's own functions (StrictMath's fdlibm, Math's intrinsics) differ from glibc in the
 * last bit for a few percent of inputs, enough to change distances that GEOSEARCHSTORE
 * STOREDIST stores with full precision and to flip points lying on a search radius. Calling the
 * platform libm, as Redis does on the same machine, makes those results bit-identical.
 *
 * <p>The functions are reached with the foreign function API, looked up reflectively because
 * the code is compiled for Java 21 (where that API is a preview) but runs on newer JDKs. When
 * it is unavailable (Java 21, native access denied, no libm symbol) the Java functions closest
 * to glibc are used: {@link Math#sin}/{@link Math#cos} (measured nearer than fdlibm),
 * {@link StrictMath#asin}, and {@code x * x} for squares.
 */
public final class LibM {
    private LibM() {}

    private static final MethodHandle SIN, COS, ASIN, POW;

    static {
        MethodHandle[] h = lookup();
        SIN = h[0];
        COS = h[1];
        ASIN = h[2];
        POW = h[3];
    }

    /** Whether the C library functions are in use (for tests and diagnostics). */
    public static boolean isNative() { return SIN != null; }

    private static MethodHandle[] lookup() {
        MethodHandle[] out = new MethodHandle[4];
        NativeLink.Type d = NativeLink.Type.DOUBLE;
        MethodHandle[] found = {
            NativeLink.downcall("sin", d, d), NativeLink.downcall("cos", d, d),
            NativeLink.downcall("asin", d, d), NativeLink.downcall("pow", d, d, d)};
        for (MethodHandle h : found) if (h == null) return out;
        try {
            // A call can still be refused (native access disabled): try each once.
            double probe = (double) found[0].invokeExact(0.5) + (double) found[1].invokeExact(0.5)
                + (double) found[2].invokeExact(0.5) + (double) found[3].invokeExact(0.5, 2.0);
            if (probe != probe) return out;
            return found;
        } catch (Throwable t) {
            return out;
        }
    }

    public static double sin(double x) {
        if (SIN != null) {
            try {
                return (double) SIN.invokeExact(x);
            } catch (Throwable t) {
                // unreachable once probed; fall through to the Java function
            }
        }
        return Math.sin(x);
    }

    public static double cos(double x) {
        if (COS != null) {
            try {
                return (double) COS.invokeExact(x);
            } catch (Throwable t) {
                // see sin
            }
        }
        return Math.cos(x);
    }

    public static double asin(double x) {
        if (ASIN != null) {
            try {
                return (double) ASIN.invokeExact(x);
            } catch (Throwable t) {
                // see sin
            }
        }
        return StrictMath.asin(x);
    }

    public static double pow(double x, double y) {
        if (POW != null) {
            try {
                return (double) POW.invokeExact(x, y);
            } catch (Throwable t) {
                // see sin
            }
        }
        return y == 2.0 ? x * x : StrictMath.pow(x, y);
    }
}
