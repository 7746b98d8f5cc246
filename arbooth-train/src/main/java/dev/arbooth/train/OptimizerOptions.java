package dev.arbooth.train;

/**
 * AdamW as ARBooth configures it: one parameter group, decoupled weight decay on every trained tensor, no warm-up,
 * no gradient clipping.
 *
 * @param learningRate positive and finite
 * @param beta1 first-moment decay, in [0, 1)
 * @param beta2 second-moment decay, in [0, 1)
 * @param eps positive
 * @param weightDecay finite, at least 0
 */
public record OptimizerOptions(double learningRate, double beta1, double beta2, double eps, double weightDecay) {
    /**
     * Validates.
     *
     * @param learningRate positive and finite
     * @param beta1 in [0, 1)
     * @param beta2 in [0, 1)
     * @param eps positive and finite
     * @param weightDecay finite, at least 0
     * @throws IllegalArgumentException naming the value
     */
    public OptimizerOptions {
        if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
            throw new IllegalArgumentException("learning rate must be positive and finite, got " + learningRate);
        }
        if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
            throw new IllegalArgumentException("AdamW betas must lie in [0, 1), got (" + beta1 + ", " + beta2 + ")");
        }
        if (!(eps > 0) || Double.isInfinite(eps)) {
            throw new IllegalArgumentException("AdamW eps must be positive and finite, got " + eps);
        }
        if (!(weightDecay >= 0) || Double.isInfinite(weightDecay)) {
            throw new IllegalArgumentException("weight decay must be finite and at least 0, got " + weightDecay);
        }
    }

    /**
     * ARBooth's: lr 2.34375e-5 (0.006 × batch 1 / 256), β (0.9, 0.97), ε 1e-8, weight decay 0.005.
     *
     * @return the options
     */
    public static OptimizerOptions arbooth() {
        return new OptimizerOptions(2.34375e-5, 0.9, 0.97, 1e-8, 0.005);
    }

    /**
     * The same with another learning rate.
     *
     * @param lr positive and finite
     * @return the options
     */
    public OptimizerOptions withLearningRate(double lr) {
        return new OptimizerOptions(lr, beta1, beta2, eps, weightDecay);
    }
}
