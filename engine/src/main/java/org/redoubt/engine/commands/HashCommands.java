package org.redoubt.engine.commands;

import org.redoubt.engine.CommandFamily;
import org.redoubt.engine.Engine;
import org.redoubt.engine.command.CommandTable;

/** Command family placeholder: binds nothing until its handlers are written. */
public final class HashCommands implements CommandFamily {
    @Override
    public void register(CommandTable t, Engine e) {
    }
}
