package dev.arbooth.runtime.internal;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.arbooth.ArboothException;
import dev.arbooth.ShapeMismatchException;
import dev.arbooth.config.T5Config;
import dev.arbooth.internal.format.StateDict;
import dev.arbooth.internal.weights.T5Weights;
import dev.arbooth.runtime.Device;
import dev.arbooth.runtime.internal.onnx.T5Graph;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * The T5 text encoder on ONNX Runtime: either emitted ({@link T5Graph}, one session per batch and padded length),
 * weights bound strictly and supplied as external initializers, graphs through the {@link SessionFactory}'s
 * {@link GraphCache}; or a T5 encoder {@code .onnx} file exported elsewhere ({@link #external}: inputs {@value
 * T5Graph#IDS} and {@value T5Graph#MASK}, output {@value T5Graph#OUT}, checked when opened). Sessions on the
 * factory's device. Thread-safe.
 */
public final class OrtT5 implements AutoCloseable {
    /** The graph kind of the encoder, first line of its cache key. */
    static final String ENCODER = "t5.encoder";

    private final T5Config config;
    private final OrtWeights weights;
    private final SessionFactory factory;
    private final ModelSessions sessions;
    private final ExternalT5 external;

    private OrtT5(T5Config config, OrtWeights weights, SessionFactory factory) {
        this.config = config;
        this.weights = weights;
        this.factory = factory;
        // the record's generated toString lists every component
        String keyPrefix = "config=" + config + "\nweights=" + weights.shapeDigest() + "\n";
        this.sessions = new ModelSessions("OrtT5", "T5", factory, weights, keyPrefix, true);
        this.external = null;
    }

    private OrtT5(T5Config config, ExternalT5 external, SessionFactory factory) {
        this.config = config;
        this.weights = null;
        this.factory = factory;
        this.sessions = null;
        this.external = external;
    }

    /**
     * Opens a T5 encoder exported elsewhere as ONNX (for instance Hugging Face's {@code T5EncoderModel} through
     * {@code optimum} or {@code torch.onnx.export}): inputs {@value T5Graph#IDS} (int64 or int32, {@code (B, S)})
     * and {@value T5Graph#MASK} (int64, int32 or float32, {@code (B, S)}, 1 for real tokens), output {@value
     * T5Graph#OUT} (float32, {@code (B, S, D)} with {@code D = config.dModel()}); dimensions may be dynamic. The
     * signature is checked here; fixed dimensions are checked per call.
     *
     * @param config the encoder's configuration (its {@code dModel} must match the file's output)
     * @param onnx the {@code .onnx} file
     * @param factory the resolved device
     * @return the encoder
     * @throws dev.arbooth.FormatException naming the file if ONNX Runtime cannot load it or its signature is not
     *     a T5 encoder's
     */
    public static OrtT5 external(T5Config config, Path onnx, SessionFactory factory) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(factory, "factory");
        return new OrtT5(config, ExternalT5.open(config, onnx, factory), factory);
    }

    /**
     * Binds a checkpoint strictly.
     *
     * @param config the architecture
     * @param checkpoint the weights (keep the file open while this is open)
     * @param intraOpThreads ONNX Runtime intra-op threads per session ({@code Device.cpu(intraOpThreads)}, no
     *     graph cache)
     * @return the encoder
     * @throws dev.arbooth.WeightBindingException listing every missing, unexpected and misshapen tensor
     */
    public static OrtT5 create(T5Config config, StateDict checkpoint, int intraOpThreads) {
        return create(config, checkpoint, SessionFactory.cpu(intraOpThreads));
    }

    /**
     * Binds a checkpoint strictly.
     *
     * @param config the architecture
     * @param checkpoint the weights (keep the file open while this is open)
     * @param factory the resolved device and the graph cache
     * @return the encoder
     * @throws dev.arbooth.WeightBindingException listing every missing, unexpected and misshapen tensor
     */
    public static OrtT5 create(T5Config config, StateDict checkpoint, SessionFactory factory) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(factory, "factory");
        return new OrtT5(config, OrtWeights.create(StateDict.of(T5Weights.bind(config, checkpoint))), factory);
    }

    /**
     * Where the sessions run.
     *
     * @return the device, resolved once for the factory
     */
    public Device.Resolved device() {
        return factory.device();
    }

    /**
     * The encoder's output.
     *
     * @param ids_BS token ids, row-major {@code (B, S)}, right-padded
     * @param mask_BS 1 for real tokens, 0 for padding, {@code (B, S)}
     * @param batch B
     * @param length S
     * @return {@code last_hidden_state} {@code (B, S, D)} row-major
     */
    public float[] encode(long[] ids_BS, long[] mask_BS, int batch, int length) {
        long n = (long) batch * length;
        if (ids_BS.length != n || mask_BS.length != n) {
            throw ShapeMismatchException.of(
                    "input_ids/attention_mask", new long[] {batch, length}, new long[] {ids_BS.length, mask_BS.length});
        }
        if (external != null) {
            return external.encode(ids_BS, mask_BS, batch, length);
        }
        OrtSession s = sessions.session(
                ENCODER,
                "batch=" + batch + "\nlength=" + length,
                () -> "T5 encoder " + batch + "x" + length,
                () -> T5Graph.emit(config, weights::shapeOrNull, batch, length));
        float[] mask = new float[mask_BS.length];
        for (int i = 0; i < mask.length; i++) {
            mask[i] = mask_BS[i];
        }
        try (OnnxTensor ids = OrtTensors.longs(ids_BS, batch, length);
                OnnxTensor m = OrtTensors.floats(mask, batch, length);
                OrtSession.Result r = s.run(Map.of(T5Graph.IDS, ids, T5Graph.MASK, m))) {
            return OrtTensors.read(r.get(T5Graph.OUT).orElseThrow());
        } catch (OrtException e) {
            throw new ArboothException("the T5 encoder failed on ONNX Runtime: " + e.getMessage(), e);
        }
    }

    /** Closes the sessions and the weights. Idempotent. */
    @Override
    public void close() {
        if (external != null) {
            external.close();
        } else {
            sessions.close();
        }
    }
}
