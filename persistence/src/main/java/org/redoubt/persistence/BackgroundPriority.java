package org.redoubt.persistence;

import java.lang.invoke.MethodHandle;
import org.redoubt.engine.util.NativeLink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lowers the scheduling priority of the calling thread (Linux: {@code setpriority} on its thread
 * id, which affects that thread only). Background save and rewrite threads call it so that, when
 * CPUs are scarce, the scheduler serves the engine thread first: a save then stretches instead of
 * adding latency to every command. A child started by such a thread inherits its priority.
 *
 * <p>The functions are reached through {@link NativeLink}; where it is unavailable, nothing happens.
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
        NativeLink.Type i = NativeLink.Type.INT;
        out[0] = NativeLink.downcall("gettid", i);
        out[1] = NativeLink.downcall("setpriority", i, i, i, i);
        if (out[0] == null || out[1] == null) out[0] = out[1] = null;
        return out;
    }
}
