package dev.arbooth.toyworld;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What an animal or toy with a head ({@link ObjectClass#wearsAccessories()}) wears, with its phrase from the
 * ViCo prompts ("a dog wearing a santa hat"). Accessories are large and thick, and always named by the
 * caption when present.
 */
public enum Accessory {
    /** Nothing worn. */
    NONE(""),
    /** A red cap with a brim. */
    RED_HAT("a red hat"),
    /** A red pointed hat with a white trim and a white bobble. */
    SANTA_HAT("a santa hat"),
    /** A tall black top hat with a brim. */
    BLACK_TOP_HAT("a black top hat"),
    /** Glasses with big pink lenses. */
    PINK_GLASSES("pink glasses"),
    /** A yellow shirt over the body. */
    YELLOW_SHIRT("a yellow shirt"),
    /** A thick scarf in rainbow bands around the neck. */
    RAINBOW_SCARF("a rainbow scarf");

    private final String phrase;

    Accessory(String phrase) {
        this.phrase = phrase;
    }

    /**
     * The phrase captions write after "wearing".
     *
     * @return e.g. {@code "a santa hat"}; empty for {@link #NONE}
     */
    public String phrase() {
        return phrase;
    }

    /**
     * The accessory of a phrase.
     *
     * @param phrase an accessory phrase, case-insensitive, e.g. {@code "pink glasses"}
     * @return the accessory (never {@link #NONE})
     * @throws UnknownWordException if no accessory has that phrase
     */
    public static Accessory fromPhrase(String phrase) {
        String p = phrase.trim().toLowerCase(Locale.ROOT);
        for (Accessory a : values()) {
            if (a != NONE && a.phrase.equals(p)) {
                return a;
            }
        }
        throw new UnknownWordException(phrase, "accessory", null, phrases());
    }

    /**
     * The phrases of the six accessories, in declaration order.
     *
     * @return the phrases (without {@link #NONE})
     */
    public static List<String> phrases() {
        List<String> out = new ArrayList<>();
        for (Accessory a : values()) {
            if (a != NONE) {
                out.add(a.phrase);
            }
        }
        return out;
    }
}
