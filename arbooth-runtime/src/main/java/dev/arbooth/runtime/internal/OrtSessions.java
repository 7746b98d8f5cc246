package dev.arbooth.runtime.internal;

import ai.onnxruntime.OnnxTensorLike;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.arbooth.ArboothException;
import java.util.Map;

/**
 * Creates ONNX Runtime sessions for emitted graphs: one process-wide {@link OrtEnvironment}, graph
 * optimizations on ({@code ALL_OPT}), an explicit intra-op thread count, and the weights supplied as external
 * initializers (shared, not copied, between sessions on the same {@link OrtWeights}).
 */
public final class OrtSessions {
    private OrtSessions() {}

    /**
     * The process-wide environment.
     *
     * @return the environment
     */
    public static OrtEnvironment environment() {
        return OrtEnvironment.getEnvironment();
    }

    /**
     * A CPU session on an emitted model.
     *
     * @param what what the graph is, for error messages
     * @param model the serialized {@code ModelProto}
     * @param weights the external initializers it references (may be empty)
     * @param intraOpThreads the intra-op thread count, at least 1
     * @return the session
     * @throws ArboothException wrapping ONNX Runtime's error (for instance a graph it rejects)
     */
    public static OrtSession create(
            String what, byte[] model, Map<String, OnnxTensorLike> weights, int intraOpThreads) {
        if (intraOpThreads < 1) {
            throw new IllegalArgumentException("intraOpThreads must be at least 1, got " + intraOpThreads);
        }
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            options.setIntraOpNumThreads(intraOpThreads);
            options.setInterOpNumThreads(1);
            // idle intra-op workers block instead of spinning: every session has its own pool, and spinning
            // workers of the sessions that just ran steal the cores from the one running (5x on the golden step)
            options.addConfigEntry("session.intra_op.allow_spinning", "0");
            if (!weights.isEmpty()) {
                options.addExternalInitializers(weights);
            }
            return environment().createSession(model, options);
        } catch (OrtException e) {
            throw new ArboothException("ONNX Runtime rejected the " + what + " graph: " + e.getMessage(), e);
        }
    }
}
