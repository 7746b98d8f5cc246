package dev.arbooth.runtime.internal.onnx;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * An ONNX graph under construction, encoded to a {@code ModelProto} by {@link #toModelBytes()} with a
 * hand-written protobuf writer (no protobuf dependency). Written fields follow the public {@code onnx.proto}
 * (IR version 8, default-domain opset {@value #OPSET}).
 *
 * <p>Initializers are either embedded (small constants, with {@code raw_data}) or <b>external</b>: declared
 * by name, type and shape with {@code data_location = EXTERNAL} and no data, to be supplied at session
 * creation through ONNX Runtime's {@code SessionOptions.addExternalInitializers} (the weights of a
 * checkpoint). Not thread-safe.
 */
public final class OnnxGraph {
    /** The default-domain opset: 17 (LayerNormalization; reductions other than ReduceSum take attribute axes). */
    public static final int OPSET = 17;

    /** The IR version written (8 goes with opset 17). */
    public static final int IR_VERSION = 8;

    /** ONNX Runtime's contrib operator domain. */
    public static final String MS_DOMAIN = "com.microsoft";

    /** ONNX element type {@code FLOAT}. */
    public static final int FLOAT = 1;

    /** ONNX element type {@code INT64}. */
    public static final int INT64 = 7;

    private final String name;
    private final List<NodeSpec> nodes = new ArrayList<>();
    private final java.util.Set<String> nodeOutputs = new java.util.HashSet<>();
    private final java.util.Map<String, String> aliases = new java.util.HashMap<>();
    /** Initializers in declaration order, encoded at serialization (external ones depend on the locator). */
    private final List<Function<Function<String, ExternalRef>, ProtoWriter>> initializers = new ArrayList<>();

    private final List<ValueSpec> inputs = new ArrayList<>();
    private final List<ValueSpec> outputs = new ArrayList<>();
    private boolean usesMicrosoftDomain;
    private int nodeCount;

    private OnnxGraph(String name) {
        this.name = Objects.requireNonNull(name, "name");
    }

    /**
     * An empty graph.
     *
     * @param name the graph's name
     * @return the graph
     */
    public static OnnxGraph create(String name) {
        return new OnnxGraph(name);
    }

    /**
     * Where an external initializer's data lies in ONNX's standard external-data form: a file relative to the
     * model's directory, the byte offset and the length of its raw little-endian data.
     *
     * @param location the file, relative to the model's directory
     * @param offset the data's first byte in that file
     * @param length the data's byte count
     */
    public record ExternalRef(String location, long offset, long length) {}

    /**
     * A graph input or output as declared.
     *
     * @param name its name
     * @param elemType the ONNX element type ({@link #FLOAT}, {@link #INT64})
     * @param shape the dims (placeholder sizes on symbolic axes)
     * @param dimParams per axis the symbolic name, or {@code null} (all static)
     */
    public record ValueSpec(String name, int elemType, long[] shape, String[] dimParams) {
        /**
         * The dims as JSON-friendly values: a number, or the symbolic name.
         *
         * @return one entry per axis
         */
        public List<Object> dims() {
            List<Object> d = new ArrayList<>();
            for (int i = 0; i < shape.length; i++) {
                d.add(dimParams != null && dimParams[i] != null ? dimParams[i] : (Object) shape[i]);
            }
            return d;
        }
    }

    /** A node attribute. */
    record Attr(String name, int type, long i, float f, long[] ints, byte[] s) {
        static Attr ofInt(String name, long v) {
            return new Attr(name, 2, v, 0f, null, null);
        }

        static Attr ofFloat(String name, float v) {
            return new Attr(name, 1, 0, v, null, null);
        }

        static Attr ofInts(String name, long... v) {
            return new Attr(name, 7, 0, 0f, v.clone(), null);
        }

        static Attr ofString(String name, String v) {
            return new Attr(name, 3, 0, 0f, null, v.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }

        ProtoWriter encode() {
            ProtoWriter w = new ProtoWriter().string(1, name);
            switch (type) {
                case 1 -> w.float32(2, f);
                case 2 -> w.int64(3, i);
                case 3 -> w.bytes(4, s);
                case 7 -> {
                    for (long v : ints) {
                        w.int64(8, v);
                    }
                }
                default -> throw new IllegalStateException("attribute type " + type);
            }
            return w.int64(20, type);
        }
    }

    /**
     * Appends a node.
     *
     * @param opType the operator
     * @param inputs input names ({@code ""} for an omitted optional input)
     * @param outputs output names
     * @param attrs attributes
     */
    void node(String opType, List<String> inputs, List<String> outputs, Attr... attrs) {
        nodes.add(
                new NodeSpec(opType, "", List.copyOf(inputs), List.copyOf(outputs), opType + "_" + nodeCount++, attrs));
        nodeOutputs.addAll(outputs);
    }

    /**
     * Appends a node of ONNX Runtime's contrib domain {@value #MS_DOMAIN} (opset version 1), which the model
     * then imports.
     *
     * @param opType the contrib operator
     * @param inputs input names ({@code ""} for an omitted optional input)
     * @param outputs output names
     * @param attrs attributes
     */
    void msNode(String opType, List<String> inputs, List<String> outputs, Attr... attrs) {
        nodes.add(new NodeSpec(
                opType, MS_DOMAIN, List.copyOf(inputs), List.copyOf(outputs), opType + "_" + nodeCount++, attrs));
        nodeOutputs.addAll(outputs);
        usesMicrosoftDomain = true;
    }

    /**
     * Renames a node's output to {@code name} throughout the serialized graph, so that a graph output needs no
     * {@code Identity} copy (ONNX Runtime executes an Identity feeding a graph output as a copy).
     *
     * @param value a node output's name, not renamed before
     * @param name the new name
     * @return whether it was renamed ({@code false}: {@code value} is no node output or has been renamed; the
     *     caller then copies it)
     */
    boolean rename(String value, String name) {
        if (!nodeOutputs.contains(value) || aliases.containsKey(value)) {
            return false;
        }
        aliases.put(value, name);
        return true;
    }

    private String named(String value) {
        return aliases.getOrDefault(value, value);
    }

    private ProtoWriter encode(NodeSpec spec) {
        ProtoWriter n = new ProtoWriter();
        for (String in : spec.inputs()) {
            n.string(1, named(in));
        }
        for (String out : spec.outputs()) {
            n.string(2, named(out));
        }
        n.string(3, spec.nodeName());
        n.string(4, spec.opType());
        if (!spec.domain().isEmpty()) {
            n.string(7, spec.domain());
        }
        for (Attr a : spec.attrs()) {
            n.message(5, a.encode());
        }
        return n;
    }

    /** A node, encoded when the model is serialized. */
    private record NodeSpec(
            String opType, String domain, List<String> inputs, List<String> outputs, String nodeName, Attr[] attrs) {}

    /**
     * An embedded initializer.
     *
     * @param name its name
     * @param elemType {@link #FLOAT} or {@link #INT64}
     * @param shape the dims
     * @param rawLittleEndian the data, little-endian
     */
    void initializer(String name, int elemType, long[] shape, byte[] rawLittleEndian) {
        ProtoWriter t = tensorHeader(name, elemType, shape);
        t.bytes(9, rawLittleEndian);
        initializers.add(locator -> t);
    }

    /**
     * An external initializer: declared, data supplied at session creation.
     *
     * @param name its name (the checkpoint's tensor name)
     * @param elemType the element type
     * @param shape the dims
     */
    void externalInitializer(String name, int elemType, long[] shape) {
        long[] dims = shape.clone();
        initializers.add(locator -> {
            ProtoWriter t = tensorHeader(name, elemType, dims);
            ExternalRef ref = locator == null ? null : locator.apply(name);
            if (ref == null) {
                // a placeholder: ONNX Runtime gets the data through SessionOptions.addExternalInitializers
                t.message(13, new ProtoWriter().string(1, "location").string(2, "external:" + name));
            } else {
                t.message(13, new ProtoWriter().string(1, "location").string(2, ref.location()));
                t.message(13, new ProtoWriter().string(1, "offset").string(2, Long.toString(ref.offset())));
                t.message(13, new ProtoWriter().string(1, "length").string(2, Long.toString(ref.length())));
            }
            t.int64(14, 1); // data_location = EXTERNAL
            return t;
        });
    }

    /**
     * A graph input.
     *
     * @param name its name
     * @param elemType the element type
     * @param shape the static dims
     */
    void input(String name, int elemType, long[] shape) {
        inputs.add(new ValueSpec(name, elemType, shape.clone(), null));
    }

    /**
     * A graph input with symbolic dimensions.
     *
     * @param name its name
     * @param elemType the element type
     * @param shape the dims (a placeholder where {@code dimParams} names the dimension)
     * @param dimParams per axis, the symbolic name ({@code dim_param}) or {@code null} for a static dim
     */
    void input(String name, int elemType, long[] shape, String[] dimParams) {
        inputs.add(new ValueSpec(name, elemType, shape.clone(), dimParams.clone()));
    }

    /**
     * A graph output.
     *
     * @param name its name
     * @param elemType the element type
     * @param shape the static dims
     */
    void output(String name, int elemType, long[] shape) {
        outputs.add(new ValueSpec(name, elemType, shape.clone(), null));
    }

    /**
     * The graph inputs declared so far, in order.
     *
     * @return the inputs
     */
    public List<ValueSpec> inputs() {
        return List.copyOf(inputs);
    }

    /**
     * The graph outputs declared so far, in order.
     *
     * @return the outputs
     */
    public List<ValueSpec> outputs() {
        return List.copyOf(outputs);
    }

    /**
     * Whether a node of ONNX Runtime's contrib domain {@value #MS_DOMAIN} is in the graph (else every node is of
     * the standard ONNX domain).
     *
     * @return true if the model imports {@value #MS_DOMAIN}
     */
    public boolean usesMicrosoftDomain() {
        return usesMicrosoftDomain;
    }

    /**
     * The number of nodes so far.
     *
     * @return the count
     */
    public int nodeCount() {
        return nodes.size();
    }

    /**
     * The serialized {@code ModelProto}.
     *
     * @return the bytes ONNX Runtime loads
     */
    public byte[] toModelBytes() {
        return toModelBytes(null);
    }

    /**
     * The serialized {@code ModelProto} with the external initializers' data located in files (ONNX's standard
     * external data: {@code location}, {@code offset}, {@code length}), so that any ONNX reader can load it.
     *
     * @param locator where each external initializer's data lies; {@code null} (or a {@code null} answer) leaves
     *     the placeholder {@code external:<name>} of {@link #toModelBytes()}
     * @return the bytes
     */
    public byte[] toModelBytes(Function<String, ExternalRef> locator) {
        ProtoWriter g = new ProtoWriter();
        for (NodeSpec n : nodes) {
            g.message(1, encode(n));
        }
        g.string(2, name);
        for (Function<Function<String, ExternalRef>, ProtoWriter> t : initializers) {
            g.message(5, t.apply(locator));
        }
        for (ValueSpec i : inputs) {
            g.message(11, valueInfo(i.name(), i.elemType(), i.shape(), i.dimParams()));
        }
        for (ValueSpec o : outputs) {
            g.message(12, valueInfo(o.name(), o.elemType(), o.shape(), o.dimParams()));
        }
        ProtoWriter m = new ProtoWriter();
        m.int64(1, IR_VERSION);
        m.string(2, "arbooth");
        m.string(3, "0.1");
        m.message(7, g);
        m.message(8, new ProtoWriter().string(1, "").int64(2, OPSET));
        if (usesMicrosoftDomain) {
            m.message(8, new ProtoWriter().string(1, MS_DOMAIN).int64(2, 1));
        }
        return m.toByteArray();
    }

    private static ProtoWriter tensorHeader(String name, int elemType, long[] shape) {
        ProtoWriter t = new ProtoWriter();
        for (long d : shape) {
            t.int64(1, d);
        }
        t.int64(2, elemType);
        t.string(8, name);
        return t;
    }

    private static ProtoWriter valueInfo(String name, int elemType, long[] shape, String[] dimParams) {
        ProtoWriter dims = new ProtoWriter();
        for (int i = 0; i < shape.length; i++) {
            if (dimParams != null && dimParams[i] != null) {
                dims.message(1, new ProtoWriter().string(2, dimParams[i]));
            } else {
                dims.message(1, new ProtoWriter().int64(1, shape[i]));
            }
        }
        ProtoWriter tensorType = new ProtoWriter().int64(1, elemType).message(2, dims);
        ProtoWriter type = new ProtoWriter().message(1, tensorType);
        return new ProtoWriter().string(1, name).message(2, type);
    }
}
