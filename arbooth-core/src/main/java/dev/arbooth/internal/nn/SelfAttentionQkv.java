package dev.arbooth.internal.nn;

import java.util.Objects;

/**
 * The self-attention inputs of a block ({@link InfinityNet#blockQkv}): queries after cosine normalisation, the
 * head scale and RoPE, keys after cosine normalisation and RoPE, and values, each {@code (B, L, H, d)}.
 *
 * @param q_BLHd the queries
 * @param k_BLHd the keys
 * @param v_BLHd the values
 * @param <T> the engine's tensor handle
 */
public record SelfAttentionQkv<T>(T q_BLHd, T k_BLHd, T v_BLHd) {
    /**
     * Validates.
     *
     * @param q_BLHd not null
     * @param k_BLHd not null
     * @param v_BLHd not null
     */
    public SelfAttentionQkv {
        Objects.requireNonNull(q_BLHd, "q_BLHd");
        Objects.requireNonNull(k_BLHd, "k_BLHd");
        Objects.requireNonNull(v_BLHd, "v_BLHd");
    }
}
