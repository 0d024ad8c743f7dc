package org.redoubt.engine.db;

import org.redoubt.engine.Engine;

/**
 * One logical database: the keyspace map plus the expires map, both copy-on-write so that a
 * snapshot of every database is O(1) (see {@link CowMap}). Engine thread only.
 *
 * <p>Invariants: every key of {@code expires} is in {@code main}, and is the same byte[]
 * instance; a value in {@code expires} is a {@link Long} absolute unix time in ms. A key
 * whose time has passed is logically absent: every lookup goes through
 * {@link #expireIfNeeded}, which deletes it (on a master) so reads never see it.
 *
 * <p>Meta: the int kept per entry by the map is the LRU clock of the last access (seconds
 * resolution, 24 bits as Redis), or the LFU counter when the policy is LFU.
 */
public final class Db {
    public final int id;
    private final Engine engine;
    CowMap main = new CowMap();
    CowMap expires = new CowMap();
    /** Sum of TTLs sampled by active expiry, for INFO keyspace avg_ttl (as Redis: a running estimate). */
    public long avgTtl;
    public long expiresCursor;

    public Db(Engine engine, int id) {
        this.engine = engine;
        this.id = id;
    }

    public int size() { return main.size(); }

    public int expiresSize() { return expires.size(); }

    public CowMap mainMap() { return main; }

    public CowMap expiresMap() { return expires; }

    // ---------------------------------------------------------------- lookups

    /** Read lookup: lazy expiry, hit/miss stats, LRU touch. Null when absent. */
    public Object lookupRead(byte[] key) {
        Object v = lookup(key);
        if (v == null) engine.stats.keyspaceMisses++;
        else engine.stats.keyspaceHits++;
        return v;
    }

    /** Lookup for a write command: lazy expiry and LRU touch, no hit/miss stats. */
    public Object lookupWrite(byte[] key) {
        return lookup(key);
    }

    /** Lookup without touching the LRU clock or the stats (TYPE, EXISTS, TTL, OBJECT ...). */
    public Object lookupNoTouch(byte[] key) {
        if (expireIfNeeded(key)) return null;
        return main.get(key);
    }

    private Object lookup(byte[] key) {
        int h = CowMap.hash(key);
        Object v = main.get(key, h);
        if (v == null) return null;
        if (expires.size() != 0 && expireIfNeeded(key)) return null;
        if (!engine.noTouch()) main.touchMeta(key, engine.lruClock());
        return v;
    }

    public boolean exists(byte[] key) {
        return lookupNoTouch(key) != null;
    }

    // ---------------------------------------------------------------- writes

    /** Sets a new or existing key; drops its TTL unless keepTtl. Signals the modification. */
    public void setKey(byte[] key, Object value, boolean keepTtl) {
        Object prev = main.put(key, value, engine.lruClock());
        if (prev != null && !keepTtl && expires.size() != 0) expires.remove(key);
        engine.signalModifiedKey(this, key);
        if (prev == null) engine.notify(org.redoubt.engine.config.Notify.NEW, "new", key, id);
    }

    /** Replaces the value of a key known to exist, keeping its TTL (APPEND, INCR, SETRANGE...). */
    public void overwrite(byte[] key, Object value) {
        main.put(key, value, engine.lruClock());
        engine.signalModifiedKey(this, key);
    }

    /** Adds a key known to be absent. */
    public void add(byte[] key, Object value) {
        main.put(key, value, engine.lruClock());
        engine.signalModifiedKey(this, key);
        engine.notify(org.redoubt.engine.config.Notify.NEW, "new", key, id);
    }

    /** Deletes a key; true when it existed. Does not check expiry (callers looked it up). */
    public boolean delete(byte[] key) {
        Object prev = main.remove(key);
        if (prev == null) return false;
        if (expires.size() != 0) expires.remove(key);
        engine.signalModifiedKey(this, key);
        return true;
    }

    // ---------------------------------------------------------------- expiry

    /** Absolute expiry in unix ms, or -1 when the key has no TTL. */
    public long getExpire(byte[] key) {
        if (expires.size() == 0) return -1;
        Object w = expires.get(key);
        return w == null ? -1 : (Long) w;
    }

    /** Sets a TTL on an existing key. The stored key instance is shared with the main map. */
    public void setExpire(byte[] key, long whenMs) {
        expires.put(key, whenMs, 0);
    }

    public boolean removeExpire(byte[] key) {
        return expires.size() != 0 && expires.remove(key) != null;
    }

    /**
     * Deletes the key when its time has passed; true when it is (now) logically absent because
     * of expiry. Replicas do not delete (the master sends DEL) but still report it expired.
     */
    public boolean expireIfNeeded(byte[] key) {
        if (expires.size() == 0) return false;
        Object w = expires.get(key);
        if (w == null) return false;
        long when = (Long) w;
        // Redis: expired when now > when (a key is still alive in its expiry millisecond).
        if (engine.expireNowMs() <= when) return false;
        if (!engine.expiryDeletesKeys()) return true;
        deleteExpired(key);
        return true;
    }

    /** Removes an expired key and does what Redis does on expiry: stats, event, propagation. */
    public void deleteExpired(byte[] key) {
        main.remove(key);
        expires.remove(key);
        engine.stats.expiredKeys++;
        engine.keyExpired(this, key);
    }

    // ---------------------------------------------------------------- whole-db ops

    public void clear() {
        main.clear();
        expires.clear();
        avgTtl = 0;
    }

    /** SWAPDB: exchange contents with another db. */
    public void swapWith(Db other) {
        CowMap m = main, e = expires;
        main = other.main; expires = other.expires;
        other.main = m; other.expires = e;
        long t = avgTtl; avgTtl = other.avgTtl; other.avgTtl = t;
    }

    public byte[] randomKey(java.util.random.RandomGenerator rnd) {
        // Bounded retries so a db made only of expired keys cannot loop forever.
        for (int i = 0; i < 100 && main.size() > 0; i++) {
            byte[] k = main.randomKey(rnd);
            if (k == null) return null;
            if (!expireIfNeeded(k)) return k;
        }
        return main.size() > 0 ? main.randomKey(rnd) : null;
    }
}
