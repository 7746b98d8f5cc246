package dev.arbooth.config;

import dev.arbooth.FormatException;
import dev.arbooth.internal.json.ConfigJson;
import dev.arbooth.internal.json.StrictJson;
import dev.arbooth.internal.nn.Rope2d;
import dev.arbooth.internal.weights.InfinityWeights;

/**
 * The architecture of an Infinity transformer (text-conditioned, bitwise next-scale prediction), as the
 * official constructor {@code Infinity(...)} builds it.
 *
 * <p>Only what changes the weights or the math is held here. Fixed by this library, as in every released
 * model: LayerNorm (not RMSNorm) in the blocks, GELU(tanh) FFN (no SwiGLU), a one-layer head, no learned
 * cross-attention gamma, no input norm, bit labels ({@code use_bit_label=1}, V = 2 × bits), 2-D RoPE in
 * every self-attention layer.
 *
 * <pre>{@code
 * InfinityConfig c = InfinityConfig.infinity2b();
 * c.headDim();      // 128
 * c.vocabSize();    // 64 logits per token (32 bits x 2 classes)
 * InfinityConfig toy = InfinityConfig.goldenSet1().toBuilder().depth(4).blockChunks(2).build();
 * }</pre>
 *
 * @param depth number of transformer blocks
 * @param embedDim width C
 * @param numHeads self- and cross-attention heads; {@code C / numHeads} is the head dimension
 * @param ffnHidden FFN hidden size F (official rule: {@link #ffnHiddenFor(int, double)})
 * @param textChannels width Ct5 of the text encoder's features
 * @param textMaxLength text tokens the model accepts ({@code text_maxlen}); rows of {@code cfg_uncond}
 * @param codebookDim bits per code of the VAE (d; 32 for Infinity-2B's VAE, 14 for Infinity-8B's)
 * @param spatialPatchify whether 2×2 neighbouring VAE codes form one transformer token ({@code
 *     apply_spatial_patchify}, Infinity-8B): the transformer then sees {@code 4d} bits per token on a grid half
 *     the VAE's. Such a configuration describes the 8B checkpoint's tensors, but no network runs it yet (the
 *     patchify is not implemented: no reference tensors cover it); loading a base with it is refused
 * @param normEps epsilon of every LayerNorm and of the text RMSNorm
 * @param blockChunks number of block chunks the blocks are grouped into (names {@code
 *     block_chunks.{c}.module.{j}}); 1 gives the flat names {@code blocks.{i}}
 * @param levelEmbeddings rows of the scale ("level") embedding, the most scales a schedule may have
 * @param cosAttn cosine self-attention with a learned per-head scale ({@code scale_mul_1H11})
 * @param sharedAdaLn one shared AdaLN projection ({@code shared_ada_lin}) plus a per-block table ({@code
 *     ada_gss}), instead of a projection per block ({@code ada_lin})
 * @param headAdaLn AdaLN before the head ({@code head_nm}) instead of a plain LayerNorm
 * @param rope2dNormalizedByHw the official RoPE position mode; only 2 (positions on the 1M grid of the
 *     aspect ratio) is supported
 * @param addLevelEmbeddingOnlyFirstBlock whether the level embedding is added once, before the first
 *     block chunk (official), rather than before every chunk
 */
public record InfinityConfig(
        int depth,
        int embedDim,
        int numHeads,
        int ffnHidden,
        int textChannels,
        int textMaxLength,
        int codebookDim,
        boolean spatialPatchify,
        double normEps,
        int blockChunks,
        int levelEmbeddings,
        boolean cosAttn,
        boolean sharedAdaLn,
        boolean headAdaLn,
        int rope2dNormalizedByHw,
        boolean addLevelEmbeddingOnlyFirstBlock) {

    /** Rows of the official scale embedding ({@code nn.Embedding(15, C)}). */
    public static final int OFFICIAL_LEVEL_EMBEDDINGS = 15;

    /**
     * Validates the configuration.
     *
     * @param depth number of transformer blocks, at least 1
     * @param embedDim width C, divisible by {@code numHeads} and by the text-pool heads
     * @param numHeads attention heads; the head dimension must be a positive multiple of 4 (2-D RoPE)
     * @param ffnHidden FFN hidden size, at least 1
     * @param textChannels width Ct5, a multiple of the text-pool head width (128, or 64 when C > 4096)
     * @param textMaxLength at least 1
     * @param codebookDim bits per VAE code, at least 1
     * @param spatialPatchify 2×2 patchify of the codes
     * @param normEps positive and finite
     * @param blockChunks at least 1, dividing {@code depth}
     * @param levelEmbeddings at least 1
     * @param cosAttn cosine self-attention
     * @param sharedAdaLn shared AdaLN
     * @param headAdaLn AdaLN before the head
     * @param rope2dNormalizedByHw must be 2
     * @param addLevelEmbeddingOnlyFirstBlock level embedding before the first chunk only
     * @throws IllegalArgumentException naming the first violated rule
     */
    public InfinityConfig {
        requirePositive("depth", depth);
        requirePositive("embedDim", embedDim);
        requirePositive("numHeads", numHeads);
        requirePositive("ffnHidden", ffnHidden);
        requirePositive("textChannels", textChannels);
        requirePositive("textMaxLength", textMaxLength);
        requirePositive("codebookDim", codebookDim);
        requirePositive("blockChunks", blockChunks);
        requirePositive("levelEmbeddings", levelEmbeddings);
        if (embedDim % numHeads != 0) {
            throw new IllegalArgumentException(
                    "embedDim " + embedDim + " is not divisible by numHeads " + numHeads + " (head dimension C/H)");
        }
        int hd = embedDim / numHeads;
        if (hd % 4 != 0) {
            throw new IllegalArgumentException("Head dimension " + hd + " (= embedDim " + embedDim + " / numHeads "
                    + numHeads + ") must be a multiple of 4 for the 2-D RoPE (a row half and a column half of pairs)");
        }
        if (depth % blockChunks != 0) {
            throw new IllegalArgumentException("depth " + depth + " is not divisible by blockChunks " + blockChunks);
        }
        int poolHeadWidth = textPoolHeadWidth(embedDim);
        if (textChannels % poolHeadWidth != 0) {
            throw new IllegalArgumentException("textChannels " + textChannels + " is not a multiple of " + poolHeadWidth
                    + " (the text attention pool has textChannels / " + poolHeadWidth + " heads for embedDim "
                    + embedDim
                    + ")");
        }
        int poolHeads = textChannels / poolHeadWidth;
        if (embedDim % poolHeads != 0) {
            throw new IllegalArgumentException("embedDim " + embedDim + " is not divisible by the " + poolHeads
                    + " text-pool heads (textChannels " + textChannels + " / " + poolHeadWidth + ")");
        }
        if (!(normEps > 0) || Double.isInfinite(normEps)) {
            throw new IllegalArgumentException("normEps must be positive and finite, got " + normEps);
        }
        if (rope2dNormalizedByHw != 2) {
            throw new IllegalArgumentException("rope2dNormalizedByHw " + rope2dNormalizedByHw
                    + " is not supported; only 2 (positions on the 1M grid of the aspect ratio, the released models'"
                    + " setting) is");
        }
    }

    private static void requirePositive(String name, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be at least 1, got " + value);
        }
    }

    private static int textPoolHeadWidth(int embedDim) {
        return embedDim > 4096 ? 64 : 128;
    }

    // ----------------------------------------------------------------------------------------- presets

    /**
     * Infinity-2B as released ({@code infinity_2b_reg.pth} with {@code infinity_vae_d32reg.pth}).
     *
     * <p>Sources (FoundationVision/Infinity): {@code infinity/models/infinity.py} {@code infinity_2b} (depth
     * 32, width 2048, 2048/128 = 16 heads, mlp_ratio 4 → FFN 8192); {@code tools/run_infinity.py} {@code
     * load_transformer} ({@code block_chunks=8}) and {@code load_infinity} ({@code text_maxlen=512},
     * shared AdaLN, {@code text_channels=2048} for flan-t5-xl); the README's 2B command ({@code
     * vae_type=32}, {@code apply_spatial_patchify=0}, {@code rope2d_normalized_by_hw=2}, {@code
     * add_lvl_embeding_only_first_block=1}, {@code use_bit_label=1}).
     *
     * <p>There is no Infinity-8B preset: its 2×2 spatial patchify ({@code apply_spatial_patchify=1}) is not
     * implemented, because no reference tensors of the official code cover it to verify it against.
     *
     * @return the configuration
     */
    public static InfinityConfig infinity2b() {
        return builder()
                .depth(32)
                .embedDim(2048)
                .numHeads(16)
                .mlpRatio(4)
                .textChannels(2048)
                .textMaxLength(512)
                .codebookDim(32)
                .blockChunks(8)
                .build();
    }

    /**
     * The configuration of the golden tensors {@code ../shared/golden/infinity-set1} ({@code config.json}):
     * depth 2 in 2 chunks, C 128, 2 heads, FFN 512, Ct5 256, text_maxlen 16, d 16.
     *
     * @return the configuration
     */
    public static InfinityConfig goldenSet1() {
        return builder()
                .depth(2)
                .embedDim(128)
                .numHeads(2)
                .mlpRatio(4)
                .textChannels(256)
                .textMaxLength(16)
                .codebookDim(16)
                .blockChunks(2)
                .build();
    }

    /**
     * The official FFN width rule: {@code round(embedDim * mlpRatio / 256) * 256}, rounding half to even as
     * Python's {@code round} does.
     *
     * @param embedDim width C
     * @param mlpRatio the MLP ratio (4 in every released model)
     * @return the FFN hidden size
     */
    public static int ffnHiddenFor(int embedDim, double mlpRatio) {
        return Math.toIntExact((long) Math.rint(embedDim * mlpRatio / 256.0) * 256);
    }

    // ----------------------------------------------------------------------------------------- derived

    /**
     * The attention head dimension.
     *
     * @return {@code C / numHeads}
     */
    public int headDim() {
        return embedDim / numHeads;
    }

    /**
     * Bits the transformer predicts per token, the input width of {@code word_embed}.
     *
     * @return {@code codebookDim}, times 4 with the spatial patchify
     */
    public int bitsPerToken() {
        return spatialPatchify ? 4 * codebookDim : codebookDim;
    }

    /**
     * Logits per token: two classes per bit; logit {@code 2j + c} is bit {@code j} being {@code c}.
     *
     * @return V = 2 × {@link #bitsPerToken()}
     */
    public int vocabSize() {
        return 2 * bitsPerToken();
    }

    /**
     * Heads of the text attention pool ({@code text_proj_for_sos}).
     *
     * @return Hp = Ct5 / 128 (Ct5 / 64 when C > 4096)
     */
    public int textPoolHeads() {
        return textChannels / textPoolHeadWidth(embedDim);
    }

    /**
     * Head dimension of the text attention pool: the width of {@code text_proj_for_sos.ca.mat_q}'s rows.
     *
     * @return hdp = C / Hp
     */
    public int textPoolHeadDim() {
        return embedDim / textPoolHeads();
    }

    /**
     * Blocks per chunk.
     *
     * @return {@code depth / blockChunks}
     */
    public int blocksPerChunk() {
        return depth / blockChunks;
    }

    /**
     * The number of trainable parameters (the state dict without its {@code zero_k_bias} buffers).
     *
     * @return the parameter count
     */
    public long parameterCount() {
        return InfinityWeights.parameterCount(this);
    }

    /**
     * Checks that this model can run a schedule: no more scales than level-embedding rows, and 2-D RoPE
     * positions on the angle grid.
     *
     * @param schedule the schedule
     * @return {@code schedule}
     * @throws IllegalArgumentException if the schedule has too many scales or its RoPE positions do not fit
     */
    public ScaleSchedule requireCompatible(ScaleSchedule schedule) {
        if (schedule.size() > levelEmbeddings) {
            throw new IllegalArgumentException("Schedule has " + schedule.size() + " scales but the model has only "
                    + levelEmbeddings + " level-embedding rows: " + schedule);
        }
        Scale ref = Rope2d.referenceGrid(schedule);
        if (ref.h() > Rope2d.GRID_SIDE || ref.w() > Rope2d.GRID_SIDE) {
            throw new IllegalArgumentException("Schedule's RoPE reference grid " + ref + " exceeds the "
                    + Rope2d.GRID_SIDE + "x" + Rope2d.GRID_SIDE + " angle grid: " + schedule);
        }
        return schedule;
    }

    // ----------------------------------------------------------------------------------------- JSON

    /**
     * This configuration as JSON text, keys named as the official constructor's arguments where one exists
     * ({@code depth, embed_dim, num_heads, ffn_hidden, text_channels, text_maxlen, codebook_dim,
     * apply_spatial_patchify, norm_eps, block_chunks, level_embeddings, cos_attn, shared_aln, head_aln,
     * rope2d_normalized_by_hw, add_lvl_embeding_only_first_block}, in that order).
     *
     * @return compact JSON
     */
    public String toJson() {
        return ConfigJson.INFINITY.write(this).toString();
    }

    /**
     * Reads a configuration written by {@link #toJson()}. Strict: every field is required, no other field
     * is allowed, integers must be integral and booleans boolean.
     *
     * @param json the JSON text
     * @return the configuration
     * @throws FormatException if the text is not such an object or a value breaks a rule of the record (the
     *     message names the field)
     */
    public static InfinityConfig fromJson(String json) {
        return ConfigJson.INFINITY.read(StrictJson.parseObject(null, "InfinityConfig JSON", json));
    }

    // ----------------------------------------------------------------------------------------- builder

    /**
     * A builder with the released models' flags and no sizes (depth, width, heads, FFN, text and codebook
     * sizes must be set).
     *
     * @return a builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A builder starting from this configuration, for one-line variants such as toy models.
     *
     * @return a builder holding every value of this configuration
     */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.depth = depth;
        b.embedDim = embedDim;
        b.numHeads = numHeads;
        b.ffnHidden = ffnHidden;
        b.textChannels = textChannels;
        b.textMaxLength = textMaxLength;
        b.codebookDim = codebookDim;
        b.spatialPatchify = spatialPatchify;
        b.normEps = normEps;
        b.blockChunks = blockChunks;
        b.levelEmbeddings = levelEmbeddings;
        b.cosAttn = cosAttn;
        b.sharedAdaLn = sharedAdaLn;
        b.headAdaLn = headAdaLn;
        b.rope2dNormalizedByHw = rope2dNormalizedByHw;
        b.addLevelEmbeddingOnlyFirstBlock = addLevelEmbeddingOnlyFirstBlock;
        return b;
    }

    /** Builds an {@link InfinityConfig}; each method sets the record component of the same name. */
    public static final class Builder {
        private int depth;
        private int embedDim;
        private int numHeads;
        private int ffnHidden;
        private double mlpRatio = Double.NaN;
        private int textChannels;
        private int textMaxLength;
        private int codebookDim;
        private boolean spatialPatchify;
        private double normEps = 1e-6;
        private int blockChunks = 1;
        private int levelEmbeddings = OFFICIAL_LEVEL_EMBEDDINGS;
        private boolean cosAttn = true;
        private boolean sharedAdaLn = true;
        private boolean headAdaLn = true;
        private int rope2dNormalizedByHw = 2;
        private boolean addLevelEmbeddingOnlyFirstBlock = true;

        private Builder() {}

        /**
         * Sets the depth.
         *
         * @param v number of blocks
         * @return this builder
         */
        public Builder depth(int v) {
            depth = v;
            return this;
        }

        /**
         * Sets the width C.
         *
         * @param v the width
         * @return this builder
         */
        public Builder embedDim(int v) {
            embedDim = v;
            return this;
        }

        /**
         * Sets the number of attention heads.
         *
         * @param v the heads
         * @return this builder
         */
        public Builder numHeads(int v) {
            numHeads = v;
            return this;
        }

        /**
         * Sets the FFN hidden size (clears a pending {@link #mlpRatio(double)}).
         *
         * @param v the FFN hidden size
         * @return this builder
         */
        public Builder ffnHidden(int v) {
            ffnHidden = v;
            mlpRatio = Double.NaN;
            return this;
        }

        /**
         * Derives the FFN hidden size from the final width at {@link #build()} by the official rule ({@link
         * #ffnHiddenFor(int, double)}).
         *
         * @param v the MLP ratio
         * @return this builder
         */
        public Builder mlpRatio(double v) {
            mlpRatio = v;
            return this;
        }

        /**
         * Sets the text-feature width Ct5.
         *
         * @param v the width
         * @return this builder
         */
        public Builder textChannels(int v) {
            textChannels = v;
            return this;
        }

        /**
         * Sets the maximum text length.
         *
         * @param v the length
         * @return this builder
         */
        public Builder textMaxLength(int v) {
            textMaxLength = v;
            return this;
        }

        /**
         * Sets the bits per VAE code.
         *
         * @param v the codebook dimension d
         * @return this builder
         */
        public Builder codebookDim(int v) {
            codebookDim = v;
            return this;
        }

        /**
         * Sets the 2×2 spatial patchify.
         *
         * @param v whether tokens are 2×2 patches of codes
         * @return this builder
         */
        public Builder spatialPatchify(boolean v) {
            spatialPatchify = v;
            return this;
        }

        /**
         * Sets the norm epsilon.
         *
         * @param v epsilon
         * @return this builder
         */
        public Builder normEps(double v) {
            normEps = v;
            return this;
        }

        /**
         * Sets the number of block chunks.
         *
         * @param v chunks, dividing the depth
         * @return this builder
         */
        public Builder blockChunks(int v) {
            blockChunks = v;
            return this;
        }

        /**
         * Sets the rows of the level embedding.
         *
         * @param v rows
         * @return this builder
         */
        public Builder levelEmbeddings(int v) {
            levelEmbeddings = v;
            return this;
        }

        /**
         * Sets cosine self-attention.
         *
         * @param v whether self-attention is cosine attention
         * @return this builder
         */
        public Builder cosAttn(boolean v) {
            cosAttn = v;
            return this;
        }

        /**
         * Sets shared AdaLN.
         *
         * @param v whether AdaLN is shared
         * @return this builder
         */
        public Builder sharedAdaLn(boolean v) {
            sharedAdaLn = v;
            return this;
        }

        /**
         * Sets AdaLN before the head.
         *
         * @param v whether the head has AdaLN
         * @return this builder
         */
        public Builder headAdaLn(boolean v) {
            headAdaLn = v;
            return this;
        }

        /**
         * Sets the RoPE position mode.
         *
         * @param v the mode (only 2 is valid)
         * @return this builder
         */
        public Builder rope2dNormalizedByHw(int v) {
            rope2dNormalizedByHw = v;
            return this;
        }

        /**
         * Sets where the level embedding is added.
         *
         * @param v whether only before the first block chunk
         * @return this builder
         */
        public Builder addLevelEmbeddingOnlyFirstBlock(boolean v) {
            addLevelEmbeddingOnlyFirstBlock = v;
            return this;
        }

        /**
         * Builds and validates.
         *
         * @return the configuration
         * @throws IllegalArgumentException naming the first violated rule
         */
        public InfinityConfig build() {
            int ffn = Double.isNaN(mlpRatio) ? ffnHidden : ffnHiddenFor(embedDim, mlpRatio);
            return new InfinityConfig(
                    depth,
                    embedDim,
                    numHeads,
                    ffn,
                    textChannels,
                    textMaxLength,
                    codebookDim,
                    spatialPatchify,
                    normEps,
                    blockChunks,
                    levelEmbeddings,
                    cosAttn,
                    sharedAdaLn,
                    headAdaLn,
                    rope2dNormalizedByHw,
                    addLevelEmbeddingOnlyFirstBlock);
        }
    }
}
