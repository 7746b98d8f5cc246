package dev.arbooth.internal.nn;

import java.util.Objects;

/**
 * One block's self-attention keys and values of the tokens run so far (after cosine normalisation and RoPE for
 * the keys), in the engine's cache layout {@link Ops#kvCacheShape}: {@code (R, H, tokens, hd)} by default (the
 * DJL backend), {@code (R, tokens, H·hd)} in the ONNX graphs. Opaque to the networks, which only pass it back.
 *
 * @param keys the keys
 * @param values the values, in the same layout
 * @param <T> the engine's tensor handle
 */
public record LayerKv<T>(T keys, T values) {
    /**
     * Validates.
     *
     * @param keys not null
     * @param values not null
     */
    public LayerKv {
        Objects.requireNonNull(keys, "keys");
        Objects.requireNonNull(values, "values");
    }
}
