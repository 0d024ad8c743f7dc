package org.redoubt.engine;

import io.netty.channel.ChannelOutboundBuffer;
import java.util.ArrayList;
import java.util.List;
import org.redoubt.engine.config.Config;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * client-output-buffer-limit (Redis's checkClientOutputBufferLimits): a client whose pending
 * output stays over its class's soft limit for more than soft-seconds, or reaches the hard
 * limit, is disconnected and its pending output dropped.
 *
 * <p>Pending output is what the client has not taken yet: the reply buffer still being
 * filled ({@link Client#out}) plus what was handed to Netty and is not yet written to the
 * socket. Like Redis's reply list (its 16 KB static buffer is not counted), the first
 * {@link #REPLY_CHUNK} bytes are free, so the limits compare with CLIENT LIST's omem.
 *
 * <p>Checked when a client's replies are handed to its connection (once per loop iteration,
 * before anything of an over-limit client is written), whenever a reply buffer grew by
 * {@link #CHECK_STEP} (a client over its limit gets no more output: commands producing huge
 * replies may stop early on {@link Client#F_CLOSE_ASAP}), and by the cron once a second, so
 * that an idle client over its soft limit is still cut off. Engine thread only.
 */
public final class OutputLimits {
    private static final Logger log = LoggerFactory.getLogger(OutputLimits.class);
    /** Redis's static reply buffer: output up to this size is not counted against the limits. */
    public static final int REPLY_CHUNK = 16 * 1024;
    /** A reply buffer is re-checked each time it grew by this much (see Client). */
    static final int CHECK_STEP = 64 * 1024;

    private OutputLimits() {}

    /** Bytes of output c has not read yet: the reply buffer plus Netty's unwritten queue. */
    public static long pendingBytes(Client c) {
        long n = c.out == null ? 0 : c.out.readableBytes();
        if (c.channel != null) {
            ChannelOutboundBuffer ob = c.channel.unsafe().outboundBuffer();
            if (ob != null) n += ob.totalPendingWriteBytes();
        }
        c.pendingWriteBytes = n - (c.out == null ? 0 : c.out.readableBytes());
        return n;
    }

    /** What the limits are compared with (CLIENT LIST omem). */
    public static long usage(Client c) {
        long n = pendingBytes(c);
        return n > REPLY_CHUNK ? n - REPLY_CHUNK : 0;
    }

    /** Redis's getClientType for the limits: masters count as normal clients. */
    static int limitClass(Client c) {
        if (c.has(Client.F_REPLICA) && !c.has(Client.F_MONITOR) && !c.has(Client.F_MASTER)) return Config.OBUF_REPLICA;
        if (c.has(Client.F_PUBSUB) && !c.has(Client.F_MASTER)) return Config.OBUF_PUBSUB;
        return Config.OBUF_NORMAL;
    }

    /**
     * Whether c is over its limits now: the hard limit, or the soft one for longer than its
     * seconds (the first time over the soft limit starts the clock; going under stops it).
     */
    static boolean overLimits(Engine e, Client c, long used) {
        int cls = limitClass(c);
        long[] lim = e.config.clientOutputBufferLimits[cls];
        long hardLimit = lim[0], softLimit = lim[1], softSeconds = lim[2];
        // A replica limit below the backlog would break partial resyncs: the backlog size wins.
        if (cls == Config.OBUF_REPLICA && hardLimit != 0 && hardLimit < e.config.replBacklogSize) {
            hardLimit = e.config.replBacklogSize;
        }
        boolean hard = hardLimit != 0 && used >= hardLimit;
        boolean soft = softLimit != 0 && used >= softLimit;
        long nowSec = e.nowMs() / 1000;
        if (soft) {
            if (c.obufSoftLimitSince == 0) {
                c.obufSoftLimitSince = nowSec;
                soft = false;
            } else if (nowSec - c.obufSoftLimitSince <= softSeconds) {
                soft = false;
            }
        } else {
            c.obufSoftLimitSince = 0;
        }
        return soft || hard;
    }

    /**
     * Checks c and, when it is over its limits, marks it to be closed and logs it; the caller
     * closes it (outside any iteration over clients) with {@link #close}. Internal clients
     * are never closed.
     */
    static boolean check(Engine e, Client c) {
        if (c.channel == null || c.has(Client.F_CLOSE_ASAP)) return false;
        long used = usage(c);
        if (used == 0 && !(c.has(Client.F_REPLICA) && !c.has(Client.F_MONITOR))) {
            c.obufSoftLimitSince = 0;
            return false;
        }
        if (!overLimits(e, c, used)) return false;
        log.warn("Client {} scheduled to be closed ASAP for overcoming of output buffer limits.", describe(c, used));
        e.stats.clientOutputBufferLimitDisconnections++;
        c.flags |= Client.F_CLOSE_ASAP;
        return true;
    }

    /** Closes a client marked by {@link #check}, dropping its pending output. */
    static void close(Engine e, Client c) {
        if (c.out != null) {
            c.out.release();
            c.out = null;
        }
        if (e.io != null) e.io.close(c);
        else if (c.channel != null) c.channel.close();
    }

    /** The cron pass (once a second): catches clients over a soft limit that no write re-checks. */
    static void cron(Engine e) {
        List<Client> victims = null;
        for (Client c : e.clients.values()) {
            if (c.out == null && c.pendingWriteBytes == 0 && c.obufSoftLimitSince == 0) continue;
            if (check(e, c)) {
                if (victims == null) victims = new ArrayList<>();
                victims.add(c);
            }
        }
        if (victims != null) for (Client c : victims) close(e, c);
    }

    private static String describe(Client c, long used) {
        long nowSec = c.engine.nowMs() / 1000;
        return "id=" + c.id + " addr=" + (c.addr.isEmpty() ? "?:0" : c.addr)
            + " laddr=" + (c.laddr.isEmpty() ? "?:0" : c.laddr)
            + " name=" + c.nameString()
            + " age=" + (nowSec - c.createdMs / 1000)
            + " idle=" + (nowSec - c.lastInteractionMs / 1000)
            + " db=" + c.dbIndex
            + " sub=" + PubSub.channelCount(c) + " psub=" + PubSub.patternCount(c) + " ssub=" + PubSub.shardCount(c)
            + " multi=" + Multi.queuedCount(c)
            + " omem=" + used
            + " cmd=" + (c.lastCmd == null ? "NULL" : c.lastCmd.fullName)
            + " user=" + c.user + " resp=" + c.resp;
    }
}
