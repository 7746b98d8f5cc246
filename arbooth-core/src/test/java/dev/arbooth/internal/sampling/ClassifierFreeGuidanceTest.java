package dev.arbooth.internal.sampling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.arbooth.ShapeMismatchException;
import dev.arbooth.config.Scale;
import dev.arbooth.config.ScaleSchedule;
import dev.arbooth.internal.format.SafeTensors;
import dev.arbooth.testing.Golden;
import org.junit.jupiter.api.Test;

class ClassifierFreeGuidanceTest {
    private static final int D = SamplingGolden.D;

    private static ScaleSchedule schedule() {
        try (SafeTensors tf = Golden.open("infinity-set1/tf_inputs.safetensors")) {
            return SamplingGolden.schedule(tf);
        }
    }

    @Test
    void guidedLogitsAndGreedyBitsMatchOfficialInference() {
        check("infinity-set1/inference.safetensors", "inf.");
    }

    @Test
    void guidedLogitsAndGreedyBitsMatchArboothInference() {
        check("infinity-set1/arbooth_variant.safetensors", "arb.inf.");
    }

    private static void check(String file, String prefix) {
        ScaleSchedule schedule = schedule();
        BitSampler sampler = BitSampler.create(BitSamplerOptions.greedy(3.0, 1.0), 2);
        double worst = 0;
        long mismatches = 0;
        long total = 0;
        try (SafeTensors st = Golden.open(file)) {
            for (int k = 0; k < schedule.size(); k++) {
                Scale s = schedule.get(k);
                float[] raw = st.get(prefix + "logits_raw.s" + k).toFloatArray();
                float[] guided = new float[raw.length / 2];
                ClassifierFreeGuidance.apply(raw, 2, s.tokens(), 2 * D, 3.0, 1.0, guided);
                worst = Math.max(
                        worst,
                        Golden.maxAbsDiff(st.get(prefix + "logits_cfg.s" + k).toFloatArray(), guided));

                long[] bits = new long[2 * s.tokens() * D];
                sampler.sample(guided, s.tokens(), D, bits);
                long[] expected = st.get(prefix + "bits.s" + k).toLongArray();
                mismatches += Golden.mismatches(expected, bits);
                total += bits.length;
            }
        }
        System.out.println("[golden] " + prefix + "logits_cfg.s*: max abs err " + worst + "; greedy bits: " + mismatches
                + " of " + total + " differ");
        assertThat(worst).isZero(); // README tolerance 1e-6 (checks.json cfg_formula_maxabs 0)
        assertThat(mismatches).isZero();
    }

    @Test
    void appliesTemperatureAndGuidanceInFloat32() {
        float[] raw = {2f, -4f, 1f, 1f}; // B=1, n=1, V=2: cond (2, -4), uncond (1, 1)
        float[] out = new float[2];
        ClassifierFreeGuidance.apply(raw, 1, 1, 2, 3.0, 0.5, out);
        assertThat(out).containsExactly(3f * 4f + (-2f) * 2f, 3f * -8f + (-2f) * 2f);
        // cfg = 1: conditional rows only, which may then come alone.
        ClassifierFreeGuidance.apply(new float[] {2f, -4f}, 1, 1, 2, 1.0, 2.0, out);
        assertThat(out).containsExactly(1f, -2f);
    }

    @Test
    void rejectsBadArguments() {
        float[] out = new float[2];
        assertThatThrownBy(() -> ClassifierFreeGuidance.apply(new float[2], 1, 1, 2, 3.0, 1.0, out))
                .isInstanceOf(ShapeMismatchException.class)
                .hasMessageContaining("raw_2BnV");
        assertThatThrownBy(() -> ClassifierFreeGuidance.apply(new float[4], 1, 1, 2, 3.0, 0.0, out))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tau");
        assertThatThrownBy(() -> ClassifierFreeGuidance.apply(new float[4], 1, 1, 2, Double.NaN, 1.0, out))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cfg");
    }
}
