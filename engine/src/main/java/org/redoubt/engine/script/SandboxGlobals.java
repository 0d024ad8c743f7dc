package org.redoubt.engine.script;

import org.luaj.vm2.Globals;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaValue;

/**
 * A globals table that can be locked like {@link LockableTable}. It must be a {@link Globals}:
 * LuaJ only runs the debug hooks (our instruction counter, the error position) for closures
 * whose environment is a Globals.
 */
final class SandboxGlobals extends Globals {
    boolean readonly;

    void forceSet(String key, LuaValue value) {
        boolean r = readonly;
        readonly = false;
        try {
            super.rawset(LuaValue.valueOf(key), value);
        } finally {
            readonly = r;
        }
    }

    private void check() {
        if (readonly) throw new LuaError(LockableTable.READONLY_ERROR);
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
}
