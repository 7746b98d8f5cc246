package dev.arbooth.toyworld;

import dev.arbooth.toyworld.internal.Renderer;
import java.util.Objects;

/**
 * Everything a toy-world image shows, and its caption: rendering a scene is a pure function of this record
 * and the image size, the same on every machine.
 *
 * @param objectClass the object's class
 * @param colour the object's main colour
 * @param property its surface property
 * @param accessory what it wears ({@link Accessory#NONE} for classes that wear nothing)
 * @param context the background
 * @param traits the uncaptioned look: pattern, secondary colour, build, mark
 * @param pose where the object stands and which way it faces
 * @param detailSeed places the background's details (horizon height, clouds, leaves, buildings…)
 * @param caption the caption; it names a subset of the above and is consistent with it
 */
public record Scene(
        ObjectClass objectClass,
        Colour colour,
        Property property,
        Accessory accessory,
        Context context,
        Traits traits,
        Pose pose,
        long detailSeed,
        Caption caption) {

    /** The smallest image side {@link #render} draws. */
    public static final int MIN_SIZE = 32;

    /** The largest image side {@link #render} draws. */
    public static final int MAX_SIZE = 1024;

    /**
     * Validates the scene.
     *
     * @param objectClass see the record description
     * @param colour see the record description
     * @param property see the record description
     * @param accessory see the record description
     * @param context see the record description
     * @param traits see the record description
     * @param pose see the record description
     * @param detailSeed see the record description
     * @param caption see the record description
     * @throws IllegalArgumentException if the class cannot wear the accessory, or the caption names a
     *     class, colour, property, accessory or context the scene does not show
     */
    public Scene {
        Objects.requireNonNull(objectClass, "objectClass");
        Objects.requireNonNull(colour, "colour");
        Objects.requireNonNull(property, "property");
        Objects.requireNonNull(accessory, "accessory");
        Objects.requireNonNull(context, "context");
        Objects.requireNonNull(traits, "traits");
        Objects.requireNonNull(pose, "pose");
        Objects.requireNonNull(caption, "caption");
        if (accessory != Accessory.NONE && !objectClass.wearsAccessories()) {
            throw new IllegalArgumentException("A " + objectClass.word() + " cannot wear " + accessory.phrase());
        }
        if (caption.objectClass() != objectClass
                || caption.colour().map(c -> c != colour).orElse(false)
                || caption.property() != property
                || caption.accessory() != accessory
                || caption.context().map(c -> c != context).orElse(false)) {
            throw new IllegalArgumentException("Caption \"" + caption.text() + "\" does not describe the scene ("
                    + objectClass.word() + ", " + colour.word() + ", property " + property + ", accessory "
                    + accessory + ", " + context.phrase() + ")");
        }
    }

    /**
     * This scene's combination of class, colour, context and accessory (for the held-out split).
     *
     * @return the combination
     */
    public Combination combination() {
        return new Combination(objectClass, colour, context, accessory);
    }

    /**
     * This scene with another caption (e.g. one naming more or fewer attributes).
     *
     * @param c a caption consistent with the scene
     * @return the new scene
     * @throws IllegalArgumentException if the caption names something the scene does not show
     */
    public Scene withCaption(Caption c) {
        return new Scene(objectClass, colour, property, accessory, context, traits, pose, detailSeed, c);
    }

    /**
     * Draws the scene.
     *
     * @param size the side of the square image, {@value #MIN_SIZE} to {@value #MAX_SIZE} (64 by default in
     *     the toy world; 128 works as well)
     * @return the image
     * @throws IllegalArgumentException if the size is out of range
     */
    public ToyImage render(int size) {
        if (size < MIN_SIZE || size > MAX_SIZE) {
            throw new IllegalArgumentException(
                    "Image size must be in [" + MIN_SIZE + ", " + MAX_SIZE + "] pixels, got " + size);
        }
        return ToyImage.ofPacked(size, Renderer.render(this, size));
    }
}
