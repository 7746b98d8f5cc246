package dev.arbooth.internal.nn;

import java.util.List;
import java.util.Objects;

/**
 * Keys and values of attention to the text tokens, laid out for {@link Ops#attention} with keys shared by
 * every row: computed once per prompt set for each block's cross-attention and for the text pool.
 *
 * @param keys_HcN the keys, transposed for {@code q @ K}, {@code (H, hd, N)}
 * @param values_HNc the values, {@code (H, N, hd)}
 * @param <T> the engine's tensor handle
 */
public record CrossKv<T>(T keys_HcN, T values_HNc) {
    /**
     * Validates.
     *
     * @param keys_HcN not null
     * @param values_HNc not null
     */
    public CrossKv {
        Objects.requireNonNull(keys_HcN, "keys_HcN");
        Objects.requireNonNull(values_HNc, "values_HNc");
    }

    /**
     * Projects text tokens to keys and values with one linear layer of {@code 2·H·hd} outputs (official {@code
     * mat_kv} with the bias {@code cat(zero_k_bias, v_bias)}), then splits and transposes them per head.
     *
     * @param ops the engine
     * @param x_NC the text tokens {@code (N, C)}
     * @param weightKey the official key of the {@code mat_kv} weight {@code (2·H·hd, C)}
     * @param bias_2C the concatenated bias
     * @param heads H
     * @param headDim hd
     * @param <T> the engine's tensor handle
     * @return the keys and values
     */
    public static <T> CrossKv<T> project(Ops<T> ops, T x_NC, String weightKey, T bias_2C, int heads, int headDim) {
        long n = ops.shape(x_NC)[0];
        Var<T> kv_N2Hc = Var.of(ops, x_NC).linear(weightKey, bias_2C).reshape(n, 2, heads, headDim);
        List<Var<T>> kv = kv_N2Hc.unbind(1);
        return new CrossKv<>(
                kv.get(0).permute(1, 2, 0).get(), kv.get(1).permute(1, 0, 2).get());
    }
}
