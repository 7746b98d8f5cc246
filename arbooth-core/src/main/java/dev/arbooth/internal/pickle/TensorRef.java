package dev.arbooth.internal.pickle;

import dev.arbooth.tensor.DType;
import java.util.Arrays;

/**
 * A tensor as rebuilt by {@code torch._utils._rebuild_tensor_v2}: a strided view of a storage. Nothing is
 * read here; identity semantics, so tensors shared by several containers stay one object.
 */
public final class TensorRef {
    private final StorageRef storage;
    private final long storageOffset;
    private final long[] size;
    private final long[] stride;
    private final boolean requiresGrad;

    TensorRef(StorageRef storage, long storageOffset, long[] size, long[] stride, boolean requiresGrad) {
        this.storage = storage;
        this.storageOffset = storageOffset;
        this.size = size;
        this.stride = stride;
        this.requiresGrad = requiresGrad;
    }

    /**
     * The storage this is a view of.
     *
     * @return the storage
     */
    public StorageRef storage() {
        return storage;
    }

    /**
     * The element type.
     *
     * @return the storage's dtype
     */
    public DType dtype() {
        return storage.dtype();
    }

    /**
     * The offset of element {@code [0, ..., 0]} in the storage, in elements.
     *
     * @return the storage offset
     */
    public long storageOffset() {
        return storageOffset;
    }

    /**
     * The shape.
     *
     * @return a copy of the sizes
     */
    public long[] size() {
        return size.clone();
    }

    /**
     * The strides, in elements.
     *
     * @return a copy of the strides
     */
    public long[] stride() {
        return stride.clone();
    }

    /**
     * Whether the tensor was a parameter requiring gradients (informational).
     *
     * @return the flag as saved
     */
    public boolean requiresGrad() {
        return requiresGrad;
    }

    /**
     * The number of elements.
     *
     * @return the product of the sizes
     */
    public long numel() {
        long n = 1;
        for (long d : size) {
            n *= d;
        }
        return n;
    }

    @Override
    public String toString() {
        return "tensor(" + storage.dtype() + ", shape " + Arrays.toString(size) + ", stride " + Arrays.toString(stride)
                + ", offset " + storageOffset + ", storage '" + storage.key() + "')";
    }
}
