package dev.arbooth.train.internal;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.arbooth.ShapeMismatchException;
import dev.arbooth.config.ScaleSchedule;
import dev.arbooth.config.VaeConfig;
import dev.arbooth.internal.format.StateDict;
import dev.arbooth.internal.format.TensorSpec;
import dev.arbooth.internal.nn.BsqVaeNet;
import dev.arbooth.internal.weights.VaeWeights;
import dev.arbooth.tensor.Tensor;
import dev.arbooth.train.OptimizerOptions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Trains a BSQ multi-scale VAE from scratch on DJL: {@link BsqVaeNet}'s encoder, the {@link TrainableBsq}
 * quantizer (straight-through estimator, commitment and entropy terms), {@link BsqVaeNet}'s decoder, the
 * reconstruction loss {@code l1 · mean|x̂ − x| + mse · mean(x̂ − x)²} plus the quantizer's auxiliary loss, and
 * {@link AdamW} on every parameter.
 *
 * <pre>{@code
 * try (VaeTraining t = VaeTraining.create(config, 64, schedule, VaeTraining.Options.defaults(seed))) {
 *     VaeTraining.Losses l = t.step(images_N3HW);   // one AdamW step
 *     Map<String, Tensor> vae = t.stateDict();        // what DjlVae.create / vae.safetensors take
 * }
 * }</pre>
 *
 * <p><b>Determinism.</b> The initial weights come from the options' seed (PyTorch's default convolution
 * initialisation, {@code U(±1/sqrt(fan_in))}, GroupNorm 1 and 0); a step has no randomness of its own (the caller
 * chooses the images), and DJL on CPU with one intra-op thread is deterministic, so equal seeds and images give
 * equal weights bit for bit, also after {@link #restore}. Not thread-safe.
 */
public final class VaeTraining implements AutoCloseable {
    /** The parameter group of every VAE parameter. */
    public static final String GROUP = "vae";

    /**
     * The training options.
     *
     * @param optimizer AdamW's hyper-parameters
     * @param l1 the weight of the L1 reconstruction loss
     * @param mse the weight of the MSE reconstruction loss
     * @param commitment the weight of the quantizer's commitment loss (Infinity: 0.25)
     * @param entropy the weight of its entropy penalty (Infinity: 0.1)
     * @param inverseTemperature the entropy's inverse temperature (Infinity: 100)
     * @param gradClip the largest global gradient norm applied (larger ones are scaled down to it); a step whose
     *     gradient is not finite updates nothing (counted in {@link Losses#skipped})
     * @param seed the seed of the initial weights
     */
    public record Options(
            OptimizerOptions optimizer,
            double l1,
            double mse,
            double commitment,
            double entropy,
            double inverseTemperature,
            double gradClip,
            long seed) {
        /**
         * Validates.
         *
         * @param optimizer not null
         * @param l1 at least 0
         * @param mse at least 0, not both reconstruction weights 0
         * @param commitment at least 0
         * @param entropy at least 0
         * @param inverseTemperature positive
         * @param gradClip positive
         * @param seed any
         */
        public Options {
            Objects.requireNonNull(optimizer, "optimizer");
            if (!(l1 >= 0) || !(mse >= 0) || l1 + mse == 0) {
                throw new IllegalArgumentException(
                        "reconstruction weights must be >= 0 and not both 0, got l1 " + l1 + ", mse " + mse);
            }
            new TrainableBsq.Weights(commitment, entropy, inverseTemperature);
            if (!(gradClip > 0)) {
                throw new IllegalArgumentException("gradient clip must be > 0, got " + gradClip);
            }
        }

        /**
         * L1 + MSE (weights 1 and 1), Infinity's quantizer weights, AdamW lr 1e-3, betas (0.9, 0.99), weight decay
         * 0, gradient norm clipped at 1.
         *
         * @param seed the seed of the initial weights
         * @return the options
         */
        public static Options defaults(long seed) {
            TrainableBsq.Weights w = TrainableBsq.Weights.infinity();
            return new Options(
                    new OptimizerOptions(1e-3, 0.9, 0.99, 1e-8, 0.0),
                    1.0,
                    1.0,
                    w.commitment(),
                    w.entropy(),
                    w.inverseTemperature(),
                    1.0,
                    seed);
        }
    }

    /**
     * The losses of one step (before the update).
     *
     * @param total what was back-propagated
     * @param l1 mean absolute reconstruction error (images in [-1, 1])
     * @param mse mean squared reconstruction error
     * @param commitment the quantizer's commitment loss (unweighted)
     * @param entropyPenalty {@code H_sample − H_codebook} (unweighted)
     * @param gradNorm the global gradient norm before clipping
     * @param skipped whether the update was skipped because the gradient was not finite
     */
    public record Losses(
            float total,
            float l1,
            float mse,
            float commitment,
            float entropyPenalty,
            float gradNorm,
            boolean skipped) {}

    private final VaeConfig config;
    private final BsqVaeNet net;
    private final Options options;
    private final int imageSide;
    private final NDManager manager;
    private final DjlParameters parameters;
    private final DjlOps ops;
    private final TrainableBsq bsq;
    private final AdamW adam;
    private final List<String> keys;
    private final Map<String, Tensor> buffers = new LinkedHashMap<>();
    private long steps;
    private boolean closed;

    private VaeTraining(VaeConfig config, int imageSide, ScaleSchedule schedule, Options options) {
        this.config = config;
        this.net = BsqVaeNet.of(config);
        this.options = options;
        this.imageSide = imageSide;
        int latent = config.latentSize(imageSide);
        Map<String, Tensor> init = initialWeights(config, options.seed());
        List<String> k = new ArrayList<>();
        init.forEach((name, t) -> {
            if (VaeWeights.isBuffer(name)) {
                buffers.put(name, t);
            } else {
                k.add(name);
            }
        });
        this.keys = List.copyOf(k);
        Engine engine = DjlEngine.pytorch();
        this.manager = engine.newBaseManager();
        try {
            this.parameters = DjlParameters.create(manager.newSubManager(), StateDict.of(init));
            parameters.train(List.of(new DjlParameters.Group(GROUP, keys)));
            parameters.materialize(keys);
            this.ops = DjlOps.over(parameters.manager(), parameters);
            this.bsq = new TrainableBsq(
                    manager,
                    config.codebookDim(),
                    latent,
                    latent,
                    schedule,
                    new TrainableBsq.Weights(options.commitment(), options.entropy(), options.inverseTemperature()));
            this.adam = new AdamW(manager, options.optimizer());
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /**
     * A VAE at its seeded initial weights, ready to train.
     *
     * @param config the architecture
     * @param imageSide the side of the square training images (a multiple of the patch size)
     * @param schedule the quantizer's scales, ending at most at the latent grid
     * @param options losses, optimizer and seed
     * @return the trainer (close it)
     * @throws IllegalArgumentException if the image side or a scale does not fit the architecture
     */
    public static VaeTraining create(VaeConfig config, int imageSide, ScaleSchedule schedule, Options options) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(schedule, "schedule");
        Objects.requireNonNull(options, "options");
        return new VaeTraining(config, imageSide, schedule, options);
    }

    /**
     * Seeded initial weights in official names and order: convolutions {@code U(±1/sqrt(fan_in))} (weights and
     * biases, PyTorch's default), GroupNorm weight 1 and bias 0, the quantizer masks {@code 2^(d-1-i)}.
     *
     * @param config the architecture
     * @param seed the seed
     * @return the state dict
     */
    public static Map<String, Tensor> initialWeights(VaeConfig config, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        Map<String, Tensor> out = new LinkedHashMap<>();
        List<TensorSpec> specs = VaeWeights.expected(config);
        Map<String, Long> fanIn = new LinkedHashMap<>();
        for (TensorSpec spec : specs) {
            long[] shape = spec.shape();
            if (shape.length == 4) {
                fanIn.put(
                        spec.name().substring(0, spec.name().length() - "weight".length()),
                        shape[1] * shape[2] * shape[3]);
            }
        }
        for (TensorSpec spec : specs) {
            long[] shape = spec.shape();
            int n = Math.toIntExact(Tensor.numel(shape));
            String name = spec.name();
            if (VaeWeights.isBuffer(name)) {
                long[] mask = new long[n];
                for (int i = 0; i < n; i++) {
                    mask[i] = 1L << (n - 1 - i);
                }
                out.put(name, Tensor.ofLongs(mask, shape));
                continue;
            }
            float[] v = new float[n];
            if (name.contains(".norm.")) {
                Arrays.fill(v, name.endsWith("weight") ? 1f : 0f);
            } else {
                String prefix = name.substring(0, name.lastIndexOf('.') + 1);
                Long fan = fanIn.get(prefix);
                if (fan == null) {
                    throw new IllegalStateException("no convolution weight for " + name);
                }
                double bound = 1.0 / Math.sqrt(fan);
                for (int i = 0; i < n; i++) {
                    v[i] = (float) (bound * (2 * r.nextDouble() - 1));
                }
            }
            out.put(name, Tensor.ofFloats(v, shape));
        }
        return out;
    }

    /**
     * The architecture.
     *
     * @return the configuration
     */
    public VaeConfig config() {
        return config;
    }

    /**
     * Steps taken so far (restored by {@link #restore}).
     *
     * @return the count
     */
    public long steps() {
        return steps;
    }

    /**
     * One training step: forward with the straight-through quantizer, the loss, backward, one AdamW update.
     *
     * @param images_N3HW images in {@code [-1, 1]} of the trainer's side
     * @return the step's losses (before the update)
     * @throws ShapeMismatchException if the images are not {@code (N, 3, side, side)}
     */
    public Losses step(Tensor images_N3HW) {
        ensureOpen();
        checkImages(images_N3HW);
        try (NDManager sub = parameters.manager().newSubManager()) {
            DjlOps s = ops.scoped(sub);
            NDArray x = TrainableBsq.owned(s.fromTensor(images_N3HW));
            NDArray loss;
            NDArray l1;
            NDArray mse;
            TrainableBsq.Output q;
            try (GradientCollector gc = manager.getEngine().newGradientCollector()) {
                NDArray f = net.encode(s, x);
                q = bsq.forward(f);
                NDArray y = net.decode(s, q.z_NdHW());
                NDArray diff = y.sub(x);
                l1 = diff.abs().mean();
                mse = diff.square().mean();
                loss = s.add(
                        s.add(s.mulScalar(l1, (float) options.l1()), s.mulScalar(mse, (float) options.mse())), q.aux());
                gc.backward(loss);
            }
            Map<String, NDArray> params = new LinkedHashMap<>();
            Map<String, NDArray> grads = new LinkedHashMap<>();
            for (String key : keys) {
                NDArray w = parameters.get(key);
                NDArray g = w.getGradient();
                g.attach(sub);
                params.put(key, w);
                grads.put(key, g);
            }
            float norm = globalNorm(grads.values());
            boolean skip = !Float.isFinite(norm);
            if (!skip) {
                if (norm > options.gradClip()) {
                    NDArray factor = sub.create((float) (options.gradClip() / norm));
                    for (NDArray g : grads.values()) {
                        g.muli(factor);
                    }
                }
                adam.step(params, grads);
            }
            for (NDArray g : grads.values()) {
                g.subi(g);
            }
            if (skip) {
                // a NaN gradient survives g - g; zero it for the next step's accumulation
                for (NDArray g : grads.values()) {
                    g.set(g.isNaN(), 0f);
                }
            }
            steps++;
            return new Losses(
                    loss.getFloat(),
                    l1.getFloat(),
                    mse.getFloat(),
                    q.commitment().getFloat(),
                    q.entropyPenalty().getFloat(),
                    norm,
                    skip);
        }
    }

    /**
     * Scales the learning rate of the following steps (a schedule's factor; see {@link AdamW#learningRateScale}).
     *
     * @param factor positive
     */
    public void learningRateScale(double factor) {
        adam.learningRateScale(factor);
    }

    /** {@code sqrt(Σ g²)} over every gradient, accumulated in double. */
    private static float globalNorm(Iterable<NDArray> grads) {
        double sum = 0;
        for (NDArray g : grads) {
            try (NDArray sq = g.square();
                    NDArray total = sq.sum()) {
                sum += total.getFloat();
            }
        }
        return (float) Math.sqrt(sum);
    }

    /**
     * The gradients of one step's loss without updating (for tests): every parameter's gradient.
     *
     * @param images_N3HW the images
     * @return parameter name to gradient
     */
    Map<String, Tensor> gradients(Tensor images_N3HW) {
        ensureOpen();
        checkImages(images_N3HW);
        try (NDManager sub = parameters.manager().newSubManager()) {
            DjlOps s = ops.scoped(sub);
            NDArray x = TrainableBsq.owned(s.fromTensor(images_N3HW));
            try (GradientCollector gc = manager.getEngine().newGradientCollector()) {
                TrainableBsq.Output q = bsq.forward(net.encode(s, x));
                NDArray diff = net.decode(s, q.z_NdHW()).sub(x);
                NDArray loss = s.add(
                        s.add(
                                s.mulScalar(diff.abs().mean(), (float) options.l1()),
                                s.mulScalar(diff.square().mean(), (float) options.mse())),
                        q.aux());
                gc.backward(loss);
            }
            Map<String, Tensor> out = new LinkedHashMap<>();
            for (String key : keys) {
                NDArray g = parameters.get(key).getGradient();
                g.attach(sub);
                out.put(key, DjlOps.toTensor(g));
                g.subi(g);
            }
            return out;
        }
    }

    /**
     * Reconstructs images through the hard quantizer (no gradients, no update): what the VAE's round trip
     * encode → bits → decode gives, up to float rounding of the resizes.
     *
     * @param images_N3HW images in {@code [-1, 1]}
     * @return the reconstructions {@code (N, 3, side, side)} in {@code [-1, 1]}
     */
    public Tensor reconstruct(Tensor images_N3HW) {
        ensureOpen();
        checkImages(images_N3HW);
        try (NDManager sub = parameters.manager().newSubManager()) {
            DjlOps s = ops.scoped(sub);
            NDArray f = net.encode(s, TrainableBsq.owned(s.fromTensor(images_N3HW)));
            return DjlOps.toTensor(net.decode(s, bsq.forward(f).z_NdHW()));
        }
    }

    /**
     * The mean per-image PSNR in dB of reconstructions against originals, both in {@code [-1, 1]} (peak 1 on the
     * {@code [0, 1]} scale).
     *
     * @param original_N3HW the originals
     * @param reconstruction_N3HW the reconstructions
     * @return the mean PSNR (capped at 100 dB for an exact image)
     */
    public static double psnr(Tensor original_N3HW, Tensor reconstruction_N3HW) {
        if (!Arrays.equals(original_N3HW.shape(), reconstruction_N3HW.shape())) {
            throw ShapeMismatchException.of("reconstruction", original_N3HW.shape(), reconstruction_N3HW.shape());
        }
        float[] a = original_N3HW.toFloatArray();
        float[] b = reconstruction_N3HW.toFloatArray();
        int n = Math.toIntExact(original_N3HW.shape()[0]);
        int per = a.length / n;
        double sum = 0;
        for (int i = 0; i < n; i++) {
            double se = 0;
            for (int j = i * per; j < (i + 1) * per; j++) {
                double e = (a[j] - b[j]) / 2.0;
                se += e * e;
            }
            double mse = se / per;
            sum += mse <= 1e-10 ? 100 : 10 * Math.log10(1 / mse);
        }
        return sum / n;
    }

    /**
     * The VAE's weights in official names and order, masks included: the content of a {@code vae.safetensors}.
     *
     * @return host copies
     */
    public Map<String, Tensor> stateDict() {
        ensureOpen();
        Map<String, Tensor> values = parameters.snapshot(keys);
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (TensorSpec spec : VaeWeights.expected(config)) {
            Tensor t = values.get(spec.name());
            out.put(spec.name(), t != null ? t : buffers.get(spec.name()));
        }
        return out;
    }

    /**
     * Everything a bit-exact resume needs: the parameters, the AdamW state under {@code adam.} and the step count
     * under {@code steps}.
     *
     * @return host copies
     */
    public Map<String, Tensor> snapshot() {
        ensureOpen();
        Map<String, Tensor> out = new LinkedHashMap<>(parameters.snapshot(keys));
        adam.snapshot().forEach((k, t) -> out.put(ArboothIteration.ADAM_PREFIX + k, t));
        out.put("steps", Tensor.ofLongs(new long[] {steps}, 1));
        return out;
    }

    /**
     * Restores a {@link #snapshot()}.
     *
     * @param snapshot what {@link #snapshot()} returned (in this or an earlier process)
     * @throws IllegalArgumentException if a parameter or the step count is missing
     */
    public void restore(Map<String, Tensor> snapshot) {
        ensureOpen();
        Map<String, Tensor> params = new LinkedHashMap<>();
        Map<String, Tensor> state = new LinkedHashMap<>();
        for (String key : keys) {
            Tensor t = snapshot.get(key);
            if (t == null) {
                throw new IllegalArgumentException("VAE snapshot lacks parameter '" + key + "'");
            }
            params.put(key, t);
        }
        snapshot.forEach((k, t) -> {
            if (k.startsWith(ArboothIteration.ADAM_PREFIX)) {
                state.put(k.substring(ArboothIteration.ADAM_PREFIX.length()), t);
            }
        });
        Tensor s = snapshot.get("steps");
        if (s == null) {
            throw new IllegalArgumentException("VAE snapshot lacks its step count 'steps'");
        }
        parameters.restore(params);
        adam.restore(state);
        steps = s.toLongArray()[0];
    }

    private void checkImages(Tensor images) {
        Objects.requireNonNull(images, "images_N3HW");
        long[] s = images.shape();
        if (s.length != 4 || s[0] < 1 || s[1] != 3 || s[2] != imageSide || s[3] != imageSide) {
            throw new ShapeMismatchException("VAE training images: expected (N, 3, " + imageSide + ", " + imageSide
                    + "), got " + Arrays.toString(s));
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("VaeTraining is closed");
        }
    }

    /** Frees the weights, optimizer state and matrices. Idempotent. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            try {
                adam.close();
                parameters.close();
            } finally {
                manager.close();
            }
        }
    }

    @Override
    public String toString() {
        return "VaeTraining[" + VaeWeights.describe(config) + ", " + steps + " steps" + (closed ? ", closed]" : "]");
    }
}
