package dev.arbooth.config;

/**
 * One scale of a next-scale schedule: a grid of {@code h × w} tokens (the official schedule's time axis is
 * always 1 for images and is not represented).
 *
 * @param h rows of tokens
 * @param w columns of tokens
 */
public record Scale(int h, int w) {
    /**
     * Validates the grid.
     *
     * @param h rows of tokens, at least 1
     * @param w columns of tokens, at least 1
     */
    public Scale {
        if (h < 1 || w < 1) {
            throw new IllegalArgumentException("Scale must be at least 1x1, got " + h + "x" + w);
        }
    }

    /**
     * The number of tokens of this scale.
     *
     * @return {@code h * w}
     */
    public int tokens() {
        return h * w;
    }

    @Override
    public String toString() {
        return h + "x" + w;
    }
}
