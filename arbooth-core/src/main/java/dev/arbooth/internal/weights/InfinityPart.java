package dev.arbooth.internal.weights;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/**
 * The parts of the Infinity transformer that its tensors belong to: the units that trainable sets, LoRA
 * targets and adapters are chosen in. Model-level parts hold one copy of their tensors; block parts one per
 * block.
 */
public enum InfinityPart {
    /** The text path: {@code text_norm}, the attentive pool {@code text_proj_for_sos}, {@code text_proj_for_ca}, {@code cfg_uncond}. */
    TEXT(false),
    /** The token inputs: {@code pos_start}, {@code word_embed}, {@code lvl_embed}. */
    INPUT(false),
    /** The shared AdaLN projection {@code shared_ada_lin}. */
    SHARED_ADALN(false),
    /** The head: {@code head_nm} and {@code head}. */
    HEAD(false),
    /** A block's AdaLN table ({@code ada_gss}; {@code ada_lin} without shared AdaLN). */
    ADALN(true),
    /** A block's self-attention ({@code sa.*}). */
    SELF_ATTENTION(true),
    /** A block's cross-attention to the text ({@code ca.*}), without its LayerNorm. */
    CROSS_ATTENTION(true),
    /** The LayerNorm before a block's cross-attention ({@code ca_norm}, a sibling of {@code ca}). */
    CROSS_ATTENTION_NORM(true),
    /** A block's feed-forward network ({@code ffn.*}). */
    FFN(true);

    /**
     * ARBooth's selective tuning: every block's cross-attention and FFN (what an adapter of format version 1
     * may hold).
     */
    public static final Set<InfinityPart> ARBOOTH = Collections.unmodifiableSet(EnumSet.of(CROSS_ATTENTION, FFN));

    /**
     * Every part of every block (the "all blocks" trainable set; the parameters of these parts are what an
     * adapter of format version 2 may hold).
     */
    public static final Set<InfinityPart> BLOCKS =
            Collections.unmodifiableSet(EnumSet.of(ADALN, SELF_ATTENTION, CROSS_ATTENTION, CROSS_ATTENTION_NORM, FFN));

    private final boolean perBlock;

    InfinityPart(boolean perBlock) {
        this.perBlock = perBlock;
    }

    /**
     * Whether every block has its own copy of this part.
     *
     * @return true for block parts
     */
    public boolean perBlock() {
        return perBlock;
    }
}
