package dev.arbooth;

/**
 * The root of every exception thrown by ARBooth for Java.
 *
 * <p>Unchecked: callers catch it where they can act on it. Subclasses name the few situations a caller
 * may want to tell apart ({@link FormatException}, {@link WeightBindingException}, {@link
 * InvalidImageException}, {@link ShapeMismatchException}). Engine exceptions (PyTorch, ONNX Runtime) are
 * wrapped with a message that says what was being attempted.
 */
public class ArboothException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates an exception with a message.
     *
     * @param message what went wrong, with the file, tensor or value concerned and what was expected
     */
    public ArboothException(String message) {
        super(message);
    }

    /**
     * Creates an exception with a message and a cause.
     *
     * @param message what went wrong, with the file, tensor or value concerned and what was expected
     * @param cause the underlying exception
     */
    public ArboothException(String message, Throwable cause) {
        super(message, cause);
    }
}
