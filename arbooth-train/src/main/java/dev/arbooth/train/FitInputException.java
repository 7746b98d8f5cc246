package dev.arbooth.train;

import dev.arbooth.ArboothException;

/**
 * A fit's input cannot be used, found before any training step: no images or more than {@value
 * FitImages#MAX_IMAGES}, an image tensor of the wrong shape, an empty class word or one containing the identifier,
 * an identifier the tokenizer splits into nothing or into another number of tokens than the identifier rows, a
 * prompt template without exactly one identifier. The message names the input and what was expected. (An unreadable
 * image file is a {@link dev.arbooth.InvalidImageException} naming the file; invalid option values are refused by
 * {@link FitOptions} itself.)
 */
public class FitInputException extends ArboothException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what is wrong and what was expected
     */
    public FitInputException(String message) {
        super(message);
    }
}
