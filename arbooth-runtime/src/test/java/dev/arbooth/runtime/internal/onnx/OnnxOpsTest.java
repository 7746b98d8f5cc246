package dev.arbooth.runtime.internal.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtSession;
import dev.arbooth.ArboothException;
import dev.arbooth.ShapeMismatchException;
import dev.arbooth.internal.format.StateDict;
import dev.arbooth.runtime.internal.OrtSessions;
import dev.arbooth.runtime.internal.OrtTensors;
import dev.arbooth.runtime.internal.OrtWeights;
import dev.arbooth.tensor.Tensor;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every {@link OnnxOps} op run by ONNX Runtime (ALL_OPT, 1 thread) against a plain-Java evaluation of the
 * semantics stated in {@code Ops} (float64 accumulation), tolerance 1e-5.
 */
class OnnxOpsTest {
    private static final double TOL = 1e-5;
    private static final SplittableRandom RND = new SplittableRandom(7);

    /** A host tensor: row-major values and shape. */
    record Nd(float[] v, long[] s) {
        static Nd random(long... shape) {
            float[] v = new float[Math.toIntExact(Tensor.numel(shape))];
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) RND.nextGaussian();
            }
            return new Nd(v, shape);
        }

        int size() {
            return v.length;
        }
    }

    private static final Map<String, Tensor> WEIGHTS = new LinkedHashMap<>();
    private static OrtWeights weights;

    @BeforeAll
    static void weights() {
        WEIGHTS.put("w.linear", Tensor.ofFloats(Nd.random(5, 4).v(), 5, 4));
        WEIGHTS.put("w.bias", Tensor.ofFloats(Nd.random(5).v(), 5));
        WEIGHTS.put("w.conv", Tensor.ofFloats(Nd.random(6, 4, 3, 3).v(), 6, 4, 3, 3));
        WEIGHTS.put("w.convbias", Tensor.ofFloats(Nd.random(6).v(), 6));
        WEIGHTS.put("w.gamma", Tensor.ofFloats(Nd.random(8).v(), 8));
        WEIGHTS.put("w.beta", Tensor.ofFloats(Nd.random(8).v(), 8));
        WEIGHTS.put("w.table", Tensor.ofFloats(Nd.random(10, 3).v(), 10, 3));
        weights = OrtWeights.create(StateDict.of(WEIGHTS));
    }

    @AfterAll
    static void close() {
        weights.close();
    }

    private static Nd w(String name) {
        Tensor t = WEIGHTS.get(name);
        return new Nd(t.toFloatArray(), t.shape());
    }

    /** Builds a graph of one expression over float inputs, runs it in ORT, returns the output. */
    private static Nd run(List<Nd> inputs, BiFunction<OnnxOps, List<String>, String> body) {
        OnnxOps ops = OnnxOps.create("test", weights::shapeOrNull);
        List<String> names = new java.util.ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) {
            names.add(ops.input("in" + i, inputs.get(i).s()));
        }
        String y = body.apply(ops, names);
        long[] shape = ops.shape(y);
        ops.output("out", y);
        Map<String, OnnxTensor> feeds = new HashMap<>();
        try (OrtSession s =
                OrtSessions.create("test", ops.toModelBytes(), new HashMap<>(weights.select(ops.weightsUsed())), 1)) {
            for (int i = 0; i < inputs.size(); i++) {
                feeds.put(
                        "in" + i,
                        OrtTensors.floats(inputs.get(i).v(), inputs.get(i).s()));
            }
            try (OrtSession.Result r = s.run(feeds)) {
                long[] got = ((OnnxTensor) r.get("out").orElseThrow()).getInfo().getShape();
                assertThat(got).as("ORT output shape vs tracked shape").containsExactly(shape);
                return new Nd(OrtTensors.read(r.get("out").orElseThrow()), shape);
            }
        } catch (ai.onnxruntime.OrtException e) {
            throw new AssertionError(e);
        } finally {
            feeds.values().forEach(OnnxTensor::close);
        }
    }

    private static void check(String what, Nd actual, float[] expected, long... shape) {
        assertThat(actual.s()).as(what + " shape").containsExactly(shape);
        double diff = 0;
        for (int i = 0; i < expected.length; i++) {
            diff = Math.max(diff, Math.abs(actual.v()[i] - expected[i]));
        }
        assertThat(actual.v()).as(what).hasSameSizeAs(expected);
        assertThat(diff).as(what + " max abs diff").isLessThanOrEqualTo(TOL);
    }

    // ---- reference helpers -------------------------------------------------------------------------

    private static long[] strides(long[] s) {
        long[] st = new long[s.length];
        long acc = 1;
        for (int i = s.length - 1; i >= 0; i--) {
            st[i] = acc;
            acc *= s[i];
        }
        return st;
    }

    /** Broadcast binary op (NumPy). */
    private static float[] broadcast(Nd a, Nd b, long[] out, java.util.function.DoubleBinaryOperator f) {
        int rank = out.length;
        long[] so = strides(out);
        long[] sa = strides(a.s());
        long[] sb = strides(b.s());
        float[] r = new float[Math.toIntExact(Tensor.numel(out))];
        for (int i = 0; i < r.length; i++) {
            long ia = 0;
            long ib = 0;
            for (int d = 0; d < rank; d++) {
                long idx = (i / so[d]) % out[d];
                int da = d - (rank - a.s().length);
                int db = d - (rank - b.s().length);
                if (da >= 0 && a.s()[da] != 1) {
                    ia += idx * sa[da];
                }
                if (db >= 0 && b.s()[db] != 1) {
                    ib += idx * sb[db];
                }
            }
            r[i] = (float) f.applyAsDouble(a.v()[(int) ia], b.v()[(int) ib]);
        }
        return r;
    }

    private static float[] map(Nd x, java.util.function.DoubleUnaryOperator f) {
        float[] r = new float[x.size()];
        for (int i = 0; i < r.length; i++) {
            r[i] = (float) f.applyAsDouble(x.v()[i]);
        }
        return r;
    }

    /** Applies f to every lane along the last axis of x viewed as (rows, c). */
    private static float[] lanes(Nd x, int c, Function<double[], double[]> f) {
        float[] r = new float[x.size()];
        double[] lane = new double[c];
        for (int row = 0; row < x.size() / c; row++) {
            for (int j = 0; j < c; j++) {
                lane[j] = x.v()[row * c + j];
            }
            double[] o = f.apply(lane);
            for (int j = 0; j < c; j++) {
                r[row * c + j] = (float) o[j];
            }
        }
        return r;
    }

    private static float[] transpose(Nd x, int... axes) {
        long[] out = new long[axes.length];
        for (int i = 0; i < axes.length; i++) {
            out[i] = x.s()[axes[i]];
        }
        long[] so = strides(out);
        long[] si = strides(x.s());
        float[] r = new float[x.size()];
        for (int i = 0; i < r.length; i++) {
            long src = 0;
            for (int d = 0; d < out.length; d++) {
                src += ((i / so[d]) % out[d]) * si[axes[d]];
            }
            r[i] = x.v()[(int) src];
        }
        return r;
    }

    // ---- tests -------------------------------------------------------------------------------------

    @Test
    void elementwiseWithBroadcasting() {
        Nd a = Nd.random(2, 3, 4);
        Nd b = Nd.random(3, 1);
        long[] o = {2, 3, 4};
        check(
                "add",
                run(List.of(a, b), (ops, in) -> ops.add(in.get(0), in.get(1))),
                broadcast(a, b, o, Double::sum),
                o);
        check(
                "sub",
                run(List.of(a, b), (ops, in) -> ops.sub(in.get(0), in.get(1))),
                broadcast(a, b, o, (x, y) -> x - y),
                o);
        check(
                "mul",
                run(List.of(a, b), (ops, in) -> ops.mul(in.get(0), in.get(1))),
                broadcast(a, b, o, (x, y) -> x * y),
                o);
        Nd pos = new Nd(map(b, v -> Math.abs(v) + 0.5), b.s());
        check(
                "div",
                run(List.of(a, pos), (ops, in) -> ops.div(in.get(0), in.get(1))),
                broadcast(a, pos, o, (x, y) -> x / y),
                o);
        check("mulScalar", run(List.of(a), (ops, in) -> ops.mulScalar(in.get(0), 1.5f)), map(a, v -> v * 1.5f), o);
        check("addScalar", run(List.of(a), (ops, in) -> ops.addScalar(in.get(0), -0.25f)), map(a, v -> v - 0.25f), o);
        check(
                "clamp",
                run(List.of(a), (ops, in) -> ops.clamp(in.get(0), -0.5f, 0.7f)),
                map(a, v -> Math.min(Math.max(v, -0.5), 0.7)),
                o);
        check(
                "clamp hi only",
                run(List.of(a), (ops, in) -> ops.clamp(in.get(0), Float.NEGATIVE_INFINITY, 0.1f)),
                map(a, v -> Math.min(v, 0.1)),
                o);
        check(
                "clamp lo only",
                run(List.of(a), (ops, in) -> ops.clamp(in.get(0), 0.2f, Float.POSITIVE_INFINITY)),
                map(a, v -> Math.max(v, 0.2)),
                o);
        check("exp", run(List.of(a), (ops, in) -> ops.exp(in.get(0))), map(a, Math::exp), o);
        check("silu", run(List.of(a), (ops, in) -> ops.silu(in.get(0))), map(a, v -> v / (1 + Math.exp(-v))), o);
        double c = Math.sqrt(2 / Math.PI);
        check(
                "geluTanh",
                run(List.of(a), (ops, in) -> ops.geluTanh(in.get(0))),
                map(a, v -> 0.5 * v * (1 + Math.tanh(c * (v + 0.044715 * v * v * v)))),
                o);
    }

    @Test
    void shapeOps() {
        Nd a = Nd.random(2, 3, 4);
        check("reshape", run(List.of(a), (ops, in) -> ops.reshape(in.get(0), 4, -1)), a.v(), 4, 6);
        check("permute", run(List.of(a), (ops, in) -> ops.permute(in.get(0), 2, 0, 1)), transpose(a, 2, 0, 1), 4, 2, 3);
        check(
                "permute negative-free identity",
                run(List.of(a), (ops, in) -> ops.permute(in.get(0), 0, 1, 2)),
                a.v(),
                2,
                3,
                4);
        Nd b = Nd.random(2, 1, 4);
        float[] cat = new float[2 * 4 * 4];
        for (int i = 0; i < 2; i++) {
            System.arraycopy(a.v(), i * 12, cat, i * 16, 12);
            System.arraycopy(b.v(), i * 4, cat, i * 16 + 12, 4);
        }
        check("concat", run(List.of(a, b), (ops, in) -> ops.concat(1, List.of(in.get(0), in.get(1)))), cat, 2, 4, 4);
        check(
                "concat negative axis",
                run(List.of(a, b), (ops, in) -> ops.concat(-2, List.of(in.get(0), in.get(1)))),
                cat,
                2,
                4,
                4);
        float[] sl = new float[2 * 3 * 2];
        for (int i = 0; i < 6; i++) {
            sl[2 * i] = a.v()[4 * i + 1];
            sl[2 * i + 1] = a.v()[4 * i + 2];
        }
        check("slice", run(List.of(a), (ops, in) -> ops.slice(in.get(0), -1, 1, 3)), sl, 2, 3, 2);
        Nd table = w("w.table");
        long[] idx = {3, 0, 9, 3, 5, 1};
        float[] g = new float[6 * 3];
        for (int i = 0; i < 6; i++) {
            System.arraycopy(table.v(), (int) idx[i] * 3, g, 3 * i, 3);
        }
        check(
                "gather",
                run(List.of(), (ops, in) -> ops.gather(ops.weight("w.table"), ops.constantLong(idx, 2, 3))),
                g,
                2,
                3,
                3);
        Nd img = Nd.random(1, 2, 3, 2);
        float[] pad = new float[2 * 5 * 5];
        for (int ch = 0; ch < 2; ch++) {
            for (int y = 0; y < 3; y++) {
                for (int x = 0; x < 2; x++) {
                    pad[ch * 25 + (y + 1) * 5 + (x + 2)] = img.v()[ch * 6 + y * 2 + x];
                }
            }
        }
        check("pad2d", run(List.of(img), (ops, in) -> ops.pad2d(in.get(0), 1, 1, 2, 1)), pad, 1, 2, 5, 5);
        float[] up = new float[2 * 6 * 4];
        for (int ch = 0; ch < 2; ch++) {
            for (int y = 0; y < 6; y++) {
                for (int x = 0; x < 4; x++) {
                    up[ch * 24 + y * 4 + x] = img.v()[ch * 6 + (y / 2) * 2 + x / 2];
                }
            }
        }
        check("upsampleNearest2x", run(List.of(img), (ops, in) -> ops.upsampleNearest2x(in.get(0))), up, 1, 2, 6, 4);
        float[] k = {1, 2, 3, 4};
        check("constant", run(List.of(), (ops, in) -> ops.addScalar(ops.constant(k, 2, 2), 0f)), k, 2, 2);
    }

    @Test
    void linearAlgebra() {
        Nd a = Nd.random(2, 1, 3, 4);
        Nd b = Nd.random(5, 4, 2);
        float[] mm = new float[2 * 5 * 3 * 2];
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 5; j++) {
                for (int r = 0; r < 3; r++) {
                    for (int c = 0; c < 2; c++) {
                        double s = 0;
                        for (int t = 0; t < 4; t++) {
                            s += (double) a.v()[i * 12 + r * 4 + t] * b.v()[j * 8 + t * 2 + c];
                        }
                        mm[((i * 5 + j) * 3 + r) * 2 + c] = (float) s;
                    }
                }
            }
        }
        check("matmul", run(List.of(a, b), (ops, in) -> ops.matmul(in.get(0), in.get(1))), mm, 2, 5, 3, 2);
        Nd x = Nd.random(2, 3, 4);
        Nd wt = w("w.linear");
        Nd bias = w("w.bias");
        float[] lin = new float[2 * 3 * 5];
        float[] linNoBias = new float[2 * 3 * 5];
        for (int r = 0; r < 6; r++) {
            for (int o = 0; o < 5; o++) {
                double s = 0;
                for (int t = 0; t < 4; t++) {
                    s += (double) x.v()[r * 4 + t] * wt.v()[o * 4 + t];
                }
                linNoBias[r * 5 + o] = (float) s;
                lin[r * 5 + o] = (float) (s + bias.v()[o]);
            }
        }
        check(
                "linear",
                run(List.of(x), (ops, in) -> ops.linear(in.get(0), ops.weight("w.linear"), ops.weight("w.bias"))),
                lin,
                2,
                3,
                5);
        check(
                "linear no bias",
                run(List.of(x), (ops, in) -> ops.linear(in.get(0), ops.weight("w.linear"), null)),
                linNoBias,
                2,
                3,
                5);
        Nd x2 = Nd.random(3, 4);
        float[] lin2 = new float[15];
        for (int r = 0; r < 3; r++) {
            for (int o = 0; o < 5; o++) {
                double s = bias.v()[o];
                for (int t = 0; t < 4; t++) {
                    s += (double) x2.v()[r * 4 + t] * wt.v()[o * 4 + t];
                }
                lin2[r * 5 + o] = (float) s;
            }
        }
        // the FFN's first half: Gemm without bias, then FastGelu adding the bias (com.microsoft)
        float[] linGelu = map(
                new Nd(lin, new long[] {2, 3, 5}),
                v -> 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v))));
        check(
                "linearGeluTanh",
                run(
                        List.of(x),
                        (ops, in) -> ops.linearGeluTanh(in.get(0), ops.weight("w.linear"), ops.weight("w.bias"))),
                linGelu,
                2,
                3,
                5);
        OnnxOps fused = OnnxOps.create("fused", weights::shapeOrNull);
        fused.output(
                "y", fused.linearGeluTanh(fused.input("x", 2, 3, 4), fused.weight("w.linear"), fused.weight("w.bias")));
        assertThat(new String(fused.toModelBytes(), java.nio.charset.StandardCharsets.ISO_8859_1))
                .as("emitted as one FastGelu after a Gemm, no Tanh/Pow chain")
                .contains("FastGelu")
                .doesNotContain("Tanh");
        check(
                "linear 2-D",
                run(List.of(x2), (ops, in) -> ops.linear(in.get(0), ops.weight("w.linear"), ops.weight("w.bias"))),
                lin2,
                3,
                5);
    }

    @Test
    void normalisations() {
        Nd x = Nd.random(3, 2, 8);
        Nd gamma = w("w.gamma");
        Nd beta = w("w.beta");
        check(
                "softmax last",
                run(List.of(x), (ops, in) -> ops.softmax(in.get(0), -1)),
                lanes(x, 8, l -> {
                    double m = Arrays.stream(l).max().orElseThrow();
                    double s = Arrays.stream(l).map(v -> Math.exp(v - m)).sum();
                    return Arrays.stream(l).map(v -> Math.exp(v - m) / s).toArray();
                }),
                3,
                2,
                8);
        Nd xt = new Nd(transpose(x, 0, 2, 1), new long[] {3, 8, 2});
        float[] smT = lanes(new Nd(transpose(xt, 0, 2, 1), x.s()), 8, l -> {
            double s = Arrays.stream(l).map(Math::exp).sum();
            return Arrays.stream(l).map(v -> Math.exp(v) / s).toArray();
        });
        check(
                "softmax axis 1",
                run(List.of(xt), (ops, in) -> ops.softmax(in.get(0), 1)),
                transpose(new Nd(smT, x.s()), 0, 2, 1),
                3,
                8,
                2);
        Function<double[], double[]> ln = l -> {
            double m = Arrays.stream(l).average().orElseThrow();
            double v = Arrays.stream(l).map(t -> (t - m) * (t - m)).average().orElseThrow();
            return Arrays.stream(l).map(t -> (t - m) / Math.sqrt(v + 1e-5)).toArray();
        };
        check(
                "layerNorm no affine",
                run(List.of(x), (ops, in) -> ops.layerNorm(in.get(0), null, null, 1e-5f)),
                lanes(x, 8, ln),
                3,
                2,
                8);
        check(
                "layerNorm affine",
                run(
                        List.of(x),
                        (ops, in) -> ops.layerNorm(in.get(0), ops.weight("w.gamma"), ops.weight("w.beta"), 1e-5f)),
                lanes(x, 8, l -> {
                    double[] o = ln.apply(l);
                    for (int j = 0; j < 8; j++) {
                        o[j] = o[j] * gamma.v()[j] + beta.v()[j];
                    }
                    return o;
                }),
                3,
                2,
                8);
        check(
                "rmsNorm",
                run(List.of(x), (ops, in) -> ops.rmsNorm(in.get(0), ops.weight("w.gamma"), 1e-6f)),
                lanes(x, 8, l -> {
                    double ms = Arrays.stream(l).map(t -> t * t).average().orElseThrow();
                    double[] o = new double[8];
                    for (int j = 0; j < 8; j++) {
                        o[j] = l[j] / Math.sqrt(ms + 1e-6) * gamma.v()[j];
                    }
                    return o;
                }),
                3,
                2,
                8);
        Function<double[], double[]> l2 = l -> {
            double n = Math.max(Math.sqrt(Arrays.stream(l).map(t -> t * t).sum()), 1e-12);
            return Arrays.stream(l).map(t -> t / n).toArray();
        };
        check(
                "l2Normalize",
                run(List.of(x), (ops, in) -> ops.l2Normalize(in.get(0), -1, 1e-12f)),
                lanes(x, 8, l2),
                3,
                2,
                8);
        Nd zeros = new Nd(new float[16], new long[] {2, 8});
        check(
                "l2Normalize of zeros",
                run(List.of(zeros), (ops, in) -> ops.l2Normalize(in.get(0), 1, 1e-12f)),
                new float[16],
                2,
                8);
        // GroupNorm: 8 channels, 2 groups of 4 channels x 3 x 2 pixels
        Nd img = Nd.random(2, 8, 3, 2);
        float[] gn = lanes(img, 24, l -> {
            double[] o = ln.apply(l);
            return o;
        });
        for (int n = 0; n < 2; n++) {
            for (int ch = 0; ch < 8; ch++) {
                for (int p = 0; p < 6; p++) {
                    int i = (n * 8 + ch) * 6 + p;
                    gn[i] = gn[i] * gamma.v()[ch] + beta.v()[ch];
                }
            }
        }
        check(
                "groupNorm",
                run(
                        List.of(img),
                        (ops, in) -> ops.groupNorm(in.get(0), 2, ops.weight("w.gamma"), ops.weight("w.beta"), 1e-5f)),
                gn,
                2,
                8,
                3,
                2);
    }

    @Test
    void conv2dStridesAndPadding() {
        Nd x = Nd.random(2, 4, 5, 6);
        Nd k = w("w.conv");
        Nd bias = w("w.convbias");
        for (int[] sp : new int[][] {{1, 1}, {2, 0}, {2, 1}}) {
            int stride = sp[0];
            int pad = sp[1];
            int ho = (5 + 2 * pad - 3) / stride + 1;
            int wo = (6 + 2 * pad - 3) / stride + 1;
            float[] y = new float[2 * 6 * ho * wo];
            for (int n = 0; n < 2; n++) {
                for (int o = 0; o < 6; o++) {
                    for (int r = 0; r < ho; r++) {
                        for (int c = 0; c < wo; c++) {
                            double s = bias.v()[o];
                            for (int i = 0; i < 4; i++) {
                                for (int kh = 0; kh < 3; kh++) {
                                    for (int kw = 0; kw < 3; kw++) {
                                        int yy = r * stride - pad + kh;
                                        int xx = c * stride - pad + kw;
                                        if (yy >= 0 && yy < 5 && xx >= 0 && xx < 6) {
                                            s += (double) x.v()[((n * 4 + i) * 5 + yy) * 6 + xx]
                                                    * k.v()[((o * 4 + i) * 3 + kh) * 3 + kw];
                                        }
                                    }
                                }
                            }
                            y[((n * 6 + o) * ho + r) * wo + c] = (float) s;
                        }
                    }
                }
            }
            check(
                    "conv2d stride " + stride + " pad " + pad,
                    run(
                            List.of(x),
                            (ops, in) ->
                                    ops.conv2d(in.get(0), ops.weight("w.conv"), ops.weight("w.convbias"), stride, pad)),
                    y,
                    2,
                    6,
                    ho,
                    wo);
        }
    }

    @Test
    void badUsesFailClearly() {
        OnnxOps ops = OnnxOps.create("bad", weights::shapeOrNull);
        String a = ops.input("a", 2, 3);
        String b = ops.input("b", 4, 3);
        assertThatThrownBy(() -> ops.add(a, b))
                .isInstanceOf(ShapeMismatchException.class)
                .hasMessageContaining("broadcast");
        assertThatThrownBy(() -> ops.matmul(a, b)).isInstanceOf(ShapeMismatchException.class);
        assertThatThrownBy(() -> ops.reshape(a, 4, 2)).isInstanceOf(ShapeMismatchException.class);
        assertThatThrownBy(() -> ops.weight("missing.weight"))
                .isInstanceOf(ArboothException.class)
                .hasMessageContaining("missing.weight");
        assertThatThrownBy(() -> ops.input("a", 1)).isInstanceOf(IllegalArgumentException.class);
        assertThat(ops.hasWeight("w.conv")).isTrue();
        assertThat(ops.hasWeight("nope")).isFalse();
        assertThat(ops.shape(ops.weight("w.conv"))).containsExactly(6, 4, 3, 3);
        assertThat(ops.weightsUsed()).containsExactly("w.conv");
    }
}
