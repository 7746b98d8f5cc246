package dev.arbooth.internal.format;

import java.util.Arrays;
import java.util.Objects;

/**
 * A tensor a model expects: its official name and shape.
 *
 * @param name the official state-dict name
 * @param shape the expected shape
 */
public record TensorSpec(String name, long[] shape) {
    /**
     * Validates and defensively copies.
     *
     * @param name the official state-dict name
     * @param shape the expected shape
     */
    public TensorSpec {
        Objects.requireNonNull(name, "name");
        shape = shape.clone();
    }

    /**
     * Creates a spec.
     *
     * @param name the official state-dict name
     * @param shape the expected shape
     * @return the spec
     */
    public static TensorSpec of(String name, long... shape) {
        return new TensorSpec(name, shape);
    }

    /**
     * The expected shape.
     *
     * @return a copy of the shape
     */
    @Override
    public long[] shape() {
        return shape.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorSpec t && name.equals(t.name) && Arrays.equals(shape, t.shape);
    }

    @Override
    public int hashCode() {
        return 31 * name.hashCode() + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return name + Arrays.toString(shape);
    }
}
