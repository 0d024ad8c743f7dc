package org.redoubt.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.protocol.ProtocolVersion;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Lettuce over RESP2 and RESP3 (HELLO) against a real Redoubt. */
class LettuceIT {
    static ServerFixture srv;
    static RedisClient client;

    @BeforeAll
    static void up() {
        srv = ServerFixture.start();
        client = RedisClient.create(RedisURI.builder().withHost("127.0.0.1").withPort(srv.port)
            .withTimeout(Duration.ofSeconds(10)).build());
    }

    @AfterAll
    static void down() {
        client.shutdown();
        srv.close();
    }

    @ParameterizedTest
    @EnumSource(value = ProtocolVersion.class, names = {"RESP2", "RESP3"})
    void basicCommands(ProtocolVersion proto) {
        client.setOptions(ClientOptions.builder().protocolVersion(proto).build());
        try (StatefulRedisConnection<String, String> conn = client.connect()) {
            RedisCommands<String, String> r = conn.sync();
            r.flushall();
            assertThat(r.ping()).isEqualTo("PONG");
            assertThat(r.set("k", "v")).isEqualTo("OK");
            assertThat(r.get("k")).isEqualTo("v");
            assertThat(r.incrbyfloat("f", 2.5)).isEqualTo(2.5);
            assertThat(r.exists("k", "nope")).isEqualTo(1);
            assertThat(r.strlen("k")).isEqualTo(1);
            assertThat(r.getrange("k", 0, -1)).isEqualTo("v");
            assertThat(r.configGet("maxmemory-policy")).containsEntry("maxmemory-policy", "noeviction");
            assertThat(r.info("server")).contains("redis_version:");
            assertThat(r.dbsize()).isEqualTo(2);
        }
    }
}
