package org.redoubt.engine.util;

import java.lang.invoke.MethodHandle;
import java.lang.reflect.Array;
import java.lang.reflect.Method;
import java.util.Optional;

/**
 * Downcall handles for C library functions, through the foreign function API looked up
 * reflectively: the code is compiled for Java 21, where that API is a preview, but runs on newer
 * JDKs where it is final. Every failure (Java 21, native access denied, no such symbol) yields
 * null, so callers keep a Java fallback.
 */
public final class NativeLink {
    private NativeLink() {}

    /** A C scalar type of a signature. */
    public enum Type {
        INT("JAVA_INT"), DOUBLE("JAVA_DOUBLE");

        final String layoutField;

        Type(String layoutField) { this.layoutField = layoutField; }
    }

    /**
     * A handle for {@code ret symbol(args...)} from the default lookup (the C library), typed
     * with the Java primitives of the types (invokeExact-compatible), or null when unavailable.
     */
    public static MethodHandle downcall(String symbol, Type ret, Type... args) {
        try {
            Class<?> linkerC = Class.forName("java.lang.foreign.Linker");
            Class<?> lookupC = Class.forName("java.lang.foreign.SymbolLookup");
            Class<?> layoutC = Class.forName("java.lang.foreign.MemoryLayout");
            Class<?> valueLayoutC = Class.forName("java.lang.foreign.ValueLayout");
            Class<?> descC = Class.forName("java.lang.foreign.FunctionDescriptor");
            Class<?> segC = Class.forName("java.lang.foreign.MemorySegment");
            Class<?> optC = Class.forName("java.lang.foreign.Linker$Option");
            Object linker = linkerC.getMethod("nativeLinker").invoke(null);
            Object libs = linkerC.getMethod("defaultLookup").invoke(linker);
            Object[] argLayouts = (Object[]) Array.newInstance(layoutC, args.length);
            for (int i = 0; i < args.length; i++) argLayouts[i] = valueLayoutC.getField(args[i].layoutField).get(null);
            Object retLayout = valueLayoutC.getField(ret.layoutField).get(null);
            Method of = descC.getMethod("of", layoutC, argLayouts.getClass());
            Object desc = of.invoke(null, retLayout, argLayouts);
            Optional<?> sym = (Optional<?>) lookupC.getMethod("find", String.class).invoke(libs, symbol);
            if (sym.isEmpty()) return null;
            Object noOptions = Array.newInstance(optC, 0);
            Method downcall = linkerC.getMethod("downcallHandle", segC, descC, noOptions.getClass());
            return (MethodHandle) downcall.invoke(linker, sym.get(), desc, noOptions);
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            return null;
        }
    }
}
