package dev.conceptprune.model.ckpt;

import dev.conceptprune.io.WeightFormatException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A pickle virtual machine that understands exactly what {@code torch.save} writes for a dict of
 * tensors and nothing more. Globals are matched by name against {@link PickleGlobal} the moment
 * they are read and never resolved to anything executable; the three callables it knows
 * (tensor rebuild, parameter rebuild, OrderedDict) are interpreted as data descriptions. Any
 * other global, opcode or use of a callable is refused with a one-line message naming it.
 *
 * <p>Values come out as Java objects: {@code String}, {@code Long}, {@code Double},
 * {@code Boolean}, {@code null} (None), {@link PickleTuple}, {@code List}, {@code Map} (insertion
 * order kept), {@link StorageRef} and {@link TensorRef}.
 */
final class RestrictedUnpickler {
    private static final int HIGHEST_PROTOCOL = 5;

    private final Path file;
    private final String entry;
    private final ByteBuffer in;
    private final List<Object> stack = new ArrayList<>();
    private final Deque<Integer> marks = new ArrayDeque<>();
    private final Map<Long, Object> memo = new HashMap<>();
    private final Set<Object> orderedDicts = Collections.newSetFromMap(new IdentityHashMap<>());
    private final Map<String, StorageRef> storages = new HashMap<>();
    private int opStart;

    private RestrictedUnpickler(Path file, String entry, byte[] data) {
        this.file = file;
        this.entry = entry;
        this.in = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * Runs the pickle in {@code data} (the archive entry {@code entry} of {@code file}, both named
     * in errors) and returns the value it stops with.
     */
    static Object load(Path file, String entry, byte[] data) {
        return new RestrictedUnpickler(file, entry, data).run();
    }

    private Object run() {
        while (true) {
            opStart = in.position();
            if (!in.hasRemaining()) {
                throw refuse("pickle ends without a STOP opcode (truncated?)");
            }
            int b = in.get() & 0xff;
            PickleOp op = PickleOp.of(b);
            if (op == null) {
                throw refuse(String.format("unknown pickle opcode 0x%02x", b));
            }
            if (!op.allowed()) {
                throw refuse("pickle opcode " + op.describe() + " is not allowed in a tensor checkpoint");
            }
            if (op == PickleOp.STOP) {
                if (stack.size() != 1 || !marks.isEmpty()) {
                    throw refuse("STOP with " + stack.size() + " values on the stack (malformed pickle)");
                }
                return stack.get(0);
            }
            execute(op);
        }
    }

    private void execute(PickleOp op) {
        switch (op) {
            case PROTO -> {
                int v = u8();
                if (v > HIGHEST_PROTOCOL) {
                    throw refuse("unsupported pickle protocol " + v);
                }
            }
            case FRAME -> bytes(8);
            case MARK -> marks.push(stack.size());
            case POP -> pop();
            case POP_MARK -> popMark();
            case DUP -> push(peek());
            case NONE -> push(null);
            case NEWTRUE -> push(Boolean.TRUE);
            case NEWFALSE -> push(Boolean.FALSE);
            case BININT -> push((long) i32());
            case BININT1 -> push((long) u8());
            case BININT2 -> push((long) u16());
            case LONG1 -> push(long1(u8()));
            case BINFLOAT -> push(ByteBuffer.wrap(bytes(8)).order(ByteOrder.BIG_ENDIAN).getDouble());
            case SHORT_BINUNICODE -> push(utf8(u8()));
            case BINUNICODE -> push(utf8(i32() & 0xffffffffL));
            case BINUNICODE8 -> push(utf8(i64()));
            case EMPTY_TUPLE -> push(new PickleTuple(List.of()));
            case TUPLE1 -> push(new PickleTuple(popN(1)));
            case TUPLE2 -> push(new PickleTuple(popN(2)));
            case TUPLE3 -> push(new PickleTuple(popN(3)));
            case TUPLE -> push(new PickleTuple(popMark()));
            case EMPTY_LIST -> push(new ArrayList<>());
            case LIST -> push(new ArrayList<>(popMark()));
            case EMPTY_DICT -> push(new LinkedHashMap<>());
            case DICT -> {
                Map<Object, Object> d = new LinkedHashMap<>();
                putPairs(d, popMark());
                push(d);
            }
            case APPEND -> {
                Object v = pop();
                listOnTop("APPEND").add(v);
            }
            case APPENDS -> {
                List<Object> items = popMark();
                listOnTop("APPENDS").addAll(items);
            }
            case SETITEM -> {
                Object v = pop();
                Object k = pop();
                putPairs(dictOnTop("SETITEM"), Arrays.asList(k, v));
            }
            case SETITEMS -> {
                List<Object> items = popMark();
                putPairs(dictOnTop("SETITEMS"), items);
            }
            case BINPUT -> memo.put((long) u8(), peek());
            case LONG_BINPUT -> memo.put(i32() & 0xffffffffL, peek());
            case MEMOIZE -> memo.put((long) memo.size(), peek());
            case BINGET -> push(memoGet(u8()));
            case LONG_BINGET -> push(memoGet(i32() & 0xffffffffL));
            case GLOBAL -> push(global(line(), line()));
            case STACK_GLOBAL -> {
                Object name = pop();
                Object module = pop();
                if (!(module instanceof String m) || !(name instanceof String n)) {
                    throw refuse("STACK_GLOBAL needs two strings (malformed pickle)");
                }
                push(global(m, n));
            }
            case BINPERSID -> push(storage(pop()));
            case REDUCE -> {
                Object args = pop();
                Object callable = pop();
                push(reduce(callable, args));
            }
            case BUILD -> {
                Object state = pop();
                build(peek(), state);
            }
            default -> throw refuse("pickle opcode " + op.describe() + " is not allowed in a tensor checkpoint");
        }
    }


    private PickleGlobal global(String module, String name) {
        PickleGlobal g = PickleGlobal.find(module, name);
        if (g == null) {
            throw refuse("pickle names the global " + MessageText.escape(module + "." + name)
                    + ", which a tensor checkpoint never needs; refused without running anything");
        }
        return g;
    }

    private Object reduce(Object callable, Object args) {
        if (!(callable instanceof PickleGlobal g)) {
            throw refuse("REDUCE applied to " + MessageText.describe(callable) + ", not to an allowed function");
        }
        if (!(args instanceof PickleTuple t)) {
            throw refuse("REDUCE of " + g.dotted() + " with " + MessageText.describe(args)
                    + " instead of an argument tuple");
        }
        return switch (g) {
            case REBUILD_TENSOR_V2 -> rebuildTensor(t);
            case REBUILD_PARAMETER -> {
                if (t.size() < 1 || !(t.get(0) instanceof TensorRef data)) {
                    throw refuse(g.dotted() + " expects a tensor as its first argument");
                }
                yield data;
            }
            case ORDERED_DICT -> {
                if (t.size() != 0) {
                    throw refuse(g.dotted() + " called with " + t.size() + " arguments; only () is allowed");
                }
                Map<Object, Object> d = new LinkedHashMap<>();
                orderedDicts.add(d);
                yield d;
            }
            default -> throw refuse("REDUCE of " + g.dotted()
                    + " is not allowed: a storage type is only valid in a persistent id");
        };
    }

    /** {@code _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])}. */
    private TensorRef rebuildTensor(PickleTuple t) {
        String fn = PickleGlobal.REBUILD_TENSOR_V2.dotted();
        if (t.size() != 6 && t.size() != 7) {
            throw refuse(fn + " called with " + t.size() + " arguments; expected 6 or 7");
        }
        if (!(t.get(0) instanceof StorageRef s)) {
            throw refuse(fn + ": first argument is " + MessageText.describe(t.get(0)) + ", not a storage");
        }
        if (!(t.get(1) instanceof Long offset)) {
            throw refuse(fn + ": storage offset is " + MessageText.describe(t.get(1)) + ", not an integer");
        }
        long[] shape = longs(fn + " size", t.get(2));
        long[] stride = longs(fn + " stride", t.get(3));
        if (shape.length != stride.length) {
            throw refuse(fn + ": size has " + shape.length + " dimensions, stride " + stride.length);
        }
        return new TensorRef(s, offset, shape, stride);
    }

    private long[] longs(String what, Object v) {
        if (!(v instanceof PickleTuple t)) {
            throw refuse(what + " is " + MessageText.describe(v) + ", not a tuple of integers");
        }
        long[] out = new long[t.size()];
        for (int i = 0; i < out.length; i++) {
            if (!(t.get(i) instanceof Long x)) {
                throw refuse(what + " holds " + MessageText.describe(t.get(i)) + ", not an integer");
            }
            out[i] = x;
        }
        return out;
    }

    /** A persistent id; the only kind torch writes is {@code ('storage', type, key, location, numel)}. */
    private StorageRef storage(Object pid) {
        if (!(pid instanceof PickleTuple t) || t.size() != 5 || !"storage".equals(t.get(0))) {
            throw refuse("persistent id is " + MessageText.describe(pid)
                    + ", not ('storage', type, key, location, numel)");
        }
        if (!(t.get(1) instanceof PickleGlobal g) || g.storageType() == null) {
            throw refuse("persistent id names " + MessageText.describe(t.get(1)) + " instead of a storage type");
        }
        if (!(t.get(2) instanceof String key) || !(t.get(3) instanceof String location)
                || !(t.get(4) instanceof Long numel) || numel < 0) {
            throw refuse("persistent id for a " + g.dotted() + " has malformed key, location or size");
        }
        StorageRef s = new StorageRef(key, g.storageType(), location, numel);
        StorageRef prev = storages.putIfAbsent(key, s);
        if (prev != null && !prev.equals(s)) {
            throw refuse("storage " + MessageText.quote(key) + " is described twice, with different type or size");
        }
        return s;
    }

    private void build(Object target, Object state) {
        if (!orderedDicts.contains(target)) {
            throw refuse("BUILD on " + MessageText.describe(target)
                    + "; only collections.OrderedDict may receive state");
        }
        if (state != null && !(state instanceof Map)) {
            throw refuse("BUILD of an OrderedDict with " + MessageText.describe(state) + " as state");
        }
        // The state is the dict's attributes (torch's "_metadata" of module versions): nothing a reader needs.
    }

    private void putPairs(Map<Object, Object> d, List<Object> items) {
        if (items.size() % 2 != 0) {
            throw refuse("odd number of items for a dict (malformed pickle)");
        }
        for (int i = 0; i < items.size(); i += 2) {
            Object k = items.get(i);
            if (!isScalar(k)) {
                throw refuse("dict key is " + MessageText.describe(k)
                        + "; a tensor checkpoint only uses string and number keys");
            }
            d.put(k, items.get(i + 1));
        }
    }

    /** None, a string, an integer, a float or a bool: the values that may be dict keys here. */
    static boolean isScalar(Object v) {
        return v == null || v instanceof String || v instanceof Long || v instanceof Double || v instanceof Boolean;
    }

    @SuppressWarnings("unchecked")
    private List<Object> listOnTop(String op) {
        Object top = peek();
        if (!(top instanceof List)) {
            throw refuse(op + " onto " + MessageText.describe(top) + ", not a list");
        }
        return (List<Object>) top;
    }

    @SuppressWarnings("unchecked")
    private Map<Object, Object> dictOnTop(String op) {
        Object top = peek();
        if (!(top instanceof Map)) {
            throw refuse(op + " onto " + MessageText.describe(top) + ", not a dict");
        }
        return (Map<Object, Object>) top;
    }

    private Object memoGet(long index) {
        if (!memo.containsKey(index)) {
            throw refuse("memo index " + index + " was never stored (malformed pickle)");
        }
        return memo.get(index);
    }

    private void push(Object v) {
        stack.add(v);
    }

    private Object pop() {
        int floor = marks.isEmpty() ? 0 : marks.peek();
        if (stack.size() <= floor) {
            throw refuse("stack underflow (malformed pickle)");
        }
        return stack.remove(stack.size() - 1);
    }

    private Object peek() {
        int floor = marks.isEmpty() ? 0 : marks.peek();
        if (stack.size() <= floor) {
            throw refuse("stack underflow (malformed pickle)");
        }
        return stack.get(stack.size() - 1);
    }

    private List<Object> popN(int n) {
        Object[] items = new Object[n];
        for (int i = n - 1; i >= 0; i--) {
            items[i] = pop();
        }
        List<Object> out = new ArrayList<>(n);
        Collections.addAll(out, items);
        return out;
    }

    private List<Object> popMark() {
        if (marks.isEmpty()) {
            throw refuse("no MARK to pop to (malformed pickle)");
        }
        int mark = marks.pop();
        List<Object> top = stack.subList(mark, stack.size());
        List<Object> items = new ArrayList<>(top);
        top.clear();
        return items;
    }

    private int u8() {
        need(1);
        return in.get() & 0xff;
    }

    private int u16() {
        need(2);
        return in.getShort() & 0xffff;
    }

    private int i32() {
        need(4);
        return in.getInt();
    }

    private long i64() {
        need(8);
        return in.getLong();
    }

    private byte[] bytes(long n) {
        need(n);
        byte[] b = new byte[(int) n];
        in.get(b);
        return b;
    }

    private void need(long n) {
        if (n < 0 || n > in.remaining()) {
            throw refuse("pickle ends inside an opcode argument (truncated?)");
        }
    }

    /** LONG1: a little-endian two's-complement integer of n bytes; wider than 64 bits is refused. */
    private long long1(int n) {
        if (n > 8) {
            throw refuse("integer of " + n + " bytes is wider than 64 bits");
        }
        byte[] b = bytes(n);
        long v = 0;
        for (int i = n - 1; i >= 0; i--) {
            v = (v << 8) | (b[i] & 0xff);
        }
        if (n > 0 && n < 8 && (b[n - 1] & 0x80) != 0) {
            v -= 1L << (8 * n);
        }
        return v;
    }

    private String utf8(long n) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes(n))).toString();
        } catch (CharacterCodingException e) {
            throw refuse("string is not valid UTF-8");
        }
    }

    /** A newline-terminated ASCII argument (GLOBAL's module and name). */
    private String line() {
        StringBuilder sb = new StringBuilder();
        while (true) {
            int c = u8();
            if (c == '\n') {
                return sb.toString();
            }
            if (c < 0x20 || c > 0x7e || sb.length() > 1000) {
                throw refuse("GLOBAL argument is not a printable name (malformed pickle)");
            }
            sb.append((char) c);
        }
    }

    private WeightFormatException refuse(String rule) {
        return new WeightFormatException(file, rule + " (" + MessageText.quote(entry) + ", byte " + opStart + ")");
    }
}
