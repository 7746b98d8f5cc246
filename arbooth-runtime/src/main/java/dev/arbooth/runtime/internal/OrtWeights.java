package dev.arbooth.runtime.internal;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxTensorLike;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import dev.arbooth.ArboothException;
import dev.arbooth.ShapeMismatchException;
import dev.arbooth.internal.format.StateDict;
import dev.arbooth.tensor.DType;
import dev.arbooth.tensor.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
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
    private final Map<String, OnnxTensor> owned = new LinkedHashMap<>();
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
                    w.own(env, name, weights.get(name));
                }
            }
            return w;
        } catch (OrtException | RuntimeException e) {
            throw w.failed(e, "cannot create ONNX Runtime tensors for the weights");
        }
    }

    /**
     * These weights with some tensors replaced (an adapter's fused tensors on a base): the other tensors are
     * shared with this instance, not copied, so this instance must stay open while the overlay is used.
     *
     * @param replacements tensors under names this instance has, each of the same shape
     * @return the overlay; closing it frees only the replacements
     * @throws ShapeMismatchException if a replacement's shape differs from the tensor it replaces
     * @throws ArboothException if a name is not one of these weights
     */
    public OrtWeights overlay(StateDict replacements) {
        ensureOpen();
        OrtWeights w = new OrtWeights(source);
        w.tensors.putAll(tensors);
        try {
            OrtEnvironment env = OrtSessions.environment();
            for (String name : replacements.names()) {
                long[] want = shapeOrNull(name);
                if (want == null) {
                    throw new ArboothException("cannot replace weight '" + name + "': the base has no such tensor");
                }
                if (!Arrays.equals(want, replacements.shape(name))) {
                    throw ShapeMismatchException.of("replacement of '" + name + "'", want, replacements.shape(name));
                }
                w.own(env, name, replacements.get(name));
            }
            return w;
        } catch (OrtException | RuntimeException e) {
            throw w.failed(e, "cannot create ONNX Runtime tensors for the replacements");
        }
    }

    /** Wraps a tensor this instance owns (frees on close) under a name. */
    private void own(OrtEnvironment env, String name, Tensor t) throws OrtException {
        OnnxTensor o = wrap(env, t);
        owned.put(name, o);
        tensors.put(name, o);
    }

    /** Closes this half-built instance and returns the exception to throw: an {@link ArboothException} as is. */
    private ArboothException failed(Exception e, String message) {
        close();
        if (e instanceof ArboothException a) {
            return a;
        }
        return new ArboothException(message + ": " + e.getMessage(), e);
    }

    private OnnxTensor wrap(OrtEnvironment env, Tensor t) throws OrtException {
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
     * A digest of the tensors' names and shapes (not their values), for graph cache keys: graphs depend on
     * which weights exist and their shapes, never on their values.
     *
     * @return the lowercase hex SHA-256 of the sorted {@code name:shape} lines
     */
    public String shapeDigest() {
        StringBuilder sb = new StringBuilder();
        for (String name : new java.util.TreeSet<>(tensors.keySet())) {
            sb.append(name)
                    .append(':')
                    .append(Arrays.toString(shapeOrNull(name)))
                    .append('\n');
        }
        return GraphCache.sha256Hex(sb.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
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
     * How many of the tensors this instance owns had to be copied (widened or realigned) rather than wrapped.
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
            owned.values().forEach(OnnxTensor::close);
        }
    }
}
