package org.redoubt.server;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.AttributeKey;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.redoubt.engine.Client;
import org.redoubt.engine.ClientIO;
import org.redoubt.engine.Engine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Netty front end. One event loop is the engine thread: it accepts, reads, parses,
 * executes and writes, like Redis's main thread. Native epoll when available, else NIO.
 */
public final class FrontEnd implements ClientIO {
    private static final Logger log = LoggerFactory.getLogger(FrontEnd.class);
    static final AttributeKey<ClientHandler> CLIENT = AttributeKey.valueOf("redoubt.client");

    static final String PROTECTED_MODE_ERROR = "DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user. In this mode connections are only accepted from the loopback interface. If you want to connect from external computers to Redis you may adopt one of the following solutions: 1) Just disable protected mode sending the command 'CONFIG SET protected-mode no' from the loopback interface by connecting to Redis from the same host the server is running, however MAKE SURE Redis is not publicly accessible from internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively you can just disable the protected mode by editing the Redis configuration file, and setting the protected mode option to 'no', and then restarting the server. 3) If you started the server manually just for testing, restart it with the '--protected-mode no' option. 4) Set up an authentication password for the default user. NOTE: You only need to do one of the above things in order for the server to start accepting connections from the outside.";

    private final Engine engine;
    private final MultiThreadIoEventLoopGroup group;
    private final boolean epoll;
    private final List<Channel> listeners = new ArrayList<>();

    public FrontEnd(Engine engine) {
        this.engine = engine;
        this.epoll = Epoll.isAvailable() && !Boolean.getBoolean("redoubt.nio");
        IoHandlerFactory f = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        this.group = new MultiThreadIoEventLoopGroup(1, new EngineThreadFactory(), f);
        EventLoop loop = group.next();
        engine.loop = loop;
        engine.io = this;
    }

    public EventLoop loop() { return engine.loop; }

    /** Starts accepting the connections that the listeners queue. */
    public void startAccepting() {
        for (Channel c : listeners) c.config().setAutoRead(true);
    }

    public String transport() { return epoll ? "epoll" : "nio"; }

    static boolean isDefaultBind(String[] bind) {
        return bind.length == 2 && bind[0].equals("*") && bind[1].equals("-::*");
    }

    /** Binds every configured address; returns an error text when a mandatory bind fails. */
    public String bind() throws InterruptedException {
        Class<? extends ServerChannel> ch = epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        ServerBootstrap b = new ServerBootstrap()
            .group(group)
            .channel(ch)
            .option(ChannelOption.SO_BACKLOG, engine.config.tcpBacklog)
            .option(ChannelOption.SO_REUSEADDR, true)
            // Listening, but not accepting until startAccepting(): connections wait in the
            // kernel's backlog while the start-up load begins, as with redis-server.
            .option(ChannelOption.AUTO_READ, false)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childOption(ChannelOption.SO_KEEPALIVE, engine.config.tcpKeepalive > 0)
            .childHandler(new ChannelInitializer<SocketChannel>() {
                @Override
                protected void initChannel(SocketChannel c) {
                    c.pipeline().addLast(new ClientHandler(engine));
                }
            });
        int port = engine.config.port;
        if (port == 0) return null;
        for (String addr : engine.config.bind) {
            boolean optional = addr.startsWith("-");
            String host = optional ? addr.substring(1) : addr;
            InetSocketAddress sa;
            if (host.equals("*")) sa = new InetSocketAddress("0.0.0.0", port);
            else if (host.equals("::*")) sa = new InetSocketAddress("::", port);
            else sa = new InetSocketAddress(host, port);
            try {
                Channel c = b.bind(sa).sync().channel();
                listeners.add(c);
            } catch (Exception e) {
                if (optional) {
                    log.debug("Could not bind optional address {}: {}", addr, e.getMessage());
                    continue;
                }
                return "Failed listening on port " + port + " (tcp), aborting. (" + addr + ": " + e.getMessage() + ")";
            }
        }
        if (listeners.isEmpty()) return "Failed listening on port " + port + " (tcp), aborting.";
        return null;
    }

    @Override
    public void resume(Client c) {
        ClientHandler h = c.channel == null ? null : c.channel.attr(CLIENT).get();
        if (h != null) h.resume();
        else engine.process(c);
    }

    @Override
    public void close(Client c) {
        ClientHandler h = c.channel == null ? null : c.channel.attr(CLIENT).get();
        if (h != null) h.close();
    }

    /**
     * Closes the listeners and stops the event loop. Every wait is bounded: a close future runs
     * on the engine loop, and if that loop is already gone (or wedged) an unbounded wait would
     * keep the process alive after SIGTERM.
     */
    public void shutdown() {
        for (Channel c : listeners) c.close().awaitUninterruptibly(2, java.util.concurrent.TimeUnit.SECONDS);
        group.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS)
            .awaitUninterruptibly(5, java.util.concurrent.TimeUnit.SECONDS);
    }

    /** Names the engine thread so logs and thread dumps show which one owns the keyspace. */
    private static final class EngineThreadFactory implements java.util.concurrent.ThreadFactory {
        @Override
        public Thread newThread(Runnable r) {
            Thread t = new io.netty.util.concurrent.FastThreadLocalThread(r, "redoubt-engine");
            t.setDaemon(false);
            return t;
        }
    }
}
