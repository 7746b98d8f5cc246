package dev.arbooth.image;

import dev.arbooth.InvalidImageException;
import dev.arbooth.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * Loads photos as model inputs: {@code [3, H, W]} float32 tensors in [-1, 1] (R, G, B planes).
 *
 * <p>Pipeline, for each image:
 *
 * <ol>
 *   <li>the format is recognised from the content (JPEG — baseline, progressive, greyscale, CMYK/YCCK via
 *       TwelveMonkeys — or PNG — grey, RGB, palette, with alpha, 1 to 16 bits); the file name is ignored;
 *   <li>the stored size is read from the header and checked against {@link ImageOptions#maxPixels()} and
 *       {@link ImageOptions#minSide()} before any pixel is decoded;
 *   <li>the pixels are decoded; truncated or corrupt data is refused (never padded with grey);
 *   <li>colours are converted to sRGB, transparency composited over white (see {@code SrgbRows});
 *   <li>the EXIF orientation (JPEG APP1 or PNG eXIf, all eight values) is honoured;
 *   <li>the displayed image is scaled to just cover {@code H × W} with area averaging (antialiased; bilinear
 *       when enlarging) and centre-cropped;
 *   <li>each sample {@code v} in [0, 1] becomes {@code 2v - 1}.
 * </ol>
 *
 * <p>Every failure is an {@link InvalidImageException} naming the file and what was expected. Instances are
 * immutable and thread-safe.
 */
public final class ImageLoader {
    /** Files larger than this are refused before being read (no JPEG or PNG photo comes near it). */
    static final long MAX_FILE_BYTES = Integer.MAX_VALUE - 64;

    private final ImageOptions options;

    private ImageLoader(ImageOptions options) {
        this.options = options;
    }

    /**
     * A loader with the given options.
     *
     * @param options target size and limits
     * @return the loader
     */
    public static ImageLoader create(ImageOptions options) {
        return new ImageLoader(Objects.requireNonNull(options, "options"));
    }

    /**
     * A loader for a square model resolution, with the default limits.
     *
     * @param size target rows and columns
     * @return the loader
     */
    public static ImageLoader square(int size) {
        return create(ImageOptions.square(size));
    }

    /**
     * The options.
     *
     * @return the options this loader applies
     */
    public ImageOptions options() {
        return options;
    }

    /**
     * Loads one image file.
     *
     * @param file a JPEG or PNG file
     * @return {@code image_3HW}: shape {@code [3, H, W]}, float32, values in [-1, 1]
     * @throws InvalidImageException naming the file: missing, empty, unreadable, not JPEG/PNG, truncated or
     *     corrupt, smaller than {@code minSide} or larger than {@code maxPixels}
     */
    public Tensor load(Path file) {
        float[] out = new float[planeSize()];
        loadInto(file, out, 0);
        return Tensor.ofFloats(out, options.shape());
    }

    /**
     * Loads one image from a stream (read to its end, not closed).
     *
     * @param in the encoded JPEG or PNG bytes
     * @param name how the image is named in error messages
     * @return {@code image_3HW}: shape {@code [3, H, W]}, float32, values in [-1, 1]
     * @throws InvalidImageException naming {@code name}, as for {@link #load(Path)}
     */
    public Tensor load(InputStream in, String name) {
        Objects.requireNonNull(in, "in");
        ImageSource source = ImageSource.named(Objects.requireNonNull(name, "name"));
        byte[] bytes;
        try {
            bytes = in.readNBytes((int) MAX_FILE_BYTES);
        } catch (IOException e) {
            throw source.fail("cannot be read (" + e.getMessage() + ")", e);
        }
        float[] out = new float[planeSize()];
        prepare(bytes, source, out, 0);
        return Tensor.ofFloats(out, options.shape());
    }

    /**
     * Prepares an already decoded image (its colour model is honoured; no orientation or size limits apply,
     * except that it must not be empty).
     *
     * @param image the image as displayed
     * @return {@code image_3HW}: shape {@code [3, H, W]}, float32, values in [-1, 1]
     */
    public Tensor fromImage(BufferedImage image) {
        Objects.requireNonNull(image, "image");
        float[] out = new float[planeSize()];
        toTensorData(SrgbRows.of(image), Orientation.NORMAL, out, 0);
        return Tensor.ofFloats(out, options.shape());
    }

    /**
     * Loads several image files into one batch.
     *
     * @param files JPEG or PNG files, at least one
     * @return {@code images_N3HW}: shape {@code [N, 3, H, W]}, float32, values in [-1, 1], in the given order
     * @throws InvalidImageException for the first file that cannot be used, naming it
     * @throws IllegalArgumentException if {@code files} is empty
     */
    public Tensor loadAll(List<Path> files) {
        if (files.isEmpty()) {
            throw new IllegalArgumentException("loadAll: no image files given");
        }
        int plane = planeSize();
        float[] out = new float[Math.multiplyExact(files.size(), plane)];
        for (int i = 0; i < files.size(); i++) {
            loadInto(files.get(i), out, i * plane);
        }
        return Tensor.ofFloats(out, files.size(), 3, options.height(), options.width());
    }

    private int planeSize() {
        return Math.multiplyExact(3, Math.multiplyExact(options.height(), options.width()));
    }

    private void loadInto(Path file, float[] out, int offset) {
        Objects.requireNonNull(file, "file");
        ImageSource source = ImageSource.of(file);
        prepare(readFile(file, source), source, out, offset);
    }

    private static byte[] readFile(Path file, ImageSource source) {
        try {
            if (Files.isDirectory(file)) {
                throw source.fail("is a directory, not an image file");
            }
            long size = Files.size(file);
            if (size > MAX_FILE_BYTES) {
                throw source.fail(
                        "is " + size + " bytes, too large for an image file (at most " + MAX_FILE_BYTES + ")");
            }
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw source.fail("image file not found", e);
        } catch (AccessDeniedException e) {
            throw source.fail("image file cannot be read: permission denied", e);
        } catch (IOException e) {
            throw source.fail("image file cannot be read (" + e + ")", e);
        }
    }

    private void prepare(byte[] bytes, ImageSource source, float[] out, int offset) {
        if (bytes.length == 0) {
            throw source.fail("is empty (0 bytes); expected a JPEG or PNG image");
        }
        ImageFormat.Sniffed sniffed = ImageFormat.sniff(bytes);
        if (sniffed.format() == null) {
            throw source.fail("is " + sniffed.description() + "; " + ImageFormat.SUPPORTED);
        }
        BufferedImage image = Decoder.decode(bytes, sniffed.format(), source, options);
        Orientation orientation = Orientation.read(bytes, sniffed.format(), source.name());
        toTensorData(SrgbRows.of(image), orientation, out, offset);
    }

    private void toTensorData(SrgbRows rows, Orientation orientation, float[] out, int offset) {
        float[] rgb01 = Resampler.coverCrop(rows, orientation, options.height(), options.width());
        for (int i = 0; i < rgb01.length; i++) {
            out[offset + i] = Math.max(-1f, Math.min(1f, 2f * rgb01[i] - 1f));
        }
    }
}
