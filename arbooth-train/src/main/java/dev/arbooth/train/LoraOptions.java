package dev.arbooth.train;

/**
 * Low-rank adaptation of the tuned linear layers: each weight {@code W} trains as {@code W + (alpha / rank) B A}
 * with {@code A} of {@code rank} rows and {@code B} zero-initialised; the adapter stores the fused dense tensors,
 * so the runtime needs nothing new.
 *
 * @param rank the rank r, at least 1
 * @param alpha the scale alpha, positive and finite
 */
public record LoraOptions(int rank, double alpha) {
    /**
     * Validates.
     *
     * @param rank at least 1
     * @param alpha positive and finite
     * @throws IllegalArgumentException naming the value
     */
    public LoraOptions {
        if (rank < 1) {
            throw new IllegalArgumentException("LoRA rank must be at least 1, got " + rank);
        }
        if (!(alpha > 0) || Double.isInfinite(alpha)) {
            throw new IllegalArgumentException("LoRA alpha must be positive and finite, got " + alpha);
        }
    }

    /**
     * Rank {@code r} with {@code alpha = r} (a scale of 1).
     *
     * @param rank at least 1
     * @return the options
     */
    public static LoraOptions rank(int rank) {
        return new LoraOptions(rank, rank);
    }

    /**
     * The factor of the low-rank term.
     *
     * @return {@code alpha / rank}
     */
    public double scale() {
        return alpha / rank;
    }
}
