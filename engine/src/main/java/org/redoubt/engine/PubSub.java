package org.redoubt.engine;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import org.redoubt.engine.config.Notify;
import org.redoubt.engine.util.ByteKey;
import org.redoubt.engine.util.Glob;

/**
 * Publish/subscribe (Redis's pubsub.c) and the delivery of keyspace notifications
 * (notify.c).
 *
 * <h2>State</h2>
 * Server side: channel -> subscribers, pattern -> subscribers (kept in subscription order,
 * which is the order patterns are tried on PUBLISH), shard channel -> subscribers. Client
 * side ({@link Subs}, null until the first subscription): its channels, patterns and shard
 * channels. The two sides always agree; an emptied server entry is removed at once so that
 * subscribing to millions of channels and leaving them costs nothing afterwards.
 *
 * <h2>Replies</h2>
 * Messages and (un)subscribe confirmations are RESP2 arrays or RESP3 pushes. They are sent
 * with {@link Client#F_PUSHING}, so that CLIENT REPLY OFF/SKIP does not silence them. A
 * subscriber that does not read is cut off by the output-buffer limits ({@link OutputLimits}),
 * never by the publisher.
 *
 * <p>Engine thread only.
 */
public final class PubSub {
    private static final byte[] MESSAGE = bulk("message"), PMESSAGE = bulk("pmessage"), SMESSAGE = bulk("smessage");
    private static final byte[] SUBSCRIBE = bulk("subscribe"), UNSUBSCRIBE = bulk("unsubscribe");
    private static final byte[] PSUBSCRIBE = bulk("psubscribe"), PUNSUBSCRIBE = bulk("punsubscribe");
    private static final byte[] SSUBSCRIBE = bulk("ssubscribe"), SUNSUBSCRIBE = bulk("sunsubscribe");
    private static final ByteKey[] NO_KEYS = new ByteKey[0];

    private final Engine engine;
    final HashMap<ByteKey, ArrayList<Client>> channels = new HashMap<>();
    final LinkedHashMap<ByteKey, ArrayList<Client>> patterns = new LinkedHashMap<>();
    final HashMap<ByteKey, ArrayList<Client>> shardChannels = new HashMap<>();
    private final ByteKey.Probe probe = new ByteKey.Probe();
    /** Keyspace-notification channel prefixes per database, built on first use. */
    private byte[][] keyspacePrefix, keyeventPrefix;
    private final HashMap<String, byte[]> eventNames = new HashMap<>();

    /** A client's subscriptions. */
    public static final class Subs {
        final LinkedHashSet<ByteKey> channels = new LinkedHashSet<>();
        final ArrayList<ByteKey> patterns = new ArrayList<>();
        final LinkedHashSet<ByteKey> shard = new LinkedHashSet<>();
    }

    PubSub(Engine engine) {
        this.engine = engine;
    }

    private static byte[] bulk(String s) {
        return ("$" + s.length() + "\r\n" + s + "\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    private static Subs subs(Client c) {
        Subs s = c.subs;
        if (s == null) s = c.subs = new Subs();
        return s;
    }

    // ---- counts (CLIENT LIST sub= psub= ssub=, INFO)

    public static int channelCount(Client c) { return c.subs == null ? 0 : c.subs.channels.size(); }

    public static int patternCount(Client c) { return c.subs == null ? 0 : c.subs.patterns.size(); }

    public static int shardCount(Client c) { return c.subs == null ? 0 : c.subs.shard.size(); }

    /** Channels plus patterns: the count (un)subscribe confirmations carry. */
    static int subscriptionCount(Client c) { return channelCount(c) + patternCount(c); }

    public static int totalCount(Client c) { return subscriptionCount(c) + shardCount(c); }

    public int serverChannels() { return channels.size(); }

    public int serverPatterns() { return patterns.size(); }

    public int serverShardChannels() { return shardChannels.size(); }

    // =====================================================================================
    // Replies
    // =====================================================================================

    /** Header of a 3- or 4-element message: an array in RESP2, a push in RESP3. */
    private static int beginPush(Client c, int n) {
        int old = c.flags;
        c.flags |= Client.F_PUSHING;
        c.addPushLen(n);
        return old;
    }

    private static void endPush(Client c, int oldFlags) {
        if ((oldFlags & Client.F_PUSHING) == 0) c.flags &= ~Client.F_PUSHING;
    }

    /** [kind, name-or-nil, count]: a (un)subscribe confirmation. */
    private static void confirm(Client c, byte[] kind, byte[] name, long count) {
        int old = beginPush(c, 3);
        c.addRaw(kind);
        if (name == null) c.addNull();
        else c.addBulk(name);
        c.addLong(count);
        endPush(c, old);
    }

    /** [message|smessage, channel, payload]. */
    static void message(Client c, byte[] kind, byte[] channel, byte[] payload) {
        int old = beginPush(c, 3);
        c.addRaw(kind);
        c.addBulk(channel);
        c.addBulk(payload);
        endPush(c, old);
    }

    /**
     * The first two elements of a 3-element message on channel; the caller writes the payload
     * and has set {@link Client#F_PUSHING} (tracking invalidations to a RESP2 subscriber).
     */
    static void messageHeader(Client c, byte[] channel) {
        c.addPushLen(3);
        c.addRaw(MESSAGE);
        c.addBulk(channel);
    }

    private static void patternMessage(Client c, byte[] pattern, byte[] channel, byte[] payload) {
        int old = beginPush(c, 4);
        c.addRaw(PMESSAGE);
        c.addBulk(pattern);
        c.addBulk(channel);
        c.addBulk(payload);
        endPush(c, old);
    }

    // =====================================================================================
    // Channels
    // =====================================================================================

    /** SUBSCRIBE / SSUBSCRIBE one channel; true when it is a new subscription. */
    public boolean subscribe(Client c, byte[] channel, boolean shard) {
        Subs s = subs(c);
        ByteKey k = new ByteKey(channel);
        LinkedHashSet<ByteKey> mine = shard ? s.shard : s.channels;
        boolean added = mine.add(k);
        if (added) {
            HashMap<ByteKey, ArrayList<Client>> table = shard ? shardChannels : channels;
            ArrayList<Client> subscribers = table.get(k);
            if (subscribers == null) table.put(k, subscribers = new ArrayList<>(2));
            subscribers.add(c);
        }
        if (shard) confirm(c, SSUBSCRIBE, channel, shardCount(c));
        else confirm(c, SUBSCRIBE, channel, subscriptionCount(c));
        return added;
    }

    /** UNSUBSCRIBE / SUNSUBSCRIBE one channel; true when c was subscribed to it. */
    public boolean unsubscribe(Client c, byte[] channel, boolean notify, boolean shard) {
        boolean removed = false;
        Subs s = c.subs;
        if (s != null) {
            LinkedHashSet<ByteKey> mine = shard ? s.shard : s.channels;
            if (mine.remove(probe.of(channel))) {
                removed = true;
                HashMap<ByteKey, ArrayList<Client>> table = shard ? shardChannels : channels;
                ArrayList<Client> subscribers = table.get(probe.of(channel));
                subscribers.remove(c);
                if (subscribers.isEmpty()) table.remove(probe);
            }
        }
        if (notify) {
            if (shard) confirm(c, SUNSUBSCRIBE, channel, shardCount(c));
            else confirm(c, UNSUBSCRIBE, channel, subscriptionCount(c));
        }
        return removed;
    }

    /** UNSUBSCRIBE / SUNSUBSCRIBE with no argument; answers even when there was nothing. */
    public int unsubscribeAll(Client c, boolean notify, boolean shard) {
        int count = 0;
        Subs s = c.subs;
        if (s != null) {
            LinkedHashSet<ByteKey> mine = shard ? s.shard : s.channels;
            if (!mine.isEmpty()) {
                for (ByteKey k : mine.toArray(NO_KEYS)) {
                    if (unsubscribe(c, k.bytes(), notify, shard)) count++;
                }
            }
        }
        if (notify && count == 0) {
            if (shard) confirm(c, SUNSUBSCRIBE, null, shardCount(c));
            else confirm(c, UNSUBSCRIBE, null, subscriptionCount(c));
        }
        return count;
    }

    // =====================================================================================
    // Patterns
    // =====================================================================================

    public boolean psubscribe(Client c, byte[] pattern) {
        Subs s = subs(c);
        ByteKey k = new ByteKey(pattern);
        boolean added = !s.patterns.contains(k);
        if (added) {
            s.patterns.add(k);
            ArrayList<Client> subscribers = patterns.get(k);
            if (subscribers == null) patterns.put(k, subscribers = new ArrayList<>(2));
            subscribers.add(c);
        }
        confirm(c, PSUBSCRIBE, pattern, subscriptionCount(c));
        return added;
    }

    public boolean punsubscribe(Client c, byte[] pattern, boolean notify) {
        boolean removed = false;
        Subs s = c.subs;
        if (s != null && s.patterns.remove(probe.of(pattern))) {
            removed = true;
            ArrayList<Client> subscribers = patterns.get(probe.of(pattern));
            subscribers.remove(c);
            if (subscribers.isEmpty()) patterns.remove(probe);
        }
        if (notify) confirm(c, PUNSUBSCRIBE, pattern, subscriptionCount(c));
        return removed;
    }

    public int punsubscribeAll(Client c, boolean notify) {
        int count = 0;
        Subs s = c.subs;
        if (s != null && !s.patterns.isEmpty()) {
            for (ByteKey k : s.patterns.toArray(NO_KEYS)) {
                if (punsubscribe(c, k.bytes(), notify)) count++;
            }
        }
        if (notify && count == 0) confirm(c, PUNSUBSCRIBE, null, subscriptionCount(c));
        return count;
    }

    /**
     * Drops every subscription of c without replies (connection closed, RESET). The caller
     * clears {@link Client#F_PUBSUB} (RESET does it after all its hooks ran).
     */
    public void unsubscribeEverything(Client c) {
        if (c.subs != null) {
            unsubscribeAll(c, false, false);
            unsubscribeAll(c, false, true);
            punsubscribeAll(c, false);
            c.subs = null;
        }
    }

    // =====================================================================================
    // Publishing
    // =====================================================================================

    /**
     * Delivers message on channel to its subscribers and, unless shard, to every client of a
     * matching pattern (once per matching pattern). Returns the number of deliveries.
     */
    public int publish(byte[] channel, byte[] message, boolean shard) {
        int receivers = 0;
        ArrayList<Client> subscribers = (shard ? shardChannels : channels).get(probe.of(channel));
        if (subscribers != null) {
            byte[] kind = shard ? SMESSAGE : MESSAGE;
            for (int i = 0, n = subscribers.size(); i < n; i++) {
                message(subscribers.get(i), kind, channel, message);
                receivers++;
            }
        }
        if (shard || patterns.isEmpty()) return receivers;
        for (Map.Entry<ByteKey, ArrayList<Client>> e : patterns.entrySet()) {
            byte[] pattern = e.getKey().bytes();
            if (!Glob.match(pattern, channel, false)) continue;
            ArrayList<Client> l = e.getValue();
            for (int i = 0, n = l.size(); i < n; i++) {
                patternMessage(l.get(i), pattern, channel, message);
                receivers++;
            }
        }
        return receivers;
    }

    /** Channels (or shard channels) matching pattern (all when null), for PUBSUB CHANNELS. */
    public java.util.List<byte[]> channelList(byte[] pattern, boolean shard) {
        java.util.List<byte[]> r = new ArrayList<>();
        for (ByteKey k : (shard ? shardChannels : channels).keySet()) {
            if (pattern == null || Glob.match(pattern, k.bytes(), false)) r.add(k.bytes());
        }
        return r;
    }

    public int subscribers(byte[] channel, boolean shard) {
        ArrayList<Client> l = (shard ? shardChannels : channels).get(probe.of(channel));
        return l == null ? 0 : l.size();
    }

    // =====================================================================================
    // Keyspace notifications (notify.c)
    // =====================================================================================

    /**
     * The engine's NotifyListener: publishes {@code __keyspace@<db>__:<key> <event>} and
     * {@code __keyevent@<db>__:<event> <key>} as notify-keyspace-events asks. The class
     * filter was applied by {@link Engine#notify}.
     */
    public void keyspaceEvent(int type, String event, byte[] key, int dbid) {
        if (channels.isEmpty() && patterns.isEmpty()) return;   // nobody can hear it
        int flags = engine.config.notifyKeyspaceEvents;
        byte[] ev = eventNames.get(event);
        if (ev == null) {
            ev = event.getBytes(StandardCharsets.UTF_8);
            eventNames.put(event, ev);
        }
        if ((flags & Notify.KEYSPACE) != 0) publish(concat(prefix(true, dbid), key), ev, false);
        if ((flags & Notify.KEYEVENT) != 0) publish(concat(prefix(false, dbid), ev), key, false);
    }

    private byte[] prefix(boolean keyspace, int dbid) {
        if (keyspacePrefix == null || dbid >= keyspacePrefix.length) {
            int n = Math.max(dbid + 1, engine.dbCount());
            keyspacePrefix = new byte[n][];
            keyeventPrefix = new byte[n][];
        }
        byte[][] table = keyspace ? keyspacePrefix : keyeventPrefix;
        byte[] p = table[dbid];
        if (p == null) {
            p = table[dbid] = ((keyspace ? "__keyspace@" : "__keyevent@") + dbid + "__:").getBytes(StandardCharsets.US_ASCII);
        }
        return p;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] r = new byte[a.length + b.length];
        System.arraycopy(a, 0, r, 0, a.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
