package dev.arbooth.internal.nn;

/**
 * How the text tokens of R prompt rows are laid out for attention to them (the attentive pool and every block's
 * cross-attention). Both give the same conditioning up to float rounding; they differ in cost.
 */
public enum TextLayout {
    /**
     * The {@code N} tokens of all rows concatenated without padding, keys shared by every row and an additive
     * bias {@code (R, 1, 1, N)} that keeps each row on its own tokens (the official varlen layout). Every row
     * scores all {@code N} tokens: cheap for a few rows (sampling, CFG), about R times the work for many.
     */
    COMPACT,

    /**
     * Every row's tokens padded to the longest prompt's {@code M}, keys and values per row ({@code (R, H, hd, M)}
     * and {@code (R, H, M, hd)}) and a bias {@code (R, 1, 1, M)} that masks the padding: each row scores only
     * {@code M} tokens. For training batches of many rows (the toy base's pretraining: 32 rows of about 12 tokens
     * score 12 tokens per query instead of 384).
     */
    PER_ROW
}
