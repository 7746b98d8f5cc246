package dev.arbooth.toyworld;

import java.util.Objects;

/**
 * The uncaptioned look of an object besides its class and main colour: what makes a {@link Subject}
 * distinctive. No caption ever names a pattern, a secondary colour, a build or a mark, so only a learned
 * identifier can carry them.
 *
 * @param pattern the body's pattern, drawn in {@code secondary}
 * @param secondary the colour of the pattern and the mark (drawn darker when equal to the main colour)
 * @param build the proportions
 * @param mark the distinctive mark, drawn in {@code secondary}
 */
public record Traits(Pattern pattern, Colour secondary, Build build, Mark mark) {
    /**
     * Validates that no component is null.
     *
     * @param pattern the pattern
     * @param secondary the secondary colour
     * @param build the proportions
     * @param mark the mark
     */
    public Traits {
        Objects.requireNonNull(pattern, "pattern");
        Objects.requireNonNull(secondary, "secondary");
        Objects.requireNonNull(build, "build");
        Objects.requireNonNull(mark, "mark");
    }

    /**
     * How many of the four traits two objects share.
     *
     * @param other the other object's traits
     * @return 0..4
     */
    public int shared(Traits other) {
        return (pattern == other.pattern ? 1 : 0)
                + (secondary == other.secondary ? 1 : 0)
                + (build == other.build ? 1 : 0)
                + (mark == other.mark ? 1 : 0);
    }
}
