package org.redoubt.engine.command;

import org.redoubt.engine.Client;

/**
 * A command body. Runs on the engine thread after the dispatcher has checked arity, auth,
 * ACL, OOM and replica/MULTI rules from the command's flags; it reads {@code c.argv[0..argc)}
 * and writes exactly one reply (or none when the client is blocked).
 */
@FunctionalInterface
public interface Handler {
    void execute(Client c);
}
