package dev.arbooth.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import org.junit.jupiter.api.Test;

/** The resampling filter itself: exact box means, identity at ratio 1, antialiasing, mean preservation. */
class ResamplerTest {
    private static SrgbRows grey(int w, int h, java.util.function.IntBinaryOperator value) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.getRaster().setSample(x, y, 0, value.applyAsInt(x, y));
            }
        }
        return SrgbRows.of(img);
    }

    @Test
    void integerRatioIsTheExactBlockMean() {
        SrgbRows rows = grey(12, 12, (x, y) -> (x * 17 + y * 31) % 256);
        float[] out = Resampler.coverCrop(rows, Orientation.NORMAL, 4, 4);
        for (int oy = 0; oy < 4; oy++) {
            for (int ox = 0; ox < 4; ox++) {
                double s = 0;
                for (int y = 0; y < 3; y++) {
                    for (int x = 0; x < 3; x++) {
                        s += ((ox * 3 + x) * 17 + (oy * 3 + y) * 31) % 256;
                    }
                }
                assertThat(Math.abs(out[oy * 4 + ox] - s / 9 / 255)).isLessThan(1e-6);
            }
        }
    }

    @Test
    void ratioOneCopiesAndCropsTheCentreOnWholePixels() {
        // 65 columns -> 64: offset floor(1 / 2) = 0, an exact copy of columns 0..63 (no half-pixel blur)
        SrgbRows rows = grey(65, 64, (x, y) -> (x * 7 + y) % 256);
        float[] out = Resampler.coverCrop(rows, Orientation.NORMAL, 64, 64);
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 64; x++) {
                assertThat(out[y * 64 + x]).isEqualTo(((x * 7 + y) % 256) / 255f);
            }
        }
    }

    @Test
    void fractionalRatioIsAntialiasedAndKeepsTheMean() {
        // a one-pixel checkerboard shrunk by 7.3: nearest neighbour or one-step bilinear would alias to
        // black/white patterns; area averaging gives mid grey everywhere
        SrgbRows rows = grey(365, 365, (x, y) -> ((x + y) & 1) == 0 ? 0 : 255);
        float[] out = Resampler.coverCrop(rows, Orientation.NORMAL, 50, 50);
        for (int i = 0; i < 2500; i++) {
            assertThat(Math.abs(out[i] - 0.5f)).isLessThan(0.02f);
        }
        // mean preservation on a smooth image whose crop is the whole image
        SrgbRows smooth = grey(300, 300, (x, y) -> (x * x + 3 * y) % 256);
        float[] small = Resampler.coverCrop(smooth, Orientation.NORMAL, 37, 37);
        double want = 0;
        for (int y = 0; y < 300; y++) {
            for (int x = 0; x < 300; x++) {
                want += ((x * x + 3 * y) % 256) / 255.0;
            }
        }
        want /= 300 * 300;
        double got = 0;
        for (int i = 0; i < 37 * 37; i++) {
            got += small[i];
        }
        assertThat(Math.abs(got / (37 * 37) - want)).isLessThan(1e-5);
    }

    @Test
    void weightsSumToOneAndStayInsideTheSource() {
        for (double scale : new double[] {0.1, 0.37, 0.5, 0.999, 1.0, 1.5, 3.0}) {
            int src = 101;
            int out = (int) Math.floor(src * scale);
            Resampler.AxisWeights w = Resampler.AxisWeights.of(src, out, scale, 0.0);
            assertThat(w.first()).isGreaterThanOrEqualTo(0);
            assertThat(w.end()).isLessThanOrEqualTo(src);
            for (int i = 0; i < out; i++) {
                double sum = 0;
                for (int k = 0; k < w.count[i]; k++) {
                    assertThat(w.weights[i * w.taps + k]).isGreaterThanOrEqualTo(0f);
                    sum += w.weights[i * w.taps + k];
                }
                assertThat(Math.abs(sum - 1))
                        .as("scale %s, output %d", scale, i)
                        .isLessThan(1e-6);
            }
        }
    }
}
