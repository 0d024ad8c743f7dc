package org.redoubt.engine.commands;

import org.redoubt.engine.Client;
import org.redoubt.engine.CommandFamily;
import org.redoubt.engine.Engine;
import org.redoubt.engine.command.CommandTable;

/** Lua scripting (EVAL family, SCRIPT) and Redis 7 functions (FUNCTION, FCALL). */
public final class ScriptingCommands implements CommandFamily {
    @Override
    public void register(CommandTable t, Engine e) {
        t.bind("function|flush", this::functionFlush);
    }

    private void functionFlush(Client c) {
        if (c.argc > 3) { c.addSubcommandSyntaxError(); return; }
        if (c.argc == 3 && !eq(c.argv[2], "sync") && !eq(c.argv[2], "async")) {
            c.addError("ERR FUNCTION FLUSH only supports SYNC|ASYNC option");
            return;
        }
        c.engine.dirty++;
        c.addOk();
    }

    private static boolean eq(byte[] a, String lower) {
        if (a.length != lower.length()) return false;
        for (int i = 0; i < a.length; i++) {
            int x = a[i];
            if (x >= 'A' && x <= 'Z') x += 32;
            if (x != lower.charAt(i)) return false;
        }
        return true;
    }
}
