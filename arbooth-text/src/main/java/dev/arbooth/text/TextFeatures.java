package dev.arbooth.text;

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

    private TextFeatures(Tensor kvCompact, int[] lengths) {
        this.kvCompact = kvCompact;
        this.lengths = lengths.clone();
    }

    /**
     * Compact text features.
     *
     * @param kvCompact_ND the prompts' real rows concatenated, {@code (N, D)}
     * @param lengths each prompt's row count; they sum to N
     * @return the features
     * @throws dev.arbooth.ShapeMismatchException if the rows do not add up
     */
    public static TextFeatures of(Tensor kvCompact_ND, int[] lengths) {
        long n = Arrays.stream(lengths).asLongStream().sum();
        if (kvCompact_ND.rank() != 2 || kvCompact_ND.dim(0) != n) {
            throw new dev.arbooth.ShapeMismatchException("TextFeatures: expected (" + n + ", D) rows for lengths "
                    + Arrays.toString(lengths) + ", got " + Arrays.toString(kvCompact_ND.shape()));
        }
        for (int len : lengths) {
            if (len < 1) {
                throw new IllegalArgumentException("TextFeatures: every prompt needs at least one row, got " + len);
            }
        }
        return new TextFeatures(kvCompact_ND, lengths);
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

    /**
     * Each prompt's rows repeated for several images, prompt-major: prompt {@code i}'s rows appear {@code times}
     * times in a row, so row {@code i·times + j} is image {@code j} of prompt {@code i} (the order in which a
     * generator samples and seeds them).
     *
     * @param times copies per prompt, at least 1
     * @return the repeated features ({@code this} when {@code times == 1})
     * @throws IllegalArgumentException if {@code times < 1}
     */
    public TextFeatures repeatEach(int times) {
        if (times < 1) {
            throw new IllegalArgumentException("times must be at least 1, got " + times);
        }
        return times == 1 ? this : imageRows(times, 0, Math.multiplyExact(lengths.length, times));
    }

    /**
     * A run of the rows of {@link #repeatEach(int) repeatEach(imagesPerPrompt)} without building the others: rows
     * {@code first .. first + count - 1}, row {@code r} being image {@code r % imagesPerPrompt} of prompt {@code r /
     * imagesPerPrompt} (how a generator samples many images in passes).
     *
     * @param imagesPerPrompt images per prompt, at least 1
     * @param first the first row, at least 0
     * @param count the number of rows, at least 1, ending at or before {@code prompts · imagesPerPrompt}
     * @return the rows' features
     * @throws IllegalArgumentException if the range is empty or out of bounds
     */
    public TextFeatures imageRows(int imagesPerPrompt, long first, int count) {
        long total = (long) lengths.length * imagesPerPrompt;
        if (imagesPerPrompt < 1 || first < 0 || count < 1 || first + count > total) {
            throw new IllegalArgumentException("rows " + first + " .. " + (first + count - 1) + " of " + lengths.length
                    + " prompts x " + imagesPerPrompt + " images are out of range");
        }
        int width = Math.toIntExact(kvCompact.dim(1));
        float[] text = kvCompact.toFloatArray();
        int[] start = new int[lengths.length]; // each prompt's first value in text
        for (int i = 1; i < lengths.length; i++) {
            start[i] = start[i - 1] + lengths[i - 1] * width;
        }
        int[] rowLengths = new int[count];
        int values = 0;
        for (int r = 0; r < count; r++) {
            rowLengths[r] = lengths[(int) ((first + r) / imagesPerPrompt)];
            values = Math.addExact(values, Math.multiplyExact(rowLengths[r], width));
        }
        float[] rows = new float[values];
        int dst = 0;
        for (int r = 0; r < count; r++) {
            int prompt = (int) ((first + r) / imagesPerPrompt);
            System.arraycopy(text, start[prompt], rows, dst, rowLengths[r] * width);
            dst += rowLengths[r] * width;
        }
        return new TextFeatures(Tensor.ofFloats(rows, values / width, width), rowLengths);
    }

    @Override
    public String toString() {
        return "TextFeatures[" + Arrays.toString(kvCompact.shape()) + ", lengths=" + Arrays.toString(lengths) + "]";
    }
}
