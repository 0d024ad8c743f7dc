package org.redoubt.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * Scripts over real connections, where a script from a network client runs in its own
 * event-loop task (so that a busy script can let other clients in): transactions meeting a busy
 * script, and client tracking of what such a script writes.
 */
class ScriptingIT {
    static ServerFixture srv;

    @BeforeAll
    static void up() { srv = ServerFixture.start(); }

    @AfterAll
    static void down() { srv.close(); }

    private static final String BUSY = "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.";

    /** Starts an endless script on its own connection and waits until the server reports BUSY. */
    private static CompletableFuture<Object> startBusyScript(Jedis admin, Jedis runner) throws Exception {
        admin.configSet("busy-reply-threshold", "50");
        CompletableFuture<Object> f = CompletableFuture.supplyAsync(() -> {
            try {
                return runner.eval("while true do end");
            } catch (JedisDataException e) {
                return e.getMessage();
            }
        });
        long deadline = System.currentTimeMillis() + 10_000;
        while (System.currentTimeMillis() < deadline) {
            try {
                admin.ping();
                Thread.sleep(20);
            } catch (JedisDataException e) {
                assertThat(e.getMessage()).isEqualTo(BUSY);
                return f;
            }
        }
        throw new AssertionError("the script never became busy");
    }

    private static void killScript(Jedis admin, CompletableFuture<Object> script) throws Exception {
        assertThat(admin.scriptKill()).isEqualTo("OK");
        assertThat(script.get(10, TimeUnit.SECONDS).toString()).contains("Script killed by user with SCRIPT KILL");
        admin.configSet("busy-reply-threshold", "5000");
    }

    @Test
    void execDuringABusyScriptAbortsTheTransactionWithTheBusyError() throws Exception {
        try (Jedis admin = new Jedis("127.0.0.1", srv.port); Jedis runner = new Jedis("127.0.0.1", srv.port);
             Jedis tx = new Jedis("127.0.0.1", srv.port)) {
            admin.set("xx", "1");
            assertThat(tx.sendCommand(Protocol.Command.MULTI)).isNotNull();
            assertThat(new String((byte[]) tx.sendCommand(Protocol.Command.INCR, "xx"), StandardCharsets.UTF_8)).isEqualTo("QUEUED");
            CompletableFuture<Object> script = startBusyScript(admin, runner);
            // Refused while busy, which dooms the transaction; EXEC itself is refused with the reason.
            assertThatThrownBy(() -> tx.sendCommand(Protocol.Command.INCR, "xx")).hasMessage(BUSY);
            assertThatThrownBy(() -> tx.sendCommand(Protocol.Command.EXEC))
                .hasMessage("EXECABORT Transaction discarded because of: " + BUSY);
            killScript(admin, script);
            assertThat(admin.get("xx")).isEqualTo("1");
            // The connection left MULTI.
            assertThat(tx.ping("asdf")).isEqualTo("asdf");
        }
    }

    @Test
    void commandRefusedWhileBusyFailsTheLaterExec() throws Exception {
        try (Jedis admin = new Jedis("127.0.0.1", srv.port); Jedis runner = new Jedis("127.0.0.1", srv.port);
             Jedis tx = new Jedis("127.0.0.1", srv.port)) {
            admin.set("yy", "1");
            tx.sendCommand(Protocol.Command.MULTI);
            tx.sendCommand(Protocol.Command.INCR, "yy");
            CompletableFuture<Object> script = startBusyScript(admin, runner);
            assertThatThrownBy(() -> tx.sendCommand(Protocol.Command.INCR, "yy")).hasMessage(BUSY);
            killScript(admin, script);
            assertThatThrownBy(() -> tx.sendCommand(Protocol.Command.EXEC))
                .hasMessage("EXECABORT Transaction discarded because of previous errors.");
            assertThat(admin.get("yy")).isEqualTo("1");
            assertThat(tx.ping("asdf")).isEqualTo("asdf");
        }
    }

    @Test
    void noloopTrackingIgnoresWritesOfTheClientsOwnScripts() throws Exception {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", srv.port), 5000);
            s.setSoTimeout(300);
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            String cmds = "HELLO 3\r\nCLIENT TRACKING on NOLOOP\r\nSET nl:key 1\r\nGET nl:key\r\n"
                + "EVAL \"return redis.call('set', 'nl:key', '2')\" 1 nl:key\r\nGET nl:key\r\nPING\r\n";
            out.write(cmds.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            StringBuilder got = new StringBuilder();
            byte[] buf = new byte[8192];
            long deadline = System.currentTimeMillis() + 10_000;
            while (!got.toString().endsWith("+PONG\r\n") && System.currentTimeMillis() < deadline) {
                try {
                    int n = in.read(buf);
                    if (n < 0) break;
                    got.append(new String(buf, 0, n, StandardCharsets.US_ASCII));
                } catch (SocketTimeoutException e) {
                    // keep waiting until the deadline
                }
            }
            String replies = got.substring(got.indexOf("+OK\r\n"));   // after HELLO's map
            assertThat(replies).isEqualTo("+OK\r\n+OK\r\n$1\r\n1\r\n+OK\r\n$1\r\n2\r\n+PONG\r\n");
        }
    }
}
