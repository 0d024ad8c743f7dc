package org.redoubt.engine;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import java.nio.charset.StandardCharsets;
import org.redoubt.engine.command.CommandSpec;
import org.redoubt.engine.db.Db;
import org.redoubt.protocol.Resp;

/**
 * One connected client (or an internal one: tests, scripts, the AOF loader). Owned by the
 * engine thread: every field is read and written there only.
 *
 * <p>Replies are encoded straight into {@link #out}, a pooled buffer the front end hands to
 * Netty at the end of each read batch, so a pipeline of N commands costs one write and one
 * flush. An internal client without a channel keeps its replies in {@link #out} for the caller.
 */
public final class Client {
    // ---- flags (Redis's CLIENT_* names)
    public static final int F_MULTI = 1, F_DIRTY_EXEC = 1 << 1, F_MONITOR = 1 << 2, F_PUBSUB = 1 << 3,
        F_BLOCKED = 1 << 4, F_CLOSE_AFTER_REPLY = 1 << 5, F_CLOSE_ASAP = 1 << 6, F_REPLY_OFF = 1 << 7,
        F_REPLY_SKIP_NEXT = 1 << 8, F_REPLY_SKIP = 1 << 9, F_NO_EVICT = 1 << 10, F_READONLY = 1 << 11,
        F_MASTER = 1 << 12, F_REPLICA = 1 << 13, F_TRACKING = 1 << 14, F_UNIX = 1 << 15,
        F_DIRTY_CAS = 1 << 16, F_PAUSED = 1 << 17, F_INTERNAL = 1 << 18, F_NO_TOUCH = 1 << 19,
        /** Blocking commands must not block (inside EXEC, scripts): they answer as on timeout. */
        F_DENY_BLOCKING = 1 << 20,
        /** The reply being written is a push (pub/sub, invalidation): CLIENT REPLY OFF/SKIP do not apply. */
        F_PUSHING = 1 << 21,
        /** Propagate this command to replicas though it changed no data (PUBLISH); reset per call. */
        F_FORCE_REPL = 1 << 22,
        /** The scripting engine's own client, which runs redis.call() (Redis's CLIENT_SCRIPT). */
        F_SCRIPT = 1 << 23;

    public final Engine engine;
    public final long id;
    public final Channel channel;           // null for internal clients
    public final long createdMs;
    public String addr = "", laddr = "";
    public int flags;
    public int resp = 2;
    public int dbIndex;
    public Db db;
    public byte[] name;                     // CLIENT SETNAME, null when unset
    public String libName = "", libVer = "";
    public String user = "default";
    public boolean authenticated;
    public long lastInteractionMs;

    // ---- the command being executed
    public byte[][] argv = new byte[0][];
    public int argc;
    private static final byte[] REDACTED = "(redacted)".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    /**
     * Hides a secret argument from SLOWLOG and MONITOR (Redis's redactClientCommandArgument). The
     * command keeps its own reference to the secret; argv is only what is shown afterwards.
     */
    public void redactArgument(int i) {
        argv[i] = REDACTED;
    }
    public CommandSpec cmd, lastCmd;

    // ---- output
    public ByteBuf out;
    /** Bytes handed to Netty and not yet written to the socket (omem in CLIENT LIST). */
    public long pendingWriteBytes;
    public long totalReplyBytes;
    /** Errors replied during the current command, for failed_calls. */
    public int errorsThisCommand;
    /** On the engine's pending-flush list. */
    public boolean flushQueued;
    /**
     * Replies held back by a beforeSleep task (the AOF's write-before-reply): the sequence number
     * of the batch the output depends on (0: not held), the output's writer index when that was
     * decided, and the index at which the task last released it (-1: not released this iteration).
     */
    public long holdSeq;
    public int holdMark, releaseMark = -1;
    /** Query-buffer size last observed by the front end, for CLIENT LIST qbuf. */
    public int qbuf, qbufFree;
    public long commandsProcessed;
    /** Blocking: when the wait ends (ms), 0 = forever. */
    public long blockedUntilMs;

    // ---- state of the transaction, pub/sub and tracking modules (null until first used)
    public Multi.State mstate;
    public PubSub.Subs subs;
    public Tracking.State tracking;
    /** client-output-buffer-limit: when the soft limit was first exceeded (unix s), 0 = under it. */
    public long obufSoftLimitSince;
    /** Size of {@link #out} at which the output-buffer limits are checked next. */
    private int obufCheckAt;

    public Client(Engine engine, long id, Channel channel) {
        this.engine = engine;
        this.id = id;
        this.channel = channel;
        this.createdMs = engine.nowMs();
        this.lastInteractionMs = createdMs;
        this.db = engine.db(0);
        if (channel == null) flags |= F_INTERNAL;
    }

    public boolean has(int f) { return (flags & f) != 0; }

    public void selectDb(int idx) {
        this.dbIndex = idx;
        this.db = engine.db(idx);
    }

    // =====================================================================================
    // Replies
    // =====================================================================================

    /** The buffer to encode into, or null when replies are suppressed (CLIENT REPLY OFF/SKIP). */
    private ByteBuf buf() {
        int f = flags;
        if ((f & (F_REPLY_OFF | F_REPLY_SKIP | F_CLOSE_ASAP)) != 0
            && ((f & F_CLOSE_ASAP) != 0 || (f & F_PUSHING) == 0)) {
            return null;   // a client being closed gets nothing more
        }
        ByteBuf b = out;
        if (b == null) {
            b = out = channel != null ? channel.alloc().ioBuffer(256) : Unpooled.buffer(256);
            obufCheckAt = OutputLimits.CHECK_STEP;
            engine.queueFlush(this);
        } else if (b.writerIndex() >= obufCheckAt) {
            // A big reply is checked against the output-buffer limits as it grows, so that
            // one huge reply cannot pile up unbounded before the end-of-iteration check.
            obufCheckAt = b.writerIndex() + OutputLimits.CHECK_STEP;
            if (OutputLimits.check(engine, this)) return null;
        }
        return b;
    }

    public void addOk() { ByteBuf b = buf(); if (b != null) b.writeBytes(Resp.OK); }

    public void addSimple(String s) { ByteBuf b = buf(); if (b != null) Resp.writeSimple(b, s); }

    public void addSimple(byte[] s) { ByteBuf b = buf(); if (b != null) Resp.writeSimple(b, s); }

    /** An error reply; msg has no leading '-'. Counted in errorstats and failed_calls. */
    public void addError(String msg) {
        errorsThisCommand++;
        engine.stats.countError(msg);
        ByteBuf b = buf();
        if (b != null) Resp.writeError(b, msg);
    }

    /** An error that Redis sends without counting it as a command failure (e.g. -MOVED). */
    public void addErrorUncounted(String msg) {
        ByteBuf b = buf();
        if (b != null) Resp.writeError(b, msg);
    }

    public void addLong(long v) { ByteBuf b = buf(); if (b != null) Resp.writeInteger(b, v); }

    public void addBulk(byte[] v) { ByteBuf b = buf(); if (b != null) Resp.writeBulk(b, v); }

    public void addBulk(byte[] v, int off, int len) { ByteBuf b = buf(); if (b != null) Resp.writeBulk(b, v, off, len); }

    public void addBulk(String v) { addBulk(v.getBytes(StandardCharsets.UTF_8)); }

    /** A string value of the keyspace (byte[] or Sds) as a bulk string. */
    public void addBulkValue(Object v) {
        if (v instanceof org.redoubt.engine.type.Sds s) addBulk(s.buf, 0, s.len);
        else addBulk((byte[]) v);
    }

    /** A long as a bulk string (e.g. INCRBYFLOAT-style replies, CONFIG GET numbers). */
    public void addBulkLong(long v) { addBulk(Resp.longToBytes(v)); }

    /** Bulk string or null bulk. */
    public void addBulkOrNull(byte[] v) { if (v == null) addNull(); else addBulk(v); }

    public void addNull() { ByteBuf b = buf(); if (b != null) Resp.writeNullBulk(b, resp); }

    public void addNullArray() { ByteBuf b = buf(); if (b != null) Resp.writeNullArray(b, resp); }

    public void addArrayLen(long n) { ByteBuf b = buf(); if (b != null) Resp.writeArrayHeader(b, n); }

    public void addMapLen(long n) { ByteBuf b = buf(); if (b != null) Resp.writeMapHeader(b, n, resp); }

    public void addSetLen(long n) { ByteBuf b = buf(); if (b != null) Resp.writeSetHeader(b, n, resp); }

    public void addPushLen(long n) { ByteBuf b = buf(); if (b != null) Resp.writePushHeader(b, n, resp); }

    public void addDouble(double d) { ByteBuf b = buf(); if (b != null) Resp.writeDouble(b, d, resp); }

    public void addBool(boolean v) { ByteBuf b = buf(); if (b != null) Resp.writeBool(b, v, resp); }

    public void addVerbatim(String text) {
        ByteBuf b = buf();
        if (b != null) Resp.writeVerbatim(b, "txt", text.getBytes(StandardCharsets.UTF_8), resp);
    }

    /** Pre-encoded RESP bytes, written as they are. */
    public void addRaw(byte[] resp) { ByteBuf b = buf(); if (b != null) b.writeBytes(resp); }

    /** An array of bulk strings. */
    public void addBulkArray(java.util.List<byte[]> items) {
        addArrayLen(items.size());
        for (byte[] i : items) addBulk(i);
    }

    /** The subcommand-help reply Redis gives for "CMD HELP": a list of status lines. */
    public void addHelp(String cmdUpper, String... lines) {
        addArrayLen(lines.length + 3);
        addSimple(cmdUpper + " <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
        for (String l : lines) addSimple(l);
        addSimple("HELP");
        addSimple("    Prints this help.");
    }

    /** Reply the standard error for an unknown subcommand of this client's command. */
    public void addSubcommandSyntaxError() {
        String sub = new String(argv[1], StandardCharsets.UTF_8);
        if (sub.length() > 128) sub = sub.substring(0, 128);
        String container = new String(argv[0], StandardCharsets.UTF_8).toUpperCase(java.util.Locale.ROOT);
        addError("ERR unknown subcommand or wrong number of arguments for '" + sub + "'. Try " + container + " HELP.");
    }

    /** Takes the buffered replies (internal clients, tests). Caller releases. */
    public ByteBuf takeOutput() {
        ByteBuf b = out;
        out = null;
        return b == null ? Unpooled.EMPTY_BUFFER : b;
    }

    public ByteBufAllocator alloc() {
        return channel != null ? channel.alloc() : ByteBufAllocator.DEFAULT;
    }

    public String nameString() { return name == null ? "" : new String(name, StandardCharsets.UTF_8); }

    public byte[] arg(int i) { return argv[i]; }
}
