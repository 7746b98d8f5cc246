package dev.arbooth.toyworld;

import dev.arbooth.toyworld.internal.Sampler;
import dev.arbooth.toyworld.internal.SplitMix64;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A specific object: a class, a main colour and distinctive {@link Traits} (pattern, secondary colour,
 * build, mark) that no caption names, so that only a learned identifier can carry them. Made by {@link
 * ToyWorld#subject}; every subject has a mark, and its secondary colour differs from its main colour, so
 * all four traits are visible.
 *
 * @param objectClass the class
 * @param colour the main colour
 * @param traits the distinctive, uncaptioned look
 * @param seed the seed it was made from
 */
public record Subject(ObjectClass objectClass, Colour colour, Traits traits, long seed) {
    /**
     * Validates the subject.
     *
     * @param objectClass the class
     * @param colour the main colour
     * @param traits the traits
     * @param seed the seed
     * @throws IllegalArgumentException if the mark is {@link Mark#NONE} or the secondary colour equals the
     *     main colour (a trait would not show)
     */
    public Subject {
        Objects.requireNonNull(objectClass, "objectClass");
        Objects.requireNonNull(colour, "colour");
        Objects.requireNonNull(traits, "traits");
        if (traits.mark() == Mark.NONE) {
            throw new IllegalArgumentException("A subject needs a mark (its secondary colour must show)");
        }
        if (traits.secondary() == colour) {
            throw new IllegalArgumentException(
                    "A subject's secondary colour must differ from its main colour, both " + colour.word());
        }
    }

    /**
     * Photos of the subject as a personalization set: varied pose (facing, position, scale) and background
     * (the four {@linkplain Context#forSubjectPhotos() subject-photo contexts}), no accessory, no property,
     * captioned "a photo of a &lt;class&gt;" (neither colour nor context named).
     *
     * @param n how many, at least 0
     * @param seed which photos; the same seed gives the same photos
     * @return the scenes, in order
     * @throws IllegalArgumentException if {@code n} is negative
     */
    public List<Scene> photos(int n, long seed) {
        if (n < 0) {
            throw new IllegalArgumentException("Photo count must be at least 0, got " + n);
        }
        List<Context> where = Context.forSubjectPhotos();
        Caption caption = Caption.of(objectClass).withPhotoOf(true);
        List<Scene> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            SplitMix64 r = SplitMix64.of(this.seed, Sampler.PHOTO, seed, i);
            Context ctx = where.get((int) Long.remainderUnsigned(SplitMix64.mix(seed) + i, where.size()));
            Pose pose = Sampler.pose(r);
            out.add(new Scene(
                    objectClass, colour, Property.NONE, Accessory.NONE, ctx, traits, pose, r.nextLong(), caption));
        }
        return out;
    }

    /**
     * This subject as a caption asks for it: "a purple dog wearing a santa hat in the snow" recolours it,
     * dresses it and places it, keeping its traits. What the caption leaves out is drawn at random (the
     * colour stays the subject's own).
     *
     * @param request the caption; its class must be the subject's
     * @param seed the draw of pose, background details and any unnamed context
     * @return the scene, captioned with {@code request}
     * @throws IllegalArgumentException if the caption names another class
     */
    public Scene scene(Caption request, long seed) {
        if (request.objectClass() != objectClass) {
            throw new IllegalArgumentException("Caption \"" + request.text() + "\" names a "
                    + request.objectClass().word() + ", but this subject is a " + objectClass.word());
        }
        return Sampler.scene(request, seed, traits, colour, this.seed);
    }
}
