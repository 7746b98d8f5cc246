package dev.arbooth.internal.sampling;

import dev.arbooth.ShapeMismatchException;

/**
 * Classifier-free guidance on logits, after the temperature (official {@code autoregressive_infer_cfg} with
 * {@code cfg_insertion_layer=[0]}):
 * {@code logits = cfg * (cond / τ) + (1 - cfg) * (uncond / τ)}.
 *
 * <p>The raw head output holds {@code 2B} rows: conditional rows {@code 0..B-1}, then the unconditional
 * rows {@code B..2B-1} in the same order, each {@code (n, V)}: {@code raw_2BnV} is {@code (2B, n, V)}
 * row-major and the result {@code logits_BnV} is {@code (B, n, V)}. Arithmetic is float32 as in PyTorch:
 * {@code float32(cfg) * (c * float32(1/τ)) + float32(1-cfg) * (u * float32(1/τ))}, with the scalars
 * computed in double first. With {@code cfg == 1} the official code evaluates the conditional rows only,
 * so then {@code logits = cond * float32(1/τ)} and {@code raw_2BnV} may hold just the {@code B}
 * conditional rows. The temperature is applied here and only here: the bit sampler does not divide
 * again.
 */
public final class ClassifierFreeGuidance {
    private ClassifierFreeGuidance() {}

    /**
     * Applies guidance and temperature.
     *
     * @param raw_2BnV {@code (2B, n, V)} raw logits [cond; uncond] ({@code (B, n, V)} suffices when cfg is 1)
     * @param batch B
     * @param n tokens per row (e.g. {@code h*w} of the current scale)
     * @param v logits per token (2d for bit labels)
     * @param cfg the guidance scale (1 = no guidance)
     * @param tau the temperature τ, positive
     * @param logits_BnV receives {@code (B, n, V)}; may not alias {@code raw_2BnV}'s unconditional half
     */
    public static void apply(float[] raw_2BnV, int batch, int n, int v, double cfg, double tau, float[] logits_BnV) {
        if (!(tau > 0) || Double.isInfinite(tau)) {
            throw new IllegalArgumentException("temperature tau must be positive and finite, got " + tau);
        }
        if (!Double.isFinite(cfg)) {
            throw new IllegalArgumentException("cfg must be finite, got " + cfg);
        }
        int half = Math.multiplyExact(Math.multiplyExact(batch, n), v);
        boolean condOnly = cfg == 1.0;
        if (raw_2BnV.length != 2L * half && !(condOnly && raw_2BnV.length == half)) {
            throw ShapeMismatchException.of("raw_2BnV", new long[] {2L * batch, n, v}, new long[] {raw_2BnV.length});
        }
        if (logits_BnV.length < half) {
            throw ShapeMismatchException.of("logits_BnV", new long[] {batch, n, v}, new long[] {logits_BnV.length});
        }
        float inv = (float) (1.0 / tau);
        if (condOnly) {
            for (int i = 0; i < half; i++) {
                logits_BnV[i] = raw_2BnV[i] * inv;
            }
            return;
        }
        float a = (float) cfg;
        float b = (float) (1.0 - cfg);
        for (int i = 0; i < half; i++) {
            logits_BnV[i] = a * (raw_2BnV[i] * inv) + b * (raw_2BnV[half + i] * inv);
        }
    }
}
