package dev.arbooth.toyworld;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The object classes of the toy world, each with its class word as captions write it. The first six are
 * the ViCo class words; every class is recognisable by its silhouette at 64×64.
 */
public enum ObjectClass {
    /** A dog, standing, seen from the side. */
    DOG("dog", true),
    /** A cat, sitting, seen from the side with its face turned to the viewer. */
    CAT("cat", true),
    /** A teddybear, seen from the front. */
    TEDDYBEAR("teddybear", true),
    /** A rubber duck, seen from the side. */
    DUCK_TOY("duck toy", true),
    /** A teapot with spout, handle and lid, seen from the side. */
    TEAPOT("teapot", false),
    /** A round-bellied vase with a narrow neck, seen from the front. */
    VASE("vase", false),
    /** A backpack with a front pocket and a top handle, seen from the front. */
    BACKPACK("backpack", false),
    /** A sneaker with a white sole, seen from the side. */
    SNEAKER("sneaker", false),
    /** An alarm clock with two bells, seen from the front. */
    CLOCK("clock", false),
    /** A barn with a gambrel roof and a big door, seen from the front. */
    BARN("barn", false);

    private final String word;
    private final boolean wearsAccessories;

    ObjectClass(String word, boolean wearsAccessories) {
        this.word = word;
        this.wearsAccessories = wearsAccessories;
    }

    /**
     * The class word, as captions write it (one or two words, lower case).
     *
     * @return e.g. {@code "duck toy"}
     */
    public String word() {
        return word;
    }

    /**
     * Whether the class can wear an {@link Accessory} (the animals and the toys with a head).
     *
     * @return true for dog, cat, teddybear and duck toy
     */
    public boolean wearsAccessories() {
        return wearsAccessories;
    }

    /**
     * The class of a class word.
     *
     * @param word a class word, case-insensitive, e.g. {@code "Duck toy"}
     * @return the class
     * @throws UnknownWordException if no class has that word
     */
    public static ObjectClass fromWord(String word) {
        String w = word.trim().toLowerCase(Locale.ROOT);
        for (ObjectClass c : values()) {
            if (c.word.equals(w)) {
                return c;
            }
        }
        throw new UnknownWordException(word, "class", null, words());
    }

    /**
     * All class words, in declaration order.
     *
     * @return the class words
     */
    public static List<String> words() {
        List<String> out = new ArrayList<>();
        for (ObjectClass c : values()) {
            out.add(c.word);
        }
        return out;
    }
}
