package dev.arbooth.internal.sampling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.arbooth.ArboothException;
import dev.arbooth.config.ScaleSchedule;
import dev.arbooth.sampling.SamplingOptions;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Issue 13, item 4: options that pass validation (any finite cfg ≥ 0, any positive finite τ) no longer break
 * the arithmetic. Where float32 guidance overflows, each bit is decided by the exact sign and size of its
 * guided logit difference, recomputed in double; finite guided logits are sampled exactly as before.
 */
class GuidanceOverflowTest {
    private static final int D = 4;
    private static final ScaleSchedule SCHEDULE = ScaleSchedule.of(new int[][] {{1, 1}, {2, 2}});

    /** A stepper returning seeded logits for cond and uncond rows: (2B, n, 2d). */
    private static ScaleStepper stepper(int batch, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        return (k, input) -> {
            int n = SCHEDULE.get(k).tokens();
            float[] raw = new float[2 * batch * n * 2 * D];
            for (int i = 0; i < raw.length; i++) {
                raw[i] = (float) (4 * r.nextGaussian());
            }
            return raw;
        };
    }

    private static NextScaleResult run(double cfg, double tau, int topK, long seed) {
        SamplingOptions o = SamplingOptions.defaults()
                .withCfg(cfg)
                .withTau(tau)
                .withTopK(topK)
                .withTopP(0)
                .withSeed(3);
        return NextScaleLoop.create(SCHEDULE, 2, D, BitSamplerOptions.of(o)).run(stepper(2, seed));
    }

    /** The loop's stages 2 and 3 for scale 0: guidance and temperature, then sampling with the raw logits at hand. */
    private static void sampleGuided(BitSampler s, float[] raw, int batch, int n, int d, long[] bits) {
        double cfg = s.options().cfgAt(0);
        double tau = s.options().tauAt(0);
        float[] guided = new float[batch * n * 2 * d];
        ClassifierFreeGuidance.apply(raw, batch, n, 2 * d, cfg, tau, guided);
        s.sample(guided, n, d, bits, raw, cfg, tau);
    }

    @Test
    void extremeButValidOptionsSampleInsteadOfFailing() {
        for (double cfg : new double[] {1e39, 1e300, Double.MAX_VALUE}) {
            for (double tau : new double[] {1e-38, 1e-39, Double.MIN_VALUE, 0.5}) {
                assertThat(new SamplingOptions(List.of(cfg), List.of(tau), 900, 0.97, 0, 1, false))
                        .isNotNull(); // valid options...
                NextScaleResult r = run(cfg, tau, 900, 11); // ...that sample
                assertThat(java.util.Arrays.stream(r.bits(1)).boxed().toList())
                        .hasSize(2 * 4 * D)
                        .allMatch(b -> b == 0 || b == 1);
            }
        }
        run(4.0, Double.MIN_VALUE, 900, 12);
        run(0.0, 1e-45, 1, 13);
    }

    @Test
    void overflowedBitsFollowTheExactGuidedDifference() {
        // with a huge cfg the guided logits overflow; greedy sampling must then pick the class that
        // cfg·(cond difference − uncond difference) favours, computed exactly
        double cfg = 1e39;
        float[] raw = {0f, 1f, 0f, -2f, 0f, 0f, 0f, 0f}; // B = 1, n = 1, d = 2: cond (0,1),(0,-2); uncond zeros
        float[] guided = new float[4];
        ClassifierFreeGuidance.apply(raw, 1, 1, 4, cfg, 1.0, guided);
        assertThat(guided[0]).isNaN(); // float32 overflow: cfg·0 + (1 − cfg)·0 → Inf·0
        BitSampler s = BitSampler.create(BitSamplerOptions.of(cfg, 1.0, 1, 0.0, 0), 1);
        long[] bits = new long[2];
        sampleGuided(s, raw, 1, 1, 2, bits);
        assertThat(bits).containsExactly(1L, 0L);
        // tiny τ: guided logits all ±Infinity, same decisions
        BitSampler t = BitSampler.create(BitSamplerOptions.of(2.0, 1e-44, 1, 0.0, 0), 1);
        sampleGuided(t, raw, 1, 1, 2, bits);
        assertThat(bits).containsExactly(1L, 0L);
    }

    @Test
    void ordinaryOptionsSampleExactlyAsBefore() {
        // finite guided logits never take the recomputation path: the same bits as sampling the guided
        // logits directly
        for (long seed = 0; seed < 5; seed++) {
            SplittableRandom r = new SplittableRandom(seed);
            float[] raw = new float[2 * 3 * 5 * 2 * D];
            for (int i = 0; i < raw.length; i++) {
                raw[i] = (float) (3 * r.nextGaussian());
            }
            BitSamplerOptions o = BitSamplerOptions.of(4.0, 0.5, 900, 0.97, seed);
            long[] viaGuided = new long[3 * 5 * D];
            sampleGuided(BitSampler.create(o, 3), raw, 3, 5, D, viaGuided);
            float[] guided = new float[3 * 5 * 2 * D];
            ClassifierFreeGuidance.apply(raw, 3, 5, 2 * D, 4.0, 0.5, guided);
            long[] direct = new long[viaGuided.length];
            BitSampler.create(o, 3).sample(guided, 5, D, direct);
            assertThat(viaGuided).isEqualTo(direct);
        }
    }

    @Test
    void nonFiniteModelLogitsAreReportedAsOurs() {
        ScaleStepper broken = (k, input) -> {
            float[] raw = new float[2 * SCHEDULE.get(k).tokens() * 2 * D * 2];
            raw[0] = Float.NaN;
            return raw;
        };
        NextScaleLoop loop = NextScaleLoop.create(SCHEDULE, 2, D, BitSamplerOptions.of(4.0, 0.5, 900, 0.97, 0));
        assertThatThrownBy(() -> loop.run(broken))
                .isInstanceOf(ArboothException.class)
                .hasMessageContaining("raw logits of scale 0 are not finite");
    }
}
