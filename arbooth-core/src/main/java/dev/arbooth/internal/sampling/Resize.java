package dev.arbooth.internal.sampling;

import dev.arbooth.ShapeMismatchException;

/**
 * The spatial resizes of next-scale prediction, on planes of {@code (h, w)} values.
 *
 * <p>All operate on the official 5-D layout {@code (B, d, 1, h, w)} whose time axis is 1 → 1, so they are
 * 2-D resizes of each of the {@code B*d} planes, computed exactly as PyTorch's (1.13) CPU kernels do,
 * rounding included: trilinear has two constants because PyTorch's result depends on the memory format of
 * the tensor by an ulp ({@link #TRILINEAR} for contiguous tensors, as in training;
 * {@link #TRILINEAR_CHANNELS_LAST} for channels-last ones, as in inference). Trilinear uses
 * {@link Math#fma}, which is fast where the CPU has fused multiply-add (every x86-64 since 2013, AArch64).
 * No method allocates per element; the per-axis index and weight tables (a few values per output row and
 * column) are computed once per call.
 *
 * <p>Layouts: {@code src_NHW}/{@code dst_NHW} hold {@code n} planes of {@code H x W}, row-major, one after the
 * other (so {@code (B, d, h, w)} is {@code n = B*d} planes). {@link #toTokens} writes the transposed
 * token layout {@code (B, h*w, d)} used as the transformer's next-scale input.
 */
public enum Resize {
    /**
     * {@code F.interpolate(mode="trilinear", align_corners=False)} as PyTorch's CPU kernel computes it for
     * contiguous (channels-first) tensors, which is what the official training inputs ({@code flip_requant})
     * see. Bilinear over {@code (h, w)}; per axis: {@code scale = float32(in)/float32(out)},
     * {@code src = scale*(dst+0.5) - 0.5} evaluated in double and clamped at 0,
     * {@code i0 = min(floor(src), in-1)}, {@code i1 = min(i0+1, in-1)}, {@code λ = float32(clamp(src-i0, 0, 1))},
     * weights {@code (1-λ, λ)} in float32; an axis whose size does not change is copied. A value is
     * {@code fma(t0, wh0, t1*wh1)} with {@code t0 = fma(x[h0,w0], ww0, x[h0,w1]*ww1)} and
     * {@code t1 = fma(x[h1,w0], ww0, x[h1,w1]*ww1)} (PyTorch's compiled kernel fuses these multiply-adds).
     * Used for up- and down-sizing alike (no antialiasing).
     */
    TRILINEAR,
    /**
     * The same interpolation as {@link #TRILINEAR} (same indices and weights) as PyTorch's CPU kernel computes
     * it for channels-last tensors, which is what official inference sees (its codes are a permuted view):
     * {@code fma(x00, w00, fma(x01, w01, fma(x10, w10, x11*w11)))} with the corner weights
     * {@code wij = whi*wwj} rounded to float32. It differs from {@link #TRILINEAR} by at most an ulp or so
     * per value.
     */
    TRILINEAR_CHANNELS_LAST,
    /**
     * {@code F.interpolate(mode="area")} = adaptive average pooling: output cell {@code i} of an axis averages
     * input cells {@code [floor(i*in/out), ceil((i+1)*in/out))}; the window is summed in float32 row by row
     * and divided by its height, then by its width ({@code sum / kH / kW}, PyTorch's order).
     */
    AREA;

    /**
     * Resizes {@code n} planes: {@code dst_NHW = resize(src_NHW)}.
     *
     * @param src_NHW {@code n} planes of {@code inH x inW}
     * @param n the number of planes (e.g. {@code B*d})
     * @param inH input rows
     * @param inW input columns
     * @param dst_NHW receives {@code n} planes of {@code outH x outW}
     * @param outH output rows
     * @param outW output columns
     */
    public void apply(float[] src_NHW, int n, int inH, int inW, float[] dst_NHW, int outH, int outW) {
        run(src_NHW, n, inH, inW, dst_NHW, outH, outW, false);
    }

    /**
     * Resizes {@code n} planes and adds them: {@code dst_NHW += resize(src_NHW)} (the resized value is
     * rounded to float32 before the addition, as {@code summed += F.interpolate(...)} does).
     *
     * @param src_NHW {@code n} planes of {@code inH x inW}
     * @param n the number of planes
     * @param inH input rows
     * @param inW input columns
     * @param dst_NHW {@code n} planes of {@code outH x outW}, added to
     * @param outH output rows
     * @param outW output columns
     */
    public void accumulate(float[] src_NHW, int n, int inH, int inW, float[] dst_NHW, int outH, int outW) {
        run(src_NHW, n, inH, inW, dst_NHW, outH, outW, true);
    }

    /**
     * Resizes {@code (B, d, inH, inW)} to {@code (outH, outW)} and writes it in token layout: token
     * {@code oh*outW + ow} of row {@code b} gets the {@code d} resized values, at
     * {@code dst_BLd[(b*dstTokens + tokenOffset + oh*outW + ow)*d + c]}. This is the official
     * {@code interpolate(...).squeeze(-3).reshape(B, d, -1).permute(0, 2, 1)}.
     *
     * @param src_BdHW {@code (B, d, inH, inW)}
     * @param batch B
     * @param d channels (bits per token)
     * @param inH input rows
     * @param inW input columns
     * @param dst_BLd {@code (B, dstTokens, d)}
     * @param dstTokens tokens per batch row of {@code dst_BLd}
     * @param tokenOffset the first token written in each batch row
     * @param outH output rows
     * @param outW output columns
     */
    public void toTokens(
            float[] src_BdHW,
            int batch,
            int d,
            int inH,
            int inW,
            float[] dst_BLd,
            int dstTokens,
            int tokenOffset,
            int outH,
            int outW) {
        int outHW = checkSizes(batch * d, inH, inW, outH, outW);
        need("src_BdHW", src_BdHW, (long) batch * d * inH * inW);
        if (tokenOffset < 0 || (long) tokenOffset + outHW > dstTokens) {
            throw new ShapeMismatchException("dst_BLd: tokens [" + tokenOffset + ", " + ((long) tokenOffset + outHW)
                    + ") do not fit in " + dstTokens + " tokens per row");
        }
        need("dst_BLd", dst_BLd, (long) batch * dstTokens * d);
        Axis ah = axis(inH, outH);
        Axis aw = axis(inW, outW);
        int inHW = inH * inW;
        for (int b = 0; b < batch; b++) {
            for (int c = 0; c < d; c++) {
                int srcOff = (b * d + c) * inHW;
                int dstOff = (b * dstTokens + tokenOffset) * d + c;
                plane(src_BdHW, srcOff, inW, dst_BLd, dstOff, outH, outW, outW * d, d, false, ah, aw);
            }
        }
    }

    private void run(float[] src, int n, int inH, int inW, float[] dst, int outH, int outW, boolean add) {
        int outHW = checkSizes(n, inH, inW, outH, outW);
        need("src_NHW", src, (long) n * inH * inW);
        need("dst_NHW", dst, (long) n * outHW);
        Axis ah = axis(inH, outH);
        Axis aw = axis(inW, outW);
        int inHW = inH * inW;
        for (int p = 0; p < n; p++) {
            plane(src, p * inHW, inW, dst, p * outHW, outH, outW, outW, 1, add, ah, aw);
        }
    }

    private Axis axis(int in, int out) {
        return this == AREA ? Axis.area(in, out) : Axis.linear(in, out);
    }

    private void plane(
            float[] src,
            int srcOff,
            int inW,
            float[] dst,
            int dstOff,
            int outH,
            int outW,
            int strideH,
            int strideW,
            boolean add,
            Axis ah,
            Axis aw) {
        if (this == TRILINEAR) {
            for (int oh = 0; oh < outH; oh++) {
                int row0 = srcOff + ah.lo[oh] * inW;
                int row1 = srcOff + ah.hi[oh] * inW;
                float wh0 = ah.w0[oh];
                float wh1 = ah.w1[oh];
                int o = dstOff + oh * strideH;
                for (int ow = 0; ow < outW; ow++, o += strideW) {
                    int c0 = aw.lo[ow];
                    int c1 = aw.hi[ow];
                    float ww0 = aw.w0[ow];
                    float ww1 = aw.w1[ow];
                    float t0 = Math.fma(src[row0 + c0], ww0, src[row0 + c1] * ww1);
                    float t1 = Math.fma(src[row1 + c0], ww0, src[row1 + c1] * ww1);
                    float v = Math.fma(t0, wh0, t1 * wh1);
                    dst[o] = add ? dst[o] + v : v;
                }
            }
        } else if (this == TRILINEAR_CHANNELS_LAST) {
            for (int oh = 0; oh < outH; oh++) {
                int row0 = srcOff + ah.lo[oh] * inW;
                int row1 = srcOff + ah.hi[oh] * inW;
                float wh0 = ah.w0[oh];
                float wh1 = ah.w1[oh];
                int o = dstOff + oh * strideH;
                for (int ow = 0; ow < outW; ow++, o += strideW) {
                    int c0 = aw.lo[ow];
                    int c1 = aw.hi[ow];
                    float w00 = wh0 * aw.w0[ow];
                    float w01 = wh0 * aw.w1[ow];
                    float w10 = wh1 * aw.w0[ow];
                    float w11 = wh1 * aw.w1[ow];
                    float v = Math.fma(
                            src[row0 + c0],
                            w00,
                            Math.fma(src[row0 + c1], w01, Math.fma(src[row1 + c0], w10, src[row1 + c1] * w11)));
                    dst[o] = add ? dst[o] + v : v;
                }
            }
        } else {
            for (int oh = 0; oh < outH; oh++) {
                int h0 = ah.lo[oh];
                int h1 = ah.hi[oh];
                float kh = h1 - h0;
                int o = dstOff + oh * strideH;
                for (int ow = 0; ow < outW; ow++, o += strideW) {
                    int w0 = aw.lo[ow];
                    int w1 = aw.hi[ow];
                    float sum = 0f;
                    for (int ih = h0; ih < h1; ih++) {
                        int r = srcOff + ih * inW;
                        for (int iw = w0; iw < w1; iw++) {
                            sum += src[r + iw];
                        }
                    }
                    float v = sum / kh / (w1 - w0);
                    dst[o] = add ? dst[o] + v : v;
                }
            }
        }
    }

    private static int checkSizes(int n, int inH, int inW, int outH, int outW) {
        if (n < 0 || inH < 1 || inW < 1 || outH < 1 || outW < 1) {
            throw new IllegalArgumentException("resize needs n >= 0 planes and sizes >= 1, got n=" + n + ", " + inH
                    + "x" + inW + " -> " + outH + "x" + outW);
        }
        return Math.multiplyExact(outH, outW);
    }

    private static void need(String what, float[] a, long n) {
        if (a.length < n) {
            throw new ShapeMismatchException(what + ": needs at least " + n + " elements but has " + a.length);
        }
    }

    /**
     * Per-axis tables: for linear, the two source indices {@code lo/hi} and weights {@code w0/w1} of each
     * output index; for area, the window {@code [lo, hi)}.
     */
    private static final class Axis {
        final int[] lo;
        final int[] hi;
        final float[] w0;
        final float[] w1;

        private Axis(int out, boolean weights) {
            lo = new int[out];
            hi = new int[out];
            w0 = weights ? new float[out] : null;
            w1 = weights ? new float[out] : null;
        }

        static Axis linear(int in, int out) {
            Axis a = new Axis(out, true);
            if (in == out) {
                for (int i = 0; i < out; i++) {
                    a.lo[i] = i;
                    a.hi[i] = i;
                    a.w0[i] = 1f;
                    a.w1[i] = 0f;
                }
                return a;
            }
            float scale = (float) in / (float) out;
            for (int i = 0; i < out; i++) {
                double src = (double) scale * (i + 0.5) - 0.5;
                if (src < 0) {
                    src = 0;
                }
                int i0 = Math.min((int) Math.floor(src), in - 1);
                float lambda = (float) Math.min(Math.max(src - i0, 0.0), 1.0);
                a.lo[i] = i0;
                a.hi[i] = i0 < in - 1 ? i0 + 1 : i0;
                a.w1[i] = lambda;
                a.w0[i] = 1f - lambda;
            }
            return a;
        }

        static Axis area(int in, int out) {
            Axis a = new Axis(out, false);
            for (int i = 0; i < out; i++) {
                a.lo[i] = (int) ((long) i * in / out);
                a.hi[i] = (int) (((long) (i + 1) * in + out - 1) / out);
            }
            return a;
        }
    }
}
