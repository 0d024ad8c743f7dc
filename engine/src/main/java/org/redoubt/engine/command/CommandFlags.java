package org.redoubt.engine.command;

/** Redis 7.0 command flags as bits; names are what COMMAND INFO prints. */
public final class CommandFlags {
    private CommandFlags() {}

    public static final String[] NAMES = {
        "write", "readonly", "denyoom", "module", "admin", "pubsub", "noscript", "blocking",
        "loading", "stale", "skip_monitor", "skip_slowlog", "asking", "fast", "no_auth",
        "may_replicate", "sentinel", "only_sentinel", "no_mandatory_keys", "protected",
        "module_getkeys", "module_no_cluster", "no_async_loading", "no_multi", "movablekeys",
        "allow_busy", "touches_arbitrary_keys",
    };
    public static final int WRITE = 1, READONLY = 1 << 1, DENYOOM = 1 << 2, MODULE = 1 << 3,
        ADMIN = 1 << 4, PUBSUB = 1 << 5, NOSCRIPT = 1 << 6, BLOCKING = 1 << 7, LOADING = 1 << 8,
        STALE = 1 << 9, SKIP_MONITOR = 1 << 10, SKIP_SLOWLOG = 1 << 11, ASKING = 1 << 12,
        FAST = 1 << 13, NO_AUTH = 1 << 14, MAY_REPLICATE = 1 << 15, SENTINEL = 1 << 16,
        ONLY_SENTINEL = 1 << 17, NO_MANDATORY_KEYS = 1 << 18, PROTECTED = 1 << 19,
        MODULE_GETKEYS = 1 << 20, MODULE_NO_CLUSTER = 1 << 21, NO_ASYNC_LOADING = 1 << 22,
        NO_MULTI = 1 << 23, MOVABLE_KEYS = 1 << 24, ALLOW_BUSY = 1 << 25,
        TOUCHES_ARBITRARY_KEYS = 1 << 26;

    public static int parse(String name) {
        for (int i = 0; i < NAMES.length; i++) if (NAMES[i].equals(name)) return 1 << i;
        throw new IllegalArgumentException("unknown command flag " + name);
    }
}
