package dev.arbooth.runtime.internal;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.arbooth.runtime.internal.onnx.OnnxOps;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The ONNX Runtime sessions of one model ({@link OrtT5}, {@link OrtVae}, {@link OrtInfinity}): created on first
 * use through the {@link SessionFactory}, one per graph kind and shape parameters, and closed together with the
 * model. A session's graph key is the kind, the model's key prefix (its configuration and weight shapes) and
 * the parameters. Thread-safe.
 */
final class ModelSessions {
    private final String model;
    private final String label;
    private final SessionFactory factory;
    private final OrtWeights weights;
    private final String keyPrefix;
    private final boolean ownsWeights;
    private final Map<String, OrtSession> sessions = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /**
     * The sessions of a model.
     *
     * @param model the model's name in the "is closed" message
     * @param label what the model's sessions are, for error messages ({@link #session(String, String, Supplier)})
     * @param factory the device and the graph cache
     * @param weights the external initializers of every session
     * @param keyPrefix the model's lines of every graph key, after the kind
     * @param ownsWeights whether {@link #close()} closes the weights too
     */
    ModelSessions(
            String model,
            String label,
            SessionFactory factory,
            OrtWeights weights,
            String keyPrefix,
            boolean ownsWeights) {
        this.model = model;
        this.label = label;
        this.factory = factory;
        this.weights = weights;
        this.keyPrefix = keyPrefix;
        this.ownsWeights = ownsWeights;
    }

    /** Throws {@link IllegalStateException} once {@link #close()} has run. */
    void ensureOpen() {
        if (closed) {
            throw new IllegalStateException(model + " is closed");
        }
    }

    /**
     * The session of a graph kind and its shape parameters, described as the label and the key's lines.
     *
     * @param kind the graph kind, first line of its key
     * @param params the shape parameters ({@code name=value} lines)
     * @param emit emits the graph on a graph cache miss
     * @return the session, created on first use
     * @throws IllegalStateException if closed
     */
    OrtSession session(String kind, String params, Supplier<OnnxOps> emit) {
        return session(kind, params, () -> label + " " + (kind + "\n" + params).replace('\n', ' '), emit);
    }

    /**
     * The session of a graph kind and its shape parameters.
     *
     * @param kind the graph kind, first line of its key
     * @param params the shape parameters ({@code name=value} lines)
     * @param what what the graph is, for error messages (asked only when the session is created)
     * @param emit emits the graph on a graph cache miss
     * @return the session, created on first use
     * @throws IllegalStateException if closed
     */
    OrtSession session(String kind, String params, Supplier<String> what, Supplier<OnnxOps> emit) {
        ensureOpen();
        return sessions.computeIfAbsent(
                kind + "\n" + params,
                kk -> factory.session(what.get(), kind + "\n" + keyPrefix + params, emit, weights));
    }

    /**
     * The number of sessions created so far (none once closed).
     *
     * @return the count
     */
    int size() {
        return sessions.size();
    }

    /** Closes every session, then the weights if owned. Idempotent. */
    void close() {
        if (!closed) {
            closed = true;
            for (OrtSession s : sessions.values()) {
                try {
                    s.close();
                } catch (OrtException e) {
                    // nothing to do while closing
                }
            }
            sessions.clear();
            if (ownsWeights) {
                weights.close();
            }
        }
    }
}
