/**
 * The engine-free math of bitwise next-scale sampling, shared by the training backend and the runtime.
 *
 * <p>One sampling loop, whatever engine runs the transformer step:
 * <pre>{@code
 * CodeAccumulator acc = CodeAccumulator.create(schedule, B, d);          // Resize.AREA for ARBooth's variant
 * BitSampler sampler = BitSampler.create(options, B);
 * for (int k = 0; k < S; k++) {
 *     float[] raw = engine.step(k, k == 0 ? null : input);              // (2B, h_k*w_k, 2d): [cond; uncond]
 *     sampler.sampleGuided(raw, k, h_k * w_k, d, bits);                  // CFG with cfg/τ of scale k, top-k/top-p
 *     acc.addBits(bits);                                                 // (B, h_k, w_k, d)
 *     if (k < S - 1) acc.nextInput(input, h_{k+1} * w_{k+1}, 0);        // (B, h_{k+1}*w_{k+1}, d)
 * }
 * float[] vaeInput = acc.summedCodes();                                  // (B, d, H, W)
 * }</pre>
 * Training builds its inputs from ground-truth bits with the same pieces ({@link
 * dev.arbooth.sampling.TeacherForcing}).
 *
 * <p>Everything works on plain {@code float[]}/{@code long[]} arrays in row-major order whose layout is in
 * the parameter names ({@code logits_BnV}, {@code codes_BdHW}, {@code bits_BhwD}, ...) and Javadoc. The
 * arithmetic follows the official PyTorch code in float32 (see {@code ../shared/golden/infinity-set1/README.md},
 * sections 3 and 4.4–4.5) and matches its tensors to the tolerances the tests state.
 */
package dev.arbooth.sampling;
