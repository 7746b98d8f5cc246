package dev.arbooth.runtime.internal.onnx;

import dev.arbooth.ArboothException;
import dev.arbooth.ShapeMismatchException;
import dev.arbooth.internal.nn.CachedAttention;
import dev.arbooth.internal.nn.LayerKv;
import dev.arbooth.internal.nn.Ops;
import dev.arbooth.internal.nn.SumNorm;
import dev.arbooth.runtime.internal.onnx.OnnxGraph.Attr;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * {@link Ops} as an ONNX graph builder: every call appends node(s) to an {@link OnnxGraph} and returns the
 * name of the result; shapes are tracked statically for {@link #shape}.
 *
 * <p><b>Weights</b> ({@link #weight}) become external initializers declared by name, float32 type and shape
 * only; their data is supplied at session creation ({@code OrtWeights}). Constants become embedded
 * initializers. Graph inputs and outputs are declared with {@link #input}, {@link #inputLong} and {@link
 * #output}. Op mapping (opset {@value OnnxGraph#OPSET}): {@code linear} is {@code Gemm(transB=1)} on the
 * rows flattened to 2-D, {@code layerNorm} is {@code LayerNormalization}, {@code rmsNorm}, {@code groupNorm}
 * and {@code geluTanh} are spelled out with elementwise ops and {@code ReduceMean} exactly as stated in
 * {@link Ops}, {@code l2Normalize} is {@code x / Max(ReduceL2(x), eps)}, {@code clamp} is {@code Clip},
 * {@code upsampleNearest2x} is {@code Reshape}/{@code Expand}/{@code Reshape}, {@code addLayerNorm} is
 * ONNX Runtime's {@code com.microsoft.SkipLayerNormalization} and {@code rotaryPairs} its {@code
 * com.microsoft.RotaryEmbedding} (interleaved). Not thread-safe.
 */
public final class OnnxOps implements Ops<String> {
    private final OnnxGraph graph;
    private final Function<String, long[]> weightShapes;
    private final Map<String, long[]> shapes = new HashMap<>();
    private final Map<String, Integer> types = new HashMap<>();
    private final Set<String> weightsUsed = new LinkedHashSet<>();
    private final Map<Integer, String> scalars = new HashMap<>();
    private final Map<String, String> outputs = new LinkedHashMap<>();
    private int counter;

    private OnnxOps(String graphName, Function<String, long[]> weightShapes) {
        this.graph = OnnxGraph.create(graphName);
        this.weightShapes = Objects.requireNonNull(weightShapes, "weightShapes");
    }

    /**
     * A builder for one graph.
     *
     * @param graphName the graph's name
     * @param weightShapes the shape of every available weight by official name, {@code null} for an unknown
     *     name
     * @return the ops
     */
    public static OnnxOps create(String graphName, Function<String, long[]> weightShapes) {
        return new OnnxOps(graphName, weightShapes);
    }

    /**
     * The graph built so far.
     *
     * @return the graph
     */
    public OnnxGraph graph() {
        return graph;
    }

    /**
     * The weights the graph references, in first-use order: the external initializers a session must get.
     *
     * @return the official names
     */
    public Set<String> weightsUsed() {
        return java.util.Collections.unmodifiableSet(weightsUsed);
    }

    /**
     * The serialized model.
     *
     * @return the {@code ModelProto} bytes
     */
    public byte[] toModelBytes() {
        return graph.toModelBytes();
    }

    /**
     * The serialized model with its weights located in files ({@link OnnxGraph#toModelBytes(Function)}).
     *
     * @param locator where each weight's data lies
     * @return the {@code ModelProto} bytes
     */
    public byte[] toModelBytes(Function<String, OnnxGraph.ExternalRef> locator) {
        return graph.toModelBytes(locator);
    }

    // ---- graph inputs and outputs -------------------------------------------------------------------

    /**
     * Declares a float32 graph input.
     *
     * @param name the input's name
     * @param shape its static shape
     * @return the name
     */
    public String input(String name, long... shape) {
        return declareInput(name, OnnxGraph.FLOAT, shape);
    }

    /**
     * Declares an int64 graph input.
     *
     * @param name the input's name
     * @param shape its static shape
     * @return the name
     */
    public String inputLong(String name, long... shape) {
        return declareInput(name, OnnxGraph.INT64, shape);
    }

    /**
     * Declares a float32 graph input with symbolic dimensions. The graph is traced with the placeholder sizes
     * of {@code shape}; the caller guarantees that no emitted constant (a reshape target, say) depends on a
     * symbolic dimension, so that any size works at run time.
     *
     * @param name the input's name
     * @param dimParams per axis, the symbolic name or {@code null} for a static dimension
     * @param shape the shape, with placeholder sizes on the symbolic axes
     * @return the name
     */
    public String inputSymbolic(String name, String[] dimParams, long... shape) {
        if (dimParams.length != shape.length) {
            throw new IllegalArgumentException(
                    "dimParams " + Arrays.toString(dimParams) + " for shape " + Arrays.toString(shape));
        }
        return declareInput(name, OnnxGraph.FLOAT, shape, dimParams);
    }

    private String declareInput(String name, int type, long[] shape) {
        return declareInput(name, type, shape, null);
    }

    private String declareInput(String name, int type, long[] shape, String[] dimParams) {
        if (shapes.containsKey(name)) {
            throw new IllegalArgumentException("graph value '" + name + "' already exists");
        }
        if (dimParams == null) {
            graph.input(name, type, shape);
        } else {
            graph.input(name, type, shape, dimParams.clone());
        }
        shapes.put(name, shape.clone());
        types.put(name, type);
        return name;
    }

    /**
     * Declares a graph output: the value {@code value} under the name {@code name}.
     *
     * @param name the output's name (distinct from every other value)
     * @param value the value
     */
    public void output(String name, String value) {
        if (outputs.containsKey(name) || shapes.containsKey(name)) {
            throw new IllegalArgumentException("graph value '" + name + "' already exists");
        }
        if (!graph.rename(value, name)) {
            graph.node("Identity", List.of(value), List.of(name));
        }
        graph.output(name, type(value), shape(value));
        shapes.put(name, shape(value));
        types.put(name, type(value));
        outputs.put(name, value);
    }

    // ---- sources ------------------------------------------------------------------------------------

    @Override
    public String weight(String name) {
        if (!weightsUsed.contains(name)) {
            long[] s = weightShapes.apply(name);
            if (s == null) {
                throw new ArboothException("The network asks for weight '" + name + "', which the checkpoint lacks");
            }
            graph.externalInitializer(name, OnnxGraph.FLOAT, s);
            shapes.put(name, s.clone());
            types.put(name, OnnxGraph.FLOAT);
            weightsUsed.add(name);
        }
        return name;
    }

    @Override
    public boolean hasWeight(String name) {
        return weightsUsed.contains(name) || weightShapes.apply(name) != null;
    }

    @Override
    public String constant(float[] values, long... shape) {
        checkCount(values.length, shape);
        ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        String n = fresh("c");
        graph.initializer(n, OnnxGraph.FLOAT, shape, b.array());
        return register(n, OnnxGraph.FLOAT, shape.clone());
    }

    @Override
    public String constantLong(long[] values, long... shape) {
        checkCount(values.length, shape);
        ByteBuffer b = ByteBuffer.allocate(8 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        b.asLongBuffer().put(values);
        String n = fresh("c");
        graph.initializer(n, OnnxGraph.INT64, shape, b.array());
        return register(n, OnnxGraph.INT64, shape.clone());
    }

    private static void checkCount(int count, long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        if (n != count) {
            throw new IllegalArgumentException(count + " values for shape " + Arrays.toString(shape));
        }
    }

    private String scalar(float v) {
        return scalars.computeIfAbsent(Float.floatToRawIntBits(v), k -> constant(new float[] {v}));
    }

    private String longs(long... v) {
        return constantLong(v, v.length);
    }

    // ---- shape --------------------------------------------------------------------------------------

    @Override
    public long[] shape(String x) {
        long[] s = shapes.get(x);
        if (s == null) {
            throw new IllegalArgumentException("unknown graph value '" + x + "'");
        }
        return s.clone();
    }

    private int type(String x) {
        shape(x);
        return types.get(x);
    }

    @Override
    public String reshape(String x, long... shape) {
        long[] in = shape(x);
        long count = numel(in);
        long[] out = shape.clone();
        int free = -1;
        long known = 1;
        for (int i = 0; i < out.length; i++) {
            if (out[i] == -1) {
                if (free >= 0) {
                    throw new IllegalArgumentException("two -1 in reshape " + Arrays.toString(shape));
                }
                free = i;
            } else {
                known *= out[i];
            }
        }
        if (free >= 0) {
            out[free] = known == 0 ? 0 : count / known;
        }
        if (numel(out) != count) {
            throw new ShapeMismatchException("cannot reshape " + Arrays.toString(in) + " to " + Arrays.toString(shape));
        }
        if (Arrays.equals(in, out)) {
            return x;
        }
        return op("Reshape", type(x), out, List.of(x, longs(out)));
    }

    @Override
    public String permute(String x, int... axes) {
        long[] in = shape(x);
        if (axes.length != in.length) {
            throw new ShapeMismatchException("permutation " + Arrays.toString(axes) + " of " + Arrays.toString(in));
        }
        long[] out = new long[in.length];
        long[] perm = new long[in.length];
        for (int i = 0; i < axes.length; i++) {
            int a = axis(axes[i], in.length);
            out[i] = in[a];
            perm[i] = a;
        }
        return op("Transpose", type(x), out, List.of(x), Attr.ofInts("perm", perm));
    }

    @Override
    public String concat(int axis, List<String> xs) {
        if (xs.size() == 1) {
            return xs.get(0);
        }
        long[] out = shape(xs.get(0));
        int a = axis(axis, out.length);
        for (int i = 1; i < xs.size(); i++) {
            long[] s = shape(xs.get(i));
            if (s.length != out.length) {
                throw new ShapeMismatchException("concat of ranks " + out.length + " and " + s.length);
            }
            for (int j = 0; j < s.length; j++) {
                if (j != a && s[j] != out[j]) {
                    throw new ShapeMismatchException(
                            "concat along " + a + " of " + Arrays.toString(out) + " and " + Arrays.toString(s));
                }
            }
            out[a] += s[a];
        }
        return op("Concat", type(xs.get(0)), out, xs, Attr.ofInt("axis", a));
    }

    @Override
    public String slice(String x, int axis, long start, long end) {
        long[] in = shape(x);
        int a = axis(axis, in.length);
        if (start < 0 || end > in[a] || start > end) {
            throw new IndexOutOfBoundsException(
                    "slice [" + start + ", " + end + ") of axis " + a + " of " + Arrays.toString(in));
        }
        if (start == 0 && end == in[a]) {
            return x;
        }
        long[] out = in.clone();
        out[a] = end - start;
        return op("Slice", type(x), out, List.of(x, longs(start), longs(end), longs(a)));
    }

    @Override
    public String gather(String table_VD, String indices) {
        long[] t = shape(table_VD);
        long[] idx = shape(indices);
        if (t.length != 2 || type(indices) != OnnxGraph.INT64) {
            throw new ShapeMismatchException("gather needs a 2-D table and int64 indices, got " + Arrays.toString(t)
                    + " and " + Arrays.toString(idx));
        }
        long[] out = Arrays.copyOf(idx, idx.length + 1);
        out[idx.length] = t[1];
        return op("Gather", type(table_VD), out, List.of(table_VD, indices), Attr.ofInt("axis", 0));
    }

    @Override
    public String pad2d(String x_NCHW, int top, int bottom, int left, int right) {
        long[] in = shape(x_NCHW);
        if (in.length != 4) {
            throw new ShapeMismatchException("pad2d needs NCHW, got " + Arrays.toString(in));
        }
        long[] out = {in[0], in[1], in[2] + top + bottom, in[3] + left + right};
        return op("Pad", type(x_NCHW), out, List.of(x_NCHW, longs(0, 0, top, left, 0, 0, bottom, right)));
    }

    // ---- elementwise --------------------------------------------------------------------------------

    @Override
    public String add(String a, String b) {
        return binary("Add", a, b);
    }

    @Override
    public String sub(String a, String b) {
        return binary("Sub", a, b);
    }

    @Override
    public String mul(String a, String b) {
        return binary("Mul", a, b);
    }

    @Override
    public String div(String a, String b) {
        return binary("Div", a, b);
    }

    @Override
    public String mulScalar(String x, float s) {
        return binary("Mul", x, scalar(s));
    }

    @Override
    public String addScalar(String x, float s) {
        return binary("Add", x, scalar(s));
    }

    @Override
    public String clamp(String x, float lo, float hi) {
        String min = lo == Float.NEGATIVE_INFINITY ? "" : scalar(lo);
        String max = hi == Float.POSITIVE_INFINITY ? "" : scalar(hi);
        return op("Clip", type(x), shape(x), List.of(x, min, max));
    }

    @Override
    public String exp(String x) {
        return unary("Exp", x);
    }

    @Override
    public String silu(String x) {
        return mul(x, unary("Sigmoid", x));
    }

    @Override
    public String geluTanh(String x) {
        // written as ONNX Runtime's FastGeluFusion matches it (Pow(x, 3), the constants as float32 scalars), so
        // that ALL_OPT fuses the eight nodes into one FastGelu kernel (one pass over the FFN activations)
        String x3 = op("Pow", type(x), shape(x), List.of(x, scalar(3f)));
        String inner = mulScalar(add(mulScalar(x3, 0.044715f), x), (float) Math.sqrt(2.0 / Math.PI));
        return mul(mulScalar(x, 0.5f), addScalar(unary("Tanh", inner), 1f));
    }

    /**
     * {@code Cast} to float32 (for instance an int64 attention mask).
     *
     * @param x the value
     * @return {@code x} as float32, same shape
     */
    public String toFloat(String x) {
        return op("Cast", OnnxGraph.FLOAT, shape(x), List.of(x), Attr.ofInt("to", OnnxGraph.FLOAT));
    }

    // ---- linear algebra -----------------------------------------------------------------------------

    @Override
    public String matmul(String a, String b) {
        long[] sa = shape(a);
        long[] sb = shape(b);
        if (sa.length < 2 || sb.length < 2 || sa[sa.length - 1] != sb[sb.length - 2]) {
            throw new ShapeMismatchException("matmul of " + Arrays.toString(sa) + " and " + Arrays.toString(sb));
        }
        long[] batch =
                broadcast(Arrays.copyOf(sa, sa.length - 2), Arrays.copyOf(sb, sb.length - 2), "matmul batch dims");
        long[] out = Arrays.copyOf(batch, batch.length + 2);
        out[batch.length] = sa[sa.length - 2];
        out[batch.length + 1] = sb[sb.length - 1];
        return op("MatMul", OnnxGraph.FLOAT, out, List.of(a, b));
    }

    @Override
    public String linear(String x, String w_OI, String bias) {
        long[] sx = shape(x);
        long[] sw = shape(w_OI);
        if (sw.length != 2 || sx[sx.length - 1] != sw[1]) {
            throw new ShapeMismatchException("linear of " + Arrays.toString(sx) + " by weight " + Arrays.toString(sw));
        }
        long rows = numel(sx) / sw[1];
        String x2 = reshape(x, rows, sw[1]);
        List<String> in = bias == null ? List.of(x2, w_OI) : List.of(x2, w_OI, bias);
        String y = op("Gemm", OnnxGraph.FLOAT, new long[] {rows, sw[0]}, in, Attr.ofInt("transB", 1));
        long[] out = sx.clone();
        out[out.length - 1] = sw[0];
        return reshape(y, out);
    }

    /**
     * {@inheritDoc}
     *
     * <p>A {@code Gemm} without bias, then one ONNX Runtime {@code com.microsoft.FastGelu} node that adds the
     * bias as it applies the activation (no separate pass that writes the bias into the {@code Gemm} output).
     */
    @Override
    public String linearGeluTanh(String x, String w_OI, String bias) {
        long[] sb = bias == null ? null : shape(bias);
        long[] sw = shape(w_OI);
        if (sb == null || sw.length != 2 || sb.length != 1 || sb[0] != sw[0]) {
            return Ops.super.linearGeluTanh(x, w_OI, bias);
        }
        String h = linear(x, w_OI, null);
        String out = fresh("FastGelu");
        graph.msNode("FastGelu", List.of(h, bias), List.of(out));
        return register(out, OnnxGraph.FLOAT, shape(h));
    }

    // ---- reductions and normalisation ---------------------------------------------------------------

    /**
     * {@inheritDoc}
     *
     * <p>One ONNX Runtime {@code com.microsoft.MultiHeadAttention} node: queries as {@code (B, L, H*d)}, keys
     * and values as {@code (B, H, S, d)} ({@code BNSH}, expanded over the rows when shared), the bias expanded
     * to {@code (B, 1, L, S)}, {@code scale} as its attribute (applied by its score GEMM).
     */
    @Override
    public String attention(String q_BLHd, String kT_BHdS, String v_BHSd, String bias_B11S, float scale) {
        long[] qs = shape(q_BLHd);
        long[] ks = shape(kT_BHdS);
        long[] vs = shape(v_BHSd);
        long[] bs = bias_B11S == null ? null : shape(bias_B11S);
        if (qs.length != 4
                || ks.length < 3
                || ks.length > 4
                || vs.length != ks.length
                || ks[ks.length - 3] != qs[2]
                || ks[ks.length - 2] != qs[3]
                || vs[vs.length - 1] != qs[3]
                || (ks.length == 4 && (ks[0] != qs[0] || vs[0] != qs[0]))
                || (bs != null && (bs.length != 4 || bs[1] != 1 || bs[2] != 1))) {
            return Ops.super.attention(q_BLHd, kT_BHdS, v_BHSd, bias_B11S, scale);
        }
        long b = qs[0];
        long l = qs[1];
        long h = qs[2];
        long d = qs[3];
        String k = permute(kT_BHdS, ks.length == 4 ? new int[] {0, 1, 3, 2} : new int[] {0, 2, 1});
        String v = v_BHSd;
        if (ks.length == 3) {
            k = op("Expand", OnnxGraph.FLOAT, new long[] {b, h, ks[2], d}, List.of(k, longs(b, 1, 1, 1)));
            v = op("Expand", OnnxGraph.FLOAT, new long[] {b, h, vs[1], d}, List.of(v, longs(b, 1, 1, 1)));
        }
        String bias = "";
        if (bs != null) {
            bias = op(
                    "Expand", OnnxGraph.FLOAT, new long[] {bs[0], 1, l, bs[3]}, List.of(bias_B11S, longs(1, 1, l, 1)));
        }
        String out = fresh("MultiHeadAttention");
        graph.msNode(
                "MultiHeadAttention",
                List.of(reshape(q_BLHd, b, l, h * d), k, v, "", "", bias),
                List.of(out),
                Attr.ofInt("num_heads", h),
                Attr.ofFloat("scale", scale));
        return register(out, OnnxGraph.FLOAT, new long[] {b, l, h * d});
    }

    /**
     * {@inheritDoc}
     *
     * <p><b>Cache layout:</b> this engine keeps the cache as {@code (B, S, H*d)} ({@link #kvCacheShape}), the
     * layout ONNX Runtime's fused kernel takes, so that appending to it is a {@code Concat} along the sequence
     * axis and no transposes are needed. Without a bias the attention is one {@code com.microsoft.MultiHeadAttention}
     * node (queries {@code (B, L, H*d)}, keys and values {@code (B, S, H*d)}, {@code scale} as its attribute;
     * without a cache input or output its CPU kernel runs the tiled attention that never materializes the
     * {@code (B, H, L, S)} scores); with a bias it is the composed form of {@link Ops#cachedAttention}.
     */
    @Override
    public CachedAttention<String> cachedAttention(
            String q_BLHd, String k_BLHd, String v_BLHd, LayerKv<String> past, String bias_LS, float scale) {
        long[] qs = shape(q_BLHd);
        if (qs.length != 4 || !Arrays.equals(qs, shape(k_BLHd)) || !Arrays.equals(qs, shape(v_BLHd))) {
            throw new ShapeMismatchException("attention of q " + Arrays.toString(qs) + ", k "
                    + Arrays.toString(shape(k_BLHd)) + ", v " + Arrays.toString(shape(v_BLHd)));
        }
        long b = qs[0];
        long l = qs[1];
        long h = qs[2];
        long d = qs[3];
        String pastK_BSC = past == null ? null : past.keys();
        String pastV_BSC = past == null ? null : past.values();
        if (pastK_BSC != null) {
            long[] ps = shape(pastK_BSC);
            if (ps.length != 3 || ps[0] != b || ps[2] != h * d || !Arrays.equals(ps, shape(pastV_BSC))) {
                throw new ShapeMismatchException("attention cache " + Arrays.toString(ps) + " / "
                        + Arrays.toString(shape(pastV_BSC)) + " for queries " + Arrays.toString(qs)
                        + " (expected (B, P, H*d))");
            }
        }
        String q = reshape(q_BLHd, b, l, h * d);
        String k = reshape(k_BLHd, b, l, h * d);
        String v = reshape(v_BLHd, b, l, h * d);
        String keys = pastK_BSC == null ? k : concat(1, List.of(pastK_BSC, k));
        String values = pastV_BSC == null ? v : concat(1, List.of(pastV_BSC, v));
        if (bias_LS != null) {
            long s = shape(keys)[1];
            String out = Ops.super.attention(
                    q_BLHd,
                    permute(reshape(keys, b, s, h, d), 0, 2, 3, 1),
                    permute(reshape(values, b, s, h, d), 0, 2, 1, 3),
                    bias_LS,
                    scale);
            return new CachedAttention<>(out, new LayerKv<>(keys, values));
        }
        String out = fresh("MultiHeadAttention");
        graph.msNode(
                "MultiHeadAttention",
                List.of(q, keys, values),
                List.of(out),
                Attr.ofInt("num_heads", h),
                Attr.ofFloat("scale", scale));
        register(out, OnnxGraph.FLOAT, new long[] {b, l, h * d});
        return new CachedAttention<>(out, new LayerKv<>(keys, values));
    }

    /**
     * {@inheritDoc}
     *
     * <p>This engine keeps {@code (B, S, H*d)}, the layout of ONNX Runtime's fused attention ({@link
     * #cachedAttention}).
     */
    @Override
    public long[] kvCacheShape(long rows, long heads, long tokens, long headDim) {
        return new long[] {rows, tokens, heads * headDim};
    }

    /**
     * {@inheritDoc}
     *
     * <p>One ONNX Runtime {@code com.microsoft.SkipLayerNormalization} node, whose fourth output is the sum.
     */
    @Override
    public SumNorm<String> addLayerNorm(String x, String delta, String gamma, String beta, float eps) {
        long[] s = shape(x);
        if (!Arrays.equals(s, shape(delta))) {
            return Ops.super.addLayerNorm(x, delta, gamma, beta, eps);
        }
        long c = s[s.length - 1];
        String g = gamma != null ? gamma : constant(filled(c, 1f), c);
        String out = fresh("SkipLayerNormalization");
        String sum = fresh("SkipSum");
        List<String> in = beta == null ? List.of(x, delta, g) : List.of(x, delta, g, beta);
        graph.msNode("SkipLayerNormalization", in, List.of(out, "", "", sum), Attr.ofFloat("epsilon", eps));
        register(out, OnnxGraph.FLOAT, s.clone());
        register(sum, OnnxGraph.FLOAT, s.clone());
        return new SumNorm<>(sum, out);
    }

    /**
     * {@inheritDoc}
     *
     * <p>One ONNX Runtime {@code com.microsoft.RotaryEmbedding} node (interleaved pairs) on {@code (B, L, H*d)},
     * the angles of the {@code L} tokens as its cos/sin caches and position offset 0.
     */
    @Override
    public String rotaryPairs(String x_BLHd, String cos_Lh1, String sin_Lh1) {
        long[] xs = shape(x_BLHd);
        long half = xs[3] / 2;
        String out = fresh("RotaryEmbedding");
        graph.msNode(
                "RotaryEmbedding",
                List.of(
                        reshape(x_BLHd, xs[0], xs[1], xs[2] * xs[3]),
                        constantLong(new long[] {0}, 1),
                        reshape(cos_Lh1, xs[1], half),
                        reshape(sin_Lh1, xs[1], half)),
                List.of(out),
                Attr.ofInt("interleaved", 1),
                Attr.ofInt("num_heads", xs[2]));
        register(out, OnnxGraph.FLOAT, new long[] {xs[0], xs[1], xs[2] * xs[3]});
        return reshape(out, xs);
    }

    @Override
    public String softmax(String x, int axis) {
        long[] s = shape(x);
        return op("Softmax", OnnxGraph.FLOAT, s, List.of(x), Attr.ofInt("axis", axis(axis, s.length)));
    }

    @Override
    public String layerNorm(String x, String gamma, String beta, float eps) {
        long[] s = shape(x);
        long c = s[s.length - 1];
        String g = gamma != null ? gamma : constant(filled(c, 1f), c);
        List<String> in = beta == null ? List.of(x, g) : List.of(x, g, beta);
        return op("LayerNormalization", OnnxGraph.FLOAT, s, in, Attr.ofInt("axis", -1), Attr.ofFloat("epsilon", eps));
    }

    @Override
    public String rmsNorm(String x, String gamma, float eps) {
        String meanSq = reduceMean(mul(x, x), -1);
        return mul(div(x, unary("Sqrt", addScalar(meanSq, eps))), gamma);
    }

    @Override
    public String l2Normalize(String x, int axis, float eps) {
        long[] s = shape(x);
        int a = axis(axis, s.length);
        long[] r = s.clone();
        r[a] = 1;
        String norm = op("ReduceL2", OnnxGraph.FLOAT, r, List.of(x), Attr.ofInts("axes", a), Attr.ofInt("keepdims", 1));
        return div(x, binary("Max", norm, scalar(eps)));
    }

    @Override
    public String groupNorm(String x_NCHW, int groups, String gamma, String beta, float eps) {
        long[] s = shape(x_NCHW);
        if (s.length != 4 || s[1] % groups != 0) {
            throw new IllegalArgumentException(groups + " groups do not divide the channels of " + Arrays.toString(s));
        }
        String g = reshape(x_NCHW, s[0], groups, -1);
        String centered = sub(g, reduceMean(g, 2));
        String var = reduceMean(mul(centered, centered), 2);
        String normed = reshape(div(centered, unary("Sqrt", addScalar(var, eps))), s);
        return add(mul(normed, reshape(gamma, 1, s[1], 1, 1)), reshape(beta, 1, s[1], 1, 1));
    }

    private String reduceMean(String x, int axis) {
        long[] s = shape(x);
        int a = axis(axis, s.length);
        long[] r = s.clone();
        r[a] = 1;
        return op("ReduceMean", OnnxGraph.FLOAT, r, List.of(x), Attr.ofInts("axes", a), Attr.ofInt("keepdims", 1));
    }

    // ---- images -------------------------------------------------------------------------------------

    @Override
    public String conv2d(String x_NCHW, String w_OIKK, String bias, int stride, int padding) {
        long[] s = shape(x_NCHW);
        long[] w = shape(w_OIKK);
        if (s.length != 4 || w.length != 4 || s[1] != w[1]) {
            throw new ShapeMismatchException("conv2d of " + Arrays.toString(s) + " by kernel " + Arrays.toString(w));
        }
        long h = (s[2] + 2L * padding - w[2]) / stride + 1;
        long wd = (s[3] + 2L * padding - w[3]) / stride + 1;
        List<String> in = bias == null ? List.of(x_NCHW, w_OIKK) : List.of(x_NCHW, w_OIKK, bias);
        return op(
                "Conv",
                OnnxGraph.FLOAT,
                new long[] {s[0], w[0], h, wd},
                in,
                Attr.ofInts("kernel_shape", w[2], w[3]),
                Attr.ofInts("strides", stride, stride),
                Attr.ofInts("pads", padding, padding, padding, padding));
    }

    @Override
    public String upsampleNearest2x(String x_NCHW) {
        long[] s = shape(x_NCHW);
        String r = reshape(x_NCHW, s[0], s[1], s[2], 1, s[3], 1);
        long[] big = {s[0], s[1], s[2], 2, s[3], 2};
        String e = op("Expand", OnnxGraph.FLOAT, big, List.of(r, longs(big)));
        return reshape(e, s[0], s[1], 2 * s[2], 2 * s[3]);
    }

    // ---- helpers ------------------------------------------------------------------------------------

    private String unary(String opType, String x) {
        return op(opType, type(x), shape(x), List.of(x));
    }

    private String binary(String opType, String a, String b) {
        long[] out = broadcast(shape(a), shape(b), opType);
        return op(opType, type(a), out, List.of(a, b));
    }

    private String op(String opType, int type, long[] outShape, List<String> inputs, Attr... attrs) {
        for (String in : inputs) {
            if (!in.isEmpty()) {
                shape(in);
            }
        }
        String out = fresh(opType);
        graph.node(opType, new ArrayList<>(inputs), List.of(out), attrs);
        return register(out, type, outShape);
    }

    private String register(String name, int type, long[] shape) {
        shapes.put(name, shape);
        types.put(name, type);
        return name;
    }

    private String fresh(String prefix) {
        return "/" + prefix + "_" + counter++;
    }

    private static long[] broadcast(long[] a, long[] b, String what) {
        int rank = Math.max(a.length, b.length);
        long[] out = new long[rank];
        for (int i = 0; i < rank; i++) {
            long da = i < rank - a.length ? 1 : a[i - (rank - a.length)];
            long db = i < rank - b.length ? 1 : b[i - (rank - b.length)];
            if (da != db && da != 1 && db != 1) {
                throw new ShapeMismatchException(
                        what + ": cannot broadcast " + Arrays.toString(a) + " with " + Arrays.toString(b));
            }
            out[i] = da == 1 ? db : da;
        }
        return out;
    }

    private static int axis(int axis, int rank) {
        int a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank) {
            throw new IllegalArgumentException("axis " + axis + " out of range for rank " + rank);
        }
        return a;
    }

    private static long numel(long[] s) {
        long n = 1;
        for (long d : s) {
            n *= d;
        }
        return n;
    }

    private static float[] filled(long n, float v) {
        float[] f = new float[Math.toIntExact(n)];
        Arrays.fill(f, v);
        return f;
    }
}
