package dev.arbooth.internal.weights;

import dev.arbooth.ShapeMismatchException;
import dev.arbooth.tensor.Tensor;
import java.util.Arrays;
import java.util.Objects;

/**
 * Fuses a low-rank adaptation into a dense linear weight, engine-free, so that an adapter trained with LoRA
 * stores ordinary tensors under the official names and every engine runs it unchanged: {@code W' = W + scale ·
 * B A} for a layer {@code x Wᵀ + b} with {@code W} {@code (out, in)}, {@code A} {@code (r, in)}, {@code B} {@code
 * (out, r)} and {@code scale = alpha / r}. The bias is not adapted.
 *
 * <p><b>Arithmetic.</b> Each element is {@code float32(W[o,i] + scale · Σ_j B[o,j] · A[j,i])} with the sum and
 * the products in double, in increasing {@code j}, rounded once: the fused weight is the exact value to within
 * half an ulp of float32 (up to the double rounding of the r products), independent of any engine's matmul, so
 * two processes fusing the same factors get the same bytes.
 */
public final class LoraFuse {
    private LoraFuse() {}

    /**
     * Fuses one layer.
     *
     * @param layer the layer's weight key, for messages
     * @param weight_OI the dense weight {@code (out, in)}, floating-point
     * @param a_RI the down projection {@code A} {@code (r, in)}
     * @param b_OR the up projection {@code B} {@code (out, r)}
     * @param scale {@code alpha / r}, finite
     * @return the fused float32 weight {@code (out, in)}
     * @throws ShapeMismatchException naming the layer and the factor whose shape does not fit
     * @throws IllegalArgumentException if the scale is not finite or a tensor is not floating-point
     */
    public static Tensor fuse(String layer, Tensor weight_OI, Tensor a_RI, Tensor b_OR, double scale) {
        Objects.requireNonNull(layer, "layer");
        if (!Double.isFinite(scale)) {
            throw new IllegalArgumentException("LoRA scale of " + layer + " must be finite, got " + scale);
        }
        for (Tensor t : new Tensor[] {weight_OI, a_RI, b_OR}) {
            if (!Objects.requireNonNull(t, layer).dtype().isFloatingPoint()) {
                throw new IllegalArgumentException(
                        "LoRA fuse of " + layer + ": tensors must be floating-point, got " + t);
            }
        }
        long[] w = weight_OI.shape();
        if (w.length != 2) {
            throw new ShapeMismatchException(
                    "LoRA fuse of " + layer + ": the weight must be (out, in), got " + Arrays.toString(w));
        }
        long[] a = a_RI.shape();
        if (a.length != 2 || a[0] < 1 || a[1] != w[1]) {
            throw ShapeMismatchException.of(
                    "LoRA A of " + layer + " (r, in)", new long[] {a.length == 2 ? a[0] : -1, w[1]}, a);
        }
        long[] b = b_OR.shape();
        if (!Arrays.equals(b, new long[] {w[0], a[0]})) {
            throw ShapeMismatchException.of("LoRA B of " + layer + " (out, r)", new long[] {w[0], a[0]}, b);
        }
        int out = Math.toIntExact(w[0]);
        int in = Math.toIntExact(w[1]);
        int r = Math.toIntExact(a[0]);
        float[] wv = weight_OI.toFloatArray();
        float[] av = a_RI.toFloatArray();
        float[] bv = b_OR.toFloatArray();
        float[] fused = new float[wv.length];
        double[] row = new double[in];
        for (int o = 0; o < out; o++) {
            Arrays.fill(row, 0);
            for (int j = 0; j < r; j++) {
                double bj = bv[o * r + j];
                int aj = j * in;
                for (int i = 0; i < in; i++) {
                    row[i] += bj * av[aj + i];
                }
            }
            int wo = o * in;
            for (int i = 0; i < in; i++) {
                fused[wo + i] = (float) (wv[wo + i] + scale * row[i]);
            }
        }
        return Tensor.ofFloats(fused, w);
    }
}
