package org.redoubt.server;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.LayoutBase;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * Redis's log line: {@code pid:role dd Mon yyyy HH:MM:SS.mmm <level-char> message}, with
 * '.' debug, '-' verbose, '*' notice, '#' warning (slf4j TRACE, DEBUG, INFO, WARN/ERROR).
 */
public final class RedisLayout extends LayoutBase<ILoggingEvent> {
    /** M master, S replica, X sentinel, C child work. */
    public static volatile char role = 'M';
    private static final long PID = ProcessHandle.current().pid();
    private static final DateTimeFormatter TS =
        DateTimeFormatter.ofPattern("dd MMM yyyy HH:mm:ss.SSS", Locale.ENGLISH).withZone(ZoneId.systemDefault());

    @Override
    public String doLayout(ILoggingEvent e) {
        StringBuilder sb = new StringBuilder(128);
        sb.append(PID).append(':').append(role).append(' ');
        TS.formatTo(Instant.ofEpochMilli(e.getTimeStamp()), sb);
        sb.append(' ').append(levelChar(e.getLevel())).append(' ').append(e.getFormattedMessage()).append('\n');
        IThrowableProxy t = e.getThrowableProxy();
        if (t != null) sb.append(ThrowableProxyUtil.asString(t)).append('\n');
        return sb.toString();
    }

    static char levelChar(Level l) {
        if (l.levelInt >= Level.WARN_INT) return '#';
        if (l.levelInt >= Level.INFO_INT) return '*';
        if (l.levelInt >= Level.DEBUG_INT) return '-';
        return '.';
    }
}
