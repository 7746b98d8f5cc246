package dev.arbooth.internal.pickle;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A Python {@code dict} or {@code collections.OrderedDict} built by the unpickler, in insertion order,
 * with identity semantics. Keys are {@link String}, {@link Long}, {@link Double}, {@link Boolean},
 * {@code null} or {@link PyTuple}s of those.
 */
public final class PyDict {
    // Allocated on the first entry: a pickle bomb's millions of empty dicts stay small (about 32 bytes each).
    private Map<Object, Object> items;
    private Map<String, Object> attributes;
    final boolean ordered;
    int height;

    PyDict(boolean ordered) {
        this.ordered = ordered;
    }

    void put(Object key, Object value) {
        if (items == null) {
            items = new LinkedHashMap<>(4);
        }
        items.put(key, value);
    }

    void putAttribute(String name, Object value) {
        if (attributes == null) {
            attributes = new LinkedHashMap<>(4);
        }
        attributes.put(name, value);
    }

    /**
     * The entries.
     *
     * @return the live entry map in insertion order (do not modify)
     */
    public Map<Object, Object> items() {
        return items == null ? Collections.emptyMap() : items;
    }

    /**
     * Whether this is a {@code collections.OrderedDict} rather than a plain {@code dict}.
     *
     * @return {@code true} for an OrderedDict
     */
    public boolean ordered() {
        return ordered;
    }

    /**
     * The instance attributes set by {@code BUILD} (an OrderedDict's {@code _metadata}).
     *
     * @return the live attribute map (do not modify)
     */
    public Map<String, Object> attributes() {
        return attributes == null ? Collections.emptyMap() : attributes;
    }
}
