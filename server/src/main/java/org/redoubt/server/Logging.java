package org.redoubt.server;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.FileAppender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import org.slf4j.LoggerFactory;

/** Maps Redis's loglevel/logfile directives onto logback at runtime. */
public final class Logging {
    private Logging() {}

    /** Redis loglevel → logback level: debug, verbose, notice, warning, nothing. */
    public static Level level(String loglevel) {
        return switch (loglevel) {
            case "debug" -> Level.TRACE;
            case "verbose" -> Level.DEBUG;
            case "warning" -> Level.WARN;
            case "nothing" -> Level.OFF;
            default -> Level.INFO;
        };
    }

    public static synchronized void configure(String loglevel, String logfile) {
        LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        Logger root = ctx.getLogger(Logger.ROOT_LOGGER_NAME);
        root.detachAndStopAllAppenders();
        RedisLayout layout = new RedisLayout();
        layout.setContext(ctx);
        layout.start();
        LayoutWrappingEncoder<ILoggingEvent> enc = new LayoutWrappingEncoder<>();
        enc.setContext(ctx);
        enc.setLayout(layout);
        enc.start();
        OutputStreamAppender<ILoggingEvent> app;
        if (logfile == null || logfile.isEmpty()) {
            ConsoleAppender<ILoggingEvent> c = new ConsoleAppender<>();
            c.setImmediateFlush(true);
            app = c;
        } else {
            FileAppender<ILoggingEvent> f = new FileAppender<>();
            f.setFile(logfile);
            f.setAppend(true);
            f.setImmediateFlush(true);
            app = f;
        }
        app.setContext(ctx);
        app.setEncoder(enc);
        app.setName("redis");
        app.start();
        root.addAppender(app);
        root.setLevel(level(loglevel));
        // Netty's own chatter stays at warning unless debugging.
        ctx.getLogger("io.netty").setLevel(loglevel.equals("debug") ? Level.DEBUG : Level.WARN);
    }

    public static void setLevel(String loglevel) {
        LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        ctx.getLogger(Logger.ROOT_LOGGER_NAME).setLevel(level(loglevel));
    }
}
