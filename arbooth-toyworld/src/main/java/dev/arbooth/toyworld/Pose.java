package dev.arbooth.toyworld;

/**
 * Where and how an object stands in the frame, in frame units (0 = left/top edge, 1 = right/bottom edge).
 *
 * @param mirrored whether the object faces left instead of right
 * @param centreX the horizontal centre of the object's box
 * @param baseY where the object touches the ground (the bottom of its box)
 * @param scale half the side of the object's box: the object spans {@code 2·scale} of the frame
 */
public record Pose(boolean mirrored, double centreX, double baseY, double scale) {
    /** The smallest scale: the object's box is at least 0.64 of the frame wide and high. */
    public static final double MIN_SCALE = 0.32;

    /** The largest scale. */
    public static final double MAX_SCALE = 0.40;

    /**
     * Validates that the object's box lies in the frame and its scale in [{@link #MIN_SCALE}, {@link
     * #MAX_SCALE}].
     * @param mirrored whether the object faces left
     * @param centreX the horizontal centre of the box
     * @param baseY the bottom of the box
     * @param scale half the side of the box
     */
    public Pose {
        if (!(scale >= MIN_SCALE && scale <= MAX_SCALE)) {
            throw new IllegalArgumentException(
                    "Pose scale must be in [" + MIN_SCALE + ", " + MAX_SCALE + "], got " + scale);
        }
        if (!(centreX - scale >= 0 && centreX + scale <= 1)) {
            throw new IllegalArgumentException("Pose centreX " + centreX + " with scale " + scale
                    + " puts the object's box outside the frame (need scale <= centreX <= 1 - scale)");
        }
        if (!(baseY - 2 * scale >= 0 && baseY <= 1)) {
            throw new IllegalArgumentException("Pose baseY " + baseY + " with scale " + scale
                    + " puts the object's box outside the frame (need 2·scale <= baseY <= 1)");
        }
    }

    /**
     * The default pose: facing right, centred, standing near the bottom, scale 0.36.
     *
     * @return the pose used by contact sheets
     */
    public static Pose centred() {
        return new Pose(false, 0.5, 0.95, 0.36);
    }
}
