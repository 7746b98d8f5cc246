package dev.arbooth.toyworld;

import dev.arbooth.toyworld.internal.Sampler;
import dev.arbooth.toyworld.internal.SplitMix64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The toy world's entry point: seeded scenes, scenes asked for by captions, subjects, and the demo subjects.
 *
 * <pre>{@code
 * Scene s = ToyWorld.randomScene(42, Split.TRAIN);
 * ToyImage img = s.render(64);                 // same pixels on every machine
 * String caption = s.caption().text();         // "a photo of a purple dog on the beach"
 *
 * Subject dog = ToyWorld.demoSubjects().get("dog1");
 * List<Scene> photos = dog.photos(5, ToyWorld.DEMO_PHOTO_SEED);
 * Scene wanted = dog.scene(Caption.parse("a dog wearing a santa hat in the snow"), 7);
 * }</pre>
 */
public final class ToyWorld {
    /** The default image side. */
    public static final int DEFAULT_SIZE = 64;

    /** The seed of the demo subjects' shipped photos. */
    public static final long DEMO_PHOTO_SEED = 2026;

    /** How many photos of each demo subject are shipped. */
    public static final int DEMO_PHOTO_COUNT = 5;

    private static final Map<String, Long> DEMO_SEEDS;

    static {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("dog1", 9L);
        m.put("dog2", 1L);
        m.put("cat1", 11L);
        m.put("cat2", 6L);
        m.put("teddybear1", 7L);
        m.put("teddybear2", 2L);
        DEMO_SEEDS = Collections.unmodifiableMap(m);
    }

    private ToyWorld() {}

    /**
     * A random scene of any combination.
     *
     * @param seed the seed
     * @return the scene
     */
    public static Scene randomScene(long seed) {
        return randomScene(seed, Split.ALL);
    }

    /**
     * A random scene. Class, colour and context are uniform; a class that wears accessories wears one of the
     * six with probability 0.6; shiny and wet have probability 0.15 each; traits and pose are uniform. The
     * caption always names the class, any accessory and property, the colour with probability 0.8, the
     * context with probability 0.8, and starts with "a photo of" with probability 0.5.
     *
     * @param seed the seed
     * @param split which combinations may be drawn ({@link Split#TRAIN} for pretraining)
     * @return the scene
     */
    public static Scene randomScene(long seed, Split split) {
        Objects.requireNonNull(split, "split");
        return Sampler.scene(seed, split);
    }

    /**
     * A scene showing what a caption asks for; colour, context, traits and pose it leaves out are drawn at
     * random.
     *
     * @param request the caption
     * @param seed the seed
     * @return the scene, captioned with {@code request}
     */
    public static Scene scene(Caption request, long seed) {
        Objects.requireNonNull(request, "request");
        return Sampler.scene(request, seed, null, null, 0);
    }

    /**
     * A scene showing what a caption text asks for.
     *
     * @param caption e.g. "a photo of a purple dog on the beach"
     * @param seed the seed
     * @return the scene
     * @throws UnknownWordException if the caption names a word outside the vocabulary
     */
    public static Scene scene(String caption, long seed) {
        return scene(Caption.parse(caption), seed);
    }

    /**
     * A new subject of a random class.
     *
     * @param seed the seed
     * @return the subject
     */
    public static Subject subject(long seed) {
        SplitMix64 r = SplitMix64.of(seed, Sampler.SUBJECT, -1);
        return subject(Sampler.pick(r, ObjectClass.values()), seed);
    }

    /**
     * A new subject of a class: uniform main colour, pattern and build, a mark (never none), a secondary
     * colour different from the main one.
     *
     * @param objectClass the class
     * @param seed the seed
     * @return the subject
     */
    public static Subject subject(ObjectClass objectClass, long seed) {
        Objects.requireNonNull(objectClass, "objectClass");
        SplitMix64 r = SplitMix64.of(seed, Sampler.SUBJECT, objectClass.ordinal());
        Colour colour = Sampler.pick(r, Colour.values());
        Colour secondary;
        do {
            secondary = Sampler.pick(r, Colour.values());
        } while (secondary == colour);
        Pattern pattern = Sampler.pick(r, Pattern.values());
        Build build = Sampler.pick(r, Build.values());
        Mark[] marks = {Mark.COLLAR, Mark.SPOT, Mark.TIP};
        Mark mark = Sampler.pick(r, marks);
        return new Subject(objectClass, colour, new Traits(pattern, secondary, build, mark), seed);
    }

    /**
     * The demo subjects, two each of dog, cat and teddybear, whose photos ({@link #DEMO_PHOTO_COUNT} with
     * {@link #DEMO_PHOTO_SEED}, 64×64) ship as PNG resources under {@code dev/arbooth/toyworld/demo/<name>/}.
     *
     * @return name to subject, in a fixed order: dog1, dog2, cat1, cat2, teddybear1, teddybear2
     */
    public static Map<String, Subject> demoSubjects() {
        Map<String, Subject> out = new LinkedHashMap<>();
        for (Map.Entry<String, Long> e : DEMO_SEEDS.entrySet()) {
            String name = e.getKey();
            ObjectClass cls = ObjectClass.fromWord(name.substring(0, name.length() - 1));
            out.put(name, subject(cls, e.getValue()));
        }
        return Collections.unmodifiableMap(out);
    }
}
