package dev.arbooth.internal.nn;

import java.util.List;
import java.util.Objects;

/**
 * The text conditioning of the Infinity transformer for one set of prompts (README 4.1), computed once per
 * prompt set by {@link InfinityNet#conditionText} and reused by every forward pass and every KV-cached step
 * of a generation.
 *
 * <p>Prompts are held compactly: the {@code N} text tokens of all {@code R} prompt rows concatenated
 * without padding, row {@code r} owning tokens {@code [cu[r], cu[r+1])}. The additive bias {@code
 * textBias_R11N} (0 on a row's own tokens, -inf elsewhere) keeps every row's attention to its own tokens.
 *
 * @param cond_RC the attention-pooled text vector per row ({@code cond_BD}), {@code (R, C)}
 * @param caKv_NC the cross-attention K/V source ({@code text_proj_for_ca} output), {@code (N, C)}
 * @param gss_R16C the shared AdaLN output {@code shared_ada_lin(SiLU(cond))}, {@code (R, 1, 6, C)}
 * @param textBias_R11N additive attention bias over the compact tokens, {@code (R, 1, 1, N)}
 * @param crossKv per block: the cross-attention keys and values of the text tokens
 * @param rows R, the number of prompt rows (B, or 2B with the unconditional rows)
 * @param <T> the engine's tensor handle
 */
public record InfinityText<T>(T cond_RC, T caKv_NC, T gss_R16C, T textBias_R11N, List<CrossKv<T>> crossKv, int rows) {
    /**
     * Validates and copies the list.
     *
     * @param cond_RC the pooled text vectors
     * @param caKv_NC the cross-attention K/V source
     * @param gss_R16C the shared AdaLN output
     * @param textBias_R11N the additive text bias
     * @param crossKv per-block keys and values
     * @param rows at least 1
     */
    public InfinityText {
        Objects.requireNonNull(cond_RC, "cond_RC");
        Objects.requireNonNull(caKv_NC, "caKv_NC");
        Objects.requireNonNull(gss_R16C, "gss_R16C");
        Objects.requireNonNull(textBias_R11N, "textBias_R11N");
        crossKv = List.copyOf(crossKv);
        if (rows < 1) {
            throw new IllegalArgumentException("rows must be at least 1, got " + rows);
        }
    }

    /**
     * What block {@code i} reads of the conditioning.
     *
     * @param i the block
     * @return the shared AdaLN output, the block's cross-attention keys and values, the text bias
     */
    public BlockText<T> block(int i) {
        return new BlockText<>(gss_R16C, crossKv.get(i), textBias_R11N);
    }
}
