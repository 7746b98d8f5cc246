package dev.arbooth.text.internal;

import dev.arbooth.ArboothException;
import dev.arbooth.ShapeMismatchException;
import dev.arbooth.tensor.Tensor;
import dev.arbooth.text.TextFeatures;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Where a subject identifier sits in encoded prompts, and the replacement of its text-encoder rows by a
 * learned identifier embedding (ARBooth: the identifier's T5 output is replaced by a trained embedding,
 * so the frozen text encoder never has to represent the new word).
 *
 * <p>The identifier's token ids ({@link T5Tokenizer#encodeWord}) are searched as a contiguous run in each
 * prompt's real tokens; every occurrence is replaced (a prompt may name the subject twice).
 */
public final class IdentifierRows {
    private IdentifierRows() {}

    /**
     * The start positions of every occurrence of the identifier in each prompt.
     *
     * @param tokens the encoded prompts
     * @param identifierIds the identifier's ids, at least one
     * @return per prompt, the token positions where an occurrence starts (possibly none)
     */
    public static int[][] positions(TokenBatch tokens, long[] identifierIds) {
        if (identifierIds.length == 0) {
            throw new IllegalArgumentException("identifierIds must not be empty");
        }
        int[][] out = new int[tokens.batchSize()][];
        for (int b = 0; b < tokens.batchSize(); b++) {
            long[] row = tokens.rowIds(b);
            List<Integer> found = new ArrayList<>();
            for (int i = 0; i + identifierIds.length <= row.length; i++) {
                if (Arrays.equals(row, i, i + identifierIds.length, identifierIds, 0, identifierIds.length)) {
                    found.add(i);
                    i += identifierIds.length - 1;
                }
            }
            out[b] = found.stream().mapToInt(Integer::intValue).toArray();
        }
        return out;
    }

    /**
     * Replaces the identifier's rows of compact text features by the embedding.
     *
     * @param tokens the encoded prompts the features were computed from
     * @param features their compact text features {@code (N, D)}
     * @param identifierIds the identifier's ids ({@code n} tokens)
     * @param embedding_nD the learned rows, {@code (n, D)}
     * @param requireIdentifier whether a prompt without the identifier is an error
     * @return new features with every occurrence replaced
     * @throws ArboothException if {@code requireIdentifier} and a prompt lacks the identifier
     * @throws ShapeMismatchException if the embedding does not have one row per identifier token of width D
     */
    public static TextFeatures replace(
            TokenBatch tokens,
            TextFeatures features,
            long[] identifierIds,
            Tensor embedding_nD,
            boolean requireIdentifier) {
        int n = identifierIds.length;
        long d = features.kvCompact().dim(1);
        if (embedding_nD.rank() != 2 || embedding_nD.dim(0) != n || embedding_nD.dim(1) != d) {
            throw ShapeMismatchException.of("embedding_nD", new long[] {n, d}, embedding_nD.shape());
        }
        if (!Arrays.equals(features.lengths(), tokens.lengths())) {
            throw new ShapeMismatchException("features of lengths " + Arrays.toString(features.lengths())
                    + " do not belong to tokens of lengths " + Arrays.toString(tokens.lengths()));
        }
        int[][] at = positions(tokens, identifierIds);
        float[] rows = features.kvCompact().toFloatArray();
        float[] emb = embedding_nD.toFloatArray();
        int offset = 0;
        int[] lengths = features.lengths();
        for (int b = 0; b < at.length; b++) {
            if (requireIdentifier && at[b].length == 0) {
                throw new ArboothException("prompt " + b + " does not contain the identifier (token ids "
                        + Arrays.toString(identifierIds) + "); its tokens are " + Arrays.toString(tokens.rowIds(b)));
            }
            for (int start : at[b]) {
                System.arraycopy(emb, 0, rows, (int) ((offset + start) * d), (int) (n * d));
            }
            offset += lengths[b];
        }
        return TextFeatures.of(Tensor.ofFloats(rows, features.kvCompact().shape()), lengths);
    }
}
