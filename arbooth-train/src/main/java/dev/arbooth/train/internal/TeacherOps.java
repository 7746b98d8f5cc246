package dev.arbooth.train.internal;

import ai.djl.ndarray.NDArray;
import dev.arbooth.internal.nn.ForwardingOps;
import dev.arbooth.internal.nn.Ops;
import java.util.Map;
import java.util.Objects;

/**
 * The frozen teacher's view of a model under training: the tensors the student trains are read from copies taken
 * before training (the original weights), every other weight from the shared store.
 */
final class TeacherOps extends ForwardingOps<NDArray> {
    private final Map<String, NDArray> originals;

    /**
     * A view over an engine.
     *
     * @param delegate the student's engine
     * @param originals the original values of the trained tensors, by official key
     */
    TeacherOps(Ops<NDArray> delegate, Map<String, NDArray> originals) {
        super(delegate);
        this.originals = Objects.requireNonNull(originals, "originals");
    }

    @Override
    public NDArray weight(String name) {
        NDArray w = originals.get(name);
        return w != null ? w : super.weight(name);
    }

    // the delegate's named layers would look their weights up in the delegate: route them through this view

    @Override
    public NDArray linearLayer(NDArray x, String weightKey, NDArray bias) {
        return linear(x, weight(weightKey), bias);
    }

    @Override
    public NDArray linearLayerGeluTanh(NDArray x, String weightKey, NDArray bias) {
        return linearGeluTanh(x, weight(weightKey), bias);
    }
}
