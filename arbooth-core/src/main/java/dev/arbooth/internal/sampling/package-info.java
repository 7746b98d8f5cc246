/**
 * The engine-free math of bitwise next-scale sampling, shared by the training backend and the runtime.
 *
 * <p>One sampling loop, whatever engine runs the transformer step: {@link dev.arbooth.internal.sampling.NextScaleLoop}
 * (its {@code run} numbers the stages as below).
 * <pre>{@code
 * for (int k = 0; k < S; k++) {
 *     float[] raw = stepper.step(k, k == 0 ? null : input);             // 1. (2B, h_k*w_k, 2d): [cond; uncond]
 *     ClassifierFreeGuidance.apply(raw, B, n, 2d, cfg_k, tau_k, logits); // 2. guidance and temperature
 *     sampler.sample(logits, n, d, bits);                                // 3. top-k/top-p, seeded bits
 *     acc.addBits(bits);                                                 // 4. running code sum (B, h_k, w_k, d)
 *     if (k < S - 1) input = acc.nextInput();                            //    next scale's input
 * }
 * float[] vaeInput = acc.summedCodes();                                  // (B, d, H, W)
 * }</pre>
 * Training builds its inputs from ground-truth bits with the same pieces ({@link
 * dev.arbooth.internal.sampling.TeacherForcing}).
 *
 * <p>Everything works on plain {@code float[]}/{@code long[]} arrays in row-major order whose layout is in
 * the parameter names ({@code logits_BnV}, {@code codes_BdHW}, {@code bits_BhwD}, ...) and Javadoc. The
 * arithmetic follows the official PyTorch code in float32 (see {@code ../shared/golden/infinity-set1/README.md},
 * sections 3 and 4.4–4.5) and matches its tensors to the tolerances the tests state.
 */
package dev.arbooth.internal.sampling;
