package org.redoubt.persistence.aof;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/** File helpers shared by the writer, the loader and the check tool. Never used on the engine thread. */
final class AofFiles {
    private AofFiles() {}

    /** Writes all of b[off, off+len) at the channel's position (append mode: its end). */
    static void writeFully(FileChannel ch, byte[] b, int off, int len) throws IOException {
        ByteBuffer bb = ByteBuffer.wrap(b, off, len);
        while (bb.hasRemaining()) ch.write(bb);
    }

    /** fsync of a directory, so that a rename or a new file in it survives a crash. */
    static void fsyncDir(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // Some file systems refuse to open or sync a directory; Redis ignores EINVAL there too.
            if (!(e.getMessage() != null && e.getMessage().contains("Is a directory"))) throw e;
        }
    }

    /**
     * Replaces {@code target} with {@code text} atomically: a temporary file in the same
     * directory is written and fsynced, renamed over the target, and the directory fsynced.
     */
    static void writeAtomically(Path target, Path temp, String text) throws IOException {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            writeFully(ch, b, 0, b.length);
            ch.force(true);
        }
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        fsyncDir(target.getParent());
    }

    static long sizeOrZero(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            return 0;
        }
    }

    /** strerror-like text for an IOException, as Redis logs errno. */
    static String strerror(IOException e) {
        if (e instanceof NoSuchFileException) return "No such file or directory";
        if (e instanceof java.nio.file.AccessDeniedException) return "Permission denied";
        if (e instanceof java.nio.file.FileAlreadyExistsException) return "File exists";
        if (e instanceof java.nio.file.NotDirectoryException) return "Not a directory";
        if (e instanceof java.nio.file.DirectoryNotEmptyException) return "Directory not empty";
        String m = e.getMessage();
        if (m == null) return e.getClass().getSimpleName();
        if (m.contains("No space left")) return "No space left on device";
        return m;
    }
}
