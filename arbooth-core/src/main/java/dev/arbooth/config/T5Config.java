package dev.arbooth.config;

import dev.arbooth.FormatException;
import dev.arbooth.internal.json.ConfigJson;
import java.nio.file.Path;

/**
 * The architecture of a T5 v1.1 / Flan-T5 text encoder (Hugging Face {@code T5EncoderModel}), the text
 * encoder of Infinity.
 *
 * <p>Fixed by this library, as in every T5 v1.1 and Flan-T5 checkpoint: RMSNorm without bias or mean
 * subtraction, a gated-GELU feed-forward network ({@code feed_forward_proj = "gated-gelu"}, GELU in its
 * tanh approximation), no bias in any linear layer, no {@code 1/sqrt(d_kv)} attention scaling, a
 * bidirectional relative position bias held by block 0 and reused by every later block.
 *
 * <pre>{@code
 * T5Config c = T5Config.flanT5Xl();
 * c.innerDim();      // 2048 = 32 heads x 64
 * c.textMaxLength(); // 512 tokens, as Infinity pads and truncates its prompts
 * }</pre>
 *
 * @param dModel width D of the hidden states ({@code d_model})
 * @param dKv width of one attention head ({@code d_kv}); the attention width is {@code numHeads * dKv}
 * @param dFf hidden width of the feed-forward network ({@code d_ff})
 * @param numHeads attention heads ({@code num_heads})
 * @param numLayers encoder blocks ({@code num_layers})
 * @param vocabSize rows of the token embedding ({@code vocab_size})
 * @param relativeAttentionNumBuckets relative position buckets ({@code relative_attention_num_buckets}),
 *     half for keys to the left, half for keys to the right
 * @param relativeAttentionMaxDistance distance from which all positions share the last bucket ({@code
 *     relative_attention_max_distance})
 * @param layerNormEpsilon epsilon of every RMSNorm ({@code layer_norm_epsilon})
 * @param textMaxLength tokens a prompt is truncated to (its {@code </s>} included) and padded to
 */
public record T5Config(
        int dModel,
        int dKv,
        int dFf,
        int numHeads,
        int numLayers,
        int vocabSize,
        int relativeAttentionNumBuckets,
        int relativeAttentionMaxDistance,
        double layerNormEpsilon,
        int textMaxLength) {

    /**
     * Validates the configuration.
     *
     * @param dModel at least 1
     * @param dKv at least 1
     * @param dFf at least 1
     * @param numHeads at least 1
     * @param numLayers at least 1
     * @param vocabSize at least 1
     * @param relativeAttentionNumBuckets even and at least 4 (each direction needs exact and logarithmic
     *     buckets)
     * @param relativeAttentionMaxDistance greater than the exact range ({@code numBuckets / 4})
     * @param layerNormEpsilon positive and finite
     * @param textMaxLength at least 1
     * @throws IllegalArgumentException naming the first violated rule
     */
    public T5Config {
        requirePositive("dModel", dModel);
        requirePositive("dKv", dKv);
        requirePositive("dFf", dFf);
        requirePositive("numHeads", numHeads);
        requirePositive("numLayers", numLayers);
        requirePositive("vocabSize", vocabSize);
        requirePositive("textMaxLength", textMaxLength);
        if (relativeAttentionNumBuckets < 4 || relativeAttentionNumBuckets % 2 != 0) {
            throw new IllegalArgumentException("relativeAttentionNumBuckets must be even and at least 4 (half per "
                    + "direction, each half split into exact and logarithmic buckets), got "
                    + relativeAttentionNumBuckets);
        }
        int maxExact = relativeAttentionNumBuckets / 4;
        if (relativeAttentionMaxDistance <= maxExact) {
            throw new IllegalArgumentException("relativeAttentionMaxDistance must exceed the exact range " + maxExact
                    + " (= relativeAttentionNumBuckets / 4), got " + relativeAttentionMaxDistance);
        }
        if (!(layerNormEpsilon > 0) || Double.isInfinite(layerNormEpsilon)) {
            throw new IllegalArgumentException("layerNormEpsilon must be positive and finite, got " + layerNormEpsilon);
        }
        if ((long) numHeads * dKv > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("numHeads * dKv overflows: " + numHeads + " * " + dKv);
        }
    }

    private static void requirePositive(String name, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be at least 1, got " + value);
        }
    }

    /**
     * The width of the concatenated attention heads.
     *
     * @return {@code numHeads * dKv}
     */
    public int innerDim() {
        return numHeads * dKv;
    }

    /**
     * The same architecture with another text length.
     *
     * @param length tokens a prompt is truncated and padded to, at least 1
     * @return the new configuration
     */
    public T5Config withTextMaxLength(int length) {
        return new T5Config(
                dModel,
                dKv,
                dFf,
                numHeads,
                numLayers,
                vocabSize,
                relativeAttentionNumBuckets,
                relativeAttentionMaxDistance,
                layerNormEpsilon,
                length);
    }

    // ----------------------------------------------------------------------------------------- presets

    /**
     * The encoder of Flan-T5-XL ({@code google/flan-t5-xl}), Infinity's text encoder, as released: d_model
     * 2048, d_kv 64, d_ff 5120, 32 heads, 24 layers, vocabulary 32128, 32 buckets, max distance 128, eps
     * 1e-6; prompts padded and truncated to 512 tokens (Infinity's {@code text_maxlen}).
     *
     * @return the configuration
     */
    public static T5Config flanT5Xl() {
        return new T5Config(2048, 64, 5120, 32, 24, 32128, 32, 128, 1e-6, 512);
    }

    /**
     * The tiny random encoder of the golden set {@code t5-set1} ({@code config.json} there): d_model 64,
     * d_kv 16, d_ff 128, 4 heads, 3 layers, vocabulary 100, 32 buckets, max distance 128, eps 1e-6; its
     * inputs are padded to 16 tokens.
     *
     * @return the configuration
     */
    public static T5Config goldenSet1() {
        return new T5Config(64, 16, 128, 4, 3, 100, 32, 128, 1e-6, 16);
    }

    // ----------------------------------------------------------------------------------------- reading

    /**
     * Reads a Hugging Face {@code config.json} of a T5 v1.1 / Flan-T5 model.
     *
     * @param file the {@code config.json}
     * @param textMaxLength tokens a prompt is truncated and padded to (not part of the file)
     * @return the configuration
     * @throws FormatException if the file cannot be read, is not JSON, lacks a field, or describes another
     *     architecture (a {@code feed_forward_proj} other than {@code gated-gelu}, a {@code model_type}
     *     other than {@code t5})
     */
    public static T5Config fromJson(Path file, int textMaxLength) {
        return ConfigJson.huggingFaceT5(file, textMaxLength);
    }
}
