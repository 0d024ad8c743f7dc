package org.redoubt.persistence.rdb;

import java.io.IOException;

/**
 * A file or payload that cannot be read: truncated, corrupted, or using a feature we do not load.
 * {@link #offset} is the byte position in the file (or payload) where reading stopped, so a
 * message can point at it like redis-check-rdb does.
 */
public final class RdbException extends IOException {
    public enum Kind {
        /** The input ended early (Redis: "Short read or OOM loading DB"). */
        SHORT_READ,
        /** Bytes that cannot be what they claim to be (bad encoding, bad length, bad structure). */
        CORRUPT,
        /** The CRC64 at the end does not match the content. */
        CHECKSUM,
        /** A valid construct this server cannot load (modules, an unknown or unsupported type). */
        UNSUPPORTED,
    }

    public final Kind kind;
    public final long offset;

    public RdbException(Kind kind, long offset, String message) {
        super(message);
        this.kind = kind;
        this.offset = offset;
    }

    /** The message with its offset, as logs and redis-check-rdb-like tools print it. */
    public String describe() {
        return getMessage() + " (at offset " + offset + ")";
    }
}
