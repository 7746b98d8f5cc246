package dev.arbooth.internal.json;

import dev.arbooth.FormatException;
import dev.arbooth.config.InfinityConfig;
import dev.arbooth.config.T5Config;
import dev.arbooth.config.VaeConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The JSON forms of the three network configurations, each declared once ({@link RecordJson}), and the reader
 * of a Hugging Face T5 {@code config.json}, all through the one strict reader {@link StrictJson}.
 */
public final class ConfigJson {
    /**
     * {@link InfinityConfig} under the official constructor's argument names where one exists ({@code depth,
     * embed_dim, num_heads, ffn_hidden, text_channels, text_maxlen, codebook_dim, apply_spatial_patchify,
     * norm_eps, block_chunks, level_embeddings, cos_attn, shared_aln, head_aln, rope2d_normalized_by_hw,
     * add_lvl_embeding_only_first_block}).
     */
    public static final RecordJson<InfinityConfig> INFINITY = RecordJson.of(
            InfinityConfig.class,
            Map.ofEntries(
                    Map.entry("embedDim", "embed_dim"),
                    Map.entry("numHeads", "num_heads"),
                    Map.entry("ffnHidden", "ffn_hidden"),
                    Map.entry("textChannels", "text_channels"),
                    Map.entry("textMaxLength", "text_maxlen"),
                    Map.entry("codebookDim", "codebook_dim"),
                    Map.entry("spatialPatchify", "apply_spatial_patchify"),
                    Map.entry("normEps", "norm_eps"),
                    Map.entry("blockChunks", "block_chunks"),
                    Map.entry("levelEmbeddings", "level_embeddings"),
                    Map.entry("cosAttn", "cos_attn"),
                    Map.entry("sharedAdaLn", "shared_aln"),
                    Map.entry("headAdaLn", "head_aln"),
                    Map.entry("rope2dNormalizedByHw", "rope2d_normalized_by_hw"),
                    Map.entry("addLevelEmbeddingOnlyFirstBlock", "add_lvl_embeding_only_first_block")));

    /** {@link VaeConfig} under its component names. */
    public static final RecordJson<VaeConfig> VAE = RecordJson.of(VaeConfig.class);

    /** {@link T5Config} under its component names. */
    public static final RecordJson<T5Config> T5 = RecordJson.of(T5Config.class);

    private ConfigJson() {}

    /**
     * Reads a Hugging Face {@code config.json} of a T5 v1.1 / Flan-T5 model: the fields the encoder needs are
     * required, the many others such a file holds are ignored.
     *
     * @param file the {@code config.json}
     * @param textMaxLength tokens a prompt is truncated and padded to (not part of the file)
     * @return the configuration
     * @throws FormatException naming the file and the field if the file cannot be read, is not a JSON object,
     *     lacks a field or has one of the wrong type, or describes another architecture
     */
    public static T5Config huggingFaceT5(Path file, int textMaxLength) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new FormatException(file, "cannot read the T5 config: " + e.getMessage(), e);
        }
        StrictJson o = StrictJson.parseDocument(file, "T5 config.json", text);
        String modelType = o.string("model_type", "t5");
        if (!modelType.equals("t5")) {
            throw o.error("field 'model_type' is '" + modelType + "', expected 't5'");
        }
        String ffn = o.string("feed_forward_proj", "relu");
        if (!ffn.equals("gated-gelu")) {
            throw o.error("field 'feed_forward_proj' is '" + ffn + "'; only 'gated-gelu' (T5 v1.1, Flan-T5) is"
                    + " supported");
        }
        int dModel = o.integer("d_model");
        int dKv = o.integer("d_kv");
        int dFf = o.integer("d_ff");
        int numHeads = o.integer("num_heads");
        int numLayers = o.integer("num_layers");
        int vocabSize = o.integer("vocab_size");
        int buckets = o.integer("relative_attention_num_buckets");
        int maxDistance = o.integer("relative_attention_max_distance");
        double eps = o.number("layer_norm_epsilon");
        return o.build(
                "T5Config",
                () -> new T5Config(
                        dModel, dKv, dFf, numHeads, numLayers, vocabSize, buckets, maxDistance, eps, textMaxLength));
    }
}
