package dev.arbooth.runtime.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.arbooth.config.InfinityConfig;
import dev.arbooth.config.Scale;
import dev.arbooth.config.ScaleSchedule;
import dev.arbooth.config.T5Config;
import dev.arbooth.config.VaeConfig;
import dev.arbooth.internal.format.SafeTensors;
import dev.arbooth.internal.nn.MultiScaleBsq;
import dev.arbooth.internal.sampling.BitSamplerOptions;
import dev.arbooth.internal.sampling.NextScaleLoop;
import dev.arbooth.internal.sampling.NextScaleResult;
import dev.arbooth.runtime.internal.onnx.InfinityGraphs;
import dev.arbooth.tensor.Tensor;
import dev.arbooth.testing.Golden;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Golden parity of the emitted ONNX graphs through ONNX Runtime (CPU, 1 intra-op thread, ALL_OPT): T5
 * (t5-set1), the Infinity prologue and KV-cached steps driven by {@link NextScaleLoop}, the VAE decoder and
 * encoder (infinity-set1).
 */
class OrtGoldenTest {
    @Test
    void t5LastHiddenStateMatchesTheOfficialModel() {
        try (SafeTensors model = Golden.open("t5-set1/model.safetensors");
                SafeTensors golden = Golden.open("t5-set1/golden.safetensors");
                OrtT5 t5 = OrtT5.create(T5Config.goldenSet1(), model, 1)) {
            Tensor ids = golden.get("input_ids");
            long b = ids.shape()[0];
            long s = ids.shape()[1];
            long t0 = System.nanoTime();
            float[] out =
                    t5.encode(ids.toLongArray(), golden.get("attention_mask").toLongArray(), (int) b, (int) s);
            long t1 = System.nanoTime();
            System.out.printf("ORT t5-set1 first call incl. emit+session %.1f ms%n", (t1 - t0) / 1e6);
            assertT5Close("ORT t5-set1", out, golden.get("last_hidden_state").toFloatArray());
        }
    }

    /** The t5-set1 README's tolerance: |actual - golden| ≤ 1e-4 + 1e-4·|golden| everywhere. */
    static void assertT5Close(String what, float[] out, float[] want) {
        assertThat(out).as(what).hasSameSizeAs(want);
        double worst = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < out.length; i++) {
            worst = Math.max(worst, Math.abs(out[i] - want[i]) - (1e-4 + 1e-4 * Math.abs(want[i])));
        }
        System.out.printf("%s: last_hidden_state max abs diff %.3g%n", what, Golden.maxAbsDiff(out, want));
        assertThat(worst).as(what + ": worst excess over the tolerance").isLessThanOrEqualTo(0);
    }

    @Test
    void infinitySamplingAndDecodingReproduceGoldenInference() {
        assertGoldenSampling(SessionFactory.cpu(1));
    }

    /** The golden sampling and decoding checks on models of a factory; returns each scale's raw logits. */
    static List<float[]> assertGoldenSampling(SessionFactory factory) {
        try (SafeTensors weights = Golden.open("infinity-set1/transformer_weights.safetensors");
                SafeTensors vaeWeights = Golden.open("infinity-set1/vae_weights.safetensors");
                SafeTensors inputs = Golden.open("infinity-set1/tf_inputs.safetensors");
                SafeTensors inf = Golden.open("infinity-set1/inference.safetensors");
                OrtInfinity model = OrtInfinity.create(InfinityConfig.goldenSet1(), weights, factory);
                OrtVae vae = OrtVae.create(VaeConfig.goldenSet1(), vaeWeights, factory)) {
            ScaleSchedule schedule = schedule(inputs);
            int[] lens = Arrays.stream(inputs.get("text.lens").toLongArray())
                    .mapToInt(Math::toIntExact)
                    .toArray();
            float[] text = inputs.get("text.kv_compact").toFloatArray();
            int d = model.config().bitsPerToken();
            BitSamplerOptions options = BitSamplerOptions.of(3.0, 1.0, 1, 0.0, 20250601L);
            NextScaleLoop loop = NextScaleLoop.create(schedule, lens.length, d, options);
            List<float[]> raw = new ArrayList<>();
            List<float[]> guided = new ArrayList<>();
            long t0 = System.nanoTime();
            NextScaleResult result;
            try (OrtInfinityStepper stepper = model.stepper(text, lens, schedule, true)) {
                assertThat(stepper.rows()).isEqualTo(4);
                double prologue = Math.max(
                        Golden.maxAbsDiff(
                                stepper.prologueOutput(InfinityGraphs.COND),
                                inf.get("inf.cond_BD").toFloatArray()),
                        Math.max(
                                Golden.maxAbsDiff(
                                        stepper.prologueOutput(InfinityGraphs.CA_KV),
                                        inf.get("inf.ca_kv").toFloatArray()),
                                Golden.maxAbsDiff(
                                        stepper.prologueOutput(InfinityGraphs.GSS),
                                        inf.get("inf.cond_BD_or_gss").toFloatArray())));
                System.out.printf("ORT infinity-set1 prologue (cond, ca_kv, gss) max abs diff %.3g%n", prologue);
                assertThat(prologue).isLessThanOrEqualTo(1e-5);
                result = loop.run(stepper, (k, r, g, bits) -> {
                    raw.add(r.clone());
                    guided.add(Arrays.copyOf(g, lens.length * schedule.get(k).tokens() * 2 * d));
                });
            }
            long t1 = System.nanoTime();
            double maxRaw = 0;
            double maxCfg = 0;
            long mismatches = 0;
            for (int k = 0; k < schedule.size(); k++) {
                maxRaw = Math.max(
                        maxRaw,
                        Golden.maxAbsDiff(inf.get("inf.logits_raw.s" + k).toFloatArray(), raw.get(k)));
                maxCfg = Math.max(
                        maxCfg,
                        Golden.maxAbsDiff(inf.get("inf.logits_cfg.s" + k).toFloatArray(), guided.get(k)));
                long[] expBits = inf.get("inf.bits.s" + k).toLongArray();
                long[] bits = result.bits(k);
                assertThat(bits).hasSameSizeAs(expBits);
                mismatches += Golden.mismatches(expBits, bits);
            }
            double maxSum = Golden.maxAbsDiff(inf.get("inf.summed_codes").toFloatArray(), result.summedCodes());
            long t2 = System.nanoTime();
            float[] img = result.decode(vae);
            long t3 = System.nanoTime();
            double imgErr = Golden.maxAbsDiff(inf.get("inf.decoded_img").toFloatArray(), img);
            System.out.printf(
                    "ORT infinity-set1 sampling: raw logits %.3g, CFG logits %.3g, summed codes %.3g, bit mismatches"
                            + " %d, decoded image %.3g; loop %.1f ms (first: emit + sessions), decode %.1f ms%n",
                    maxRaw, maxCfg, maxSum, mismatches, imgErr, (t1 - t0) / 1e6, (t3 - t2) / 1e6);
            assertThat(mismatches).as("bit mismatches").isZero();
            assertThat(maxRaw).as("raw logits").isLessThanOrEqualTo(1e-4);
            assertThat(maxCfg).as("CFG logits").isLessThanOrEqualTo(1e-4);
            assertThat(maxSum).as("summed codes").isLessThanOrEqualTo(1e-5);
            assertThat(imgErr).as("decoded image").isLessThanOrEqualTo(5e-4);

            // warm: the sessions are cached; the same loop gives the same bits
            long t4 = System.nanoTime();
            try (OrtInfinityStepper stepper = model.stepper(text, lens, schedule, true)) {
                NextScaleResult again = loop.run(stepper);
                long t5 = System.nanoTime();
                System.out.printf("ORT infinity-set1 sampling warm: %.1f ms (7 scales, 4 rows)%n", (t5 - t4) / 1e6);
                for (int k = 0; k < schedule.size(); k++) {
                    assertThat(again.bits(k)).isEqualTo(result.bits(k));
                }
            }
            return raw;
        }
    }

    /**
     * The step graphs take the text tokens as a symbolic dimension: after the golden prompts, the first prompt
     * twice (another N, same rows) reuses every step session and reproduces the golden logits of prompt 0's
     * conditional and unconditional rows, driven by the golden next-scale inputs.
     */
    @Test
    void stepGraphsServeAnyPromptLength() {
        try (SafeTensors weights = Golden.open("infinity-set1/transformer_weights.safetensors");
                SafeTensors inputs = Golden.open("infinity-set1/tf_inputs.safetensors");
                SafeTensors inf = Golden.open("infinity-set1/inference.safetensors");
                OrtInfinity model = OrtInfinity.create(InfinityConfig.goldenSet1(), weights, 1)) {
            ScaleSchedule schedule = schedule(inputs);
            int[] lens = Arrays.stream(inputs.get("text.lens").toLongArray())
                    .mapToInt(Math::toIntExact)
                    .toArray();
            assertThat(lens[0]).isNotEqualTo(lens[1]);
            float[] text = inputs.get("text.kv_compact").toFloatArray();
            int d = model.config().bitsPerToken();
            int c5 = model.config().textChannels();
            float[] x = inf.get("inf.x_BLC_wo_prefix").toFloatArray();
            int l1 = schedule.totalTokens() - 1;
            try (OrtInfinityStepper s = model.stepper(text, lens, schedule, true)) {
                s.step(0, null);
            }
            int afterGolden = model.sessionCount();
            float[] first = Arrays.copyOf(text, lens[0] * c5);
            float[] twice = new float[2 * first.length];
            System.arraycopy(first, 0, twice, 0, first.length);
            System.arraycopy(first, 0, twice, first.length, first.length);
            double worst = 0;
            try (OrtInfinityStepper s = model.stepper(twice, new int[] {lens[0], lens[0]}, schedule, true)) {
                for (int k = 0; k < schedule.size(); k++) {
                    int n = schedule.get(k).tokens();
                    float[] in = null;
                    if (k > 0) {
                        in = new float[2 * n * d];
                        int from = (schedule.offset(k) - 1) * d;
                        System.arraycopy(x, from, in, 0, n * d);
                        System.arraycopy(x, from, in, n * d, n * d);
                    }
                    float[] raw = s.step(k, in);
                    float[] want = inf.get("inf.logits_raw.s" + k).toFloatArray();
                    int row = n * 2 * d;
                    for (int r = 0; r < 4; r++) {
                        int golden = r < 2 ? 0 : 2; // cond0, cond0, uncond0, uncond0
                        worst = Math.max(
                                worst,
                                Golden.maxAbsDiff(
                                        Arrays.copyOfRange(want, golden * row, (golden + 1) * row),
                                        Arrays.copyOfRange(raw, r * row, (r + 1) * row)));
                    }
                }
            }
            assertThat(l1 * d).isEqualTo(x.length / 2);
            System.out.printf("ORT infinity-set1 prompt 0 twice (other N): raw logits max abs diff %.3g%n", worst);
            assertThat(worst).isLessThanOrEqualTo(1e-4);
            // one new prologue (other lengths), steps 1..S-1 of the golden shape created now, no step per N
            assertThat(model.sessionCount()).isEqualTo(afterGolden + 1 + schedule.size() - 1);
        }
    }

    /**
     * An overlay replaces tensors for the models on it and shares the rest: {@code head.bias + 1} shifts every
     * raw logit of scale 0 by 1, while the base model on the same tensors is unchanged.
     */
    @Test
    void overlaidWeightsReplaceTensorsAndShareTheRest() {
        try (SafeTensors st = Golden.open("infinity-set1/transformer_weights.safetensors");
                SafeTensors inputs = Golden.open("infinity-set1/tf_inputs.safetensors");
                SafeTensors inf = Golden.open("infinity-set1/inference.safetensors");
                OrtWeights base = OrtWeights.create(st)) {
            float[] bias = st.get("head.bias").toFloatArray();
            for (int i = 0; i < bias.length; i++) {
                bias[i] += 1f;
            }
            ScaleSchedule schedule = schedule(inputs);
            int[] lens = Arrays.stream(inputs.get("text.lens").toLongArray())
                    .mapToInt(Math::toIntExact)
                    .toArray();
            float[] text = inputs.get("text.kv_compact").toFloatArray();
            float[] want = inf.get("inf.logits_raw.s0").toFloatArray();
            try (OrtWeights adapted = base.overlay(dev.arbooth.internal.format.StateDict.of(
                            java.util.Map.of("head.bias", Tensor.ofFloats(bias, bias.length))));
                    OrtInfinity plain = OrtInfinity.on(InfinityConfig.goldenSet1(), base, 1);
                    OrtInfinity shifted = OrtInfinity.on(InfinityConfig.goldenSet1(), adapted, 1);
                    OrtInfinityStepper a = plain.stepper(text, lens, schedule, true);
                    OrtInfinityStepper b = shifted.stepper(text, lens, schedule, true)) {
                assertThat(adapted.copiedCount()).isEqualTo(1);
                assertThat(adapted.size()).isEqualTo(base.size());
                float[] la = a.step(0, null);
                float[] lb = b.step(0, null);
                assertThat(Golden.maxAbsDiff(la, want)).isLessThanOrEqualTo(1e-4);
                for (int i = 0; i < la.length; i++) {
                    lb[i] -= 1f;
                }
                assertThat(Golden.maxAbsDiff(lb, want)).isLessThanOrEqualTo(1e-4);
            }
            assertThatThrownBy(() -> base.overlay(dev.arbooth.internal.format.StateDict.of(
                            java.util.Map.of("head.bias", Tensor.ofFloats(new float[3], 3)))))
                    .isInstanceOf(dev.arbooth.ShapeMismatchException.class)
                    .hasMessageContaining("head.bias");
            // the base is still usable after the overlay is closed
            try (OrtInfinity again = OrtInfinity.on(InfinityConfig.goldenSet1(), base, 1);
                    OrtInfinityStepper s = again.stepper(text, lens, schedule, true)) {
                assertThat(Golden.maxAbsDiff(s.step(0, null), want)).isLessThanOrEqualTo(1e-4);
            }
        }
    }

    @Test
    void vaeEncoderGivesTheGoldenBits() {
        ScaleSchedule schedule = ScaleSchedule.official("1.000", "0.06M");
        try (SafeTensors vaeWeights = Golden.open("infinity-set1/vae_weights.safetensors");
                SafeTensors golden = Golden.open("infinity-set1/vae.safetensors");
                OrtVae vae = OrtVae.create(VaeConfig.goldenSet1(), vaeWeights, 1)) {
            Tensor image = golden.get("vae.input_image");
            long[] s = image.shape();
            long t0 = System.nanoTime();
            MultiScaleBsq.Encoding e = vae.encode(image.toFloatArray(), (int) s[0], (int) s[2], (int) s[3], schedule);
            long t1 = System.nanoTime();
            double featureErr = Golden.maxAbsDiff(
                    e.features_NdHW(), golden.get("vae.raw_features").toFloatArray());
            System.out.printf(
                    "ORT VAE encoder: raw features max abs diff %.3g; %.1f ms (first call)%n",
                    featureErr, (t1 - t0) / 1e6);
            for (int k = 0; k < schedule.size(); k++) {
                assertThat(e.bits().get(k))
                        .as("bits of scale %d", k)
                        .containsExactly(golden.get("vae.bits.s" + k).toLongArray());
            }
            assertThat(featureErr).isLessThanOrEqualTo(3e-5);
            // and the decoder on the golden codes
            Tensor codes = golden.get("vae.summed_codes_from_bits");
            long[] cs = codes.shape();
            float[] recon =
                    vae.decode(codes.toFloatArray(), (int) cs[0], (int) cs[1], new Scale((int) cs[cs.length - 2], (int)
                            cs[cs.length - 1]));
            assertThat(Golden.maxAbsDiff(
                            recon, golden.get("vae.recon_from_bits").toFloatArray()))
                    .isLessThanOrEqualTo(5e-4);
        }
    }

    static ScaleSchedule schedule(SafeTensors inputs) {
        return Golden.schedule(inputs);
    }
}
