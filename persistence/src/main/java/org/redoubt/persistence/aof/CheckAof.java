package org.redoubt.persistence.aof;

import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.redoubt.engine.config.Config;
import org.redoubt.persistence.rdb.Codecs;
import org.redoubt.persistence.rdb.LoadContext;
import org.redoubt.persistence.rdb.RdbException;
import org.redoubt.persistence.rdb.RdbInput;
import org.redoubt.persistence.rdb.RdbLoader;

/**
 * {@code bin/redoubt-check-aof [--fix|--truncate-to-timestamp <ts>] <file.manifest|file.aof>}:
 * checks an AOF the way redis-check-aof does, with its messages. A manifest is checked file by
 * file (base, then incr files); a single file may be an old-style AOF, with or without an RDB
 * preamble. The first bad command is reported with its offset and line; {@code --fix} asks for
 * confirmation on stdin and truncates the last file there (only the last file of a manifest may
 * be cut). Exit status 0 when valid (or fixed), 1 otherwise.
 */
public final class CheckAof {
    static final int CHECK_OK = 0, CHECK_EMPTY = 1, CHECK_TRUNCATED = 2, CHECK_TS_TRUNCATED = 3;

    /** Thrown to end the run with an exit status (C's exit()). */
    static final class Exit extends RuntimeException {
        final int status;

        Exit(int status) {
            super(null, null, false, false);
            this.status = status;
        }
    }

    private final PrintStream out;
    private final BufferedReader stdin;
    private String error = "";
    private long epos;
    private long line = 1;
    private long toTimestamp;

    CheckAof(PrintStream out, InputStream stdin) {
        this.out = out;
        this.stdin = new BufferedReader(new InputStreamReader(stdin, StandardCharsets.UTF_8));
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.in));
    }

    /** Runs the tool; returns the exit status. */
    static int run(String[] args, PrintStream out, InputStream in) {
        CheckAof c = new CheckAof(out, in);
        try {
            c.main0(args);
            return 0;
        } catch (Exit e) {
            return e.status;
        } finally {
            out.flush();
        }
    }

    private void main0(String[] args) {
        String file;
        boolean fix = false;
        if (args.length == 1) {
            file = args[0];
        } else if (args.length == 2 && args[0].equals("--fix")) {
            file = args[1];
            fix = true;
        } else if (args.length == 3 && args[0].equals("--truncate-to-timestamp")) {
            try {
                toTimestamp = Long.parseLong(args[1]);
            } catch (NumberFormatException e) {
                out.println("Invalid timestamp, aborting...");
                throw new Exit(1);
            }
            file = args[2];
        } else {
            out.println("Usage: redoubt-check-aof [--fix|--truncate-to-timestamp $timestamp] <file.manifest|file.aof>");
            throw new Exit(1);
        }
        Path path = Path.of(file);
        Path dir = path.toAbsolutePath().getParent();
        if (isManifest(path)) {
            checkMultiPart(dir, path, fix);
        } else {
            boolean rdb = isRdb(path);
            out.println("Start checking Old-Style AOF");
            int ret = checkSingle(file, path, true, fix, rdb);
            report("AOF", file, ret);
        }
    }

    private void report(String what, String name, int ret) {
        switch (ret) {
            case CHECK_OK -> out.println(what + " " + name + " is valid");
            case CHECK_EMPTY -> out.println(what + " " + name + " is empty");
            case CHECK_TS_TRUNCATED -> out.println("Successfully truncated AOF " + name + " to timestamp " + toTimestamp);
            case CHECK_TRUNCATED -> out.println("Successfully truncated AOF " + name);
            default -> { }
        }
    }

    private boolean isManifest(Path p) {
        byte[] b = readAll(p);
        if (b.length == 0) return false;
        int start = 0;
        boolean manifest = false;
        // Lines as fgets reads them (1024 bytes at most): any line starting with "file".
        while (start < b.length) {
            int end = start;
            while (end < b.length && end - start < AofManifest.MAX_LINE && b[end] != '\n') end++;
            if (end < b.length && b[end] == '\n') end++;
            if (b[start] != '#' && end - start >= 4 && b[start] == 'f' && b[start + 1] == 'i' && b[start + 2] == 'l'
                && b[start + 3] == 'e') {
                manifest = true;
            }
            start = end;
        }
        return manifest;
    }

    private byte[] readAll(Path p) {
        try {
            return Files.readAllBytes(p);
        } catch (IOException e) {
            out.println("Cannot open file " + p + ": " + AofFiles.strerror(e));
            throw new Exit(1);
        }
    }

    private boolean isRdb(Path p) {
        try (InputStream in = Files.newInputStream(p)) {
            long size = Files.size(p);
            if (size < 8) return false;
            byte[] sig = in.readNBytes(5);
            return new String(sig, StandardCharsets.US_ASCII).equals("REDIS");
        } catch (IOException e) {
            out.println("Cannot open file " + p + ": " + AofFiles.strerror(e));
            throw new Exit(1);
        }
    }

    private void checkMultiPart(Path dir, Path manifestPath, boolean fix) {
        out.println("Start checking Multi Part AOF");
        AofManifest am;
        try {
            am = AofManifest.parse(Files.readAllBytes(manifestPath));
        } catch (IOException e) {
            out.println("Fatal error: can't open the AOF manifest " + manifestPath + " for reading: " + AofFiles.strerror(e));
            throw new Exit(1);
        } catch (AofManifest.ManifestException e) {
            out.println("\n*** FATAL AOF MANIFEST FILE ERROR ***\n");
            if (e.line != null) {
                out.println("Reading the manifest file, at line " + e.lineNumber + "\n");
                out.println(">>> '" + e.line + "'\n");
            }
            out.println(e.getMessage() + "\n");
            throw new Exit(1);
        }
        int total = (am.base == null ? 0 : 1) + am.incrs.size();
        int n = 0;
        if (am.base != null) {
            String name = am.base.name;
            Path p = dir.resolve(name);
            boolean last = ++n == total;
            boolean rdb = isRdbOrExit(p);
            out.println("Start to check BASE AOF (" + (rdb ? "RDB" : "RESP") + " format).");
            report("BASE AOF", name, checkSingle(name, p, last, fix, rdb));
        }
        if (!am.incrs.isEmpty()) {
            out.println("Start to check INCR files.");
            for (AofManifest.Entry e : am.incrs) {
                Path p = dir.resolve(e.name);
                boolean last = ++n == total;
                report("INCR AOF", e.name, checkSingle(e.name, p, last, fix, false));
            }
        }
        out.println("All AOF files and manifest are valid");
    }

    private boolean isRdbOrExit(Path p) {
        if (!Files.exists(p)) {
            out.println("Cannot open file " + p + ": No such file or directory");
            throw new Exit(1);
        }
        return isRdb(p);
    }

    private void setError(String msg) {
        error = String.format(Locale.ROOT, "0x%16x: %s", epos, msg);
    }

    /** A file read with C stdio's semantics: fgets, fread, ftell, feof. */
    private static final class Cursor implements AutoCloseable {
        private final InputStream in;
        private long pos;
        private int peeked = -2;
        boolean eof;

        Cursor(Path p, long start) throws IOException {
            InputStream raw = Files.newInputStream(p);
            long s = 0;
            while (s < start) {
                long k = raw.skip(start - s);
                if (k <= 0) break;
                s += k;
            }
            in = new BufferedInputStream(raw, 1 << 16);
            pos = start;
        }

        long tell() { return pos; }

        int read() throws IOException {
            int c;
            if (peeked != -2) {
                c = peeked;
                peeked = -2;
            } else {
                c = in.read();
            }
            if (c < 0) eof = true;
            else pos++;
            return c;
        }

        int peek() throws IOException {
            if (peeked == -2) peeked = in.read();
            if (peeked < 0) eof = true;
            return peeked;
        }

        /** fgets with a buffer of size bytes; null at end of file with nothing read. */
        byte[] gets(int size) throws IOException {
            byte[] b = new byte[size - 1];
            int n = 0;
            while (n < size - 1) {
                int c = read();
                if (c < 0) break;
                b[n++] = (byte) c;
                if (c == '\n') break;
            }
            if (n == 0) return null;
            return java.util.Arrays.copyOf(b, n);
        }

        int readInto(byte[] b, int len) throws IOException {
            int n = 0;
            while (n < len) {
                int c = read();
                if (c < 0) break;
                b[n++] = (byte) c;
            }
            return n;
        }

        @Override public void close() throws IOException { in.close(); }
    }

    private boolean consumeNewline(byte[] b, int at) {
        int c0 = at < b.length ? b[at] & 0xff : 0, c1 = at + 1 < b.length ? b[at + 1] & 0xff : 0;
        if (c0 != '\r' || c1 != '\n') {
            setError(String.format(Locale.ROOT, "Expected \\r\\n, got: %02x%02x", c0, c1));
            return false;
        }
        line++;
        return true;
    }

    /** readLong: "<prefix><number>\r\n"; -1 with the error set (or not, at end of file). */
    private long[] readLong(Cursor f, char prefix) throws IOException {
        epos = f.tell();
        byte[] b = f.gets(128);
        if (b == null) return null;
        if (b[0] != prefix) {
            setError("Expected prefix '" + prefix + "', got: '" + (char) (b[0] & 0xff) + "'");
            return null;
        }
        int i = 1;
        while (i < b.length && (b[i] == ' ' || b[i] == '\t')) i++;
        boolean neg = false;
        if (i < b.length && (b[i] == '-' || b[i] == '+')) neg = b[i++] == '-';
        long v = 0;
        while (i < b.length && b[i] >= '0' && b[i] <= '9') v = v * 10 + (b[i++] - '0');
        if (!consumeNewline(b, i)) return null;
        return new long[] {neg ? -v : v};
    }

    /** processRESP: one command; updates the MULTI nesting. */
    private boolean processResp(Cursor f, String filename, int[] multi) throws IOException {
        long[] argc = readLong(f, '*');
        if (argc == null) return false;
        for (long i = 0; i < argc[0]; i++) {
            long[] len = readLong(f, '$');
            if (len == null) return false;
            if (len[0] < 0 || len[0] > Integer.MAX_VALUE - 2) {
                setError("Expected to read string of " + len[0] + " bytes, which is not in the suitable range");
                return false;
            }
            int n = (int) len[0] + 2;
            epos = f.tell();
            byte[] s = new byte[n];
            int got = f.readInto(s, n);
            if (got != n) {
                setError("Expected to read " + n + " bytes, got " + got + " bytes");
                return false;
            }
            if (!consumeNewline(s, n - 2)) return false;
            if (i == 0) {
                String name = new String(s, 0, n - 2, StandardCharsets.UTF_8);
                if (name.equalsIgnoreCase("multi")) {
                    if (multi[0]++ != 0) {
                        setError("Unexpected MULTI in AOF " + filename);
                        return false;
                    }
                } else if (name.equalsIgnoreCase("exec")) {
                    if (--multi[0] != 0) {
                        setError("Unexpected EXEC in AOF " + filename);
                        return false;
                    }
                }
            }
        }
        return true;
    }

    /** processAnnotations: false when the file was cut at a timestamp past the limit. */
    private boolean processAnnotation(Cursor f, Path path, String filename, boolean last) throws IOException {
        epos = f.tell();
        byte[] b = f.gets(1024);
        if (b == null) {
            out.println("Failed to read annotations from AOF " + filename + ", aborting...");
            throw new Exit(1);
        }
        String s = new String(b, StandardCharsets.ISO_8859_1);
        if (toTimestamp != 0 && s.startsWith("#TS:")) {
            int i = 4;
            while (i < s.length() && Character.isDigit(s.charAt(i))) i++;
            if (i == 4 || i >= s.length() || s.charAt(i) != '\r') {
                out.println("Invalid timestamp annotation");
                throw new Exit(1);
            }
            long ts = Long.parseLong(s.substring(4, i));
            if (ts <= toTimestamp) return true;
            if (epos == 0) {
                out.println("AOF " + filename + " has nothing before timestamp " + toTimestamp + ", aborting...");
                throw new Exit(1);
            }
            if (!last) {
                out.println("Failed to truncate AOF " + filename + " to timestamp " + toTimestamp + " to offset " + epos
                    + " because it is not the last file.");
                out.println("If you insist, please delete all files after this file according to the manifest file and "
                    + "delete the corresponding records in manifest file manually. Then re-run redis-check-aof.");
                throw new Exit(1);
            }
            truncate(path, epos, () -> {
                out.println("Failed to truncate AOF " + filename + " to timestamp " + toTimestamp);
                throw new Exit(1);
            });
            return false;
        }
        return true;
    }

    private static void truncate(Path p, long size, Runnable onError) {
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
            f.setLength(size);
            f.getFD().sync();
        } catch (IOException e) {
            onError.run();
        }
    }

    /** checkSingleAof. */
    int checkSingle(String name, Path path, boolean last, boolean fix, boolean preamble) {
        long size;
        try {
            if (!Files.exists(path)) throw new java.nio.file.NoSuchFileException(path.toString());
            size = Files.size(path);
        } catch (IOException e) {
            out.println("Cannot open file " + path + ": " + AofFiles.strerror(e) + ", aborting...");
            throw new Exit(1);
        }
        if (size == 0) return CHECK_EMPTY;
        long start = 0;
        if (preamble) {
            start = checkRdbPreamble(path, name, size);
            out.println("RDB preamble is OK, proceeding with AOF tail...");
        }
        String pathName = path.toString();
        long pos = start;
        int[] multi = {0};
        boolean eof;
        try (Cursor f = new Cursor(path, start)) {
            while (true) {
                if (multi[0] == 0) pos = f.tell();
                int c = f.peek();
                if (c < 0) break;
                if (c == '#') {
                    if (!processAnnotation(f, path, pathName, last)) return CHECK_TS_TRUNCATED;
                } else if (c == '*') {
                    if (!processResp(f, pathName, multi)) break;
                } else {
                    out.println("AOF " + name + " format error");
                    break;
                }
            }
            eof = f.eof;
        } catch (IOException e) {
            out.println("Failed to read from AOF " + name + ", aborting...");
            throw new Exit(1);
        }
        if (eof && multi[0] != 0 && error.isEmpty()) {
            setError("Reached EOF before reading EXEC for MULTI");
        }
        if (!error.isEmpty()) out.println(error);
        long diff = size - pos;
        if (diff == 0 && toTimestamp != 0) {
            out.println("Truncate nothing in AOF " + name + " to timestamp " + toTimestamp);
            return CHECK_OK;
        }
        out.println("AOF analyzed: filename=" + name + ", size=" + size + ", ok_up_to=" + pos + ", ok_up_to_line="
            + line + ", diff=" + diff);
        if (diff > 0) {
            if (fix) {
                if (!last) {
                    out.println("Failed to truncate AOF " + name + " because it is not the last file");
                    throw new Exit(1);
                }
                out.println("This will shrink the AOF " + name + " from " + size + " bytes, with " + diff
                    + " bytes, to " + pos + " bytes");
                out.print("Continue? [y/N]: ");
                out.flush();
                String answer;
                try {
                    answer = stdin.readLine();
                } catch (IOException e) {
                    answer = null;
                }
                if (answer == null || answer.isEmpty() || Character.toLowerCase(answer.charAt(0)) != 'y') {
                    out.println("Aborting...");
                    throw new Exit(1);
                }
                long cut = pos;
                truncate(path, cut, () -> {
                    out.println("Failed to truncate AOF " + name);
                    throw new Exit(1);
                });
                return CHECK_TRUNCATED;
            }
            out.println("AOF " + name + " is not valid. Use the --fix option to try fixing it.");
            throw new Exit(1);
        }
        return CHECK_OK;
    }

    /** Validates the RDB image at the start of the file; returns the offset after it. */
    private long checkRdbPreamble(Path path, String name, long size) {
        out.println("[offset 0] Checking RDB file " + name);
        try (InputStream in = new BufferedInputStream(Files.newInputStream(path), 1 << 16)) {
            RdbInput rin = new RdbInput(in, size);
            LoadContext ctx = new LoadContext(new Config(), 0, true);
            long[] keys = {0};
            RdbLoader.Result r = RdbLoader.load(rin, RdbLoader.codecReader(Codecs.standard(), ctx), new RdbLoader.Target() {
                @Override public void aux(String k, byte[] v) {
                    out.println("[offset " + rin.offset() + "] AUX FIELD " + k + " = '" + new String(v, StandardCharsets.UTF_8) + "'");
                }

                @Override public void key(byte[] key, Object value, long expireMs, long idle, int freq, long offset) {
                    keys[0]++;
                }
            }, true);
            out.println("[offset " + rin.offset() + "] Checksum " + (r.checksumVerified ? "OK" : "not checked"));
            out.println("[offset " + rin.offset() + "] \\o/ RDB looks OK! \\o/");
            out.println("[info] " + keys[0] + " keys read");
            return rin.offset();
        } catch (RdbException e) {
            out.println("--- RDB ERROR DETECTED ---");
            out.println("[offset " + e.offset + "] " + e.getMessage());
            out.println("RDB preamble of AOF file is not sane, aborting.");
            throw new Exit(1);
        } catch (IOException | RuntimeException e) {
            out.println("--- RDB ERROR DETECTED ---");
            out.println(e.toString());
            out.println("RDB preamble of AOF file is not sane, aborting.");
            throw new Exit(1);
        }
    }
}
