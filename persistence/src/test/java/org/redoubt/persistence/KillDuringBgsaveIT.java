package org.redoubt.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of a server in the middle of a BGSAVE leaves the previous dump intact and loadable:
 * the new file is written by the save's child process to temp-CHILDPID.rdb and only renamed
 * over dump.rdb once complete and synced.
 */
class KillDuringBgsaveIT {
    @TempDir
    Path dir;

    @Test
    void previousDumpSurvivesAKillDuringBgsave() throws Exception {
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(javaBin, "-cp", System.getProperty("java.class.path"),
            KillDuringSaveMain.class.getName(), dir.toString()).redirectErrorStream(true).start();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            boolean running = false;
            while ((line = r.readLine()) != null) {
                if (line.contains("BGSAVE RUNNING")) {
                    running = true;
                    break;
                }
            }
            assertThat(running).as("the child reached the middle of its BGSAVE").isTrue();
            byte[] before = Files.readAllBytes(dir.resolve("dump.rdb"));
            // The save's child process writes temp-<its pid>.rdb, as Redis's forked child does.
            java.util.List<ProcessHandle> kids = child.children().toList();
            assertThat(kids).as("the BGSAVE child process").hasSize(1);
            assertThat(Files.exists(dir.resolve(RdbSaver.tempName(kids.get(0).pid())))).isTrue();
            child.destroyForcibly();   // SIGKILL
            assertThat(child.waitFor(20, TimeUnit.SECONDS)).isTrue();
            // Its pipe closed, the orphaned child ends too.
            assertThat(kids.get(0).onExit().get(20, TimeUnit.SECONDS).isAlive()).isFalse();
            assertThat(Files.readAllBytes(dir.resolve("dump.rdb"))).isEqualTo(before);
        } finally {
            child.destroyForcibly();
        }
        Harness h = new Harness(dir);
        assertThat(h.exec("DEBUG", "RELOAD", "NOSAVE")).isEqualTo("OK");
        assertThat(h.exec("DBSIZE")).isEqualTo(1001L);
        assertThat(h.exec("GET", "key:500")).isEqualTo("first:500");
        assertThat(h.exec("LRANGE", "list", "0", "-1")).isEqualTo(java.util.List.of("a", "b", "c"));
        // A stale temp file of a dead save is harmless: the next save writes its own and replaces the dump.
        h.exec("SET", "key:500", "third");
        assertThat(h.exec("SAVE")).isEqualTo("OK");
        assertThat(h.exec("DEBUG", "RELOAD", "NOSAVE")).isEqualTo("OK");
        assertThat(h.exec("GET", "key:500")).isEqualTo("third");
    }
}
