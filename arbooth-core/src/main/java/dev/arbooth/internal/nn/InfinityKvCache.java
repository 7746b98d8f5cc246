package dev.arbooth.internal.nn;

import java.util.List;

/**
 * The self-attention KV cache of KV-cached next-scale inference (README 4.5), as explicit tensors so that a
 * graph can take it as inputs and return it as outputs: per block, the keys and values of every token of
 * the scales run so far, after cosine normalisation and RoPE (keys) exactly as attention uses them.
 *
 * @param scales how many scales the cache holds (0 = empty, before scale 0)
 * @param tokens how many tokens per row the cache holds ({@code offset(scales)} of the schedule)
 * @param keys_RHlc per block, {@code (R, H, tokens, hd)} in the engine's layout ({@link Ops#cachedAttention}:
 *     ONNX graphs keep {@code (R, tokens, H*hd)}); empty when {@code scales == 0}
 * @param values_RHlc per block, like the keys; empty when {@code scales == 0}
 * @param <T> the engine's tensor handle
 */
public record InfinityKvCache<T>(int scales, int tokens, List<T> keys_RHlc, List<T> values_RHlc) {
    /**
     * Validates and copies the lists.
     *
     * @param scales at least 0
     * @param tokens at least 0, 0 exactly when {@code scales} is 0
     * @param keys_RHlc per-block keys (empty or one per block)
     * @param values_RHlc per-block values, as many as keys
     */
    public InfinityKvCache {
        keys_RHlc = List.copyOf(keys_RHlc);
        values_RHlc = List.copyOf(values_RHlc);
        if (scales < 0 || tokens < 0 || (scales == 0) != (tokens == 0)) {
            throw new IllegalArgumentException("inconsistent cache: " + scales + " scales, " + tokens + " tokens");
        }
        if (keys_RHlc.size() != values_RHlc.size()) {
            throw new IllegalArgumentException(
                    "cache holds keys of " + keys_RHlc.size() + " blocks but values of " + values_RHlc.size());
        }
        if ((scales == 0) != keys_RHlc.isEmpty()) {
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
        return new InfinityKvCache<>(0, 0, List.of(), List.of());
    }
}
