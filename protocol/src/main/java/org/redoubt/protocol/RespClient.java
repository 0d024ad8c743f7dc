package org.redoubt.protocol;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * A small asynchronous RESP2/RESP3 client on Netty. Commands may be pipelined from any thread:
 * replies complete the futures in the order the commands were sent. Replies are decoded by
 * {@link RespReplyDecoder} (String, byte[], Long, Double, Boolean, BigInteger, List, Map, Set,
 * null, {@link Error}, {@link Verbatim}); an error reply completes the future normally with an
 * {@link Error}. RESP3 push frames go to the {@link #onPush} listener and top-level attributes
 * to the {@link #onAttributes} listener instead of answering a command. When the connection
 * closes, the futures still pending fail with {@link ClosedChannelException}.
 *
 * <p>RESP2 pub/sub messages are plain arrays and cannot be told apart from replies: use RESP3
 * (HELLO 3) for subscriptions.
 */
public final class RespClient implements AutoCloseable {

    /** An error reply ({@code -} or {@code !}); {@code message} has no leading '-'. */
    public record Error(String message) {
        /** The error code: the first word, e.g. "ERR", "WRONGTYPE". */
        public String code() {
            int sp = message.indexOf(' ');
            return sp < 0 ? message : message.substring(0, sp);
        }

        @Override
        public String toString() {
            return "-" + message;
        }
    }

    /** A RESP3 verbatim string: its three-letter format ("txt", "mkd") and its data. */
    public record Verbatim(String format, byte[] data) {
        public String text() {
            return new String(data, StandardCharsets.UTF_8);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Verbatim v && v.format.equals(format) && Arrays.equals(v.data, data);
        }

        @Override
        public int hashCode() {
            return format.hashCode() * 31 + Arrays.hashCode(data);
        }

        @Override
        public String toString() {
            return format + ":" + text();
        }
    }

    /** A RESP3 push frame ({@code >}). */
    public record Push(List<Object> data) {}

    /** A top-level RESP3 attribute ({@code |}), delivered before the reply it annotates. */
    public record Attributes(Map<Object, Object> attributes) {}

    private static volatile EventLoopGroup defaultGroup;

    /** The shared one-thread daemon event loop group used when none is given. */
    public static EventLoopGroup defaultGroup() {
        EventLoopGroup g = defaultGroup;
        if (g == null) {
            synchronized (RespClient.class) {
                g = defaultGroup;
                if (g == null) {
                    g = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("redoubt-client", true),
                            NioIoHandler.newFactory());
                    defaultGroup = g;
                }
            }
        }
        return g;
    }

    private final Channel channel;
    /** Futures of sent commands awaiting replies; touched only on the channel's event loop. */
    private final ArrayDeque<CompletableFuture<Object>> pending = new ArrayDeque<>();
    private volatile Consumer<List<Object>> pushListener;
    private volatile Consumer<Map<Object, Object>> attributeListener;

    private RespClient(Channel channel) {
        this.channel = channel;
    }

    public static CompletableFuture<RespClient> connect(String host, int port) {
        return connect(host, port, defaultGroup());
    }

    public static CompletableFuture<RespClient> connect(String host, int port, EventLoopGroup group) {
        CompletableFuture<RespClient> result = new CompletableFuture<>();
        RespClient[] holder = new RespClient[1];
        Bootstrap b = new Bootstrap()
                .group(group)
                .channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        RespClient c = new RespClient(ch);
                        holder[0] = c;
                        ch.pipeline().addLast(new RespReplyDecoder(), c.new Handler());
                    }
                });
        b.connect(host, port).addListener(f -> {
            if (f.isSuccess()) result.complete(holder[0]);
            else result.completeExceptionally(f.cause());
        });
        return result;
    }

    /** Turns a connected (or embedded) channel into a client by adding the decoder and reply handler to its pipeline. */
    public static RespClient install(Channel ch) {
        RespClient c = new RespClient(ch);
        ch.pipeline().addLast(new RespReplyDecoder(), c.new Handler());
        return c;
    }

    public Channel channel() {
        return channel;
    }

    public boolean isOpen() {
        return channel.isActive();
    }

    /** Receives RESP3 push frames (on the event loop thread). */
    public void onPush(Consumer<List<Object>> listener) {
        this.pushListener = listener;
    }

    /** Receives top-level RESP3 attributes (on the event loop thread). */
    public void onAttributes(Consumer<Map<Object, Object>> listener) {
        this.attributeListener = listener;
    }

    /** Sends a command; the future completes with the decoded reply. */
    public CompletableFuture<Object> send(byte[]... args) {
        CompletableFuture<Object> f = new CompletableFuture<>();
        EventLoop loop = channel.eventLoop();
        if (loop.inEventLoop()) {
            write(f, args);
        } else {
            try {
                loop.execute(() -> write(f, args));
            } catch (RuntimeException e) {
                f.completeExceptionally(e);
            }
        }
        return f;
    }

    /** Sends a command given as strings (UTF-8 encoded). */
    public CompletableFuture<Object> send(String... args) {
        byte[][] a = new byte[args.length][];
        for (int i = 0; i < args.length; i++) a[i] = args[i].getBytes(StandardCharsets.UTF_8);
        return send(a);
    }

    private void write(CompletableFuture<Object> f, byte[][] args) {
        if (!channel.isActive()) {
            f.completeExceptionally(new ClosedChannelException());
            return;
        }
        pending.add(f);
        ByteBuf buf = channel.alloc().buffer();
        Resp.writeCommand(buf, args);
        channel.writeAndFlush(buf).addListener(w -> {
            if (!w.isSuccess()) channel.close();
        });
    }

    /** Closes the connection and waits for it (unless called on the event loop). */
    @Override
    public void close() {
        if (channel.eventLoop().inEventLoop()) channel.close();
        else channel.close().awaitUninterruptibly();
    }

    public CompletableFuture<Void> closeFuture() {
        CompletableFuture<Void> f = new CompletableFuture<>();
        channel.closeFuture().addListener(x -> f.complete(null));
        return f;
    }

    private void failAll(Throwable cause) {
        CompletableFuture<Object> f;
        while ((f = pending.poll()) != null) f.completeExceptionally(cause);
    }

    private final class Handler extends SimpleChannelInboundHandler<Object> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof Push p) {
                Consumer<List<Object>> l = pushListener;
                if (l != null) l.accept(p.data());
                return;
            }
            if (msg instanceof Attributes a) {
                Consumer<Map<Object, Object>> l = attributeListener;
                if (l != null) l.accept(a.attributes());
                return;
            }
            CompletableFuture<Object> f = pending.poll();
            if (f != null) f.complete(msg == RespReplyDecoder.NULL ? null : msg);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            failAll(new ClosedChannelException());
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            failAll(cause);
            ctx.close();
        }
    }

    // ------------------------------------------------------------------ helpers for callers

    /** Text of a bulk (UTF-8), simple string, number or verbatim reply; null stays null. */
    public static String str(Object reply) {
        if (reply == null) return null;
        if (reply instanceof byte[] b) return new String(b, StandardCharsets.UTF_8);
        if (reply instanceof Verbatim v) return v.text();
        return reply.toString();
    }

    /** Looks up a map reply by a text key, matching byte[] and String keys by content. */
    public static Object get(Map<Object, Object> map, String key) {
        Object direct = map.get(key);
        if (direct != null) return direct;
        byte[] k = key.getBytes(StandardCharsets.UTF_8);
        for (Map.Entry<Object, Object> e : map.entrySet()) {
            if (e.getKey() instanceof byte[] b && Arrays.equals(b, k)) return e.getValue();
        }
        return null;
    }
}
