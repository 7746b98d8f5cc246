package dev.arbooth.train.internal;

import ai.djl.ndarray.NDArray;
import dev.arbooth.internal.nn.ForwardingOps;
import dev.arbooth.internal.nn.Ops;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * LoRA as an {@link Ops} decorator: every targeted linear layer {@code K} computes {@code x Wᵀ + bias + scale · (x
 * Aᵀ) Bᵀ} with the factors {@code K.lora_A} {@code (r, in)} and {@code K.lora_B} {@code (out, r)} looked up by
 * name ({@link #factorA}, {@link #factorB}) through the delegate's {@link Ops#weight}, so they train like any other
 * parameter of the store. With {@code B = 0} the output equals the base layer's; the fused dense weight is {@code W
 * + scale · B A} ({@link ArboothIteration#adapterTensors()}).
 */
final class LoraOps extends ForwardingOps<NDArray> {
    private final Set<String> targets;
    private final float scale;

    /**
     * A decorator over an engine.
     *
     * @param delegate the engine (its store holds the factors)
     * @param targets the weight keys of the adapted layers
     * @param scale {@code alpha / r}
     */
    LoraOps(Ops<NDArray> delegate, Set<String> targets, float scale) {
        super(delegate);
        this.targets = Objects.requireNonNull(targets, "targets");
        this.scale = scale;
    }

    /**
     * The name of a layer's down factor.
     *
     * @param weightKey the official key {@code K.weight}
     * @return {@code K.lora_A}
     */
    static String factorA(String weightKey) {
        return stem(weightKey) + ".lora_A";
    }

    /**
     * The name of a layer's up factor.
     *
     * @param weightKey the official key {@code K.weight}
     * @return {@code K.lora_B}
     */
    static String factorB(String weightKey) {
        return stem(weightKey) + ".lora_B";
    }

    private static String stem(String weightKey) {
        if (!weightKey.endsWith(".weight")) {
            throw new IllegalArgumentException("a LoRA target must be a '.weight' key, got '" + weightKey + "'");
        }
        return weightKey.substring(0, weightKey.length() - ".weight".length());
    }

    @Override
    public NDArray linearLayer(NDArray x, String weightKey, NDArray bias) {
        NDArray y = super.linearLayer(x, weightKey, bias);
        if (!targets.contains(weightKey)) {
            return y;
        }
        NDArray low = linear(linear(x, weight(factorA(weightKey)), null), weight(factorB(weightKey)), null);
        return add(y, scale == 1f ? low : mulScalar(low, scale));
    }

    @Override
    public NDArray linearLayerGeluTanh(NDArray x, String weightKey, NDArray bias) {
        if (!targets.contains(weightKey)) {
            return super.linearLayerGeluTanh(x, weightKey, bias);
        }
        return geluTanh(linearLayer(x, weightKey, bias));
    }

    /**
     * The factors' names of some targets.
     *
     * @param targets weight keys
     * @return key to {@code {A, B}} names
     */
    static Map<String, String[]> factorNames(Iterable<String> targets) {
        Map<String, String[]> out = new java.util.LinkedHashMap<>();
        for (String t : targets) {
            out.put(t, new String[] {factorA(t), factorB(t)});
        }
        return out;
    }
}
