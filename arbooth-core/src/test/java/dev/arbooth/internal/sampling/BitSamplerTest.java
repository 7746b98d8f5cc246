package dev.arbooth.internal.sampling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.arbooth.ShapeMismatchException;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class BitSamplerTest {
    private static final float LN3 = (float) Math.log(3);

    /** Logit pairs (l0, l1) spanning certain 0 to certain 1, with their softmax probability of bit 1. */
    private static final float[][] PAIRS = {
        {0f, 0f}, {0f, 1f}, {1f, 0f}, {0f, LN3}, {-2f, 2f}, {3f, -0.5f}, {0.25f, 0.2f}, {-30f, 30f}
    };

    /** B rows of n tokens with d bits; bit j of every token uses PAIRS[j % PAIRS.length]. */
    private static float[] logits(int batch, int n, int d) {
        float[] l = new float[batch * n * d * 2];
        for (int i = 0; i < batch * n * d; i++) {
            float[] p = PAIRS[(i % d) % PAIRS.length];
            l[2 * i] = p[0];
            l[2 * i + 1] = p[1];
        }
        return l;
    }

    private static long[] sample(BitSamplerOptions options, int batch, float[] logits, int n, int d) {
        long[] bits = new long[batch * n * d];
        BitSampler.create(options, batch).sample(logits, n, d, bits);
        return bits;
    }

    @Test
    void frequenciesMatchSoftmaxWithoutFiltering() {
        int batch = 2;
        int n = 2500;
        int d = PAIRS.length;
        float[] logits = logits(batch, n, d);
        for (BitSamplerOptions options : List.of(
                BitSamplerOptions.of(1, 1, 0, 0.0, 7),
                BitSamplerOptions.of(1, 1, 0, 1.0, 8),
                BitSamplerOptions.of(1, 1, 2, 0.0, 9))) {
            long[] bits = sample(options, batch, logits, n, d);
            int trials = batch * n;
            for (int j = 0; j < d; j++) {
                long ones = 0;
                for (int t = 0; t < trials; t++) {
                    ones += bits[t * d + j];
                }
                double p = 1 / (1 + Math.exp(PAIRS[j][0] - PAIRS[j][1]));
                double f = (double) ones / trials;
                double sigma = Math.sqrt(p * (1 - p) / trials);
                assertThat(Math.abs(f - p))
                        .as("pair %s with %s: frequency %s vs p %s", Arrays.toString(PAIRS[j]), options, f, p)
                        .isLessThanOrEqualTo(5 * sigma + 1e-12);
            }
        }
    }

    @Test
    void sameSeedSameBitsOtherSeedOtherBitsRowsIndependentOfBatch() {
        float[] logits = logits(2, 64, 16);
        BitSamplerOptions options = BitSamplerOptions.of(1, 1, 0, 0.0, 123);
        long[] a = sample(options, 2, logits, 64, 16);
        assertThat(sample(options, 2, logits, 64, 16)).containsExactly(a);
        long[] other = sample(options.withSeed(124), 2, logits, 64, 16);
        assertThat(other).isNotEqualTo(a);
        // Row 0 of a batch of 2 equals a batch of 1: a row depends on (seed, row index, its logits) only.
        long[] single = sample(options, 1, Arrays.copyOf(logits, logits.length / 2), 64, 16);
        assertThat(single).containsExactly(Arrays.copyOf(a, a.length / 2));
        // Rows draw from different streams.
        assertThat(Arrays.copyOfRange(a, 0, a.length / 2)).isNotEqualTo(Arrays.copyOfRange(a, a.length / 2, a.length));
        // reset() restarts the streams; without it the next call continues them.
        BitSampler sampler = BitSampler.create(options, 2);
        long[] first = new long[a.length];
        long[] second = new long[a.length];
        sampler.sample(logits, 64, 16, first);
        sampler.sample(logits, 64, 16, second);
        assertThat(first).containsExactly(a);
        assertThat(second).isNotEqualTo(a);
        sampler.reset();
        sampler.sample(logits, 64, 16, second);
        assertThat(second).containsExactly(a);
    }

    @Test
    void topKOneIsArgmaxAndKeepsBothClassesOnATie() {
        assertThat(BitSampler.probabilityOfOne(0f, 1e-6f, 1, 0)).isEqualTo(1.0);
        assertThat(BitSampler.probabilityOfOne(5f, -5f, 1, 0)).isEqualTo(0.0);
        assertThat(BitSampler.probabilityOfOne(0.5f, 0.5f, 1, 0)).isEqualTo(0.5);
        assertThat(BitSampler.probabilityOfOne(0f, 1f, 2, 0)).isEqualTo(1 / (1 + Math.exp(-1)));
        assertThat(BitSampler.probabilityOfOne(0f, 1f, 900, 0)).isEqualTo(1 / (1 + Math.exp(-1)));
        assertThat(BitSampler.probabilityOfOne(0f, 1f, 0, 0)).isEqualTo(1 / (1 + Math.exp(-1)));
        // Greedy sampling of many ties draws both values from the seeded stream.
        float[] ties = new float[2 * 1000];
        long[] bits = sample(BitSamplerOptions.greedy(1, 1), 1, ties, 1000, 1);
        long ones = Arrays.stream(bits).sum();
        assertThat(ones).isBetween(400L, 600L);
    }

    @Test
    void topPKeepsTheSmallestSetReachingTopP() {
        // p(1) = 0.75, p(0) = 0.25: the less likely class goes when its probability is <= 1 - topP.
        assertThat(BitSampler.probabilityOfOne(0f, LN3, 0, 0.7)).isEqualTo(1.0); // {1} has 0.75 >= 0.7
        assertThat(BitSampler.probabilityOfOne(0f, LN3, 0, 0.9)).isCloseTo(0.75, within(1e-7)); // needs both
        assertThat(BitSampler.probabilityOfOne(LN3, 0f, 0, 0.7)).isEqualTo(0.0); // mirrored: class 0 kept
        assertThat(BitSampler.probabilityOfOne(0f, LN3, 0, 1.0)).isCloseTo(0.75, within(1e-7));
        // topP <= 0.5 always keeps only the more likely class; on a tie class 0 counts as the less likely one.
        assertThat(BitSampler.probabilityOfOne(0f, 0.01f, 0, 0.5)).isEqualTo(1.0);
        assertThat(BitSampler.probabilityOfOne(2f, 2f, 0, 0.5)).isEqualTo(1.0);
        assertThat(BitSampler.probabilityOfOne(2f, 2f, 0, 0.6)).isEqualTo(0.5);
        // topP = 1 removes only a class of probability 0.
        assertThat(BitSampler.probabilityOfOne(0f, Float.NEGATIVE_INFINITY, 0, 1.0))
                .isEqualTo(0.0);
        // Combined with top-k = 1 the result stays greedy.
        assertThat(BitSampler.probabilityOfOne(0f, LN3, 1, 0.9)).isEqualTo(1.0);
        // Sampling honours it: every bit with logits (0, ln 3) becomes 1 under topP = 0.7.
        float[] l = new float[2 * 500];
        for (int i = 0; i < 500; i++) {
            l[2 * i + 1] = LN3;
        }
        assertThat(sample(BitSamplerOptions.of(1, 1, 0, 0.7, 5), 1, l, 500, 1)).containsOnly(1L);
        long ones = Arrays.stream(sample(BitSamplerOptions.of(1, 1, 0, 0.9, 5), 1, l, 500, 1))
                .sum();
        assertThat(ones).isBetween(300L, 450L);
    }

    @Test
    void usesPerScaleGuidanceAndTemperature() {
        // cond (0, 1), uncond (0, 3): cfg 2, tau 0.5 gives 2*(0, 2) - (0, 6) = (0, -2) -> greedy 0;
        // cfg 1, tau 1 gives (0, 1) -> greedy 1.
        BitSamplerOptions options = new BitSamplerOptions(List.of(2.0, 1.0), List.of(0.5, 1.0), 1, 0.0, 0);
        BitSampler sampler = BitSampler.create(options, 1);
        long[] bits = new long[1];
        float[] guided = new float[2];
        ClassifierFreeGuidance.apply(new float[] {0f, 1f, 0f, 3f}, 1, 1, 2, options.cfgAt(0), options.tauAt(0), guided);
        sampler.sample(guided, 1, 1, bits);
        assertThat(bits).containsExactly(0L);
        ClassifierFreeGuidance.apply(new float[] {0f, 1f, 0f, 3f}, 1, 1, 2, options.cfgAt(1), options.tauAt(1), guided);
        sampler.sample(guided, 1, 1, bits);
        assertThat(bits).containsExactly(1L);
        assertThatThrownBy(() -> options.cfgAt(2)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThat(BitSamplerOptions.of(3, 0.5, 0, 0, 0).tauAt(12)).isEqualTo(0.5);
    }

    @Test
    void rejectsBadInput() {
        BitSampler sampler = BitSampler.create(BitSamplerOptions.of(1, 1, 0, 0.0, 1), 1);
        assertThatThrownBy(() -> sampler.sample(new float[] {Float.NaN, 0f}, 1, 1, new long[1]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no distribution");
        assertThatThrownBy(() -> sampler.sample(
                        new float[] {Float.POSITIVE_INFINITY, Float.POSITIVE_INFINITY}, 1, 1, new long[1]))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> sampler.sample(new float[3], 1, 2, new long[2]))
                .isInstanceOf(ShapeMismatchException.class)
                .hasMessageContaining("logits_BnV");
        assertThatThrownBy(() -> sampler.sample(new float[4], 1, 2, new long[1]))
                .isInstanceOf(ShapeMismatchException.class)
                .hasMessageContaining("bits_BnD");
        assertThatThrownBy(() -> BitSamplerOptions.of(1, 0, 0, 0, 0)).hasMessageContaining("tau");
        assertThatThrownBy(() -> BitSamplerOptions.of(1, 1, -1, 0, 0)).hasMessageContaining("topK");
        assertThatThrownBy(() -> BitSamplerOptions.of(1, 1, 0, 1.5, 0)).hasMessageContaining("topP");
        assertThatThrownBy(() -> BitSamplerOptions.of(Double.NaN, 1, 0, 0, 0)).hasMessageContaining("cfg");
        assertThatThrownBy(() -> new BitSamplerOptions(List.of(), List.of(1.0), 0, 0, 0))
                .hasMessageContaining("at least one");
    }

    private static org.assertj.core.data.Offset<Double> within(double v) {
        return org.assertj.core.data.Offset.offset(v);
    }
}
