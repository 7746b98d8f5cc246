package dev.arbooth.train;

import dev.arbooth.ArboothException;
import java.nio.file.Path;

/**
 * The checkpoint directory of a fit holds another fit's checkpoint (another base, other options, other images or
 * another class word), found before any training step. Nothing is overwritten: choose another directory, or delete
 * the checkpoint to start over.
 */
public class CheckpointMismatchException extends ArboothException {
    private static final long serialVersionUID = 1L;

    /** The checkpoint file. */
    private final transient Path file;

    /**
     * Creates the exception.
     *
     * @param file the checkpoint file
     * @param message what differs
     */
    public CheckpointMismatchException(Path file, String message) {
        super(message);
        this.file = file;
    }

    /**
     * The checkpoint file of the other fit.
     *
     * @return the file
     */
    public Path file() {
        return file;
    }
}
