package dev.arbooth.train.internal;

import ai.djl.ndarray.NDArray;
import dev.arbooth.internal.nn.ForwardingOps;
import dev.arbooth.internal.nn.Ops;
import java.util.Map;
import java.util.Objects;

/**
 * Drop-path (stochastic depth) as an {@link Ops} decorator: the residual branches of a block (self-attention and
 * FFN) end in the linear layers {@code sa.proj} and {@code ffn.fc2}, whose outputs are multiplied by the branch's
 * per-sample mask {@code (B, 1, 1)} (0, or {@code 1 / keep}). The official {@code DropPath} multiplies the branch
 * after its AdaLN gate; both are per-row scalings, so the result is the same up to the order of two float32
 * multiplications. The masks are drawn Java-side ({@link ArboothIteration}).
 */
final class DropPathOps extends ForwardingOps<NDArray> {
    private final Map<String, float[]> masks;

    /**
     * A decorator over an engine.
     *
     * @param delegate the engine
     * @param masks the weight key of a branch's last linear layer to its per-row factor
     */
    DropPathOps(Ops<NDArray> delegate, Map<String, float[]> masks) {
        super(delegate);
        this.masks = Objects.requireNonNull(masks, "masks");
    }

    @Override
    public NDArray linearLayer(NDArray x, String weightKey, NDArray bias) {
        NDArray y = super.linearLayer(x, weightKey, bias);
        float[] m = masks.get(weightKey);
        return m == null ? y : mul(y, constant(m, m.length, 1, 1));
    }
}
