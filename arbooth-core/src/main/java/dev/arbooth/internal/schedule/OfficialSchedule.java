package dev.arbooth.internal.schedule;

import dev.arbooth.config.PixelBudget;
import dev.arbooth.config.ScaleSchedule;
import java.util.Objects;

/**
 * One entry of the official scale-schedule table: an aspect ratio, a pixel budget, the token grids and
 * the image size they give.
 *
 * @param aspectRatio the official h/w key, e.g. {@code "1.333"}
 * @param budget the pixel budget
 * @param schedule the token grids (time axis dropped)
 * @param pixelHeight the image height in pixels (final grid height × 16)
 * @param pixelWidth the image width in pixels (final grid width × 16)
 */
public record OfficialSchedule(
        String aspectRatio, PixelBudget budget, ScaleSchedule schedule, int pixelHeight, int pixelWidth) {
    /**
     * Validates the entry.
     *
     * @param aspectRatio the official h/w key
     * @param budget the pixel budget
     * @param schedule the token grids
     * @param pixelHeight the image height in pixels, at least 1
     * @param pixelWidth the image width in pixels, at least 1
     */
    public OfficialSchedule {
        Objects.requireNonNull(aspectRatio, "aspectRatio");
        Objects.requireNonNull(budget, "budget");
        Objects.requireNonNull(schedule, "schedule");
        if (pixelHeight < 1 || pixelWidth < 1) {
            throw new IllegalArgumentException("Image size must be positive, got " + pixelHeight + "x" + pixelWidth);
        }
    }

    /**
     * The aspect ratio as a number.
     *
     * @return h/w of the official key (e.g. 1.333)
     */
    public double hDivW() {
        return Double.parseDouble(aspectRatio);
    }
}
