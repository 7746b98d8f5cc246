package dev.arbooth.internal.nn;

/**
 * The result of {@link Ops#cachedAttention}: the attention output and the cache extended by the new tokens.
 *
 * @param out_BLC the output {@code (B, L, H*d)}
 * @param cache the keys and values of the past and the new tokens, in the engine's layout
 * @param <T> the engine's tensor handle
 */
public record CachedAttention<T>(T out_BLC, LayerKv<T> cache) {}
