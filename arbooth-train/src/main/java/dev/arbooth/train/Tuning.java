package dev.arbooth.train;

/**
 * Which tensors of the base a fit trains (ARBooth's selective layer tuning and its ablations). The identifier
 * embedding is trained in every mode; every tensor outside the chosen set stays bit-identical to the base.
 */
public enum Tuning {
    /** ARBooth's default: every block's cross-attention ({@code ca.mat_q}, {@code ca.mat_kv}, {@code ca.v_bias},
     * {@code ca.proj}) and FFN ({@code ffn.fc1}, {@code ffn.fc2}). */
    CROSS_ATTENTION_AND_FFN,
    /** Every block's cross-attention alone (an ablation of ARBooth's set: the FFN stays frozen). */
    CROSS_ATTENTION_ONLY,
    /** The default set plus every block's self-attention. */
    WITH_SELF_ATTENTION,
    /** Every tensor of every block. */
    ALL_BLOCKS,
    /** The identifier embedding alone (textual inversion). */
    IDENTIFIER_ONLY
}
