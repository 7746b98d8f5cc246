package dev.arbooth.train.internal;

import java.util.Objects;

/**
 * The class half of one ARBooth step: the class prompts ("a photo of dog") the frozen teacher samples, one row per
 * sample. The arrays are used as given (not copied).
 *
 * @param text_NCt5 the text-encoder rows of the prompts concatenated, {@code (N, Ct5)} row-major
 * @param lens the token count of every prompt, each at least 1
 */
public record ClassBatch(float[] text_NCt5, int[] lens) {
    /**
     * Validates.
     *
     * @param text_NCt5 not null
     * @param lens at least one prompt, each at least 1
     * @throws IllegalArgumentException naming the offending value
     */
    public ClassBatch {
        Objects.requireNonNull(text_NCt5, "text_NCt5");
        Objects.requireNonNull(lens, "lens");
        if (lens.length == 0) {
            throw new IllegalArgumentException("a class batch needs at least one prompt");
        }
        for (int b = 0; b < lens.length; b++) {
            if (lens[b] < 1) {
                throw new IllegalArgumentException("class prompt " + b + " has no tokens (length " + lens[b] + ")");
            }
        }
    }

    /**
     * The batch size.
     *
     * @return B
     */
    public int batch() {
        return lens.length;
    }
}
