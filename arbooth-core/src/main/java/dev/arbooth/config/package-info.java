/**
 * What a base model is made of: the architectures of its three networks, {@link
 * dev.arbooth.config.InfinityConfig} (the transformer), {@link dev.arbooth.config.VaeConfig} (the BSQ VAE) and
 * {@link dev.arbooth.config.T5Config} (the text encoder), each an immutable record with the released models as
 * presets ({@code infinity2b()}, {@code infinityVaeD32()}, {@code flanT5Xl()}) and a builder or wither for
 * variants; and the {@link dev.arbooth.config.ScaleSchedule} of token grids an image is generated through, made
 * from the official table ({@link dev.arbooth.config.ScaleSchedule#official(double, dev.arbooth.config.PixelBudget)})
 * or by hand.
 *
 * <pre>{@code
 * InfinityConfig toy = InfinityConfig.infinity2b().toBuilder().depth(4).embedDim(256).numHeads(4).mlpRatio(4).build();
 * ScaleSchedule s = ScaleSchedule.official(1.0, PixelBudget.MP_0_25);   // 10 scales up to 32x32 tokens
 * }</pre>
 */
package dev.arbooth.config;
