package dev.arbooth.internal.sampling;

/**
 * The engine's part of next-scale sampling: one transformer step per scale, with the prompt features and
 * the KV cache held by the implementation. The DJL backend and the ONNX Runtime backend implement it; the
 * engine-free rest of the loop is {@link NextScaleLoop}.
 *
 * <p>{@link NextScaleLoop} calls {@link #step} for {@code k = 0, 1, ..., S-1} in order; a call with
 * {@code k = 0} starts a new generation (an implementation drops any cache it holds).
 */
@FunctionalInterface
public interface ScaleStepper {
    /**
     * Runs the transformer on the tokens of scale {@code k}.
     *
     * @param k the scale index, 0..S-1, in order
     * @param input_Bnd {@code null} at scale 0 (its token is the start-of-sequence vector); otherwise the
     *     next-scale input {@code (B, h_k*w_k, d)} row-major, shared by a prompt's conditional and
     *     unconditional rows
     * @return the raw head output {@code (R, h_k*w_k, 2d)} row-major: R = 2B rows [conditional;
     *     unconditional] for guidance, or the B conditional rows when the scale's cfg is 1
     */
    float[] step(int k, float[] input_Bnd);
}
