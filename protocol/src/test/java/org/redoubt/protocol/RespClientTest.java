package org.redoubt.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.net.InetSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(LeakCheck.class)
class RespClientTest {

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static String readAll(EmbeddedChannel ch) {
        StringBuilder sb = new StringBuilder();
        ByteBuf m;
        while ((m = ch.readOutbound()) != null) {
            sb.append(m.toString(StandardCharsets.ISO_8859_1));
            m.release();
        }
        return sb.toString();
    }

    @Test
    void pipelinedOverEmbeddedChannel() throws Exception {
        EmbeddedChannel ch = new EmbeddedChannel();
        RespClient c = RespClient.install(ch);
        List<List<Object>> pushes = new ArrayList<>();
        List<Map<Object, Object>> attrs = new ArrayList<>();
        c.onPush(pushes::add);
        c.onAttributes(attrs::add);
        CompletableFuture<Object> f1 = c.send("SET", "k", "v");
        CompletableFuture<Object> f2 = c.send(b("GET"), b("k"));
        CompletableFuture<Object> f3 = c.send("GET", "missing");
        CompletableFuture<Object> f4 = c.send("BAD");
        CompletableFuture<Object> f5 = c.send("HELLO", "3");
        assertThat(readAll(ch)).isEqualTo(
            "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n*2\r\n$3\r\nGET\r\n$7\r\nmissing\r\n"
            + "*1\r\n$3\r\nBAD\r\n*2\r\n$5\r\nHELLO\r\n$1\r\n3\r\n");
        // replies interleaved with a push frame and an attribute, split awkwardly
        String replies = "+OK\r\n>2\r\n+invalidate\r\n*1\r\n$1\r\nk\r\n$1\r\nv\r\n_\r\n|1\r\n+a\r\n:1\r\n-ERR unknown command 'BAD'\r\n"
            + "%2\r\n$6\r\nserver\r\n$5\r\nredis\r\n$5\r\nproto\r\n:3\r\n";
        byte[] r = b(replies);
        for (int i = 0; i < r.length; i += 7) ch.writeInbound(LeakCheck.buf(r, i, Math.min(7, r.length - i)));
        assertThat(f1.getNow(null)).isEqualTo("OK");
        assertThat((byte[]) f2.getNow(null)).isEqualTo(b("v"));
        assertThat(f3.isDone()).isTrue();
        assertThat(f3.getNow("x")).isNull();
        assertThat(f4.getNow(null)).isEqualTo(new RespClient.Error("ERR unknown command 'BAD'"));
        @SuppressWarnings("unchecked")
        Map<Object, Object> hello = (Map<Object, Object>) f5.getNow(null);
        assertThat(RespClient.str(RespClient.get(hello, "server"))).isEqualTo("redis");
        assertThat(RespClient.get(hello, "proto")).isEqualTo(3L);
        assertThat(RespClient.get(hello, "nope")).isNull();
        assertThat(pushes).hasSize(1);
        assertThat(pushes.get(0).get(0)).isEqualTo("invalidate");
        assertThat(attrs).hasSize(1);
        assertThat(attrs.get(0)).containsEntry("a", 1L);

        CompletableFuture<Object> pending = c.send("PING");
        readAll(ch);
        ch.close();
        assertThat(pending).isCompletedExceptionally();
        assertThatThrownBy(pending::get).hasCauseInstanceOf(ClosedChannelException.class);
        CompletableFuture<Object> afterClose = c.send("PING");
        assertThat(afterClose).isCompletedExceptionally();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void protocolErrorFailsPendingAndCloses() {
        EmbeddedChannel ch = new EmbeddedChannel();
        RespClient c = RespClient.install(ch);
        CompletableFuture<Object> f = c.send("PING");
        readAll(ch);
        ch.writeInbound(LeakCheck.buf(b("?garbage\r\n")));
        assertThat(f).isCompletedExceptionally();
        assertThat(ch.isOpen()).isFalse();
        ch.finishAndReleaseAll();
    }

    // ------------------------------------------------------------------ loopback, with RespParser

    /** A toy server built on RespParser and Resp: PING, ECHO, INCR-like counter, errors, pushes. */
    private static final class ToyServer extends ChannelInboundHandlerAdapter {
        private final RespParser parser = new RespParser();
        private ByteBuf acc;
        private long counter;
        private int resp = 2;

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            acc = ctx.alloc().buffer();
        }

        @Override
        public void handlerRemoved(ChannelHandlerContext ctx) {
            acc.release();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf in = (ByteBuf) msg;
            acc.writeBytes(in);
            in.release();
            ByteBuf out = ctx.alloc().buffer();
            int r;
            while ((r = parser.parse(acc)) == RespParser.OK) {
                byte[][] argv = parser.argv();
                String cmd = new String(argv[0], StandardCharsets.ISO_8859_1).toUpperCase();
                switch (cmd) {
                    case "PING" -> Resp.writeSimple(out, "PONG");
                    case "ECHO" -> Resp.writeBulk(out, argv[1]);
                    case "INCR" -> Resp.writeInteger(out, ++counter);
                    case "HELLO" -> {
                        resp = Integer.parseInt(new String(argv[1], StandardCharsets.US_ASCII));
                        Resp.writeMapHeader(out, 1, resp);
                        Resp.writeBulk(out, b("proto"));
                        Resp.writeInteger(out, resp);
                    }
                    case "NOTIFY" -> {
                        Resp.writePushHeader(out, 2, resp);
                        Resp.writeBulk(out, b("message"));
                        Resp.writeBulk(out, argv[1]);
                        Resp.writeOk(out);
                    }
                    case "TYPES" -> {
                        Resp.writeArrayHeader(out, 6);
                        Resp.writeDouble(out, 2.5, resp);
                        Resp.writeBool(out, true, resp);
                        Resp.writeNullBulk(out, resp);
                        Resp.writeSetHeader(out, 1, resp);
                        Resp.writeInteger(out, 9);
                        Resp.writeBigNumber(out, "12345678901234567890", resp);
                        Resp.writeVerbatim(out, "txt", b("hi"), resp);
                    }
                    default -> Resp.writeError(out, "ERR unknown command '" + cmd + "'");
                }
            }
            if (r == RespParser.ERROR) {
                Resp.writeError(out, parser.errorMessage());
                ctx.writeAndFlush(out).addListener(f -> ctx.close());
                return;
            }
            acc.discardSomeReadBytes();
            if (out.isReadable()) ctx.writeAndFlush(out);
            else out.release();
        }
    }

    @Test
    void loopbackPipeliningFromManyThreads() throws Exception {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            Channel server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new ToyServer());
                    }
                }).bind("127.0.0.1", 0).sync().channel();
            int port = ((InetSocketAddress) server.localAddress()).getPort();
            RespClient c = RespClient.connect("127.0.0.1", port).get(10, TimeUnit.SECONDS);
            try {
                assertThat(c.send("PING").get(10, TimeUnit.SECONDS)).isEqualTo("PONG");
                List<Thread> threads = new ArrayList<>();
                List<Throwable> failures = new CopyOnWriteArrayList<>();
                for (int t = 0; t < 4; t++) {
                    int id = t;
                    Thread th = new Thread(() -> {
                        try {
                            List<CompletableFuture<Object>> fs = new ArrayList<>();
                            for (int i = 0; i < 2000; i++) fs.add(c.send("ECHO", id + ":" + i + ":" + "x".repeat(i % 50)));
                            for (int i = 0; i < fs.size(); i++) {
                                byte[] got = (byte[]) fs.get(i).get(20, TimeUnit.SECONDS);
                                if (!new String(got, StandardCharsets.UTF_8).equals(id + ":" + i + ":" + "x".repeat(i % 50))) {
                                    throw new AssertionError("mismatch at " + i);
                                }
                            }
                        } catch (Throwable e) {
                            failures.add(e);
                        }
                    });
                    threads.add(th);
                    th.start();
                }
                for (Thread th : threads) th.join();
                assertThat(failures).isEmpty();

                byte[] big = new byte[1 << 20];
                for (int i = 0; i < big.length; i++) big[i] = (byte) (i * 31);
                assertThat((byte[]) c.send(b("ECHO"), big).get(10, TimeUnit.SECONDS)).isEqualTo(big);

                // RESP2 shapes, then RESP3 ones
                List<?> l = (List<?>) c.send("TYPES").get(10, TimeUnit.SECONDS);
                assertThat((byte[]) l.get(0)).isEqualTo(b("2.5"));
                assertThat(l.get(1)).isEqualTo(1L);
                assertThat(l.get(2)).isNull();
                assertThat(l.get(3)).isEqualTo(List.of(9L));
                assertThat((byte[]) l.get(4)).isEqualTo(b("12345678901234567890"));
                assertThat((byte[]) l.get(5)).isEqualTo(b("hi"));
                List<List<Object>> pushes = new CopyOnWriteArrayList<>();
                c.onPush(pushes::add);
                @SuppressWarnings("unchecked")
                Map<Object, Object> hello = (Map<Object, Object>) c.send("HELLO", "3").get(10, TimeUnit.SECONDS);
                assertThat(RespClient.get(hello, "proto")).isEqualTo(3L);
                List<?> types = (List<?>) c.send("TYPES").get(10, TimeUnit.SECONDS);
                assertThat(types.get(0)).isEqualTo(2.5);
                assertThat(types.get(1)).isEqualTo(true);
                assertThat(types.get(2)).isNull();
                assertThat(types.get(3)).isEqualTo(java.util.Set.of(9L));
                assertThat(types.get(4)).isEqualTo(new java.math.BigInteger("12345678901234567890"));
                assertThat(types.get(5)).isEqualTo(new RespClient.Verbatim("txt", b("hi")));
                assertThat(c.send("NOTIFY", "hello").get(10, TimeUnit.SECONDS)).isEqualTo("OK");
                assertThat(pushes).hasSize(1);
                assertThat((byte[]) pushes.get(0).get(1)).isEqualTo(b("hello"));
                assertThat(c.send("NOPE").get(10, TimeUnit.SECONDS)).isEqualTo(new RespClient.Error("ERR unknown command 'NOPE'"));

                // a protocol error makes the server reply and close: the client sees both
                c.channel().writeAndFlush(LeakCheck.buf(b("*1\r\n$-5\r\n"))).sync();
                assertThat(c.closeFuture().get(10, TimeUnit.SECONDS)).isNull();
                assertThat(c.isOpen()).isFalse();
                CompletableFuture<Object> late = c.send("PING");
                assertThatThrownBy(() -> late.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(ClosedChannelException.class);
            } finally {
                c.close();
                server.close().sync();
            }
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    @Test
    void connectFailureCompletesExceptionally() throws Exception {
        // bind then close a server socket to get a port that refuses connections
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        CompletableFuture<RespClient> f = RespClient.connect("127.0.0.1", port);
        assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);
    }
}
