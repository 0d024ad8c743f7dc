package org.redoubt.engine;

/**
 * What the engine asks of the front end that owns a client's connection. Implemented by the
 * server's channel handler; engine thread only.
 */
public interface ClientIO {
    /** The client was unblocked/unpaused: run its pending command and continue parsing its input. */
    void resume(Client c);

    /** Close the connection now (CLIENT KILL, limits). */
    void close(Client c);
}
