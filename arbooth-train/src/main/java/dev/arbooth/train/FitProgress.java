package dev.arbooth.train;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * One finished training step, as reported to a {@link FitListener}.
 *
 * @param step the steps completed so far (1 after the first step; a resumed fit continues the count)
 * @param steps the fit's total step count
 * @param subjectLoss the scale-weighted bitwise cross-entropy of this step's subject batch
 * @param priorLoss the weighted prior-distillation loss ({@code lambda * KL}) of this step, or NaN when distillation
 *     is off
 * @param perScaleLoss the subject batch's mean token cross-entropy per scale (unweighted), for logs
 * @param stepsPerSecond the steps per second since this run started (or resumed)
 * @param eta the estimated time until the last step, at that rate
 */
public record FitProgress(
        int step,
        int steps,
        double subjectLoss,
        double priorLoss,
        List<Double> perScaleLoss,
        double stepsPerSecond,
        Duration eta) {
    /**
     * Validates and copies.
     *
     * @param step 1 to {@code steps}
     * @param steps at least 1
     * @param subjectLoss any
     * @param priorLoss any (NaN: no distillation)
     * @param perScaleLoss not null
     * @param stepsPerSecond at least 0
     * @param eta not null
     */
    public FitProgress {
        if (steps < 1 || step < 1 || step > steps) {
            throw new IllegalArgumentException("step " + step + " of " + steps);
        }
        perScaleLoss = List.copyOf(Objects.requireNonNull(perScaleLoss, "perScaleLoss"));
        Objects.requireNonNull(eta, "eta");
    }

    /**
     * Whether this step ran prior distillation.
     *
     * @return whether {@link #priorLoss()} is a number
     */
    public boolean hasPriorLoss() {
        return !Double.isNaN(priorLoss);
    }
}
