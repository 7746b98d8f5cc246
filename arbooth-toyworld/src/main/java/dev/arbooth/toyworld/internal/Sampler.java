package dev.arbooth.toyworld.internal;

import dev.arbooth.toyworld.Accessory;
import dev.arbooth.toyworld.Build;
import dev.arbooth.toyworld.Caption;
import dev.arbooth.toyworld.Colour;
import dev.arbooth.toyworld.Context;
import dev.arbooth.toyworld.Mark;
import dev.arbooth.toyworld.ObjectClass;
import dev.arbooth.toyworld.Pattern;
import dev.arbooth.toyworld.Pose;
import dev.arbooth.toyworld.Property;
import dev.arbooth.toyworld.Scene;
import dev.arbooth.toyworld.Split;
import dev.arbooth.toyworld.Traits;
import java.util.Optional;

/**
 * The seeded draws behind {@code ToyWorld}: every draw takes a {@link SplitMix64} of its own, so a scene
 * depends only on its seed (and stream), never on what was drawn before.
 */
public final class Sampler {
    /** Stream salt of random scenes. */
    public static final long SCENE = 0x5343454E45L;
    /** Stream salt of subjects. */
    public static final long SUBJECT = 0x5355424A454354L;
    /** Stream salt of subject photos. */
    public static final long PHOTO = 0x50484F544FL;
    /** Stream salt of scenes asked for by a caption. */
    public static final long REQUEST = 0x52455155455354L;

    /** Probability that a random scene's caption names its colour. */
    public static final double NAME_COLOUR = 0.8;
    /** Probability that a random scene's caption names its context. */
    public static final double NAME_CONTEXT = 0.8;
    /** Probability that a random scene's caption starts with "a photo of". */
    public static final double PHOTO_OF = 0.5;
    /** Probability that a class that wears accessories wears one in a random scene. */
    public static final double WEARS = 0.6;
    /** Probability of each of the two properties in a random scene. */
    public static final double PROPERTY = 0.15;

    private Sampler() {}

    /**
     * A random scene of a split.
     *
     * @param seed the seed
     * @param split which combinations may be drawn
     * @return the scene
     */
    public static Scene scene(long seed, Split split) {
        SplitMix64 r = SplitMix64.of(seed, SCENE);
        ObjectClass cls;
        Colour colour;
        Context context;
        Accessory acc;
        while (true) {
            cls = pick(r, ObjectClass.values());
            colour = pick(r, Colour.values());
            context = pick(r, Context.values());
            acc = accessory(r, cls);
            if (split.admits(new dev.arbooth.toyworld.Combination(cls, colour, context, acc))) {
                break;
            }
        }
        Property prop = property(r);
        Traits traits = traits(r);
        Pose pose = pose(r);
        long detail = r.nextLong();
        Caption cap = new Caption(
                cls,
                r.chance(NAME_COLOUR) ? Optional.of(colour) : Optional.empty(),
                prop,
                acc,
                r.chance(NAME_CONTEXT) ? Optional.of(context) : Optional.empty(),
                r.chance(PHOTO_OF));
        return new Scene(cls, colour, prop, acc, context, traits, pose, detail, cap);
    }

    /**
     * A scene that shows what a caption asks for; what it leaves out is drawn at random.
     *
     * @param request the caption
     * @param seed the seed
     * @param fixedTraits the traits to keep, or null to draw them
     * @param defaultColour the colour if the caption names none, or null to draw it
     * @param stream a further stream identifier (a subject's seed)
     * @return the scene, captioned with the request
     */
    public static Scene scene(Caption request, long seed, Traits fixedTraits, Colour defaultColour, long stream) {
        SplitMix64 r = SplitMix64.of(seed, REQUEST, stream);
        Colour colour = request.colour().orElse(defaultColour != null ? defaultColour : pick(r, Colour.values()));
        Context context = request.context().orElseGet(() -> pick(r, Context.values()));
        Traits traits = fixedTraits != null ? fixedTraits : traits(r);
        Pose pose = pose(r);
        long detail = r.nextLong();
        return new Scene(
                request.objectClass(),
                colour,
                request.property(),
                request.accessory(),
                context,
                traits,
                pose,
                detail,
                request);
    }

    /**
     * Random traits (any pattern, secondary colour, build, mark).
     *
     * @param r the generator
     * @return the traits
     */
    public static Traits traits(SplitMix64 r) {
        return new Traits(
                pick(r, Pattern.values()), pick(r, Colour.values()), pick(r, Build.values()), pick(r, Mark.values()));
    }

    /**
     * A random pose: either way, scale in [{@link Pose#MIN_SCALE}, {@link Pose#MAX_SCALE}], room for a hat.
     *
     * @param r the generator
     * @return the pose
     */
    public static Pose pose(SplitMix64 r) {
        boolean mirrored = r.chance(0.5);
        double scale = r.uniform(Pose.MIN_SCALE, Pose.MAX_SCALE);
        double cx = r.uniform(scale + 0.01, 1 - scale - 0.01);
        double base = r.uniform(Math.max(0.88, 2.3 * scale), 0.985);
        return new Pose(mirrored, cx, base, scale);
    }

    static Accessory accessory(SplitMix64 r, ObjectClass cls) {
        if (!cls.wearsAccessories() || !r.chance(WEARS)) {
            return Accessory.NONE;
        }
        Accessory[] all = Accessory.values();
        return all[1 + r.nextInt(all.length - 1)];
    }

    static Property property(SplitMix64 r) {
        double u = r.nextDouble();
        return u < PROPERTY ? Property.SHINY : (u < 2 * PROPERTY ? Property.WET : Property.NONE);
    }

    /**
     * A uniform choice.
     *
     * @param <T> the element type
     * @param r the generator
     * @param values the choices
     * @return one of them
     */
    public static <T> T pick(SplitMix64 r, T[] values) {
        return values[r.nextInt(values.length)];
    }
}
