package dev.arbooth.train.internal;

import ai.djl.ndarray.NDManager;
import dev.arbooth.internal.format.StateDict;
import dev.arbooth.tensor.Tensor;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The weights of a frozen DJL model ({@link DjlT5}, {@link DjlVae}) and the model's open state: the weights are
 * copied into the engine at creation (so the checkpoint may be closed) and freed, once, by {@link #close()}.
 * Not thread-safe.
 */
final class FrozenWeights {
    private final DjlOps ops;
    private final String closedMessage;
    private boolean closed;

    private FrozenWeights(DjlOps ops, String closedMessage) {
        this.ops = ops;
        this.closedMessage = closedMessage;
    }

    /**
     * Copies bound weights into the engine at once; on failure frees what was copied.
     *
     * @param manager the manager that will own the weights (closed by {@link #close()})
     * @param bound the strictly bound weights
     * @param eager which of them to copy now
     * @param closedMessage the message of the {@link IllegalStateException} of {@link #ensureOpen()}
     * @return the weights
     */
    static FrozenWeights load(
            NDManager manager, Map<String, Tensor> bound, Predicate<String> eager, String closedMessage) {
        DjlOps ops = DjlOps.create(manager, StateDict.of(bound));
        try {
            // eager: the checkpoint may be closed once this returns
            for (String name : bound.keySet()) {
                if (eager.test(name)) {
                    ops.weight(name);
                }
            }
        } catch (RuntimeException e) {
            ops.close();
            throw e;
        }
        return new FrozenWeights(ops, closedMessage);
    }

    /** The engine holding the weights. */
    DjlOps ops() {
        return ops;
    }

    /** Throws {@link IllegalStateException} once {@link #close()} has run. */
    void ensureOpen() {
        if (closed) {
            throw new IllegalStateException(closedMessage);
        }
    }

    /** Whether {@link #close()} has run. */
    boolean isClosed() {
        return closed;
    }

    /** Frees the weights. Idempotent. */
    void close() {
        if (!closed) {
            closed = true;
            ops.close();
        }
    }
}
