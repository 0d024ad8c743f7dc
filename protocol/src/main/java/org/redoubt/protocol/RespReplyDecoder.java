package org.redoubt.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.DecoderException;
import io.netty.util.ByteProcessor;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Decodes RESP2 and RESP3 replies into Java objects, incrementally (elements already decoded
 * inside an aggregate are never re-parsed, a partially received bulk is only re-checked).
 * One instance per channel (not {@code @Sharable}).
 *
 * <table>
 *   <caption>Mapping</caption>
 *   <tr><td>{@code +} simple string</td><td>{@link String} (UTF-8)</td></tr>
 *   <tr><td>{@code -} error, {@code !} blob error</td><td>{@link RespClient.Error}</td></tr>
 *   <tr><td>{@code :} integer</td><td>{@link Long}</td></tr>
 *   <tr><td>{@code $} bulk, {@code $?} streamed string</td><td>{@code byte[]}</td></tr>
 *   <tr><td>{@code $-1}, {@code *-1}, {@code _}</td><td>{@code null} (a top-level null is emitted
 *       as {@link #NULL} since Netty messages cannot be null)</td></tr>
 *   <tr><td>{@code *} array</td><td>{@link List}{@code <Object>}</td></tr>
 *   <tr><td>{@code %} map</td><td>{@link LinkedHashMap}{@code <Object,Object>} (reply order;
 *       bulk keys stay {@code byte[]}, see {@link RespClient#get(Map, String)})</td></tr>
 *   <tr><td>{@code ~} set</td><td>{@link LinkedHashSet}{@code <Object>} (reply order)</td></tr>
 *   <tr><td>{@code ,} double</td><td>{@link Double} (inf, -inf, nan)</td></tr>
 *   <tr><td>{@code #} boolean</td><td>{@link Boolean}</td></tr>
 *   <tr><td>{@code (} big number</td><td>{@link BigInteger}</td></tr>
 *   <tr><td>{@code =} verbatim</td><td>{@link RespClient.Verbatim}</td></tr>
 *   <tr><td>{@code >} push (top level)</td><td>{@link RespClient.Push}</td></tr>
 *   <tr><td>{@code |} attribute (top level)</td><td>{@link RespClient.Attributes}, emitted before
 *       the reply it annotates; attributes inside aggregates are dropped</td></tr>
 * </table>
 * Streamed aggregates ({@code *?}, {@code %?}, {@code ~?} ... {@code .}) are supported.
 * Malformed input raises a {@link DecoderException}.
 */
public final class RespReplyDecoder extends ByteToMessageDecoder {
    /** Stand-in emitted for a top-level null reply. */
    public static final Object NULL = new Object() {
        @Override
        public String toString() {
            return "(nil)";
        }
    };

    private static final Object INCOMPLETE = new Object();
    private static final Object CHUNK = new Object();
    private static final ByteProcessor FIND_LF = ByteProcessor.FIND_LF;

    private static final int T_ARRAY = 0, T_MAP = 1, T_SET = 2, T_PUSH = 3, T_ATTR = 4, T_STREAM_STR = 5;

    private static final class Frame {
        final int type;
        long remaining; // elements (map: keys + values) still expected; -1 when streamed
        final List<Object> items;
        final ByteArrayOutputStream chunks;

        Frame(int type, long n) {
            this.type = type;
            this.remaining = n < 0 ? -1 : (type == T_MAP || type == T_ATTR ? 2 * n : n);
            this.items = type == T_STREAM_STR ? null : new ArrayList<>((int) Math.min(Math.max(this.remaining, 4), 1024));
            this.chunks = type == T_STREAM_STR ? new ByteArrayOutputStream() : null;
        }

        Object build() {
            switch (type) {
                case T_MAP:
                case T_ATTR: {
                    Map<Object, Object> m = new LinkedHashMap<>(Math.max(4, items.size()));
                    for (int i = 0; i + 1 < items.size(); i += 2) m.put(items.get(i), items.get(i + 1));
                    return type == T_ATTR ? new RespClient.Attributes(m) : m;
                }
                case T_SET:
                    return new LinkedHashSet<>(items);
                case T_PUSH:
                    return new RespClient.Push(Collections.unmodifiableList(items));
                case T_STREAM_STR:
                    return chunks.toByteArray();
                default:
                    return items;
            }
        }
    }

    private final ArrayDeque<Frame> stack = new ArrayDeque<>();

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        try {
            decodeAvailable(in, out);
        } catch (DecoderException e) {
            // The stream cannot be resynchronized: drop what is left so it is not decoded again.
            in.skipBytes(in.readableBytes());
            stack.clear();
            throw e;
        }
    }

    private void decodeAvailable(ByteBuf in, List<Object> out) {
        while (in.isReadable()) {
            Object v = next(in);
            if (v == INCOMPLETE) return;
            if (v == CHUNK) continue;
            if (v instanceof Frame f) {
                if (f.remaining != 0) {
                    stack.push(f);
                    continue;
                }
                v = f.build(); // empty aggregate
            }
            deliver(v, out);
        }
    }

    /** Adds a finished value to the open aggregates, closing those that become complete. */
    private void deliver(Object v, List<Object> out) {
        for (;;) {
            Frame top = stack.peek();
            if (top == null) {
                out.add(v == null ? NULL : v);
                return;
            }
            if (v instanceof RespClient.Attributes) return; // nested attribute: not an element
            if (top.type == T_STREAM_STR) throw new DecoderException("RESP: value inside a streamed string");
            top.items.add(v);
            if (top.remaining > 0 && --top.remaining == 0) {
                stack.pop();
                v = top.build();
                continue;
            }
            return;
        }
    }

    /** Parses one token: a scalar value, a new Frame, or INCOMPLETE. Consumes what it parses. */
    private Object next(ByteBuf in) {
        final int start = in.readerIndex();
        final int lf = in.forEachByte(start, in.readableBytes(), FIND_LF);
        if (lf < 0) return INCOMPLETE;
        if (lf == start || in.getByte(lf - 1) != '\r') throw new DecoderException("RESP: line not terminated by CRLF");
        final byte type = in.getByte(start);
        final int from = start + 1, to = lf - 1; // line content without the type byte
        final int after = lf + 1;
        switch (type) {
            case '+': {
                String s = in.toString(from, to - from, StandardCharsets.UTF_8);
                in.readerIndex(after);
                return s;
            }
            case '-': {
                String s = in.toString(from, to - from, StandardCharsets.UTF_8);
                in.readerIndex(after);
                return new RespClient.Error(s);
            }
            case ':': {
                long v = parseLong(in, from, to);
                in.readerIndex(after);
                return v;
            }
            case ',': {
                String s = in.toString(from, to - from, StandardCharsets.US_ASCII);
                in.readerIndex(after);
                return parseDouble(s);
            }
            case '#': {
                if (to - from != 1) throw new DecoderException("RESP: bad boolean");
                byte b = in.getByte(from);
                if (b != 't' && b != 'f') throw new DecoderException("RESP: bad boolean");
                in.readerIndex(after);
                return b == 't';
            }
            case '(': {
                String s = in.toString(from, to - from, StandardCharsets.US_ASCII);
                in.readerIndex(after);
                try {
                    return new BigInteger(s);
                } catch (NumberFormatException e) {
                    throw new DecoderException("RESP: bad big number: " + s);
                }
            }
            case '_': {
                if (to != from) throw new DecoderException("RESP: bad null");
                in.readerIndex(after);
                return null;
            }
            case '$': case '=': case '!': {
                if (type == '$' && to - from == 1 && in.getByte(from) == '?') {
                    in.readerIndex(after);
                    return new Frame(T_STREAM_STR, -1);
                }
                long len = parseLong(in, from, to);
                if (len < 0) {
                    if (type == '$' && len == -1) {
                        in.readerIndex(after);
                        return null;
                    }
                    throw new DecoderException("RESP: bad length " + len);
                }
                if (len > Integer.MAX_VALUE - 8) throw new DecoderException("RESP: bulk too long");
                if (in.writerIndex() - after < len + 2) return INCOMPLETE;
                byte[] data = new byte[(int) len];
                in.getBytes(after, data);
                in.readerIndex(after + (int) len + 2);
                if (type == '$') return data;
                if (type == '!') return new RespClient.Error(new String(data, StandardCharsets.UTF_8));
                if (len < 4 || data[3] != ':') throw new DecoderException("RESP: bad verbatim string");
                return new RespClient.Verbatim(new String(data, 0, 3, StandardCharsets.US_ASCII),
                        java.util.Arrays.copyOfRange(data, 4, data.length));
            }
            case ';': {
                Frame top = stack.peek();
                if (top == null || top.type != T_STREAM_STR) throw new DecoderException("RESP: chunk outside a streamed string");
                long len = parseLong(in, from, to);
                if (len < 0 || len > Integer.MAX_VALUE - 8) throw new DecoderException("RESP: bad chunk length");
                if (len == 0) {
                    in.readerIndex(after);
                    stack.pop();
                    return top.build();
                }
                if (in.writerIndex() - after < len + 2) return INCOMPLETE;
                byte[] data = new byte[(int) len];
                in.getBytes(after, data);
                top.chunks.write(data, 0, data.length);
                in.readerIndex(after + (int) len + 2);
                return CHUNK; // a chunk is not a value
            }
            case '*': case '%': case '~': case '>': case '|': {
                int ft = type == '*' ? T_ARRAY : type == '%' ? T_MAP : type == '~' ? T_SET : type == '>' ? T_PUSH : T_ATTR;
                if (to - from == 1 && in.getByte(from) == '?') {
                    in.readerIndex(after);
                    return new Frame(ft, -1);
                }
                long n = parseLong(in, from, to);
                in.readerIndex(after);
                if (n < 0) {
                    if (n == -1 && type == '*') return null;
                    throw new DecoderException("RESP: bad aggregate length " + n);
                }
                return new Frame(ft, n);
            }
            case '.': {
                Frame top = stack.peek();
                if (top == null || top.remaining != -1 || top.type == T_STREAM_STR || to != from) {
                    throw new DecoderException("RESP: unexpected end of streamed aggregate");
                }
                in.readerIndex(after);
                stack.pop();
                return top.build();
            }
            default:
                throw new DecoderException("RESP: unknown type byte 0x" + Integer.toHexString(type & 0xff));
        }
    }

    private static Object parseDouble(String s) {
        switch (s) {
            case "inf": case "+inf": return Double.POSITIVE_INFINITY;
            case "-inf": return Double.NEGATIVE_INFINITY;
            case "nan": case "-nan": return Double.NaN;
            default:
                try {
                    return Double.parseDouble(s);
                } catch (NumberFormatException e) {
                    throw new DecoderException("RESP: bad double: " + s);
                }
        }
    }

    private static long parseLong(ByteBuf in, int from, int to) {
        int len = to - from;
        if (len <= 0 || len >= Numbers.LONG_STR_SIZE) throw new DecoderException("RESP: bad number");
        byte[] tmp = new byte[len];
        in.getBytes(from, tmp);
        long[] v = new long[1];
        if (!Numbers.tryParseLong(tmp, 0, len, v)) {
            // tolerate a leading '+', which string2ll refuses but RESP writers may emit
            if (tmp[0] == '+' && len > 1 && Numbers.tryParseLong(tmp, 1, len - 1, v) && v[0] >= 0) return v[0];
            throw new DecoderException("RESP: bad number: " + new String(tmp, StandardCharsets.US_ASCII));
        }
        return v[0];
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) {
        stack.clear();
    }
}
