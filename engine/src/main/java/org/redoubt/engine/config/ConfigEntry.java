package org.redoubt.engine.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.IntConsumer;
import java.util.function.IntFunction;
import java.util.function.IntSupplier;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * One directive of the {@link ConfigTable}: its names, flags and type, how it parses, shows and
 * rewrites its value. A directive with a binding reads and writes a {@link Config} field; one
 * without keeps its value here (accepted, validated and shown, but with no effect yet).
 */
public abstract class ConfigEntry {
    // ---- flags (Redis's *_CONFIG flags)
    public static final int IMMUTABLE = 1;
    public static final int SENSITIVE = 1 << 1;
    public static final int DEBUG = 1 << 2;
    public static final int MULTI_ARG = 1 << 3;
    public static final int HIDDEN = 1 << 4;
    public static final int PROTECTED = 1 << 5;
    public static final int DENY_LOADING = 1 << 6;
    public static final int VOLATILE = 1 << 9;

    public final String name;
    /** The other accepted name (slaveof, hash-max-ziplist-entries...), or null. */
    public final String alias;
    public final int flags;
    boolean bound;
    final List<Runnable> hooks = new ArrayList<>();

    ConfigEntry(String name, String alias, int flags) {
        this.name = name;
        this.alias = alias;
        this.flags = flags;
    }

    public final boolean has(int f) { return (flags & f) != 0; }

    /** True when the directive writes a {@link Config} field the server reads. */
    public final boolean isBound() { return bound; }

    /**
     * Validates and stores a value. args are the directive's arguments (one for a
     * single-argument directive); fromFile is true while a configuration file is read.
     * Returns null, or Redis's reason text when the value is refused.
     */
    abstract String set(List<String> args, boolean fromFile);

    /** The value as CONFIG GET shows it. */
    public abstract String get();

    /** The value in a form {@link #restore} puts back exactly (CONFIG SET rollback). */
    abstract Object snapshot();

    abstract void restore(Object snapshot);

    /** Writes this directive's lines into a CONFIG REWRITE state. */
    abstract void rewrite(ConfigRewriter rw);

    /** What {@link #get} shows for the default value, or null when there is no fixed one. */
    public abstract String defaultValue();

    /** Type and accepted values, for the docs: "int [0..65535]", "enum (yes|no|local)". */
    public abstract String typeText();

    public boolean isDefault() { return Objects.equals(get(), defaultValue()); }

    void runHooks() {
        for (Runnable r : hooks) r.run();
    }

    // =====================================================================================
    // bool
    // =====================================================================================

    public interface BoolSetter { void set(boolean v); }

    static final class Bool extends ConfigEntry {
        final boolean def;
        private BooleanSupplier getter;
        private BoolSetter setter;
        private boolean stored;
        /** Optional extra check: returns the reason text to refuse a value. */
        Function<Boolean, String> validator;

        Bool(String name, String alias, int flags, boolean def) {
            super(name, alias, flags);
            this.def = def;
            this.stored = def;
        }

        Bool bind(BooleanSupplier g, BoolSetter s) {
            getter = g;
            setter = s;
            bound = true;
            return this;
        }

        Bool validate(Function<Boolean, String> v) { validator = v; return this; }

        boolean value() { return getter != null ? getter.getAsBoolean() : stored; }

        void store(boolean v) { if (setter != null) setter.set(v); else stored = v; }

        @Override String set(List<String> args, boolean fromFile) {
            String a = args.get(0);
            boolean v;
            if (a.equalsIgnoreCase("yes")) v = true;
            else if (a.equalsIgnoreCase("no")) v = false;
            else return "argument must be 'yes' or 'no'";
            if (validator != null) {
                String err = validator.apply(v);
                if (err != null) return err;
            }
            store(v);
            return null;
        }

        @Override public String get() { return value() ? "yes" : "no"; }

        @Override Object snapshot() { return value(); }

        @Override void restore(Object s) { store((Boolean) s); }

        @Override void rewrite(ConfigRewriter rw) {
            boolean v = value();
            rw.rewriteLine(name, name + " " + (v ? "yes" : "no"), v != def);
        }

        @Override public String defaultValue() { return def ? "yes" : "no"; }

        @Override public String typeText() { return "bool (yes|no)"; }
    }

    // =====================================================================================
    // numbers
    // =====================================================================================

    /** The C type Redis stores the value in; it decides signed or unsigned bounds checks. */
    enum Kind { INT, UINT, LONG, ULONG, LONG_LONG, ULONG_LONG, SIZE_T, SSIZE_T, OFF_T, TIME_T }

    static final int INTEGER = 0, MEMORY = 1, PERCENT = 1 << 1, OCTAL = 1 << 2;

    static final class Num extends ConfigEntry {
        final Kind kind;
        final long lower, upper, def;
        final int numFlags;
        private LongSupplier getter;
        private LongConsumer setter;
        private long stored;

        Num(String name, String alias, int flags, Kind kind, long lower, long upper, long def, int numFlags) {
            super(name, alias, flags);
            this.kind = kind;
            this.lower = lower;
            this.upper = upper;
            this.def = def;
            this.numFlags = numFlags;
            this.stored = def;
        }

        Num bind(LongSupplier g, LongConsumer s) {
            getter = g;
            setter = s;
            bound = true;
            return this;
        }

        long value() { return getter != null ? getter.getAsLong() : stored; }

        void store(long v) {
            v = switch (kind) {
                case INT -> (int) v;
                case UINT -> v & 0xffffffffL;
                default -> v;
            };
            if (setter != null) setter.accept(v); else stored = v;
        }

        private boolean unsigned() {
            return kind == Kind.ULONG_LONG || kind == Kind.UINT || kind == Kind.SIZE_T;
        }

        /** Parses per the numeric flags; returns the value or sets err[0]. */
        Long parse(String value, String[] err) {
            if ((numFlags & MEMORY) != 0) {
                Long m = ConfigSyntax.memtoull(value);
                if (m != null) return m;
            }
            if ((numFlags & PERCENT) != 0 && value.length() > 1 && value.endsWith("%")) {
                Long p = ConfigSyntax.string2ll(value.substring(0, value.length() - 1));
                if (p != null && p >= 0) return -p;
            }
            if ((numFlags & OCTAL) != 0) {
                ConfigSyntax.Strtoll r = ConfigSyntax.strtoll(value, 8);
                if (!r.overflow() && r.complete()) return r.value();
            }
            if (numFlags == 0) {
                Long v = ConfigSyntax.string2ll(value);
                if (v != null) return v;
            }
            if ((numFlags & MEMORY) != 0 && (numFlags & PERCENT) != 0) err[0] = "argument must be a memory or percent value";
            else if ((numFlags & MEMORY) != 0) err[0] = "argument must be a memory value";
            else if ((numFlags & OCTAL) != 0) err[0] = "argument couldn't be parsed as an octal number";
            else err[0] = "argument couldn't be parsed into an integer";
            return null;
        }

        String boundsError(long ll) {
            if (unsigned()) {
                if (Long.compareUnsigned(ll, upper) > 0 || Long.compareUnsigned(ll, lower) < 0) {
                    if ((numFlags & OCTAL) != 0) {
                        return "argument must be between " + Long.toOctalString(lower) + " and "
                            + Long.toOctalString(upper) + " inclusive";
                    }
                    return "argument must be between " + Long.toUnsignedString(lower) + " and "
                        + Long.toUnsignedString(upper) + " inclusive";
                }
                return null;
            }
            if ((numFlags & PERCENT) != 0 && ll < 0) {
                if (ll < lower) return "percentage argument must be less or equal to " + (-lower);
                return null;
            }
            if (ll > upper || ll < lower) {
                return "argument must be between " + lower + " and " + upper + " inclusive";
            }
            return null;
        }

        @Override String set(List<String> args, boolean fromFile) {
            String[] err = new String[1];
            Long v = parse(args.get(0), err);
            if (v == null) return err[0];
            String b = boundsError(v);
            if (b != null) return b;
            store(v);
            return null;
        }

        String render(long v) {
            if ((numFlags & PERCENT) != 0 && v < 0) return (-v) + "%";
            if ((numFlags & MEMORY) != 0) return Long.toUnsignedString(v);
            if ((numFlags & OCTAL) != 0) return Long.toOctalString(v);
            return Long.toString(v);
        }

        @Override public String get() { return render(value()); }

        @Override Object snapshot() { return value(); }

        @Override void restore(Object s) { store((Long) s); }

        @Override void rewrite(ConfigRewriter rw) {
            long v = value();
            String text;
            if ((numFlags & PERCENT) != 0 && v < 0) text = (-v) + "%";
            else if ((numFlags & MEMORY) != 0) text = ConfigSyntax.formatMemory(v);
            else if ((numFlags & OCTAL) != 0) text = Long.toOctalString(v);
            else text = Long.toString(v);
            rw.rewriteLine(name, name + " " + text, v != def);
        }

        @Override public String defaultValue() { return render(def); }

        @Override public String typeText() {
            String t = (numFlags & MEMORY) != 0 ? "memory" : (numFlags & OCTAL) != 0 ? "octal" : "int";
            if ((numFlags & PERCENT) != 0) t += " or percent";
            String lo = unsigned() ? Long.toUnsignedString(lower) : Long.toString(lower);
            String hi = unsigned() ? Long.toUnsignedString(upper) : Long.toString(upper);
            if ((numFlags & OCTAL) != 0) { lo = Long.toOctalString(lower); hi = Long.toOctalString(upper); }
            return t + " [" + lo + ".." + hi + "]";
        }
    }

    // =====================================================================================
    // enums
    // =====================================================================================

    /** An enum's names and values, in Redis's order (the first name of a value is canonical). */
    record Values(String[] names, int[] values) {
        static Values of(Object... pairs) {
            String[] n = new String[pairs.length / 2];
            int[] v = new int[pairs.length / 2];
            for (int i = 0; i < n.length; i++) {
                n[i] = (String) pairs[2 * i];
                v[i] = (Integer) pairs[2 * i + 1];
            }
            return new Values(n, v);
        }

        /** The value of a name, or Integer.MIN_VALUE. */
        int valueOf(String name) {
            for (int i = 0; i < names.length; i++) if (names[i].equalsIgnoreCase(name)) return values[i];
            return Integer.MIN_VALUE;
        }
    }

    static final class Choice extends ConfigEntry {
        final Values values;
        final int def;
        private IntSupplier getter;
        private IntConsumer setter;
        private int stored;
        IntFunction<String> validator;

        Choice(String name, String alias, int flags, Values values, String defName) {
            super(name, alias, flags);
            this.values = values;
            this.def = values.valueOf(defName);
            if (def == Integer.MIN_VALUE) throw new IllegalArgumentException(name + ": bad default " + defName);
            this.stored = def;
        }

        Choice bind(IntSupplier g, IntConsumer s) {
            getter = g;
            setter = s;
            bound = true;
            return this;
        }

        /** Binds to a String field holding the canonical name. */
        Choice bindName(Supplier<String> g, Consumer<String> s) {
            return bind(() -> {
                int v = values.valueOf(g.get());
                return v == Integer.MIN_VALUE ? def : v;
            }, v -> s.accept(nameOf(v)));
        }

        Choice validate(IntFunction<String> v) { validator = v; return this; }

        int value() { return getter != null ? getter.getAsInt() : stored; }

        void store(int v) { if (setter != null) setter.accept(v); else stored = v; }

        String nameOf(int v) {
            for (int i = 0; i < values.names.length; i++) if (values.values[i] == v) return values.names[i];
            return "unknown";
        }

        /** Redis's configEnumGetName: the exact name, or for flag sets the names of the bits. */
        String names(int v) {
            boolean bitflags = has(MULTI_ARG);
            StringBuilder sb = null;
            int unmatched = v;
            for (int i = 0; i < values.names.length; i++) {
                int cv = values.values[i];
                if (v == cv) return values.names[i];
                if (bitflags && cv != 0 && cv == (unmatched & cv)) {
                    if (sb == null) sb = new StringBuilder(values.names[i]);
                    else sb.append(' ').append(values.names[i]);
                    unmatched &= ~cv;
                }
            }
            if (sb == null || unmatched != 0) return "unknown";
            return sb.toString();
        }

        @Override String set(List<String> args, boolean fromFile) {
            boolean bitflags = has(MULTI_ARG);
            int v = Integer.MIN_VALUE;
            if (!args.isEmpty() && (bitflags || args.size() == 1)) {
                v = 0;
                for (String a : args) {
                    boolean matched = false;
                    for (int i = 0; i < values.names.length; i++) {
                        if (values.names[i].equalsIgnoreCase(a)) {
                            v |= values.values[i];
                            matched = true;
                        }
                    }
                    if (!matched) { v = Integer.MIN_VALUE; break; }
                }
            }
            if (v == Integer.MIN_VALUE) {
                String msg = "argument(s) must be one of the following: " + String.join(", ", values.names);
                return msg.length() > 255 ? msg.substring(0, 255) : msg;
            }
            if (validator != null) {
                String err = validator.apply(v);
                if (err != null) return err;
            }
            store(v);
            return null;
        }

        @Override public String get() { return names(value()); }

        @Override Object snapshot() { return value(); }

        @Override void restore(Object s) { store((Integer) s); }

        @Override void rewrite(ConfigRewriter rw) {
            int v = value();
            rw.rewriteLine(name, name + " " + names(v), v != def);
        }

        @Override public String defaultValue() { return names(def); }

        @Override public String typeText() {
            return (has(MULTI_ARG) ? "enum set (" : "enum (") + String.join("|", values.names) + ")";
        }
    }

    // =====================================================================================
    // strings
    // =====================================================================================

    static final class Str extends ConfigEntry {
        /** Redis's EMPTY_STRING_IS_NULL: "" means "not set" (and is not written by REWRITE). */
        final boolean emptyIsNull;
        final String def;
        private Supplier<String> getter;
        private Consumer<String> setter;
        private String stored;
        Function<String, String> validator;

        Str(String name, String alias, int flags, boolean emptyIsNull, String def) {
            super(name, alias, flags);
            this.emptyIsNull = emptyIsNull;
            this.def = def;
            this.stored = def;
        }

        /**
         * Binds to a String field. For an empty-is-null directive the field holds "" for
         * "not set" (the getter's "" reads back as null).
         */
        Str bind(Supplier<String> g, Consumer<String> s) {
            getter = g;
            setter = s;
            bound = true;
            return this;
        }

        Str validate(Function<String, String> v) { validator = v; return this; }

        /** The value, null when not set. */
        String value() {
            if (getter == null) return stored;
            String v = getter.get();
            return emptyIsNull && (v == null || v.isEmpty()) ? null : v;
        }

        void store(String v) {
            if (setter != null) setter.accept(v == null ? "" : v);
            else stored = v;
        }

        @Override String set(List<String> args, boolean fromFile) {
            String a = args.get(0);
            if (validator != null) {
                String err = validator.apply(a);
                if (err != null) return err;
            }
            store(emptyIsNull && a.isEmpty() ? null : a);
            return null;
        }

        @Override public String get() {
            String v = value();
            return v == null ? "" : v;
        }

        @Override Object snapshot() { return new String[] {value()}; }

        @Override void restore(Object s) { store(((String[]) s)[0]); }

        @Override void rewrite(ConfigRewriter rw) { rw.rewriteString(name, value(), def); }

        @Override public String defaultValue() { return def == null ? "" : def; }

        @Override public String typeText() { return "string"; }
    }

    // =====================================================================================
    // special directives (save, bind, dir...)
    // =====================================================================================

    /** A directive with its own parser, display and rewrite (Redis's SPECIAL_CONFIG). */
    abstract static class Special extends ConfigEntry {
        private final String type;

        Special(String name, String alias, int flags, String type) {
            super(name, alias, flags);
            this.type = type;
        }

        Special bound() { bound = true; return this; }

        @Override public String typeText() { return type; }
    }

    static String lower(String s) { return s.toLowerCase(Locale.ROOT); }
}
