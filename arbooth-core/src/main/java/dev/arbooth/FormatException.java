package dev.arbooth;

import java.nio.file.Path;
import java.util.Optional;

/**
 * A file is malformed, truncated, unsafe or of an unsupported format: a safetensors header out of bounds,
 * a PyTorch checkpoint with a non-whitelisted pickle global, an adapter of an unknown format version.
 *
 * <p>The message always names the file (when there is one) and what was expected.
 */
public class FormatException extends ArboothException {
    private static final long serialVersionUID = 1L;

    private final transient Path file;

    /**
     * Creates an exception about a file.
     *
     * @param file the offending file, or {@code null} when the data did not come from a file
     * @param message what is wrong and what was expected (the file name is prepended)
     */
    public FormatException(Path file, String message) {
        super(prefix(file) + message);
        this.file = file;
    }

    /**
     * Creates an exception about a file, with a cause.
     *
     * @param file the offending file, or {@code null} when the data did not come from a file
     * @param message what is wrong and what was expected (the file name is prepended)
     * @param cause the underlying exception
     */
    public FormatException(Path file, String message, Throwable cause) {
        super(prefix(file) + message, cause);
        this.file = file;
    }

    /**
     * The offending file.
     *
     * @return the file, or empty when the data did not come from a file
     */
    public Optional<Path> file() {
        return Optional.ofNullable(file);
    }

    private static String prefix(Path file) {
        return file == null ? "" : file + ": ";
    }
}
