package org.redoubt.persistence.aof;

import org.redoubt.engine.CommandFamily;
import org.redoubt.engine.Engine;
import org.redoubt.engine.command.CommandTable;
import org.redoubt.engine.commands.DebugCommand;
import org.redoubt.persistence.Persistence;

/**
 * BGREWRITEAOF and DEBUG LOADAOF. Registering the family also installs the AOF into the engine:
 * the write and expiry listeners that feed the log, the beforeSleep hand-off to the writer, the
 * cron (automatic and scheduled rewrites, postponed flushes), the fsync at shutdown, the MISCONF
 * pre-check after write errors, the aof_* INFO fields, and the start-up loader that replaces the
 * RDB load when appendonly is yes.
 */
public final class AofCommands implements CommandFamily {
    @Override
    public void register(CommandTable t, Engine e) {
        Aof aof = Aof.of(e);
        t.bind("bgrewriteaof", aof::bgrewriteaof);
        DebugCommand.extend(e, "loadaof", aof::debugLoadaof);
        e.writeListeners.add(aof::written);
        e.expireListeners.add(aof::expired);
        e.beforeSleepTasks.add(aof::beforeSleep);
        e.cronTasks.add(aof::cron);
        e.shutdownHooks.add(aof::beforeExit);
        e.preChecks.add(aof::allow);
        e.infoContributors.add(aof::info);
        Persistence p = Persistence.of(e);
        p.otherChildActive = aof::rewriteInProgress;
        p.aofStartupLoader = aof::loadAtStartup;
    }
}
