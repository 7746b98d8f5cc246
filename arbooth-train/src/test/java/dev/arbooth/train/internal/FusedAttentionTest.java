package dev.arbooth.train.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import dev.arbooth.config.ScaleSchedule;
import dev.arbooth.internal.format.StateDict;
import dev.arbooth.internal.nn.AttentionChunks;
import dev.arbooth.internal.nn.CachedAttention;
import dev.arbooth.internal.nn.LayerKv;
import dev.arbooth.tensor.Tensor;
import dev.arbooth.train.testing.TestArrays;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The fused attention ({@link FusedAttention}: PyTorch's scaled-dot-product kernel through TorchScript) against the
 * composed form it replaces ({@link DjlOps}' chunked and KV-cached attention), values and gradients.
 */
class FusedAttentionTest {
    /** Scales of 1, 4, 9 and 16 tokens; a budget of 20 scores per head splits the last two scales into chunks. */
    private static final ScaleSchedule SCHEDULE =
            ScaleSchedule.of(new int[] {1, 1}, new int[] {2, 2}, new int[] {3, 3}, new int[] {4, 4});

    private static final int B = 2;
    private static final int H = 3;
    private static final int D = 8;

    private NDManager manager;
    private DjlOps ops;
    private FusedAttention fused;

    @BeforeEach
    void setUp() {
        manager = DjlEngine.pytorch(1).newBaseManager();
        ops = DjlOps.create(manager, StateDict.of(Map.of("unused", Tensor.ofFloats(new float[] {0}, 1))));
        fused = FusedAttention.shared()
                .orElseThrow(() -> new AssertionError(
                        "the fused attention did not load (or -D" + FusedAttention.PROPERTY + "=composed is set)"));
    }

    @AfterEach
    void tearDown() {
        ops.close();
    }

    @Test
    void blockCausalEqualsTheComposedChunksValuesAndGradients() {
        AttentionChunks chunks = AttentionChunks.blockCausal(SCHEDULE, 20);
        assertThat(chunks.chunks().size()).isGreaterThan(SCHEDULE.size()); // chunks of one scale are merged
        int l = SCHEDULE.totalTokens();
        float[] upstream = TestArrays.gaussian(B * l * H * D, 4, 0.8);
        List<float[][]> results = new ArrayList<>();
        for (boolean useFused : new boolean[] {false, true}) {
            try (NDManager sub = manager.newSubManager()) {
                DjlOps s = ops.scoped(sub);
                NDArray[] qkv = qkv(s, l, 1);
                NDArray out;
                try (GradientCollector gc = manager.getEngine().newGradientCollector()) {
                    out = useFused
                            ? s.fusedBlockCausalAttention(fused, qkv[0], qkv[1], qkv[2], chunks)
                            : s.blockCausalAttention(qkv[0], qkv[1], qkv[2], chunks, 1f, 0);
                    gc.backward(out.mul(s.constant(upstream, B, l, H * D)).sum());
                }
                assertThat(s.shape(out)).containsExactly(B, l, H * D);
                results.add(new float[][] {
                    out.toFloatArray(),
                    qkv[0].getGradient().toFloatArray(),
                    qkv[1].getGradient().toFloatArray(),
                    qkv[2].getGradient().toFloatArray()
                });
            }
        }
        String[] names = {"output", "dq", "dk", "dv"};
        for (int t = 0; t < names.length; t++) {
            assertClose(names[t], results.get(1)[t], results.get(0)[t], t == 0 ? 1e-6f : 1e-5f);
        }
    }

    @Test
    void theDefaultBlockCausalAttentionIsFusedForLargePassesAtScaleOne() {
        // 4 rows, 8 heads over scales up to 16×16 (L 521): 5.8 M scores, above DjlOps.FUSED_ATTENTION_SCORES
        ScaleSchedule large = ScaleSchedule.of(
                new int[] {1, 1},
                new int[] {2, 2},
                new int[] {4, 4},
                new int[] {6, 6},
                new int[] {8, 8},
                new int[] {12, 12},
                new int[] {16, 16});
        AttentionChunks chunks = AttentionChunks.blockCausal(large, 1L << 20);
        int rows = 4;
        int heads = 8;
        assertThat((long) rows * heads * chunks.totalScores()).isGreaterThan(DjlOps.FUSED_ATTENTION_SCORES);
        int l = large.totalTokens();
        NDArray[] qkv = new NDArray[3];
        for (int t = 0; t < 3; t++) {
            qkv[t] = ops.constant(TestArrays.gaussian(rows * l * heads * D, 20 + t, 0.8), rows, l, heads, D);
        }
        float[] viaDefault =
                ops.blockCausalAttention(qkv[0], qkv[1], qkv[2], chunks, 1f).toFloatArray();
        float[] viaFused = ops.fusedBlockCausalAttention(fused, qkv[0], qkv[1], qkv[2], chunks)
                .toFloatArray();
        assertThat(viaDefault).containsExactly(viaFused);
        // another scale is composed
        float[] scaled =
                ops.blockCausalAttention(qkv[0], qkv[1], qkv[2], chunks, 0.5f).toFloatArray();
        float[] composed = ops.blockCausalAttention(qkv[0], qkv[1], qkv[2], chunks, 0.5f, 0)
                .toFloatArray();
        assertClose("scale 0.5", scaled, composed, 1e-6f);
        // a small pass is composed (masked and dense at this size)
        AttentionChunks small = AttentionChunks.blockCausal(SCHEDULE, 20);
        int ls = SCHEDULE.totalTokens();
        NDArray[] s = qkv(ops, ls, 7);
        assertThat(ops.blockCausalAttention(s[0], s[1], s[2], small, 1f).toFloatArray())
                .containsExactly(ops.blockCausalAttention(s[0], s[1], s[2], small, 1f, DjlOps.DENSE_ATTENTION_SCORES)
                        .toFloatArray());
    }

    @Test
    void cachedAttentionEqualsTheComposedFormWithAndWithoutACache() {
        int first = 5;
        int next = 4;
        NDArray[] a = qkv(ops, first, 3);
        NDArray[] b = qkv(ops, next, 4);
        CachedAttention<NDArray> f1 = ops.fusedCachedAttention(fused, a[0], a[1], a[2], null);
        CachedAttention<NDArray> c1 = ops.cachedAttention(a[0], a[1], a[2], null, null, 1f, Long.MAX_VALUE);
        assertClose("first step", f1.out_BLC().toFloatArray(), c1.out_BLC().toFloatArray(), 1e-6f);
        LayerKv<NDArray> cache = f1.cache();
        CachedAttention<NDArray> f2 = ops.fusedCachedAttention(fused, b[0], b[1], b[2], cache);
        // the composed form in chunks of one query row over the same cache
        CachedAttention<NDArray> c2 = ops.cachedAttention(b[0], b[1], b[2], cache, null, 1f, first + next);
        assertThat(ops.shape(f2.cache().keys())).containsExactly(B, H, first + next, D);
        assertClose("second step", f2.out_BLC().toFloatArray(), c2.out_BLC().toFloatArray(), 1e-6f);
        assertThat(f2.cache().keys().toFloatArray())
                .containsExactly(c2.cache().keys().toFloatArray());
        assertThat(f2.cache().values().toFloatArray())
                .containsExactly(c2.cache().values().toFloatArray());
        // the public entry point: composed at this size (2·3·4·9 scores), in the chunks of its budget
        assertThat(ops.cachedAttention(b[0], b[1], b[2], cache, null, 1f)
                        .out_BLC()
                        .toFloatArray())
                .containsExactly(ops.cachedAttention(b[0], b[1], b[2], cache, null, 1f, DjlOps.CACHED_CHUNK_SCORES)
                        .out_BLC()
                        .toFloatArray());
    }

    @Test
    void aLargeCachedStepIsFused() {
        // 2 rows, 8 heads, 256 queries over 1 280 cached and new keys: 5.2 M scores
        int rows = 2;
        int heads = 8;
        NDArray[] past = new NDArray[3];
        NDArray[] now = new NDArray[3];
        for (int t = 0; t < 3; t++) {
            past[t] = ops.constant(TestArrays.gaussian(rows * 1024 * heads * D, 30 + t, 0.8), rows, 1024, heads, D);
            now[t] = ops.constant(TestArrays.gaussian(rows * 256 * heads * D, 40 + t, 0.8), rows, 256, heads, D);
        }
        LayerKv<NDArray> cache =
                ops.fusedCachedAttention(fused, past[0], past[1], past[2], null).cache();
        assertThat((long) rows * heads * 256 * 1280).isGreaterThan(DjlOps.FUSED_ATTENTION_SCORES);
        float[] viaDefault = ops.cachedAttention(now[0], now[1], now[2], cache, null, 1f)
                .out_BLC()
                .toFloatArray();
        float[] viaFused = ops.fusedCachedAttention(fused, now[0], now[1], now[2], cache)
                .out_BLC()
                .toFloatArray();
        assertThat(viaDefault).containsExactly(viaFused);
        float[] composed = ops.cachedAttention(now[0], now[1], now[2], cache, null, 1f, DjlOps.CACHED_CHUNK_SCORES)
                .out_BLC()
                .toFloatArray();
        assertClose("large cached step (1 280-key sums)", viaFused, composed, 1e-5f);
    }

    @Test
    void fusedForwardAndBackwardRepeatBitForBit() {
        AttentionChunks chunks = AttentionChunks.blockCausal(SCHEDULE, 20);
        int l = SCHEDULE.totalTokens();
        float[] upstream = TestArrays.gaussian(B * l * H * D, 5, 0.8);
        List<float[]> dq = new ArrayList<>();
        for (int run = 0; run < 2; run++) {
            try (NDManager sub = manager.newSubManager()) {
                DjlOps s = ops.scoped(sub);
                NDArray[] qkv = qkv(s, l, 6);
                try (GradientCollector gc = manager.getEngine().newGradientCollector()) {
                    NDArray out = s.fusedBlockCausalAttention(fused, qkv[0], qkv[1], qkv[2], chunks);
                    gc.backward(out.mul(s.constant(upstream, B, l, H * D)).sum());
                }
                dq.add(qkv[0].getGradient().toFloatArray());
            }
        }
        assertThat(dq.get(1)).containsExactly(dq.get(0));
    }

    @Test
    void outsideAGradientCollectorNothingIsRecordedAndThreadsShareTheKernel() throws Exception {
        int l = 64;
        NDArray[] qkv = qkv(ops, l, 8);
        NDArray expected = fused.attend(qkv[0], qkv[1], qkv[2], manager);
        assertThat(JniUtils.requiresGrad((PtNDArray) expected))
                .as("inputs that require gradients, but no collector: no graph")
                .isFalse();
        float[] want = expected.toFloatArray();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<Boolean>> runs = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                runs.add(pool.submit(() -> {
                    boolean same = true;
                    for (int i = 0; i < 20; i++) {
                        try (NDManager sub = manager.newSubManager()) {
                            same &= Arrays.equals(
                                    fused.attend(qkv[0], qkv[1], qkv[2], sub).toFloatArray(), want);
                        }
                    }
                    return same;
                }));
            }
            for (Future<Boolean> r : runs) {
                assertThat(r.get())
                        .as("concurrent calls give the single call's values")
                        .isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void theModeIsFusedOrComposedAndNothingElse() {
        assertThat(FusedAttention.load("composed")).isEmpty();
        assertThat(FusedAttention.load("fused")).isPresent();
        assertThatThrownBy(() -> FusedAttention.load("flash"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("arbooth.attention")
                .hasMessageContaining("flash");
    }

    private static NDArray[] qkv(DjlOps s, int l, long seed) {
        NDArray[] x = {
            s.constant(TestArrays.gaussian(B * l * H * D, seed * 10 + 1, 0.8), B, l, H, D),
            s.constant(TestArrays.gaussian(B * l * H * D, seed * 10 + 2, 0.8), B, l, H, D),
            s.constant(TestArrays.gaussian(B * l * H * D, seed * 10 + 3, 0.8), B, l, H, D)
        };
        for (NDArray a : x) {
            a.setRequiresGradient(true);
        }
        return x;
    }

    private static void assertClose(String what, float[] actual, float[] expected, float tol) {
        assertThat(actual).as(what).hasSameSizeAs(expected);
        double largest = 0;
        for (float e : expected) {
            largest = Math.max(largest, Math.abs(e));
        }
        assertThat(largest).as("%s is not trivial", what).isGreaterThan(0.01);
        for (int i = 0; i < expected.length; i++) {
            assertThat(actual[i]).as("%s, element %d", what, i).isCloseTo(expected[i], within(tol));
        }
    }
}
