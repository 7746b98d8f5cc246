package dev.arbooth.internal.nn;

/**
 * The result of {@link Ops#addLayerNorm}: the residual stream after an addition and its LayerNorm.
 *
 * @param sum {@code x + delta}
 * @param normed {@code layerNorm(sum)}
 * @param <T> the engine's tensor handle
 */
public record SumNorm<T>(T sum, T normed) {}
