package dev.arbooth.image;

import dev.arbooth.ArboothException;
import dev.arbooth.ShapeMismatchException;
import dev.arbooth.internal.io.AtomicFiles;
import dev.arbooth.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Objects;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Writes image tensors in [-1, 1] as 8-bit RGB PNG files, atomically (a temporary file beside the target,
 * then a move: readers never see a partial file, and a failure leaves no file behind).
 *
 * <p>Mapping: each sample {@code x} becomes {@code round(clamp((x + 1) / 2, 0, 1) · 255)} — the inverse of
 * {@link ImageLoader}'s {@code 2v - 1} up to 8-bit quantisation. NaN samples are refused.
 */
public final class PngWriter {
    /** Pixels between the tiles of a grid, and around it. */
    public static final int GRID_PADDING = 2;

    private PngWriter() {}

    /**
     * Writes one image.
     *
     * @param image_3HW shape {@code [3, H, W]} or {@code [1, 3, H, W]}, values in [-1, 1]
     * @param target the PNG file to create or replace
     * @throws ShapeMismatchException if the shape is not an RGB image
     * @throws IllegalArgumentException if a sample is NaN
     * @throws ArboothException naming the target if it cannot be written
     */
    public static void write(Tensor image_3HW, Path target) {
        long[] s = image_3HW.shape();
        if (s.length == 4 && s[0] == 1) {
            s = Arrays.copyOfRange(s, 1, 4);
        }
        if (s.length != 3 || s[0] != 3) {
            throw ShapeMismatchException.of("image_3HW", new long[] {3, -1, -1}, image_3HW.shape());
        }
        float[] data = image_3HW.toFloatArray();
        writeImage(toImage(data, 0, (int) s[1], (int) s[2], target), target);
    }

    /**
     * Writes one image of a batch.
     *
     * @param images_N3HW shape {@code [N, 3, H, W]}, values in [-1, 1]
     * @param index which image, {@code 0 <= index < N}
     * @param target the PNG file to create or replace
     * @throws ShapeMismatchException if the shape is not a batch of RGB images
     * @throws IndexOutOfBoundsException if {@code index} is outside the batch
     */
    public static void write(Tensor images_N3HW, int index, Path target) {
        long[] s = batchShape(images_N3HW);
        Objects.checkIndex(index, (int) s[0]);
        int h = (int) s[2];
        int w = (int) s[3];
        float[] data = images_N3HW.toFloatArray();
        writeImage(toImage(data, index * 3 * h * w, h, w, target), target);
    }

    /**
     * Writes a batch as one grid image, row by row, with {@link #GRID_PADDING} white pixels between and around
     * the tiles.
     *
     * @param images_N3HW shape {@code [N, 3, H, W]}, values in [-1, 1]
     * @param columns tiles per row, at least 1 (fewer when N is smaller)
     * @param target the PNG file to create or replace
     */
    public static void writeGrid(Tensor images_N3HW, int columns, Path target) {
        if (columns < 1) {
            throw new IllegalArgumentException("writeGrid: columns must be at least 1, got " + columns);
        }
        long[] s = batchShape(images_N3HW);
        int n = (int) s[0];
        int h = (int) s[2];
        int w = (int) s[3];
        int cols = Math.min(columns, n);
        int gridRows = (n + cols - 1) / cols;
        int gw = Math.addExact(Math.multiplyExact(cols, w + GRID_PADDING), GRID_PADDING);
        int gh = Math.addExact(Math.multiplyExact(gridRows, h + GRID_PADDING), GRID_PADDING);
        BufferedImage grid = new BufferedImage(gw, gh, BufferedImage.TYPE_INT_RGB);
        int[] white = new int[gw * gh];
        Arrays.fill(white, 0xFFFFFF);
        grid.setRGB(0, 0, gw, gh, white, 0, gw);
        float[] data = images_N3HW.toFloatArray();
        int[] tile = new int[h * w];
        for (int i = 0; i < n; i++) {
            toRgb(data, i * 3 * h * w, h, w, tile, target);
            int x = GRID_PADDING + (i % cols) * (w + GRID_PADDING);
            int y = GRID_PADDING + (i / cols) * (h + GRID_PADDING);
            grid.setRGB(x, y, w, h, tile, 0, w);
        }
        writeImage(grid, target);
    }

    /**
     * Converts an image tensor to an 8-bit sRGB {@link BufferedImage} ({@code TYPE_INT_RGB}).
     *
     * @param image_3HW shape {@code [3, H, W]}, values in [-1, 1]
     * @return the image
     */
    public static BufferedImage toBufferedImage(Tensor image_3HW) {
        long[] s = image_3HW.shape();
        if (s.length != 3 || s[0] != 3) {
            throw ShapeMismatchException.of("image_3HW", new long[] {3, -1, -1}, s);
        }
        return toImage(image_3HW.toFloatArray(), 0, (int) s[1], (int) s[2], null);
    }

    private static long[] batchShape(Tensor images_N3HW) {
        long[] s = images_N3HW.shape();
        if (s.length != 4 || s[1] != 3 || s[0] < 1) {
            throw ShapeMismatchException.of("images_N3HW", new long[] {-1, 3, -1, -1}, s);
        }
        return s;
    }

    private static BufferedImage toImage(float[] data, int offset, int h, int w, Path target) {
        if (h < 1 || w < 1) {
            throw new ShapeMismatchException("Cannot write an empty image of " + h + "x" + w + " pixels");
        }
        int[] rgb = new int[h * w];
        toRgb(data, offset, h, w, rgb, target);
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        img.setRGB(0, 0, w, h, rgb, 0, w);
        return img;
    }

    /** Packs planes [3, h, w] at {@code offset} into 0xRRGGBB pixels. */
    private static void toRgb(float[] data, int offset, int h, int w, int[] rgb, Path target) {
        int plane = h * w;
        for (int i = 0; i < plane; i++) {
            int r = to8Bit(data[offset + i], target);
            int g = to8Bit(data[offset + plane + i], target);
            int b = to8Bit(data[offset + 2 * plane + i], target);
            rgb[i] = (r << 16) | (g << 8) | b;
        }
    }

    /** {@code round(clamp((x + 1) / 2, 0, 1) * 255)}. */
    static int to8Bit(float x, Path target) {
        if (Float.isNaN(x)) {
            throw new IllegalArgumentException(
                    "Image tensor contains NaN" + (target == null ? "" : " (writing " + target + ")"));
        }
        double v = (x + 1.0) / 2.0; // in double: exact for every float, so ties round as documented
        v = v < 0.0 ? 0.0 : Math.min(v, 1.0);
        return (int) Math.round(v * 255.0);
    }

    private static void writeImage(BufferedImage image, Path target) {
        Objects.requireNonNull(target, "target");
        Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName("png");
        if (!writers.hasNext()) {
            throw new ArboothException("No ImageIO PNG writer is installed; cannot write " + target);
        }
        ImageWriter writer = writers.next();
        try {
            AtomicFiles.write(target, channel -> {
                OutputStream os = Channels.newOutputStream(channel);
                try (ImageOutputStream out = new MemoryCacheImageOutputStream(os)) {
                    writer.setOutput(out);
                    writer.write(null, new IIOImage(image, null, null), writer.getDefaultWriteParam());
                    out.flush();
                }
                os.flush();
            });
        } catch (ArboothException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new ArboothException("Failed to write PNG " + target + ": " + e, e);
        } finally {
            writer.dispose();
        }
    }
}
