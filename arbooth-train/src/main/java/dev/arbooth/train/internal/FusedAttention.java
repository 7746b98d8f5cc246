package dev.arbooth.train.internal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.Optional;

/**
 * PyTorch's fused scaled-dot-product attention ({@code torch.scaled_dot_product_attention}: on the CPU the
 * flash-attention kernel, with a backward of its own) for DJL, whose {@code NDArray} API has no such operation.
 *
 * <p>The composed form ({@code softmax(q·kᵀ)·v} as three operations) writes the scores and the probabilities to
 * memory and reads them back, and autograd keeps the probabilities of every chunk for the backward; the fused
 * kernel works on tiles that stay in cache and keeps only the output and one log-sum-exp per query. At the mid
 * configuration a block's block-causal self-attention, forward and backward, takes about 0.4 of the composed
 * chunks' time ({@code docs/benchmarks.md}, "Fused attention").
 *
 * <p>How: a {@link ScriptedOp} (a one-method TorchScript module assembled in memory, loaded once per process).
 * Where it fails to load, {@link #shared()} is empty and the callers keep the composed form; {@code
 * -Darbooth.attention=composed} asks for the composed form everywhere (benchmarks, A/B runs).
 */
final class FusedAttention {
    /** The system property that selects the attention ({@code fused}, the default, or {@code composed}). */
    static final String PROPERTY = "arbooth.attention";

    private final ScriptedOp op;

    private FusedAttention(ScriptedOp op) {
        this.op = op;
    }

    private static final class Holder {
        static final Optional<FusedAttention> SHARED = load(System.getProperty(PROPERTY, "fused"));
    }

    /**
     * The process's fused attention, unless {@code -Darbooth.attention=composed} or the engine cannot load it.
     *
     * @return the kernel, or empty
     */
    static Optional<FusedAttention> shared() {
        return Holder.SHARED;
    }

    /**
     * Loads a fused attention (a module of its own; {@link #shared()} is the process's).
     *
     * @param mode {@code fused} or {@code composed}
     * @return the kernel; empty for {@code composed} or where it does not load
     * @throws IllegalArgumentException for another mode
     */
    static Optional<FusedAttention> load(String mode) {
        return ScriptedOp.load(
                        mode,
                        PROPERTY,
                        "attention",
                        "Attention",
                        "q: Tensor,\n    k: Tensor,\n    v: Tensor",
                        "torch.scaled_dot_product_attention(q, k, v, None, 0., False, scale=1.)")
                .map(FusedAttention::new);
    }

    /**
     * {@code softmax(q·kᵀ)·v} per row and head, no mask, no scaling (the caller scales the queries).
     *
     * @param q_BHnd queries {@code (B, H, n, d)}, last axis contiguous
     * @param k_BHSd keys {@code (B, H, S, d)}
     * @param v_BHSd values {@code (B, H, S, d)}
     * @param owner the manager the output is attached to
     * @return {@code (B, H, n, d)}; recorded for autograd where the inputs require gradients
     */
    NDArray attend(NDArray q_BHnd, NDArray k_BHSd, NDArray v_BHSd, NDManager owner) {
        return op.call(owner, q_BHnd, k_BHSd, v_BHSd);
    }

    @Override
    public String toString() {
        return "FusedAttention[" + op + "]";
    }
}
