package org.redoubt.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class when Netty's leak detector (paranoid in the surefire configuration) reports
 * a ByteBuf that was garbage-collected without being released. Only buffers from leak-aware
 * allocators are tracked: tests allocate with {@link #alloc()} (ByteBufAllocator.DEFAULT); in
 * Netty 4.2 {@code Unpooled.buffer()} is not tracked.
 */
final class LeakCheck implements AfterAllCallback {
    private static final List<String> LEAKS = new CopyOnWriteArrayList<>();
    // strong reference: java.util.logging keeps loggers only weakly
    private static final Logger DETECTOR_LOG = Logger.getLogger("io.netty.util.ResourceLeakDetector");

    static {
        DETECTOR_LOG.addHandler(new Handler() {
            @Override
            public void publish(LogRecord r) {
                String m = r.getMessage();
                if (m != null && m.contains("LEAK")) LEAKS.add(m);
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        });
    }

    static ByteBufAllocator alloc() {
        return ByteBufAllocator.DEFAULT;
    }

    /** A tracked buffer holding a copy of the bytes. */
    static ByteBuf buf(byte[] bytes) {
        return alloc().buffer(bytes.length).writeBytes(bytes);
    }

    static ByteBuf buf(byte[] bytes, int off, int len) {
        return alloc().buffer(len).writeBytes(bytes, off, len);
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        // Leaks are reported when a collected buffer is noticed during a later allocation.
        for (int i = 0; i < 4; i++) {
            System.gc();
            Thread.sleep(50);
            for (int j = 0; j < 16; j++) alloc().buffer(8).release();
        }
        List<String> found = List.copyOf(LEAKS);
        LEAKS.clear();
        assertThat(found).as("ByteBuf leaks reported by Netty").isEmpty();
    }
}
