package org.redoubt.engine.config;

/**
 * A configuration file Redis would refuse to start with. The message is what redis-server
 * prints before exiting (the "*** FATAL CONFIG FILE ERROR ***" block, or the can't-open line).
 */
public final class ConfigFileException extends Exception {
    private static final long serialVersionUID = 1L;

    public ConfigFileException(String message) {
        super(message);
    }

    /** Redis's fatal block for an error at a line (lineNumber 0 = not at a line). */
    static ConfigFileException at(int lineNumber, String line, String reason) {
        StringBuilder sb = new StringBuilder("\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\n");
        if (lineNumber > 0) {
            sb.append("Reading the configuration file, at line ").append(lineNumber).append('\n');
            sb.append(">>> '").append(line).append("'\n");
        }
        sb.append(reason);
        return new ConfigFileException(sb.toString());
    }
}
