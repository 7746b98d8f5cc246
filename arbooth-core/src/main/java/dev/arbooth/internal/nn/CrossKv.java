package dev.arbooth.internal.nn;

import java.util.List;
import java.util.Objects;

/**
 * Keys and values of attention to the text tokens, laid out for {@link Ops#attention}: computed once per prompt set
 * for each block's cross-attention and for the text pool. In the {@link TextLayout#COMPACT} layout the keys are
 * shared by every row ({@code (H, hd, N)}); in the {@link TextLayout#PER_ROW} layout they carry a leading row axis
 * ({@code (R, H, hd, M)}), which {@link Ops#attention}'s batched product broadcasts the same way.
 *
 * @param keys_HcN the keys, transposed for {@code q @ K}, {@code (H, hd, N)} or per row {@code (R, H, hd, M)}
 * @param values_HNc the values, {@code (H, N, hd)} or per row {@code (R, H, M, hd)}
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
     * mat_kv} with the bias {@code cat(zero_k_bias, v_bias)}), then splits and transposes them per head, in either
     * layout.
     *
     * @param ops the engine
     * @param x_NC the text tokens {@code (N, C)}; per row {@code (R·M, C)}, row {@code r}'s tokens (padded) at
     *     {@code [r·M, (r+1)·M)}
     * @param weightKey the official key of the {@code mat_kv} weight {@code (2·H·hd, C)}
     * @param bias_2C the concatenated bias
     * @param heads H
     * @param headDim hd
     * @param rowTokens 0 for the compact layout (keys shared by every row), else M, the tokens of each row
     * @param <T> the engine's tensor handle
     * @return the keys and values: {@code (H, hd, N)} and {@code (H, N, hd)}, or {@code (R, H, hd, M)} and
     *     {@code (R, H, M, hd)}
     * @throws IllegalArgumentException if {@code rowTokens} is negative or does not divide the token count
     */
    public static <T> CrossKv<T> project(
            Ops<T> ops, T x_NC, String weightKey, T bias_2C, int heads, int headDim, int rowTokens) {
        long n = ops.shape(x_NC)[0];
        if (rowTokens < 0 || (rowTokens > 0 && n % rowTokens != 0)) {
            throw new IllegalArgumentException(
                    "rowTokens " + rowTokens + " must be 0 or divide the " + n + " text tokens");
        }
        Var<T> kv = Var.of(ops, x_NC).linear(weightKey, bias_2C);
        if (rowTokens == 0) {
            List<Var<T>> parts = kv.reshape(n, 2, heads, headDim).unbind(1);
            return new CrossKv<>(
                    parts.get(0).permute(1, 2, 0).get(),
                    parts.get(1).permute(1, 0, 2).get());
        }
        List<Var<T>> parts =
                kv.reshape(n / rowTokens, rowTokens, 2, heads, headDim).unbind(2);
        return new CrossKv<>(
                parts.get(0).permute(0, 2, 3, 1).get(),
                parts.get(1).permute(0, 2, 1, 3).get());
    }
}
