package org.redoubt.persistence.rdb;

/**
 * Settings a codec reads while saving, captured on the engine thread when the snapshot is
 * taken (the saver thread never reads live configuration).
 */
public final class SaveContext {
    /** list-max-listpack-size: positive = entries per node, negative = size class (-1 4KB .. -5 64KB). */
    public final int listFill;
    /** Elements at least this long get their own PLAIN quicklist node (DEBUG QUICKLIST-PACKED-THRESHOLD). */
    public final long packedThreshold;

    public SaveContext(int listFill, long packedThreshold) {
        this.listFill = listFill;
        this.packedThreshold = packedThreshold;
    }

    public static final SaveContext DEFAULT = new SaveContext(-2, 1L << 30);
}
