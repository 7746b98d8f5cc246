package dev.arbooth.train.internal;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.arbooth.ShapeMismatchException;
import dev.arbooth.WeightBindingException;
import dev.arbooth.config.Scale;
import dev.arbooth.config.ScaleSchedule;
import dev.arbooth.config.VaeConfig;
import dev.arbooth.internal.format.CheckpointFile;
import dev.arbooth.internal.format.Checkpoints;
import dev.arbooth.internal.format.StateDict;
import dev.arbooth.internal.format.TorchCheckpoint;
import dev.arbooth.internal.nn.BsqVaeNet;
import dev.arbooth.internal.nn.MultiScaleBsq;
import dev.arbooth.internal.sampling.CodeAccumulator;
import dev.arbooth.internal.sampling.CodeDecoder;
import dev.arbooth.internal.weights.VaeWeights;
import dev.arbooth.tensor.Tensor;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The BSQ multi-scale VAE on DJL: {@link BsqVaeNet} executed by {@link DjlOps}, with the engine-free
 * {@link MultiScaleBsq} between encoder and decoder. Frozen: nothing here records gradients.
 *
 * <pre>{@code
 * try (DjlVae vae = DjlVae.load(path, VaeConfig.infinityVaeD32())) {
 *     MultiScaleBsq.Encoding e = vae.encode(image_N3HW, schedule);   // per-scale bits
 *     Tensor image = vae.decodeBits(e.bits(), e.batch(), schedule);
 * }
 * }</pre>
 *
 * <p>All weights are copied to float32 NDArrays at load (so the checkpoint file is closed before this
 * returns); each call runs in its own sub-manager, freed when it returns. Not thread-safe.
 */
public final class DjlVae implements CodeDecoder, AutoCloseable {
    private final VaeConfig config;
    private final BsqVaeNet net;
    private final FrozenWeights weights;
    private final DjlOps ops;

    private DjlVae(VaeConfig config, FrozenWeights weights) {
        this.config = config;
        this.net = BsqVaeNet.of(config);
        this.weights = weights;
        this.ops = weights.ops();
    }

    /**
     * Loads a VAE checkpoint: a safetensors file, or a PyTorch {@code .pth} holding the state dict under
     * {@code "vae"} (the official layout {@code {"vae": …, "ema": …, "step": …}}) or at its root. Official
     * and plain tensor names are both accepted ({@link VaeWeights#normalize}); binding is strict.
     *
     * @param checkpoint the file
     * @param config the architecture the checkpoint must match
     * @return the VAE
     * @throws dev.arbooth.FormatException if the file cannot be read
     * @throws WeightBindingException listing every missing, unexpected and misshapen tensor
     */
    public static DjlVae load(Path checkpoint, VaeConfig config) {
        Objects.requireNonNull(checkpoint, "checkpoint");
        if (Checkpoints.detect(checkpoint) == Checkpoints.Format.PYTORCH) {
            try (TorchCheckpoint ck = TorchCheckpoint.open(checkpoint)) {
                boolean nested = ck.root() instanceof Map<?, ?> m && m.get("vae") instanceof Map;
                return create(config, nested ? ck.stateDict("vae") : ck.stateDict());
            }
        }
        try (CheckpointFile f = Checkpoints.open(checkpoint)) {
            return create(config, f);
        }
    }

    /**
     * Loads the state dict at a path of nested dict keys of a PyTorch checkpoint (e.g. {@code "ema"}), or a
     * safetensors file when no keys are given.
     *
     * @param checkpoint the file
     * @param config the architecture
     * @param dictPath keys leading to the state dict
     * @return the VAE
     * @throws dev.arbooth.FormatException if the file cannot be read or has no state dict there
     * @throws WeightBindingException listing every missing, unexpected and misshapen tensor
     */
    public static DjlVae load(Path checkpoint, VaeConfig config, String... dictPath) {
        try (CheckpointFile f = Checkpoints.open(checkpoint, dictPath)) {
            return create(config, f);
        }
    }

    /**
     * A VAE over in-memory or open weights; every tensor is copied, so {@code weights} may be closed after.
     *
     * @param config the architecture
     * @param weights the state dict (official or plain names)
     * @return the VAE
     * @throws WeightBindingException listing every missing, unexpected and misshapen tensor
     */
    public static DjlVae create(VaeConfig config, StateDict weights) {
        Objects.requireNonNull(config, "config");
        Map<String, Tensor> bound = VaeWeights.bind(config, weights);
        Engine engine = DjlEngine.pytorch();
        NDManager manager = engine.newBaseManager();
        return new DjlVae(
                config, FrozenWeights.load(manager, bound, name -> !VaeWeights.isBuffer(name), "This VAE is closed"));
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
     * The encoder's raw features.
     *
     * @param image_N3HW images in {@code [-1, 1]}, {@code (N, 3, H, W)}, H and W multiples of the patch size
     * @return {@code (N, d, H/patch, W/patch)} float32
     * @throws ShapeMismatchException if the image has another shape
     */
    public Tensor rawFeatures(Tensor image_N3HW) {
        weights.ensureOpen();
        Objects.requireNonNull(image_N3HW, "image_N3HW");
        try (NDManager sub = ops.manager().newSubManager()) {
            DjlOps s = ops.scoped(sub);
            return DjlOps.toTensor(net.encode(s, s.fromTensor(image_N3HW)));
        }
    }

    /**
     * Encodes images to the bits of every scale of a schedule (official {@code vae.encode}).
     *
     * @param image_N3HW images in {@code [-1, 1]}, {@code (N, 3, H, W)}, H and W multiples of the patch size
     * @param schedule the scales, none larger than the latent grid (normally ending at it)
     * @return raw features, per-scale bits {@code (N, h_k, w_k, d)} and the quantized sum
     * @throws ShapeMismatchException if the image has another shape
     * @throws IllegalArgumentException if a scale is larger than the latent grid
     */
    public MultiScaleBsq.Encoding encode(Tensor image_N3HW, ScaleSchedule schedule) {
        Objects.requireNonNull(schedule, "schedule");
        Tensor f = rawFeatures(image_N3HW);
        long[] s = f.shape();
        return MultiScaleBsq.create(config.codebookDim())
                .encode(f.toFloatArray(), (int) s[0], (int) s[2], (int) s[3], schedule);
    }

    /**
     * Decodes summed codes (official {@code vae.decode}: decoder, clamp to {@code [-1, 1]}).
     *
     * @param codes {@code (N, d, h, w)} or {@code (N, d, 1, h, w)} float
     * @return images {@code (N, 3, h·patch, w·patch)} float32 in {@code [-1, 1]}
     * @throws ShapeMismatchException if the codes have another shape
     * @throws IllegalArgumentException if the codes are not floating point
     */
    public Tensor decode(Tensor codes) {
        weights.ensureOpen();
        Objects.requireNonNull(codes, "codes");
        if (!codes.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException("VAE decoder input must be floating point, got " + codes);
        }
        try (NDManager sub = ops.manager().newSubManager()) {
            DjlOps s = ops.scoped(sub);
            NDArray out = net.decode(s, s.fromTensor(codes));
            return DjlOps.toTensor(out);
        }
    }

    /**
     * Decodes the code sum of a sampling loop ({@link dev.arbooth.internal.sampling.NextScaleResult#decode}).
     *
     * @param summedCodes_BdHW the code sum {@code (B, d, H, W)} row-major
     * @param batch B
     * @param d bits per code (must equal the configuration's)
     * @param grid the final scale
     * @return the images {@code (B, 3, H·patch, W·patch)} row-major in {@code [-1, 1]}
     */
    @Override
    public float[] decode(float[] summedCodes_BdHW, int batch, int d, Scale grid) {
        if (d != config.codebookDim()) {
            throw new ShapeMismatchException(
                    "VAE decoder has " + config.codebookDim() + " code channels, the codes have " + d);
        }
        return decode(Tensor.ofFloats(summedCodes_BdHW, batch, d, grid.h(), grid.w()))
                .toFloatArray();
    }

    /**
     * Decodes per-scale bits (official {@code decode_from_indices(…, "bit_label")}): codes summed at the
     * final size with {@link CodeAccumulator#create(ScaleSchedule, int, int)}, then {@link #decode}.
     *
     * @param bits_BhwD per scale, {@code (N, h_k, w_k, d)} in {0, 1}
     * @param batch N
     * @param schedule the scales
     * @return images {@code (N, 3, H·patch, W·patch)}
     * @throws IllegalArgumentException if the list does not have one entry per scale
     */
    public Tensor decodeBits(List<long[]> bits_BhwD, int batch, ScaleSchedule schedule) {
        if (bits_BhwD.size() != schedule.size()) {
            throw new IllegalArgumentException(
                    "Expected bits for " + schedule.size() + " scales, got " + bits_BhwD.size());
        }
        int d = config.codebookDim();
        CodeAccumulator acc = CodeAccumulator.create(schedule, batch, d);
        bits_BhwD.forEach(acc::addBits);
        return decode(Tensor.ofFloats(
                acc.summedCodes(),
                batch,
                d,
                schedule.last().h(),
                schedule.last().w()));
    }

    /** Frees the weights. Idempotent. */
    @Override
    public void close() {
        weights.close();
    }

    @Override
    public String toString() {
        return "DjlVae[" + VaeWeights.describe(config) + (weights.isClosed() ? ", closed]" : "]");
    }
}
