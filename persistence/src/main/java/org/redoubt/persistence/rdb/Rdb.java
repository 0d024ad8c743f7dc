package org.redoubt.persistence.rdb;

/**
 * Constants of Redis's RDB format as of Redis 7.0 (RDB version 10): value type bytes, opcodes,
 * length and string encodings. The format is Redis's; the names follow rdb.h so that the two can
 * be compared line by line.
 */
public final class Rdb {
    private Rdb() {}

    /** The version we write; we read every version from 1 up to it. */
    public static final int VERSION = 10;
    public static final byte[] MAGIC = {'R', 'E', 'D', 'I', 'S'};

    // ---- value types
    public static final int TYPE_STRING = 0;
    public static final int TYPE_LIST = 1;
    public static final int TYPE_SET = 2;
    public static final int TYPE_ZSET = 3;
    public static final int TYPE_HASH = 4;
    public static final int TYPE_ZSET_2 = 5;
    public static final int TYPE_MODULE = 6;
    public static final int TYPE_MODULE_2 = 7;
    public static final int TYPE_HASH_ZIPMAP = 9;
    public static final int TYPE_LIST_ZIPLIST = 10;
    public static final int TYPE_SET_INTSET = 11;
    public static final int TYPE_ZSET_ZIPLIST = 12;
    public static final int TYPE_HASH_ZIPLIST = 13;
    public static final int TYPE_LIST_QUICKLIST = 14;
    public static final int TYPE_STREAM_LISTPACKS = 15;
    public static final int TYPE_HASH_LISTPACK = 16;
    public static final int TYPE_ZSET_LISTPACK = 17;
    public static final int TYPE_LIST_QUICKLIST_2 = 18;
    public static final int TYPE_STREAM_LISTPACKS_2 = 19;

    /** rdbIsObjectType: a byte that introduces a key/value pair. */
    public static boolean isObjectType(int t) {
        return (t >= 0 && t <= 7) || (t >= 9 && t <= 19);
    }

    // ---- opcodes
    public static final int OPCODE_FUNCTION2 = 245;
    public static final int OPCODE_FUNCTION = 246;
    public static final int OPCODE_MODULE_AUX = 247;
    public static final int OPCODE_IDLE = 248;
    public static final int OPCODE_FREQ = 249;
    public static final int OPCODE_AUX = 250;
    public static final int OPCODE_RESIZEDB = 251;
    public static final int OPCODE_EXPIRETIME_MS = 252;
    public static final int OPCODE_EXPIRETIME = 253;
    public static final int OPCODE_SELECTDB = 254;
    public static final int OPCODE_EOF = 255;

    // ---- length prefix: the top two bits of the first byte
    static final int LEN_6BIT = 0;
    static final int LEN_14BIT = 1;
    static final int LEN_32BIT = 0x80;
    static final int LEN_64BIT = 0x81;
    static final int ENCVAL = 3;

    // ---- special string encodings (after an ENCVAL prefix)
    static final int ENC_INT8 = 0;
    static final int ENC_INT16 = 1;
    static final int ENC_INT32 = 2;
    static final int ENC_LZF = 3;

    // ---- quicklist node containers (RDB_TYPE_LIST_QUICKLIST_2)
    public static final int QUICKLIST_PLAIN = 1;
    public static final int QUICKLIST_PACKED = 2;

    /** A readable name for a type byte, for messages and the check tool. */
    public static String typeName(int t) {
        return switch (t) {
            case TYPE_STRING -> "string";
            case TYPE_LIST, TYPE_LIST_ZIPLIST, TYPE_LIST_QUICKLIST, TYPE_LIST_QUICKLIST_2 -> "list";
            case TYPE_SET, TYPE_SET_INTSET -> "set";
            case TYPE_ZSET, TYPE_ZSET_2, TYPE_ZSET_ZIPLIST, TYPE_ZSET_LISTPACK -> "zset";
            case TYPE_HASH, TYPE_HASH_ZIPMAP, TYPE_HASH_ZIPLIST, TYPE_HASH_LISTPACK -> "hash";
            case TYPE_STREAM_LISTPACKS, TYPE_STREAM_LISTPACKS_2 -> "stream";
            case TYPE_MODULE, TYPE_MODULE_2 -> "module";
            default -> "unknown(" + t + ")";
        };
    }

    /** The encoding a type byte names, as Redis's check tool and our messages show it. */
    public static String encodingName(int t) {
        return switch (t) {
            case TYPE_STRING -> "string";
            case TYPE_LIST -> "linkedlist";
            case TYPE_SET -> "hashtable";
            case TYPE_ZSET -> "skiplist (v1 scores)";
            case TYPE_ZSET_2 -> "skiplist";
            case TYPE_HASH -> "hashtable";
            case TYPE_HASH_ZIPMAP -> "zipmap";
            case TYPE_LIST_ZIPLIST -> "ziplist";
            case TYPE_SET_INTSET -> "intset";
            case TYPE_ZSET_ZIPLIST, TYPE_HASH_ZIPLIST -> "ziplist";
            case TYPE_LIST_QUICKLIST -> "quicklist (ziplist nodes)";
            case TYPE_LIST_QUICKLIST_2 -> "quicklist";
            case TYPE_HASH_LISTPACK, TYPE_ZSET_LISTPACK -> "listpack";
            case TYPE_STREAM_LISTPACKS, TYPE_STREAM_LISTPACKS_2 -> "stream listpacks";
            case TYPE_MODULE, TYPE_MODULE_2 -> "module";
            default -> "unknown";
        };
    }
}
