package dev.arbooth.train.internal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.Optional;

/**
 * PyTorch's tanh-approximated GELU as one operation ({@code torch.gelu(x, approximate="tanh")}, the activation of
 * Infinity's FFN), which DJL's {@code NDArray} API lacks (its {@code gelu} is the exact, erf form).
 *
 * <p>Composed from DJL's operations the activation takes six element-wise operations over the FFN's hidden layer,
 * the largest activations of a block, and autograd keeps five of their results for the backward; the fused
 * operation reads its input once, keeps only the input, and has a backward of its own.
 *
 * <p>How: a {@link ScriptedOp}. Where it fails to load, {@link #shared()} is empty and {@link DjlOps#geluTanh}
 * keeps the composed form; {@code -Darbooth.gelu=composed} asks for the composed form everywhere.
 */
final class FusedGelu {
    /** The system property that selects the GELU ({@code fused}, the default, or {@code composed}). */
    static final String PROPERTY = "arbooth.gelu";

    private final ScriptedOp op;

    private FusedGelu(ScriptedOp op) {
        this.op = op;
    }

    private static final class Holder {
        static final Optional<FusedGelu> SHARED = load(System.getProperty(PROPERTY, "fused"));
    }

    /**
     * The process's fused GELU, unless {@code -Darbooth.gelu=composed} or the engine cannot load it.
     *
     * @return the operation, or empty
     */
    static Optional<FusedGelu> shared() {
        return Holder.SHARED;
    }

    /**
     * Loads a fused GELU (a module of its own; {@link #shared()} is the process's).
     *
     * @param mode {@code fused} or {@code composed}
     * @return the operation; empty for {@code composed} or where it does not load
     * @throws IllegalArgumentException for another mode
     */
    static Optional<FusedGelu> load(String mode) {
        return ScriptedOp.load(mode, PROPERTY, "GELU", "GeluTanh", "x: Tensor", "torch.gelu(x, approximate=\"tanh\")")
                .map(FusedGelu::new);
    }

    /**
     * {@code 0.5 x (1 + tanh(√(2/π) (x + 0.044715 x³)))}, element-wise.
     *
     * @param x the input
     * @param owner the manager the output is attached to
     * @return the activations, of the input's shape; recorded for autograd where the input requires gradients
     */
    NDArray apply(NDArray x, NDManager owner) {
        return op.call(owner, x);
    }

    @Override
    public String toString() {
        return "FusedGelu[" + op + "]";
    }
}
