package dev.arbooth.train.internal;

import java.util.Objects;

/**
 * The loss of one optimizer step of {@link ArboothIteration}.
 *
 * @param loss the back-propagated loss (weighted CE of the subject step, or {@code lambda * KL} of the prior step)
 * @param perScale per scale, the mean token loss (token CE, or token KL without lambda), for logs
 */
public record StepLosses(float loss, float[] perScale) {
    /**
     * Validates.
     *
     * @param loss any value (a non-finite loss is the caller's to report)
     * @param perScale not null
     */
    public StepLosses {
        Objects.requireNonNull(perScale, "perScale");
    }
}
