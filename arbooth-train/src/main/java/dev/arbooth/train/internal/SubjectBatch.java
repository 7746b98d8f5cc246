package dev.arbooth.train.internal;

import java.util.Objects;

/**
 * The subject half of one ARBooth step: B prompts holding the identifier and the ground-truth bits of B images.
 * The arrays are used as given (not copied); callers do not modify them while a step runs.
 *
 * @param text_NCt5 the text-encoder rows of the B prompts BEFORE the identifier insertion, concatenated, {@code (N,
 *     Ct5)} row-major with {@code N = sum(lens)}
 * @param lens the token count of every prompt, each at least 1
 * @param identifierRow per prompt, the index (inside the prompt) of the placeholder row that the P learned rows
 *     replace, or {@link #NO_IDENTIFIER} for a prompt without one (pretraining: the prompt's rows are used as they
 *     are)
 * @param gtBits_BLd the ground-truth bits of the whole schedule in sequence order, {@code (B, L, d)}, each 0 or 1
 */
public record SubjectBatch(float[] text_NCt5, int[] lens, int[] identifierRow, byte[] gtBits_BLd) {
    /** The {@link #identifierRow} of a prompt without an identifier. */
    public static final int NO_IDENTIFIER = -1;

    /**
     * Validates what can be checked without the model.
     *
     * @param text_NCt5 not null
     * @param lens not null, at least one prompt, each at least 1
     * @param identifierRow one per prompt, inside its prompt or {@link #NO_IDENTIFIER}
     * @param gtBits_BLd not null, 0/1 values, a multiple of B
     * @throws IllegalArgumentException naming the offending value
     */
    public SubjectBatch {
        Objects.requireNonNull(text_NCt5, "text_NCt5");
        Objects.requireNonNull(lens, "lens");
        Objects.requireNonNull(identifierRow, "identifierRow");
        Objects.requireNonNull(gtBits_BLd, "gtBits_BLd");
        if (lens.length == 0) {
            throw new IllegalArgumentException("a subject batch needs at least one prompt");
        }
        if (identifierRow.length != lens.length) {
            throw new IllegalArgumentException(
                    identifierRow.length + " identifier rows for " + lens.length + " prompts");
        }
        for (int b = 0; b < lens.length; b++) {
            if (lens[b] < 1) {
                throw new IllegalArgumentException("prompt " + b + " has no tokens (length " + lens[b] + ")");
            }
            if (identifierRow[b] != NO_IDENTIFIER && (identifierRow[b] < 0 || identifierRow[b] >= lens[b])) {
                throw new IllegalArgumentException("identifier row " + identifierRow[b] + " of prompt " + b
                        + " lies outside its " + lens[b] + " tokens");
            }
        }
        if (gtBits_BLd.length % lens.length != 0) {
            throw new IllegalArgumentException(
                    gtBits_BLd.length + " ground-truth bits do not split into " + lens.length + " images");
        }
        for (int i = 0; i < gtBits_BLd.length; i++) {
            if (gtBits_BLd[i] != 0 && gtBits_BLd[i] != 1) {
                throw new IllegalArgumentException("gtBits_BLd[" + i + "] = " + gtBits_BLd[i] + ", expected 0 or 1");
            }
        }
    }

    /**
     * The batch size.
     *
     * @return B
     */
    public int batch() {
        return lens.length;
    }
}
