package dev.arbooth.train.internal;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.arbooth.config.InfinityConfig;
import dev.arbooth.config.Scale;
import dev.arbooth.config.ScaleSchedule;
import dev.arbooth.internal.format.StateDict;
import dev.arbooth.internal.format.TensorSpec;
import dev.arbooth.internal.nn.InfinityForward;
import dev.arbooth.internal.sampling.BitSamplerOptions;
import dev.arbooth.internal.sampling.NextScaleLoop;
import dev.arbooth.internal.sampling.NextScaleResult;
import dev.arbooth.internal.sampling.TeacherForcing;
import dev.arbooth.internal.weights.InfinityWeights;
import dev.arbooth.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Predicate;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The same network definition on a configuration unlike the golden one (4:3 official schedule, 8 bits per
 * token, depth 4 in 2 chunks, seeded random weights): the teacher-forced forward and the KV-cached steps agree
 * on the same inputs, and gradients reach the cross-attention and FFN weights.
 */
@Tag("slow")
class DjlInfinityConsistencyTest {
    private static final InfinityConfig CONFIG = InfinityConfig.goldenSet1().toBuilder()
            .depth(4)
            .blockChunks(2)
            .codebookDim(8)
            .build();
    private static final ScaleSchedule SCHEDULE = ScaleSchedule.official("1.333", "0.06M");
    private static final int[] LENS = {3, 7};
    private static final int B = LENS.length;
    private static final double TOL = 1e-4;

    /** Seeded random weights with sensible scales (unit norms, 1/sqrt(fan-in) matrices). */
    static StateDict randomWeights(InfinityConfig config, long seed) {
        Random rnd = new Random(seed);
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (TensorSpec spec : InfinityWeights.expected(config)) {
            long[] shape = spec.shape();
            float[] v = new float[(int) Tensor.numel(shape)];
            String name = spec.name();
            double mean = 0;
            double std;
            if (InfinityWeights.isBuffer(name)) {
                std = 0;
            } else if (name.endsWith("norm.weight")) {
                mean = 1;
                std = 0.1;
            } else if (name.endsWith("scale_mul_1H11")) {
                mean = Math.log(4.0);
                std = 0.1;
            } else if (name.endsWith(".weight") && shape.length == 2 && !name.startsWith("lvl_embed")) {
                std = 1 / Math.sqrt(shape[1]);
            } else if (name.equals("cfg_uncond") || name.equals("pos_start") || name.startsWith("lvl_embed")) {
                std = 0.5;
            } else {
                std = 0.1;
            }
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) (mean + std * rnd.nextGaussian());
            }
            out.put(name, Tensor.ofFloats(v, shape));
        }
        return StateDict.of(out);
    }

    static float[] gaussian(int n, long seed, double std) {
        Random rnd = new Random(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (std * rnd.nextGaussian());
        }
        return v;
    }

    static List<long[]> randomBits(long seed) {
        Random rnd = new Random(seed);
        List<long[]> bits = new ArrayList<>();
        for (Scale s : SCHEDULE.scales()) {
            long[] b = new long[B * s.tokens() * CONFIG.bitsPerToken()];
            for (int i = 0; i < b.length; i++) {
                b[i] = rnd.nextBoolean() ? 1 : 0;
            }
            bits.add(b);
        }
        return bits;
    }

    /** Tokens [from, to) of every row of a (R, T, C) array. */
    static float[] tokens(float[] x_RTC, int rows, int t, int c, int from, int to) {
        float[] out = new float[rows * (to - from) * c];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(x_RTC, (r * t + from) * c, out, r * (to - from) * c, (to - from) * c);
        }
        return out;
    }

    @Test
    void teacherForcedLogitsEqualKvCachedSteps() {
        int d = CONFIG.bitsPerToken();
        int v = CONFIG.vocabSize();
        int l = SCHEDULE.totalTokens();
        float[] text = gaussian((LENS[0] + LENS[1]) * CONFIG.textChannels(), 11, 1.0);
        float[] x_BLd = TeacherForcing.inputs(SCHEDULE, B, d, randomBits(12));
        float[] x_RLd = new float[2 * x_BLd.length];
        System.arraycopy(x_BLd, 0, x_RLd, 0, x_BLd.length);
        System.arraycopy(x_BLd, 0, x_RLd, x_BLd.length, x_BLd.length);
        try (DjlInfinity model = DjlInfinity.create(CONFIG, randomWeights(CONFIG, 10));
                NDManager sub = model.ops().manager().newSubManager()) {
            DjlOps scope = model.ops().scoped(sub);
            // teacher-forced over the 2B rows [prompts; unconditional]
            float[] tf_RLV = model.forward(scope, model.conditionGuided(scope, text, LENS), x_RLd, SCHEDULE)
                    .logits_BLV()
                    .toFloatArray();
            double spread = 0;
            for (float f : tf_RLV) {
                spread = Math.max(spread, Math.abs(f));
            }
            assertThat(spread).as("logits are not trivially small").isGreaterThan(0.5);
            double maxGuided = 0;
            double maxPlain = 0;
            try (DjlInfinity.Stepper guided = model.stepper(text, LENS, SCHEDULE, true);
                    DjlInfinity.Stepper plain = model.stepper(text, LENS, SCHEDULE, false)) {
                assertThat(plain.rows()).isEqualTo(B);
                for (int k = 0; k < SCHEDULE.size(); k++) {
                    int from = SCHEDULE.offset(k);
                    int to = SCHEDULE.offset(k + 1);
                    float[] in = k == 0 ? null : tokens(x_BLd, B, l - 1, d, from - 1, to - 1);
                    float[] expected = tokens(tf_RLV, 2 * B, l, v, from, to);
                    float[] g = guided.step(k, in);
                    maxGuided = Math.max(maxGuided, dev.arbooth.testing.Golden.maxAbsDiff(expected, g));
                    float[] p = plain.step(k, in);
                    maxPlain = Math.max(
                            maxPlain,
                            dev.arbooth.testing.Golden.maxAbsDiff(java.util.Arrays.copyOf(expected, p.length), p));
                }
            }
            System.out.printf(
                    "4:3 d=8 depth-4 random model (L=%d): teacher-forced vs KV-cached logits max abs diff %.3g "
                            + "(2B rows), %.3g (B rows)%n",
                    l, maxGuided, maxPlain);
            assertThat(maxGuided).isLessThanOrEqualTo(TOL);
            assertThat(maxPlain).isLessThanOrEqualTo(TOL);
        }
    }

    @Test
    void loopRunsOnTheOtherConfiguration() {
        float[] text = gaussian((LENS[0] + LENS[1]) * CONFIG.textChannels(), 21, 1.0);
        try (DjlInfinity model = DjlInfinity.create(CONFIG, randomWeights(CONFIG, 20));
                DjlInfinity.Stepper stepper = model.stepper(text, LENS, SCHEDULE, true)) {
            NextScaleLoop loop = NextScaleLoop.create(
                    SCHEDULE, B, CONFIG.bitsPerToken(), BitSamplerOptions.of(4.0, 0.5, 0, 0.9, 7L));
            NextScaleResult r = loop.run(stepper);
            Scale last = SCHEDULE.last();
            assertThat(r.summedCodes()).hasSize(B * CONFIG.bitsPerToken() * last.tokens());
            assertThat(r.bits(SCHEDULE.size() - 1)).hasSize(B * last.tokens() * CONFIG.bitsPerToken());
            long ones = 0;
            for (long[] b : r.bits()) {
                for (long x : b) {
                    ones += x;
                }
            }
            assertThat(ones).isPositive();
            float[] decoded = r.decode((codes, batch, d, grid) -> new float[] {codes.length, batch, d, grid.h()});
            assertThat(decoded).containsExactly(B * CONFIG.bitsPerToken() * last.tokens(), B, 8, last.h());
            // same seed, same bits
            NextScaleResult again = loop.run(stepper);
            for (int k = 0; k < SCHEDULE.size(); k++) {
                assertThat(again.bits(k)).isEqualTo(r.bits(k));
            }
        }
    }

    @Test
    void gradientsReachCrossAttentionAndFfn() {
        int d = CONFIG.bitsPerToken();
        float[] text = gaussian((LENS[0] + LENS[1]) * CONFIG.textChannels(), 31, 1.0);
        float[] x_BLd = TeacherForcing.inputs(SCHEDULE, B, d, randomBits(32));
        Predicate<String> trainable =
                n -> n.matches("block_chunks\\.\\d+\\.module\\.\\d+\\.(ca|ffn)\\..*") && !InfinityWeights.isBuffer(n);
        try (DjlInfinity model = DjlInfinity.create(CONFIG, randomWeights(CONFIG, 30));
                NDManager sub = model.ops().manager().newSubManager()) {
            model.parameters()
                    .train(List.of(new DjlParameters.Group(
                            "ca+ffn",
                            InfinityWeights.expected(CONFIG).stream()
                                    .map(TensorSpec::name)
                                    .filter(trainable)
                                    .toList())));
            DjlOps scope = model.ops().scoped(sub);
            try (GradientCollector gc = DjlEngine.pytorch(1).newGradientCollector()) {
                InfinityForward<NDArray> f =
                        model.forward(scope, model.conditionText(scope, text, LENS), x_BLd, SCHEDULE);
                long[] shape = f.logits_BLV().getShape().getShape();
                NDArray w = scope.constant(gaussian((int) f.logits_BLV().size(), 33, 1.0), shape);
                gc.backward(f.logits_BLV().mul(w).sum());
            }
            int checked = 0;
            for (TensorSpec spec : InfinityWeights.expected(CONFIG)) {
                NDArray weight = model.ops().weight(spec.name());
                if (trainable.test(spec.name())) {
                    float[] g = weight.getGradient().toFloatArray();
                    double max = 0;
                    for (float x : g) {
                        max = Math.max(max, Math.abs(x));
                    }
                    assertThat(max).as("gradient of " + spec.name()).isGreaterThan(0);
                    checked++;
                } else {
                    assertThat(weight.hasGradient())
                            .as(spec.name() + " is frozen")
                            .isFalse();
                }
            }
            // per block: ca.{v_bias, mat_q.weight, mat_q.bias, mat_kv.weight, proj.weight, proj.bias} + 4 FFN
            assertThat(checked).isEqualTo(CONFIG.depth() * 10);
        }
    }
}
