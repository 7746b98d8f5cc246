package dev.arbooth.internal.pickle;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A Python {@code dict} or {@code collections.OrderedDict} built by the unpickler, in insertion order,
 * with identity semantics. Keys are {@link String}, {@link Long}, {@link Double}, {@link Boolean},
 * {@code null} or {@link PyTuple}s of those.
 */
public final class PyDict {
    final Map<Object, Object> items = new LinkedHashMap<>();
    final Map<String, Object> attributes = new LinkedHashMap<>();
    final boolean ordered;
    int height;

    PyDict(boolean ordered) {
        this.ordered = ordered;
    }

    /**
     * The entries.
     *
     * @return the live entry map in insertion order (do not modify)
     */
    public Map<Object, Object> items() {
        return items;
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
        return attributes;
    }
}
