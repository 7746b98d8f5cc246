package dev.arbooth.train;

import java.util.List;
import java.util.Objects;

/**
 * The weight of each scale in the bitwise cross-entropy (ARBooth's scale-wise weighted tuning): a weight for each
 * of the first scales, and one for every scale after them.
 *
 * @param leading the weights of the first {@code leading.size()} scales, each finite and at least 0
 * @param rest the weight of every later scale, finite and at least 0
 */
public record ScaleWeights(List<Double> leading, double rest) {
    /** ARBooth's full-weight scale count. */
    public static final int ARBOOTH_FULL_WEIGHT_SCALES = 8;

    /** ARBooth's weight of the later scales. */
    public static final double ARBOOTH_LOW_WEIGHT = 0.5;

    /**
     * Validates and copies.
     *
     * @param leading not null, each finite and at least 0
     * @param rest finite and at least 0
     * @throws IllegalArgumentException naming the weight
     */
    public ScaleWeights {
        leading = List.copyOf(Objects.requireNonNull(leading, "leading"));
        for (int k = 0; k < leading.size(); k++) {
            check("scale " + k, leading.get(k));
        }
        check("the later scales", rest);
    }

    private static void check(String what, double w) {
        if (!(w >= 0) || Double.isInfinite(w)) {
            throw new IllegalArgumentException("the weight of " + what + " must be finite and at least 0, got " + w);
        }
    }

    /**
     * ARBooth's default: 1.0 on the first 8 scales, 0.5 after.
     *
     * @return the weights
     */
    public static ScaleWeights arbooth() {
        return firstScales(ARBOOTH_FULL_WEIGHT_SCALES, ARBOOTH_LOW_WEIGHT);
    }

    /**
     * 1.0 on the first {@code n} scales, {@code low} after.
     *
     * @param n the full-weight scale count, at least 0
     * @param low the later scales' weight
     * @return the weights
     */
    public static ScaleWeights firstScales(int n, double low) {
        if (n < 0) {
            throw new IllegalArgumentException("the full-weight scale count must be at least 0, got " + n);
        }
        return new ScaleWeights(java.util.Collections.nCopies(n, 1.0), low);
    }

    /**
     * Every scale weighted 1 (the unweighted cross-entropy, for ablations).
     *
     * @return the weights
     */
    public static ScaleWeights uniform() {
        return new ScaleWeights(List.of(), 1.0);
    }

    /**
     * One weight per scale; scales past the list get its last weight.
     *
     * @param perScale at least one weight
     * @return the weights
     */
    public static ScaleWeights of(List<Double> perScale) {
        if (perScale.isEmpty()) {
            throw new IllegalArgumentException("give at least one scale weight");
        }
        return new ScaleWeights(perScale, perScale.get(perScale.size() - 1));
    }

    /**
     * The weight of scale {@code k}.
     *
     * @param k the scale index, at least 0
     * @return its weight
     */
    public double weight(int k) {
        if (k < 0) {
            throw new IllegalArgumentException("scale index must be at least 0, got " + k);
        }
        return k < leading.size() ? leading.get(k) : rest;
    }
}
