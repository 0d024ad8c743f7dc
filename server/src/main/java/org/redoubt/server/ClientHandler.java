package org.redoubt.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import org.redoubt.engine.Client;
import org.redoubt.engine.Engine;
import org.redoubt.protocol.RespParser;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection's inbound side. Runs on the engine event loop (io-threads 1), so each
 * complete command is executed as soon as it is parsed, with no hand-off.
 *
 * <p>Ownership: {@link #cum} is the query buffer, owned by this handler; every inbound
 * ByteBuf is either adopted as {@code cum} or copied into it and released at once. The
 * buffer is released when the channel goes inactive.
 *
 * <p>A client that is blocked or paused stops being parsed: its unparsed commands stay in
 * {@code cum} until the engine calls {@link #resume}.
 */
final class ClientHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(ClientHandler.class);
    private static final int HOLD = Client.F_BLOCKED | Client.F_PAUSED | Client.F_CLOSE_AFTER_REPLY | Client.F_CLOSE_ASAP;

    private final Engine engine;
    private final RespParser parser = new RespParser();
    private Client client;
    private ByteBuf cum;

    ClientHandler(Engine engine) {
        this.engine = engine;
    }

    Client client() { return client; }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        client = engine.newClient(ctx.channel());
        client.addr = format(ctx.channel().remoteAddress());
        client.laddr = format(ctx.channel().localAddress());
        ctx.channel().attr(FrontEnd.CLIENT).set(this);
        if (engine.clients.size() > engine.config.maxclients) {
            engine.stats.rejectedConnections++;
            client.addError(org.redoubt.engine.Errors.MAX_CLIENTS);
            client.flags |= Client.F_CLOSE_AFTER_REPLY;
            return;
        }
        if (deniedByProtectedMode(ctx)) {
            engine.stats.rejectedConnections++;
            client.addErrorUncounted(FrontEnd.PROTECTED_MODE_ERROR);
            client.flags |= Client.F_CLOSE_AFTER_REPLY;
        }
    }

    private boolean deniedByProtectedMode(ChannelHandlerContext ctx) {
        if (!engine.config.protectedMode || !engine.config.requirepass.isEmpty()) return false;
        if (!FrontEnd.isDefaultBind(engine.config.bind)) return false;
        SocketAddress a = ctx.channel().remoteAddress();
        return a instanceof InetSocketAddress isa && !isa.getAddress().isLoopbackAddress();
    }

    static String format(SocketAddress a) {
        if (a instanceof InetSocketAddress isa) {
            String host = isa.getAddress() != null ? isa.getAddress().getHostAddress() : isa.getHostString();
            int pct = host.indexOf('%');
            if (pct >= 0) host = host.substring(0, pct);
            if (host.indexOf(':') >= 0) return "[" + host + "]:" + isa.getPort();
            return host + ":" + isa.getPort();
        }
        return a == null ? "" : a.toString();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf in = (ByteBuf) msg;
        engine.stats.netInputBytes += in.readableBytes();
        engine.stats.totalReadsProcessed++;
        if (client.has(Client.F_CLOSE_AFTER_REPLY | Client.F_CLOSE_ASAP)) {
            in.release();
            return;
        }
        if (cum == null) {
            cum = in;
        } else {
            cum = append(ctx, cum, in);
        }
        processInput();
    }

    /** Appends {@code in} to {@code cum}, growing it when needed; releases {@code in}. */
    private static ByteBuf append(ChannelHandlerContext ctx, ByteBuf cum, ByteBuf in) {
        try {
            int need = in.readableBytes();
            if (cum.writableBytes() < need || cum.refCnt() > 1 || cum.isReadOnly()) {
                int size = cum.readableBytes() + need;
                ByteBuf bigger = ctx.alloc().ioBuffer(Math.max(size, Math.min(size * 2, size + (1 << 20))));
                bigger.writeBytes(cum);
                cum.release();
                cum = bigger;
            }
            cum.writeBytes(in);
            return cum;
        } finally {
            in.release();
        }
    }

    /** Parses and executes every complete command in the query buffer. */
    void processInput() {
        if (cum == null) return;
        long limit = engine.config.clientQueryBufferLimit;
        while ((client.flags & HOLD) == 0 && cum.isReadable()) {
            parser.setProtoMaxBulkLen(engine.config.protoMaxBulkLen);
            parser.setAuthenticated(client.authenticated);
            int r = parser.parse(cum);
            if (r == RespParser.NEED_MORE) break;
            if (r == RespParser.ERROR) {
                protocolError(parser.errorMessage());
                break;
            }
            client.argv = parser.argv();
            client.argc = parser.argc();
            engine.process(client);
        }
        if (cum != null) {
            if (!cum.isReadable()) {
                cum.release();
                cum = null;
                client.qbuf = 0;
            } else {
                if (cum.readableBytes() > limit && limit > 0) {
                    queryBufferOverflow();
                    return;
                }
                cum.discardSomeReadBytes();
                client.qbuf = cum.readableBytes();
            }
        }
    }

    private void protocolError(String msg) {
        log.debug("Protocol error ({}) from client: id={} addr={}", msg, client.id, client.addr);
        client.addError(msg);
        client.flags |= Client.F_CLOSE_AFTER_REPLY;
        dropInput();
    }

    private void queryBufferOverflow() {
        engine.stats.clientQueryBufferLimitDisconnections++;
        log.warn("Closing client that reached max query buffer length: id={} addr={} qbuf={} (qbuf initial bytes: {})",
            client.id, client.addr, cum.readableBytes(), preview());
        dropInput();
        client.flags |= Client.F_CLOSE_ASAP;
        client.channel.close();
    }

    private String preview() {
        int n = Math.min(64, cum.readableBytes());
        byte[] b = new byte[n];
        cum.getBytes(cum.readerIndex(), b);
        return org.redoubt.engine.Repr.quoted(b);
    }

    private void dropInput() {
        if (cum != null) {
            cum.release();
            cum = null;
        }
    }

    /** Called by the engine when a blocked or paused client may continue. */
    void resume() {
        if (!client.channel.isActive()) return;
        engine.process(client);
        processInput();
    }

    void close() {
        client.flags |= Client.F_CLOSE_ASAP;
        dropInput();
        client.channel.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        dropInput();
        if (client != null) engine.clientClosed(client);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof java.io.IOException) {
            log.debug("Client {} closed: {}", client == null ? "?" : client.addr, cause.toString());
        } else {
            log.warn("Unexpected error on client {}", client == null ? "?" : client.addr, cause);
        }
        ctx.close();
    }
}
