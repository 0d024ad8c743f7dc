package org.redoubt.persistence.aof;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The multi-part AOF manifest of Redis 7 ({@code <appendfilename>.manifest} in the AOF
 * directory): one line per file, {@code file <name> seq <n> type <b|h|i>}, the base first, then
 * the history files, then the incremental files in increasing sequence.
 *
 * <p>Invariants: at most one base; incr sequence numbers strictly increase in list order;
 * {@link #baseSeq} and {@link #incrSeq} are the highest sequence numbers handed out so far, so a
 * new file never reuses a name. A manifest is a plain value: the writer thread owns the live one
 * and works on a {@link #copy()} that replaces it only after the copy is safely on disk.
 */
public final class AofManifest {
    public static final char TYPE_BASE = 'b', TYPE_HIST = 'h', TYPE_INCR = 'i';
    static final String BASE_SUFFIX = ".base", INCR_SUFFIX = ".incr", RDB_SUFFIX = ".rdb",
        AOF_SUFFIX = ".aof", MANIFEST_SUFFIX = ".manifest", TEMP_PREFIX = "temp-";
    /** Redis reads manifest lines with a 1024-byte buffer; a longer line is an error. */
    static final int MAX_LINE = 1024;

    /** One file of the manifest. */
    public static final class Entry {
        public final String name;
        public final long seq;
        public final char type;

        public Entry(String name, long seq, char type) {
            this.name = name;
            this.seq = seq;
            this.type = type;
        }

        Entry withType(char t) { return new Entry(name, seq, t); }

        @Override public String toString() { return line(this); }
    }

    /** A manifest that cannot be loaded; the message is the one Redis logs. */
    public static final class ManifestException extends Exception {
        /** The offending line (trimmed), or null when the error is not about one line. */
        public final String line;
        public final int lineNumber;

        ManifestException(String message, String line, int lineNumber) {
            super(message);
            this.line = line;
            this.lineNumber = lineNumber;
        }
    }

    public Entry base;
    public final List<Entry> history = new ArrayList<>();
    public final List<Entry> incrs = new ArrayList<>();
    public long baseSeq, incrSeq;

    public AofManifest copy() {
        AofManifest m = new AofManifest();
        m.base = base;
        m.history.addAll(history);
        m.incrs.addAll(incrs);
        m.baseSeq = baseSeq;
        m.incrSeq = incrSeq;
        return m;
    }

    public boolean isEmpty() { return base == null && incrs.isEmpty(); }

    /** The base and incr files, in load order. */
    public List<Entry> loadOrder() {
        List<Entry> l = new ArrayList<>(incrs.size() + 1);
        if (base != null) l.add(base);
        l.addAll(incrs);
        return l;
    }

    // =====================================================================================
    // Naming
    // =====================================================================================

    public static String manifestName(String appendfilename) { return appendfilename + MANIFEST_SUFFIX; }

    public static String tempManifestName(String appendfilename) {
        return TEMP_PREFIX + appendfilename + MANIFEST_SUFFIX;
    }

    /** The temporary incr file of Redis's AOF_WAIT_REWRITE state (removed after a failed rewrite). */
    public static String tempIncrName(String appendfilename) {
        return TEMP_PREFIX + appendfilename + INCR_SUFFIX;
    }

    /** Makes a new base entry (the old base becomes the newest history entry) and returns its name. */
    public String newBase(String appendfilename, boolean rdbFormat) {
        if (base != null) history.add(0, base.withType(TYPE_HIST));
        long seq = ++baseSeq;
        base = new Entry(appendfilename + "." + seq + BASE_SUFFIX + (rdbFormat ? RDB_SUFFIX : AOF_SUFFIX), seq, TYPE_BASE);
        return base.name;
    }

    /** Appends a new incr entry and returns its name. */
    public String newIncr(String appendfilename) {
        long seq = ++incrSeq;
        Entry e = new Entry(appendfilename + "." + seq + INCR_SUFFIX + AOF_SUFFIX, seq, TYPE_INCR);
        incrs.add(e);
        return e.name;
    }

    /** The incr file to append to: the last one, or a new one when there is none. */
    public String lastIncrOrNew(String appendfilename) {
        if (incrs.isEmpty()) return newIncr(appendfilename);
        return incrs.get(incrs.size() - 1).name;
    }

    /**
     * After a rewrite: every incr file becomes history, except the last one when it is the file
     * being appended to ({@code keepLast}).
     */
    public void markIncrsAsHistory(boolean keepLast) {
        int n = incrs.size() - (keepLast && !incrs.isEmpty() ? 1 : 0);
        for (int i = n - 1; i >= 0; i--) history.add(0, incrs.get(i).withType(TYPE_HIST));
        incrs.subList(0, n).clear();
    }

    // =====================================================================================
    // Text form
    // =====================================================================================

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        if (base != null) sb.append(line(base));
        for (Entry e : history) sb.append(line(e));
        for (Entry e : incrs) sb.append(line(e));
        return sb.toString();
    }

    static String line(Entry e) {
        String n = needsRepr(e.name) ? repr(e.name) : e.name;
        return "file " + n + " seq " + e.seq + " type " + e.type + "\n";
    }

    /** Whether a name must be quoted to survive the manifest's argument splitting. */
    static boolean needsRepr(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        for (byte x : b) {
            int c = x & 0xff;
            if (c == '\\' || c == '"' || c < 0x20 || c >= 0x7f || c == ' ') return true;
        }
        return false;
    }

    /** A quoted, escaped form that the manifest reader splits back into the same bytes. */
    static String repr(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        StringBuilder sb = new StringBuilder(b.length + 2).append('"');
        for (byte x : b) {
            int c = x & 0xff;
            switch (c) {
                case '\\' -> sb.append("\\\\");
                case '"' -> sb.append("\\\"");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case 7 -> sb.append("\\a");
                case 8 -> sb.append("\\b");
                default -> {
                    if (c >= 0x20 && c < 0x7f) sb.append((char) c);
                    else sb.append(String.format(Locale.ROOT, "\\x%02x", c));
                }
            }
        }
        return sb.append('"').toString();
    }

    // =====================================================================================
    // Loading
    // =====================================================================================

    public static AofManifest load(Path file) throws IOException, ManifestException {
        try (InputStream in = Files.newInputStream(file)) {
            return parse(in.readAllBytes());
        }
    }

    /**
     * Parses a manifest with Redis's rules: '#' lines are comments; any other line must end in
     * a newline within {@link #MAX_LINE} bytes, be non-blank, split into an even number (at least
     * six) of words, and name a plain file name, a sequence and a known type.
     */
    public static AofManifest parse(byte[] text) throws ManifestException {
        AofManifest m = new AofManifest();
        long maxIncrSeq = 0;
        int pos = 0, lineNo = 0;
        while (true) {
            if (pos >= text.length) {
                if (lineNo == 0) throw new ManifestException("Found an empty AOF manifest", null, 0);
                break;
            }
            // One fgets-sized chunk: up to and including '\n', at most MAX_LINE bytes.
            int limit = Math.min(text.length, pos + MAX_LINE);
            int nl = -1;
            for (int i = pos; i < limit; i++) if (text[i] == '\n') { nl = i; break; }
            int end = nl >= 0 ? nl + 1 : limit;
            lineNo++;
            int start = pos;
            pos = end;
            if (text[start] == '#') continue;
            if (nl < 0) throw new ManifestException("The AOF manifest file contains too long line", null, lineNo);
            String line = trim(new String(text, start, end - start, StandardCharsets.ISO_8859_1));
            String shown = new String(line.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
            if (line.isEmpty()) throw new ManifestException("Invalid AOF manifest file format", shown, lineNo);
            List<byte[]> argv = splitArgs(line.getBytes(StandardCharsets.ISO_8859_1));
            if (argv == null || argv.size() < 6 || argv.size() % 2 != 0) {
                throw new ManifestException("Invalid AOF manifest file format", shown, lineNo);
            }
            String name = null;
            long seq = 0;
            char type = 0;
            for (int i = 0; i < argv.size(); i += 2) {
                String k = new String(argv.get(i), StandardCharsets.UTF_8);
                byte[] v = argv.get(i + 1);
                if (k.equalsIgnoreCase("file")) {
                    name = new String(v, StandardCharsets.UTF_8);
                    if (name.indexOf('/') >= 0 || name.indexOf('\\') >= 0) {
                        throw new ManifestException("File can't be a path, just a filename", shown, lineNo);
                    }
                } else if (k.equalsIgnoreCase("seq")) {
                    seq = atoll(v);
                } else if (k.equalsIgnoreCase("type")) {
                    type = v.length == 0 ? 0 : (char) (v[0] & 0xff);
                }
            }
            if (name == null || seq == 0 || type == 0) {
                throw new ManifestException("Invalid AOF manifest file format", shown, lineNo);
            }
            Entry e = new Entry(name, seq, type);
            switch (type) {
                case TYPE_BASE -> {
                    if (m.base != null) throw new ManifestException("Found duplicate base file information", shown, lineNo);
                    m.base = e;
                    m.baseSeq = seq;
                }
                case TYPE_HIST -> m.history.add(e);
                case TYPE_INCR -> {
                    if (seq <= maxIncrSeq) throw new ManifestException("Found a non-monotonic sequence number", shown, lineNo);
                    m.incrs.add(e);
                    m.incrSeq = seq;
                    maxIncrSeq = seq;
                }
                default -> throw new ManifestException("Unknown AOF file type", shown, lineNo);
            }
        }
        return m;
    }

    private static String trim(String s) {
        int a = 0, b = s.length();
        while (a < b && isTrimChar(s.charAt(a))) a++;
        while (b > a && isTrimChar(s.charAt(b - 1))) b--;
        return s.substring(a, b);
    }

    private static boolean isTrimChar(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

    /** C's atoll: optional blanks and sign, then digits up to the first non-digit; 0 if none. */
    private static long atoll(byte[] v) {
        int i = 0;
        while (i < v.length && (v[i] == ' ' || v[i] == '\t')) i++;
        boolean neg = false;
        if (i < v.length && (v[i] == '-' || v[i] == '+')) neg = v[i++] == '-';
        long r = 0;
        while (i < v.length && v[i] >= '0' && v[i] <= '9') r = r * 10 + (v[i++] - '0');
        return neg ? -r : r;
    }

    /** Splits a manifest line as Redis's sdssplitargs (the engine's one implementation); null on unbalanced quotes. */
    static List<byte[]> splitArgs(byte[] line) {
        return org.redoubt.engine.script.SplitArgs.split(line, 0, line.length);
    }
}
