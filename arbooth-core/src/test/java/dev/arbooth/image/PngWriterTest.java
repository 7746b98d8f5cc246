package dev.arbooth.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.arbooth.ArboothException;
import dev.arbooth.ShapeMismatchException;
import dev.arbooth.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PngWriterTest {
    @TempDir
    Path dir;

    /** A [3,h,w] tensor covering [-1.2, 1.2] (clamped on write) with distinct channels. */
    private static float[] ramp(int h, int w, float shift) {
        float[] v = new float[3 * h * w];
        for (int c = 0; c < 3; c++) {
            for (int i = 0; i < h * w; i++) {
                v[c * h * w + i] = -1.2f + 2.4f * ((i * (c + 1) + shift * 97) % (h * w)) / (h * w - 1);
            }
        }
        return v;
    }

    private static int expected8Bit(float x) {
        return (int) Math.round(Math.min(1.0, Math.max(0.0, (x + 1.0) / 2.0)) * 255.0);
    }

    private List<String> listing() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        }
    }

    private static void assertPixels(BufferedImage img, float[] chw, int offset, int h, int w, int x0, int y0) {
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int rgb = img.getRGB(x0 + x, y0 + y);
                for (int c = 0; c < 3; c++) {
                    int got = (rgb >> (16 - 8 * c)) & 0xFF;
                    assertThat(got)
                            .as("(%d,%d) channel %d", x, y, c)
                            .isEqualTo(expected8Bit(chw[offset + c * h * w + y * w + x]));
                }
            }
        }
    }

    @Test
    void writesAn8BitRgbPngThatRoundTripsAndLeavesNoTemporaryFile() throws IOException {
        int h = 20;
        int w = 30;
        float[] v = ramp(h, w, 0);
        Path out = dir.resolve("img.png");
        PngWriter.write(Tensor.ofFloats(v, 3, h, w), out);
        assertThat(listing()).containsExactly("img.png");
        byte[] bytes = Files.readAllBytes(out);
        assertThat(bytes[24]).as("bit depth").isEqualTo((byte) 8);
        assertThat(bytes[25]).as("colour type RGB").isEqualTo((byte) 2);
        BufferedImage back = ImageIO.read(out.toFile());
        assertThat(back.getWidth()).isEqualTo(w);
        assertThat(back.getHeight()).isEqualTo(h);
        assertPixels(back, v, 0, h, w, 0, 0);
        // and the loader reads it back within 8-bit quantisation
        float[] reloaded = ImageLoader.create(ImageOptions.of(h, w).withMinSide(1))
                .load(out)
                .toFloatArray();
        for (int i = 0; i < v.length; i++) {
            float clamped = Math.max(-1f, Math.min(1f, v[i]));
            assertThat(Math.abs(reloaded[i] - clamped)).isLessThanOrEqualTo(1f / 255 + 1e-6f);
        }
    }

    @Test
    void replacesAnExistingFileAndAcceptsABatchOfOne() throws IOException {
        Path out = dir.resolve("img.png");
        Files.writeString(out, "old");
        float[] v = ramp(8, 8, 1);
        PngWriter.write(Tensor.ofFloats(v, 1, 3, 8, 8), out);
        assertPixels(ImageIO.read(out.toFile()), v, 0, 8, 8, 0, 0);
        assertThat(listing()).containsExactly("img.png");
    }

    @Test
    void writesOneImageOfABatchAndAGrid() throws IOException {
        int n = 5;
        int h = 6;
        int w = 7;
        float[] all = new float[n * 3 * h * w];
        for (int i = 0; i < n; i++) {
            System.arraycopy(ramp(h, w, i), 0, all, i * 3 * h * w, 3 * h * w);
        }
        Tensor batch = Tensor.ofFloats(all, n, 3, h, w);
        Path third = dir.resolve("third.png");
        PngWriter.write(batch, 2, third);
        assertPixels(ImageIO.read(third.toFile()), all, 2 * 3 * h * w, h, w, 0, 0);

        Path grid = dir.resolve("grid.png");
        PngWriter.writeGrid(batch, 3, grid);
        BufferedImage g = ImageIO.read(grid.toFile());
        int pad = PngWriter.GRID_PADDING;
        assertThat(g.getWidth()).isEqualTo(3 * (w + pad) + pad);
        assertThat(g.getHeight()).isEqualTo(2 * (h + pad) + pad);
        for (int i = 0; i < n; i++) {
            assertPixels(g, all, i * 3 * h * w, h, w, pad + (i % 3) * (w + pad), pad + (i / 3) * (h + pad));
        }
        assertThat(g.getRGB(0, 0) & 0xFFFFFF).as("padding is white").isEqualTo(0xFFFFFF);
        assertThat(g.getRGB(g.getWidth() - 1, g.getHeight() - 1) & 0xFFFFFF).isEqualTo(0xFFFFFF);
        assertThatThrownBy(() -> PngWriter.write(batch, 5, third)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void mappingIsRoundedAndClamped() {
        assertThat(PngWriter.to8Bit(-1f, null)).isZero();
        assertThat(PngWriter.to8Bit(1f, null)).isEqualTo(255);
        assertThat(PngWriter.to8Bit(-7f, null)).isZero();
        assertThat(PngWriter.to8Bit(3f, null)).isEqualTo(255);
        assertThat(PngWriter.to8Bit(0f, null)).isEqualTo(128); // 127.5 rounds up
        assertThat(PngWriter.to8Bit(2f * 100 / 255 - 1, null)).isEqualTo(100);
        assertThatThrownBy(() -> PngWriter.to8Bit(Float.NaN, dir.resolve("x.png")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("NaN")
                .hasMessageContaining("x.png");
    }

    @Test
    void wrongShapesAreRefused() {
        Path out = dir.resolve("x.png");
        assertThatThrownBy(() -> PngWriter.write(Tensor.ofFloats(new float[16], 4, 2, 2), out))
                .isInstanceOf(ShapeMismatchException.class)
                .hasMessageContaining("image_3HW")
                .hasMessageContaining("[4, 2, 2]");
        assertThatThrownBy(() -> PngWriter.writeGrid(Tensor.ofFloats(new float[12], 3, 2, 2), 2, out))
                .isInstanceOf(ShapeMismatchException.class)
                .hasMessageContaining("images_N3HW");
        assertThat(Files.exists(out)).isFalse();
    }

    @Test
    void failingWritesLeaveNoPartialFile() throws IOException {
        Tensor img = Tensor.ofFloats(ramp(4, 4, 0), 3, 4, 4);
        // the parent "directory" is a regular file
        Path notADir = Files.writeString(dir.resolve("plain-file"), "x");
        assertThatThrownBy(() -> PngWriter.write(img, notADir.resolve("out.png")))
                .isInstanceOf(ArboothException.class)
                .hasMessageContaining("out.png");
        // the target is a non-empty directory: the move fails after the temporary file was written
        Path busy = Files.createDirectory(dir.resolve("busy.png"));
        Files.writeString(busy.resolve("keep"), "x");
        assertThatThrownBy(() -> PngWriter.write(img, busy))
                .isInstanceOf(ArboothException.class)
                .hasMessageContaining("busy.png");
        // a NaN is found before anything is written
        float[] nan = ramp(4, 4, 0);
        nan[5] = Float.NaN;
        assertThatThrownBy(() -> PngWriter.write(Tensor.ofFloats(nan, 3, 4, 4), dir.resolve("nan.png")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(listing()).containsExactly("busy.png", "plain-file");
        assertThat(Files.readString(notADir)).isEqualTo("x");
    }
}
