package dev.arbooth.text.internal;

import dev.arbooth.tensor.Tensor;
import java.util.Arrays;

/**
 * A tokenized batch of prompts, right-padded: what a T5 encoder takes ({@code input_ids}, {@code
 * attention_mask}) plus each prompt's token count.
 */
public final class TokenBatch {
    private final Tensor ids;
    private final Tensor mask;
    private final int[] lengths;

    private TokenBatch(Tensor ids, Tensor mask, int[] lengths) {
        this.ids = ids;
        this.mask = mask;
        this.lengths = lengths.clone();
    }

    /**
     * A batch of token ids.
     *
     * @param ids_BS int64 ids {@code (B, S)}, padded
     * @param mask_BS int64 mask {@code (B, S)}: 1 on real tokens, 0 on padding
     * @param lengths the real token count of each row (B values, each at most S)
     * @return the batch
     * @throws dev.arbooth.ShapeMismatchException if the shapes disagree
     */
    public static TokenBatch of(Tensor ids_BS, Tensor mask_BS, int[] lengths) {
        if (ids_BS.rank() != 2 || !Arrays.equals(ids_BS.shape(), mask_BS.shape()) || ids_BS.dim(0) != lengths.length) {
            throw new dev.arbooth.ShapeMismatchException("TokenBatch: ids " + Arrays.toString(ids_BS.shape())
                    + ", mask " + Arrays.toString(mask_BS.shape()) + " and " + lengths.length
                    + " lengths must agree as (B, S), (B, S), B");
        }
        for (int len : lengths) {
            if (len < 0 || len > ids_BS.dim(1)) {
                throw new IllegalArgumentException("TokenBatch: length " + len + " outside [0, " + ids_BS.dim(1) + "]");
            }
        }
        return new TokenBatch(ids_BS, mask_BS, lengths);
    }

    /**
     * The token ids.
     *
     * @return {@code ids_BS}, int64 (B,S): each prompt's tokens (ending with {@code </s>}), then the pad id
     */
    public Tensor ids() {
        return ids;
    }

    /**
     * The attention mask.
     *
     * @return {@code mask_BS}, int64 (B,S): 1 for real tokens, 0 for padding
     */
    public Tensor mask() {
        return mask;
    }

    /**
     * The token count of each prompt ({@code </s>} included).
     *
     * @return a copy of the B lengths
     */
    public int[] lengths() {
        return lengths.clone();
    }

    /**
     * The number of prompts B.
     *
     * @return B
     */
    public int batchSize() {
        return lengths.length;
    }

    /**
     * The padded length S.
     *
     * @return S
     */
    public int sequenceLength() {
        return (int) ids.dim(1);
    }

    /**
     * The ids of one prompt without padding.
     *
     * @param row the prompt index
     * @return its {@code lengths()[row]} ids
     */
    public long[] rowIds(int row) {
        long[] all = ids.toLongArray();
        int s = sequenceLength();
        return Arrays.copyOfRange(all, row * s, row * s + lengths[row]);
    }

    @Override
    public String toString() {
        return "TokenBatch[B=" + batchSize() + ", S=" + sequenceLength() + ", lengths=" + Arrays.toString(lengths)
                + "]";
    }
}
