package org.redoubt.persistence;

import java.nio.file.Path;

/**
 * Child process of {@link KillDuringBgsaveIT}: saves a first dump, changes the data, starts a slow
 * BGSAVE, says so on stdout and waits to be killed.
 */
public final class KillDuringSaveMain {
    private KillDuringSaveMain() {}

    public static void main(String[] args) throws Exception {
        Harness h = new Harness(Path.of(args[0]));
        for (int i = 0; i < 1000; i++) h.exec("SET", "key:" + i, "first:" + i);
        h.exec("RPUSH", "list", "a", "b", "c");
        if (!"OK".equals(h.exec("SAVE"))) throw new IllegalStateException("first save failed");
        for (int i = 0; i < 1000; i++) h.exec("SET", "key:" + i, "second:" + i);
        h.exec("CONFIG", "SET", "rdb-key-save-delay", "2000");
        h.exec("BGSAVE");
        while (Long.parseLong(h.info("persistence", "current_save_keys_processed")) < 100) Thread.sleep(5);
        System.out.println("BGSAVE RUNNING");
        System.out.flush();
        Thread.sleep(60_000);
    }
}
