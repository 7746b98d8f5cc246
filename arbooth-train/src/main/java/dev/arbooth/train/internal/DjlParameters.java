package dev.arbooth.train.internal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.arbooth.ArboothException;
import dev.arbooth.ShapeMismatchException;
import dev.arbooth.internal.format.StateDict;
import dev.arbooth.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The parameter store of a DJL model, apart from the ops that compute with it ({@link DjlOps} only looks weights
 * up here): every tensor under its official key, widened to float32 on first use ({@link #get}) or at once
 * ({@link #materialize}), owned by one manager and freed by {@link #close()}.
 *
 * <p>What a trainer needs, without touching any op:
 *
 * <ul>
 *   <li><b>Named trainable sets.</b> {@link #train(List)} takes named groups of official keys ({@link Group}; the
 *       keys usually come from {@code InfinityWeights.parameters(config, parts)}): exactly their tensors
 *       require gradients, every other tensor is frozen. Unknown keys are refused, listing them.
 *   <li><b>Stable identity.</b> A parameter is its official key, the same in every run and process (DJL's own
 *       ids are random), and its {@code NDArray} stays the same object for the store's life, also across
 *       {@link #restore}: optimizer state keyed by name survives a resume, state keyed by array stays valid.
 *   <li><b>Extra parameters</b> that no checkpoint holds (the identifier embedding): {@link #add}.
 *   <li><b>Save and restore.</b> {@link #snapshot} copies values to host tensors (e.g. for a checkpoint file);
 *       {@link #restore} writes them back in place.
 * </ul>
 *
 * Lookups are synchronized (scoped ops on several threads may share a store); training is single-threaded.
 */
public final class DjlParameters implements AutoCloseable {
    /**
     * A named set of parameters that train together (one optimizer parameter group).
     *
     * @param name the group's name, e.g. {@code "blocks.ca+ffn"} or {@code "identifier"}
     * @param keys official keys, in the order the group lists them
     */
    public record Group(String name, List<String> keys) {
        /**
         * Validates and copies.
         *
         * @param name non-blank
         * @param keys not null, no duplicates
         */
        public Group {
            Objects.requireNonNull(name, "name");
            if (name.isBlank()) {
                throw new IllegalArgumentException("a parameter group needs a name");
            }
            keys = List.copyOf(keys);
            if (new LinkedHashSet<>(keys).size() != keys.size()) {
                throw new IllegalArgumentException("parameter group '" + name + "' lists a key twice: " + keys);
            }
        }
    }

    private final NDManager manager;
    private final StateDict source;
    private final Map<String, NDArray> arrays = new LinkedHashMap<>();
    private final Map<String, long[]> extraShapes = new LinkedHashMap<>();
    private List<Group> groups = List.of();
    private Set<String> trainable = Set.of();
    private boolean closed;

    private DjlParameters(NDManager manager, StateDict source) {
        this.manager = manager;
        this.source = source;
    }

    /**
     * A store over a weight source; nothing is copied until used.
     *
     * @param manager owns the parameters; closed by {@link #close()}
     * @param source the weights by official key (any stored float dtype)
     * @return the store, every parameter frozen
     */
    public static DjlParameters create(NDManager manager, StateDict source) {
        return new DjlParameters(Objects.requireNonNull(manager, "manager"), Objects.requireNonNull(source, "source"));
    }

    /**
     * Every key of the store: the source's in its order, then the added ones.
     *
     * @return the keys
     */
    public Set<String> keys() {
        Set<String> all = new LinkedHashSet<>(source.names());
        all.addAll(extraShapes.keySet());
        return Collections.unmodifiableSet(all);
    }

    /**
     * Whether the store holds a key.
     *
     * @param key an official key
     * @return whether {@link #get} finds it
     */
    public synchronized boolean contains(String key) {
        return arrays.containsKey(key) || source.contains(key) || extraShapes.containsKey(key);
    }

    /**
     * A parameter, materialised on first use.
     *
     * @param key its official key
     * @return the array (the same object on every call)
     * @throws ArboothException if the store lacks it
     */
    public synchronized NDArray get(String key) {
        ensureOpen();
        NDArray w = arrays.get(key);
        if (w != null) {
            return w;
        }
        if (!source.contains(key)) {
            throw new ArboothException("The network asks for weight '" + key + "', which the checkpoint lacks");
        }
        Tensor t = source.get(key);
        w = manager.create(t.toFloatArray(), new Shape(t.shape()));
        w.setName(key);
        w.setRequiresGradient(trainable.contains(key));
        arrays.put(key, w);
        return w;
    }

    /**
     * Materialises parameters now (so that the source may be closed afterwards).
     *
     * @param keys the keys to load
     * @return this
     */
    public DjlParameters materialize(Collection<String> keys) {
        for (String key : keys) {
            get(key);
        }
        return this;
    }

    /**
     * The parameters materialised so far.
     *
     * @return an unmodifiable view by official key, in materialisation order
     */
    public Map<String, NDArray> loaded() {
        return Collections.unmodifiableMap(arrays);
    }

    /**
     * Adds a parameter that the source does not hold (e.g. the learned identifier embedding).
     *
     * @param key its name, not a key of the store yet
     * @param initial its initial value
     * @return the new array (frozen until a group trains it)
     * @throws IllegalArgumentException if the key exists
     */
    public synchronized NDArray add(String key, Tensor initial) {
        ensureOpen();
        if (contains(key)) {
            throw new IllegalArgumentException("parameter '" + key + "' exists already");
        }
        NDArray w = manager.create(initial.toFloatArray(), new Shape(initial.shape()));
        w.setName(key);
        w.setRequiresGradient(trainable.contains(key));
        extraShapes.put(key, initial.shape());
        arrays.put(key, w);
        return w;
    }

    /**
     * Chooses what trains: exactly the keys of these groups require gradients from now on, every other
     * parameter (also one materialised later) is frozen.
     *
     * @param groups the trainable groups; none freezes everything
     * @return this
     * @throws IllegalArgumentException naming every key the store lacks, or a key in two groups
     */
    public synchronized DjlParameters train(List<Group> groups) {
        ensureOpen();
        Set<String> keys = new LinkedHashSet<>();
        List<String> unknown = new ArrayList<>();
        for (Group g : groups) {
            for (String key : g.keys()) {
                if (!keys.add(key)) {
                    throw new IllegalArgumentException("parameter '" + key + "' is in two groups");
                }
                if (!contains(key)) {
                    unknown.add(key);
                }
            }
        }
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("cannot train " + unknown.size() + " parameter(s) the model lacks: "
                    + unknown + " (the store holds " + keys().size() + ")");
        }
        this.groups = List.copyOf(groups);
        this.trainable = Collections.unmodifiableSet(keys);
        arrays.forEach((key, w) -> w.setRequiresGradient(trainable.contains(key)));
        return this;
    }

    /**
     * The trainable groups.
     *
     * @return the groups of the last {@link #train} call
     */
    public List<Group> groups() {
        return groups;
    }

    /**
     * Whether a parameter trains.
     *
     * @param key an official key
     * @return whether it requires gradients
     */
    public boolean isTrainable(String key) {
        return trainable.contains(key);
    }

    /**
     * The trainable parameters, materialised.
     *
     * @return key to array, in group order
     */
    public Map<String, NDArray> trainableArrays() {
        Map<String, NDArray> out = new LinkedHashMap<>();
        for (String key : trainable) {
            out.put(key, get(key));
        }
        return Collections.unmodifiableMap(out);
    }

    /**
     * Host copies of parameter values (float32), e.g. to write a checkpoint.
     *
     * @param keys the keys
     * @return key to tensor, in the given order
     */
    public Map<String, Tensor> snapshot(Collection<String> keys) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (String key : keys) {
            NDArray w = get(key);
            out.put(key, Tensor.ofFloats(w.toFloatArray(), w.getShape().getShape()));
        }
        return Collections.unmodifiableMap(out);
    }

    /**
     * Writes values into parameters in place: each array keeps its identity, name and trainability.
     *
     * @param values key to value, each shaped as its parameter
     * @return this
     * @throws IllegalArgumentException if a key is unknown
     * @throws ShapeMismatchException if a shape differs
     */
    public DjlParameters restore(Map<String, Tensor> values) {
        for (Map.Entry<String, Tensor> e : values.entrySet()) {
            if (!contains(e.getKey())) {
                throw new IllegalArgumentException(
                        "cannot restore '" + e.getKey() + "': the model has no such parameter");
            }
            NDArray w = get(e.getKey());
            long[] want = w.getShape().getShape();
            if (!Arrays.equals(want, e.getValue().shape())) {
                throw ShapeMismatchException.of(
                        "parameter '" + e.getKey() + "'", want, e.getValue().shape());
            }
            w.set(e.getValue().toFloatArray());
        }
        return this;
    }

    /**
     * The manager that owns the parameters.
     *
     * @return the manager
     */
    public NDManager manager() {
        return manager;
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("the parameter store is closed");
        }
    }

    /** Frees every parameter (closes the manager). Idempotent. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            manager.close();
        }
    }
}
