package dev.arbooth.toyworld;

import dev.arbooth.InvalidImageException;
import dev.arbooth.ShapeMismatchException;
import dev.arbooth.image.PngWriter;
import dev.arbooth.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;
import javax.imageio.ImageIO;

/**
 * An immutable square 8-bit sRGB image: what the toy world draws and what its probes read. Converts to and
 * from the project's {@code [3, H, W]} tensors in [-1, 1] with the same mapping as {@link PngWriter}
 * ({@code v/127.5 - 1} one way, {@code round(clamp((x + 1)/2)·255)} the other), so a round trip is exact.
 */
public final class ToyImage {
    private final int size;
    private final byte[] rgb;

    private ToyImage(int size, byte[] rgb) {
        this.size = size;
        this.rgb = rgb;
    }

    /**
     * An image from interleaved bytes.
     *
     * @param size the side, at least 1
     * @param rgb {@code size × size × 3} bytes, rows top to bottom, R G B per pixel (copied)
     * @return the image
     * @throws IllegalArgumentException if the length does not match
     */
    public static ToyImage of(int size, byte[] rgb) {
        if (size < 1 || rgb.length != size * size * 3) {
            throw new IllegalArgumentException("Expected " + size + "×" + size + "×3 = " + (size * size * 3)
                    + " bytes for a " + size + "-pixel square RGB image, got " + rgb.length);
        }
        return new ToyImage(size, rgb.clone());
    }

    /**
     * An image from packed pixels (the renderer's own buffer; not copied).
     *
     * @param size the side
     * @param packed {@code 0xRRGGBB} per pixel, rows top to bottom
     * @return the image
     */
    static ToyImage ofPacked(int size, int[] packed) {
        byte[] b = new byte[size * size * 3];
        for (int k = 0; k < packed.length; k++) {
            int c = packed[k];
            b[3 * k] = (byte) (c >>> 16);
            b[3 * k + 1] = (byte) (c >>> 8);
            b[3 * k + 2] = (byte) c;
        }
        return new ToyImage(size, b);
    }

    /**
     * An image from a tensor, e.g. a generated one.
     *
     * @param image_3HW shape {@code [3, S, S]} or {@code [1, 3, S, S]}, values in [-1, 1] (clamped)
     * @return the image
     * @throws ShapeMismatchException if the tensor is not one square RGB image
     * @throws IllegalArgumentException if a value is NaN
     */
    public static ToyImage fromTensor(Tensor image_3HW) {
        long[] s = image_3HW.shape();
        if (s.length == 4 && s[0] == 1) {
            s = Arrays.copyOfRange(s, 1, 4);
        }
        if (s.length != 3 || s[0] != 3 || s[1] != s[2] || s[1] < 1) {
            throw ShapeMismatchException.of("image_3HW", new long[] {3, -1, -1}, image_3HW.shape());
        }
        int n = (int) s[1];
        float[] v = image_3HW.toFloatArray();
        byte[] b = new byte[n * n * 3];
        int plane = n * n;
        for (int c = 0; c < 3; c++) {
            for (int k = 0; k < plane; k++) {
                float x = v[c * plane + k];
                if (Float.isNaN(x)) {
                    throw new IllegalArgumentException("image_3HW has a NaN at channel " + c + ", pixel " + k);
                }
                double t = Math.min(1.0, Math.max(0.0, (x + 1.0) / 2.0));
                b[3 * k + c] = (byte) Math.round(t * 255.0);
            }
        }
        return new ToyImage(n, b);
    }

    /**
     * Reads an 8-bit RGB PNG (as written by {@link #writePng}).
     *
     * @param png the file
     * @return the image
     * @throws InvalidImageException naming the file if it cannot be read or is not square
     */
    public static ToyImage readPng(Path png) {
        BufferedImage img;
        try (java.io.InputStream in = Files.newInputStream(png)) {
            img = ImageIO.read(in);
        } catch (IOException e) {
            throw new InvalidImageException(png, "cannot read the image: " + e.getMessage(), e);
        }
        if (img == null) {
            throw new InvalidImageException(png, "not an image ImageIO can decode (expected a PNG)");
        }
        if (img.getWidth() != img.getHeight()) {
            throw new InvalidImageException(
                    png, "expected a square image, got " + img.getWidth() + "×" + img.getHeight());
        }
        int n = img.getWidth();
        int[] packed = img.getRGB(0, 0, n, n, null, 0, n);
        for (int k = 0; k < packed.length; k++) {
            packed[k] &= 0xFFFFFF;
        }
        return ofPacked(n, packed);
    }

    /**
     * The side in pixels.
     *
     * @return the width, equal to the height
     */
    public int size() {
        return size;
    }

    /**
     * One pixel.
     *
     * @param x column, {@code 0 <= x < size}
     * @param y row, {@code 0 <= y < size}
     * @return {@code 0xRRGGBB}
     */
    public int rgb(int x, int y) {
        Objects.checkIndex(x, size);
        Objects.checkIndex(y, size);
        int k = 3 * (y * size + x);
        return ((rgb[k] & 0xFF) << 16) | ((rgb[k + 1] & 0xFF) << 8) | (rgb[k + 2] & 0xFF);
    }

    /**
     * The pixels as interleaved bytes.
     *
     * @return a copy: rows top to bottom, R G B per pixel
     */
    public byte[] bytes() {
        return rgb.clone();
    }

    /**
     * The image as a tensor.
     *
     * @return float32 {@code [3, S, S]} in [-1, 1]
     */
    public Tensor toTensor() {
        int plane = size * size;
        float[] v = new float[3 * plane];
        for (int k = 0; k < plane; k++) {
            for (int c = 0; c < 3; c++) {
                v[c * plane + k] = (rgb[3 * k + c] & 0xFF) / 127.5f - 1f;
            }
        }
        return Tensor.ofFloats(v, 3, size, size);
    }

    /**
     * Writes the image as an 8-bit RGB PNG, atomically.
     *
     * @param target the file to create or replace
     */
    public void writePng(Path target) {
        PngWriter.write(toTensor(), target);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ToyImage && ((ToyImage) o).size == size && Arrays.equals(((ToyImage) o).rgb, rgb);
    }

    @Override
    public int hashCode() {
        return 31 * size + Arrays.hashCode(rgb);
    }

    @Override
    public String toString() {
        return "ToyImage[" + size + "×" + size + "]";
    }
}
