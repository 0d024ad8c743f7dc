package org.redoubt.persistence;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.redoubt.engine.Engine;
import org.redoubt.engine.db.Db;
import org.redoubt.persistence.rdb.Codecs;
import org.redoubt.persistence.rdb.LoadContext;
import org.redoubt.persistence.rdb.RdbException;
import org.redoubt.persistence.rdb.RdbInput;
import org.redoubt.persistence.rdb.RdbLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads an RDB stream into databases, as rdbLoadRio does into server.db: keys already expired
 * are dropped on a master (counted in rdb_last_load_keys_expired), LRU/LFU hints become the
 * key's meta, a duplicate key is an error unless merging (DEBUG RELOAD MERGE), and AUX fields
 * are logged the way Redis logs them.
 *
 * <p>The target databases are either fresh {@link Db} objects that nobody else sees yet (start-up
 * loading runs on a loader thread and installs them when complete, so a half-loaded dataset is
 * never visible or saved) or the live ones (DEBUG RELOAD NOFLUSH on the engine thread). Writes go
 * straight to the maps: no keyspace notifications, no WATCH signals, no dirty counting, as
 * Redis's loading.
 */
final class EngineLoader implements RdbLoader.Target {
    private static final Logger log = LoggerFactory.getLogger(EngineLoader.class);

    private final Engine engine;
    private final Db[] dbs;
    private final boolean dropExpired;
    private final boolean allowDuplicates;
    private final boolean lfu;
    private final long now;
    private final int keyLoadDelay;
    private final LoadStats stats;
    private Db db;
    /** Function libraries found in the file, in order. */
    final List<byte[]> functions = new ArrayList<>();
    /** Replication info from AUX fields (repl-id, repl-offset, repl-stream-db). */
    String replId;
    long replOffset = -1;
    int replStreamDb = -1;
    long emptyKeysLogged;

    /** Counters the INFO persistence section reports. */
    static final class LoadStats {
        /** Written by the loading thread; read once the load is handed over to the engine thread. */
        long loaded, expired;
        /** Read by INFO while loading. */
        volatile long usedMem;
    }

    EngineLoader(Engine engine, Db[] dbs, boolean dropExpired, boolean allowDuplicates, int keyLoadDelay, LoadStats stats) {
        this.engine = engine;
        this.dbs = dbs;
        this.db = dbs[0];
        this.dropExpired = dropExpired;
        this.allowDuplicates = allowDuplicates;
        this.lfu = engine.config.maxmemoryPolicy.endsWith("-lfu");
        this.now = System.currentTimeMillis();
        this.keyLoadDelay = keyLoadDelay;
        this.stats = stats;
    }

    /** Reads in into the target databases. */
    RdbLoader.Result load(RdbInput in, Codecs codecs, LoadContext ctx, boolean verifyChecksum) throws IOException {
        return RdbLoader.load(in, RdbLoader.codecReader(codecs, ctx), this, verifyChecksum);
    }

    @Override
    public void aux(String key, byte[] value) {
        String v = new String(value, StandardCharsets.UTF_8);
        if (key.startsWith("%")) {
            log.info("RDB '{}': {}", key, v);
            return;
        }
        switch (key.toLowerCase(java.util.Locale.ROOT)) {
            case "repl-stream-db" -> replStreamDb = (int) parseLong(v, -1);
            case "repl-id" -> { if (v.length() == 40) replId = v; }
            case "repl-offset" -> replOffset = parseLong(v, -1);
            case "lua" -> { }   // scripts are no longer loaded from RDB files
            case "redis-ver" -> log.info("Loading RDB produced by version {}", v);
            case "ctime" -> log.info("RDB age {} seconds", Math.max(0, now / 1000 - parseLong(v, now / 1000)));
            case "used-mem" -> {
                long used = parseLong(v, 0);
                stats.usedMem = used;
                log.info("RDB memory usage when created {} Mb", String.format(java.util.Locale.ROOT, "%.2f", used / (1024.0 * 1024)));
            }
            case "aof-preamble" -> { if (parseLong(v, 0) != 0) log.info("RDB has an AOF tail"); }
            case "aof-base" -> { if (parseLong(v, 0) != 0) log.info("RDB is base AOF"); }
            case "redis-bits" -> { }
            default -> log.debug("Unrecognized RDB AUX field: '{}'", key);
        }
    }

    private static long parseLong(String s, long dflt) {
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            return dflt;
        }
    }

    @Override
    public void function(byte[] code, long offset) {
        functions.add(code);
    }

    @Override
    public void selectDb(long id, long offset) throws IOException {
        if (id < 0 || id >= dbs.length) {
            throw new RdbException(RdbException.Kind.UNSUPPORTED, offset, "FATAL: Data file was created with a Redis "
                + "server configured to handle more than " + dbs.length + " databases. Exiting");
        }
        db = dbs[(int) id];
    }

    @Override
    public void emptyKey(byte[] key, int type) {
        if (emptyKeysLogged++ < 10) {
            log.warn("rdbLoadObject skipping empty key: {}", new String(key, StandardCharsets.UTF_8));
        }
    }

    @Override
    public void key(byte[] key, Object value, long expireMs, long idleSeconds, int freq, long offset) throws IOException {
        if (dropExpired && expireMs != -1 && expireMs < now) {
            stats.expired++;
        } else {
            int meta = meta(idleSeconds, freq);
            Object prev = db.mainMap().put(key, value, meta);
            stats.loaded++;
            if (prev != null) {
                if (!allowDuplicates) {
                    db.mainMap().put(key, prev, meta);
                    throw new RdbException(RdbException.Kind.CORRUPT, offset, "RDB has duplicated key '"
                        + new String(key, StandardCharsets.UTF_8) + "' in DB " + db.id);
                }
                // MERGE: the new value replaces the old one, and so does its TTL (or its absence).
                db.expiresMap().remove(key);
            }
            if (expireMs != -1) db.expiresMap().put(key, Long.valueOf(expireMs), 0);
        }
        if (keyLoadDelay != 0) RdbSaver.delay(keyLoadDelay);
    }

    /** objectSetLRUOrLFU, and a fresh key's clock when the file has no hint. */
    private int meta(long idleSeconds, int freq) {
        long nowSec = now / 1000;
        if (lfu) {
            long minutes = (nowSec / 60) & 0xFFFF;
            int counter = freq >= 0 ? freq : Persistence.LFU_INIT_VAL;
            return (int) ((minutes << 8) | counter);
        }
        int clock = (int) (nowSec & Persistence.LRU_CLOCK_MAX);
        if (idleSeconds >= 0) {
            long abs = clock - idleSeconds;
            if (abs < 0) abs += Persistence.LRU_CLOCK_MAX;
            if (abs < 0) abs = 0;
            return (int) abs;
        }
        return clock;
    }
}
