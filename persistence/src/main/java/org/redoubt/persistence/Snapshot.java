package org.redoubt.persistence;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.redoubt.engine.Engine;
import org.redoubt.engine.db.CowMap;
import org.redoubt.engine.db.Db;
import org.redoubt.engine.info.ServerInfo;
import org.redoubt.persistence.rdb.SaveContext;

/**
 * A point-in-time image of the whole dataset, taken in O(1) on the engine thread and then read
 * by a saver thread while the engine keeps serving.
 *
 * <h2>Why it is consistent</h2>
 * Taking it calls {@link CowMap#snapshot()} on every database's main and expires maps (each
 * freezes that map's current trie: later writes copy the nodes they touch) and bumps
 * {@code engine.snapshotEpoch}, which makes every mutable value that exists now (an
 * {@link org.redoubt.engine.type.Sds}, a collection) copy-on-write: the engine copies it before
 * its next write and stores the copy, so the object the snapshot references never changes. The
 * snapshot is therefore the dataset as of the instant it was taken, whatever is written after,
 * and its extra memory is what those writes copy. Everything the saver needs besides the data
 * (configuration, clocks, AUX fields, function code) is captured here too, so the saver never
 * reads live engine state.
 *
 * <h2>Threads</h2>
 * Built on the engine thread; handed to one saver thread through a happens-before edge (a
 * thread start or an executor submit), after which it is only read. LRU/LFU metas may be seen
 * slightly newer than at snapshot time (CowMap's touchMeta note): they are hints.
 */
public final class Snapshot {
    /** Per database (index = db id): the frozen maps, null for an empty db. */
    public final CowMap[] mains, expires;
    public final long totalKeys;
    public final long takenAtMs;
    /** The LRU clock (seconds, 24 bits) at snapshot time, for IDLE. */
    public final int lruClock;
    public final boolean saveLru, saveLfu;
    public final int lfuDecayTime;
    public final boolean compress, checksum;
    public final SaveContext ctx;
    /** AUX fields in file order. */
    public final Map<String, String> aux;
    /** Function libraries' code, in registration order. */
    public final List<byte[]> functions;
    /** rdb-key-save-delay (microseconds, negative = probabilistic), a testing knob. */
    public final int keySaveDelay;
    public final boolean incrementalFsync;

    private Snapshot(Engine e, Persistence p, boolean aofBase) {
        int n = e.dbCount();
        mains = new CowMap[n];
        expires = new CowMap[n];
        long total = 0;
        for (int i = 0; i < n; i++) {
            Db db = e.db(i);
            if (db.size() == 0) continue;
            mains[i] = db.mainMap().snapshot();
            expires[i] = db.expiresMap().snapshot();
            total += mains[i].size();
        }
        e.snapshotEpoch++;
        totalKeys = total;
        takenAtMs = System.currentTimeMillis();
        lruClock = (int) ((takenAtMs / 1000) & Persistence.LRU_CLOCK_MAX);
        String policy = e.config.maxmemoryPolicy;
        saveLru = policy.endsWith("-lru");
        saveLfu = policy.endsWith("-lfu");
        lfuDecayTime = e.config.lfuDecayTime;
        compress = e.config.rdbcompression;
        checksum = e.config.rdbchecksum;
        ctx = new SaveContext(e.config.listMaxListpackSize, ServerInfo.of(e).quicklistPackedThreshold);
        aux = auxFields(e, p, aofBase, takenAtMs);
        functions = p.functionsForSave();
        keySaveDelay = (int) p.configLong("rdb-key-save-delay", 0);
        incrementalFsync = !"no".equals(p.configString("rdb-save-incremental-fsync", "yes"));
    }

    /**
     * Takes a snapshot of every database (engine thread only).
     * @param aofBase written as an AOF base file (aof-base AUX 1)
     */
    public static Snapshot take(Engine e, boolean aofBase) {
        return new Snapshot(e, Persistence.of(e), aofBase);
    }

    private static Map<String, String> auxFields(Engine e, Persistence p, boolean aofBase, long nowMs) {
        Map<String, String> aux = new LinkedHashMap<>();
        aux.put("redis-ver", Engine.REDIS_VERSION);
        aux.put("redis-bits", "64");
        aux.put("ctime", Long.toString(nowMs / 1000));
        aux.put("used-mem", Long.toString(Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()));
        Persistence.ReplicationInfo ri = p.replicationInfo == null ? null : p.replicationInfo.get();
        if (ri != null) {
            aux.put("repl-stream-db", Integer.toString(ri.streamDb()));
            aux.put("repl-id", ri.replId());
            aux.put("repl-offset", Long.toString(ri.offset()));
        }
        aux.put("aof-base", aofBase ? "1" : "0");
        return aux;
    }

    /** Estimated idle seconds of an entry whose meta is an LRU clock (estimateObjectIdleTime). */
    long idleSeconds(int meta) {
        long now = lruClock & Persistence.LRU_CLOCK_MAX, then = meta & Persistence.LRU_CLOCK_MAX;
        return now >= then ? now - then : now + (Persistence.LRU_CLOCK_MAX - then);
    }

    /** LFUDecrAndReturn on an LFU meta (16-bit minutes above an 8-bit counter). */
    int lfuFreq(int meta) {
        long ldt = (meta >>> 8) & 0xFFFF;
        long counter = meta & 0xFF;
        long nowMin = (takenAtMs / 1000 / 60) & 0xFFFF;
        long elapsed = nowMin >= ldt ? nowMin - ldt : 65535 - ldt + nowMin;
        long periods = lfuDecayTime > 0 ? elapsed / lfuDecayTime : 0;
        if (periods > 0) counter = periods > counter ? 0 : counter - periods;
        return (int) counter;
    }
}
