package dev.arbooth.toyworld.internal;

import dev.arbooth.internal.io.AtomicFiles;
import dev.arbooth.toyworld.ToyImage;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;

/** A grid of equal-size images with a light gap, written as one PNG (contact sheets). */
public final class Grid {
    private Grid() {}

    /**
     * Writes images row by row; {@code null} entries stay empty.
     *
     * @param images the tiles, all of one size
     * @param columns tiles per row
     * @param gap pixels between tiles
     * @param target the PNG file (written atomically)
     */
    public static void write(List<ToyImage> images, int columns, int gap, Path target) {
        int size = 0;
        for (ToyImage t : images) {
            if (t != null) {
                size = t.size();
            }
        }
        int rows = (images.size() + columns - 1) / columns;
        int w = columns * size + (columns + 1) * gap;
        int h = rows * size + (rows + 1) * gap;
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, 0xFFFFFF);
            }
        }
        for (int k = 0; k < images.size(); k++) {
            ToyImage t = images.get(k);
            if (t == null) {
                continue;
            }
            int ox = gap + (k % columns) * (size + gap);
            int oy = gap + (k / columns) * (size + gap);
            for (int y = 0; y < size; y++) {
                for (int x = 0; x < size; x++) {
                    img.setRGB(ox + x, oy + y, t.rgb(x, y));
                }
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(img, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        AtomicFiles.write(target, out.toByteArray());
    }
}
