package dev.arbooth.runtime.internal;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.arbooth.ArboothException;
import dev.arbooth.ShapeMismatchException;
import dev.arbooth.config.InfinityConfig;
import dev.arbooth.config.ScaleSchedule;
import dev.arbooth.internal.format.StateDict;
import dev.arbooth.internal.format.TensorSpec;
import dev.arbooth.internal.weights.InfinityWeights;
import dev.arbooth.runtime.Device;
import dev.arbooth.runtime.internal.onnx.InfinityGraphs;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;

/**
 * The Infinity transformer on ONNX Runtime: the prologue and per-scale step graphs emitted by {@link
 * InfinityGraphs}, with the checkpoint's weights bound strictly ({@link InfinityWeights#bind}) and supplied
 * as external initializers shared by every session. Sessions are created on first use and kept per shape:
 * a prologue per prompt lengths, a step per scale, schedule and row count (any prompt lengths). The sessions
 * run on the {@link SessionFactory}'s device (resolved once) and their graphs go through its {@link GraphCache},
 * keyed by the graph kind, the configuration's JSON, the weights' {@link OrtWeights#shapeDigest() shapes} and
 * the shape parameters. Thread-safe; each {@link OrtInfinityStepper} (a {@code ScaleStepper}) is not.
 */
public final class OrtInfinity implements StepSessions, AutoCloseable {
    /** The graph kind of the prologue, first line of its cache key. */
    static final String PROLOGUE = "infinity.prologue";

    /** The graph kind of a step, first line of its cache key. */
    static final String STEP = "infinity.step";

    private final InfinityConfig config;
    private final OrtWeights weights;
    private final SessionFactory factory;
    private final ModelSessions sessions;

    private OrtInfinity(InfinityConfig config, OrtWeights weights, SessionFactory factory, boolean ownsWeights) {
        this.config = config;
        this.weights = weights;
        this.factory = Objects.requireNonNull(factory, "factory");
        String keyPrefix = "config=" + config.toJson() + "\nweights=" + weights.shapeDigest() + "\n";
        this.sessions = new ModelSessions("OrtInfinity", "Infinity", this.factory, weights, keyPrefix, ownsWeights);
    }

    /**
     * Binds a checkpoint strictly.
     *
     * @param config the architecture
     * @param checkpoint the weights (kept referenced: keep the file open while this is open)
     * @param intraOpThreads ONNX Runtime intra-op threads per session ({@code Device.cpu(intraOpThreads)}, no
     *     graph cache)
     * @return the model
     * @throws dev.arbooth.WeightBindingException listing every missing, unexpected and misshapen tensor
     */
    public static OrtInfinity create(InfinityConfig config, StateDict checkpoint, int intraOpThreads) {
        return create(config, checkpoint, SessionFactory.cpu(intraOpThreads));
    }

    /**
     * Binds a checkpoint strictly.
     *
     * @param config the architecture
     * @param checkpoint the weights (kept referenced: keep the file open while this is open)
     * @param factory the resolved device and the graph cache
     * @return the model
     * @throws dev.arbooth.WeightBindingException listing every missing, unexpected and misshapen tensor
     */
    public static OrtInfinity create(InfinityConfig config, StateDict checkpoint, SessionFactory factory) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(factory, "factory");
        OrtWeights w = OrtWeights.create(StateDict.of(InfinityWeights.bind(config, checkpoint)));
        return new OrtInfinity(config, w, factory, true);
    }

    /**
     * A model on weights built elsewhere (shared by several models, e.g. a base and its {@link
     * OrtWeights#overlay overlays}); the caller closes them after this model.
     *
     * @param config the architecture
     * @param weights the weights, every expected tensor present with its expected shape
     * @param intraOpThreads ONNX Runtime intra-op threads per session ({@code Device.cpu(intraOpThreads)}, no
     *     graph cache)
     * @return the model; closing it closes its sessions only
     * @throws ShapeMismatchException if an expected weight has another shape
     * @throws ArboothException if an expected weight is missing
     */
    public static OrtInfinity on(InfinityConfig config, OrtWeights weights, int intraOpThreads) {
        return on(config, weights, SessionFactory.cpu(intraOpThreads));
    }

    /**
     * A model on weights built elsewhere (shared by several models, e.g. a base and its {@link
     * OrtWeights#overlay overlays}); the caller closes them after this model.
     *
     * @param config the architecture
     * @param weights the weights, every expected tensor present with its expected shape
     * @param factory the resolved device and the graph cache (share one between the models of a generator)
     * @return the model; closing it closes its sessions only
     * @throws ShapeMismatchException if an expected weight has another shape
     * @throws ArboothException if an expected weight is missing
     */
    public static OrtInfinity on(InfinityConfig config, OrtWeights weights, SessionFactory factory) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(factory, "factory");
        for (TensorSpec spec : InfinityWeights.expected(config)) {
            long[] s = weights.shapeOrNull(spec.name());
            if (s == null) {
                throw new ArboothException("the weights lack '" + spec.name() + "'");
            }
            if (!Arrays.equals(s, spec.shape())) {
                throw ShapeMismatchException.of(spec.name(), spec.shape(), s);
            }
        }
        return new OrtInfinity(config, weights, factory, false);
    }

    /**
     * The architecture.
     *
     * @return the configuration
     */
    @Override
    public InfinityConfig config() {
        return config;
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
     * A stepper for {@code NextScaleLoop} with the prompts bound: runs the prologue now.
     *
     * @param text_NCt5 the prompts' text features concatenated, {@code (N, Ct5)} row-major
     * @param lens the prompts' token counts (B prompts)
     * @param schedule the scale schedule
     * @param guided whether to run the unconditional rows too (R = 2B)
     * @return the stepper; close it
     */
    public OrtInfinityStepper stepper(float[] text_NCt5, int[] lens, ScaleSchedule schedule, boolean guided) {
        sessions.ensureOpen();
        config.requireCompatible(schedule);
        int n = Arrays.stream(lens).sum();
        if (text_NCt5.length != (long) n * config.textChannels()) {
            throw ShapeMismatchException.of(
                    "text_NCt5", new long[] {n, config.textChannels()}, new long[] {text_NCt5.length});
        }
        OrtSession prologue = sessions.session(
                PROLOGUE,
                "lens=" + Arrays.toString(lens) + "\nguided=" + guided,
                () -> InfinityGraphs.prologue(config, weights::shapeOrNull, lens, guided));
        try (OnnxTensor text = OrtTensors.floats(text_NCt5, n, config.textChannels())) {
            OrtSession.Result r = prologue.run(Map.of(InfinityGraphs.TEXT, text));
            return new OrtInfinityStepper(this, r, schedule, guided ? 2 * lens.length : lens.length, lens.length);
        } catch (OrtException e) {
            throw new ArboothException("the Infinity text prologue failed on ONNX Runtime: " + e.getMessage(), e);
        }
    }

    @Override
    public OrtSession stepSession(ScaleSchedule schedule, int k, int rows, int inputRows) {
        sessions.ensureOpen();
        String params = "schedule=" + schedule + "\nk=" + k + "\nrows=" + rows + "\ninputRows=" + inputRows;
        return sessions.session(
                STEP, params, () -> InfinityGraphs.step(config, weights::shapeOrNull, schedule, k, rows, inputRows));
    }

    /**
     * The number of sessions created so far (prologues and steps).
     *
     * @return the count
     */
    public int sessionCount() {
        return sessions.size();
    }

    /** Closes every session and the weights. Idempotent. */
    @Override
    public void close() {
        sessions.close();
    }
}
