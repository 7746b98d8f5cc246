package dev.arbooth.toyworld.internal;

import dev.arbooth.toyworld.ToyImage;

/**
 * Turns an image into the network's input: resampled to 64×64 (area averaging with exact fractional
 * coverage when shrinking, bilinear when enlarging; a copy at 64), then scaled to [-1, 1], channel-major.
 */
public final class ProbeInput {
    private ProbeInput() {}

    /**
     * Fills {@code x} (3·64·64 values) from an image.
     *
     * @param img the image, any size
     * @param x the destination
     */
    public static void fill(ToyImage img, float[] x) {
        int n = img.size();
        int m = ProbeNet.SIZE;
        byte[] b = img.bytes();
        int plane = m * m;
        if (n == m) {
            for (int k = 0; k < plane; k++) {
                for (int c = 0; c < 3; c++) {
                    x[c * plane + k] = (b[3 * k + c] & 0xFF) / 127.5f - 1f;
                }
            }
            return;
        }
        double[][] w = weights(n, m);
        double[] tmp = new double[3 * n * m]; // rows resampled: [c][y in n][x in m]
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < n; y++) {
                for (int xo = 0; xo < m; xo++) {
                    double s = 0;
                    double[] wr = w[xo];
                    for (int xi = 0; xi < n; xi++) {
                        if (wr[xi] != 0) {
                            s += wr[xi] * (b[3 * (y * n + xi) + c] & 0xFF);
                        }
                    }
                    tmp[(c * n + y) * m + xo] = s;
                }
            }
        }
        for (int c = 0; c < 3; c++) {
            for (int yo = 0; yo < m; yo++) {
                double[] wr = w[yo];
                for (int xo = 0; xo < m; xo++) {
                    double s = 0;
                    for (int yi = 0; yi < n; yi++) {
                        if (wr[yi] != 0) {
                            s += wr[yi] * tmp[(c * n + yi) * m + xo];
                        }
                    }
                    x[c * plane + yo * m + xo] = (float) (s / 127.5 - 1);
                }
            }
        }
    }

    /** Resampling weights from n to m samples: w[out][in]. */
    private static double[][] weights(int n, int m) {
        double[][] w = new double[m][n];
        if (n > m) {
            double scale = (double) n / m;
            for (int o = 0; o < m; o++) {
                double a = o * scale;
                double b = a + scale;
                for (int i = (int) Math.floor(a); i < Math.min(n, (int) Math.ceil(b)); i++) {
                    double cover = Math.min(b, i + 1) - Math.max(a, i);
                    if (cover > 0) {
                        w[o][i] = cover / scale;
                    }
                }
            }
        } else {
            for (int o = 0; o < m; o++) {
                double src = Math.min(Math.max((o + 0.5) * n / m - 0.5, 0), n - 1);
                int i0 = (int) src;
                int i1 = Math.min(i0 + 1, n - 1);
                double f = src - i0;
                w[o][i0] += 1 - f;
                w[o][i1] += f;
            }
        }
        return w;
    }
}
