package org.redoubt.engine.commands;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.redoubt.engine.Client;
import org.redoubt.engine.Harness;
import org.redoubt.engine.Harness.Err;
import org.redoubt.engine.command.CommandSpec;

class TxCommandsTest {
    private final Harness h = new Harness();
    private final Client other = h.newClient();

    private static Err err(String m) { return new Err(m); }

    @Test
    void multiExecRunsQueuedCommandsInOrder() {
        assertThat(h.exec("MULTI")).isEqualTo("OK");
        assertThat(h.exec("SET", "k", "v")).isEqualTo("QUEUED");
        assertThat(h.exec("GET", "k")).isEqualTo("QUEUED");
        assertThat(h.exec("PING")).isEqualTo("QUEUED");
        // Nothing ran yet: another client does not see the key.
        assertThat(h.exec(other, "EXISTS", "k")).isEqualTo(0L);
        assertThat(h.exec("EXEC")).isEqualTo(List.of("OK", "v", "PONG"));
        assertThat(h.client.has(Client.F_MULTI)).isFalse();
        assertThat(h.exec("EXEC")).isEqualTo(err("ERR EXEC without MULTI"));
    }

    @Test
    void emptyTransactionRepliesEmptyArray() {
        h.exec("MULTI");
        assertThat(h.exec("EXEC")).isEqualTo(List.of());
    }

    @Test
    void controlCommandErrors() {
        assertThat(h.exec("DISCARD")).isEqualTo(err("ERR DISCARD without MULTI"));
        h.exec("MULTI");
        assertThat(h.exec("MULTI")).isEqualTo(err("ERR MULTI calls can not be nested"));
        assertThat(h.exec("WATCH", "x")).isEqualTo(err("ERR WATCH inside MULTI is not allowed"));
        // Neither error dooms the transaction.
        assertThat(h.exec("SET", "a", "1")).isEqualTo("QUEUED");
        assertThat(h.exec("EXEC")).isEqualTo(List.of("OK"));
    }

    @Test
    void discardDropsTheQueue() {
        h.exec("MULTI");
        h.exec("SET", "k", "v");
        assertThat(h.exec("DISCARD")).isEqualTo("OK");
        assertThat(h.exec("EXISTS", "k")).isEqualTo(0L);
        assertThat(h.client.has(Client.F_MULTI)).isFalse();
    }

    @Test
    void queueTimeErrorsAbortTheTransaction() {
        h.exec("MULTI");
        h.exec("SET", "foo1", "bar1");
        assertThat(h.exec("NOSUCHCOMMAND", "x")).isEqualTo(
            err("ERR unknown command 'NOSUCHCOMMAND', with args beginning with: 'x' "));
        h.exec("SET", "foo2", "bar2");
        assertThat(h.exec("EXEC")).isEqualTo(err("EXECABORT Transaction discarded because of previous errors."));
        assertThat(h.exec("EXISTS", "foo1", "foo2")).isEqualTo(0L);

        h.exec("MULTI");
        assertThat(h.exec("GET")).isEqualTo(err("ERR wrong number of arguments for 'get' command"));
        assertThat(h.exec("EXEC")).isEqualTo(err("EXECABORT Transaction discarded because of previous errors."));
        // The client left MULTI.
        assertThat(h.exec("PING")).isEqualTo("PONG");
        CommandSpec get = h.engine.commands.find("get");
        assertThat(get.rejectedCalls).isEqualTo(1);
    }

    @Test
    void runtimeErrorsDoNotStopTheOthers() {
        h.exec("SET", "s", "notanumber");
        h.exec("MULTI");
        h.exec("SET", "a", "1");
        h.exec("INCR", "s");
        h.exec("INCR", "a");
        @SuppressWarnings("unchecked") List<Object> r = (List<Object>) h.exec("EXEC");
        assertThat(r).containsExactly("OK", err("ERR value is not an integer or out of range"), 2L);
        assertThat(h.exec("GET", "a")).isEqualTo("2");
    }

    @Test
    void statisticsArePerQueuedCommand() {
        h.exec("MULTI");
        h.exec("SET", "a", "b");
        h.exec("AUTH", "a");
        h.exec("EXEC");
        assertThat(h.engine.commands.find("set").calls).isEqualTo(1);
        assertThat(h.engine.commands.find("auth").failedCalls).isEqualTo(1);
        // The failure inside belongs to AUTH, not to EXEC.
        assertThat(h.engine.commands.find("exec").failedCalls).isEqualTo(0);
        assertThat(h.engine.commands.find("exec").calls).isEqualTo(1);
    }

    @Test
    void noMultiCommandsAreRefusedAndDoomTheTransaction() {
        h.exec("MULTI");
        h.exec("SET", "foo", "bar");
        assertThat(h.exec("SHUTDOWN")).isEqualTo(err("ERR Command not allowed inside a transaction"));
        assertThat(h.exec("EXEC")).isEqualTo(err("EXECABORT Transaction discarded because of previous errors."));
        assertThat(h.exec("GET", "foo")).isNull();
    }

    @Test
    void queuedArgumentsAreCopied() {
        h.exec("MULTI");
        byte[][] argv = {"SET".getBytes(), "k".getBytes(), "v1".getBytes()};
        h.execBytes(h.client, argv);
        // The parser reuses its argv array for the next command.
        argv[1] = "other".getBytes();
        h.exec("EXEC");
        assertThat(h.exec("GET", "k")).isEqualTo("v1");
        assertThat(h.exec("EXISTS", "other")).isEqualTo(0L);
    }

    @Test
    void watchedKeyModifiedByAnotherClientFailsExec() {
        h.exec("SET", "x", "30");
        assertThat(h.exec("WATCH", "x")).isEqualTo("OK");
        h.exec(other, "SET", "x", "40");
        h.exec("MULTI");
        h.exec("SET", "x", "50");
        assertThat(h.raw("EXEC")).isEqualTo("*-1\r\n");
        assertThat(h.exec("GET", "x")).isEqualTo("40");
        // The failed EXEC also unwatched.
        h.exec(other, "SET", "x", "60");
        h.exec("MULTI");
        h.exec("PING");
        assertThat(h.exec("EXEC")).isEqualTo(List.of("PONG"));
    }

    @Test
    void abortedExecIsANullInResp3() {
        h.exec("HELLO", "3");
        h.exec("WATCH", "x");
        h.exec(other, "SET", "x", "1");
        h.exec("MULTI");
        assertThat(h.raw("EXEC")).isEqualTo("_\r\n");
    }

    @Test
    void watchOfUnmodifiedKeysSucceeds() {
        h.exec("WATCH", "x", "y", "z");
        h.exec("WATCH", "k");
        h.exec(other, "SET", "unrelated", "1");
        h.exec("MULTI");
        h.exec("PING");
        assertThat(h.exec("EXEC")).isEqualTo(List.of("PONG"));
        assertThat(h.engine.multi.watchCount()).isZero();
    }

    @Test
    void unwatchForgetsTheDirtyFlag() {
        h.exec("SET", "x", "30");
        h.exec("WATCH", "x");
        h.exec("SET", "x", "40");
        assertThat(h.exec("UNWATCH")).isEqualTo("OK");
        h.exec("MULTI");
        h.exec("PING");
        assertThat(h.exec("EXEC")).isEqualTo(List.of("PONG"));
    }

    @Test
    void discardClearsDirtyFlagAndWatches() {
        h.exec("WATCH", "x");
        h.exec("SET", "x", "10");
        h.exec("MULTI");
        h.exec("DISCARD");
        h.exec("MULTI");
        h.exec("INCR", "x");
        assertThat(h.exec("EXEC")).isEqualTo(List.of(11L));
    }

    @Test
    void watchRemembersTheDatabase() {
        h.exec("SELECT", "5");
        h.exec("SET", "x", "30");
        h.exec("WATCH", "x");
        h.exec("SELECT", "1");
        h.exec("SET", "x", "10");
        h.exec("SELECT", "5");
        h.exec("MULTI");
        h.exec("PING");
        assertThat(h.exec("EXEC")).isEqualTo(List.of("PONG"));
    }

    @Test
    void expireOfWatchedKeyTouchesIt() {
        h.exec("SET", "x", "foo");
        h.exec("WATCH", "x");
        h.exec("EXPIRE", "x", "10");
        h.exec("MULTI");
        h.exec("PING");
        assertThat(h.exec("EXEC")).isNull();
    }

    @Test
    void watchedKeyThatExpiresFailsExecEvenIfNotYetDeleted() throws InterruptedException {
        h.exec("SET", "key", "1", "PX", "30");
        h.exec("WATCH", "key");
        Thread.sleep(60);
        h.exec("MULTI");
        h.exec("INCR", "key");
        assertThat(h.exec("EXEC")).isNull();
    }

    @Test
    void watchingAnAlreadyStaleKeyDoesNotFailExec() throws InterruptedException {
        h.exec("SET", "x", "foo", "PX", "1");
        Thread.sleep(10);
        h.exec("WATCH", "x");
        h.exec("MULTI");
        h.exec("PING");
        assertThat(h.exec("EXEC")).isEqualTo(List.of("PONG"));

        // Its deletion by expiry is no change either.
        h.exec("SET", "y", "foo", "PX", "1");
        Thread.sleep(10);
        h.exec("WATCH", "y");
        assertThat(h.exec("EXISTS", "y")).isEqualTo(0L);
        h.exec("MULTI");
        h.exec("PING");
        assertThat(h.exec("EXEC")).isEqualTo(List.of("PONG"));
    }

    @Test
    void flushOfWatchedKeysFailsExec() {
        h.exec("SET", "x", "30");
        h.exec("WATCH", "x");
        h.exec(other, "FLUSHALL");
        h.exec("MULTI");
        h.exec("PING");
        assertThat(h.exec("EXEC")).isNull();

        // A watched key that did not exist is not affected.
        h.exec("WATCH", "x");
        h.exec(other, "FLUSHDB");
        h.exec("MULTI");
        h.exec("PING");
        assertThat(h.exec("EXEC")).isEqualTo(List.of("PONG"));
    }

    @Test
    void signalFlushedDbTouchesOnlyLiveWatchedKeys() {
        h.exec("SET", "x", "1");
        h.exec("WATCH", "x", "absent");
        h.engine.signalFlushedDb(-1);
        h.exec("MULTI");
        assertThat(h.exec("EXEC")).isNull();

        h.exec("WATCH", "absent");
        h.engine.signalFlushedDb(0);
        h.exec("MULTI");
        assertThat(h.exec("EXEC")).isEqualTo(List.of());
    }

    @Test
    void swapdbTouchesWatchedKeysThatExistOnEitherSide() {
        h.exec("SELECT", "1");
        h.exec("SET", "x", "30");
        h.exec("SELECT", "0");
        h.exec("WATCH", "x");
        h.exec(other, "SWAPDB", "0", "1");
        h.exec("MULTI");
        h.exec("PING");
        assertThat(h.exec("EXEC")).isNull();

        h.engine.db(1).clear();
        h.engine.db(0).clear();
        h.exec("WATCH", "y");
        h.engine.signalSwapDb(h.engine.db(0), h.engine.db(1));
        h.exec("MULTI");
        assertThat(h.exec("EXEC")).isEqualTo(List.of());
    }

    @Test
    void swapdbAndFlushIgnoreStaleKeys() throws InterruptedException {
        // A stale key swapped in where nothing was: still nothing.
        h.exec("SET", "x", "foo", "PX", "1");
        Thread.sleep(10);
        h.exec("SELECT", "1");
        h.exec("WATCH", "x");
        h.exec(other, "SWAPDB", "0", "1");
        h.exec("MULTI");
        h.exec("PING");
        assertThat(h.exec("EXEC")).isEqualTo(List.of("PONG"));

        // A stale watched key swapped out for nothing: no change either.
        h.exec(other, "FLUSHALL");
        h.exec("SELECT", "1");
        h.exec("SET", "y", "foo", "PX", "1");
        Thread.sleep(10);
        h.exec("WATCH", "y");
        h.exec(other, "SWAPDB", "0", "1");
        h.exec("MULTI");
        h.exec("PING");
        assertThat(h.exec("EXEC")).isEqualTo(List.of("PONG"));

        // Flushing a stale watched key away.
        h.exec("SET", "z", "foo", "PX", "1");
        Thread.sleep(10);
        h.exec("WATCH", "z");
        h.exec("FLUSHDB");
        h.exec("MULTI");
        h.exec("PING");
        assertThat(h.exec("EXEC")).isEqualTo(List.of("PONG"));
    }

    @Test
    void clientCloseAndResetDropWatchesAndQueue() {
        Client c = h.newClient();
        h.exec(c, "WATCH", "a", "b");
        assertThat(h.engine.multi.watchCount()).isEqualTo(2);
        h.exec(c, "MULTI");
        h.exec(c, "SET", "a", "1");
        h.engine.clientClosed(c);
        assertThat(h.engine.multi.watchCount()).isZero();

        h.exec("WATCH", "a");
        h.exec("MULTI");
        h.exec("SET", "a", "1");
        assertThat(h.exec("RESET")).isEqualTo("RESET");
        assertThat(h.client.has(Client.F_MULTI)).isFalse();
        assertThat(h.engine.multi.watchCount()).isZero();
        assertThat(h.exec("EXISTS", "a")).isEqualTo(0L);
    }

    @Test
    void execSetsInExecAndClosesTheTransactionForPropagation() {
        List<String> seen = new ArrayList<>();
        h.engine.writeListeners.add((c, cmd) -> seen.add(cmd.fullName + (h.engine.inExec ? "@exec" : "")));
        h.exec("MULTI");
        h.exec("SET", "a", "1");
        h.exec("GET", "a");
        h.exec("SET", "b", "2");
        h.exec("EXEC");
        assertThat(seen).containsExactly("set@exec", "set@exec", "exec");
        seen.clear();
        // A read-only transaction propagates nothing.
        h.exec("MULTI");
        h.exec("GET", "a");
        h.exec("EXEC");
        assertThat(seen).isEmpty();
        assertThat(h.engine.inExec).isFalse();
    }

    @Test
    void clientListShowsTheQueueLength() {
        h.exec("MULTI");
        h.exec("SET", "a", "1");
        h.exec("SET", "b", "1");
        assertThat(org.redoubt.engine.Multi.queuedCount(h.client)).isEqualTo(2);
        h.exec("DISCARD");
        assertThat(org.redoubt.engine.Multi.queuedCount(h.client)).isEqualTo(-1);
    }

    @Test
    void minReplicasToWriteRefusesWritesAndAbortsAnExecThatQueuedOne() {
        h.exec("SET", "xx", "1");
        h.exec("MULTI");
        assertThat(h.exec("INCR", "xx")).isEqualTo("QUEUED");
        // The condition changes after queueing: EXEC is judged by what it queued, as Redis.
        assertThat(h.exec(other, "CONFIG", "SET", "min-replicas-to-write", "2")).isEqualTo("OK");
        assertThat(h.exec("EXEC")).isEqualTo(
            err("EXECABORT Transaction discarded because of: NOREPLICAS Not enough good replicas to write."));
        assertThat(h.client.has(Client.F_MULTI)).isFalse();
        assertThat(h.exec("GET", "xx")).isEqualTo("1");
        assertThat(h.exec("SET", "yy", "1")).isEqualTo(err("NOREPLICAS Not enough good replicas to write."));
        // Reads, and a transaction of reads, still run.
        h.exec("MULTI");
        h.exec("GET", "xx");
        assertThat(h.exec("EXEC")).isEqualTo(List.of("1"));
        // A write refused while queueing dooms the transaction.
        h.exec("MULTI");
        assertThat(h.exec("SET", "yy", "1")).isEqualTo(err("NOREPLICAS Not enough good replicas to write."));
        assertThat(h.exec("EXEC")).isEqualTo(err("EXECABORT Transaction discarded because of previous errors."));
        // min-replicas-max-lag 0 turns the check off, as Redis.
        h.exec("CONFIG", "SET", "min-replicas-max-lag", "0");
        assertThat(h.exec("SET", "yy", "1")).isEqualTo("OK");
        h.exec("CONFIG", "SET", "min-replicas-max-lag", "10");
        h.exec("CONFIG", "SET", "min-replicas-to-write", "0");
        assertThat(h.exec("SET", "yy", "2")).isEqualTo("OK");
    }
}
