package org.redoubt.persistence;

import java.lang.invoke.MethodHandle;
import java.lang.reflect.Array;
import java.lang.reflect.Method;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lowers the scheduling priority of the calling thread (Linux: {@code setpriority} on its thread
 * id, which affects that thread only). Background save and rewrite threads call it so that, when
 * CPUs are scarce, the scheduler serves the engine thread first: a save then stretches instead of
 * adding latency to every command. A child started by such a thread inherits its priority.
 *
 * <p>The functions are reached with the foreign function API, looked up reflectively (compiled
 * for Java 21, where that API is a preview). Where it is unavailable, nothing happens.
 */
public final class BackgroundPriority {
    private static final Logger log = LoggerFactory.getLogger(BackgroundPriority.class);
    /** nice value of background job threads (0 is the default, 19 the lowest priority). */
    static final int NICE = 10;
    private static final MethodHandle GETTID, SETPRIORITY;

    static {
        MethodHandle[] h = lookup();
        GETTID = h[0];
        SETPRIORITY = h[1];
    }

    private BackgroundPriority() {}

    /** Lowers the calling thread to {@link #NICE}; false when it could not. */
    public static boolean lowerCurrentThread() {
        if (GETTID == null) return false;
        try {
            int tid = (int) GETTID.invoke();
            int rc = (int) SETPRIORITY.invoke(0 /* PRIO_PROCESS: with a tid, that thread only */, tid, NICE);
            return rc == 0;
        } catch (Throwable e) {
            log.debug("setpriority failed: {}", e.toString());
            return false;
        }
    }

    private static MethodHandle[] lookup() {
        MethodHandle[] out = new MethodHandle[2];
        if (!System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux")) return out;
        try {
            Class<?> linkerC = Class.forName("java.lang.foreign.Linker");
            Class<?> lookupC = Class.forName("java.lang.foreign.SymbolLookup");
            Class<?> layoutC = Class.forName("java.lang.foreign.MemoryLayout");
            Class<?> valueLayoutC = Class.forName("java.lang.foreign.ValueLayout");
            Class<?> descC = Class.forName("java.lang.foreign.FunctionDescriptor");
            Class<?> segC = Class.forName("java.lang.foreign.MemorySegment");
            Class<?> optC = Class.forName("java.lang.foreign.Linker$Option");
            Object linker = linkerC.getMethod("nativeLinker").invoke(null);
            Object libs = linkerC.getMethod("defaultLookup").invoke(linker);
            Object i32 = valueLayoutC.getField("JAVA_INT").get(null);
            Method of = descC.getMethod("of", layoutC, Array.newInstance(layoutC, 0).getClass());
            Object[] none = (Object[]) Array.newInstance(layoutC, 0);
            Object[] three = (Object[]) Array.newInstance(layoutC, 3);
            three[0] = i32;
            three[1] = i32;
            three[2] = i32;
            Object noArgs = of.invoke(null, i32, none);
            Object threeArgs = of.invoke(null, i32, three);
            Method find = lookupC.getMethod("find", String.class);
            Object noOptions = Array.newInstance(optC, 0);
            Method downcall = linkerC.getMethod("downcallHandle", segC, descC, noOptions.getClass());
            Optional<?> gettid = (Optional<?>) find.invoke(libs, "gettid");
            Optional<?> setpriority = (Optional<?>) find.invoke(libs, "setpriority");
            if (gettid.isEmpty() || setpriority.isEmpty()) return out;
            out[0] = (MethodHandle) downcall.invoke(linker, gettid.get(), noArgs, noOptions);
            out[1] = (MethodHandle) downcall.invoke(linker, setpriority.get(), threeArgs, noOptions);
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            out[0] = out[1] = null;
        }
        return out;
    }
}
