package org.redoubt.engine;

/**
 * Redis 7.0 error replies, byte for byte, without the leading '-' (Client.addError adds it and
 * counts the error under its prefix for INFO errorstats).
 */
public final class Errors {
    private Errors() {}

    public static final String WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value";
    public static final String SYNTAX = "ERR syntax error";
    public static final String NOT_INTEGER = "ERR value is not an integer or out of range";
    public static final String NOT_FLOAT = "ERR value is not a valid float";
    public static final String OVERFLOW = "ERR increment or decrement would overflow";
    public static final String NO_SUCH_KEY = "ERR no such key";
    public static final String OUT_OF_RANGE = "ERR index out of range";
    public static final String DB_INDEX = "ERR DB index is out of range";
    public static final String SAME_OBJECT = "ERR source and destination objects are the same";
    public static final String NOAUTH = "NOAUTH Authentication required.";
    public static final String WRONGPASS = "WRONGPASS invalid username-password pair or user is disabled.";
    public static final String TIMEOUT_NEGATIVE = "ERR timeout is negative";
    public static final String INVALID_EXPIRE = "ERR invalid expire time in '%s' command";
    public static final String BIT_OFFSET = "ERR bit offset is not an integer or out of range";
    public static final String BIT_VALUE = "ERR bit is not an integer or out of range";
    public static final String STRING_TOO_LONG = "ERR string exceeds maximum allowed size (proto-max-bulk-len)";
    public static final String NAN_OR_INF = "ERR increment would produce NaN or Infinity";
    public static final String MAX_CLIENTS = "ERR max number of clients reached";
    public static final String OOM = "OOM command not allowed when used memory > 'maxmemory'.";
    public static final String LOADING = "LOADING Redis is loading the dataset in memory";
    public static final String NOREPLICAS = "NOREPLICAS Not enough good replicas to write.";

    public static String wrongArgs(String fullName) {
        return "ERR wrong number of arguments for '" + fullName + "' command";
    }

    public static String unknownSubcommand(String sub, String cmdUpper) {
        return "ERR unknown subcommand '" + trunc(sub, 128) + "'. Try " + cmdUpper + " HELP.";
    }

    static String trunc(String s, int n) { return s.length() <= n ? s : s.substring(0, n); }
}
