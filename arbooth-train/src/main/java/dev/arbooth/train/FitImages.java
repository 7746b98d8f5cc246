package dev.arbooth.train;

import dev.arbooth.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The subject photos of a fit: image files, decoded images, or image tensors already prepared. Immutable.
 *
 * <pre>{@code
 * FitImages photos = FitImages.files(List.of(Path.of("dog1.jpg"), Path.of("dog2.jpg"), Path.of("dog3.jpg")));
 * }</pre>
 *
 * <p>Files and decoded images are prepared by {@link dev.arbooth.image.ImageLoader} (EXIF orientation, sRGB, area
 * resizing and a centre crop to the base's image size); tensors must already be {@code [3, H, W]} float32 in
 * {@code [-1, 1]} at that size. Between {@value #MIN_IMAGES} and {@value #MAX_IMAGES} images; the count is checked
 * when a fit starts, so that the message can name the fit.
 */
public final class FitImages {
    /** The fewest images a fit takes. */
    public static final int MIN_IMAGES = 1;

    /** The most images a fit takes. */
    public static final int MAX_IMAGES = 64;

    /** What the images are given as. */
    public enum Kind {
        /** JPEG or PNG files. */
        FILES,
        /** Decoded images. */
        IMAGES,
        /** Prepared {@code [3, H, W]} tensors in {@code [-1, 1]}. */
        TENSORS
    }

    private final Kind kind;
    private final List<?> items;

    private FitImages(Kind kind, List<?> items) {
        this.kind = kind;
        this.items = items;
    }

    /**
     * Image files (JPEG or PNG).
     *
     * @param files the files, in order
     * @return the images
     */
    public static FitImages files(List<Path> files) {
        return new FitImages(Kind.FILES, copy(files, "files"));
    }

    /**
     * Image files (JPEG or PNG).
     *
     * @param files the files, in order
     * @return the images
     */
    public static FitImages files(Path... files) {
        return files(Arrays.asList(files));
    }

    /**
     * Decoded images (as displayed: no EXIF orientation applies).
     *
     * @param images the images, in order
     * @return the images
     */
    public static FitImages images(List<BufferedImage> images) {
        return new FitImages(Kind.IMAGES, copy(images, "images"));
    }

    /**
     * Prepared image tensors.
     *
     * @param images_3HW each {@code [3, H, W]} float32 in {@code [-1, 1]} at the base's image size
     * @return the images
     */
    public static FitImages tensors(List<Tensor> images_3HW) {
        return new FitImages(Kind.TENSORS, copy(images_3HW, "tensors"));
    }

    private static List<?> copy(List<?> items, String what) {
        Objects.requireNonNull(items, what);
        for (int i = 0; i < items.size(); i++) {
            Objects.requireNonNull(items.get(i), what + " " + i);
        }
        return List.copyOf(items);
    }

    /**
     * What the images are given as.
     *
     * @return the kind
     */
    public Kind kind() {
        return kind;
    }

    /**
     * The number of images.
     *
     * @return the count
     */
    public int size() {
        return items.size();
    }

    /**
     * The files, for {@link Kind#FILES}.
     *
     * @return the files
     * @throws IllegalStateException for another kind
     */
    @SuppressWarnings("unchecked")
    public List<Path> fileList() {
        require(Kind.FILES);
        return (List<Path>) items;
    }

    /**
     * The decoded images, for {@link Kind#IMAGES}.
     *
     * @return the images
     * @throws IllegalStateException for another kind
     */
    @SuppressWarnings("unchecked")
    public List<BufferedImage> imageList() {
        require(Kind.IMAGES);
        return (List<BufferedImage>) items;
    }

    /**
     * The tensors, for {@link Kind#TENSORS}.
     *
     * @return the tensors
     * @throws IllegalStateException for another kind
     */
    @SuppressWarnings("unchecked")
    public List<Tensor> tensorList() {
        require(Kind.TENSORS);
        return (List<Tensor>) items;
    }

    /**
     * How image {@code i} is named in messages.
     *
     * @param i the index
     * @return the file name or {@code "image i"}
     */
    public String describe(int i) {
        return kind == Kind.FILES ? items.get(i).toString() : kind.name().toLowerCase(java.util.Locale.ROOT) + " " + i;
    }

    private void require(Kind k) {
        if (kind != k) {
            throw new IllegalStateException("these images are " + kind + ", not " + k);
        }
    }

    @Override
    public String toString() {
        return "FitImages[" + items.size() + " " + kind.name().toLowerCase(java.util.Locale.ROOT) + "]";
    }
}
