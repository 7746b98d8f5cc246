package dev.arbooth.toyworld;

import java.util.List;
import java.util.Locale;

/**
 * A surface property named by the ViCo prompts "a shiny …" and "a wet …" (the colour prompts "a red …" and
 * "a purple …" are {@link Colour}s). Always named by the caption when present.
 */
public enum Property {
    /** An ordinary surface. */
    NONE(""),
    /** Shiny: brighter colours, broad white highlights and a few big sparkles. */
    SHINY("shiny"),
    /** Wet: darker colours, big falling drops and a puddle. */
    WET("wet");

    private final String word;

    Property(String word) {
        this.word = word;
    }

    /**
     * The adjective captions write before the colour and class words.
     *
     * @return {@code "shiny"}, {@code "wet"}, or empty for {@link #NONE}
     */
    public String word() {
        return word;
    }

    /**
     * The property of an adjective.
     *
     * @param word {@code "shiny"} or {@code "wet"}, case-insensitive
     * @return the property (never {@link #NONE})
     * @throws UnknownWordException for any other word
     */
    public static Property fromWord(String word) {
        String w = word.trim().toLowerCase(Locale.ROOT);
        for (Property p : values()) {
            if (p != NONE && p.word.equals(w)) {
                return p;
            }
        }
        throw new UnknownWordException(word, "property", null, words());
    }

    /**
     * The property adjectives.
     *
     * @return {@code [shiny, wet]}
     */
    public static List<String> words() {
        return List.of(SHINY.word, WET.word);
    }
}
