package dev.arbooth.runtime.internal;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.arbooth.ArboothException;
import dev.arbooth.FormatException;
import dev.arbooth.ShapeMismatchException;
import dev.arbooth.config.T5Config;
import dev.arbooth.runtime.internal.onnx.T5Graph;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A T5 encoder {@code .onnx} file made elsewhere: one session, its signature checked once (input and output
 * names, element types, ranks, hidden size), inputs converted to the element types the file declares.
 */
final class ExternalT5 implements AutoCloseable {
    private static final Set<OnnxJavaType> ID_TYPES = Set.of(OnnxJavaType.INT64, OnnxJavaType.INT32);
    private static final Set<OnnxJavaType> MASK_TYPES =
            Set.of(OnnxJavaType.INT64, OnnxJavaType.INT32, OnnxJavaType.FLOAT);

    private final Path file;
    private final OrtSession session;
    private final TensorInfo ids;
    private final TensorInfo mask;
    private final int dModel;

    private ExternalT5(Path file, OrtSession session, TensorInfo ids, TensorInfo mask, int dModel) {
        this.file = file;
        this.session = session;
        this.ids = ids;
        this.mask = mask;
        this.dModel = dModel;
    }

    static ExternalT5 open(T5Config config, Path file, SessionFactory factory) {
        OrtSession session = factory.fileSession("T5 encoder", file);
        try {
            Map<String, NodeInfo> in = session.getInputInfo();
            Map<String, NodeInfo> out = session.getOutputInfo();
            Set<String> expected = Set.of(T5Graph.IDS, T5Graph.MASK);
            if (!in.keySet().equals(expected)) {
                throw new FormatException(
                        file,
                        "not a T5 encoder export: its inputs are " + new TreeSet<>(in.keySet()) + ", expected exactly "
                                + new TreeSet<>(expected) + " (T5EncoderModel(input_ids, attention_mask) →"
                                + " last_hidden_state)");
            }
            if (!out.containsKey(T5Graph.OUT)) {
                throw new FormatException(
                        file,
                        "not a T5 encoder export: its outputs are " + new TreeSet<>(out.keySet()) + ", expected "
                                + T5Graph.OUT);
            }
            TensorInfo ids = tensor(file, in.get(T5Graph.IDS), ID_TYPES, 2);
            TensorInfo mask = tensor(file, in.get(T5Graph.MASK), MASK_TYPES, 2);
            TensorInfo hidden = tensor(file, out.get(T5Graph.OUT), Set.of(OnnxJavaType.FLOAT), 3);
            long d = hidden.getShape()[2];
            if (d >= 0 && d != config.dModel()) {
                throw new FormatException(
                        file,
                        "its " + T5Graph.OUT + " has " + d + " channels but the base's text encoder has d_model "
                                + config.dModel());
            }
            return new ExternalT5(file, session, ids, mask, config.dModel());
        } catch (OrtException e) {
            close(session);
            throw new FormatException(file, "cannot read the T5 encoder's signature: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            close(session);
            throw e;
        }
    }

    private static TensorInfo tensor(Path file, NodeInfo node, Set<OnnxJavaType> types, int rank) {
        if (!(node.getInfo() instanceof TensorInfo t)) {
            throw new FormatException(file, node.getName() + " is not a tensor: " + node.getInfo());
        }
        if (!types.contains(t.type) || t.getShape().length != rank) {
            throw new FormatException(
                    file,
                    node.getName() + " is " + t.type + " " + Arrays.toString(t.getShape()) + ", expected one of "
                            + new TreeSet<>(types) + " of rank " + rank);
        }
        return t;
    }

    float[] encode(long[] ids_BS, long[] mask_BS, int batch, int length) {
        long[] shape = {batch, length};
        fits(T5Graph.IDS, ids.getShape(), shape);
        fits(T5Graph.MASK, mask.getShape(), shape);
        try (OnnxTensor i = tensor(ids.type, ids_BS, shape);
                OnnxTensor m = tensor(mask.type, mask_BS, shape);
                OrtSession.Result r = session.run(Map.of(T5Graph.IDS, i, T5Graph.MASK, m))) {
            OnnxTensor h = (OnnxTensor) r.get(T5Graph.OUT).orElseThrow();
            long[] want = {batch, length, dModel};
            if (!Arrays.equals(h.getInfo().getShape(), want)) {
                throw ShapeMismatchException.of(
                        file + ": " + T5Graph.OUT, want, h.getInfo().getShape());
            }
            return OrtTensors.read(h);
        } catch (OrtException e) {
            throw new ArboothException("the T5 encoder " + file + " failed on ONNX Runtime: " + e.getMessage(), e);
        }
    }

    /** A fixed dimension of the file's input must equal the call's. */
    private void fits(String input, long[] declared, long[] actual) {
        for (int i = 0; i < declared.length; i++) {
            if (declared[i] >= 0 && declared[i] != actual[i]) {
                throw new ArboothException("the T5 encoder " + file + " takes " + input + " of fixed shape "
                        + Arrays.toString(declared) + ", but this call has " + Arrays.toString(actual)
                        + " (batch, padded length); export it with dynamic batch and sequence axes");
            }
        }
    }

    private static OnnxTensor tensor(OnnxJavaType type, long[] v, long[] shape) throws OrtException {
        return switch (type) {
            case INT64 -> OnnxTensor.createTensor(OrtSessions.environment(), LongBuffer.wrap(v), shape);
            case INT32 -> {
                int[] w = new int[v.length];
                for (int j = 0; j < v.length; j++) {
                    w[j] = Math.toIntExact(v[j]);
                }
                yield OnnxTensor.createTensor(OrtSessions.environment(), IntBuffer.wrap(w), shape);
            }
            case FLOAT -> {
                float[] w = new float[v.length];
                for (int j = 0; j < v.length; j++) {
                    w[j] = v[j];
                }
                yield OrtTensors.floats(w, shape);
            }
            default -> throw new IllegalStateException("unchecked input type " + type);
        };
    }

    private static void close(OrtSession s) {
        try {
            s.close();
        } catch (OrtException e) {
            // nothing more to release
        }
    }

    @Override
    public void close() {
        close(session);
    }
}
