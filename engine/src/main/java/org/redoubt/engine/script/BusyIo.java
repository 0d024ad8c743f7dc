package org.redoubt.engine.script;

import io.netty.channel.EventLoop;
import io.netty.channel.IoHandler;
import io.netty.channel.IoHandlerContext;
import java.lang.reflect.Method;
import org.redoubt.engine.Engine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lets the engine serve other clients while a script runs past busy-reply-threshold (Redis's
 * processEventsWhileBlocked): one non-blocking pass of the event loop's I/O handler reads the
 * sockets that are ready, which runs their commands (answered -BUSY or, for SCRIPT KILL and the
 * other allow_busy commands, executed), then the replies are flushed.
 *
 * <p>Re-entering the I/O handler is only safe when the engine thread is not already inside it
 * (it would overwrite the ready-event array an outer pass is still walking, and with
 * edge-triggered epoll a lost event is a hung client). Callers guarantee that: only scripts
 * started from a loop task poll. Netty keeps the handler behind a protected accessor; we reach it
 * reflectively once, and without it the busy mode simply does not poll.
 */
final class BusyIo {
    private static final Logger log = LoggerFactory.getLogger(BusyIo.class);

    private final Engine engine;
    private IoHandler handler;
    private boolean resolved;

    private static final IoHandlerContext NON_BLOCKING = new IoHandlerContext() {
        @Override public boolean canBlock() { return false; }
        @Override public long delayNanos(long currentTimeNanos) { return 0; }
        @Override public long deadlineNanos() { return -1; }
    };

    BusyIo(Engine engine) {
        this.engine = engine;
    }

    /** Whether poll() can do anything: an event loop whose I/O handler we could reach. */
    boolean available() {
        resolve();
        return handler != null;
    }

    private void resolve() {
        if (resolved) return;
        EventLoop loop = engine.loop;
        if (loop == null) return;  // not started yet (or unit tests): try again later
        resolved = true;
        try {
            Class<?> c = loop.getClass();
            Method m = null;
            for (; c != null && m == null; c = c.getSuperclass()) {
                try {
                    m = c.getDeclaredMethod("ioHandler");
                } catch (NoSuchMethodException e) {
                    // keep walking up
                }
            }
            if (m == null) return;
            m.setAccessible(true);
            handler = (IoHandler) m.invoke(loop);
        } catch (ReflectiveOperationException | RuntimeException e) {
            log.warn("Busy scripts cannot serve other clients: the event loop's I/O handler is not reachable ({})", e.toString());
            handler = null;
        }
    }

    /** One non-blocking I/O pass, then flush every reply it produced. */
    void poll() {
        resolve();
        if (handler == null || !engine.loop.inEventLoop()) return;
        try {
            handler.run(NON_BLOCKING);
        } catch (RuntimeException e) {
            log.warn("I/O while a script was busy failed", e);
        }
        engine.flushPending();
    }
}
