package dev.arbooth.internal.sampling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.arbooth.ShapeMismatchException;
import dev.arbooth.testing.Golden;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ResizeTest {
    private static final int[][] SIZES = {{1, 1}, {2, 2}, {3, 5}, {6, 6}, {12, 8}, {16, 16}, {7, 13}};

    private static float[] random(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return x;
    }

    /** align_corners=False bilinear in double, straight from the formula (no shared code with Resize). */
    private static double bilinear(float[] x, int off, int inH, int inW, int oh, int ow, int outH, int outW) {
        double[] h = weights(inH, outH, oh);
        double[] w = weights(inW, outW, ow);
        int h0 = (int) h[0];
        int h1 = (int) h[1];
        int w0 = (int) w[0];
        int w1 = (int) w[1];
        return (1 - h[2]) * ((1 - w[2]) * x[off + h0 * inW + w0] + w[2] * x[off + h0 * inW + w1])
                + h[2] * ((1 - w[2]) * x[off + h1 * inW + w0] + w[2] * x[off + h1 * inW + w1]);
    }

    private static double[] weights(int in, int out, int i) {
        double src = Math.max((double) ((float) in / (float) out) * (i + 0.5) - 0.5, 0); // float32 scale
        int i0 = Math.min((int) Math.floor(src), in - 1);
        int i1 = Math.min(i0 + 1, in - 1);
        return new double[] {i0, i1, Math.min(src - i0, 1)};
    }

    @Test
    void trilinearIsBilinearWithAlignCornersFalse() {
        for (Resize mode : new Resize[] {Resize.TRILINEAR, Resize.TRILINEAR_CHANNELS_LAST}) {
            for (int[] in : SIZES) {
                for (int[] out : SIZES) {
                    int n = 3;
                    float[] x = random(n * in[0] * in[1], in[0] * 31L + in[1]);
                    float[] y = new float[n * out[0] * out[1]];
                    mode.apply(x, n, in[0], in[1], y, out[0], out[1]);
                    for (int p = 0; p < n; p++) {
                        for (int oh = 0; oh < out[0]; oh++) {
                            for (int ow = 0; ow < out[1]; ow++) {
                                double e = bilinear(x, p * in[0] * in[1], in[0], in[1], oh, ow, out[0], out[1]);
                                assertThat((double) y[(p * out[0] + oh) * out[1] + ow])
                                        .as("%s %dx%d -> %dx%d", mode, in[0], in[1], out[0], out[1])
                                        .isCloseTo(e, org.assertj.core.data.Offset.offset(1e-6));
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void trilinearHandCases() {
        // 4x4 -> 2x2 (scale 2): src = 0.5 and 2.5, i.e. the mean of each 2x2 block.
        float[] x = new float[16];
        for (int i = 0; i < 16; i++) {
            x[i] = i;
        }
        float[] y = new float[4];
        Resize.TRILINEAR.apply(x, 1, 4, 4, y, 2, 2);
        assertThat(y).containsExactly(2.5f, 4.5f, 10.5f, 12.5f);
        // 1x1 -> 3x3 repeats the value; equal sizes copy.
        float[] up = new float[9];
        Resize.TRILINEAR_CHANNELS_LAST.apply(new float[] {0.25f}, 1, 1, 1, up, 3, 3);
        assertThat(up).containsOnly(0.25f);
        float[] same = new float[16];
        Resize.TRILINEAR.apply(x, 1, 4, 4, same, 4, 4);
        assertThat(same).containsExactly(x);
    }

    @Test
    void areaAveragesAdaptiveWindows() {
        for (int[] in : SIZES) {
            for (int[] out : SIZES) {
                float[] x = random(in[0] * in[1], 5);
                float[] y = new float[out[0] * out[1]];
                Resize.AREA.apply(x, 1, in[0], in[1], y, out[0], out[1]);
                for (int oh = 0; oh < out[0]; oh++) {
                    int h0 = Math.floorDiv(oh * in[0], out[0]);
                    int h1 = -Math.floorDiv(-(oh + 1) * in[0], out[0]);
                    for (int ow = 0; ow < out[1]; ow++) {
                        int w0 = Math.floorDiv(ow * in[1], out[1]);
                        int w1 = -Math.floorDiv(-(ow + 1) * in[1], out[1]);
                        double s = 0;
                        for (int i = h0; i < h1; i++) {
                            for (int j = w0; j < w1; j++) {
                                s += x[i * in[1] + j];
                            }
                        }
                        assertThat((double) y[oh * out[1] + ow])
                                .isCloseTo(s / ((h1 - h0) * (w1 - w0)), org.assertj.core.data.Offset.offset(1e-6));
                    }
                }
            }
        }
        // 16 -> 6 windows overlap: [0,3), [2,6), [5,8), [8,11), [10,14), [13,16).
        float[] ramp = new float[16];
        for (int i = 0; i < 16; i++) {
            ramp[i] = i;
        }
        float[] y = new float[6];
        Resize.AREA.apply(ramp, 1, 1, 16, y, 1, 6);
        assertThat(y).containsExactly(1f, 3.5f, 6f, 9f, 11.5f, 14f);
    }

    @Test
    void accumulateAddsAndToTokensTransposes() {
        int batch = 2;
        int d = 3;
        float[] x = random(batch * d * 4 * 4, 9);
        for (Resize mode : Resize.values()) {
            float[] planes = new float[batch * d * 6];
            mode.apply(x, batch * d, 4, 4, planes, 2, 3);
            float[] acc = new float[planes.length];
            java.util.Arrays.fill(acc, 1f);
            mode.accumulate(x, batch * d, 4, 4, acc, 2, 3);
            for (int i = 0; i < acc.length; i++) {
                assertThat(acc[i]).isEqualTo(1f + planes[i]);
            }
            // Into tokens 1..6 of rows of 8 tokens.
            float[] tokens = new float[batch * 8 * d];
            mode.toTokens(x, batch, d, 4, 4, tokens, 8, 1, 2, 3);
            float[] expected = SamplingGolden.toTokens(planes, batch, d, 6);
            for (int b = 0; b < batch; b++) {
                for (int t = 0; t < 6; t++) {
                    for (int c = 0; c < d; c++) {
                        assertThat(tokens[(b * 8 + 1 + t) * d + c]).isEqualTo(expected[(b * 6 + t) * d + c]);
                    }
                }
                assertThat(tokens[b * 8 * d]).isZero();
                assertThat(tokens[(b * 8 + 7) * d]).isZero();
            }
        }
        assertThat(Golden.maxAbsDiff(new float[] {1f}, new float[] {1f})).isZero();
    }

    @Test
    void rejectsBadShapes() {
        assertThatThrownBy(() -> Resize.TRILINEAR.apply(new float[3], 1, 2, 2, new float[4], 2, 2))
                .isInstanceOf(ShapeMismatchException.class)
                .hasMessageContaining("src_NHW");
        assertThatThrownBy(() -> Resize.AREA.apply(new float[4], 1, 2, 2, new float[4], 0, 2))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Resize.AREA.toTokens(new float[4], 1, 1, 2, 2, new float[4], 4, 1, 2, 2))
                .isInstanceOf(ShapeMismatchException.class)
                .hasMessageContaining("do not fit");
    }
}
