package dev.arbooth.internal.nn;

import dev.arbooth.ShapeMismatchException;
import dev.arbooth.config.Scale;
import dev.arbooth.config.ScaleSchedule;
import dev.arbooth.internal.sampling.Resize;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * The multi-scale binary spherical quantizer of the VAE (official {@code MultiScaleBSQ.forward} with its
 * {@code BSQ}, {@code new_quant=True}, no projections, no pre-quantization LayerNorm, no flips or drops),
 * engine-free on float arrays.
 *
 * <p>For features {@code f} of shape {@code (N, d, H, W)} and a schedule of scales {@code (h_k, w_k)}:
 *
 * <ol>
 *   <li>{@code residual = f}, {@code z = 0};
 *   <li>for each scale {@code k}: {@code r = area(residual → (h_k, w_k))} ({@link Resize#AREA}; not resized
 *       when the scale is the full size); per position, {@code x = r / max(||r||₂, 1e-12)} over the {@code d}
 *       channels; {@code ẑ = (x > 0 ? 1 : -1) · float32(1/sqrt(d))}; {@code q = x + (ẑ - x)} in float32 (the
 *       straight-through value, equal to {@code ẑ} only up to rounding); {@code bits = q > 0};
 *       {@code q↑ = trilinear(q → (H, W))} ({@link Resize#TRILINEAR_CHANNELS_LAST}: the official {@code q} is
 *       a channels-last view), or {@code q} itself at full size; {@code residual -= q↑}; {@code z += q↑}.
 * </ol>
 *
 * <p>This runs outside the op graph on purpose: encoding an image to bits has no gradient in ARBooth (the
 * VAE is frozen, its bits are targets), the resizes must be bit-exact to PyTorch's kernels (which {@link
 * Resize} is, and which an engine's own resize need not be), and inference never encodes, so there is
 * nothing to export to ONNX. Not thread-safe per instance; instances are cheap.
 */
public final class MultiScaleBsq {
    private final int d;
    private final float scale;

    private MultiScaleBsq(int d) {
        if (d < 1) {
            throw new IllegalArgumentException("codebook dimension d must be at least 1, got " + d);
        }
        this.d = d;
        this.scale = (float) (1.0 / Math.sqrt(d));
    }

    /**
     * A quantizer for {@code d}-channel features.
     *
     * @param d channels = bits per code
     * @return the quantizer
     */
    public static MultiScaleBsq create(int d) {
        return new MultiScaleBsq(d);
    }

    /**
     * The result of {@link #encode}.
     *
     * @param batch N
     * @param d bits per code
     * @param height latent rows H
     * @param width latent columns W
     * @param schedule the scales
     * @param features_NdHW the quantizer's input (the encoder's raw features), {@code (N, d, H, W)}
     * @param bits per scale {@code k}, the bits {@code (N, h_k, w_k, d)} row-major (0 or 1)
     * @param quantized_NdHW {@code z}: the sum over scales of the upsampled straight-through codes, {@code (N,
     *     d, H, W)}, what the official encoder hands its decoder
     */
    public record Encoding(
            int batch,
            int d,
            int height,
            int width,
            ScaleSchedule schedule,
            float[] features_NdHW,
            List<long[]> bits,
            float[] quantized_NdHW) {
        /**
         * Freezes the bit list.
         *
         * @param batch N
         * @param d bits per code
         * @param height H
         * @param width W
         * @param schedule the scales
         * @param features_NdHW the raw features
         * @param bits per-scale bits
         * @param quantized_NdHW z
         */
        public Encoding {
            Objects.requireNonNull(schedule, "schedule");
            Objects.requireNonNull(features_NdHW, "features_NdHW");
            bits = Collections.unmodifiableList(new ArrayList<>(bits));
            Objects.requireNonNull(quantized_NdHW, "quantized_NdHW");
        }
    }

    /**
     * Quantizes features at every scale of a schedule.
     *
     * @param features_NdHW the encoder output {@code (N, d, H, W)}, row-major; not modified (the result refers
     *     to it)
     * @param batch N
     * @param height H
     * @param width W
     * @param schedule the scales, none larger than {@code H × W}
     * @return the bits of every scale and the quantized sum
     * @throws ShapeMismatchException if the array length is not {@code N*d*H*W}
     * @throws IllegalArgumentException if a scale is larger than the latent grid
     */
    public Encoding encode(float[] features_NdHW, int batch, int height, int width, ScaleSchedule schedule) {
        Objects.requireNonNull(schedule, "schedule");
        if (batch < 1 || height < 1 || width < 1) {
            throw new IllegalArgumentException(
                    "batch and latent sizes must be at least 1, got N=" + batch + ", " + height + "x" + width);
        }
        int hw = Math.multiplyExact(height, width);
        int planes = Math.multiplyExact(batch, d);
        long n = (long) planes * hw;
        if (features_NdHW.length != n) {
            throw ShapeMismatchException.of(
                    "features_NdHW", new long[] {batch, d, height, width}, new long[] {features_NdHW.length});
        }
        for (Scale s : schedule.scales()) {
            if (s.h() > height || s.w() > width) {
                throw new IllegalArgumentException(
                        "Scale " + s + " is larger than the " + height + "x" + width + " latent grid: " + schedule);
            }
        }
        float[] residual = features_NdHW.clone();
        float[] z = new float[residual.length];
        int maxTokens = schedule.scales().stream().mapToInt(Scale::tokens).max().orElseThrow();
        float[] r = new float[planes * maxTokens];
        float[] up = new float[residual.length];
        List<long[]> bits = new ArrayList<>(schedule.size());
        for (Scale s : schedule.scales()) {
            boolean full = s.h() == height && s.w() == width;
            int tokens = s.tokens();
            if (full) {
                System.arraycopy(residual, 0, r, 0, residual.length);
            } else {
                Resize.AREA.apply(residual, planes, height, width, r, s.h(), s.w());
            }
            long[] b = new long[batch * tokens * d];
            quantize(r, batch, tokens, b);
            bits.add(b);
            float[] q;
            if (full) {
                q = r;
            } else {
                Resize.TRILINEAR_CHANNELS_LAST.apply(r, planes, s.h(), s.w(), up, height, width);
                q = up;
            }
            for (int i = 0; i < residual.length; i++) {
                residual[i] -= q[i];
                z[i] += q[i];
            }
        }
        return new Encoding(batch, d, height, width, schedule, features_NdHW, bits, z);
    }

    /**
     * Quantizes {@code (N, d, T)} in place to the straight-through values and writes the bits {@code (N, T,
     * d)}.
     */
    private void quantize(float[] r_NdT, int batch, int tokens, long[] bits_NTd) {
        for (int b = 0; b < batch; b++) {
            int base = b * d * tokens;
            for (int t = 0; t < tokens; t++) {
                float sumSq = 0f;
                for (int c = 0; c < d; c++) {
                    float v = r_NdT[base + c * tokens + t];
                    sumSq += v * v;
                }
                float norm = Math.max((float) Math.sqrt(sumSq), 1e-12f);
                int bitBase = (b * tokens + t) * d;
                for (int c = 0; c < d; c++) {
                    int i = base + c * tokens + t;
                    float x = r_NdT[i] / norm;
                    float zhat = x > 0 ? scale : -scale;
                    float q = x + (zhat - x);
                    r_NdT[i] = q;
                    bits_NTd[bitBase + c] = q > 0 ? 1L : 0L;
                }
            }
        }
    }
}
