package org.redoubt.engine.commands;

import java.util.ArrayList;
import java.util.List;
import org.redoubt.engine.CommandFamily;

/** The command families of the engine module, in registration order. */
public final class Families {
    private Families() {}

    public static List<CommandFamily> standard() {
        List<CommandFamily> l = new ArrayList<>();
        l.add(new ConnectionCommands());
        l.add(new ClientCommands());
        l.add(new KeyCommands());
        l.add(new StringCommands());
        l.add(new BitCommands());
        l.add(new ServerCommands());
        l.add(new CommandCommand());
        l.add(new DebugCommand());
        l.add(new IntrospectionCommands());
        l.add(new ConfigCommands());
        l.add(new ListCommands());
        l.add(new HashCommands());
        l.add(new SetCommands());
        l.add(new ZSetCommands());
        l.add(new SortCommand());
        l.add(new TxCommands());
        l.add(new PubSubCommands());
        l.add(new ScriptingCommands());
        l.add(new StreamCommands());
        l.add(new HyperLogLogCommands());
        l.add(new GeoCommands());
        return l;
    }
}
