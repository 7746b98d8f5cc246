package dev.arbooth.internal.pickle;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * A Python {@code tuple}: immutable, with value equality (so it can be a dict key). Its nesting height is
 * known at construction and bounded by the unpickler's depth limit, so equality and hashing cannot recurse
 * without bound.
 */
public final class PyTuple {
    static final PyTuple EMPTY = new PyTuple(new Object[0], 0);

    private final Object[] items;
    final int height;

    PyTuple(Object[] items, int height) {
        this.items = items;
        this.height = height;
    }

    /**
     * The number of elements.
     *
     * @return the length
     */
    public int size() {
        return items.length;
    }

    /**
     * One element.
     *
     * @param i the index
     * @return the element
     */
    public Object get(int i) {
        return items[i];
    }

    /**
     * The elements.
     *
     * @return an unmodifiable view (may contain {@code null})
     */
    public List<Object> items() {
        return Collections.unmodifiableList(Arrays.asList(items));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PyTuple t && Arrays.equals(items, t.items);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(items);
    }

    @Override
    public String toString() {
        return "tuple of " + items.length;
    }
}
