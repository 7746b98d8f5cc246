package dev.arbooth.internal.format;

import dev.arbooth.ArboothException;
import dev.arbooth.tensor.DType;
import dev.arbooth.tensor.Tensor;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Named tensors as stored in a checkpoint, read lazily: a safetensors file, a PyTorch state dict, or an
 * in-memory map. Names are the official ones ({@code block_chunks.0.module.0.sa.mat_qkv.weight}).
 */
public interface StateDict {
    /**
     * The tensor names, in file order.
     *
     * @return the names
     */
    Set<String> names();

    /**
     * The element type of a tensor, without reading its data.
     *
     * @param name the tensor name
     * @return its dtype
     * @throws ArboothException if there is no such tensor
     */
    DType dtype(String name);

    /**
     * The shape of a tensor, without reading its data.
     *
     * @param name the tensor name
     * @return a copy of its shape
     * @throws ArboothException if there is no such tensor
     */
    long[] shape(String name);

    /**
     * A tensor.
     *
     * @param name the tensor name
     * @return the tensor (possibly a view of a memory-mapped file)
     * @throws ArboothException if there is no such tensor
     */
    Tensor get(String name);

    /**
     * Whether a tensor of that name exists.
     *
     * @param name the tensor name
     * @return whether {@link #names()} contains it
     */
    default boolean contains(String name) {
        return names().contains(name);
    }

    /**
     * Reads every tensor into a map (views, not copies, where the source is memory-mapped).
     *
     * @return the tensors by name, in file order
     */
    default Map<String, Tensor> toMap() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        for (String n : names()) {
            m.put(n, get(n));
        }
        return Collections.unmodifiableMap(m);
    }

    /**
     * An in-memory state dict.
     *
     * @param tensors the tensors by name (copied into an unmodifiable map, order kept)
     * @return the state dict
     */
    static StateDict of(Map<String, Tensor> tensors) {
        Map<String, Tensor> copy = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
        return new StateDict() {
            @Override
            public Set<String> names() {
                return copy.keySet();
            }

            @Override
            public DType dtype(String name) {
                return get(name).dtype();
            }

            @Override
            public long[] shape(String name) {
                return get(name).shape();
            }

            @Override
            public Tensor get(String name) {
                Tensor t = copy.get(name);
                if (t == null) {
                    throw new ArboothException(
                            "No tensor named '" + name + "' (the state dict has " + copy.size() + " tensors)");
                }
                return t;
            }
        };
    }
}
