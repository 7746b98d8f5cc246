package dev.arbooth.image;

import static org.assertj.core.api.Assertions.assertThat;

import dev.arbooth.tensor.DType;
import dev.arbooth.tensor.Tensor;
import dev.arbooth.testing.Golden;
import java.awt.Image;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Every ViCo photo (all subject folders) against an independent reference decoded by the JDK's own JPEG
 * reader (not TwelveMonkeys): channel means of the centre crop for every photo, and for the first photo of
 * each folder every pixel against {@code java.awt}'s area-averaging scaler.
 */
class ImageLoaderVicoTest {
    private static final int SIZE = 256;

    /**
     * Channel means in [-1, 1] units. The reference crop is the centred square of the source, ours is the
     * centred crop rounded to whole output pixels: they differ by at most one output pixel's width of source.
     */
    private static final double MEAN_TOL = 0.01;

    /** Square photos: AWT's 8-bit output rounds to within 0.5/255, i.e. 0.0039 in [-1, 1] units. */
    private static final double SQUARE_MAX_TOL = 0.006;

    /**
     * Non-square photos: the reference resizes to whole pixels (341 for 341.33) before cropping, so its scale
     * differs by up to 0.5 px over the image and edges shift by a fraction of a pixel.
     */
    private static final double NON_SQUARE_MEAN_ABS_TOL = 0.025;

    static List<Path> photos() throws IOException {
        List<Path> out = new ArrayList<>();
        try (Stream<Path> s = Files.walk(Golden.shared().resolve("vico"))) {
            s.filter(p -> p.getFileName().toString().toLowerCase(Locale.ROOT).matches(".*\\.jpe?g"))
                    .sorted()
                    .forEach(out::add);
        }
        return out;
    }

    @Test
    @Tag("slow")
    void everyVicoPhotoLoadsAndMatchesAnIndependentReference() throws IOException {
        List<Path> photos = photos();
        assertThat(photos).as("ViCo photos under " + Golden.shared()).hasSizeGreaterThanOrEqualTo(60);
        ImageLoader loader = ImageLoader.square(SIZE);
        Set<Path> folders = new HashSet<>();
        double worstMean = 0;
        double worstSquareMax = 0;
        double worstNonSquareMad = 0;
        int pixelChecked = 0;
        long t0 = System.nanoTime();
        for (Path photo : photos) {
            Tensor t = loader.load(photo);
            assertThat(t.dtype()).isEqualTo(DType.F32);
            assertThat(t.shape()).containsExactly(3, SIZE, SIZE);
            float[] v = t.toFloatArray();
            float min = Float.MAX_VALUE;
            float max = -Float.MAX_VALUE;
            for (float x : v) {
                min = Math.min(min, x);
                max = Math.max(max, x);
            }
            assertThat(min).as(photo + " min").isGreaterThanOrEqualTo(-1f);
            assertThat(max).as(photo + " max").isLessThanOrEqualTo(1f);
            assertThat(max - min).as(photo + " is not constant").isGreaterThan(0.5f);

            BufferedImage src = TestImages.jdkRead(Files.readAllBytes(photo), "jpeg");
            double[] mean = TestImages.channelMeans(v);
            double[] refMean = centreSquareMeans(src);
            for (int c = 0; c < 3; c++) {
                double d = Math.abs(mean[c] - refMean[c]);
                worstMean = Math.max(worstMean, d);
                assertThat(d).as(photo + " channel " + c + " mean").isLessThan(MEAN_TOL);
            }
            if (folders.add(photo.getParent())) {
                pixelChecked++;
                float[] ref = awtAreaAveraged(src);
                if (src.getWidth() == src.getHeight()) {
                    double d = maxAbsDiff(v, ref);
                    worstSquareMax = Math.max(worstSquareMax, d);
                    assertThat(d).as(photo + " max |diff|").isLessThan(SQUARE_MAX_TOL);
                } else {
                    double d = meanAbsDiff(v, ref);
                    worstNonSquareMad = Math.max(worstNonSquareMad, d);
                    assertThat(d).as(photo + " mean |diff|").isLessThan(NON_SQUARE_MEAN_ABS_TOL);
                }
            }
        }
        assertThat(pixelChecked).isGreaterThanOrEqualTo(12);
        System.out.printf(
                Locale.ROOT,
                "ViCo: %d photos, worst channel-mean diff %.5f; %d compared per pixel with AWT: worst max |diff|"
                        + " (square) %.5f, worst mean |diff| (non-square) %.5f; %.1f s%n",
                photos.size(),
                worstMean,
                pixelChecked,
                worstSquareMax,
                worstNonSquareMad,
                (System.nanoTime() - t0) / 1e9);
    }

    /** Channel means, in [-1, 1] units, of the centred square of side min(w, h). */
    private static double[] centreSquareMeans(BufferedImage src) {
        int side = Math.min(src.getWidth(), src.getHeight());
        int x0 = (src.getWidth() - side) / 2;
        int y0 = (src.getHeight() - side) / 2;
        int[] row = new int[side * 3];
        double[] sum = new double[3];
        for (int y = y0; y < y0 + side; y++) {
            src.getRaster().getPixels(x0, y, side, 1, row);
            for (int i = 0; i < row.length; i++) {
                sum[i % 3] += row[i];
            }
        }
        double n = (double) side * side;
        return new double[] {sum[0] / n / 127.5 - 1, sum[1] / n / 127.5 - 1, sum[2] / n / 127.5 - 1};
    }

    /**
     * AWT area averaging of the whole photo so that its shorter side is SIZE (the longer side rounded to whole
     * pixels), then the centre crop at {@code floor((L - SIZE) / 2)}, to [-1, 1].
     */
    private static float[] awtAreaAveraged(BufferedImage src) {
        int w = src.getWidth();
        int h = src.getHeight();
        int sw = w <= h ? SIZE : (int) Math.round((double) w * SIZE / h);
        int sh = h <= w ? SIZE : (int) Math.round((double) h * SIZE / w);
        Image scaled = src.getScaledInstance(sw, sh, Image.SCALE_AREA_AVERAGING);
        BufferedImage out = new BufferedImage(SIZE, SIZE, BufferedImage.TYPE_INT_RGB);
        out.getGraphics().drawImage(scaled, -(sw - SIZE) / 2, -(sh - SIZE) / 2, null);
        float[] chw = new float[3 * SIZE * SIZE];
        int plane = SIZE * SIZE;
        for (int y = 0; y < SIZE; y++) {
            for (int x = 0; x < SIZE; x++) {
                int rgb = out.getRGB(x, y);
                int i = y * SIZE + x;
                chw[i] = ((rgb >> 16) & 0xFF) / 127.5f - 1f;
                chw[plane + i] = ((rgb >> 8) & 0xFF) / 127.5f - 1f;
                chw[2 * plane + i] = (rgb & 0xFF) / 127.5f - 1f;
            }
        }
        return chw;
    }

    private static double maxAbsDiff(float[] a, float[] b) {
        return Golden.maxAbsDiff(a, b);
    }

    private static double meanAbsDiff(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += Math.abs(a[i] - b[i]);
        }
        return s / a.length;
    }
}
