package dev.arbooth.train.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.arbooth.internal.format.StateDict;
import dev.arbooth.internal.nn.ForwardingOps;
import dev.arbooth.internal.nn.Ops;
import dev.arbooth.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Each op of {@link DjlOps} against a plain-Java evaluation of the semantics stated in {@code Ops}. */
class DjlOpsTest {
    private static final double TOL = 2e-6;

    private NDManager manager;
    private DjlOps ops;

    @BeforeEach
    void setUp() {
        manager = DjlEngine.pytorch(1).newBaseManager();
        ops = DjlOps.create(
                manager,
                StateDict.of(Map.of(
                        "w", Tensor.ofFloats(new float[] {1, 2, 3, 4, 5, 6}, 2, 3),
                        "b", Tensor.ofFloats(new float[] {0.5f, -1f}, 2))));
    }

    @AfterEach
    void tearDown() {
        ops.close();
    }

    @Test
    void linearWithAndWithoutBias() {
        NDArray x = ops.constant(new float[] {1, 0, -1, 2, 1, 0}, 2, 3);
        assertThat(ops.linear(x, ops.weight("w"), ops.weight("b")).toFloatArray())
                .containsExactly(-1.5f, -3f, 4.5f, 12f);
        assertThat(ops.linear(x, ops.weight("w"), null).toFloatArray()).containsExactly(-2f, -2f, 4f, 13f);
    }

    @Test
    void shapeOps() {
        NDArray x = ops.constant(range(24), 2, 3, 4);
        assertThat(ops.shape(ops.permute(x, 2, 0, 1))).containsExactly(4, 2, 3);
        assertThat(ops.slice(x, 1, 1, 3).toFloatArray()).containsExactly(ranges(4, 12, 16, 24));
        assertThat(ops.slice(x, -1, 3, 4).toFloatArray()).containsExactly(3, 7, 11, 15, 19, 23);
        assertThat(ops.shape(ops.concat(0, List.of(x, x)))).containsExactly(4, 3, 4);
        NDArray table = ops.constant(range(6), 3, 2);
        NDArray rows = ops.gather(table, ops.constantLong(new long[] {2, 0, 2, 1}, 2, 2));
        assertThat(ops.shape(rows)).containsExactly(2, 2, 2);
        assertThat(rows.toFloatArray()).containsExactly(4, 5, 0, 1, 4, 5, 2, 3);
        NDArray img = ops.constant(new float[] {1, 2, 3, 4}, 1, 1, 2, 2);
        assertThat(ops.pad2d(img, 0, 1, 0, 1).toFloatArray()).containsExactly(1, 2, 0, 3, 4, 0, 0, 0, 0);
        assertThat(ops.pad2d(img, 1, 0, 2, 0).toFloatArray()).containsExactly(0, 0, 0, 0, 0, 0, 1, 2, 0, 0, 3, 4);
        assertThat(ops.upsampleNearest2x(img).toFloatArray())
                .containsExactly(1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4);
    }

    @Test
    void elementwiseOps() {
        float[] v = {-3f, -0.5f, 0f, 0.7f, 2.5f};
        NDArray x = ops.constant(v, 5);
        float[] gelu = ops.geluTanh(x).toFloatArray();
        float[] silu = ops.silu(x).toFloatArray();
        float[] clamped = ops.clamp(x, Float.NEGATIVE_INFINITY, 0.5f).toFloatArray();
        for (int i = 0; i < v.length; i++) {
            double g = 0.5 * v[i] * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v[i] + 0.044715 * Math.pow(v[i], 3))));
            assertThat((double) gelu[i]).isCloseTo(g, within(TOL));
            assertThat((double) silu[i]).isCloseTo(v[i] / (1 + Math.exp(-v[i])), within(TOL));
            assertThat(clamped[i]).isEqualTo(Math.min(v[i], 0.5f));
        }
        assertThat(ops.clamp(x, -1f, 1f).toFloatArray()).containsExactly(-1f, -0.5f, 0f, 0.7f, 1f);
    }

    @Test
    void normalisations() {
        float[] v = randn(2 * 8, 1);
        NDArray x = ops.constant(v, 2, 8);
        float[] gamma = randn(8, 2);
        float[] beta = randn(8, 3);
        float[] ln = ops.layerNorm(x, ops.constant(gamma, 8), ops.constant(beta, 8), 1e-6f)
                .toFloatArray();
        float[] lnPlain = ops.layerNorm(x, null, null, 1e-6f).toFloatArray();
        float[] rms = ops.rmsNorm(x, ops.constant(gamma, 8), 1e-6f).toFloatArray();
        float[] l2 = ops.l2Normalize(x, -1, 1e-12f).toFloatArray();
        for (int r = 0; r < 2; r++) {
            double mean = 0;
            double sq = 0;
            for (int c = 0; c < 8; c++) {
                mean += v[r * 8 + c] / 8.0;
                sq += v[r * 8 + c] * (double) v[r * 8 + c];
            }
            double var = 0;
            for (int c = 0; c < 8; c++) {
                var += Math.pow(v[r * 8 + c] - mean, 2) / 8.0;
            }
            for (int c = 0; c < 8; c++) {
                int i = r * 8 + c;
                double norm = (v[i] - mean) / Math.sqrt(var + 1e-6);
                assertThat((double) lnPlain[i]).isCloseTo(norm, within(1e-5));
                assertThat((double) ln[i]).isCloseTo(norm * gamma[c] + beta[c], within(1e-5));
                assertThat((double) rms[i]).isCloseTo(v[i] / Math.sqrt(sq / 8 + 1e-6) * gamma[c], within(1e-5));
                assertThat((double) l2[i]).isCloseTo(v[i] / Math.sqrt(sq), within(1e-6));
            }
        }
        float[] z =
                ops.l2Normalize(ops.constant(new float[4], 1, 4), -1, 1e-12f).toFloatArray();
        assertThat(z).containsOnly(0f);
    }

    @Test
    void groupNormMatchesDefinition() {
        int n = 2;
        int c = 4;
        int hw = 3;
        float[] v = randn(n * c * hw, 4);
        float[] gamma = randn(c, 5);
        float[] beta = randn(c, 6);
        float[] out = ops.groupNorm(
                        ops.constant(v, n, c, 1, hw), 2, ops.constant(gamma, c), ops.constant(beta, c), 1e-6f)
                .toFloatArray();
        for (int b = 0; b < n; b++) {
            for (int g = 0; g < 2; g++) {
                int base = b * c * hw + g * 2 * hw;
                double mean = 0;
                for (int i = 0; i < 2 * hw; i++) {
                    mean += v[base + i] / (2.0 * hw);
                }
                double var = 0;
                for (int i = 0; i < 2 * hw; i++) {
                    var += Math.pow(v[base + i] - mean, 2) / (2.0 * hw);
                }
                for (int i = 0; i < 2 * hw; i++) {
                    int ch = g * 2 + i / hw;
                    double e = (v[base + i] - mean) / Math.sqrt(var + 1e-6) * gamma[ch] + beta[ch];
                    assertThat((double) out[base + i]).isCloseTo(e, within(1e-5));
                }
            }
        }
    }

    /**
     * The input gradient of a group norm is finite also for a constant group (zero variance), and it has the exact
     * invariances of a normalisation: per group it sums to zero (shifting a group changes nothing) and it is
     * orthogonal to the centred values (scaling a group changes nothing, up to eps).
     */
    @Test
    void groupNormGradientIsFiniteAndInvariant() {
        int n = 2;
        int c = 4;
        int hw = 6;
        int groups = 2;
        float[] v = randn(n * c * hw, 11);
        int per = c / groups * hw;
        Arrays.fill(v, 0, per, 0.25f); // sample 0, group 0: constant
        float[] r = randn(n * c * hw, 12);
        try (NDManager sub = manager.newSubManager();
                GradientCollector gc = manager.getEngine().newGradientCollector()) {
            DjlOps scoped = ops.scoped(sub);
            NDArray x = scoped.constant(v, n, c, 1, hw);
            x.setRequiresGradient(true);
            NDArray y = scoped.groupNorm(
                    x, groups, scoped.constant(new float[] {1, 1, 1, 1}, c), scoped.constant(new float[c], c), 1e-6f);
            gc.backward(y.mul(scoped.constant(r, n, c, 1, hw)).sum());
            float[] g = x.getGradient().toFloatArray();
            for (float e : g) {
                assertThat(Float.isFinite(e)).isTrue();
            }
            for (int grp = 0; grp < n * groups; grp++) {
                double mean = 0;
                for (int i = 0; i < per; i++) {
                    mean += v[grp * per + i] / per;
                }
                double sum = 0;
                double dot = 0;
                double scale = 0;
                for (int i = 0; i < per; i++) {
                    sum += g[grp * per + i];
                    dot += g[grp * per + i] * (v[grp * per + i] - mean);
                    scale += Math.abs(g[grp * per + i]);
                }
                assertThat(sum).as("group %d: gradient sum", grp).isCloseTo(0, within(1e-4 * (1 + scale)));
                assertThat(dot).as("group %d: gradient . centred", grp).isCloseTo(0, within(1e-4 * (1 + scale)));
            }
        }
    }

    /** GELU(tanh) against its definition {@code 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))}. */
    @Test
    void geluTanhMatchesDefinition() {
        float[] v = randn(64, 13);
        v[0] = 0f;
        v[1] = 12f;
        v[2] = -12f;
        float[] out = ops.geluTanh(ops.constant(v, 64)).toFloatArray();
        for (int i = 0; i < v.length; i++) {
            double x = v[i];
            double e = 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
            assertThat((double) out[i]).as("x = %s", x).isCloseTo(e, within(1e-6 * (1 + Math.abs(e))));
        }
    }

    /**
     * {@code Ops.ffn} in token chunks equals the whole FFN (values and weight gradients), for chunks that divide the
     * tokens and one that does not; the engine's own chunk size keeps a chunk's hidden activations within its budget.
     */
    @Test
    void ffnInTokenChunksEqualsWholeFfn() {
        int rows = 2;
        int n = 7;
        int c = 3;
        int hidden = 8;
        Map<String, Tensor> w = Map.of(
                "fc1.weight", Tensor.ofFloats(randn(hidden * c, 21), hidden, c),
                "fc1.bias", Tensor.ofFloats(randn(hidden, 22), hidden),
                "fc2.weight", Tensor.ofFloats(randn(c * hidden, 23), c, hidden),
                "fc2.bias", Tensor.ofFloats(randn(c, 24), c));
        float[] x = randn(rows * n * c, 25);
        float[] r = randn(rows * n * c, 26);
        float[][] wholeOut = new float[2][];
        for (long chunk : new long[] {n, 2, 3, 1}) {
            try (NDManager m = DjlEngine.pytorch(1).newBaseManager();
                    DjlOps base = DjlOps.create(m, StateDict.of(w))) {
                base.parameters().train(List.of(new DjlParameters.Group("ffn", List.copyOf(w.keySet()))));
                Ops<NDArray> chunked = new ForwardingOps<>(base) {
                    @Override
                    public long ffnTokenChunk(long rows, long tokens, long hidden) {
                        return chunk;
                    }
                };
                try (NDManager sub = m.newSubManager();
                        GradientCollector gc = m.getEngine().newGradientCollector()) {
                    DjlOps scoped = base.scoped(sub);
                    NDArray y = chunked.ffn(
                            scoped.constant(x, rows, n, c),
                            "fc1.weight",
                            base.weight("fc1.bias"),
                            "fc2.weight",
                            base.weight("fc2.bias"));
                    gc.backward(y.mul(scoped.constant(r, rows, n, c)).sum());
                    float[] out = y.toFloatArray();
                    float[] grad = base.weight("fc1.weight").getGradient().toFloatArray();
                    if (chunk == n) {
                        wholeOut[0] = out;
                        wholeOut[1] = grad;
                    } else {
                        for (int i = 0; i < out.length; i++) {
                            assertThat(out[i])
                                    .as("chunk %d, out %d", chunk, i)
                                    .isCloseTo(wholeOut[0][i], within(1e-6f));
                        }
                        for (int i = 0; i < grad.length; i++) {
                            assertThat(grad[i])
                                    .as("chunk %d, grad %d", chunk, i)
                                    .isCloseTo(wholeOut[1][i], within(1e-5f));
                        }
                    }
                }
            }
        }
        long tokens = 2521;
        long chunk = ops.ffnTokenChunk(2, tokens, 2048);
        assertThat(chunk).isLessThan(tokens);
        assertThat(2 * chunk * 2048).isLessThanOrEqualTo(DjlOps.FFN_CHUNK_FLOATS);
        assertThat(ops.ffnTokenChunk(2, 121, 768)).isEqualTo(121);
    }

    @Test
    void conv2dMatchesDefinition() {
        int cin = 2;
        int cout = 3;
        int h = 5;
        int w = 4;
        float[] x = randn(cin * h * w, 7);
        float[] k = randn(cout * cin * 9, 8);
        float[] bias = randn(cout, 9);
        for (int stride : new int[] {1, 2}) {
            int pad = stride == 1 ? 1 : 0;
            NDArray y = ops.conv2d(
                    ops.constant(x, 1, cin, h, w),
                    ops.constant(k, cout, cin, 3, 3),
                    ops.constant(bias, cout),
                    stride,
                    pad);
            long[] s = ops.shape(y);
            float[] out = y.toFloatArray();
            int oh = (int) s[2];
            int ow = (int) s[3];
            assertThat(oh).isEqualTo((h + 2 * pad - 3) / stride + 1);
            for (int o = 0; o < cout; o++) {
                for (int i = 0; i < oh; i++) {
                    for (int j = 0; j < ow; j++) {
                        double acc = bias[o];
                        for (int ci = 0; ci < cin; ci++) {
                            for (int di = 0; di < 3; di++) {
                                for (int dj = 0; dj < 3; dj++) {
                                    int yi = i * stride + di - pad;
                                    int xj = j * stride + dj - pad;
                                    if (yi >= 0 && yi < h && xj >= 0 && xj < w) {
                                        acc += k[((o * cin + ci) * 3 + di) * 3 + dj]
                                                * (double) x[(ci * h + yi) * w + xj];
                                    }
                                }
                            }
                        }
                        assertThat((double) out[(o * oh + i) * ow + j]).isCloseTo(acc, within(1e-5));
                    }
                }
            }
        }
    }

    @Test
    void blockCausalAttentionInChunksEqualsTheMaskedDenseForm() {
        // 3 scales of 1, 4 and 9 tokens; a budget of 20 scores per head splits the last scale in 7 chunks
        dev.arbooth.config.ScaleSchedule s =
                dev.arbooth.config.ScaleSchedule.of(new int[] {1, 1}, new int[] {2, 2}, new int[] {3, 3});
        dev.arbooth.internal.nn.AttentionChunks chunks = dev.arbooth.internal.nn.AttentionChunks.blockCausal(s, 20);
        assertThat(chunks.chunks()).hasSize(1 + 1 + 7);
        assertThat(chunks.peakScores()).isLessThanOrEqualTo(28);
        assertThat(chunks.totalScores()).isEqualTo(1 + 4 * 5 + 9 * 14);
        int l = 14;
        NDArray q = ops.constant(randn(2 * l * 3 * 4, 1), 2, l, 3, 4);
        NDArray k = ops.constant(randn(2 * l * 3 * 4, 2), 2, l, 3, 4);
        NDArray v = ops.constant(randn(2 * l * 3 * 4, 3), 2, l, 3, 4);
        NDArray bias = ops.constant(dev.arbooth.internal.nn.InfinityNet.blockCausalBias(s), l, l);
        for (float scale : new float[] {1f, 0.7f}) {
            float[] dense =
                    ops.cachedAttention(q, k, v, null, bias, scale).out_BLC().toFloatArray();
            float[] chunked =
                    ops.blockCausalAttention(q, k, v, chunks, scale, 0).toFloatArray();
            float[] masked = ops.blockCausalAttention(q, k, v, chunks, scale, Long.MAX_VALUE)
                    .toFloatArray();
            float[] whole = ops.blockCausalAttention(
                            q, k, v, dev.arbooth.internal.nn.AttentionChunks.blockCausal(s, Long.MAX_VALUE), scale)
                    .toFloatArray();
            assertThat(chunked).hasSameSizeAs(dense);
            for (int i = 0; i < dense.length; i++) {
                assertThat(chunked[i]).isCloseTo(dense[i], within(1e-6f));
                assertThat(masked[i]).isCloseTo(dense[i], within(1e-6f));
                assertThat(whole[i]).isCloseTo(dense[i], within(1e-6f));
            }
        }
    }

    @Test
    void blockCausalAttentionHasTheSameGradientsMaskedAndInChunks() {
        dev.arbooth.config.ScaleSchedule s =
                dev.arbooth.config.ScaleSchedule.of(new int[] {1, 1}, new int[] {2, 2}, new int[] {3, 3});
        dev.arbooth.internal.nn.AttentionChunks chunks = dev.arbooth.internal.nn.AttentionChunks.blockCausal(s, 20);
        int l = 14;
        float[] upstream = randn(2 * l * 12, 14);
        List<float[][]> grads = new ArrayList<>();
        for (long maxDense : new long[] {0, Long.MAX_VALUE}) {
            try (NDManager sub = manager.newSubManager()) {
                DjlOps scoped = ops.scoped(sub);
                NDArray[] qkv = {
                    scoped.constant(randn(2 * l * 3 * 4, 11), 2, l, 3, 4),
                    scoped.constant(randn(2 * l * 3 * 4, 12), 2, l, 3, 4),
                    scoped.constant(randn(2 * l * 3 * 4, 13), 2, l, 3, 4)
                };
                for (NDArray x : qkv) {
                    x.setRequiresGradient(true);
                }
                try (GradientCollector gc = manager.getEngine().newGradientCollector()) {
                    NDArray out = scoped.blockCausalAttention(qkv[0], qkv[1], qkv[2], chunks, 0.7f, maxDense);
                    gc.backward(out.mul(scoped.constant(upstream, 2, l, 12)).sum());
                }
                grads.add(new float[][] {
                    qkv[0].getGradient().toFloatArray(),
                    qkv[1].getGradient().toFloatArray(),
                    qkv[2].getGradient().toFloatArray()
                });
            }
        }
        for (int t = 0; t < 3; t++) {
            float[] chunked = grads.get(0)[t];
            float[] masked = grads.get(1)[t];
            assertThat(masked).hasSameSizeAs(chunked);
            double norm = 0;
            for (float g : chunked) {
                norm = Math.max(norm, Math.abs(g));
            }
            assertThat(norm).as("gradient %d is not trivial", t).isGreaterThan(0.01);
            for (int i = 0; i < chunked.length; i++) {
                assertThat(masked[i]).as("tensor %d, element %d", t, i).isCloseTo(chunked[i], within(1e-5f));
            }
        }
    }

    @Test
    void splitIsTheSlicesWithTheSlicesGradients() {
        float[] x = randn(2 * 6 * 5, 21);
        float[] upstream = randn(2 * 6 * 5, 22);
        List<float[]> grads = new ArrayList<>();
        for (boolean fused : new boolean[] {false, true}) {
            try (NDManager sub = manager.newSubManager()) {
                DjlOps scoped = ops.scoped(sub);
                NDArray in = scoped.constant(x, 2, 6, 5);
                in.setRequiresGradient(true);
                try (GradientCollector gc = manager.getEngine().newGradientCollector()) {
                    List<NDArray> parts = fused
                            ? scoped.split(in, 1, 3)
                            : List.of(scoped.slice(in, 1, 0, 2), scoped.slice(in, 1, 2, 4), scoped.slice(in, 1, 4, 6));
                    assertThat(parts).hasSize(3);
                    NDArray loss = null;
                    for (int p = 0; p < 3; p++) {
                        assertThat(scoped.shape(parts.get(p))).containsExactly(2, 2, 5);
                        // only the first two pieces reach the loss: the third's gradient must be zero
                        if (p < 2) {
                            NDArray term = parts.get(p)
                                    .mul(scoped.constant(Arrays.copyOfRange(upstream, 20 * p, 20 * p + 20), 2, 2, 5))
                                    .mul(p + 1)
                                    .sum();
                            loss = loss == null ? term : loss.add(term);
                        }
                    }
                    if (fused) {
                        assertThat(parts.get(2).toFloatArray())
                                .containsExactly(scoped.slice(in, 1, 4, 6).toFloatArray());
                    }
                    gc.backward(loss);
                }
                grads.add(in.getGradient().toFloatArray());
            }
        }
        assertThat(grads.get(1)).containsExactly(grads.get(0));
        assertThatThrownBy(() -> ops.split(ops.constant(x, 2, 6, 5), 2, 2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("size 5 into 2");
    }

    @Test
    void cachedAttentionInQueryChunksEqualsOneChunk() {
        // a past of 5 tokens and 9 new ones: 14 keys per query; budgets of 1 query (below the key count), 3 queries
        // (the last chunk shorter) and all 9
        int past = 5;
        int n = 9;
        NDArray pk = ops.constant(randn(2 * 3 * past * 4, 4), 2, 3, past, 4);
        NDArray pv = ops.constant(randn(2 * 3 * past * 4, 5), 2, 3, past, 4);
        NDArray q = ops.constant(randn(2 * n * 3 * 4, 6), 2, n, 3, 4);
        NDArray k = ops.constant(randn(2 * n * 3 * 4, 7), 2, n, 3, 4);
        NDArray v = ops.constant(randn(2 * n * 3 * 4, 8), 2, n, 3, 4);
        NDArray bias = ops.constant(randn(n * (past + n), 9), n, past + n);
        dev.arbooth.internal.nn.LayerKv<NDArray> cache = new dev.arbooth.internal.nn.LayerKv<>(pk, pv);
        for (NDArray b : Arrays.asList(null, bias)) {
            dev.arbooth.internal.nn.CachedAttention<NDArray> whole =
                    ops.cachedAttention(q, k, v, cache, b, 0.7f, Long.MAX_VALUE);
            float[] expected = whole.out_BLC().toFloatArray();
            for (long budget : new long[] {1, 3 * 14, 9 * 14}) {
                dev.arbooth.internal.nn.CachedAttention<NDArray> chunked =
                        ops.cachedAttention(q, k, v, cache, b, 0.7f, budget);
                float[] out = chunked.out_BLC().toFloatArray();
                assertThat(ops.shape(chunked.out_BLC())).containsExactly(2, n, 12);
                for (int i = 0; i < expected.length; i++) {
                    assertThat(out[i]).as("budget %d, element %d", budget, i).isCloseTo(expected[i], within(1e-6f));
                }
                assertThat(chunked.cache().keys().toFloatArray())
                        .containsExactly(whole.cache().keys().toFloatArray());
                assertThat(chunked.cache().values().toFloatArray())
                        .containsExactly(whole.cache().values().toFloatArray());
            }
        }
    }

    @Test
    void trainableWeightsReceiveGradientsAndScopesFreeIntermediates() {
        ops.parameters().train(List.of(new DjlParameters.Group("w", List.of("w"))));
        try (NDManager sub = manager.newSubManager();
                GradientCollector gc = manager.getEngine().newGradientCollector()) {
            DjlOps scoped = ops.scoped(sub);
            NDArray x = scoped.constant(new float[] {1, 0, -1, 2, 1, 0}, 2, 3);
            NDArray y = scoped.linear(x, scoped.weight("w"), scoped.weight("b"));
            gc.backward(y.sum());
            assertThat(ops.weight("w").getGradient().toFloatArray()).containsExactly(3, 1, -1, 3, 1, -1);
            assertThat(ops.parameters().isTrainable("b")).isFalse();
        }
        assertThat(ops.weight("w").isReleased()).isFalse();
    }

    private static float[] range(int n) {
        return ranges(0, n);
    }

    /** The integers of consecutive half-open ranges {@code [from, to)}, as floats. */
    private static float[] ranges(int... bounds) {
        int n = 0;
        for (int p = 0; p < bounds.length; p += 2) {
            n += bounds[p + 1] - bounds[p];
        }
        float[] out = new float[n];
        int k = 0;
        for (int p = 0; p < bounds.length; p += 2) {
            for (int i = bounds[p]; i < bounds[p + 1]; i++) {
                out[k++] = i;
            }
        }
        return out;
    }

    private static float[] randn(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return out;
    }
}
