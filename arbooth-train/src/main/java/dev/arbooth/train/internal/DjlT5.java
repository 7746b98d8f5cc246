package dev.arbooth.train.internal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.arbooth.ShapeMismatchException;
import dev.arbooth.config.T5Config;
import dev.arbooth.internal.format.CheckpointFile;
import dev.arbooth.internal.format.Checkpoints;
import dev.arbooth.internal.format.StateDict;
import dev.arbooth.internal.nn.T5EncoderNet;
import dev.arbooth.internal.weights.T5Weights;
import dev.arbooth.tensor.Tensor;
import dev.arbooth.text.TextFeatures;
import dev.arbooth.text.internal.TokenBatch;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The frozen T5 text encoder on DJL ({@link T5EncoderNet} executed by {@link DjlOps}), for inference only:
 * no weight requires gradients, so its outputs carry no autograd history.
 *
 * <p>Weights are bound strictly at creation ({@link T5Weights#bind}), widened to float32 and copied into
 * the engine at once (so the checkpoint may be closed); they live until {@link #close()}. Each {@code encode} runs in a temporary scope, so only its result
 * survives. Not thread-safe.
 */
public final class DjlT5 implements AutoCloseable {
    private final T5Config config;
    private final T5EncoderNet net;
    private final FrozenWeights weights;
    private final DjlOps ops;

    private DjlT5(T5Config config, FrozenWeights weights) {
        this.config = config;
        this.net = T5EncoderNet.create(config);
        this.weights = weights;
        this.ops = weights.ops();
    }

    /**
     * Creates the encoder.
     *
     * @param parent the manager under which the weights are kept (a sub-manager, closed by {@link #close()})
     * @param config the architecture
     * @param checkpoint the weights ({@code T5EncoderModel} names; the tied embedding under either name)
     * @return the encoder
     * @throws dev.arbooth.WeightBindingException listing every missing, unexpected and misshapen tensor
     */
    public static DjlT5 create(NDManager parent, T5Config config, StateDict checkpoint) {
        Objects.requireNonNull(parent, "parent");
        Map<String, Tensor> bound = T5Weights.bind(Objects.requireNonNull(config, "config"), checkpoint);
        return new DjlT5(config, FrozenWeights.load(parent.newSubManager(), bound, name -> true, "DjlT5 is closed"));
    }

    /**
     * Loads the encoder from a checkpoint file ({@code .safetensors} or PyTorch {@code .pth}/{@code .bin}
     * zip), which is closed again before this returns.
     *
     * @param parent the manager under which the weights are kept
     * @param config the architecture
     * @param checkpoint the file
     * @param dictPath for a PyTorch checkpoint, the keys of the nested dict holding the state dict; none for
     *     the root
     * @return the encoder
     * @throws dev.arbooth.FormatException if the file cannot be read
     * @throws dev.arbooth.WeightBindingException listing every missing, unexpected and misshapen tensor
     */
    public static DjlT5 load(NDManager parent, T5Config config, Path checkpoint, String... dictPath) {
        try (CheckpointFile file = Checkpoints.open(checkpoint, dictPath)) {
            return create(parent, config, file);
        }
    }

    /**
     * The architecture.
     *
     * @return the configuration
     */
    public T5Config config() {
        return config;
    }

    /**
     * The encoder's output for engine arrays, attached to {@code scope}.
     *
     * @param scope owns the intermediates and the result
     * @param ids_BS token ids, int64 (B,S)
     * @param mask_BS attention mask (B,S), 1 real / 0 padding, any numeric type
     * @return {@code last_hidden_state} (B,S,D), float32
     */
    public NDArray encode(NDManager scope, NDArray ids_BS, NDArray mask_BS) {
        weights.ensureOpen();
        DjlOps scoped = ops.scoped(scope);
        NDArray ids = ids_BS;
        if (ids.getDataType() != DataType.INT64) {
            ids = ids_BS.toType(DataType.INT64, false);
            ids.attach(scope);
        }
        NDArray mask = mask_BS;
        if (mask.getDataType() != DataType.FLOAT32) {
            mask = mask_BS.toType(DataType.FLOAT32, false);
            mask.attach(scope);
        }
        return net.forward(scoped, ids, mask);
    }

    /**
     * The encoder's output for host tensors.
     *
     * @param ids_BS token ids (B,S), an integer tensor
     * @param mask_BS attention mask (B,S): 1 for real tokens, 0 for padding
     * @return {@code last_hidden_state} (B,S,D), float32, padded positions included
     */
    public Tensor encode(Tensor ids_BS, Tensor mask_BS) {
        return encodeWithIntermediates(ids_BS, mask_BS, false).get("last_hidden_state");
    }

    /**
     * The encoder's output and every intermediate {@link T5EncoderNet.Tap} reports (for tests and
     * diagnostics).
     *
     * @param ids_BS token ids (B,S), an integer tensor
     * @param mask_BS attention mask (B,S): 1 for real tokens, 0 for padding
     * @return the tensors by the golden set's names ({@code embeddings}, {@code block.0.output}, ..., {@code
     *     last_hidden_state}), in computation order
     */
    public Map<String, Tensor> encodeWithIntermediates(Tensor ids_BS, Tensor mask_BS) {
        return encodeWithIntermediates(ids_BS, mask_BS, true);
    }

    private Map<String, Tensor> encodeWithIntermediates(Tensor ids_BS, Tensor mask_BS, boolean all) {
        weights.ensureOpen();
        checkInputs(ids_BS, mask_BS);
        Map<String, Tensor> out = new LinkedHashMap<>();
        try (NDManager scope = ops.manager().newSubManager()) {
            DjlOps scoped = ops.scoped(scope);
            NDArray ids = scope.create(ids_BS.toLongArray(), new Shape(ids_BS.shape()));
            NDArray mask = scope.create(mask_BS.toFloatArray(), new Shape(mask_BS.shape()));
            NDArray result = net.forward(scoped, ids, mask, (name, value) -> {
                if (all) {
                    out.put(name, DjlOps.toTensor(value));
                }
            });
            out.put("last_hidden_state", DjlOps.toTensor(result));
        }
        return out;
    }

    /**
     * Infinity's compact text features: the features of each prompt's real tokens, concatenated.
     *
     * @param batch tokenized prompts (right-padded)
     * @return {@code kv_compact} (N, D) and the lengths
     */
    public TextFeatures compactFeatures(TokenBatch batch) {
        return compactFeatures(batch.ids(), batch.mask());
    }

    /**
     * Infinity's compact text features (official {@code encode_prompt}): runs the encoder, then keeps rows
     * {@code [0, len_i)} of prompt i, {@code len_i} = the sum of its mask.
     *
     * @param ids_BS token ids (B,S)
     * @param mask_BS attention mask (B,S), right-padded: each row is ones followed by zeros
     * @return {@code kv_compact} (N, D) and the lengths
     * @throws ShapeMismatchException if a mask row is not right-padded (a one after a zero)
     */
    public TextFeatures compactFeatures(Tensor ids_BS, Tensor mask_BS) {
        checkInputs(ids_BS, mask_BS);
        int b = (int) ids_BS.dim(0);
        int s = (int) ids_BS.dim(1);
        long[] mask = mask_BS.dtype().isFloatingPoint() ? toLongs(mask_BS.toFloatArray()) : mask_BS.toLongArray();
        int[] lengths = new int[b];
        int n = 0;
        for (int i = 0; i < b; i++) {
            int len = 0;
            while (len < s && mask[i * s + len] != 0) {
                len++;
            }
            for (int j = len; j < s; j++) {
                if (mask[i * s + j] != 0) {
                    throw new ShapeMismatchException("attention mask row " + i + " is not right-padded (a real token "
                            + "at " + j + " after padding at " + len + ")");
                }
            }
            lengths[i] = len;
            n += len;
        }
        float[] hidden = encode(ids_BS, mask_BS).toFloatArray();
        int d = config.dModel();
        float[] compact = new float[n * d];
        int row = 0;
        for (int i = 0; i < b; i++) {
            System.arraycopy(hidden, i * s * d, compact, row * d, lengths[i] * d);
            row += lengths[i];
        }
        return TextFeatures.of(Tensor.ofFloats(compact, n, d), lengths);
    }

    private static long[] toLongs(float[] f) {
        long[] out = new long[f.length];
        for (int i = 0; i < f.length; i++) {
            out[i] = (long) f[i];
        }
        return out;
    }

    private void checkInputs(Tensor ids_BS, Tensor mask_BS) {
        if (ids_BS.rank() != 2 || !Arrays.equals(ids_BS.shape(), mask_BS.shape())) {
            throw new ShapeMismatchException("T5 expects input_ids (B,S) and an attention_mask of the same shape, got "
                    + Arrays.toString(ids_BS.shape()) + " and " + Arrays.toString(mask_BS.shape()));
        }
        if (ids_BS.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException("input_ids must be an integer tensor, got " + ids_BS.dtype());
        }
        long v = config.vocabSize();
        for (long id : ids_BS.toLongArray()) {
            if (id < 0 || id >= v) {
                throw new IllegalArgumentException("token id " + id + " is outside the vocabulary [0, " + v + ")");
            }
        }
        for (float m : mask_BS.toFloatArray()) {
            if (m != 0f && m != 1f) {
                throw new IllegalArgumentException("attention_mask values must be 0 or 1, got " + m);
            }
        }
    }

    /** Frees the weights; idempotent. */
    @Override
    public void close() {
        weights.close();
    }
}
