package org.redoubt.engine;

import org.redoubt.engine.command.CommandTable;

/** A family of commands (StringCommands, KeyCommands...) binds its handlers into the table. */
public interface CommandFamily {
    void register(CommandTable table, Engine engine);
}
