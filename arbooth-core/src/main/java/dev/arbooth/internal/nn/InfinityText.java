package dev.arbooth.internal.nn;

import java.util.List;
import java.util.Objects;

/**
 * The text conditioning of the Infinity transformer for one set of prompts (README 4.1), computed once per
 * prompt set by {@link InfinityNet#conditionText} and reused by every forward pass and every KV-cached step
 * of a generation.
 *
 * <p>Prompts are held in one of two layouts ({@link TextLayout}). Compactly ({@code rowTokens} 0): the {@code N}
 * text tokens of all {@code R} prompt rows concatenated without padding, row {@code r} owning tokens {@code [cu[r],
 * cu[r+1])}; the additive bias {@code textBias_R11N} (0 on a row's own tokens, -inf elsewhere) keeps every row's
 * attention to its own tokens. Per row ({@code rowTokens} M): {@code N = R·M} tokens, row {@code r}'s padded to
 * M at {@code [r·M, (r+1)·M)}, the bias {@code (R, 1, 1, M)} masking the padding.
 *
 * @param cond_RC the attention-pooled text vector per row ({@code cond_BD}), {@code (R, C)}
 * @param caKv_NC the cross-attention K/V source ({@code text_proj_for_ca} output), {@code (N, C)}
 * @param gss_R16C the shared AdaLN output {@code shared_ada_lin(SiLU(cond))}, {@code (R, 1, 6, C)}
 * @param textBias_R11N additive attention bias over the tokens a row scores, {@code (R, 1, 1, N)} or {@code (R, 1,
 *     1, M)}
 * @param crossKv per block: the cross-attention keys and values of the text tokens
 * @param rows R, the number of prompt rows (B, or 2B with the unconditional rows)
 * @param rowTokens 0 for the compact layout, else M, the (padded) tokens of every row
 * @param <T> the engine's tensor handle
 */
public record InfinityText<T>(
        T cond_RC, T caKv_NC, T gss_R16C, T textBias_R11N, List<CrossKv<T>> crossKv, int rows, int rowTokens) {
    /**
     * Validates and copies the list.
     *
     * @param cond_RC the pooled text vectors
     * @param caKv_NC the cross-attention K/V source
     * @param gss_R16C the shared AdaLN output
     * @param textBias_R11N the additive text bias
     * @param crossKv per-block keys and values
     * @param rows at least 1
     * @param rowTokens 0 (compact) or at least 1 (per row)
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
        if (rowTokens < 0) {
            throw new IllegalArgumentException("rowTokens must be 0 (compact) or positive, got " + rowTokens);
        }
    }

    /**
     * Conditioning in the compact layout ({@code rowTokens} 0).
     *
     * @param cond_RC the pooled text vectors
     * @param caKv_NC the cross-attention K/V source
     * @param gss_R16C the shared AdaLN output
     * @param textBias_R11N the additive text bias
     * @param crossKv per-block keys and values
     * @param rows at least 1
     */
    public InfinityText(T cond_RC, T caKv_NC, T gss_R16C, T textBias_R11N, List<CrossKv<T>> crossKv, int rows) {
        this(cond_RC, caKv_NC, gss_R16C, textBias_R11N, crossKv, rows, 0);
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
