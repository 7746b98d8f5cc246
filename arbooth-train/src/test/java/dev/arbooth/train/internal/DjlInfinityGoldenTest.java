package dev.arbooth.train.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.arbooth.WeightBindingException;
import dev.arbooth.config.InfinityConfig;
import dev.arbooth.config.ScaleSchedule;
import dev.arbooth.internal.format.SafeTensors;
import dev.arbooth.internal.format.StateDict;
import dev.arbooth.internal.format.TensorSpec;
import dev.arbooth.internal.nn.InfinityForward;
import dev.arbooth.internal.nn.InfinityText;
import dev.arbooth.internal.sampling.BitSamplerOptions;
import dev.arbooth.internal.sampling.NextScaleLoop;
import dev.arbooth.internal.sampling.NextScaleResult;
import dev.arbooth.internal.weights.InfinityWeights;
import dev.arbooth.tensor.Tensor;
import dev.arbooth.testing.Golden;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The Infinity transformer on DJL against the golden tensors of {@code infinity-set1} (official Infinity,
 * float32 cross-attention). Tolerances: README section 6 (activations and logits 1e-5 abs, bits exact).
 */
@Tag("slow")
class DjlInfinityGoldenTest {
    private static final double TOL = 1e-5;
    private static final String WEIGHTS = "infinity-set1/transformer_weights.safetensors";

    private static DjlInfinity model;
    private static SafeTensors inputs;
    private static SafeTensors tf;
    private static SafeTensors inf;

    @BeforeAll
    static void load() {
        model = DjlInfinity.load(InfinityConfig.goldenSet1(), Golden.golden(WEIGHTS));
        inputs = Golden.open("infinity-set1/tf_inputs.safetensors");
        tf = Golden.open("infinity-set1/tf_forward.safetensors");
        inf = Golden.open("infinity-set1/inference.safetensors");
    }

    @AfterAll
    static void close() {
        model.close();
        inputs.close();
        tf.close();
        inf.close();
    }

    static ScaleSchedule schedule() {
        return Golden.schedule(inputs);
    }

    static int[] lens() {
        long[] l = inputs.get("text.lens").toLongArray();
        int[] out = new int[l.length];
        for (int i = 0; i < l.length; i++) {
            out[i] = (int) l[i];
        }
        return out;
    }

    private static double check(String what, NDArray actual, Tensor expected, double tol) {
        assertThat(actual.getShape().getShape()).as(what + " shape").containsExactly(expected.shape());
        double diff = Golden.maxAbsDiff(expected.toFloatArray(), actual.toFloatArray());
        System.out.printf("infinity-set1 %-28s max abs diff %.3g%n", what, diff);
        assertThat(diff).as(what + " max abs diff").isLessThanOrEqualTo(tol);
        return diff;
    }

    @Test
    void teacherForcedForwardMatchesGolden() {
        ScaleSchedule schedule = schedule();
        float[] text = inputs.get("text.kv_compact").toFloatArray();
        float[] x = inputs.get("x_BLC_wo_prefix").toFloatArray();
        try (NDManager sub = model.ops().manager().newSubManager()) {
            DjlOps scope = model.ops().scoped(sub);
            long t0 = System.nanoTime();
            InfinityText<NDArray> cond = model.conditionText(scope, text, lens());
            InfinityForward<NDArray> f = model.forward(scope, cond, x, schedule);
            float[] logits = f.logits_BLV().toFloatArray();
            long t1 = System.nanoTime();
            check("cond_BD", cond.cond_RC(), tf.get("cond_BD"), TOL);
            check("ca_kv", cond.caKv_NC(), tf.get("ca_kv"), TOL);
            check("cond_BD_or_gss", cond.gss_R16C(), tf.get("cond_BD_or_gss"), TOL);
            check("block0_in", f.blockIn_BLC(), tf.get("block0_in"), TOL);
            check("block0_out", f.blockOut_BLC().get(0), tf.get("block0_out"), TOL);
            check("block1_out", f.blockOut_BLC().get(1), tf.get("block1_out"), TOL);
            check("head_nm_out", f.headNormOut_BLC(), tf.get("head_nm_out"), TOL);
            check("logits", f.logits_BLV(), tf.get("logits"), TOL);
            assertThat(logits).hasSize(2 * 521 * 32);
            // a second, warm run for the timing
            long t2 = System.nanoTime();
            try (NDManager again = sub.newSubManager()) {
                DjlOps s2 = model.ops().scoped(again);
                model.forward(s2, model.conditionText(s2, text, lens()), x, schedule)
                        .logits_BLV()
                        .toFloatArray();
            }
            long t3 = System.nanoTime();
            System.out.printf(
                    "infinity-set1 teacher-forced forward (B=2, L=521, 1 thread): first %.1f ms, warm %.1f ms%n",
                    (t1 - t0) / 1e6, (t3 - t2) / 1e6);
        }
    }

    @Test
    void teacherForcedForwardOnInferenceInputsMatchesGolden() {
        float[] text = inputs.get("text.kv_compact").toFloatArray();
        float[] x = inf.get("inf.x_BLC_wo_prefix").toFloatArray();
        try (NDManager sub = model.ops().manager().newSubManager()) {
            DjlOps scope = model.ops().scoped(sub);
            InfinityForward<NDArray> f = model.forward(scope, model.conditionText(scope, text, lens()), x, schedule());
            check("inf.tf_logits_on_inference", f.logits_BLV(), inf.get("inf.tf_logits_on_inference_inputs"), TOL);
        }
    }

    @Test
    void kvCachedSamplingReproducesGoldenInference() {
        ScaleSchedule schedule = schedule();
        int[] lens = lens();
        float[] text = inputs.get("text.kv_compact").toFloatArray();
        int d = model.config().bitsPerToken();
        // the text conditioning of the 2B rows [prompts; cfg_uncond[:len_i]]
        try (NDManager sub = model.ops().manager().newSubManager()) {
            DjlOps scope = model.ops().scoped(sub);
            InfinityText<NDArray> both = model.conditionGuided(scope, text, lens);
            check("inf.cond_BD", both.cond_RC(), inf.get("inf.cond_BD"), TOL);
            check("inf.ca_kv", both.caKv_NC(), inf.get("inf.ca_kv"), TOL);
            check("inf.cond_BD_or_gss", both.gss_R16C(), inf.get("inf.cond_BD_or_gss"), TOL);
        }
        BitSamplerOptions options = BitSamplerOptions.of(3.0, 1.0, 1, 0.0, 20250601L);
        NextScaleLoop loop = NextScaleLoop.create(schedule, lens.length, d, options);
        List<float[]> raw = new ArrayList<>();
        List<float[]> guided = new ArrayList<>();
        NextScaleResult result;
        long t0 = System.nanoTime();
        try (DjlInfinity.Stepper stepper = model.stepper(text, lens, schedule, true)) {
            assertThat(stepper.rows()).isEqualTo(4);
            result = loop.run(stepper, (k, r, g, bits) -> {
                raw.add(r.clone());
                guided.add(
                        java.util.Arrays.copyOf(g, lens.length * schedule.get(k).tokens() * 2 * d));
            });
        }
        long t1 = System.nanoTime();
        double maxRaw = 0;
        double maxCfg = 0;
        long mismatches = 0;
        for (int k = 0; k < schedule.size(); k++) {
            float[] expRaw = inf.get("inf.logits_raw.s" + k).toFloatArray();
            float[] expCfg = inf.get("inf.logits_cfg.s" + k).toFloatArray();
            maxRaw = Math.max(maxRaw, Golden.maxAbsDiff(expRaw, raw.get(k)));
            maxCfg = Math.max(maxCfg, Golden.maxAbsDiff(expCfg, guided.get(k)));
            long[] expBits = inf.get("inf.bits.s" + k).toLongArray();
            long[] bits = result.bits(k);
            assertThat(bits).hasSameSizeAs(expBits);
            mismatches += Golden.mismatches(expBits, bits);
        }
        double maxSum = Golden.maxAbsDiff(inf.get("inf.summed_codes").toFloatArray(), result.summedCodes());
        System.out.printf(
                "infinity-set1 KV-cached sampling: raw logits %.3g, CFG logits %.3g, summed codes %.3g, "
                        + "bit mismatches %d; %.1f ms (7 scales, 2B=4 rows, 1 thread)%n",
                maxRaw, maxCfg, maxSum, mismatches, (t1 - t0) / 1e6);
        assertThat(mismatches).as("bit mismatches").isZero();
        assertThat(maxRaw).as("raw logits").isLessThanOrEqualTo(TOL);
        assertThat(maxCfg).as("CFG logits").isLessThanOrEqualTo(TOL);
        assertThat(maxSum).as("summed codes").isLessThanOrEqualTo(1e-5);
        // the same loop run again gives the same bits (streams restart, the stepper drops its cache at k=0)
        try (DjlInfinity.Stepper stepper = model.stepper(text, lens, schedule, true)) {
            NextScaleResult again = loop.run(stepper);
            for (int k = 0; k < schedule.size(); k++) {
                assertThat(again.bits(k)).isEqualTo(result.bits(k));
            }
        }
    }

    @Test
    void arboothVariantLevelEmbeddingPerChunkMatchesGolden() {
        InfinityConfig arb = InfinityConfig.goldenSet1().toBuilder()
                .addLevelEmbeddingOnlyFirstBlock(false)
                .build();
        try (DjlInfinity variant = DjlInfinity.load(arb, Golden.golden(WEIGHTS));
                SafeTensors expected = Golden.open("infinity-set1/arbooth_variant.safetensors");
                NDManager sub = variant.ops().manager().newSubManager()) {
            DjlOps scope = variant.ops().scoped(sub);
            float[] text = inputs.get("text.kv_compact").toFloatArray();
            float[] x = inputs.get("x_BLC_wo_prefix").toFloatArray();
            InfinityForward<NDArray> f =
                    variant.forward(scope, variant.conditionText(scope, text, lens()), x, schedule());
            check("arb.logits", f.logits_BLV(), expected.get("arb.logits"), TOL);
        }
    }

    @Test
    void pthAndSafetensorsLoadBitIdenticalWeights() {
        InfinityConfig config = InfinityConfig.goldenSet1();
        try (DjlInfinity fromPth = DjlInfinity.load(config, Golden.golden("pth/transformer_weights.pth"))) {
            int n = 0;
            for (TensorSpec spec : InfinityWeights.expected(config)) {
                Tensor a = model.weight(spec.name());
                Tensor b = fromPth.weight(spec.name());
                assertThat(b.shape()).as(spec.name()).containsExactly(a.shape());
                float[] fa = a.toFloatArray();
                float[] fb = b.toFloatArray();
                for (int i = 0; i < fa.length; i++) {
                    if (Float.floatToRawIntBits(fa[i]) != Float.floatToRawIntBits(fb[i])) {
                        throw new AssertionError(spec.name() + "[" + i + "]: " + fa[i] + " != " + fb[i]);
                    }
                }
                n++;
            }
            assertThat(n).isEqualTo(InfinityWeights.expected(config).size());
        }
    }

    @Test
    void strictLoadingListsEveryProblem() {
        Map<String, Tensor> weights = new LinkedHashMap<>();
        try (SafeTensors st = Golden.open(WEIGHTS)) {
            for (String name : st.names()) {
                weights.put(name, st.get(name));
            }
        }
        weights.remove("head.bias");
        weights.put("extra.weight", Tensor.ofFloats(new float[] {1f}, 1));
        weights.put("pos_start", Tensor.ofFloats(new float[128], 128));
        assertThatThrownBy(() -> DjlInfinity.create(InfinityConfig.goldenSet1(), StateDict.of(weights)))
                .isInstanceOf(WeightBindingException.class)
                .hasMessageContaining("head.bias")
                .hasMessageContaining("extra.weight")
                .hasMessageContaining("pos_start");
    }
}
