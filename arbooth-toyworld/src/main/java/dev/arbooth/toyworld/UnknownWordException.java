package dev.arbooth.toyworld;

import dev.arbooth.ArboothException;
import java.util.List;

/**
 * A caption or a vocabulary look-up names a word (or phrase) the toy world does not know: a class, colour,
 * context, accessory or property outside the vocabulary, or words left over where the caption grammar
 * expects none. The message names the word, the slot of the grammar it was read for, the caption, and the
 * words that would have been accepted.
 */
public class UnknownWordException extends ArboothException {
    private static final long serialVersionUID = 1L;

    /** The word or phrase that was not understood, as given. */
    private final String word;

    /** The grammar slot the word was read for, e.g. {@code "class"}. */
    private final String slot;

    /**
     * Creates the exception.
     *
     * @param word the unknown word or phrase
     * @param slot what the word was read as, e.g. {@code "class"}, {@code "colour"}, {@code "context"}
     * @param caption the whole caption, or {@code null} for a single-word look-up
     * @param expected the words or phrases accepted in that slot
     */
    public UnknownWordException(String word, String slot, String caption, List<String> expected) {
        super("Unknown " + slot + " '" + word + "'" + (caption == null ? "" : " in caption \"" + caption + "\"")
                + ": expected one of " + expected);
        this.word = word;
        this.slot = slot;
    }

    /**
     * The word or phrase that was not understood.
     *
     * @return the word as given
     */
    public String word() {
        return word;
    }

    /**
     * The slot of the caption grammar the word was read for.
     *
     * @return e.g. {@code "class"}, {@code "colour"}, {@code "context"}, {@code "accessory"}
     */
    public String slot() {
        return slot;
    }
}
