package org.redoubt.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Debian's redis-cli (installed by .ci/run) against a real Redoubt. */
class RedisCliIT {
    static ServerFixture srv;

    @BeforeAll
    static void up() { srv = ServerFixture.start(); }

    @AfterAll
    static void down() { srv.close(); }

    static String cli(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("redis-cli", "-h", "127.0.0.1", "-p", Integer.toString(srv.port)));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return new String(out, StandardCharsets.UTF_8).trim();
    }

    @Test
    void pingSetGet() throws Exception {
        assertThat(cli("ping")).isEqualTo("PONG");
        assertThat(cli("set", "k", "v")).isEqualTo("OK");
        assertThat(cli("get", "k")).isEqualTo("v");
    }

    @Test
    void errorsAndIntegers() throws Exception {
        assertThat(cli("incr", "counter")).isEqualTo("1");
        assertThat(cli("nosuchcommand")).startsWith("ERR unknown command 'nosuchcommand'");
    }

    @Test
    void pipeModeLoadsKeys() throws Exception {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 2000; i++) {
            String k = "pipe:" + i;
            sb.append("*3\r\n$3\r\nSET\r\n$").append(k.length()).append("\r\n").append(k).append("\r\n$1\r\nx\r\n");
        }
        Process p = new ProcessBuilder("redis-cli", "-h", "127.0.0.1", "-p", Integer.toString(srv.port), "--pipe")
            .redirectErrorStream(true).start();
        p.getOutputStream().write(sb.toString().getBytes(StandardCharsets.US_ASCII));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(out).contains("errors: 0, replies: 2000");
        assertThat(cli("dbsize")).isNotEmpty();
    }

    @Test
    void infoAndCommandCountWork() throws Exception {
        assertThat(cli("info", "server")).contains("redis_version:7.0.15");
        assertThat(Integer.parseInt(cli("command", "count"))).isGreaterThan(50);
    }
}
