package dev.arbooth.internal.sampling;

import dev.arbooth.ShapeMismatchException;
import java.util.Objects;

/**
 * Samples the bits of one scale from bitwise logits, with top-k / top-p filtering and seeded streams.
 *
 * <p><b>Layouts.</b> Logits {@code logits_BnV} are {@code (B, n, V)} with {@code V = 2d}; logit
 * {@code 2j + c} is class {@code c} of bit {@code j}, i.e. the official view {@code (B, n*d, 2)}. Bits
 * {@code bits_BnD} are {@code (B, n, d)} in {0, 1} (for a scale of {@code h x w} tokens this is the official
 * {@code (B, 1, h, w, d)}).
 *
 * <p><b>Semantics</b> (official {@code sample_with_top_k_top_p_also_inplace_modifying_logits_} on each bit's
 * pair {@code (l0, l1)}; the logits are used as given: the temperature was already divided in by
 * {@link ClassifierFreeGuidance}, and the official sampler does not divide again):
 * <ol>
 *   <li>top-k ({@code topK > 0}): classes whose logit is strictly below the {@code min(topK, 2)}-th largest
 *       are removed. {@code topK = 1} keeps the larger logit (greedy); on an exact tie both classes stay.
 *       {@code topK >= 2} removes nothing.
 *   <li>top-p ({@code topP > 0}): the classes are sorted ascending (on a tie class 0 comes first, as a
 *       stable sort gives); the first, less likely one is removed when its probability among the remaining
 *       classes is {@code <= float32(1 - topP)}; the more likely class is never removed. So {@code topP = 1}
 *       removes only a class of probability 0, and {@code topP <= 0.5} always removes the less likely class
 *       (on a tie: class 0).
 *   <li>the bit is 1 with probability {@code p1 = softmax(l0, l1)[1]} over the remaining classes (1 or 0
 *       when one class was removed): with {@code u} the next {@link SeededRandom#nextDouble()} of the batch
 *       row's stream, {@code bit = u < p1 ? 1 : 0}.
 * </ol>
 * Probabilities are computed in double with {@link StrictMath#exp} (portable to the bit); PyTorch uses
 * float32 there, which can only matter for a probability within rounding of the top-p threshold.
 *
 * <p><b>Randomness.</b> Batch row {@code b} draws from {@code SeededRandom.of(seed, b)} (stream {@code
 * firstStream + b} for a sampler of part of a batch): one draw per bit, in
 * order of scales (calls), tokens, bits, whatever the options (a greedy bit still consumes its draw, used
 * only on an exact tie). So a row's bits depend only on the seed, the row index and its own logits, the
 * same on every platform, and never on the other rows or on the batch size. {@link #reset()} restarts the
 * streams. Not thread-safe.
 */
public final class BitSampler {
    private final BitSamplerOptions options;
    private final int batch;
    private final SeededRandom[] rows;
    private final float threshold;

    private BitSampler(BitSamplerOptions options, int batch, long firstStream) {
        this.options = Objects.requireNonNull(options, "options");
        if (batch < 1) {
            throw new IllegalArgumentException("batch must be at least 1, got " + batch);
        }
        if (firstStream < 0) {
            throw new IllegalArgumentException("firstStream must be at least 0, got " + firstStream);
        }
        this.batch = batch;
        this.rows = new SeededRandom[batch];
        for (int b = 0; b < batch; b++) {
            rows[b] = SeededRandom.of(options.seed(), firstStream + b);
        }
        this.threshold = (float) (1.0 - options.topP());
    }

    /**
     * A sampler for {@code batch} rows (B, not 2B), its streams at their start.
     *
     * @param options top-k, top-p and the seed (cfg and τ are applied before, by {@link NextScaleLoop})
     * @param batch B
     * @return the sampler
     */
    public static BitSampler create(BitSamplerOptions options, int batch) {
        return new BitSampler(options, batch, 0);
    }

    /**
     * A sampler for rows {@code firstStream .. firstStream + batch - 1} of a larger batch sampled in parts:
     * row {@code b} draws from stream {@code firstStream + b}, so the parts together draw exactly what one
     * sampler for the whole batch would.
     *
     * @param options top-k, top-p, seed, and the per-scale cfg/τ
     * @param batch the rows of this part
     * @param firstStream the stream of its first row, at least 0
     * @return the sampler
     */
    public static BitSampler create(BitSamplerOptions options, int batch, long firstStream) {
        return new BitSampler(options, batch, firstStream);
    }

    /**
     * The options.
     *
     * @return the options this sampler was created with
     */
    public BitSamplerOptions options() {
        return options;
    }

    /**
     * The batch size B.
     *
     * @return B
     */
    public int batch() {
        return batch;
    }

    /** Restarts every row's random stream (the next call samples as a fresh sampler would). */
    public void reset() {
        for (SeededRandom r : rows) {
            r.reset();
        }
    }

    /**
     * Samples the bits of one scale from logits that are already guided and temperature-scaled.
     *
     * @param logits_BnV {@code (B, n, 2d)}; at least that many elements (the prefix is used)
     * @param n tokens per row
     * @param d bits per token
     * @param bits_BnD receives {@code (B, n, d)}; at least that many elements
     * @throws IllegalArgumentException if a bit's two logits give no distribution (NaN, or both infinite
     *     with the same sign)
     */
    public void sample(float[] logits_BnV, int n, int d, long[] bits_BnD) {
        sample(logits_BnV, n, d, bits_BnD, null, 0, 0);
    }

    /**
     * As {@link #sample(float[], int, int, long[])}, with the raw logits the guided ones were computed from:
     * where float32 guidance overflowed (a very large cfg or a very small τ make both logits of a bit infinite
     * of the same sign, or NaN), the bit's logit difference is recomputed in double from the raw logits, which
     * is exact in sign for every finite cfg and positive τ. Bits whose guided logits are finite are sampled
     * exactly as by the plain method.
     *
     * @param raw_2BnV the raw logits given to {@link ClassifierFreeGuidance#apply}, or {@code null}
     * @param cfg the guidance scale they were guided with
     * @param tau the temperature they were guided with
     */
    void sample(float[] logits_BnV, int n, int d, long[] bits_BnD, float[] raw_2BnV, double cfg, double tau) {
        long bitsPerRow = (long) n * d;
        if (n < 0 || d < 1 || logits_BnV.length < 2 * batch * bitsPerRow) {
            throw ShapeMismatchException.of(
                    "logits_BnV", new long[] {batch, n, 2L * d}, new long[] {logits_BnV.length});
        }
        if (bits_BnD.length < batch * bitsPerRow) {
            throw ShapeMismatchException.of("bits_BnD", new long[] {batch, n, d}, new long[] {bits_BnD.length});
        }
        int topK = options.topK();
        boolean topP = options.topP() > 0;
        int per = (int) bitsPerRow;
        for (int b = 0; b < batch; b++) {
            SeededRandom rng = rows[b];
            int base = b * per;
            for (int i = 0; i < per; i++) {
                float l0 = logits_BnV[2 * (base + i)];
                float l1 = logits_BnV[2 * (base + i) + 1];
                double u = rng.nextDouble();
                double p1;
                if (topK == 1 && l0 != l1 && !Float.isNaN(l0) && !Float.isNaN(l1)) {
                    p1 = l1 > l0 ? 1.0 : 0.0;
                } else if (raw_2BnV != null && Double.isNaN((double) l1 - (double) l0)) {
                    p1 = probabilityOfOne(guidedDifference(raw_2BnV, 2 * (base + i), cfg, tau), topK, topP, threshold);
                    if (Double.isNaN(p1)) {
                        p1 = probabilityOfOne(l0, l1, topK, topP, threshold, base + i); // throws: raw not finite
                    }
                } else {
                    p1 = probabilityOfOne(l0, l1, topK, topP, threshold, base + i);
                }
                bits_BnD[base + i] = u < p1 ? 1L : 0L;
            }
        }
    }

    /**
     * The guided logit difference {@code l1 - l0} of one bit, in double: {@code (cfg·(c1 - c0) + (1 - cfg)·(u1 -
     * u0)) / τ}, written as {@code (cfg·(dc - du) + du) / τ} so that no finite cfg makes it {@code ∞ - ∞}.
     *
     * @param raw the raw logits [cond; uncond] (only the conditional half when cfg is 1)
     * @param at the index of the bit's class-0 logit in the conditional half
     * @return the difference; NaN only when a raw logit is not finite
     */
    private double guidedDifference(float[] raw, int at, double cfg, double tau) {
        double dc = (double) raw[at + 1] - raw[at];
        if (cfg == 1.0) {
            return dc / tau;
        }
        int half = raw.length / 2;
        double du = (double) raw[half + at + 1] - raw[half + at];
        return (cfg * (dc - du) + du) / tau;
    }

    /**
     * The probability that the sampler returns 1 for a bit with logits {@code (l0, l1)} under the given
     * filtering (the distribution the draw is taken from).
     *
     * @param l0 the logit of class 0
     * @param l1 the logit of class 1
     * @param topK the top-k setting (0 = off)
     * @param topP the top-p setting (0 = off)
     * @return {@code p1} in [0, 1]
     * @throws IllegalArgumentException if the logits give no distribution
     */
    public static double probabilityOfOne(float l0, float l1, int topK, double topP) {
        if (topK < 0 || !(topP >= 0 && topP <= 1)) {
            throw new IllegalArgumentException("topK must be >= 0 and topP in [0, 1], got " + topK + ", " + topP);
        }
        return probabilityOfOne(l0, l1, topK, topP > 0, (float) (1.0 - topP), -1);
    }

    private static double probabilityOfOne(float l0, float l1, int topK, boolean topP, float threshold, int index) {
        double diff = (double) l1 - (double) l0;
        if (Double.isNaN(diff)) {
            throw new IllegalArgumentException("bit logits (" + l0 + ", " + l1 + ")"
                    + (index >= 0 ? " at bit " + index : "") + " define no distribution");
        }
        return probabilityOfOne(diff, topK, topP, threshold);
    }

    /** The filtered probability of class 1 from the logit difference {@code l1 - l0} (NaN for a NaN one). */
    private static double probabilityOfOne(double diff, int topK, boolean topP, float threshold) {
        if (Double.isNaN(diff)) {
            return Double.NaN;
        }
        boolean keep0 = true;
        boolean keep1 = true;
        if (topK == 1) {
            keep0 = !(diff > 0);
            keep1 = !(diff < 0);
        }
        if (topP && keep0 && keep1) {
            double pLow = 1.0 / (1.0 + StrictMath.exp(Math.abs(diff)));
            if (pLow <= threshold) {
                if (diff < 0) {
                    keep1 = false;
                } else {
                    keep0 = false;
                }
            }
        }
        if (!keep0) {
            return 1.0;
        }
        if (!keep1) {
            return 0.0;
        }
        return 1.0 / (1.0 + StrictMath.exp(-diff));
    }
}
