package dev.arbooth.internal.format;

import dev.arbooth.ArboothException;
import dev.arbooth.internal.pickle.TensorRef;
import dev.arbooth.tensor.DType;
import dev.arbooth.tensor.Tensor;
import java.util.Collections;
import java.util.Map;
import java.util.Set;

/** A state dict of a {@link TorchCheckpoint}: metadata from the pickle, tensors read on demand. */
final class TorchStateDict implements StateDict {
    private final TorchCheckpoint owner;
    private final Map<String, TensorRef> tensors;

    TorchStateDict(TorchCheckpoint owner, Map<String, TensorRef> tensors) {
        this.owner = owner;
        this.tensors = Collections.unmodifiableMap(tensors);
    }

    @Override
    public Set<String> names() {
        owner.checkOpen();
        return tensors.keySet();
    }

    @Override
    public DType dtype(String name) {
        return ref(name).dtype();
    }

    @Override
    public long[] shape(String name) {
        return ref(name).size();
    }

    @Override
    public Tensor get(String name) {
        return owner.materialize(ref(name));
    }

    private TensorRef ref(String name) {
        owner.checkOpen();
        TensorRef t = tensors.get(name);
        if (t == null) {
            throw new ArboothException(owner.file() + ": no tensor named '" + name + "' (the state dict has "
                    + tensors.size() + " tensors)");
        }
        return t;
    }
}
