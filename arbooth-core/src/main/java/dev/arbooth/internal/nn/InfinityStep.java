package dev.arbooth.internal.nn;

import java.util.Objects;

/**
 * One KV-cached step of next-scale inference (README 4.5): the raw head output of the scale and the cache
 * extended by its tokens.
 *
 * @param logits_RnV the raw logits of the scale's tokens for every prompt row, {@code (R, h*w, V)}, before
 *     temperature and guidance
 * @param cache the cache holding the previous scales and this one
 * @param <T> the engine's tensor handle
 */
public record InfinityStep<T>(T logits_RnV, InfinityKvCache<T> cache) {
    /**
     * Validates.
     *
     * @param logits_RnV the logits
     * @param cache the extended cache
     */
    public InfinityStep {
        Objects.requireNonNull(logits_RnV, "logits_RnV");
        Objects.requireNonNull(cache, "cache");
    }
}
