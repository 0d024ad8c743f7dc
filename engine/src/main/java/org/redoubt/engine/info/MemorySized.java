package org.redoubt.engine.info;

/**
 * A non-string value that can estimate its own footprint for MEMORY USAGE, in Redis's terms
 * (bytes Redis would allocate for the same content and encoding), so figures compare with
 * Redis's. Large aggregates may sample: look at up to {@code samples} elements and extrapolate.
 */
public interface MemorySized {
    /**
     * Estimated bytes of the value as Redis's objectComputeSize (including the 16-byte object
     * header, excluding the key); samples is at least 1, Long.MAX_VALUE means all elements.
     */
    long memoryUsage(long samples);
}
