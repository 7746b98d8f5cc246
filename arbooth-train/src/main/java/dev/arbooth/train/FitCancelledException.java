package dev.arbooth.train;

import dev.arbooth.ArboothException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A fit was cancelled ({@link FitJob#cancel()} or an interrupt of the fitting thread) and stopped at a step
 * boundary. If a checkpoint directory was configured, a checkpoint of the completed steps was written first: the
 * same fit started again with that directory resumes from it and ends with the adapter an uninterrupted fit gives.
 */
public class FitCancelledException extends ArboothException {
    private static final long serialVersionUID = 1L;

    /** The steps finished before the fit stopped. */
    private final int completedSteps;
    /** The checkpoint that resumes the fit, or null. */
    private final transient Path checkpoint;

    /**
     * Creates the exception.
     *
     * @param completedSteps the steps finished before the fit stopped
     * @param checkpoint the checkpoint holding them, or null if no directory was configured
     */
    public FitCancelledException(int completedSteps, Path checkpoint) {
        super("The fit was cancelled after " + completedSteps + " steps"
                + (checkpoint == null
                        ? " (no checkpoint directory was configured, so nothing was kept)"
                        : "; the checkpoint " + checkpoint + " resumes it"));
        this.completedSteps = completedSteps;
        this.checkpoint = checkpoint;
    }

    /**
     * The steps finished before the fit stopped.
     *
     * @return the count
     */
    public int completedSteps() {
        return completedSteps;
    }

    /**
     * The checkpoint that resumes the fit.
     *
     * @return the file, or empty if no checkpoint directory was configured
     */
    public Optional<Path> checkpoint() {
        return Optional.ofNullable(checkpoint);
    }
}
