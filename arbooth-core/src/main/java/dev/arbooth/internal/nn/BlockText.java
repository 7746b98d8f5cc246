package dev.arbooth.internal.nn;

/**
 * One block's share of the text conditioning ({@link InfinityText#block(int)}): what its AdaLN and its
 * cross-attention read.
 *
 * @param gss_R16C the shared AdaLN output of the rows, {@code (R, 1, 6, C)}
 * @param cross the block's cross-attention keys and values of the compact text tokens
 * @param textBias_R11N the additive bias keeping every row on its own tokens, {@code (R, 1, 1, N)}
 * @param <T> the engine's tensor handle
 */
public record BlockText<T>(T gss_R16C, CrossKv<T> cross, T textBias_R11N) {}
