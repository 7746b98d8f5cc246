package dev.arbooth.text.internal;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.arbooth.ArboothException;
import dev.arbooth.FormatException;
import dev.arbooth.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The T5 tokenizer, read from a Hugging Face {@code tokenizer.json} and run by the Rust {@code tokenizers}
 * library through DJL's binding (natives from the jar, no network).
 *
 * <p>As Hugging Face's {@code T5TokenizerFast} called with {@code truncation=True, max_length=L}: each prompt
 * becomes its tokens followed by {@code </s>}, truncated so that the result, {@code </s>} included, has at
 * most L tokens; then the batch is right-padded with the pad id (to the longest prompt or to L) and a mask of
 * 1 (token) / 0 (padding) is made. The {@code </s>} normally comes from the file's post-processor ({@code
 * TemplateProcessing "$A </s>"}); a file without one gets it appended here.
 */
public final class T5Tokenizer implements AutoCloseable {
    /** How a batch is padded. */
    public enum Padding {
        /** To the longest prompt of the batch ({@code padding="longest"}). */
        LONGEST,
        /** To the maximum length ({@code padding="max_length"}, as Infinity pads its prompts). */
        MAX_LENGTH
    }

    /** T5's end-of-sequence token. */
    public static final String EOS = "</s>";

    /** T5's padding token. */
    public static final String PAD = "<pad>";

    private final HuggingFaceTokenizer tokenizer;
    private final Path file;
    private final int maxLength;
    private final long eosId;
    private final long padId;
    private final boolean appendEos;
    private boolean closed;

    private T5Tokenizer(
            HuggingFaceTokenizer tokenizer, Path file, int maxLength, long eosId, long padId, boolean appendEos) {
        this.tokenizer = tokenizer;
        this.file = file;
        this.maxLength = maxLength;
        this.eosId = eosId;
        this.padId = padId;
        this.appendEos = appendEos;
    }

    /**
     * Opens a T5 {@code tokenizer.json} with T5's special tokens {@code </s>} and {@code <pad>}.
     *
     * @param tokenizerJson the file
     * @param maxLength the most tokens per prompt, {@code </s>} included (at least 1)
     * @return the tokenizer
     * @throws FormatException if the file is missing, is not a valid {@code tokenizer.json}, or lacks a
     *     special token
     */
    public static T5Tokenizer open(Path tokenizerJson, int maxLength) {
        return open(tokenizerJson, maxLength, EOS, PAD);
    }

    /**
     * Opens a {@code tokenizer.json} with the given special tokens.
     *
     * @param tokenizerJson the file
     * @param maxLength the most tokens per prompt, end token included (at least 1)
     * @param eosToken the end-of-sequence token every prompt ends with
     * @param padToken the padding token
     * @return the tokenizer
     * @throws FormatException if the file is missing, is not a valid {@code tokenizer.json}, or does not hold
     *     each special token as a single token
     */
    public static T5Tokenizer open(Path tokenizerJson, int maxLength, String eosToken, String padToken) {
        Objects.requireNonNull(tokenizerJson, "tokenizerJson");
        Objects.requireNonNull(eosToken, "eosToken");
        Objects.requireNonNull(padToken, "padToken");
        if (maxLength < 1) {
            throw new IllegalArgumentException("maxLength must be at least 1, got " + maxLength);
        }
        if (!Files.isRegularFile(tokenizerJson)) {
            throw new FormatException(
                    tokenizerJson,
                    "tokenizer.json not found (a Hugging Face tokenizers file, "
                            + "e.g. the tokenizer.json of google/flan-t5-xl, is required)");
        }
        DjlOffline.configure();
        // a probe long enough for the special-token checks, whatever maxLength is
        int probeLength = Math.max(maxLength, 16);
        HuggingFaceTokenizer probe = build(tokenizerJson, probeLength);
        HuggingFaceTokenizer result = null;
        try {
            long eos = singleId(probe, tokenizerJson, eosToken, "end-of-sequence");
            long pad = singleId(probe, tokenizerJson, padToken, "padding");
            boolean appendEos = !appendsEos(probe, eos);
            if (appendEos && maxLength < 2) {
                throw new IllegalArgumentException("maxLength must be at least 2 when " + eosToken
                        + " is appended after the text (the file's post-processor does not add it), got " + maxLength);
            }
            int truncateTo = appendEos ? maxLength - 1 : maxLength;
            result = truncateTo == probeLength ? probe : build(tokenizerJson, truncateTo);
            return new T5Tokenizer(result, tokenizerJson, maxLength, eos, pad, appendEos);
        } finally {
            if (result != probe) {
                probe.close();
            }
        }
    }

    private static HuggingFaceTokenizer build(Path file, int truncateTo) {
        try {
            return HuggingFaceTokenizer.builder()
                    .optTokenizerPath(file)
                    .optAddSpecialTokens(true)
                    .optPadding(false)
                    .optTruncation(true)
                    .optMaxLength(truncateTo)
                    .build();
        } catch (IOException e) {
            throw new FormatException(file, "cannot read tokenizer.json: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new FormatException(file, "not a valid Hugging Face tokenizer.json: " + e.getMessage(), e);
        } catch (UnsatisfiedLinkError e) {
            throw new ArboothException(
                    "Cannot load the native Hugging Face tokenizers library of "
                            + "ai.djl.huggingface:tokenizers (is its jar, with natives, on the class path?): "
                            + e.getMessage(),
                    e);
        }
    }

    private static long singleId(HuggingFaceTokenizer t, Path file, String token, String role) {
        Encoding e = t.encode(token, false, false);
        long[] ids = e.getIds();
        String[] tokens = e.getTokens();
        if (ids.length != 1 || !token.equals(tokens[0])) {
            throw new FormatException(
                    file,
                    "the " + role + " token '" + token + "' is not a single token of this "
                            + "tokenizer (it encodes to " + Arrays.toString(tokens) + "); a T5 tokenizer.json lists it "
                            + "in added_tokens");
        }
        return ids[0];
    }

    private static boolean appendsEos(HuggingFaceTokenizer t, long eos) {
        long[] plain = t.encode("a", false, false).getIds();
        long[] special = t.encode("a", true, false).getIds();
        return special.length == plain.length + 1
                && special[special.length - 1] == eos
                && Arrays.equals(Arrays.copyOf(special, plain.length), plain);
    }

    /**
     * The most tokens per prompt.
     *
     * @return the maximum length, {@code </s>} included
     */
    public int maxLength() {
        return maxLength;
    }

    /**
     * The id of the end-of-sequence token.
     *
     * @return the {@code </s>} id (1 for T5)
     */
    public long eosId() {
        return eosId;
    }

    /**
     * The id of the padding token.
     *
     * @return the {@code <pad>} id (0 for T5)
     */
    public long padId() {
        return padId;
    }

    /**
     * Tokenizes a batch of prompts.
     *
     * @param prompts at least one prompt
     * @param padding pad to the longest prompt or to {@link #maxLength()}
     * @return ids (B,S), mask (B,S) and lengths
     * @throws IllegalStateException if closed
     */
    public TokenBatch encode(List<String> prompts, Padding padding) {
        Objects.requireNonNull(padding, "padding");
        if (prompts.isEmpty()) {
            throw new IllegalArgumentException("prompts must not be empty");
        }
        for (int i = 0; i < prompts.size(); i++) {
            Objects.requireNonNull(prompts.get(i), "prompt " + i);
        }
        ensureOpen();
        Encoding[] encodings = tokenizer.batchEncode(prompts);
        int b = encodings.length;
        long[][] rows = new long[b][];
        int longest = 0;
        for (int i = 0; i < b; i++) {
            long[] ids = encodings[i].getIds();
            if (appendEos) {
                ids = Arrays.copyOf(ids, ids.length + 1);
                ids[ids.length - 1] = eosId;
            }
            if (ids.length > maxLength) {
                throw new ArboothException("tokenizer " + file + " produced " + ids.length + " tokens for prompt " + i
                        + ", more than maxLength " + maxLength);
            }
            rows[i] = ids;
            longest = Math.max(longest, ids.length);
        }
        int s = padding == Padding.MAX_LENGTH ? maxLength : Math.max(1, longest);
        long[] ids_BS = new long[b * s];
        long[] mask_BS = new long[b * s];
        int[] lengths = new int[b];
        Arrays.fill(ids_BS, padId);
        for (int i = 0; i < b; i++) {
            System.arraycopy(rows[i], 0, ids_BS, i * s, rows[i].length);
            Arrays.fill(mask_BS, i * s, i * s + rows[i].length, 1L);
            lengths[i] = rows[i].length;
        }
        return TokenBatch.of(Tensor.ofLongs(ids_BS, b, s), Tensor.ofLongs(mask_BS, b, s), lengths);
    }

    /**
     * Tokenizes one prompt, unpadded.
     *
     * @param prompt the prompt
     * @return its ids, ending with {@code </s>}
     */
    public long[] encode(String prompt) {
        return encode(List.of(prompt), Padding.LONGEST).rowIds(0);
    }

    /**
     * The token ids of a word inside a prompt (no {@code </s>}): how a rare identifier such as {@code "sks"}
     * is split, to find its rows in an encoded prompt.
     *
     * @param word the word (typically the identifier)
     * @return its ids, at least one
     * @throws ArboothException if the word yields no token
     */
    public long[] encodeWord(String word) {
        long[] ids = encode(word);
        long[] out = Arrays.copyOf(ids, ids.length - 1);
        if (out.length == 0) {
            throw new ArboothException("'" + word + "' yields no token with tokenizer " + file);
        }
        return out;
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("T5Tokenizer for " + file + " is closed");
        }
    }

    /** Releases the native tokenizer; idempotent. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            tokenizer.close();
        }
    }
}
