package dev.arbooth.train.internal;

import dev.arbooth.tensor.Tensor;
import java.util.Arrays;

/**
 * Text features in the compact form the Infinity transformer consumes (official {@code encode_prompt}):
 * the T5 {@code last_hidden_state} rows of each prompt's real tokens, concatenated without padding.
 * Rows {@code [cu[i], cu[i+1])} of {@link #kvCompact()} belong to prompt i, where {@code cu} is {@link
 * #cuSeqlens()}.
 */
public final class TextFeatures {
    private final Tensor kvCompact;
    private final int[] lengths;

    TextFeatures(Tensor kvCompact, int[] lengths) {
        this.kvCompact = kvCompact;
        this.lengths = lengths.clone();
    }

    /**
     * The concatenated features.
     *
     * @return {@code kv_compact_ND}, float32 (N, D) with N = sum of the lengths
     */
    public Tensor kvCompact() {
        return kvCompact;
    }

    /**
     * The token count of each prompt ({@code lens}).
     *
     * @return a copy of the B lengths
     */
    public int[] lengths() {
        return lengths.clone();
    }

    /**
     * Prefix sums of the lengths with a leading 0 ({@code cu_seqlens_k}).
     *
     * @return B + 1 offsets
     */
    public long[] cuSeqlens() {
        long[] cu = new long[lengths.length + 1];
        for (int i = 0; i < lengths.length; i++) {
            cu[i + 1] = cu[i] + lengths[i];
        }
        return cu;
    }

    /**
     * The longest prompt ({@code Ltext}).
     *
     * @return the largest length
     */
    public int maxLength() {
        return Arrays.stream(lengths).max().orElse(0);
    }

    @Override
    public String toString() {
        return "TextFeatures[" + Arrays.toString(kvCompact.shape()) + ", lengths=" + Arrays.toString(lengths) + "]";
    }
}
