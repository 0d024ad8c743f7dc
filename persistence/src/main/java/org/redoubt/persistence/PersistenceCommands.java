package org.redoubt.persistence;

import java.io.IOException;
import java.util.Arrays;
import org.redoubt.engine.Client;
import org.redoubt.engine.CommandFamily;
import org.redoubt.engine.Engine;
import org.redoubt.engine.Errors;
import org.redoubt.engine.command.CommandSpec;
import org.redoubt.engine.command.CommandTable;
import org.redoubt.engine.command.Handler;
import org.redoubt.engine.commands.DebugCommand;
import org.redoubt.engine.config.Notify;
import org.redoubt.engine.info.ServerInfo;
import org.redoubt.engine.util.Bytes;
import org.redoubt.persistence.rdb.Crc64;
import org.redoubt.persistence.rdb.LoadContext;
import org.redoubt.persistence.rdb.Rdb;
import org.redoubt.persistence.rdb.RdbInput;
import org.redoubt.persistence.rdb.RdbWriter;
import org.redoubt.persistence.rdb.SaveContext;
import org.redoubt.persistence.rdb.TypeCodec;
import org.redoubt.protocol.Numbers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The persistence commands (rdb.c, cluster.c's DUMP/RESTORE/MIGRATE): SAVE, BGSAVE, LASTSAVE,
 * DUMP, RESTORE, RESTORE-ASKING, MIGRATE, and DEBUG RELOAD. Registering the family also installs
 * the module into the engine: the save-point cron, the final save at shutdown, the MISCONF
 * pre-check, the persistence INFO section, copy-on-write accounting, and the snapshot FLUSHALL
 * triggers (it stops a running BGSAVE and, with save points, writes the emptied dataset, as
 * flushAllDataAndResetRDB).
 */
public final class PersistenceCommands implements CommandFamily {
    private static final Logger log = LoggerFactory.getLogger(PersistenceCommands.class);

    static final String BUSYKEY = "BUSYKEY Target key name already exists.";
    static final String BAD_PAYLOAD = "ERR DUMP payload version or checksum are wrong";
    static final String BAD_FORMAT = "ERR Bad data format";
    private static final byte[] DEL = Bytes.of("DEL"), ABSTTL = Bytes.of("ABSTTL");

    private Persistence p;
    private Migrate migrate;

    @Override
    public void register(CommandTable t, Engine e) {
        p = Persistence.of(e);
        migrate = new Migrate(p);
        t.bind("save", this::save);
        t.bind("bgsave", this::bgsave);
        t.bind("lastsave", this::lastsave);
        t.bind("dump", this::dump);
        t.bind("restore", this::restore);
        t.bind("restore-asking", this::restore);
        t.bind("migrate", migrate::migrate);
        DebugCommand.extend(e, "reload", this::debugReload);
        if (p.functions == null) p.functions = new ScriptingFunctions(e);
        wrapFlushall(t);
        e.cronTasks.add(() -> {
            p.cron();
            migrate.closeIdle();
        });
        e.shutdownHooks.add(p::beforeExit);
        e.preChecks.add(p::allow);
        e.keyListeners.add(p.cow);
        e.infoContributors.add((section, sb) -> {
            if (section.equals("stats")) {
                sb.append("migrate_cached_sockets:").append(migrate.cachedSockets()).append("\r\n");
                return true;
            }
            return p.info(section, sb);
        });
    }

    /**
     * FLUSHALL empties the data (KeyCommands); here, after it succeeded, a running BGSAVE is
     * stopped (its snapshot is of a dataset that no longer exists) and, with save points, the
     * empty dataset is saved at once, as flushAllDataAndResetRDB does.
     */
    private void wrapFlushall(CommandTable t) {
        CommandSpec spec = t.find("flushall");
        if (spec == null || spec.handler == null) return;
        Handler inner = spec.handler;
        spec.handler = c -> {
            int errors = c.errorsThisCommand;
            inner.execute(c);
            if (c.errorsThisCommand != errors) return;
            if (p.bgsaveInProgress()) p.killBgsave();
            if (c.engine.config.savePoints.length > 0) p.saveNow();
        };
    }

    // =====================================================================================
    // SAVE / BGSAVE / LASTSAVE
    // =====================================================================================

    private void save(Client c) {
        if (p.bgsaveInProgress()) {
            c.addError("ERR Background save already in progress");
            return;
        }
        p.rdbSaves++;
        if (p.saveNow()) c.addOk();
        else c.addError("ERR");
    }

    private void bgsave(Client c) {
        boolean schedule = false;
        if (c.argc > 1) {
            if (c.argc == 2 && Bytes.equalsIgnoreCase(c.argv[1], "schedule")) {
                schedule = true;
            } else {
                c.addError(Errors.SYNTAX);
                return;
            }
        }
        if (p.bgsaveInProgress()) {
            c.addError("ERR Background save already in progress");
        } else if (p.otherChildActive.getAsBoolean() || c.engine.inExec) {
            if (schedule || c.engine.inExec) {
                p.bgsaveScheduled = true;
                c.addSimple("Background saving scheduled");
            } else {
                c.addError("ERR Another child process is active (AOF?): can't BGSAVE right now. "
                    + "Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible.");
            }
        } else if (c.engine.canDeferReply(c) && c.channel != null) {
            // Answered by startBgsave once the save's child exists (the engine does not wait for it).
            c.flags |= Client.F_PAUSED;
            if (!p.startBgsave(c)) {
                c.flags &= ~Client.F_PAUSED;
                c.addError("ERR");
            }
        } else if (p.startBgsave()) {
            c.addSimple("Background saving started");
        } else {
            c.addError("ERR");
        }
    }

    private void lastsave(Client c) {
        c.addLong(p.lastSaveSec);
    }

    // =====================================================================================
    // DUMP / RESTORE
    // =====================================================================================

    private void dump(Client c) {
        Object v = c.db.lookupRead(c.argv[1]);
        if (v == null) {
            c.addNull();
            return;
        }
        byte[] payload;
        try {
            payload = RdbWriter.dumpPayload(v, p.codecs, saveContext(c.engine), c.engine.config.rdbcompression);
        } catch (IOException e) {
            c.addError("ERR " + e.getMessage());
            return;
        }
        c.addBulk(payload);
    }

    static SaveContext saveContext(Engine e) {
        return new SaveContext(e.config.listMaxListpackSize, ServerInfo.of(e).quicklistPackedThreshold);
    }

    /** verifyDumpPayload: footer version not newer than ours and a matching CRC64. */
    static boolean verifyPayload(Engine e, byte[] b) {
        if (b.length < 10) return false;
        int footer = b.length - 10;
        int ver = (b[footer] & 0xff) | (b[footer + 1] & 0xff) << 8;
        if (ver > Rdb.VERSION) return false;
        if (ServerInfo.of(e).skipChecksumValidation) return true;
        long crc = Crc64.update(0, b, 0, b.length - 8);
        long stored = 0;
        for (int i = 7; i >= 0; i--) stored = (stored << 8) | (b[footer + 2 + i] & 0xffL);
        return crc == stored;
    }

    /** Decodes a verified payload's value, or null when it is not a valid value. */
    static Object decodePayload(Persistence p, Engine e, byte[] b, boolean fromMaster) {
        RdbInput in = new RdbInput(b, 0, b.length - 10);
        try {
            int type = in.readType();
            if (!Rdb.isObjectType(type)) return null;
            TypeCodec codec = p.codecs.forType(type);
            if (codec == null) return null;
            // sanitize-dump-payload: "yes" always, "clients" for RESTORE from anyone but our master.
            String mode = p.configString("sanitize-dump-payload", "no");
            boolean deep = mode.equalsIgnoreCase("yes") || (mode.equalsIgnoreCase("clients") && !fromMaster);
            LoadContext ctx = new LoadContext(e.config, e.snapshotEpoch, deep);
            Object v = codec.load(type, in, ctx);
            e.stats.dumpPayloadSanitizations += ctx.sanitizations;
            return v;
        } catch (org.redoubt.persistence.rdb.RdbException ex) {
            // Redis logs RESTORE's format errors at verbose level and replies "Bad data format".
            log.debug("Internal error in RDB reading offset {} -> {}", ex.offset, ex.getMessage());
            return null;
        } catch (IOException ex) {
            log.debug("RESTORE payload rejected: {}", ex.getMessage());
            return null;
        } catch (RuntimeException ex) {
            log.warn("RESTORE payload rejected by an internal error", ex);
            return null;
        }
    }

    /** RESTORE key ttl serialized-value [REPLACE] [ABSTTL] [IDLETIME seconds] [FREQ frequency] */
    private void restore(Client c) {
        Engine e = c.engine;
        boolean replace = false, absttl = false;
        long lfuFreq = -1, lruIdle = -1;
        for (int j = 4; j < c.argc; j++) {
            int additional = c.argc - j - 1;
            byte[] a = c.argv[j];
            if (Bytes.equalsIgnoreCase(a, "replace")) {
                replace = true;
            } else if (Bytes.equalsIgnoreCase(a, "absttl")) {
                absttl = true;
            } else if (Bytes.equalsIgnoreCase(a, "idletime") && additional >= 1 && lfuFreq == -1) {
                byte[] v = c.argv[j + 1];
                if (!Numbers.isLong(v)) {
                    c.addError(Errors.NOT_INTEGER);
                    return;
                }
                lruIdle = Numbers.parseLong(v);
                if (lruIdle < 0) {
                    c.addError("ERR Invalid IDLETIME value, must be >= 0");
                    return;
                }
                j++;
            } else if (Bytes.equalsIgnoreCase(a, "freq") && additional >= 1 && lruIdle == -1) {
                byte[] v = c.argv[j + 1];
                if (!Numbers.isLong(v)) {
                    c.addError(Errors.NOT_INTEGER);
                    return;
                }
                lfuFreq = Numbers.parseLong(v);
                if (lfuFreq < 0 || lfuFreq > 255) {
                    c.addError("ERR Invalid FREQ value, must be >= 0 and <= 255");
                    return;
                }
                j++;
            } else {
                c.addError(Errors.SYNTAX);
                return;
            }
        }
        byte[] key = c.argv[1];
        if (!replace && c.db.lookupWrite(key) != null) {
            c.addError(BUSYKEY);
            return;
        }
        byte[] ttlArg = c.argv[2];
        if (!Numbers.isLong(ttlArg)) {
            c.addError(Errors.NOT_INTEGER);
            return;
        }
        long ttl = Numbers.parseLong(ttlArg);
        if (ttl < 0) {
            c.addError("ERR Invalid TTL value, must be >= 0");
            return;
        }
        byte[] payload = c.argv[3];
        if (!verifyPayload(e, payload)) {
            c.addError(BAD_PAYLOAD);
            return;
        }
        Object value = decodePayload(p, e, payload, c.has(Client.F_MASTER));
        if (value == null) {
            c.addError(BAD_FORMAT);
            return;
        }
        boolean deleted = false;
        if (replace) {
            deleted = c.db.lookupWrite(key) != null && c.db.delete(key);
        }
        long now = e.nowMs();
        if (ttl != 0 && !absttl) ttl += now;
        if (ttl != 0 && ttl <= now && !e.loading && !e.isReplica()) {
            // Already expired: the key is not created (and a replaced one is gone: a DEL).
            if (deleted) {
                c.argv = new byte[][] {DEL, key};
                c.argc = 2;
                e.notify(Notify.GENERIC, "del", key, c.db.id);
                e.dirty++;
            }
            c.addOk();
            return;
        }
        c.db.add(key, value);
        if (ttl != 0) {
            c.db.setExpire(key, ttl);
            if (!absttl) {
                // Propagated with the absolute time, as Redis rewrites it.
                byte[][] v = Arrays.copyOf(c.argv, c.argc + 1);
                v[2] = Numbers.longToBytes(ttl);
                v[c.argc] = ABSTTL;
                c.argv = v;
                c.argc = v.length;
            }
        }
        setLruOrLfu(c, key, lfuFreq, lruIdle);
        e.notify(Notify.GENERIC, "restore", key, c.db.id);
        c.addOk();
        e.dirty++;
    }

    /** objectSetLRUOrLFU for RESTORE's IDLETIME / FREQ. */
    private static void setLruOrLfu(Client c, byte[] key, long lfuFreq, long lruIdle) {
        Engine e = c.engine;
        String policy = e.config.maxmemoryPolicy;
        if (policy.endsWith("-lfu")) {
            if (lfuFreq >= 0) {
                long minutes = (e.nowMs() / 1000 / 60) & 0xFFFF;
                c.db.mainMap().touchMeta(key, (int) ((minutes << 8) | lfuFreq));
            }
        } else if (lruIdle >= 0) {
            long clock = e.lruClock();
            long abs = clock - lruIdle;
            if (abs < 0) abs += Persistence.LRU_CLOCK_MAX;
            if (abs < 0) abs = 0;
            c.db.mainMap().touchMeta(key, (int) abs);
        }
    }

    /**
     * The FUNCTION libraries of the scripting module, for FUNCTION2 records. The scripting state
     * is created on first use (the first save or a file with libraries), not at start-up.
     */
    private static final class ScriptingFunctions implements Persistence.FunctionLibraries {
        private final Engine e;

        ScriptingFunctions(Engine e) { this.e = e; }

        @Override public java.util.List<byte[]> codes() {
            java.util.List<byte[]> l = new java.util.ArrayList<>();
            for (org.redoubt.engine.script.Functions.Library lib : org.redoubt.engine.script.Scripting.of(e).functions().libraries()) {
                l.add(lib.code);
            }
            return l;
        }

        @Override public void clear() {
            org.redoubt.engine.script.Scripting.of(e).functions().flush();
        }

        @Override public String load(byte[] code, boolean replace) {
            try {
                org.redoubt.engine.script.Scripting.of(e).functions().load(code, replace, 0);
                return null;
            } catch (org.redoubt.engine.script.Functions.FunctionException ex) {
                return ex.getMessage();
            }
        }
    }

    // =====================================================================================
    // DEBUG RELOAD
    // =====================================================================================

    private void debugReload(Client c) {
        boolean merge = false, flush = true, save = true;
        for (int j = 2; j < c.argc; j++) {
            byte[] o = c.argv[j];
            if (Bytes.equalsIgnoreCase(o, "merge")) merge = true;
            else if (Bytes.equalsIgnoreCase(o, "noflush")) flush = false;
            else if (Bytes.equalsIgnoreCase(o, "nosave")) save = false;
            else {
                c.addError("ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.");
                return;
            }
        }
        String err = p.debugReload(merge, flush, save);
        if (err != null) c.addError(err);
        else c.addOk();
    }
}
