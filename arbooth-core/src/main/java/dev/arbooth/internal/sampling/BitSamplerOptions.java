package dev.arbooth.internal.sampling;

import dev.arbooth.sampling.SamplingOptions;
import java.util.List;
import java.util.Objects;

/**
 * The knobs of bitwise next-scale sampling: guidance scale and temperature (constant or per scale), top-k,
 * top-p and the seed. This is the engine-level record used by {@link BitSampler}; the user-facing sampling
 * options of the SDK map onto it.
 *
 * @param cfg classifier-free guidance scale: one value for every scale, or one per scale
 * @param tau temperature τ (positive): one value, or one per scale; applied to the logits by
 *     {@link ClassifierFreeGuidance}, not again by the sampler
 * @param topK 0 = no top-k filtering; 1 = keep the larger logit of each bit (greedy, see {@link BitSampler}
 *     for ties); 2 or more = no filtering (each bit has only 2 classes), accepted for parity with the
 *     official settings (e.g. ARBooth's 900)
 * @param topP 0 = no top-p filtering; otherwise in (0, 1]: the less likely class of a bit is removed when
 *     its probability is at most {@code 1 - topP} (see {@link BitSampler})
 * @param seed the seed of the sampler's random streams
 */
public record BitSamplerOptions(List<Double> cfg, List<Double> tau, int topK, double topP, long seed) {
    /**
     * Validates and copies the lists.
     *
     * @param cfg at least one finite value
     * @param tau at least one positive finite value
     * @param topK at least 0
     * @param topP in [0, 1]
     * @param seed any value
     */
    public BitSamplerOptions {
        cfg = List.copyOf(Objects.requireNonNull(cfg, "cfg"));
        tau = List.copyOf(Objects.requireNonNull(tau, "tau"));
        if (cfg.isEmpty() || tau.isEmpty()) {
            throw new IllegalArgumentException(
                    "cfg and tau need at least one value (one for all scales, or one per scale)");
        }
        for (double c : cfg) {
            if (!Double.isFinite(c)) {
                throw new IllegalArgumentException("cfg values must be finite, got " + cfg);
            }
        }
        for (double t : tau) {
            if (!(t > 0) || Double.isInfinite(t)) {
                throw new IllegalArgumentException("tau values must be positive and finite, got " + tau);
            }
        }
        if (topK < 0) {
            throw new IllegalArgumentException("topK must be >= 0 (0 = off), got " + topK);
        }
        if (!(topP >= 0 && topP <= 1)) {
            throw new IllegalArgumentException("topP must be in [0, 1] (0 = off), got " + topP);
        }
    }

    /**
     * Options with one guidance scale and temperature for every scale.
     *
     * @param cfg the guidance scale
     * @param tau the temperature
     * @param topK the top-k setting (0 = off)
     * @param topP the top-p setting (0 = off)
     * @param seed the seed
     * @return the options
     */
    public static BitSamplerOptions of(double cfg, double tau, int topK, double topP, long seed) {
        return new BitSamplerOptions(List.of(cfg), List.of(tau), topK, topP, seed);
    }

    /**
     * The engine-level part of the user's sampling options: cfg, τ, top-k, top-p and the seed (the number of
     * images and the per-scale bits are the generator's business).
     *
     * @param options the user's options
     * @return the sampler options
     */
    public static BitSamplerOptions of(SamplingOptions options) {
        return new BitSamplerOptions(options.cfg(), options.tau(), options.topK(), options.topP(), options.seed());
    }

    /**
     * Deterministic options: {@code topK = 1}, no top-p, seed 0 (the seed only matters for exact ties).
     *
     * @param cfg the guidance scale
     * @param tau the temperature
     * @return the options
     */
    public static BitSamplerOptions greedy(double cfg, double tau) {
        return of(cfg, tau, 1, 0.0, 0L);
    }

    /**
     * The same options with another seed.
     *
     * @param newSeed the seed
     * @return the options
     */
    public BitSamplerOptions withSeed(long newSeed) {
        return new BitSamplerOptions(cfg, tau, topK, topP, newSeed);
    }

    /**
     * The guidance scale of scale {@code k}.
     *
     * @param k the scale index
     * @return the single value, or the {@code k}-th of the per-scale values
     * @throws IndexOutOfBoundsException if per-scale values were given and {@code k} is past them
     */
    public double cfgAt(int k) {
        return at(cfg, k, "cfg");
    }

    /**
     * The temperature of scale {@code k}.
     *
     * @param k the scale index
     * @return the single value, or the {@code k}-th of the per-scale values
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
