package dev.arbooth.internal.nn;

import java.util.List;

/**
 * The self-attention KV cache of KV-cached next-scale inference (README 4.5), as explicit tensors so that a
 * graph can take it as inputs and return it as outputs: per block, the keys and values of every token of the
 * scales run so far ({@link LayerKv}, in the engine's layout {@link Ops#kvCacheShape}: {@code (R, H, tokens,
 * hd)} on DJL, {@code (R, tokens, H·hd)} in the ONNX graphs).
 *
 * @param scales how many scales the cache holds (0 = empty, before scale 0)
 * @param tokens how many tokens per row the cache holds ({@code offset(scales)} of the schedule)
 * @param layers per block, its keys and values; empty when {@code scales == 0}
 * @param <T> the engine's tensor handle
 */
public record InfinityKvCache<T>(int scales, int tokens, List<LayerKv<T>> layers) {
    /**
     * Validates and copies the list.
     *
     * @param scales at least 0
     * @param tokens at least 0, 0 exactly when {@code scales} is 0
     * @param layers per-block keys and values (empty exactly when {@code scales} is 0)
     */
    public InfinityKvCache {
        layers = List.copyOf(layers);
        if (scales < 0 || tokens < 0 || (scales == 0) != (tokens == 0)) {
            throw new IllegalArgumentException("inconsistent cache: " + scales + " scales, " + tokens + " tokens");
        }
        if ((scales == 0) != layers.isEmpty()) {
            throw new IllegalArgumentException(
                    "a cache of " + scales + " scales must " + (scales == 0 ? "not " : "") + "hold tensors");
        }
    }

    /**
     * The empty cache, before scale 0.
     *
     * @param <T> the engine's tensor handle
     * @return a cache of 0 scales
     */
    public static <T> InfinityKvCache<T> empty() {
        return new InfinityKvCache<>(0, 0, List.of());
    }

    /**
     * Block {@code i}'s keys and values.
     *
     * @param i the block
     * @return its cache, or {@code null} for the empty cache
     */
    public LayerKv<T> layer(int i) {
        return scales == 0 ? null : layers.get(i);
    }
}
