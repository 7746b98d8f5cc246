package dev.arbooth.internal.pickle;

import dev.arbooth.FormatException;
import dev.arbooth.internal.format.PickleLimits;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * A whitelisting pickle interpreter for the subset that {@code torch.save} emits (protocols 2 to 5).
 *
 * <p>It builds a passive object graph ({@link PyDict}, {@link PyList}, {@link PyTuple}, {@link String},
 * {@link Long}, {@link Double}, {@link Boolean}, {@code byte[]}, {@code null}, {@link StorageRef},
 * {@link TensorRef}); nothing is ever executed and no class is looked up by name. Globals resolve only
 * through {@link TorchGlobal}; any other global, any opcode outside the subset, a truncated stream and
 * anything beyond the {@link PickleLimits} raise a {@link FormatException} naming the file, the pickle and
 * the byte offset of the opcode. Not thread-safe; use one instance per load.
 */
public final class Unpickler {
    private static final Object NONE_IN_MEMO = new Object();
    private static final int MAX_LINE = 1024;

    private final Path file;
    private final String source;
    private final ByteBuffer in;
    private final PickleLimits limits;
    private Object[] stack = new Object[64];
    private int sp;
    private int[] marks = new int[16];
    private int mp;
    private Object[] memo = new Object[64];
    private long memoCount;
    private long objects;
    private final Map<String, StorageRef> storages = new HashMap<>();
    private int op;

    private Unpickler(Path file, String source, ByteBuffer pickle, PickleLimits limits) {
        this.file = file;
        this.source = source;
        this.in = pickle.slice().order(ByteOrder.LITTLE_ENDIAN);
        this.limits = limits;
    }

    /**
     * Unpickles one object.
     *
     * @param file the file the pickle came from, for messages (may be {@code null})
     * @param source the pickle's name within the file, for messages (e.g. {@code "archive/data.pkl"})
     * @param pickle the pickle bytes from position to limit (not modified)
     * @param limits the bounds on depth, object count, memo size
     * @return the root object of the graph
     * @throws FormatException if the pickle is malformed, truncated, uses a non-whitelisted global or opcode,
     *     or exceeds a limit
     */
    public static Object load(Path file, String source, ByteBuffer pickle, PickleLimits limits) {
        return new Unpickler(file, source, pickle, limits).run();
    }

    private Object run() {
        while (true) {
            if (!in.hasRemaining()) {
                throw error("the pickle ends at byte " + in.position() + " without a STOP opcode (truncated)");
            }
            op = in.position();
            int code = in.get() & 0xFF;
            switch (code) {
                case Opcodes.PROTO -> {
                    int v = u8();
                    if (v > 5) {
                        throw error("unsupported pickle protocol " + v + " at byte " + op);
                    }
                }
                case Opcodes.FRAME -> {
                    long len = s64();
                    if (len < 0 || len > in.remaining()) {
                        throw error("FRAME at byte " + op + " announces " + len + " bytes but only " + in.remaining()
                                + " remain (truncated)");
                    }
                }
                case Opcodes.STOP -> {
                    if (sp == 0) {
                        throw error("STOP at byte " + op + " with an empty stack");
                    }
                    return stack[sp - 1];
                }
                case Opcodes.MARK -> pushMark();
                case Opcodes.EMPTY_DICT -> push(new PyDict(false));
                case Opcodes.EMPTY_LIST -> push(new PyList());
                case Opcodes.EMPTY_TUPLE -> push(PyTuple.EMPTY);
                case Opcodes.DICT -> {
                    int k = popMark();
                    PyDict d = new PyDict(false);
                    setItems(d, k);
                    push(d);
                }
                case Opcodes.LIST -> {
                    int k = popMark();
                    PyList l = new PyList();
                    appendFrom(l, k);
                    push(l);
                }
                case Opcodes.TUPLE -> {
                    int k = popMark();
                    Object[] items = Arrays.copyOfRange(stack, k, sp);
                    sp = k;
                    push(tuple(items));
                }
                case Opcodes.TUPLE1 -> push(tuple(popN(1)));
                case Opcodes.TUPLE2 -> push(tuple(popN(2)));
                case Opcodes.TUPLE3 -> push(tuple(popN(3)));
                case Opcodes.APPEND -> {
                    Object v = pop();
                    add(asList(peek(), "APPEND"), v);
                }
                case Opcodes.APPENDS -> {
                    int k = popMark();
                    if (k == 0) {
                        throw error("APPENDS at byte " + op + " has no list below its mark");
                    }
                    appendFrom(asList(stack[k - 1], "APPENDS"), k);
                }
                case Opcodes.SETITEM -> {
                    Object v = pop();
                    Object key = pop();
                    put(asDict(peek(), "SETITEM"), key, v);
                }
                case Opcodes.SETITEMS -> {
                    int k = popMark();
                    if (k == 0) {
                        throw error("SETITEMS at byte " + op + " has no dict below its mark");
                    }
                    setItems(asDict(stack[k - 1], "SETITEMS"), k);
                }
                case Opcodes.BINPUT -> memoPut(u8());
                case Opcodes.LONG_BINPUT -> memoPut(u32());
                case Opcodes.MEMOIZE -> memoPut(memoCount);
                case Opcodes.BINGET -> push(memoGet(u8()));
                case Opcodes.LONG_BINGET -> push(memoGet(u32()));
                case Opcodes.SHORT_BINUNICODE -> push(string(u8()));
                case Opcodes.BINUNICODE -> push(string(u32()));
                case Opcodes.BINUNICODE8 -> push(string(s64()));
                case Opcodes.SHORT_BINBYTES -> push(bytes(u8()));
                case Opcodes.BINBYTES -> push(bytes(u32()));
                case Opcodes.BINBYTES8 -> push(bytes(s64()));
                case Opcodes.BININT -> push((long) s32());
                case Opcodes.BININT1 -> push((long) u8());
                case Opcodes.BININT2 -> push((long) u16());
                case Opcodes.LONG1 -> push(longN(u8()));
                case Opcodes.LONG4 -> push(longN(s32()));
                case Opcodes.BINFLOAT -> {
                    need(8);
                    push(Double.longBitsToDouble(Long.reverseBytes(in.getLong())));
                }
                case Opcodes.NONE -> push(null);
                case Opcodes.NEWTRUE -> push(Boolean.TRUE);
                case Opcodes.NEWFALSE -> push(Boolean.FALSE);
                case Opcodes.GLOBAL -> {
                    String module = line();
                    String name = line();
                    push(resolve(module, name));
                }
                case Opcodes.STACK_GLOBAL -> {
                    Object name = pop();
                    Object module = pop();
                    if (!(module instanceof String m) || !(name instanceof String n)) {
                        throw error("STACK_GLOBAL at byte " + op + " expects two strings, got " + typeName(module)
                                + " and " + typeName(name));
                    }
                    push(resolve(m, n));
                }
                case Opcodes.BINPERSID -> push(persistentLoad(pop()));
                case Opcodes.REDUCE -> {
                    Object args = pop();
                    Object fn = pop();
                    push(reduce(fn, args));
                }
                case Opcodes.NEWOBJ -> {
                    Object args = pop();
                    Object cls = pop();
                    if (cls != TorchGlobal.ORDERED_DICT || !(args instanceof PyTuple t) || t.size() != 0) {
                        throw error("NEWOBJ at byte " + op + " may only create an empty collections.OrderedDict, not "
                                + typeName(cls));
                    }
                    push(new PyDict(true));
                }
                case Opcodes.BUILD -> {
                    Object state = pop();
                    build(peek(), state);
                }
                default -> throw error(Opcodes.describe(code) + " at byte " + op
                        + " is not supported (only the opcodes torch.save emits are)");
            }
        }
    }

    // ---- stack, marks, memo ----

    private void push(Object v) {
        countObject("; a pickle bomb, or raise PickleLimits.maxObjects");
        if (sp == stack.length) {
            stack = Arrays.copyOf(stack, stack.length * 2);
        }
        stack[sp++] = v;
    }

    /** Counts one more value (or mark) against {@link PickleLimits#maxObjects()}; {@code hint} ends the message. */
    private void countObject(String hint) {
        if (++objects > limits.maxObjects()) {
            throw error("the pickle creates more than " + limits.maxObjects() + " values (limit reached at byte " + op
                    + hint + ")");
        }
    }

    private Object pop() {
        if (sp == 0 || (mp > 0 && marks[mp - 1] == sp)) {
            throw error(Opcodes.describe(in.get(op) & 0xFF) + " at byte " + op + " pops from an empty stack");
        }
        Object v = stack[--sp];
        stack[sp] = null;
        return v;
    }

    private Object peek() {
        if (sp == 0 || (mp > 0 && marks[mp - 1] == sp)) {
            throw error(Opcodes.describe(in.get(op) & 0xFF) + " at byte " + op + " needs a value on the stack");
        }
        return stack[sp - 1];
    }

    private Object[] popN(int n) {
        Object[] items = new Object[n];
        for (int i = n - 1; i >= 0; i--) {
            items[i] = pop();
        }
        return items;
    }

    private void pushMark() {
        countObject("");
        if (mp == marks.length) {
            marks = Arrays.copyOf(marks, marks.length * 2);
        }
        marks[mp++] = sp;
    }

    private int popMark() {
        if (mp == 0) {
            throw error(Opcodes.describe(in.get(op) & 0xFF) + " at byte " + op + " without a MARK");
        }
        return marks[--mp];
    }

    private void memoPut(long index) {
        if (index >= limits.maxMemoEntries()) {
            throw error("memo index " + index + " at byte " + op + " exceeds the limit of " + limits.maxMemoEntries()
                    + " entries");
        }
        int i = (int) index;
        if (i >= memo.length) {
            long grown = Math.max(i + 1L, 2L * memo.length);
            memo = Arrays.copyOf(memo, (int) Math.min(grown, limits.maxMemoEntries()));
        }
        Object v = peek();
        if (memo[i] == null) {
            memoCount++;
        }
        memo[i] = v == null ? NONE_IN_MEMO : v;
    }

    private Object memoGet(long index) {
        Object v = index < memo.length ? memo[(int) index] : null;
        if (v == null) {
            throw error("memo entry " + index + " read at byte " + op + " was never stored");
        }
        return v == NONE_IN_MEMO ? null : v;
    }

    // ---- containers ----

    private PyTuple tuple(Object[] items) {
        int h = 0;
        for (Object o : items) {
            h = Math.max(h, heightOf(o));
        }
        return new PyTuple(items, checkHeight(h + 1));
    }

    private void add(PyList list, Object v) {
        list.add(v);
        list.height = Math.max(list.height, checkHeight(heightOf(v) + 1));
    }

    private void appendFrom(PyList list, int k) {
        for (int i = k; i < sp; i++) {
            add(list, stack[i]);
            stack[i] = null;
        }
        sp = k;
    }

    private void put(PyDict dict, Object key, Object v) {
        checkKey(key, 0);
        dict.put(key, v);
        dict.height = Math.max(dict.height, checkHeight(Math.max(heightOf(key), heightOf(v)) + 1));
    }

    private void setItems(PyDict dict, int k) {
        if ((sp - k) % 2 != 0) {
            throw error(Opcodes.describe(in.get(op) & 0xFF) + " at byte " + op + " has an odd number of items");
        }
        for (int i = k; i < sp; i += 2) {
            put(dict, stack[i], stack[i + 1]);
        }
        Arrays.fill(stack, k, sp, null);
        sp = k;
    }

    private void checkKey(Object key, int depth) {
        if (key == null
                || key instanceof String
                || key instanceof Long
                || key instanceof Double
                || key instanceof Boolean) {
            return;
        }
        if (key instanceof PyTuple t && depth < limits.maxDepth()) {
            for (int i = 0; i < t.size(); i++) {
                checkKey(t.get(i), depth + 1);
            }
            return;
        }
        throw error("a " + typeName(key) + " cannot be a dict key (at byte " + op + ")");
    }

    private int checkHeight(int h) {
        if (h > limits.maxDepth()) {
            throw error("containers nested deeper than " + limits.maxDepth() + " levels at byte " + op
                    + " (a pickle bomb, or raise PickleLimits.maxDepth)");
        }
        return h;
    }

    private static int heightOf(Object v) {
        if (v instanceof PyList l) {
            return l.height;
        }
        if (v instanceof PyDict d) {
            return d.height;
        }
        if (v instanceof PyTuple t) {
            return t.height;
        }
        return 0;
    }

    private PyList asList(Object o, String opName) {
        if (o instanceof PyList l) {
            return l;
        }
        throw error(opName + " at byte " + op + " applies to a " + typeName(o) + ", not a list");
    }

    private PyDict asDict(Object o, String opName) {
        if (o instanceof PyDict d) {
            return d;
        }
        throw error(opName + " at byte " + op + " applies to a " + typeName(o) + ", not a dict");
    }

    // ---- the whitelist ----

    private TorchGlobal resolve(String module, String name) {
        TorchGlobal g = TorchGlobal.lookup(module, name);
        if (g != null) {
            return g;
        }
        String q = printable(module) + "." + printable(name);
        if (module.equals("torch") && name.endsWith("Storage")) {
            throw error("unsupported storage type '" + q + "' at byte " + op + " (supported: Float, Half, BFloat16,"
                    + " Double, Long, Int, Short, Char, Byte and Bool storages)");
        }
        throw error("refusing pickle global '" + q + "' at byte " + op + ": only " + TorchGlobal.describeAll()
                + " are allowed (nothing was executed)");
    }

    private StorageRef persistentLoad(Object pid) {
        if (!(pid instanceof PyTuple t)
                || t.size() != 5
                || !"storage".equals(t.get(0))
                || !(t.get(1) instanceof TorchGlobal g)
                || g.storageDType() == null
                || !(t.get(2) instanceof String key)
                || !(t.get(3) instanceof String location)
                || !(t.get(4) instanceof Long numel)) {
            throw error("persistent id at byte " + op + " is not ('storage', torch.<Type>Storage, key, location,"
                    + " numel): got " + describe(pid));
        }
        if (key.isEmpty() || key.length() > 256 || numel < 0) {
            throw error("persistent id at byte " + op + " has an invalid storage key or element count");
        }
        try {
            Math.multiplyExact(numel, (long) g.storageDType().byteSize());
        } catch (ArithmeticException e) {
            throw error(
                    "storage '" + printable(key) + "' at byte " + op + " declares " + numel + " elements, too many");
        }
        StorageRef ref = new StorageRef(g.storageDType(), key, location, numel);
        StorageRef prev = storages.putIfAbsent(key, ref);
        if (prev == null) {
            return ref;
        }
        if (prev.dtype() != ref.dtype() || prev.numel() != ref.numel()) {
            throw error("storage '" + printable(key) + "' is declared as " + prev.numel() + " " + prev.dtype()
                    + " and, at byte " + op + ", as " + numel + " " + ref.dtype());
        }
        return prev;
    }

    private Object reduce(Object fn, Object args) {
        if (!(args instanceof PyTuple a)) {
            throw error("REDUCE at byte " + op + " expects an argument tuple, got a " + typeName(args));
        }
        if (!(fn instanceof TorchGlobal g)) {
            throw error("REDUCE at byte " + op + ": a " + typeName(fn) + " is not callable");
        }
        switch (g) {
            case ORDERED_DICT -> {
                if (a.size() != 0) {
                    throw error("collections.OrderedDict is called with arguments at byte " + op
                            + "; only OrderedDict() is supported");
                }
                return new PyDict(true);
            }
            case REBUILD_TENSOR_V2 -> {
                return rebuildTensor(a);
            }
            case REBUILD_PARAMETER -> {
                if (a.size() != 3
                        || !(a.get(0) instanceof TensorRef t)
                        || !(a.get(1) instanceof Boolean)
                        || !(a.get(2) instanceof PyDict)) {
                    throw error("torch._utils._rebuild_parameter at byte " + op
                            + " expects (tensor, requires_grad, backward_hooks), got " + describe(a));
                }
                return t;
            }
            default -> throw error(g.qualifiedName() + " is called at byte " + op
                    + "; storage classes may only appear in persistent ids");
        }
    }

    private TensorRef rebuildTensor(PyTuple a) {
        if ((a.size() != 6 && a.size() != 7)
                || !(a.get(0) instanceof StorageRef storage)
                || !(a.get(1) instanceof Long offset)
                || !(a.get(2) instanceof PyTuple size)
                || !(a.get(3) instanceof PyTuple stride)
                || !(a.get(4) instanceof Boolean requiresGrad)
                || !(a.get(5) instanceof PyDict)
                || (a.size() == 7 && a.get(6) != null && !(a.get(6) instanceof PyDict))) {
            throw error("torch._utils._rebuild_tensor_v2 at byte " + op + " expects (storage, storage_offset, size,"
                    + " stride, requires_grad, backward_hooks[, metadata]), got " + describe(a));
        }
        if (size.size() != stride.size()) {
            throw error("tensor at byte " + op + " has " + size.size() + " sizes but " + stride.size() + " strides");
        }
        long[] sz = new long[size.size()];
        long[] st = new long[size.size()];
        for (int i = 0; i < sz.length; i++) {
            if (!(size.get(i) instanceof Long s) || s < 0 || !(stride.get(i) instanceof Long d) || d < 0) {
                throw error("tensor at byte " + op + " has an invalid size or stride: " + describe(size) + ", "
                        + describe(stride));
            }
            sz[i] = s;
            st[i] = d;
        }
        if (offset < 0) {
            throw error("tensor at byte " + op + " has a negative storage offset " + offset);
        }
        try {
            long n = 1;
            long last = offset;
            for (int i = 0; i < sz.length; i++) {
                n = Math.multiplyExact(n, sz[i]);
                if (sz[i] > 0) {
                    last = Math.addExact(last, Math.multiplyExact(sz[i] - 1, st[i]));
                }
            }
            Math.multiplyExact(n, (long) storage.dtype().byteSize());
        } catch (ArithmeticException e) {
            throw error("tensor at byte " + op + " has a shape " + Arrays.toString(sz) + " whose extent overflows");
        }
        return new TensorRef(storage, offset, sz, st, requiresGrad);
    }

    private void build(Object obj, Object state) {
        if (!(obj instanceof PyDict d) || !d.ordered) {
            throw error("BUILD at byte " + op + " applies to a " + typeName(obj)
                    + "; only OrderedDict attributes (such as _metadata) are supported");
        }
        if (state instanceof PyDict s) {
            buildAttributes(d, s);
        } else if (state instanceof PyTuple t
                && t.size() == 2
                && (t.get(0) == null || t.get(0) instanceof PyDict)
                && (t.get(1) == null || t.get(1) instanceof PyDict)) {
            if (t.get(0) != null) {
                buildAttributes(d, (PyDict) t.get(0));
            }
            if (t.get(1) != null) {
                buildAttributes(d, (PyDict) t.get(1));
            }
        } else {
            throw error("BUILD at byte " + op + " has an unsupported state " + typeName(state));
        }
    }

    private void buildAttributes(PyDict target, PyDict state) {
        for (Map.Entry<Object, Object> e : state.items().entrySet()) {
            if (!(e.getKey() instanceof String name)) {
                throw error("BUILD at byte " + op + " sets an attribute whose name is a " + typeName(e.getKey()));
            }
            target.putAttribute(name, e.getValue());
            target.height = Math.max(target.height, checkHeight(heightOf(e.getValue()) + 1));
        }
    }

    // ---- primitive reads ----

    private void need(long n) {
        if (n > in.remaining()) {
            throw error(Opcodes.describe(in.get(op) & 0xFF) + " at byte " + op + " needs " + n
                    + " more bytes but the pickle ends at byte " + in.limit() + " (truncated)");
        }
    }

    private int u8() {
        need(1);
        return in.get() & 0xFF;
    }

    private int u16() {
        need(2);
        return in.getShort() & 0xFFFF;
    }

    private int s32() {
        need(4);
        return in.getInt();
    }

    private long u32() {
        need(4);
        return in.getInt() & 0xFFFFFFFFL;
    }

    private long s64() {
        need(8);
        return in.getLong();
    }

    private byte[] raw(long n) {
        if (n < 0) {
            throw error(Opcodes.describe(in.get(op) & 0xFF) + " at byte " + op + " has a negative length");
        }
        need(n);
        byte[] b = new byte[(int) n];
        in.get(b);
        return b;
    }

    private String string(long n) {
        byte[] b = raw(n);
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(b))
                    .toString();
        } catch (CharacterCodingException e) {
            throw error("string at byte " + op + " is not valid UTF-8");
        }
    }

    private byte[] bytes(long n) {
        return raw(n);
    }

    private long longN(long n) {
        byte[] b = raw(n);
        if (b.length == 0) {
            return 0L;
        }
        // Little-endian two's complement; beyond 8 bytes only sign extension is allowed.
        long v = 0;
        for (int i = Math.min(b.length, 8) - 1; i >= 0; i--) {
            v = (v << 8) | (b[i] & 0xFF);
        }
        if (b.length < 8) {
            int shift = 64 - 8 * b.length;
            v = (v << shift) >> shift;
        } else {
            byte ext = v < 0 ? (byte) 0xFF : 0;
            for (int i = 8; i < b.length; i++) {
                if (b[i] != ext) {
                    throw error("integer at byte " + op + " does not fit in 64 bits");
                }
            }
        }
        return v;
    }

    private String line() {
        int start = in.position();
        int end = -1;
        int max = Math.min(in.limit(), start + MAX_LINE);
        for (int i = start; i < max; i++) {
            if (in.get(i) == '\n') {
                end = i;
                break;
            }
        }
        if (end < 0) {
            throw error("GLOBAL at byte " + op + " has no newline-terminated name within " + MAX_LINE
                    + " bytes (truncated or malformed)");
        }
        byte[] b = new byte[end - start];
        in.get(b);
        in.get(); // the newline
        return new String(b, StandardCharsets.UTF_8);
    }

    // ---- messages ----

    private FormatException error(String message) {
        return new FormatException(file, source + ": " + message);
    }

    /**
     * The Python type name of an unpickled value, for error messages ({@code None}, {@code str}, {@code int},
     * {@code dict}, {@code OrderedDict}, {@code tensor}, a global's qualified name...).
     *
     * @param o a value as this unpickler builds it, or {@code null}
     * @return its type name
     */
    public static String typeName(Object o) {
        if (o == null) {
            return "None";
        }
        if (o instanceof String) {
            return "str";
        }
        if (o instanceof Long) {
            return "int";
        }
        if (o instanceof Double) {
            return "float";
        }
        if (o instanceof Boolean) {
            return "bool";
        }
        if (o instanceof byte[]) {
            return "bytes";
        }
        if (o instanceof PyList) {
            return "list";
        }
        if (o instanceof PyDict d) {
            return d.ordered ? "OrderedDict" : "dict";
        }
        if (o instanceof PyTuple) {
            return "tuple";
        }
        if (o instanceof TensorRef) {
            return "tensor";
        }
        if (o instanceof StorageRef) {
            return "storage";
        }
        if (o instanceof TorchGlobal g) {
            return g.qualifiedName();
        }
        return o.getClass().getSimpleName();
    }

    /** A short, non-recursive description: the tuple's element types. */
    private static String describe(Object o) {
        if (o instanceof PyTuple t) {
            StringBuilder sb = new StringBuilder("(");
            for (int i = 0; i < Math.min(t.size(), 8); i++) {
                sb.append(i == 0 ? "" : ", ").append(typeName(t.get(i)));
            }
            return sb.append(t.size() > 8 ? ", ...)" : ")").toString();
        }
        return typeName(o);
    }

    /**
     * Escapes control characters and truncates, so that hostile names cannot garble a message.
     *
     * @param s any text from the pickle
     * @return a printable rendering of at most about 200 characters
     */
    static String printable(String s) {
        StringBuilder sb = new StringBuilder();
        int i = 0;
        for (; i < s.length() && i < 200; i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7F) {
                sb.append(String.format("\\x%02x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return i < s.length() ? sb.append("...").toString() : sb.toString();
    }
}
