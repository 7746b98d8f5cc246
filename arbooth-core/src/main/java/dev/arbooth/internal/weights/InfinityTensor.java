package dev.arbooth.internal.weights;

import dev.arbooth.config.InfinityConfig;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Every tensor of the official Infinity state dict, in the official order (per module: its parameters, its
 * buffers, then its children in registration order): the one home of the weight names. {@link
 * InfinityWeights} (the expected state dict and strict binding), the network ({@code InfinityNet}, {@code
 * InfinityBlock}), adapters and the trainer's trainable sets and LoRA targets all read them from here.
 *
 * <p>A model-level tensor has one key ({@link #key()}); a block tensor one per block ({@link #key(InfinityConfig,
 * int)}: the block prefix of {@link InfinityWeights#blockPrefix} followed by {@link #suffix()}). With C = width,
 * Ct5 = text width, F = FFN width, H = heads, Hp = text-pool heads, V = logits per token, b = bits per token:
 *
 * <pre>
 * cfg_uncond [text_maxlen, Ct5]            pos_start [1, 1, C]           text_norm.weight [Ct5]
 * text_proj_for_sos.ca.mat_q [1, Hp, C/Hp] .v_bias [C]  .zero_k_bias [C]  .mat_kv.weight [2C, Ct5]
 *                          .proj.weight [C, C]  .proj.bias [C]
 * text_proj_for_ca.0.weight [C, Ct5]  .0.bias [C]  .2.weight [C, C]  .2.bias [C]
 * lvl_embed.weight [15, C]   word_embed.weight [C, b]  .bias [C]
 * shared_ada_lin.1.weight [6C, C]  .bias [6C]          (shared AdaLN)
 * head_nm.ada_lin.1.weight [2C, C]  .bias [2C]          head.weight [V, C]  head.bias [V]   (head AdaLN)
 * per block: ada_gss [1, 1, 6, C]
 *   sa.scale_mul_1H11 [1, H, 1, 1] (cosine attention)  sa.q_bias, sa.v_bias, sa.zero_k_bias [C]
 *   sa.mat_qkv.weight [3C, C]  sa.proj.weight [C, C]  sa.proj.bias [C]
 *   ca.v_bias, ca.zero_k_bias [C]  ca.mat_q.weight [C, C]  ca.mat_q.bias [C]  ca.mat_kv.weight [2C, C]
 *   ca.proj.weight [C, C]  ca.proj.bias [C]
 *   ffn.fc1.weight [F, C]  ffn.fc1.bias [F]  ffn.fc2.weight [C, F]  ffn.fc2.bias [C]
 *   ca_norm.weight [C]  ca_norm.bias [C]
 * </pre>
 *
 * Without shared AdaLN each block has {@code ada_lin.1.weight [6C, C]} and {@code ada_lin.1.bias [6C]} instead
 * of {@code ada_gss}, and there is no {@code shared_ada_lin}; without head AdaLN the head is {@code head.0}
 * (LayerNorm, weight and bias [C]) and {@code head.1} (Linear C → V). The {@code zero_k_bias} tensors are
 * always-zero buffers, not parameters.
 */
public enum InfinityTensor {
    /** The unconditional text rows of guidance {@code (text_maxlen, Ct5)}. */
    CFG_UNCOND("cfg_uncond", InfinityPart.TEXT, c -> dims(c.textMaxLength(), c.textChannels())),
    /** The start-of-sequence position vector {@code (1, 1, C)}. */
    POS_START("pos_start", InfinityPart.INPUT, c -> dims(1, 1, c.embedDim())),
    /** The RMSNorm weight of the text features {@code (Ct5)}. */
    TEXT_NORM("text_norm.weight", InfinityPart.TEXT, c -> dims(c.textChannels())),
    /** The text pool's learned queries {@code (1, Hp, C/Hp)}. */
    POOL_MAT_Q("text_proj_for_sos.ca.mat_q", InfinityPart.TEXT, c -> dims(1, c.textPoolHeads(), c.textPoolHeadDim())),
    /** The text pool's value bias {@code (C)}. */
    POOL_V_BIAS("text_proj_for_sos.ca.v_bias", InfinityPart.TEXT, c -> dims(c.embedDim())),
    /** The text pool's always-zero key bias (buffer) {@code (C)}. */
    POOL_ZERO_K_BIAS("text_proj_for_sos.ca.zero_k_bias", InfinityPart.TEXT, c -> dims(c.embedDim()), true),
    /** The text pool's key/value projection {@code (2C, Ct5)}. */
    POOL_MAT_KV_WEIGHT(
            "text_proj_for_sos.ca.mat_kv.weight", InfinityPart.TEXT, c -> dims(2L * c.embedDim(), c.textChannels())),
    /** The text pool's output projection {@code (C, C)}. */
    POOL_PROJ_WEIGHT("text_proj_for_sos.ca.proj.weight", InfinityPart.TEXT, c -> dims(c.embedDim(), c.embedDim())),
    /** The text pool's output bias {@code (C)}. */
    POOL_PROJ_BIAS("text_proj_for_sos.ca.proj.bias", InfinityPart.TEXT, c -> dims(c.embedDim())),
    /** The first linear of the cross-attention K/V source {@code (C, Ct5)}. */
    TEXT_CA_0_WEIGHT("text_proj_for_ca.0.weight", InfinityPart.TEXT, c -> dims(c.embedDim(), c.textChannels())),
    /** Its bias {@code (C)}. */
    TEXT_CA_0_BIAS("text_proj_for_ca.0.bias", InfinityPart.TEXT, c -> dims(c.embedDim())),
    /** The second linear of the cross-attention K/V source {@code (C, C)}. */
    TEXT_CA_2_WEIGHT("text_proj_for_ca.2.weight", InfinityPart.TEXT, c -> dims(c.embedDim(), c.embedDim())),
    /** Its bias {@code (C)}. */
    TEXT_CA_2_BIAS("text_proj_for_ca.2.bias", InfinityPart.TEXT, c -> dims(c.embedDim())),
    /** The scale ("level") embedding {@code (levels, C)}. */
    LVL_EMBED("lvl_embed.weight", InfinityPart.INPUT, c -> dims(c.levelEmbeddings(), c.embedDim())),
    /** The bit embedding {@code (C, b)}. */
    WORD_EMBED_WEIGHT("word_embed.weight", InfinityPart.INPUT, c -> dims(c.embedDim(), c.bitsPerToken())),
    /** Its bias {@code (C)}. */
    WORD_EMBED_BIAS("word_embed.bias", InfinityPart.INPUT, c -> dims(c.embedDim())),
    /** The shared AdaLN projection {@code (6C, C)}. */
    SHARED_ADA_LIN_WEIGHT(
            "shared_ada_lin.1.weight",
            InfinityPart.SHARED_ADALN,
            c -> dims(6L * c.embedDim(), c.embedDim()),
            InfinityConfig::sharedAdaLn),
    /** Its bias {@code (6C)}. */
    SHARED_ADA_LIN_BIAS(
            "shared_ada_lin.1.bias",
            InfinityPart.SHARED_ADALN,
            c -> dims(6L * c.embedDim()),
            InfinityConfig::sharedAdaLn),
    /** The head's AdaLN projection {@code (2C, C)}. */
    HEAD_NM_WEIGHT(
            "head_nm.ada_lin.1.weight",
            InfinityPart.HEAD,
            c -> dims(2L * c.embedDim(), c.embedDim()),
            InfinityConfig::headAdaLn),
    /** Its bias {@code (2C)}. */
    HEAD_NM_BIAS("head_nm.ada_lin.1.bias", InfinityPart.HEAD, c -> dims(2L * c.embedDim()), InfinityConfig::headAdaLn),
    /** The head {@code (V, C)}. */
    HEAD_WEIGHT("head.weight", InfinityPart.HEAD, c -> dims(c.vocabSize(), c.embedDim()), InfinityConfig::headAdaLn),
    /** Its bias {@code (V)}. */
    HEAD_BIAS("head.bias", InfinityPart.HEAD, c -> dims(c.vocabSize()), InfinityConfig::headAdaLn),
    /** Without head AdaLN: the head's LayerNorm weight {@code (C)}. */
    PLAIN_HEAD_NORM_WEIGHT("head.0.weight", InfinityPart.HEAD, c -> dims(c.embedDim()), c -> !c.headAdaLn()),
    /** Without head AdaLN: its bias {@code (C)}. */
    PLAIN_HEAD_NORM_BIAS("head.0.bias", InfinityPart.HEAD, c -> dims(c.embedDim()), c -> !c.headAdaLn()),
    /** Without head AdaLN: the head linear {@code (V, C)}. */
    PLAIN_HEAD_WEIGHT("head.1.weight", InfinityPart.HEAD, c -> dims(c.vocabSize(), c.embedDim()), c -> !c.headAdaLn()),
    /** Without head AdaLN: its bias {@code (V)}. */
    PLAIN_HEAD_BIAS("head.1.bias", InfinityPart.HEAD, c -> dims(c.vocabSize()), c -> !c.headAdaLn()),

    // ---- per block, under the block prefix
    /** A block's AdaLN table added to the shared AdaLN output {@code (1, 1, 6, C)}. */
    ADA_GSS("ada_gss", InfinityPart.ADALN, c -> dims(1, 1, 6, c.embedDim()), InfinityConfig::sharedAdaLn),
    /** A block's per-head cosine-attention scale (log) {@code (1, H, 1, 1)}. */
    SA_SCALE_MUL(
            "sa.scale_mul_1H11",
            InfinityPart.SELF_ATTENTION,
            c -> dims(1, c.numHeads(), 1, 1),
            InfinityConfig::cosAttn),
    /** A block's query bias {@code (C)}. */
    SA_Q_BIAS("sa.q_bias", InfinityPart.SELF_ATTENTION, c -> dims(c.embedDim())),
    /** A block's value bias {@code (C)}. */
    SA_V_BIAS("sa.v_bias", InfinityPart.SELF_ATTENTION, c -> dims(c.embedDim())),
    /** A block's always-zero key bias (buffer) {@code (C)}. */
    SA_ZERO_K_BIAS("sa.zero_k_bias", InfinityPart.SELF_ATTENTION, c -> dims(c.embedDim()), true),
    /** A block's query/key/value projection {@code (3C, C)}. */
    SA_MAT_QKV_WEIGHT("sa.mat_qkv.weight", InfinityPart.SELF_ATTENTION, c -> dims(3L * c.embedDim(), c.embedDim())),
    /** A block's self-attention output projection {@code (C, C)}. */
    SA_PROJ_WEIGHT("sa.proj.weight", InfinityPart.SELF_ATTENTION, c -> dims(c.embedDim(), c.embedDim())),
    /** Its bias {@code (C)}. */
    SA_PROJ_BIAS("sa.proj.bias", InfinityPart.SELF_ATTENTION, c -> dims(c.embedDim())),
    /** A block's cross-attention value bias {@code (C)}. */
    CA_V_BIAS("ca.v_bias", InfinityPart.CROSS_ATTENTION, c -> dims(c.embedDim())),
    /** A block's always-zero cross-attention key bias (buffer) {@code (C)}. */
    CA_ZERO_K_BIAS("ca.zero_k_bias", InfinityPart.CROSS_ATTENTION, c -> dims(c.embedDim()), true),
    /** A block's cross-attention query projection {@code (C, C)}. */
    CA_MAT_Q_WEIGHT("ca.mat_q.weight", InfinityPart.CROSS_ATTENTION, c -> dims(c.embedDim(), c.embedDim())),
    /** Its bias {@code (C)}. */
    CA_MAT_Q_BIAS("ca.mat_q.bias", InfinityPart.CROSS_ATTENTION, c -> dims(c.embedDim())),
    /** A block's cross-attention key/value projection of the text {@code (2C, C)}. */
    CA_MAT_KV_WEIGHT("ca.mat_kv.weight", InfinityPart.CROSS_ATTENTION, c -> dims(2L * c.embedDim(), c.embedDim())),
    /** A block's cross-attention output projection {@code (C, C)}. */
    CA_PROJ_WEIGHT("ca.proj.weight", InfinityPart.CROSS_ATTENTION, c -> dims(c.embedDim(), c.embedDim())),
    /** Its bias {@code (C)}. */
    CA_PROJ_BIAS("ca.proj.bias", InfinityPart.CROSS_ATTENTION, c -> dims(c.embedDim())),
    /** A block's first FFN linear {@code (F, C)}. */
    FFN_FC1_WEIGHT("ffn.fc1.weight", InfinityPart.FFN, c -> dims(c.ffnHidden(), c.embedDim())),
    /** Its bias {@code (F)}. */
    FFN_FC1_BIAS("ffn.fc1.bias", InfinityPart.FFN, c -> dims(c.ffnHidden())),
    /** A block's second FFN linear {@code (C, F)}. */
    FFN_FC2_WEIGHT("ffn.fc2.weight", InfinityPart.FFN, c -> dims(c.embedDim(), c.ffnHidden())),
    /** Its bias {@code (C)}. */
    FFN_FC2_BIAS("ffn.fc2.bias", InfinityPart.FFN, c -> dims(c.embedDim())),
    /** A block's LayerNorm weight before the cross-attention {@code (C)}. */
    CA_NORM_WEIGHT("ca_norm.weight", InfinityPart.CROSS_ATTENTION_NORM, c -> dims(c.embedDim())),
    /** Its bias {@code (C)}. */
    CA_NORM_BIAS("ca_norm.bias", InfinityPart.CROSS_ATTENTION_NORM, c -> dims(c.embedDim())),
    /** Without shared AdaLN: a block's own AdaLN projection {@code (6C, C)}. */
    ADA_LIN_WEIGHT(
            "ada_lin.1.weight", InfinityPart.ADALN, c -> dims(6L * c.embedDim(), c.embedDim()), c -> !c.sharedAdaLn()),
    /** Without shared AdaLN: its bias {@code (6C)}. */
    ADA_LIN_BIAS("ada_lin.1.bias", InfinityPart.ADALN, c -> dims(6L * c.embedDim()), c -> !c.sharedAdaLn());

    private final String suffix;
    private final InfinityPart part;
    private final Function<InfinityConfig, long[]> shape;
    private final Predicate<InfinityConfig> present;
    private final boolean buffer;

    InfinityTensor(
            String suffix,
            InfinityPart part,
            Function<InfinityConfig, long[]> shape,
            Predicate<InfinityConfig> present,
            boolean buffer) {
        this.suffix = suffix;
        this.part = part;
        this.shape = shape;
        this.present = present;
        this.buffer = buffer;
    }

    InfinityTensor(String suffix, InfinityPart part, Function<InfinityConfig, long[]> shape) {
        this(suffix, part, shape, c -> true, false);
    }

    InfinityTensor(String suffix, InfinityPart part, Function<InfinityConfig, long[]> shape, boolean buffer) {
        this(suffix, part, shape, c -> true, buffer);
    }

    InfinityTensor(
            String suffix,
            InfinityPart part,
            Function<InfinityConfig, long[]> shape,
            Predicate<InfinityConfig> present) {
        this(suffix, part, shape, present, false);
    }

    private static long[] dims(long... d) {
        return d;
    }

    /**
     * The official name of a model-level tensor, or a block tensor's name relative to its block prefix.
     *
     * @return e.g. {@code "cfg_uncond"} or {@code "ca.mat_q.weight"}
     */
    public String suffix() {
        return suffix;
    }

    /**
     * The part the tensor belongs to.
     *
     * @return the part
     */
    public InfinityPart part() {
        return part;
    }

    /**
     * Whether every block has its own copy.
     *
     * @return {@code part().perBlock()}
     */
    public boolean perBlock() {
        return part.perBlock();
    }

    /**
     * Whether the tensor is an always-zero buffer ({@code zero_k_bias}) rather than a parameter.
     *
     * @return true for buffers
     */
    public boolean isBuffer() {
        return buffer;
    }

    /**
     * Whether a configuration has this tensor (some exist only with or without shared AdaLN, head AdaLN or
     * cosine attention).
     *
     * @param c the configuration
     * @return whether the state dict holds it
     */
    public boolean presentIn(InfinityConfig c) {
        return present.test(c);
    }

    /**
     * The tensor's shape under a configuration.
     *
     * @param c the configuration
     * @return a fresh shape array
     */
    public long[] shape(InfinityConfig c) {
        return shape.apply(c).clone();
    }

    /**
     * The official state-dict key of a model-level tensor.
     *
     * @return the key
     * @throws IllegalStateException for a block tensor
     */
    public String key() {
        if (perBlock()) {
            throw new IllegalStateException(this + " is a block tensor: give the configuration and the block");
        }
        return suffix;
    }

    /**
     * The official state-dict key of a block tensor in one block.
     *
     * @param c the configuration
     * @param block the block, 0..depth-1
     * @return e.g. {@code "block_chunks.0.module.0.ca.mat_q.weight"}
     * @throws IllegalStateException for a model-level tensor
     */
    public String key(InfinityConfig c, int block) {
        if (!perBlock()) {
            throw new IllegalStateException(this + " is a model-level tensor: it has one key, " + suffix);
        }
        return InfinityWeights.blockPrefix(c, block) + suffix;
    }
}
