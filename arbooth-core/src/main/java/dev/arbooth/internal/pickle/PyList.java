package dev.arbooth.internal.pickle;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** A Python {@code list} built by the unpickler: mutable while unpickling, identity semantics. */
public final class PyList {
    private List<Object> items; // allocated on the first append: a pickle bomb's empty lists stay small
    int height;

    PyList() {}

    void add(Object v) {
        if (items == null) {
            items = new ArrayList<>(4);
        }
        items.add(v);
    }

    /**
     * The elements.
     *
     * @return the live element list (do not modify)
     */
    public List<Object> items() {
        return items == null ? Collections.emptyList() : items;
    }
}
