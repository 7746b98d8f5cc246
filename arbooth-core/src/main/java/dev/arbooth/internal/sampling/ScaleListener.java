package dev.arbooth.internal.sampling;

/**
 * Observes each scale of a {@link NextScaleLoop} run (progress, debugging, parity tests). The arrays are the
 * loop's buffers, valid only during the call: copy what must outlive it.
 */
@FunctionalInterface
public interface ScaleListener {
    /**
     * Called after the bits of scale {@code k} were sampled.
     *
     * @param k the scale index
     * @param raw_RnV the raw head output the stepper returned, {@code (R, n, 2d)}
     * @param logits_BnV the guided, temperature-scaled logits the bits were sampled from, {@code (B, n, 2d)}
     * @param bits_BnD the sampled bits {@code (B, n, d)}
     */
    void onScale(int k, float[] raw_RnV, float[] logits_BnV, long[] bits_BnD);
}
