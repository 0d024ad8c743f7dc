package org.redoubt.engine;

import org.redoubt.engine.db.CowMap;
import org.redoubt.engine.db.Db;

/**
 * Redis's adaptive active-expire cycle, run from the cron: per database, walk the expires map
 * with a persistent scan cursor in batches of 20 keys; keep going on a database while more
 * than 10% of a batch was expired, within a time budget of 25% of the cron period. Expired
 * keys are collected during the walk and deleted after it, since the map must not change
 * under its own iterator.
 */
final class ActiveExpire {
    private static final int KEYS_PER_LOOP = 20;
    private static final int ACCEPTABLE_STALE_PERCENT = 10;

    private final Engine engine;
    private int currentDb;
    private final byte[][] expired = new byte[KEYS_PER_LOOP * 4][];
    private int nExpired, nSampled;
    private long ttlSum;
    private int ttlSamples;

    private final CowMap.Visitor visitor;

    ActiveExpire(Engine engine) {
        this.engine = engine;
        this.visitor = this::visit;
    }

    private boolean visit(byte[] key, Object value, int meta) {
        long when = (Long) value;
        nSampled++;
        long now = engine.nowMs();
        if (now > when) {
            if (nExpired < expired.length) expired[nExpired++] = key;
        } else {
            ttlSum += when - now;
            ttlSamples++;
        }
        return true;
    }

    void cycle(long periodMs) {
        if (!engine.expiryDeletesKeys()) return;
        long start = System.nanoTime();
        walk(periodMs, start);
        // Redis's "expire-cycle" latency event: the whole cycle, when over the monitor threshold.
        long ms = (System.nanoTime() - start) / 1_000_000;
        long threshold = engine.config.latencyMonitorThreshold;
        if (threshold > 0 && ms >= threshold) engine.latency.add("expire-cycle", ms, engine.nowMs() / 1000);
    }

    private void walk(long periodMs, long start) {
        long budgetNs = periodMs * 1_000_000L * 25 / 100;
        Db[] dbs = engine.dbs();
        for (int n = 0; n < dbs.length; n++) {
            Db db = dbs[currentDb % dbs.length];
            currentDb++;
            if (db.expiresSize() == 0) continue;
            int iterations = 0;
            for (;;) {
                nExpired = 0; nSampled = 0; ttlSum = 0; ttlSamples = 0;
                db.expiresCursor = db.expiresMap().scan(db.expiresCursor, KEYS_PER_LOOP, visitor);
                for (int i = 0; i < nExpired; i++) {
                    byte[] k = expired[i];
                    expired[i] = null;
                    if (db.expireIfNeeded(k)) continue;
                }
                if (ttlSamples > 0) {
                    long avg = ttlSum / ttlSamples;
                    db.avgTtl = db.avgTtl == 0 ? avg : (db.avgTtl / 50) * 49 + avg / 50;
                }
                iterations++;
                if ((iterations & 15) == 0 && System.nanoTime() - start > budgetNs) {
                    engine.stats.expiredTimeCapReached++;
                    return;
                }
                if (nSampled == 0 || db.expiresSize() == 0) break;
                if (nExpired * 100 / nSampled <= ACCEPTABLE_STALE_PERCENT) break;
            }
        }
    }
}
