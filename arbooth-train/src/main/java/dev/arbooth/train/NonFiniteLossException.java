package dev.arbooth.train;

import dev.arbooth.ArboothException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A training step produced a loss that is not finite (NaN or infinite): the fit stopped at that step and wrote no
 * checkpoint after it, so the last good checkpoint (if a directory was configured) is kept and a fit with other
 * options (e.g. a lower learning rate) can start over.
 */
public class NonFiniteLossException extends ArboothException {
    private static final long serialVersionUID = 1L;

    /** The step whose loss was not finite. */
    private final int step;
    /** The last good checkpoint, or null. */
    private final transient Path lastCheckpoint;

    /**
     * Creates the exception.
     *
     * @param step the step whose loss was not finite (1-based)
     * @param message which loss, its value, and the last good checkpoint
     * @param lastCheckpoint the last good checkpoint, or null if none was written
     */
    public NonFiniteLossException(int step, String message, Path lastCheckpoint) {
        super(message);
        this.step = step;
        this.lastCheckpoint = lastCheckpoint;
    }

    /**
     * The step whose loss was not finite.
     *
     * @return the step, 1-based
     */
    public int step() {
        return step;
    }

    /**
     * The last good checkpoint.
     *
     * @return the file, or empty if none was written
     */
    public Optional<Path> lastCheckpoint() {
        return Optional.ofNullable(lastCheckpoint);
    }
}
