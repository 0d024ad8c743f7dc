package org.redoubt.engine.script;

import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;

/**
 * A table that can be made read-only, as Redis's patched Lua 5.1 does for the globals, the
 * libraries and their metatables: every write (raw or not, setmetatable, table.sort) then fails
 * with "Attempt to modify a readonly table". Redis checks the flag before any metamethod, so do we.
 */
public class LockableTable extends LuaTable {
    static final String READONLY_ERROR = "Attempt to modify a readonly table";

    public boolean readonly;

    public LockableTable() {}

    /** Writes past the lock, for the server itself (KEYS/ARGV, the globals metatable swap). */
    public void forceSet(String key, LuaValue value) {
        boolean r = readonly;
        readonly = false;
        try {
            super.rawset(LuaValue.valueOf(key), value);
        } finally {
            readonly = r;
        }
    }

    private void check() {
        if (readonly) throw new LuaError(READONLY_ERROR);
    }

    @Override public void set(int key, LuaValue value) { check(); super.set(key, value); }
    @Override public void set(LuaValue key, LuaValue value) { check(); super.set(key, value); }
    @Override public void rawset(int key, LuaValue value) { check(); super.rawset(key, value); }
    @Override public void rawset(LuaValue key, LuaValue value) { check(); super.rawset(key, value); }
    @Override public void hashset(LuaValue key, LuaValue value) { check(); super.hashset(key, value); }
    @Override public LuaValue setmetatable(LuaValue mt) { check(); return super.setmetatable(mt); }
    @Override public void sort(LuaValue comparator) { check(); super.sort(comparator); }
    @Override public void insert(int pos, LuaValue value) { check(); super.insert(pos, value); }
    @Override public LuaValue remove(int pos) { check(); return super.remove(pos); }

    /** Makes this table and every table reachable from it (values, metatables) read-only. */
    public static void protectRecursively(LuaValue v) {
        if (!(v instanceof LuaTable t)) return;
        if (t instanceof LockableTable lt) {
            if (lt.readonly) return;
            lt.readonly = true;
        } else if (t instanceof SandboxGlobals g) {
            if (g.readonly) return;
            g.readonly = true;
        } else {
            return;  // a plain table is not ours to lock (the sandbox copies libraries into lockable ones)
        }
        LuaValue k = LuaValue.NIL;
        while (true) {
            var n = t.next(k);
            if ((k = n.arg1()).isnil()) break;
            protectRecursively(n.arg(2));
        }
        LuaValue mt = t.getmetatable();
        if (mt != null) protectRecursively(mt);
    }
}
