package dev.arbooth.image;

import dev.arbooth.InvalidImageException;
import java.nio.file.Path;

/**
 * Where image bytes came from, for error messages.
 *
 * @param file the file, or null for a stream
 * @param name how the image is named in messages (the file, or the caller's name for a stream)
 */
record ImageSource(Path file, String name) {
    static ImageSource of(Path file) {
        return new ImageSource(file, file.toString());
    }

    static ImageSource named(String name) {
        return new ImageSource(null, name);
    }

    /** An exception about this image; the message is prefixed with its name. */
    InvalidImageException fail(String message) {
        return fail(message, null);
    }

    /** An exception about this image, with a cause; the message is prefixed with its name. */
    InvalidImageException fail(String message, Throwable cause) {
        return file != null
                ? new InvalidImageException(file, message, cause)
                : new InvalidImageException(null, name + ": " + message, cause);
    }
}
