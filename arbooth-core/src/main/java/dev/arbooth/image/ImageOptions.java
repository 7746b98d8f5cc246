package dev.arbooth.image;

/**
 * How {@link ImageLoader} prepares photos: the target size and the limits that refuse unusable or unsafe
 * files.
 *
 * <p>Every photo becomes a {@code [3, height, width]} tensor: it is scaled (keeping its aspect ratio) so
 * that it just covers {@code height × width}, then centre-cropped. For a square target this is "resize the
 * shorter side to the model resolution, then centre-crop".
 *
 * @param height target rows, at least 1
 * @param width target columns, at least 1
 * @param minSide the shortest accepted side of a stored image in pixels, at least 1; smaller images are
 *     refused rather than blown up
 * @param maxPixels the largest accepted {@code width × height} of a stored image, read from the file header
 *     before any pixel is decoded (a guard against decompression bombs); at least {@code minSide²} and at
 *     most {@link #MAX_PIXELS_CEILING}
 */
public record ImageOptions(int height, int width, int minSide, long maxPixels) {
    /** The default shortest accepted side: 64 pixels. */
    public static final int DEFAULT_MIN_SIDE = 64;

    /** The default pixel limit: 64 megapixels ({@code 64 × 2^20}), more than any current camera. */
    public static final long DEFAULT_MAX_PIXELS = 64L << 20;

    /**
     * The largest value {@link #maxPixels} may take: {@code 2^29} pixels, because a decoded image is held in
     * Java arrays of at most {@code 2^31} bytes (four bytes per pixel).
     */
    public static final long MAX_PIXELS_CEILING = 1L << 29;

    /** The default target side: 256 pixels. */
    public static final int DEFAULT_SIZE = 256;

    /**
     * Validates the options.
     *
     * @param height target rows, at least 1
     * @param width target columns, at least 1
     * @param minSide the shortest accepted side, at least 1
     * @param maxPixels the pixel limit, between {@code minSide²} and {@link #MAX_PIXELS_CEILING}
     * @throws IllegalArgumentException naming the offending value
     */
    public ImageOptions {
        if (height < 1 || width < 1) {
            throw new IllegalArgumentException(
                    "ImageOptions: target size must be at least 1x1, got " + height + "x" + width);
        }
        if (minSide < 1) {
            throw new IllegalArgumentException("ImageOptions: minSide must be at least 1, got " + minSide);
        }
        if (maxPixels < (long) minSide * minSide || maxPixels > MAX_PIXELS_CEILING) {
            throw new IllegalArgumentException("ImageOptions: maxPixels must be between minSide^2 = "
                    + (long) minSide * minSide + " and " + MAX_PIXELS_CEILING + ", got " + maxPixels);
        }
    }

    /**
     * The defaults: a 256×256 target, {@link #DEFAULT_MIN_SIDE} and {@link #DEFAULT_MAX_PIXELS}.
     *
     * @return the default options
     */
    public static ImageOptions defaults() {
        return of(DEFAULT_SIZE, DEFAULT_SIZE);
    }

    /**
     * A target size with the default limits.
     *
     * @param height target rows
     * @param width target columns
     * @return the options
     */
    public static ImageOptions of(int height, int width) {
        return new ImageOptions(height, width, DEFAULT_MIN_SIDE, DEFAULT_MAX_PIXELS);
    }

    /**
     * A square target with the default limits.
     *
     * @param size target rows and columns (the model resolution)
     * @return the options
     */
    public static ImageOptions square(int size) {
        return of(size, size);
    }

    /**
     * These options with another target size.
     *
     * @param newHeight target rows
     * @param newWidth target columns
     * @return the new options
     */
    public ImageOptions withSize(int newHeight, int newWidth) {
        return new ImageOptions(newHeight, newWidth, minSide, maxPixels);
    }

    /**
     * These options with another shortest accepted side.
     *
     * @param newMinSide the shortest accepted side in pixels
     * @return the new options
     */
    public ImageOptions withMinSide(int newMinSide) {
        return new ImageOptions(height, width, newMinSide, maxPixels);
    }

    /**
     * These options with another pixel limit.
     *
     * @param newMaxPixels the largest accepted {@code width × height}
     * @return the new options
     */
    public ImageOptions withMaxPixels(long newMaxPixels) {
        return new ImageOptions(height, width, minSide, newMaxPixels);
    }

    /**
     * The shape of one prepared image.
     *
     * @return {@code {3, height, width}}
     */
    public long[] shape() {
        return new long[] {3, height, width};
    }
}
