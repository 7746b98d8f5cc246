package dev.arbooth.internal.pickle;

import java.util.ArrayList;
import java.util.List;

/** A Python {@code list} built by the unpickler: mutable while unpickling, identity semantics. */
public final class PyList {
    final List<Object> items = new ArrayList<>();
    int height;

    PyList() {}

    /**
     * The elements.
     *
     * @return the live element list (do not modify)
     */
    public List<Object> items() {
        return items;
    }
}
