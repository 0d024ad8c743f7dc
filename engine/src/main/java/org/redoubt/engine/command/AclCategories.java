package org.redoubt.engine.command;

/** Redis 7.0 ACL categories as bits, in Redis's order (ACL CAT lists them so). */
public final class AclCategories {
    private AclCategories() {}

    public static final String[] NAMES = {
        "keyspace", "read", "write", "set", "sortedset", "list", "hash", "string", "bitmap",
        "hyperloglog", "geo", "stream", "pubsub", "admin", "fast", "slow", "blocking", "dangerous",
        "connection", "transaction", "scripting",
    };
    public static final long KEYSPACE = 1, READ = 1 << 1, WRITE = 1 << 2, SET = 1 << 3,
        SORTEDSET = 1 << 4, LIST = 1 << 5, HASH = 1 << 6, STRING = 1 << 7, BITMAP = 1 << 8,
        HYPERLOGLOG = 1 << 9, GEO = 1 << 10, STREAM = 1 << 11, PUBSUB = 1 << 12, ADMIN = 1 << 13,
        FAST = 1 << 14, SLOW = 1 << 15, BLOCKING = 1 << 16, DANGEROUS = 1 << 17,
        CONNECTION = 1 << 18, TRANSACTION = 1 << 19, SCRIPTING = 1 << 20;

    public static long parse(String name) {
        for (int i = 0; i < NAMES.length; i++) if (NAMES[i].equals(name)) return 1L << i;
        throw new IllegalArgumentException("unknown ACL category " + name);
    }

    /** Categories Redis derives from flags (setImplicitACLCategories). */
    public static long implicit(int flags, long cats) {
        if ((flags & CommandFlags.WRITE) != 0) cats |= WRITE;
        if ((flags & CommandFlags.READONLY) != 0 && (cats & SCRIPTING) == 0) cats |= READ;
        if ((flags & CommandFlags.ADMIN) != 0) cats |= ADMIN | DANGEROUS;
        if ((flags & CommandFlags.PUBSUB) != 0) cats |= PUBSUB;
        if ((flags & CommandFlags.FAST) != 0) cats |= FAST;
        if ((flags & CommandFlags.BLOCKING) != 0) cats |= BLOCKING;
        if ((cats & FAST) == 0) cats |= SLOW;
        return cats;
    }
}
