package dev.arbooth;

import java.nio.file.Path;

/**
 * An input image cannot be used: unreadable, truncated, of an unsupported format, too small, or with more
 * pixels than the configured limit (a possible decompression bomb). The message names the file.
 */
public class InvalidImageException extends FormatException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates an exception about an image file.
     *
     * @param file the offending image, or {@code null} for an in-memory image
     * @param message what is wrong and what was expected
     */
    public InvalidImageException(Path file, String message) {
        super(file, message);
    }

    /**
     * Creates an exception about an image file, with a cause.
     *
     * @param file the offending image, or {@code null} for an in-memory image
     * @param message what is wrong and what was expected
     * @param cause the underlying exception
     */
    public InvalidImageException(Path file, String message, Throwable cause) {
        super(file, message, cause);
    }
}
