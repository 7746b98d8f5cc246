package dev.arbooth;

import java.util.Arrays;

/** A tensor or array handed to an entry point has a shape other than the one the operation needs. */
public class ShapeMismatchException extends ArboothException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates an exception with a free-form message.
     *
     * @param message what was expected and what was given
     */
    public ShapeMismatchException(String message) {
        super(message);
    }

    /**
     * Creates an exception naming the tensor, the expected and the actual shape.
     *
     * @param what the tensor's name, in shape-suffix style ({@code logits_BLV})
     * @param expected the expected shape ({@code -1} where any size is accepted)
     * @param actual the shape that was given
     * @return the exception
     */
    public static ShapeMismatchException of(String what, long[] expected, long[] actual) {
        return new ShapeMismatchException(
                what + ": expected shape " + Arrays.toString(expected) + " but got " + Arrays.toString(actual));
    }
}
