package dev.arbooth.toyworld;

/**
 * The surface pattern of an object's main body, drawn in its secondary colour with broad shapes (no fine
 * texture). A {@linkplain Traits trait}: never named by captions.
 */
public enum Pattern {
    /** One colour. */
    PLAIN,
    /** A few big round spots. */
    SPOTS,
    /** Broad vertical stripes. */
    STRIPES,
    /** Two or three large irregular patches. */
    PATCHES,
    /** Big checks. */
    CHECKS
}
