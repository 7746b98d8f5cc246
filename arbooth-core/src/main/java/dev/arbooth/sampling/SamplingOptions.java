package dev.arbooth.sampling;

import java.util.List;
import java.util.Objects;

/**
 * How a generator samples images: guidance, temperature, filtering, seed, how many images per prompt and
 * whether to return the sampled bits of every scale. Immutable; change it with the withers.
 *
 * <pre>{@code
 * SamplingOptions o = SamplingOptions.defaults()        // ARBooth's inference: cfg 4, tau 0.5, top-k 900, top-p 0.97
 *         .withSeed(42)
 *         .withImagesPerPrompt(4)
 *         .withCfgPerScale(List.of(3.0, 3.0, 4.0, 4.0, 4.0, 4.0, 4.0));
 * }</pre>
 *
 * <p>Guidance follows the official formula {@code logits = cfg * cond/τ + (1 - cfg) * uncond/τ}; top-k and top-p
 * act on each bit's two logits (with two classes per bit, a top-k of 2 or more filters nothing, and ARBooth's 900
 * is kept for parity; a top-p removes a bit's less likely class when its probability is at most {@code 1 - topP}).
 * The seed
 * makes sampling reproducible: the same options, prompt, model and adapter give the same images.
 *
 * @param cfg classifier-free guidance scale, at least 0 and finite (1 = no guidance): one value for every
 *     scale, or one per scale of the schedule
 * @param tau temperature τ, positive and finite: one value, or one per scale
 * @param topK 0 = off; 1 = greedy per bit; 2 or more = no filtering
 * @param topP 0 = off; otherwise in (0, 1]
 * @param seed the seed of the sampler's random streams
 * @param imagesPerPrompt images generated for each prompt, at least 1
 * @param returnScaleBits whether results carry the sampled bits of every scale (costs memory)
 */
public record SamplingOptions(
        List<Double> cfg,
        List<Double> tau,
        int topK,
        double topP,
        long seed,
        int imagesPerPrompt,
        boolean returnScaleBits) {

    /** ARBooth's inference guidance scale. */
    public static final double DEFAULT_CFG = 4.0;

    /** ARBooth's inference temperature. */
    public static final double DEFAULT_TAU = 0.5;

    /** ARBooth's inference top-k (no filtering on two-class bits). */
    public static final int DEFAULT_TOP_K = 900;

    /** ARBooth's inference top-p. */
    public static final double DEFAULT_TOP_P = 0.97;

    /** The default seed. */
    public static final long DEFAULT_SEED = 0L;

    /**
     * Validates the options and copies the lists.
     *
     * @param cfg at least one value, each finite and at least 0
     * @param tau at least one value, each positive and finite
     * @param topK at least 0
     * @param topP in [0, 1]
     * @param seed any value
     * @param imagesPerPrompt at least 1
     * @param returnScaleBits any value
     * @throws IllegalArgumentException naming the option, the rule and the value
     * @throws NullPointerException if a list or a list element is null
     */
    public SamplingOptions {
        cfg = List.copyOf(Objects.requireNonNull(cfg, "cfg"));
        tau = List.copyOf(Objects.requireNonNull(tau, "tau"));
        if (cfg.isEmpty()) {
            throw new IllegalArgumentException("cfg needs one value for every scale, or one per scale; got none");
        }
        if (tau.isEmpty()) {
            throw new IllegalArgumentException("tau needs one value for every scale, or one per scale; got none");
        }
        for (double c : cfg) {
            if (!(c >= 0) || Double.isInfinite(c)) {
                throw new IllegalArgumentException(
                        "cfg (guidance scale) must be finite and at least 0 (1 = no guidance), got " + cfg);
            }
        }
        for (double t : tau) {
            if (!(t > 0) || Double.isInfinite(t)) {
                throw new IllegalArgumentException("tau (temperature) must be positive and finite, got " + tau);
            }
        }
        if (topK < 0) {
            throw new IllegalArgumentException("topK must be at least 0 (0 = off), got " + topK);
        }
        if (!(topP >= 0 && topP <= 1)) {
            throw new IllegalArgumentException("topP must be in [0, 1] (0 = off), got " + topP);
        }
        if (imagesPerPrompt < 1) {
            throw new IllegalArgumentException("imagesPerPrompt must be at least 1, got " + imagesPerPrompt);
        }
    }

    /**
     * ARBooth's inference settings: cfg 4, τ 0.5, top-k 900, top-p 0.97, seed 0, one image per prompt, no
     * per-scale bits.
     *
     * @return the defaults
     */
    public static SamplingOptions defaults() {
        return new SamplingOptions(
                List.of(DEFAULT_CFG), List.of(DEFAULT_TAU), DEFAULT_TOP_K, DEFAULT_TOP_P, DEFAULT_SEED, 1, false);
    }

    /**
     * The same options with one guidance scale for every scale.
     *
     * @param v the guidance scale
     * @return new options
     */
    public SamplingOptions withCfg(double v) {
        return withCfgPerScale(List.of(v));
    }

    /**
     * The same options with a guidance scale per scale (or one value for all).
     *
     * @param v one value per scale of the schedule, or a single value
     * @return new options
     */
    public SamplingOptions withCfgPerScale(List<Double> v) {
        return new SamplingOptions(v, tau, topK, topP, seed, imagesPerPrompt, returnScaleBits);
    }

    /**
     * The same options with one temperature for every scale.
     *
     * @param v the temperature
     * @return new options
     */
    public SamplingOptions withTau(double v) {
        return withTauPerScale(List.of(v));
    }

    /**
     * The same options with a temperature per scale (or one value for all).
     *
     * @param v one value per scale of the schedule, or a single value
     * @return new options
     */
    public SamplingOptions withTauPerScale(List<Double> v) {
        return new SamplingOptions(cfg, v, topK, topP, seed, imagesPerPrompt, returnScaleBits);
    }

    /**
     * The same options with another top-k.
     *
     * @param v 0 = off
     * @return new options
     */
    public SamplingOptions withTopK(int v) {
        return new SamplingOptions(cfg, tau, v, topP, seed, imagesPerPrompt, returnScaleBits);
    }

    /**
     * The same options with another top-p.
     *
     * @param v 0 = off, else in (0, 1]
     * @return new options
     */
    public SamplingOptions withTopP(double v) {
        return new SamplingOptions(cfg, tau, topK, v, seed, imagesPerPrompt, returnScaleBits);
    }

    /**
     * The same options with another seed.
     *
     * @param v the seed
     * @return new options
     */
    public SamplingOptions withSeed(long v) {
        return new SamplingOptions(cfg, tau, topK, topP, v, imagesPerPrompt, returnScaleBits);
    }

    /**
     * The same options with another number of images per prompt.
     *
     * @param v at least 1
     * @return new options
     */
    public SamplingOptions withImagesPerPrompt(int v) {
        return new SamplingOptions(cfg, tau, topK, topP, seed, v, returnScaleBits);
    }

    /**
     * The same options, returning (or not) the sampled bits of every scale.
     *
     * @param v whether to return them
     * @return new options
     */
    public SamplingOptions withScaleBits(boolean v) {
        return new SamplingOptions(cfg, tau, topK, topP, seed, imagesPerPrompt, v);
    }

    /**
     * Checks the per-scale lists against a schedule.
     *
     * @param scales the number of scales of the schedule
     * @return these options
     * @throws IllegalArgumentException if {@code cfg} or {@code tau} has per-scale values of another count
     */
    public SamplingOptions requireScales(int scales) {
        requireCount("cfg", cfg, scales);
        requireCount("tau", tau, scales);
        return this;
    }

    private static void requireCount(String what, List<Double> values, int scales) {
        if (values.size() != 1 && values.size() != scales) {
            throw new IllegalArgumentException(what + " has " + values.size() + " per-scale values " + values
                    + " but the schedule has " + scales + " scales; give one value, or exactly one per scale");
        }
    }

    /**
     * Whether a schedule of {@code scales} scales samples with guidance anywhere, i.e. whether the unconditional
     * rows must run (official: {@code cfg != 1} at some scale).
     *
     * @param scales the schedule's number of scales
     * @return whether some {@link #cfgAt(int)} of scales {@code 0..scales-1} differs from 1
     * @throws IllegalArgumentException if per-scale values do not cover the schedule ({@link #requireScales})
     */
    public boolean guides(int scales) {
        requireScales(scales);
        for (int k = 0; k < scales; k++) {
            if (cfgAt(k) != 1.0) {
                return true;
            }
        }
        return false;
    }

    /**
     * The guidance scale of scale {@code k}.
     *
     * @param k the scale index
     * @return the single value, or the {@code k}-th per-scale value
     * @throws IndexOutOfBoundsException if per-scale values were given and {@code k} is past them
     */
    public double cfgAt(int k) {
        return at(cfg, k, "cfg");
    }

    /**
     * The temperature of scale {@code k}.
     *
     * @param k the scale index
     * @return the single value, or the {@code k}-th per-scale value
     * @throws IndexOutOfBoundsException if per-scale values were given and {@code k} is past them
     */
    public double tauAt(int k) {
        return at(tau, k, "tau");
    }

    private static double at(List<Double> values, int k, String what) {
        if (values.size() == 1) {
            return values.get(0);
        }
        if (k < 0 || k >= values.size()) {
            throw new IndexOutOfBoundsException(
                    what + " has " + values.size() + " per-scale values; no value for scale " + k);
        }
        return values.get(k);
    }
}
