package dev.arbooth.internal.weights;

import dev.arbooth.config.InfinityConfig;
import java.util.List;

/**
 * The linear layers of the Infinity transformer ({@code x @ weightᵀ + bias}), named by their weight tensor:
 * what the network calls through {@code Ops.linear(x, weightKey, bias)} and what a LoRA decorator targets by
 * key. A layer's bias is one tensor, or the concatenation of several ({@code sa.mat_qkv}: {@code q_bias,
 * zero_k_bias, v_bias}; {@code ca.mat_kv} and the text pool's {@code mat_kv}: {@code zero_k_bias, v_bias}).
 */
public enum InfinityLinear {
    /** The text pool's key/value projection ({@code text_proj_for_sos.ca.mat_kv}). */
    TEXT_POOL_KV(InfinityTensor.POOL_MAT_KV_WEIGHT, InfinityTensor.POOL_ZERO_K_BIAS, InfinityTensor.POOL_V_BIAS),
    /** The text pool's output projection. */
    TEXT_POOL_PROJ(InfinityTensor.POOL_PROJ_WEIGHT, InfinityTensor.POOL_PROJ_BIAS),
    /** The first linear of the cross-attention K/V source ({@code text_proj_for_ca.0}). */
    TEXT_CA_0(InfinityTensor.TEXT_CA_0_WEIGHT, InfinityTensor.TEXT_CA_0_BIAS),
    /** The second linear of the cross-attention K/V source ({@code text_proj_for_ca.2}). */
    TEXT_CA_2(InfinityTensor.TEXT_CA_2_WEIGHT, InfinityTensor.TEXT_CA_2_BIAS),
    /** The bit embedding. */
    WORD_EMBED(InfinityTensor.WORD_EMBED_WEIGHT, InfinityTensor.WORD_EMBED_BIAS),
    /** The shared AdaLN projection. */
    SHARED_ADA_LIN(InfinityTensor.SHARED_ADA_LIN_WEIGHT, InfinityTensor.SHARED_ADA_LIN_BIAS),
    /** The head's AdaLN projection ({@code head_nm.ada_lin.1}). */
    HEAD_ADA_LIN(InfinityTensor.HEAD_NM_WEIGHT, InfinityTensor.HEAD_NM_BIAS),
    /** The head. */
    HEAD(InfinityTensor.HEAD_WEIGHT, InfinityTensor.HEAD_BIAS),
    /** A block's query/key/value projection. */
    SA_QKV(
            InfinityTensor.SA_MAT_QKV_WEIGHT,
            InfinityTensor.SA_Q_BIAS,
            InfinityTensor.SA_ZERO_K_BIAS,
            InfinityTensor.SA_V_BIAS),
    /** A block's self-attention output projection. */
    SA_PROJ(InfinityTensor.SA_PROJ_WEIGHT, InfinityTensor.SA_PROJ_BIAS),
    /** A block's cross-attention query projection. */
    CA_Q(InfinityTensor.CA_MAT_Q_WEIGHT, InfinityTensor.CA_MAT_Q_BIAS),
    /** A block's cross-attention key/value projection of the text. */
    CA_KV(InfinityTensor.CA_MAT_KV_WEIGHT, InfinityTensor.CA_ZERO_K_BIAS, InfinityTensor.CA_V_BIAS),
    /** A block's cross-attention output projection. */
    CA_PROJ(InfinityTensor.CA_PROJ_WEIGHT, InfinityTensor.CA_PROJ_BIAS),
    /** A block's first FFN linear (followed by GELU). */
    FFN_FC1(InfinityTensor.FFN_FC1_WEIGHT, InfinityTensor.FFN_FC1_BIAS),
    /** A block's second FFN linear. */
    FFN_FC2(InfinityTensor.FFN_FC2_WEIGHT, InfinityTensor.FFN_FC2_BIAS);

    private final InfinityTensor weight;
    private final List<InfinityTensor> bias;

    InfinityLinear(InfinityTensor weight, InfinityTensor... bias) {
        this.weight = weight;
        this.bias = List.of(bias);
    }

    /**
     * The weight {@code [out, in]}.
     *
     * @return the weight tensor
     */
    public InfinityTensor weight() {
        return weight;
    }

    /**
     * The tensors whose concatenation is the bias {@code [out]}.
     *
     * @return one or more tensors
     */
    public List<InfinityTensor> bias() {
        return bias;
    }

    /**
     * The part the layer belongs to.
     *
     * @return its weight's part
     */
    public InfinityPart part() {
        return weight.part();
    }

    /**
     * The state-dict key of a model-level layer's weight.
     *
     * @return the key
     */
    public String key() {
        return weight.key();
    }

    /**
     * The state-dict key of a block layer's weight in one block.
     *
     * @param c the configuration
     * @param block the block
     * @return the key
     */
    public String key(InfinityConfig c, int block) {
        return weight.key(c, block);
    }
}
