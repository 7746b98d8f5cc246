package dev.arbooth.toyworld;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The named colours of the toy world: an object's main colour, and the colour of its pattern and mark. */
public enum Colour {
    /** Red. */
    RED("red", 0xDC2828),
    /** Orange. */
    ORANGE("orange", 0xF58C1E),
    /** Yellow. */
    YELLOW("yellow", 0xFAD728),
    /** Green. */
    GREEN("green", 0x32AA3C),
    /** Blue. */
    BLUE("blue", 0x285ADC),
    /** Purple. */
    PURPLE("purple", 0x8C3CBE),
    /** Pink. */
    PINK("pink", 0xF582BE),
    /** Brown. */
    BROWN("brown", 0x8A5228),
    /** Black (drawn as a very dark grey, so that shading stays visible). */
    BLACK("black", 0x232323),
    /** White. */
    WHITE("white", 0xF5F5F5);

    private final String word;
    private final int rgb;

    Colour(String word, int rgb) {
        this.word = word;
        this.rgb = rgb;
    }

    /**
     * The colour word, as captions write it.
     *
     * @return e.g. {@code "purple"}
     */
    public String word() {
        return word;
    }

    /**
     * The colour as drawn, before shading.
     *
     * @return {@code 0xRRGGBB}
     */
    public int rgb() {
        return rgb;
    }

    /**
     * The colour of a colour word.
     *
     * @param word a colour word, case-insensitive
     * @return the colour
     * @throws UnknownWordException if no colour has that word
     */
    public static Colour fromWord(String word) {
        String w = word.trim().toLowerCase(Locale.ROOT);
        for (Colour c : values()) {
            if (c.word.equals(w)) {
                return c;
            }
        }
        throw new UnknownWordException(word, "colour", null, words());
    }

    /**
     * All colour words, in declaration order.
     *
     * @return the colour words
     */
    public static List<String> words() {
        List<String> out = new ArrayList<>();
        for (Colour c : values()) {
            out.add(c.word);
        }
        return out;
    }
}
