package dev.arbooth.toyworld;

import java.util.Objects;

/**
 * What the {@link Probes} read from an image: the most probable answer to each question.
 *
 * @param objectClass the class shown
 * @param context the background
 * @param accessory what is worn, or {@link Accessory#NONE}
 * @param colour the main colour
 * @param property the surface property, or {@link Property#NONE}
 * @param traits the uncaptioned look (pattern, secondary colour, build, mark)
 */
public record ProbeReading(
        ObjectClass objectClass,
        Colour colour,
        Property property,
        Accessory accessory,
        Context context,
        Traits traits) {

    /**
     * Validates that no component is null.
     *
     * @param objectClass the class
     * @param colour the colour
     * @param property the property
     * @param accessory the accessory
     * @param context the context
     * @param traits the traits
     */
    public ProbeReading {
        Objects.requireNonNull(objectClass, "objectClass");
        Objects.requireNonNull(colour, "colour");
        Objects.requireNonNull(property, "property");
        Objects.requireNonNull(accessory, "accessory");
        Objects.requireNonNull(context, "context");
        Objects.requireNonNull(traits, "traits");
    }

    /**
     * Whether the reading agrees with everything a caption names: its class, property and accessory (none
     * named means none), and its colour and context where named.
     *
     * @param caption the caption the image was made for
     * @return true if nothing named disagrees
     */
    public boolean agreesWith(Caption caption) {
        return caption.objectClass() == objectClass
                && caption.property() == property
                && caption.accessory() == accessory
                && caption.colour().map(c -> c == colour).orElse(true)
                && caption.context().map(c -> c == context).orElse(true);
    }
}
