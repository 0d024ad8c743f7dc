package org.redoubt.engine.info;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * What the operating system knows about this process (CPU time, resident set size, machine
 * memory), for INFO cpu/memory and MEMORY STATS. Linux /proc is used when readable; otherwise
 * the JVM's management beans give the closest figures. None of this is on a hot path.
 */
public final class ProcessStats {
    private ProcessStats() {}

    private static final Path STAT = Path.of("/proc/self/stat");
    private static final Path STATM = Path.of("/proc/self/statm");
    private static final Path MEMINFO = Path.of("/proc/meminfo");
    /** USER_HZ: the unit of /proc/<pid>/stat times; 100 on every mainstream Linux build. */
    private static final long CLOCK_TICKS = 100;
    private static final long PAGE = 4096;

    /** CPU seconds used, in microseconds: {self sys, self user, children sys, children user}. */
    public static long[] cpuMicros() {
        long[] r = new long[4];
        String stat = read(STAT);
        if (stat != null) {
            // Fields after the parenthesised command name; utime is field 14 of the whole line.
            int close = stat.lastIndexOf(')');
            String[] f = stat.substring(close + 2).split(" ");
            // f[0] is field 3 (state): utime=f[11], stime=f[12], cutime=f[13], cstime=f[14]
            try {
                long tick = 1_000_000 / CLOCK_TICKS;
                r[1] = Long.parseLong(f[11]) * tick;
                r[0] = Long.parseLong(f[12]) * tick;
                r[3] = Long.parseLong(f[13]) * tick;
                r[2] = Long.parseLong(f[14]) * tick;
                return r;
            } catch (RuntimeException e) {
                // fall through to the JVM's figure
            }
        }
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            r[1] = Math.max(0, os.getProcessCpuTime() / 1000);
        }
        return r;
    }

    /** CPU time of the calling thread in microseconds: {sys, user}. */
    public static long[] threadCpuMicros() {
        ThreadMXBean t = ManagementFactory.getThreadMXBean();
        long total = t.isCurrentThreadCpuTimeSupported() ? t.getCurrentThreadCpuTime() : 0;
        long user = t.isCurrentThreadCpuTimeSupported() ? t.getCurrentThreadUserTime() : 0;
        if (total < 0) total = 0;
        if (user < 0) user = 0;
        return new long[] {Math.max(0, total - user) / 1000, user / 1000};
    }

    /** "sec.micros" with six digits, as Redis prints rusage times. */
    public static String seconds(long micros) {
        return micros / 1_000_000 + "." + String.format(Locale.ROOT, "%06d", micros % 1_000_000);
    }

    /** Resident set size in bytes (0 when unknown). */
    public static long rss() {
        String statm = read(STATM);
        if (statm != null) {
            String[] f = statm.trim().split(" ");
            try {
                return Long.parseLong(f[1]) * PAGE;
            } catch (RuntimeException e) {
                // fall through
            }
        }
        Runtime rt = Runtime.getRuntime();
        return rt.totalMemory();
    }

    /** Physical memory of the machine in bytes. */
    public static long totalSystemMemory() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            long v = os.getTotalMemorySize();
            if (v > 0) return v;
        }
        String mi = read(MEMINFO);
        if (mi != null) {
            for (String line : mi.split("\n")) {
                if (line.startsWith("MemTotal:")) {
                    String n = line.substring(9).trim().split(" ")[0];
                    try { return Long.parseLong(n) * 1024; } catch (NumberFormatException e) { return 0; }
                }
            }
        }
        return 0;
    }

    /** Bytes of transparent huge pages in use by the process (LATENCY/MEMORY DOCTOR advice). */
    public static long anonHugePages() {
        String smaps = read(Path.of("/proc/self/smaps_rollup"));
        if (smaps == null) return 0;
        for (String line : smaps.split("\n")) {
            if (line.startsWith("AnonHugePages:")) {
                String n = line.substring(14).trim().split(" ")[0];
                try { return Long.parseLong(n) * 1024; } catch (NumberFormatException e) { return 0; }
            }
        }
        return 0;
    }

    /** Live heap bytes: the JVM's counterpart of zmalloc_used_memory. */
    public static long heapUsed() {
        Runtime rt = Runtime.getRuntime();
        return rt.totalMemory() - rt.freeMemory();
    }

    /** Heap bytes committed by the JVM (what the allocator holds from the OS). */
    public static long heapCommitted() { return Runtime.getRuntime().totalMemory(); }

    /** "Linux 6.1.0 x86_64", as uname sysname/release/machine. */
    public static String os() {
        String arch = System.getProperty("os.arch", "");
        if (arch.equals("amd64")) arch = "x86_64";
        return System.getProperty("os.name", "") + " " + System.getProperty("os.version", "") + " " + arch;
    }

    private static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.US_ASCII);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
