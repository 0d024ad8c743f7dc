package org.redoubt.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.params.SetParams;

/** Jedis against a real Redoubt on a loopback port. */
class JedisIT {
    static ServerFixture srv;
    Jedis j;

    @BeforeAll
    static void up() { srv = ServerFixture.start(); }

    @AfterAll
    static void down() { srv.close(); }

    @BeforeEach
    void connect() {
        j = new Jedis("127.0.0.1", srv.port);
        j.flushAll();
    }

    @Test
    void pingSetGet() {
        assertThat(j.ping()).isEqualTo("PONG");
        assertThat(j.set("k", "v")).isEqualTo("OK");
        assertThat(j.get("k")).isEqualTo("v");
        assertThat(j.get("missing")).isNull();
        j.close();
    }

    @Test
    void binarySafeValues() {
        byte[] key = {0, 1, 2, (byte) 0xff, '\r', '\n'};
        byte[] val = new byte[70000];
        for (int i = 0; i < val.length; i++) val[i] = (byte) i;
        j.set(key, val);
        assertThat(j.get(key)).isEqualTo(val);
        j.close();
    }

    @Test
    void countersAndExpiry() {
        assertThat(j.incr("n")).isEqualTo(1);
        assertThat(j.incrBy("n", 41)).isEqualTo(42);
        assertThat(j.incrByFloat("f", 1.5)).isEqualTo(1.5);
        j.set("t", "x", SetParams.setParams().px(100_000));
        assertThat(j.pttl("t")).isBetween(1L, 100_000L);
        assertThat(j.persist("t")).isEqualTo(1);
        assertThat(j.ttl("t")).isEqualTo(-1);
        j.close();
    }

    @Test
    void wrongTypeAndSyntaxErrorsAreRedisStrings() {
        j.set("s", "notanumber");
        assertThatThrownBy(() -> j.incr("s")).isInstanceOf(JedisDataException.class)
            .hasMessage("ERR value is not an integer or out of range");
        assertThatThrownBy(() -> j.sendCommand(redis.clients.jedis.Protocol.Command.SET, "a"))
            .hasMessage("ERR wrong number of arguments for 'set' command");
        j.close();
    }

    @Test
    void pipelineOfManyCommands() {
        Pipeline p = j.pipelined();
        for (int i = 0; i < 1000; i++) p.set("key:" + i, "value:" + i);
        Response<List<String>> r = p.mget("key:0", "key:999", "nokey");
        p.sync();
        assertThat(r.get()).containsExactly("value:0", "value:999", null);
        assertThat(j.dbSize()).isEqualTo(1000);
        j.close();
    }

    @Test
    void selectIsolatesDatabases() {
        j.set("x", "0");
        j.select(3);
        assertThat(j.get("x")).isNull();
        j.set("x", "3");
        j.select(0);
        assertThat(j.get("x")).isEqualTo("0");
        j.close();
    }
}
