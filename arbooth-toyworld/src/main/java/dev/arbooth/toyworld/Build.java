package dev.arbooth.toyworld;

/**
 * The proportions of an object: body width, height and leg or neck length. A {@linkplain Traits trait}:
 * never named by captions.
 */
public enum Build {
    /** Narrow body, long legs or neck. */
    SLIM,
    /** Average proportions. */
    REGULAR,
    /** Wide, heavy body, short legs or neck. */
    STOCKY
}
