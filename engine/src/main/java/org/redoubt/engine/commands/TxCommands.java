package org.redoubt.engine.commands;

import org.redoubt.engine.Client;
import org.redoubt.engine.CommandFamily;
import org.redoubt.engine.Engine;
import org.redoubt.engine.Multi;
import org.redoubt.engine.command.CommandFlags;
import org.redoubt.engine.command.CommandSpec;
import org.redoubt.engine.command.CommandTable;

/**
 * MULTI, EXEC, DISCARD, WATCH, UNWATCH (Redis's multi.c). The state and the queueing live in
 * {@link Multi}; the dispatcher queues commands of a client in MULTI and refuses here the
 * ones flagged no_multi.
 */
public final class TxCommands implements CommandFamily {
    static final String NESTED = "ERR MULTI calls can not be nested";
    static final String EXEC_WITHOUT = "ERR EXEC without MULTI";
    static final String DISCARD_WITHOUT = "ERR DISCARD without MULTI";
    static final String WATCH_INSIDE = "ERR WATCH inside MULTI is not allowed";
    static final String NOT_IN_MULTI = "ERR Command not allowed inside a transaction";

    private Multi multi;

    @Override
    public void register(CommandTable t, Engine e) {
        multi = e.multi;
        t.bind("multi", this::multiCmd);
        t.bind("exec", this::exec);
        t.bind("discard", this::discard);
        t.bind("watch", this::watch);
        t.bind("unwatch", this::unwatch);
        multi.execCmd = t.find("exec");
        multi.discardCmd = t.find("discard");
        multi.multiCmd = t.find("multi");
        multi.watchCmd = t.find("watch");
        multi.quitCmd = t.find("quit");
        multi.resetCmd = t.find("reset");
        e.keyListeners.add(multi::touchWatchedKey);
        e.preChecks.add(TxCommands::allowedInMulti);
        e.clientHooks.add(new Hooks(multi));
    }

    /** SAVE, SHUTDOWN, SYNC ... (no_multi) are refused inside MULTI instead of being queued. */
    private static boolean allowedInMulti(Client c, CommandSpec cmd) {
        if (!c.has(Client.F_MULTI) || !cmd.has(CommandFlags.NO_MULTI)) return true;
        c.engine.reject(c, cmd, NOT_IN_MULTI);
        return false;
    }

    /** A closed or RESET connection leaves no transaction and no WATCH behind. */
    private static final class Hooks implements Engine.ClientHook, ConnectionCommands.ResetHook {
        private final Multi multi;

        Hooks(Multi multi) { this.multi = multi; }

        @Override public void closed(Client c) { multi.discard(c); }

        @Override public void reset(Client c) { multi.discard(c); }
    }

    void multiCmd(Client c) {
        if (c.has(Client.F_MULTI)) {
            c.addError(NESTED);
            return;
        }
        c.flags |= Client.F_MULTI;
        c.addOk();
    }

    void exec(Client c) {
        multi.exec(c);
    }

    void discard(Client c) {
        if (!c.has(Client.F_MULTI)) {
            c.addError(DISCARD_WITHOUT);
            return;
        }
        multi.discard(c);
        c.addOk();
    }

    void watch(Client c) {
        if (c.has(Client.F_MULTI)) {
            c.addError(WATCH_INSIDE);
            return;
        }
        // Already doomed: watching more cannot change the outcome.
        if (!c.has(Client.F_DIRTY_CAS)) {
            for (int j = 1; j < c.argc; j++) multi.watch(c, c.argv[j]);
        }
        c.addOk();
    }

    void unwatch(Client c) {
        multi.unwatchAll(c);
        c.flags &= ~Client.F_DIRTY_CAS;
        c.addOk();
    }
}
