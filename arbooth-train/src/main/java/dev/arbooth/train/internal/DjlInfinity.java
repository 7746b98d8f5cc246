package dev.arbooth.train.internal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.arbooth.ArboothException;
import dev.arbooth.ShapeMismatchException;
import dev.arbooth.config.InfinityConfig;
import dev.arbooth.config.ScaleSchedule;
import dev.arbooth.internal.format.CheckpointFile;
import dev.arbooth.internal.format.Checkpoints;
import dev.arbooth.internal.format.StateDict;
import dev.arbooth.internal.nn.InfinityForward;
import dev.arbooth.internal.nn.InfinityKvCache;
import dev.arbooth.internal.nn.InfinityNet;
import dev.arbooth.internal.nn.InfinityStep;
import dev.arbooth.internal.nn.InfinityText;
import dev.arbooth.internal.nn.LayerKv;
import dev.arbooth.internal.sampling.ScaleStepper;
import dev.arbooth.internal.weights.InfinityWeights;
import dev.arbooth.tensor.Tensor;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * The Infinity transformer ({@link InfinityNet}) on DJL's PyTorch engine: strict loading, the teacher-forced
 * forward (autograd on the parameters its {@link DjlParameters store} trains) and the KV-cached
 * {@link ScaleStepper} of next-scale sampling.
 *
 * <pre>{@code
 * try (DjlInfinity model = DjlInfinity.load(InfinityConfig.goldenSet1(), path)) {
 *     try (DjlInfinity.Stepper s = model.stepper(text_NCt5, lens, schedule, true)) {
 *         NextScaleResult r = NextScaleLoop.create(schedule, lens.length, d, options).run(s);
 *     }
 * }
 * }</pre>
 *
 * <p>Every weight is materialised (float32) at load time, so the checkpoint file is closed when {@link #load}
 * returns. Not thread-safe. Close idempotently; use after close fails.
 */
public final class DjlInfinity implements AutoCloseable {
    private final InfinityConfig config;
    private final InfinityNet net;
    private final NDManager manager;
    private final DjlOps ops;
    private boolean closed;

    private DjlInfinity(InfinityConfig config, NDManager manager, DjlOps ops) {
        this.config = config;
        this.net = InfinityNet.of(config);
        this.manager = manager;
        this.ops = ops;
    }

    /**
     * Loads a checkpoint strictly ({@link InfinityWeights#bind}).
     *
     * @param config the architecture
     * @param checkpoint a {@code .safetensors} file or a PyTorch {@code .pth} checkpoint
     * @param dictPath for a {@code .pth}, the keys of the nested dict holding the state dict; none for the root
     * @return the model
     * @throws dev.arbooth.WeightBindingException listing every missing, unexpected and misshapen tensor
     * @throws dev.arbooth.FormatException if the file is not a valid checkpoint
     */
    public static DjlInfinity load(InfinityConfig config, Path checkpoint, String... dictPath) {
        try (CheckpointFile file = Checkpoints.open(checkpoint, dictPath)) {
            return create(config, file);
        }
    }

    /**
     * Binds weights strictly and materialises them.
     *
     * @param config the architecture
     * @param weights the state dict (read fully before this returns)
     * @return the model
     * @throws dev.arbooth.WeightBindingException listing every missing, unexpected and misshapen tensor
     */
    public static DjlInfinity create(InfinityConfig config, StateDict weights) {
        InfinityNet.of(config); // rejects unsupported variants before anything is allocated
        Map<String, Tensor> bound = InfinityWeights.bind(config, weights);
        NDManager manager = DjlEngine.pytorch(1).newBaseManager();
        try {
            DjlParameters parameters =
                    DjlParameters.create(manager, StateDict.of(bound)).materialize(bound.keySet());
            return new DjlInfinity(config, manager, DjlOps.over(manager, parameters));
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /**
     * The architecture.
     *
     * @return the configuration
     */
    public InfinityConfig config() {
        return config;
    }

    /**
     * The network definition.
     *
     * @return the network
     */
    public InfinityNet net() {
        return net;
    }

    /**
     * The root ops (use {@link DjlOps#scoped} for intermediates).
     *
     * @return the ops
     */
    public DjlOps ops() {
        ensureOpen();
        return ops;
    }

    /**
     * The parameter store: every weight by official key, trainable sets, snapshot and restore.
     *
     * @return the store
     */
    public DjlParameters parameters() {
        ensureOpen();
        return ops.parameters();
    }

    /**
     * A weight as loaded (float32).
     *
     * @param name the official name
     * @return a host copy
     */
    public Tensor weight(String name) {
        ensureOpen();
        return DjlOps.toTensor(ops.weight(name));
    }

    /**
     * Text conditioning of compact prompts (README 4.1) in a scope.
     *
     * @param scope the ops whose manager owns the results
     * @param text_NCt5 the text features of every row's tokens concatenated, {@code (N, Ct5)} row-major
     * @param lens the token count of every row
     * @return the conditioning
     */
    public InfinityText<NDArray> conditionText(DjlOps scope, float[] text_NCt5, int[] lens) {
        ensureOpen();
        int n = sum(lens);
        if (text_NCt5.length != (long) n * config.textChannels()) {
            throw ShapeMismatchException.of(
                    "text_NCt5", new long[] {n, config.textChannels()}, new long[] {text_NCt5.length});
        }
        return net.conditionText(scope, scope.constant(text_NCt5, n, config.textChannels()), lens);
    }

    /**
     * The text conditioning of B prompts followed by their B unconditional rows ({@code cfg_uncond[:len_i]}),
     * the 2B rows of guided sampling (README 4.5 step 1).
     *
     * @param scope the ops whose manager owns the results
     * @param text_NCt5 the prompts' text features concatenated, {@code (N, Ct5)}
     * @param lens the prompts' token counts
     * @return the conditioning of 2B rows
     */
    public InfinityText<NDArray> conditionGuided(DjlOps scope, float[] text_NCt5, int[] lens) {
        ensureOpen();
        int n = sum(lens);
        if (text_NCt5.length != (long) n * config.textChannels()) {
            throw ShapeMismatchException.of(
                    "text_NCt5", new long[] {n, config.textChannels()}, new long[] {text_NCt5.length});
        }
        return net.conditionGuided(scope, scope.constant(text_NCt5, n, config.textChannels()), lens);
    }

    /**
     * The teacher-forced forward (README 4.2) in a scope; inside a {@code GradientCollector} it records the
     * graph for the trainable weights.
     *
     * @param scope the ops whose manager owns the results
     * @param text the conditioning of B rows
     * @param x_BLd the teacher-forcing input {@code (B, L-1, d)} row-major
     * @param schedule the scale schedule
     * @return the logits and intermediates
     */
    public InfinityForward<NDArray> forward(
            DjlOps scope, InfinityText<NDArray> text, float[] x_BLd, ScaleSchedule schedule) {
        ensureOpen();
        int l = schedule.totalTokens();
        long want = (long) text.rows() * (l - 1) * config.bitsPerToken();
        if (x_BLd.length != want) {
            throw ShapeMismatchException.of(
                    "x_BLd", new long[] {text.rows(), l - 1, config.bitsPerToken()}, new long[] {x_BLd.length});
        }
        return net.forward(scope, text, scope.constant(x_BLd, text.rows(), l - 1, config.bitsPerToken()), schedule);
    }

    /**
     * A KV-cached stepper for {@code NextScaleLoop} with the prompts bound.
     *
     * @param text_NCt5 the prompts' text features concatenated, {@code (N, Ct5)} row-major
     * @param lens the prompts' token counts (B prompts)
     * @param schedule the scale schedule
     * @param guided whether to run the B unconditional rows too (R = 2B, for cfg != 1); otherwise R = B
     * @return the stepper; close it to free its cache
     */
    public Stepper stepper(float[] text_NCt5, int[] lens, ScaleSchedule schedule, boolean guided) {
        ensureOpen();
        config.requireCompatible(schedule);
        NDManager generation = manager.newSubManager();
        try {
            DjlOps scope = ops.scoped(generation);
            InfinityText<NDArray> text =
                    guided ? conditionGuided(scope, text_NCt5, lens) : conditionText(scope, text_NCt5, lens);
            return new Stepper(generation, text, schedule);
        } catch (RuntimeException e) {
            generation.close();
            throw e;
        }
    }

    /**
     * The KV-cached step of {@link InfinityNet#step} as a {@link ScaleStepper}: holds the text conditioning
     * and the cache in its own scope; each step's intermediates are freed when it returns.
     */
    public final class Stepper implements ScaleStepper, AutoCloseable {
        private final NDManager generation;
        private final InfinityText<NDArray> text;
        private final ScaleSchedule schedule;
        private InfinityKvCache<NDArray> cache = InfinityKvCache.empty();
        private boolean stepperClosed;

        private Stepper(NDManager generation, InfinityText<NDArray> text, ScaleSchedule schedule) {
            this.generation = generation;
            this.text = text;
            this.schedule = schedule;
        }

        /**
         * The rows this stepper runs.
         *
         * @return R (2B when guided, else B)
         */
        public int rows() {
            return text.rows();
        }

        @Override
        public float[] step(int k, float[] input_Bnd) {
            if (stepperClosed) {
                throw new IllegalStateException("stepper is closed");
            }
            ensureOpen();
            if (k == 0) {
                dropCache();
            }
            int n = schedule.get(k).tokens();
            int d = config.bitsPerToken();
            try (NDManager stepScope = generation.newSubManager()) {
                DjlOps scope = ops.scoped(stepScope);
                NDArray x = null;
                if (input_Bnd != null) {
                    if (input_Bnd.length % ((long) n * d) != 0) {
                        throw ShapeMismatchException.of(
                                "input_Bnd of scale " + k, new long[] {-1, n, d}, new long[] {input_Bnd.length});
                    }
                    x = scope.constant(input_Bnd, input_Bnd.length / ((long) n * d), n, d);
                }
                InfinityStep<NDArray> s = net.step(scope, text, schedule, k, x, cache);
                float[] logits = s.logits_RnV().toFloatArray();
                InfinityKvCache<NDArray> next = s.cache();
                for (LayerKv<NDArray> kv : next.layers()) {
                    kv.keys().attach(generation);
                    kv.values().attach(generation);
                }
                dropCache();
                cache = next;
                return logits;
            } catch (RuntimeException e) {
                if (e instanceof ArboothException || e instanceof IllegalArgumentException) {
                    throw e;
                }
                throw new ArboothException("Infinity KV-cached step " + k + " failed on DJL: " + e.getMessage(), e);
            }
        }

        private void dropCache() {
            for (LayerKv<NDArray> kv : cache.layers()) {
                kv.keys().close();
                kv.values().close();
            }
            cache = InfinityKvCache.empty();
        }

        /** Frees the text conditioning and the cache. Idempotent. */
        @Override
        public void close() {
            if (!stepperClosed) {
                stepperClosed = true;
                cache = InfinityKvCache.empty();
                generation.close();
            }
        }
    }

    private static int sum(int[] lens) {
        Objects.requireNonNull(lens, "lens");
        int n = 0;
        for (int len : lens) {
            n = Math.addExact(n, len);
        }
        return n;
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("DjlInfinity is closed");
        }
    }

    /** Frees the weights. Idempotent. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            manager.close();
        }
    }
}
