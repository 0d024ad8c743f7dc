package org.redoubt.engine.script;

import org.luaj.vm2.LuaClosure;
import org.luaj.vm2.LuaFunction;
import org.luaj.vm2.Prototype;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.lib.DebugLib;

/**
 * LuaJ's per-instruction hook, reduced to what the server needs (LuaJ's own DebugLib keeps a
 * full call stack and costs 3x): the innermost Lua frame and its program counter, so an error
 * can name the variable it is about ("attempt to call global 'foo' (a nil value)") as Lua 5.1
 * does; and an instruction countdown that calls {@link Scripting#interrupt} every
 * {@link #CHECK_EVERY} instructions (script time limit, SCRIPT KILL, FUNCTION LOAD timeout).
 *
 * <p>Installed as {@code globals.debuglib} of the sandbox globals only; never exposed to
 * scripts (there is no {@code debug} library in the sandbox). Engine thread only, except that
 * coroutines run on LuaJ's own threads in strict hand-off with the engine thread.
 */
final class LuaHook extends DebugLib {
    static final int CHECK_EVERY = 10_000;

    private final Scripting owner;
    private Prototype[] protos = new Prototype[64];
    private int[] pcs = new int[64];
    private int depth;
    int countdown = CHECK_EVERY;
    /** The frame that was running when the last error was raised. */
    Prototype errProto;
    int errPc = -1;

    LuaHook(Scripting owner) {
        this.owner = owner;
    }

    void reset() {
        depth = 0;
        countdown = CHECK_EVERY;
        errProto = null;
        errPc = -1;
    }

    @Override
    public void onCall(LuaFunction f) {
        push(null);
    }

    @Override
    public void onCall(LuaClosure c, Varargs varargs, LuaValue[] stack) {
        push(c.p);
    }

    private void push(Prototype p) {
        if (depth == protos.length) {
            protos = java.util.Arrays.copyOf(protos, depth * 2);
            pcs = java.util.Arrays.copyOf(pcs, depth * 2);
        }
        protos[depth] = p;
        pcs[depth] = -1;
        depth++;
    }

    @Override
    public void onInstruction(int pc, Varargs v, int top) {
        if (depth > 0) pcs[depth - 1] = pc;
        if (--countdown <= 0) {
            countdown = CHECK_EVERY;
            owner.interrupt(this);
        }
    }

    @Override
    public void onReturn() {
        if (depth > 0) depth--;
    }

    /**
     * Called by LuaJ when an error crosses a Lua frame for the first time: remember where it
     * happened. The text is appended to the message after a newline, so return nothing.
     */
    @Override
    public String traceback(int level) {
        int d = depth - 1;
        while (d >= 0 && protos[d] == null) d--;
        if (d >= 0) {
            errProto = protos[d];
            errPc = pcs[d];
        }
        return "";
    }
}
