package dev.arbooth.runtime.internal;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxTensorLike;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import dev.arbooth.ArboothException;
import dev.arbooth.format.StateDict;
import dev.arbooth.tensor.DType;
import dev.arbooth.tensor.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The float32 {@link OnnxTensor}s of a checkpoint, built once and shared by every session on it as external
 * initializers ({@code SessionOptions.addExternalInitializers}). A float32 tensor whose stored bytes are a
 * direct, 4-byte-aligned buffer (a memory-mapped safetensors file) is wrapped without a copy; other dtypes
 * (F16, BF16) are widened once into a direct buffer. The state dict's buffers must stay valid while this is
 * open. Thread-safe after creation; close idempotently (after every session using it).
 */
public final class OrtWeights implements AutoCloseable {
    private final StateDict source;
    private final Map<String, OnnxTensor> tensors = new LinkedHashMap<>();
    private int copied;
    private boolean closed;

    private OrtWeights(StateDict source) {
        this.source = source;
    }

    /**
     * Wraps every floating-point tensor of a state dict.
     *
     * @param weights the checkpoint (kept referenced; it must stay open)
     * @return the tensors
     * @throws ArboothException if ONNX Runtime cannot create a tensor
     */
    public static OrtWeights create(StateDict weights) {
        OrtWeights w = new OrtWeights(Objects.requireNonNull(weights, "weights"));
        try {
            OrtEnvironment env = OrtSessions.environment();
            for (String name : weights.names()) {
                if (weights.dtype(name).isFloatingPoint()) {
                    w.tensors.put(name, w.wrap(env, name, weights.get(name)));
                }
            }
            return w;
        } catch (OrtException | RuntimeException e) {
            w.close();
            if (e instanceof ArboothException a) {
                throw a;
            }
            throw new ArboothException("cannot create ONNX Runtime tensors for the weights: " + e.getMessage(), e);
        }
    }

    private OnnxTensor wrap(OrtEnvironment env, String name, Tensor t) throws OrtException {
        ByteBuffer data = t.data();
        ByteBuffer direct;
        if (t.dtype() == DType.F32 && data.isDirect() && data.alignmentOffset(0, 4) == 0) {
            direct = data.slice().order(ByteOrder.nativeOrder());
        } else {
            float[] f = t.toFloatArray();
            direct = ByteBuffer.allocateDirect(4 * f.length).order(ByteOrder.nativeOrder());
            direct.asFloatBuffer().put(f);
            copied++;
        }
        return OnnxTensor.createTensor(env, direct.asFloatBuffer(), t.shape());
    }

    /**
     * The shape of a weight, or {@code null} if there is none of that name (for {@code OnnxOps}).
     *
     * @param name the official name
     * @return the shape or {@code null}
     */
    public long[] shapeOrNull(String name) {
        OnnxTensor t = tensors.get(name);
        return t == null ? null : t.getInfo().getShape();
    }

    /**
     * The external initializers of a graph.
     *
     * @param names the weights the graph references
     * @return the tensors by name
     * @throws ArboothException if a name is missing
     */
    public Map<String, OnnxTensorLike> select(Collection<String> names) {
        ensureOpen();
        Map<String, OnnxTensorLike> m = new LinkedHashMap<>();
        for (String n : names) {
            OnnxTensor t = tensors.get(n);
            if (t == null) {
                throw new ArboothException("the graph needs weight '" + n + "', which the checkpoint lacks");
            }
            m.put(n, t);
        }
        return m;
    }

    /**
     * How many tensors had to be copied (widened or realigned) rather than wrapped.
     *
     * @return the count
     */
    public int copiedCount() {
        return copied;
    }

    /**
     * The number of tensors.
     *
     * @return the count
     */
    public int size() {
        return tensors.size();
    }

    /**
     * The source state dict.
     *
     * @return the weights' source
     */
    public StateDict source() {
        return source;
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("OrtWeights is closed");
        }
    }

    /** Frees the tensors. Idempotent. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            tensors.values().forEach(OnnxTensor::close);
        }
    }
}
