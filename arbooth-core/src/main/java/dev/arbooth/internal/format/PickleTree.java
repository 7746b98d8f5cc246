package dev.arbooth.internal.format;

import dev.arbooth.FormatException;
import dev.arbooth.internal.pickle.PyDict;
import dev.arbooth.internal.pickle.PyList;
import dev.arbooth.internal.pickle.PyTuple;
import dev.arbooth.internal.pickle.StorageRef;
import dev.arbooth.internal.pickle.TensorRef;
import dev.arbooth.internal.pickle.TorchGlobal;
import dev.arbooth.tensor.Tensor;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Walks the object graph an unpickler built: first to validate it (depth, cycles, the size of its
 * expansion, every tensor's storage and extent), then to convert it into the public tree of {@link Map},
 * {@link List}, {@link Tensor} and scalars. Both walks visit each shared object once, so their cost is
 * linear in the pickle even when its expansion is exponential.
 */
final class PickleTree {
    private PickleTree() {}

    /**
     * Validates the graph below {@code root}.
     *
     * @throws FormatException naming the file and the tree path of the first problem
     */
    static void validate(Object root, PickleLimits limits, Path file, TorchStorages storages) {
        new Validator(limits, file, storages).size(root, new ArrayList<>());
    }

    /** Converts a validated graph; shared objects stay shared in the result. */
    static Object convert(Object root, TorchStorages storages) {
        return new Converter(storages).convert(root);
    }

    /**
     * Renders a tree path such as {@code ['vae']['decoder.conv_in.conv.weight']}.
     *
     * @param path the segments
     * @return the path, or {@code "the root"} when empty
     */
    static String render(List<String> path) {
        return path.isEmpty() ? "the root" : String.join("", path);
    }

    /**
     * Renders one dict key as a path segment.
     *
     * @param key the key
     * @return e.g. {@code ['vae']} or {@code [3]}
     */
    static String segment(Object key) {
        return key instanceof String s ? "['" + s + "']" : "[" + key + "]";
    }

    private static final class Validator {
        private final PickleLimits limits;
        private final Path file;
        private final TorchStorages storages;
        private final Map<Object, Long> sizes = new IdentityHashMap<>();
        private final Map<Object, Boolean> active = new IdentityHashMap<>();

        Validator(PickleLimits limits, Path file, TorchStorages storages) {
            this.limits = limits;
            this.file = file;
            this.storages = storages;
        }

        /** The number of nodes under {@code node} with shared objects counted once per reference. */
        long size(Object node, List<String> path) {
            if (!(node instanceof PyDict
                    || node instanceof PyList
                    || node instanceof PyTuple
                    || node instanceof TensorRef
                    || node instanceof StorageRef)) {
                if (node instanceof TorchGlobal g) {
                    throw new FormatException(
                            file,
                            render(path) + " holds the class " + g.qualifiedName()
                                    + " as a value, which has no equivalent in the decoded tree");
                }
                return 1;
            }
            Long known = sizes.get(node);
            if (known != null) {
                return known;
            }
            if (active.containsKey(node)) {
                throw new FormatException(
                        file,
                        "the pickle contains a container that contains itself (at " + render(path)
                                + "); reference cycles are not supported");
            }
            if (path.size() > limits.maxDepth()) {
                throw new FormatException(
                        file,
                        "containers nested deeper than " + limits.maxDepth() + " levels (at "
                                + render(path.subList(0, Math.min(8, path.size())))
                                + "...; a pickle bomb, or raise PickleLimits.maxDepth)");
            }
            active.put(node, Boolean.TRUE);
            long total = 1;
            if (node instanceof TensorRef t) {
                storages.check(t, render(path));
            } else if (node instanceof StorageRef s) {
                storages.check(s, render(path));
            } else if (node instanceof PyDict d) {
                for (Map.Entry<Object, Object> e : d.items().entrySet()) {
                    path.add(segment(e.getKey()));
                    total = add(total, size(e.getKey(), path), path);
                    total = add(total, size(e.getValue(), path), path);
                    path.remove(path.size() - 1);
                }
            } else {
                List<Object> items = node instanceof PyList l ? l.items() : ((PyTuple) node).items();
                for (int i = 0; i < items.size(); i++) {
                    path.add("[" + i + "]");
                    total = add(total, size(items.get(i), path), path);
                    path.remove(path.size() - 1);
                }
            }
            active.remove(node);
            sizes.put(node, total);
            return total;
        }

        private long add(long total, long more, List<String> path) {
            long sum = total + more;
            if (sum > limits.maxExpandedNodes()) {
                throw new FormatException(
                        file,
                        "the decoded tree would have more than " + limits.maxExpandedNodes()
                                + " nodes once shared containers are expanded (at " + render(path)
                                + "; a pickle bomb of shared lists, or raise PickleLimits.maxExpandedNodes)");
            }
            return sum;
        }
    }

    private static final class Converter {
        private final TorchStorages storages;
        private final Map<Object, Object> done = new IdentityHashMap<>();

        Converter(TorchStorages storages) {
            this.storages = storages;
        }

        Object convert(Object node) {
            if (node instanceof byte[] b) {
                return ByteBuffer.wrap(b.clone()).asReadOnlyBuffer();
            }
            if (!(node instanceof PyDict
                    || node instanceof PyList
                    || node instanceof PyTuple
                    || node instanceof TensorRef
                    || node instanceof StorageRef)) {
                return node; // String, Long, Double, Boolean, null
            }
            Object known = done.get(node);
            if (known != null) {
                return known;
            }
            Object out;
            if (node instanceof TensorRef t) {
                out = storages.materialize(t);
            } else if (node instanceof StorageRef s) {
                out = storages.materialize(s);
            } else if (node instanceof PyDict d) {
                Map<Object, Object> m = new LinkedHashMap<>();
                for (Map.Entry<Object, Object> e : d.items().entrySet()) {
                    m.put(convert(e.getKey()), convert(e.getValue()));
                }
                out = Collections.unmodifiableMap(m);
            } else {
                List<Object> items = node instanceof PyList l ? l.items() : ((PyTuple) node).items();
                List<Object> copy = new ArrayList<>(items.size());
                for (Object o : items) {
                    copy.add(convert(o));
                }
                out = Collections.unmodifiableList(copy);
            }
            done.put(node, out);
            return out;
        }
    }
}
