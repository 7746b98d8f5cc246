package dev.arbooth.internal.sampling;

import dev.arbooth.ShapeMismatchException;

/**
 * Bits to BSQ codes: the official {@code BSQ.indices_to_codes(bits, "bit_label")}.
 *
 * <p>With {@code s = float32(1/sqrt(d))} (computed in double, used as float32), each bit gives
 * {@code v = float32(bit)*s*2 - s}, which is exactly {@code +s} or {@code -s}; the code is
 * {@code v / max(||v||_2, 1e-12)} over the {@code d} bits of a token. Because every component has the same
 * magnitude, every code component is {@code +c} or {@code -c} with one constant {@code c = }
 * {@link #codeMagnitude(int)} per {@code d}. The squared norm is summed in float32 in index order and its
 * square root rounded correctly: for a power-of-4 {@code d} such as 16 the code is exact ({@code ±0.25});
 * for other {@code d} the float32 norm is 1 only up to rounding, {@code c} is within 2 ulps of {@code s},
 * and PyTorch's own reduction order may give a value one ulp away from ours.
 *
 * <p>Layouts: bits {@code bits_BhwD} are {@code (B, h, w, d)} row-major (the official {@code (B,1,h,w,d)}
 * with the time axis dropped, identical to {@code (B, h*w, d)}, i.e. sequence order inside a scale); codes
 * {@code codes_BdHW} are {@code (B, d, h, w)} row-major (the official {@code (B,d,1,h,w)}).
 */
public final class BitCodes {
    private BitCodes() {}

    /**
     * The magnitude {@code c} of every code component for {@code d} bits per token.
     *
     * @param d bits per token, at least 1
     * @return {@code s / max(sqrt(d * s*s), 1e-12)} in float32 with {@code s = float32(1/sqrt(d))}
     */
    public static float codeMagnitude(int d) {
        if (d < 1) {
            throw new IllegalArgumentException("bits per token d must be at least 1, got " + d);
        }
        float s = (float) (1.0 / Math.sqrt(d));
        float sq = s * s;
        float sum = 0f;
        for (int j = 0; j < d; j++) {
            sum += sq;
        }
        float norm = Math.max((float) Math.sqrt(sum), 1e-12f);
        return s / norm;
    }

    /**
     * Converts the bits of one scale to codes, transposing {@code (B, h, w, d)} to {@code (B, d, h, w)}.
     *
     * @param bits_BhwD bits in {0, 1}, {@code (B, h, w, d)}
     * @param batch B
     * @param h rows of the scale
     * @param w columns of the scale
     * @param d bits per token
     * @param codes_BdHW receives the codes, {@code (B, d, h, w)}; at least {@code B*d*h*w} long (only that
     *     prefix is written)
     * @throws ShapeMismatchException if an array is too short or {@code bits_BhwD} is not exactly
     *     {@code B*h*w*d} long
     * @throws IllegalArgumentException if a bit is neither 0 nor 1
     */
    public static void toCodes(long[] bits_BhwD, int batch, int h, int w, int d, float[] codes_BdHW) {
        int hw = Math.multiplyExact(h, w);
        int n = Math.multiplyExact(Math.multiplyExact(batch, hw), d);
        if (bits_BhwD.length != n) {
            throw ShapeMismatchException.of("bits_BhwD", new long[] {batch, h, w, d}, new long[] {bits_BhwD.length});
        }
        if (codes_BdHW.length < n) {
            throw new ShapeMismatchException("codes_BdHW: needs at least " + n + " elements for (B,d,h,w) = (" + batch
                    + "," + d + "," + h + "," + w + ") but has " + codes_BdHW.length);
        }
        float c = codeMagnitude(d);
        float minus = -c;
        for (int b = 0; b < batch; b++) {
            int inBase = b * hw * d;
            int outBase = b * d * hw;
            for (int p = 0; p < hw; p++) {
                int in = inBase + p * d;
                for (int j = 0; j < d; j++) {
                    long bit = bits_BhwD[in + j];
                    if (bit != 0 && bit != 1) {
                        throw new IllegalArgumentException(
                                "bits_BhwD[" + (in + j) + "] = " + bit + ", expected 0 or 1");
                    }
                    codes_BdHW[outBase + j * hw + p] = bit == 1 ? c : minus;
                }
            }
        }
    }

    /**
     * Converts the bits of one scale to a new code array.
     *
     * @param bits_BhwD bits in {0, 1}, {@code (B, h, w, d)}
     * @param batch B
     * @param h rows of the scale
     * @param w columns of the scale
     * @param d bits per token
     * @return the codes, {@code (B, d, h, w)}
     * @see #toCodes(long[], int, int, int, int, float[])
     */
    public static float[] toCodes(long[] bits_BhwD, int batch, int h, int w, int d) {
        float[] out = new float[bits_BhwD.length];
        toCodes(bits_BhwD, batch, h, w, d, out);
        return out;
    }
}
