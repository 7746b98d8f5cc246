package dev.arbooth.runtime.internal;

import ai.onnxruntime.OnnxTensorLike;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.arbooth.ArboothException;
import dev.arbooth.runtime.Device;
import java.util.Map;
import java.util.Objects;

/**
 * Creates ONNX Runtime sessions for emitted graphs: one process-wide {@link OrtEnvironment}, graph
 * optimizations on ({@code ALL_OPT}), a {@link Device} applied through {@link DeviceBinding} (execution provider,
 * thread counts), and the weights supplied as external initializers (shared, not copied, between sessions on
 * the same {@link OrtWeights}).
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
     * A CPU session on an emitted model ({@code Device.cpu(intraOpThreads)}).
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
        return create(what, model, weights, Device.cpu(intraOpThreads));
    }

    /**
     * A session on an emitted model, on a device applied through {@link DeviceBinding#apply}. Pass a device
     * already {@link #resolve resolved} ({@link #concrete}) so that {@link Device#auto()} is decided once, not
     * per session.
     *
     * @param what what the graph is, for error messages
     * @param model the serialized {@code ModelProto}
     * @param weights the external initializers it references (may be empty)
     * @param device where the session runs
     * @return the session
     * @throws ArboothException wrapping ONNX Runtime's error, or if {@code device} is CUDA and unusable
     */
    public static OrtSession create(String what, byte[] model, Map<String, OnnxTensorLike> weights, Device device) {
        Objects.requireNonNull(device, "device");
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            DeviceBinding.apply(device, options);
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

    /**
     * A session on an emitted model, on a resolved device.
     *
     * @param what what the graph is, for error messages
     * @param model the serialized {@code ModelProto}
     * @param weights the external initializers it references (may be empty)
     * @param device the resolved device
     * @return the session
     * @throws ArboothException wrapping ONNX Runtime's error
     */
    public static OrtSession create(
            String what, byte[] model, Map<String, OnnxTensorLike> weights, Device.Resolved device) {
        return create(what, model, weights, concrete(device));
    }

    /**
     * Resolves a device once: applies it to throwaway session options (for {@link Device#auto()}, tries CUDA
     * and logs the choice).
     *
     * @param device the device
     * @return what it resolved to
     * @throws ArboothException if {@code device} is CUDA and CUDA cannot be used
     */
    public static Device.Resolved resolve(Device device) {
        Objects.requireNonNull(device, "device");
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            return DeviceBinding.apply(device, options);
        }
    }

    /**
     * The concrete device of a resolution: {@code Device.cuda(id)} or {@code Device.cpu(...)}, with the
     * resolved thread count; never AUTO, so applying it does not decide (or log) again.
     *
     * @param resolved the resolution
     * @return the device to apply to each session
     */
    public static Device concrete(Device.Resolved resolved) {
        Objects.requireNonNull(resolved, "resolved");
        Device d = resolved.isCuda() ? Device.cuda(resolved.cudaDeviceId()) : Device.cpu();
        return resolved.cpuThreads() > 0 ? d.withCpuThreads(resolved.cpuThreads()) : d;
    }
}
