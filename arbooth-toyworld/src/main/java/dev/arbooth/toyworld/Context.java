package dev.arbooth.toyworld;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The backgrounds of the toy world, each with its phrase from the ViCo prompt lists. The first eleven are
 * the contexts the evaluation prompts use; the last four ({@link #forSubjectPhotos()}) are where subjects'
 * own photos are taken, so that every evaluation context is new to a personalized subject.
 */
public enum Context {
    /** Snow ground under a pale sky, big snow mounds and flakes. */
    SNOW("in the snow"),
    /** Sand, a band of sea and a blue sky. */
    BEACH("on the beach"),
    /** Dark green with big leaves and vines. */
    JUNGLE("in the jungle"),
    /** Bright green grass under a blue sky with clouds. */
    GREEN_GRASS("on top of green grass"),
    /** Grey buildings with lit windows behind a street. */
    CITY("with a city in the background"),
    /** A big snow-capped mountain behind a meadow. */
    MOUNTAIN("with a mountain in the background"),
    /** An orange-to-purple sky in bands with a setting sun and a dark ground. */
    SUNSET("with a beautiful sunset"),
    /** A beige wall above broad wooden floor boards. */
    WOODEN_FLOOR("on top of a wooden floor"),
    /** Pink fabric with broad folds. */
    PINK_FABRIC("on top of pink fabric"),
    /** Water with broad waves; the object floats, its lower part under the surface. */
    WATER("floating on top of water"),
    /** Large grey cobblestones in front of a wall. */
    COBBLESTONE("on a cobblestone street"),
    /** A white rug on a light floor (a subject-photo context). */
    WHITE_RUG("on top of a white rug"),
    /** A brown dirt road between fields (a subject-photo context). */
    DIRT_ROAD("on top of a dirt road"),
    /** A blue house with a dark roof behind a lawn (a subject-photo context). */
    BLUE_HOUSE("with a blue house in the background"),
    /** A golden wheat field under a blue sky (a subject-photo context). */
    WHEAT_FIELD("with a wheat field in the background");

    private final String phrase;

    Context(String phrase) {
        this.phrase = phrase;
    }

    /**
     * The phrase captions end with.
     *
     * @return e.g. {@code "with a mountain in the background"}
     */
    public String phrase() {
        return phrase;
    }

    /**
     * Whether subjects' own photos ({@link Subject#photos}) are taken in this context.
     *
     * @return true for the four subject-photo contexts
     */
    public boolean forSubjectPhoto() {
        return ordinal() >= WHITE_RUG.ordinal();
    }

    /**
     * The contexts of subjects' own photos: white rug, dirt road, blue house, wheat field.
     *
     * @return the four subject-photo contexts
     */
    public static List<Context> forSubjectPhotos() {
        return List.of(WHITE_RUG, DIRT_ROAD, BLUE_HOUSE, WHEAT_FIELD);
    }

    /**
     * The context of a phrase.
     *
     * @param phrase a context phrase, case-insensitive, e.g. {@code "in the snow"}
     * @return the context
     * @throws UnknownWordException if no context has that phrase
     */
    public static Context fromPhrase(String phrase) {
        String p = phrase.trim().toLowerCase(Locale.ROOT);
        for (Context c : values()) {
            if (c.phrase.equals(p)) {
                return c;
            }
        }
        throw new UnknownWordException(phrase, "context", null, phrases());
    }

    /**
     * All context phrases, in declaration order.
     *
     * @return the phrases
     */
    public static List<String> phrases() {
        List<String> out = new ArrayList<>();
        for (Context c : values()) {
            out.add(c.phrase);
        }
        return out;
    }
}
