package dev.arbooth.train.internal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.pytorch.jni.JniUtils;
import dev.arbooth.internal.format.StateDict;
import dev.arbooth.internal.nn.AttentionChunks;
import dev.arbooth.internal.nn.CachedAttention;
import dev.arbooth.internal.nn.LayerKv;
import dev.arbooth.internal.nn.Ops;
import dev.arbooth.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * {@link Ops} on DJL's PyTorch engine: each call executes eagerly on NDArrays.
 *
 * <p><b>Weights</b> are looked up in a {@link DjlParameters} store by official key; the store, not the ops,
 * decides what is trainable (parameters that require gradients train inside a DJL {@code GradientCollector}),
 * holds optimizer-friendly identities and saves and restores values. A decorator over these ops (a {@link
 * dev.arbooth.internal.nn.ForwardingOps}, e.g. LoRA on chosen linears) needs neither.
 *
 * <p><b>Memory.</b> Every op result and constant is attached to this instance's manager. {@link
 * #scoped(NDManager)} gives a view on the same store whose intermediates live in {@code sub}, so closing {@code
 * sub} frees one forward pass or one sampling step at once. Not thread-safe.
 */
public final class DjlOps implements Ops<NDArray>, AutoCloseable {
    private static final float SQRT_2_OVER_PI = (float) Math.sqrt(2.0 / Math.PI);

    /**
     * The query-chunk budget of the KV-cached attention, scores per row and head: 2<sup>18</sup>, so that for 2 rows
     * and 8 heads (the teacher of the mid configuration) a chunk's scores are 16 MiB, under the 32 MiB above which
     * glibc maps every block afresh; with 2<sup>20</sup> (the teacher-forced pass's budget) the teacher's sampling
     * took 9.9 s instead of 5.2 s, most of the difference page faults ({@code docs/benchmarks.md}).
     */
    static final long CACHED_CHUNK_SCORES = 1L << 18;

    /**
     * Up to this many scores ({@code B·H·L·L}; 2<sup>20</sup> floats, 4 MiB) {@link #blockCausalAttention} runs as
     * one masked dense pass instead of chunk by chunk: the toy base's training passes (4 rows, 3 heads, 121 tokens:
     * 0.18 M scores) are bound by the operation count, the chunked form costs about seven operations and three
     * whole-input gradient buffers per chunk. Infinity-sized passes (mid: 102 M) stay chunked.
     */
    static final long DENSE_ATTENTION_SCORES = 1L << 20;

    /**
     * Above this many scores in one attention call ({@code B·H·Σ n·e} for the block-causal pass, {@code B·H·n·S}
     * for a KV-cached step) the attention runs through the fused kernel ({@link FusedAttention}), below it composed:
     * 2<sup>22</sup>. Small calls are bound by the number of operations, where the fused kernel's call through
     * TorchScript costs about what it saves (the toy base's pretraining step, 32 rows × 3 heads × 10 k scores:
     * 1.10–1.17 s fused against 1.04–1.10 s composed); Infinity-sized ones (mid: 64 M) gain
     * ({@code docs/benchmarks.md}, "Fused attention").
     */
    static final long FUSED_ATTENTION_SCORES = 1L << 22;

    /**
     * The FFN's chunk budget, hidden activations per chunk ({@link #ffnTokenChunk}): 2<sup>22</sup> floats, 16 MiB,
     * under glibc's 32 MiB mapping threshold (the mid configuration's whole FFN hidden layer is 41 MB per tensor).
     */
    static final long FFN_CHUNK_FLOATS = 1L << 22;

    /**
     * Convolutions recorded for autograd run with at least this many output channels ({@link #conv2d}): 16, the
     * fewest with which libtorch 2.7.1's CPU backward gave the right input gradient here (3, 4 and 8 were wrong).
     */
    static final int CONV_RECORDED_MIN_CHANNELS = 16;

    private final NDManager manager;
    private final DjlParameters parameters;
    private final boolean ownsParameters;

    private DjlOps(NDManager manager, DjlParameters parameters, boolean ownsParameters) {
        this.manager = manager;
        this.parameters = parameters;
        this.ownsParameters = ownsParameters;
    }

    /**
     * Creates ops over a weight source with their own store.
     *
     * @param manager owns the weights and this instance's intermediates; closed by {@link #close()}
     * @param weights the weights by official name (any stored float dtype)
     * @return the ops
     */
    public static DjlOps create(NDManager manager, StateDict weights) {
        return new DjlOps(manager, DjlParameters.create(manager, Objects.requireNonNull(weights, "weights")), true);
    }

    /**
     * Creates ops over a store they do not own.
     *
     * @param manager owns this instance's intermediates (the caller closes it)
     * @param parameters the weights
     * @return the ops; closing them does nothing
     */
    public static DjlOps over(NDManager manager, DjlParameters parameters) {
        return new DjlOps(
                Objects.requireNonNull(manager, "manager"), Objects.requireNonNull(parameters, "parameters"), false);
    }

    /**
     * The parameter store the weights come from.
     *
     * @return the store
     */
    public DjlParameters parameters() {
        return parameters;
    }

    /**
     * A view on the same store whose intermediates and constants live in {@code sub}.
     *
     * @param sub the manager of the intermediates (the caller closes it)
     * @return the scoped ops; closing it does nothing
     */
    public DjlOps scoped(NDManager sub) {
        return over(sub, parameters);
    }

    /**
     * The manager that owns this instance's intermediates.
     *
     * @return the manager
     */
    public NDManager manager() {
        return manager;
    }

    /**
     * Copies a host tensor into an NDArray of this scope (float types widened to float32, integer types as
     * int64).
     *
     * @param t the tensor
     * @return the array
     */
    public NDArray fromTensor(Tensor t) {
        Shape shape = new Shape(t.shape());
        if (t.dtype().isFloatingPoint()) {
            return manager.create(t.toFloatArray(), shape);
        }
        return manager.create(t.toLongArray(), shape);
    }

    /**
     * Copies an NDArray to a host float32 (or int64) tensor.
     *
     * @param x the array
     * @return the tensor
     */
    public static Tensor toTensor(NDArray x) {
        long[] shape = x.getShape().getShape();
        if (x.getDataType() == DataType.INT64) {
            return Tensor.ofLongs(x.toLongArray(), shape);
        }
        return Tensor.ofFloats(x.toType(DataType.FLOAT32, false).toFloatArray(), shape);
    }

    /**
     * A 0-dim float32 constant of this scope. Never {@code x.mul(float)} and its kin: DJL makes a temporary scalar
     * array for the number and closes it as soon as the op returns, but PyTorch keeps that scalar for the backward
     * pass (mul, div, pow, maximum save their operands) as a view of a direct buffer that the garbage collector may
     * free meanwhile, so gradients read freed memory (seen as a NaN or a different loss after a few training steps,
     * only when a GC ran between forward and backward). Owned by this scope, the scalar lives until the step ends.
     */
    private NDArray scalar(float v) {
        return own(manager.create(v));
    }

    private NDArray own(NDArray x) {
        x.attach(manager);
        return x;
    }

    // ---- sources ------------------------------------------------------------------------------------

    @Override
    public NDArray weight(String name) {
        return parameters.get(name);
    }

    @Override
    public boolean hasWeight(String name) {
        return parameters.contains(name);
    }

    @Override
    public NDArray constant(float[] values, long... shape) {
        return manager.create(values, new Shape(shape));
    }

    @Override
    public NDArray constantLong(long[] values, long... shape) {
        return manager.create(values, new Shape(shape));
    }

    // ---- shape --------------------------------------------------------------------------------------

    @Override
    public long[] shape(NDArray x) {
        return x.getShape().getShape();
    }

    @Override
    public NDArray reshape(NDArray x, long... shape) {
        return own(x.reshape(shape));
    }

    @Override
    public NDArray permute(NDArray x, int... axes) {
        return own(x.transpose(axes));
    }

    @Override
    public NDArray concat(int axis, List<NDArray> xs) {
        if (xs.size() == 1) {
            return xs.get(0);
        }
        return own(NDArrays.concat(new NDList(xs), axis));
    }

    @Override
    public NDArray slice(NDArray x, int axis, long start, long end) {
        int rank = x.getShape().dimension();
        int a = axis < 0 ? rank + axis : axis;
        StringBuilder index = new StringBuilder();
        for (int i = 0; i < a; i++) {
            index.append(":,");
        }
        index.append(start).append(':').append(end);
        return own(x.get(new NDIndex(index.toString())));
    }

    /** {@inheritDoc} One {@code torch.split}: views of the input, whose gradient is one concatenation. */
    @Override
    public List<NDArray> split(NDArray x, int axis, int parts) {
        int a = Ops.splitAxis(shape(x), axis, parts);
        List<NDArray> out = new ArrayList<>(parts);
        for (NDArray piece : x.split(parts, a)) {
            out.add(own(piece));
        }
        return out;
    }

    @Override
    public NDArray gather(NDArray table_VD, NDArray indices) {
        long[] idxShape = indices.getShape().getShape();
        long d = table_VD.getShape().get(1);
        NDArray rows = table_VD.get(new NDIndex("{}", indices.flatten()));
        long[] outShape = java.util.Arrays.copyOf(idxShape, idxShape.length + 1);
        outShape[idxShape.length] = d;
        return own(rows.reshape(outShape));
    }

    @Override
    public NDArray pad2d(NDArray x_NCHW, int top, int bottom, int left, int right) {
        return own(x_NCHW.pad(new Shape(left, right, top, bottom), 0));
    }

    // ---- elementwise --------------------------------------------------------------------------------

    @Override
    public NDArray add(NDArray a, NDArray b) {
        return own(a.add(b));
    }

    @Override
    public NDArray sub(NDArray a, NDArray b) {
        return own(a.sub(b));
    }

    @Override
    public NDArray mul(NDArray a, NDArray b) {
        return own(a.mul(b));
    }

    @Override
    public NDArray div(NDArray a, NDArray b) {
        return own(a.div(b));
    }

    @Override
    public NDArray mulScalar(NDArray x, float s) {
        return own(x.mul(scalar(s)));
    }

    @Override
    public NDArray addScalar(NDArray x, float s) {
        return own(x.add(scalar(s)));
    }

    @Override
    public NDArray clamp(NDArray x, float lo, float hi) {
        // never own(x) itself: x may be a weight of the root scope, which a scoped view must not adopt
        NDArray y = x;
        if (lo != Float.NEGATIVE_INFINITY) {
            y = own(y.maximum(scalar(lo)));
        }
        if (hi != Float.POSITIVE_INFINITY) {
            y = own(y.minimum(scalar(hi)));
        }
        return y == x ? own(x.duplicate()) : y;
    }

    @Override
    public NDArray exp(NDArray x) {
        return own(x.exp());
    }

    @Override
    public NDArray silu(NDArray x) {
        return own(x.mul(own(Activation.sigmoid(x))));
    }

    /**
     * {@inheritDoc}
     *
     * <p>PyTorch's own operation ({@link FusedGelu}) at every size (unlike the fused attention it gains on the toy
     * base's small passes too: {@code docs/benchmarks.md}, "GELU as one operation"); the composition of six DJL
     * operations where it is not loaded.
     */
    @Override
    public NDArray geluTanh(NDArray x) {
        Optional<FusedGelu> fused = FusedGelu.shared();
        return fused.isPresent() ? fused.get().apply(x, manager) : composedGeluTanh(x);
    }

    /**
     * The tanh-approximated GELU composed from DJL's operations (the form {@link #geluTanh} takes without the fused
     * operation).
     *
     * @param x the input
     * @return the activations
     */
    NDArray composedGeluTanh(NDArray x) {
        // 0.5 x (1 + tanh(u)) = x sigmoid(2u), u = sqrt(2/pi) (x + 0.044715 x^3) = x (a + b x^2) / 2: torch's
        // gelu(approximate='tanh') in six ops (each a full-size tensor forward and backward), each result owned by
        // this scope
        NDArray square = own(x.square());
        NDArray scaled = own(square.mul(scalar((float) (2 * SQRT_2_OVER_PI * 0.044715))));
        NDArray poly = own(scaled.add(scalar(2 * SQRT_2_OVER_PI)));
        NDArray twoU = own(poly.mul(x));
        return own(x.mul(own(Activation.sigmoid(twoU))));
    }

    /**
     * Chunks of at most {@link #FFN_CHUNK_FLOATS} hidden activations: a training pass allocates several tensors of
     * the hidden size per block (GELU's intermediates and their gradients), and glibc serves each allocation of 32
     * MiB and more from fresh, zero-filled pages and unmaps it on free (the page faults measured in {@code
     * docs/benchmarks.md}); below that they are reused from the heap.
     */
    @Override
    public long ffnTokenChunk(long rows, long tokens, long hidden) {
        long most = Math.max(1, FFN_CHUNK_FLOATS / Math.max(1, rows * hidden));
        if (tokens <= most) {
            return tokens;
        }
        long chunks = (tokens + most - 1) / most;
        return (tokens + chunks - 1) / chunks; // equal chunks, each at most `most` tokens
    }

    // ---- linear algebra -----------------------------------------------------------------------------

    @Override
    public NDArray matmul(NDArray a, NDArray b) {
        return own(a.matMul(b));
    }

    /**
     * {@inheritDoc}
     *
     * <p>A call with more than {@link #FUSED_ATTENTION_SCORES} scores, no bias and scale 1 runs through the fused
     * kernel ({@link #fusedCachedAttention}). Otherwise the default composition, op for op, with the scores and
     * probabilities in a scope of their own that is closed before this returns: only the output and the cache
     * outlive the call, so a KV-cached step holds one block's scores at a time instead of every block's until the
     * step's scope closes. Where one step's scores would exceed {@link #CACHED_CHUNK_SCORES} per row and head (the
     * mid configuration's last scale: 1 024 queries over 2 521 keys, 165 MB for 2 rows and 8 heads), the queries are
     * taken in chunks within that budget, each chunk's scores freed before the next ({@link #cachedAttention(NDArray,
     * NDArray, NDArray, LayerKv, NDArray, float, long)}).
     */
    @Override
    public CachedAttention<NDArray> cachedAttention(
            NDArray q_BLHd, NDArray k_BLHd, NDArray v_BLHd, LayerKv<NDArray> past, NDArray bias_LS, float scale) {
        if (bias_LS == null && scale == 1f) {
            long[] qs = shape(q_BLHd);
            long keys = qs[1] + (past == null ? 0 : shape(past.keys())[2]);
            Optional<FusedAttention> fused = fusedFor(qs[0] * qs[2] * qs[1] * keys);
            if (fused.isPresent()) {
                return fusedCachedAttention(fused.get(), q_BLHd, k_BLHd, v_BLHd, past);
            }
        }
        return cachedAttention(q_BLHd, k_BLHd, v_BLHd, past, bias_LS, scale, CACHED_CHUNK_SCORES);
    }

    /**
     * {@link #cachedAttention(NDArray, NDArray, NDArray, LayerKv, NDArray, float)} through the fused kernel (no
     * bias, scale 1): the queries over the whole cache in one call, whose scores never exist as a tensor.
     *
     * @param fused the kernel
     * @param q_BLHd queries
     * @param k_BLHd the new keys
     * @param v_BLHd the new values
     * @param past the cache so far, or {@code null}
     * @return the output and the extended cache
     */
    CachedAttention<NDArray> fusedCachedAttention(
            FusedAttention fused, NDArray q_BLHd, NDArray k_BLHd, NDArray v_BLHd, LayerKv<NDArray> past) {
        return withCache(
                q_BLHd,
                k_BLHd,
                v_BLHd,
                past,
                (t, q_BHLd, keys_BHSd, values_BHSd) -> fused.attend(q_BHLd, keys_BHSd, values_BHSd, t.manager()));
    }

    /** Attention of {@code (B, H, n, d)} queries over the whole cache, in the scope {@code t}. */
    @FunctionalInterface
    private interface OverCache {
        NDArray attend(DjlOps t, NDArray q_BHLd, NDArray keys_BHSd, NDArray values_BHSd);
    }

    /**
     * What the KV-cached forms share: the new keys and values appended to the cache (head-major), the attention
     * over it, the output back to {@code (B, n, H·d)}; only the output and the cache outlive the call's scope.
     */
    private CachedAttention<NDArray> withCache(
            NDArray q_BLHd, NDArray k_BLHd, NDArray v_BLHd, LayerKv<NDArray> past, OverCache attention) {
        long[] qs = shape(q_BLHd);
        try (NDManager call = manager.newSubManager()) {
            DjlOps t = scoped(call);
            NDArray k_BHLd = t.permute(k_BLHd, 0, 2, 1, 3);
            NDArray v_BHLd = t.permute(v_BLHd, 0, 2, 1, 3);
            NDArray keys_BHSd = past == null ? k_BHLd : t.concat(2, List.of(past.keys(), k_BHLd));
            NDArray values_BHSd = past == null ? v_BHLd : t.concat(2, List.of(past.values(), v_BHLd));
            NDArray o_BHLd = attention.attend(t, t.permute(q_BLHd, 0, 2, 1, 3), keys_BHSd, values_BHSd);
            NDArray out_BLC = t.reshape(t.permute(o_BHLd, 0, 2, 1, 3), qs[0], qs[1], qs[2] * qs[3]);
            out_BLC.attach(manager);
            keys_BHSd.attach(manager);
            values_BHSd.attach(manager);
            return new CachedAttention<>(out_BLC, new LayerKv<>(keys_BHSd, values_BHSd));
        }
    }

    /**
     * {@link #cachedAttention(NDArray, NDArray, NDArray, LayerKv, NDArray, float)} with the queries in chunks of at
     * most {@code maxScoresPerHead} scores per row and head (at least one query per chunk). Each query's softmax
     * runs over all its keys, so the chunks change no value, only how many scores exist at once.
     *
     * @param q_BLHd queries
     * @param k_BLHd the new keys
     * @param v_BLHd the new values
     * @param past the cache so far, or {@code null}
     * @param bias_LS an additive bias over (query, key), or {@code null}
     * @param scale the scores' factor
     * @param maxScoresPerHead the chunk budget; {@code Long.MAX_VALUE} for one chunk
     * @return the output and the extended cache
     */
    CachedAttention<NDArray> cachedAttention(
            NDArray q_BLHd,
            NDArray k_BLHd,
            NDArray v_BLHd,
            LayerKv<NDArray> past,
            NDArray bias_LS,
            float scale,
            long maxScoresPerHead) {
        long n = shape(q_BLHd)[1];
        return withCache(q_BLHd, k_BLHd, v_BLHd, past, (t, q_BHLd, keys_BHSd, values_BHSd) -> {
            NDArray kT_BHdS = t.permute(keys_BHSd, 0, 1, 3, 2);
            long keys = shape(keys_BHSd)[2];
            long perChunk = Math.max(1, Math.min(n, maxScoresPerHead / keys));
            List<NDArray> outs = new ArrayList<>();
            for (long start = 0; start < n; start += perChunk) {
                long end = Math.min(n, start + perChunk);
                try (NDManager chunk = t.manager().newSubManager()) {
                    DjlOps c = scoped(chunk);
                    NDArray q = perChunk == n ? q_BHLd : c.slice(q_BHLd, 2, start, end);
                    NDArray scores_BHnS = c.matmul(q, kT_BHdS);
                    if (scale != 1f) {
                        scores_BHnS = c.mulScalar(scores_BHnS, scale);
                    }
                    if (bias_LS != null) {
                        long[] bs = shape(bias_LS);
                        int axis = bs.length - 2; // the query axis, unless the bias broadcasts over queries
                        boolean perQuery = axis >= 0 && bs[axis] == n && perChunk != n;
                        scores_BHnS = c.add(scores_BHnS, perQuery ? c.slice(bias_LS, axis, start, end) : bias_LS);
                    }
                    NDArray o = c.matmul(c.softmax(scores_BHnS, -1), values_BHSd);
                    o.attach(t.manager());
                    outs.add(o);
                }
            }
            return outs.size() == 1 ? outs.get(0) : t.concat(2, outs);
        });
    }

    /**
     * {@inheritDoc}
     *
     * <p>At scale 1, a pass of more than {@link #FUSED_ATTENTION_SCORES} scores runs through the fused kernel
     * ({@link #fusesBlockCausal}, {@link #fusedBlockCausalAttention}), which keeps no scores at all. Otherwise each
     * chunk's scores and probabilities live in a scope of their own, closed as soon as the chunk's output exists:
     * without a {@code GradientCollector} the peak is one chunk's scores, {@code B·H·max(n·e)} floats, never the
     * {@code (B, H, L, L)} of the dense form; inside one, autograd keeps what its backward needs (the probabilities
     * of every chunk) and nothing more.
     */
    @Override
    public NDArray blockCausalAttention(
            NDArray q_BLHd, NDArray k_BLHd, NDArray v_BLHd, AttentionChunks chunks, float scale) {
        if (scale == 1f) {
            long[] qs = shape(q_BLHd);
            Optional<FusedAttention> fused = fusedFor(qs[0] * qs[2] * chunks.totalScores());
            if (fused.isPresent()) {
                return fusedBlockCausalAttention(fused.get(), q_BLHd, k_BLHd, v_BLHd, chunks);
            }
        }
        return blockCausalAttention(q_BLHd, k_BLHd, v_BLHd, chunks, scale, DENSE_ATTENTION_SCORES);
    }

    /**
     * Whether {@link #blockCausalAttention(NDArray, NDArray, NDArray, AttentionChunks, float)} at scale 1 runs
     * through the fused kernel for this many rows and heads: where it loaded and the pass has more than {@link
     * #FUSED_ATTENTION_SCORES} scores. The fused pass keeps no scores or probabilities for its backward.
     *
     * @param rows B
     * @param heads H
     * @param chunks the pass's chunks
     * @return whether it is fused
     */
    static boolean fusesBlockCausal(long rows, long heads, AttentionChunks chunks) {
        return fusedFor(rows * heads * chunks.totalScores()).isPresent();
    }

    /**
     * The fused kernel for an attention call of this many scores: where it loaded and the call has more than
     * {@link #FUSED_ATTENTION_SCORES}. The size is looked at first, so the module is loaded on the first call that
     * wants it and small passes never load it.
     *
     * @param scores the call's scores ({@code B·H·Σ n·e}, or {@code B·H·n·S} for a KV-cached step)
     * @return the kernel, or empty for the composed form
     */
    private static Optional<FusedAttention> fusedFor(long scores) {
        return scores > FUSED_ATTENTION_SCORES ? FusedAttention.shared() : Optional.empty();
    }

    /**
     * {@link #blockCausalAttention(NDArray, NDArray, NDArray, AttentionChunks, float)} through the fused kernel
     * (scale 1): one call per run of chunks that see the same keys (a scale), no mask, no scores in memory; under a
     * {@code GradientCollector} autograd keeps each call's output and log-sum-exp, not its probabilities.
     *
     * @param fused the kernel
     * @param q_BLHd the queries
     * @param k_BLHd the keys
     * @param v_BLHd the values
     * @param chunks the chunks (consecutive chunks with one key range are taken together)
     * @return {@code (B, L, H*d)}
     */
    NDArray fusedBlockCausalAttention(
            FusedAttention fused, NDArray q_BLHd, NDArray k_BLHd, NDArray v_BLHd, AttentionChunks chunks) {
        long[] qs = shape(q_BLHd);
        try (NDManager pass = manager.newSubManager()) {
            DjlOps p = scoped(pass);
            NDArray q_BHLd = p.permute(q_BLHd, 0, 2, 1, 3);
            NDArray k_BHLd = p.permute(k_BLHd, 0, 2, 1, 3);
            NDArray v_BHLd = p.permute(v_BLHd, 0, 2, 1, 3);
            List<NDArray> outs = new ArrayList<>();
            List<AttentionChunks.Chunk> list = chunks.chunks();
            for (int i = 0; i < list.size(); ) {
                int start = list.get(i).queryStart();
                int keyEnd = list.get(i).keyEnd();
                int j = i;
                while (j + 1 < list.size() && list.get(j + 1).keyEnd() == keyEnd) {
                    j++;
                }
                int end = list.get(j).queryEnd();
                NDArray q = start == 0 && end == qs[1] ? q_BHLd : p.slice(q_BHLd, 2, start, end);
                NDArray k = keyEnd == qs[1] ? k_BHLd : p.slice(k_BHLd, 2, 0, keyEnd);
                NDArray v = keyEnd == qs[1] ? v_BHLd : p.slice(v_BHLd, 2, 0, keyEnd);
                outs.add(fused.attend(q, k, v, pass));
                i = j + 1;
            }
            NDArray o_BHLd = outs.size() == 1 ? outs.get(0) : p.concat(2, outs);
            NDArray out = p.reshape(p.permute(o_BHLd, 0, 2, 1, 3), qs[0], qs[1], qs[2] * qs[3]);
            out.attach(manager);
            return out;
        }
    }

    /**
     * {@link #blockCausalAttention(NDArray, NDArray, NDArray, AttentionChunks, float)} with another threshold for
     * the masked dense pass (tests: 0 for always chunked, {@code Long.MAX_VALUE} for always dense).
     *
     * @param q_BLHd the queries
     * @param k_BLHd the keys
     * @param v_BLHd the values
     * @param chunks the chunks
     * @param scale the score multiplier
     * @param maxDenseScores up to this many scores ({@code B·H·L·L}) the pass is one masked dense pass
     * @return {@code (B, L, H*d)}
     */
    NDArray blockCausalAttention(
            NDArray q_BLHd, NDArray k_BLHd, NDArray v_BLHd, AttentionChunks chunks, float scale, long maxDenseScores) {
        long[] qs = shape(q_BLHd);
        if (chunks.chunks().size() > 1 && qs[0] * qs[2] * qs[1] * qs[1] <= maxDenseScores) {
            return maskedAttention(q_BLHd, k_BLHd, v_BLHd, chunks, scale);
        }
        try (NDManager pass = manager.newSubManager()) {
            DjlOps p = scoped(pass);
            NDArray q_BHLd = p.permute(q_BLHd, 0, 2, 1, 3);
            NDArray kT_BHdL = p.permute(k_BLHd, 0, 2, 3, 1);
            NDArray v_BHLd = p.permute(v_BLHd, 0, 2, 1, 3);
            List<NDArray> outs = new ArrayList<>();
            for (AttentionChunks.Chunk c : chunks.chunks()) {
                try (NDManager chunk = pass.newSubManager()) {
                    NDArray o = scoped(chunk).attentionChunk(q_BHLd, kT_BHdL, v_BHLd, c, scale);
                    o.attach(pass);
                    outs.add(o);
                }
            }
            NDArray o_BHLd = p.concat(2, outs);
            NDArray out = p.reshape(p.permute(o_BHLd, 0, 2, 1, 3), qs[0], qs[1], qs[2] * qs[3]);
            out.attach(manager);
            return out;
        }
    }

    /**
     * {@link #blockCausalAttention} as one dense pass with the block-causal mask as an additive bias ({@code −∞} on
     * the keys a query's chunk does not see): the same arithmetic (masked scores contribute exact zeros), with a
     * handful of operations instead of several per chunk — what counts at small sizes, where a training step is
     * bound by the number of operations, not by their work (the bundled toy base: 121 tokens, 5 chunks).
     */
    private NDArray maskedAttention(
            NDArray q_BLHd, NDArray k_BLHd, NDArray v_BLHd, AttentionChunks chunks, float scale) {
        long[] qs = shape(q_BLHd);
        long l = qs[1];
        try (NDManager pass = manager.newSubManager()) {
            DjlOps p = scoped(pass);
            NDArray scores_BHLL = p.matmul(p.permute(q_BLHd, 0, 2, 1, 3), p.permute(k_BLHd, 0, 2, 3, 1));
            if (scale != 1f) {
                scores_BHLL = p.mulScalar(scores_BHLL, scale);
            }
            NDArray probs = p.softmax(p.add(scores_BHLL, p.constant(chunks.bias(), l, l)), -1);
            NDArray o_BHLd = p.matmul(probs, p.permute(v_BLHd, 0, 2, 1, 3));
            NDArray out = p.reshape(p.permute(o_BHLd, 0, 2, 1, 3), qs[0], qs[1], qs[2] * qs[3]);
            out.attach(manager);
            return out;
        }
    }

    @Override
    public NDArray linear(NDArray x, NDArray w_OI, NDArray bias) {
        return own(Linear.linear(x, w_OI, bias).singletonOrThrow());
    }

    // ---- reductions and normalisation ---------------------------------------------------------------

    @Override
    public NDArray softmax(NDArray x, int axis) {
        return own(x.softmax(axis));
    }

    @Override
    public NDArray layerNorm(NDArray x, NDArray gamma, NDArray beta, float eps) {
        long c = x.getShape().get(x.getShape().dimension() - 1);
        NDArray g = gamma != null ? gamma : own(manager.ones(new Shape(c)));
        NDArray b = beta != null ? beta : own(manager.zeros(new Shape(c)));
        return own(LayerNorm.layerNorm(x, new Shape(c), g, b, eps).singletonOrThrow());
    }

    @Override
    public NDArray rmsNorm(NDArray x, NDArray gamma, float eps) {
        NDArray meanSq = own(own(x.square()).mean(new int[] {-1}, true));
        NDArray inv = own(own(meanSq.add(scalar(eps))).sqrt());
        return own(own(x.div(inv)).mul(gamma));
    }

    @Override
    public NDArray l2Normalize(NDArray x, int axis, float eps) {
        NDArray norm = own(own(x.norm(new int[] {axis}, true)).maximum(scalar(eps)));
        return own(x.div(norm));
    }

    @Override
    public NDArray groupNorm(NDArray x_NCHW, int groups, NDArray gamma, NDArray beta, float eps) {
        Shape s = x_NCHW.getShape();
        long n = s.get(0);
        long c = s.get(1);
        if (c % groups != 0) {
            throw new IllegalArgumentException(groups + " groups do not divide " + c + " channels");
        }
        // PyTorch's fused layer_norm over each group's values, one kernel each way instead of a chain of seven ops
        // (measured: faster, and fewer non-finite gradients in the VAE's training; docs/toy-model.md)
        NDArray normed = layerNorm(own(x_NCHW.reshape(n, groups, x_NCHW.size() / (n * groups))), null, null, eps);
        NDArray back = own(normed.reshape(s));
        NDArray scaled = own(back.mul(own(gamma.reshape(1, c, 1, 1))));
        return own(scaled.add(own(beta.reshape(1, c, 1, 1))));
    }

    // ---- images -------------------------------------------------------------------------------------

    /**
     * {@inheritDoc}
     *
     * <p>Recorded for autograd with fewer than {@link #CONV_RECORDED_MIN_CHANNELS} output channels, the convolution
     * runs with zero output channels added and the real ones sliced from its result: libtorch 2.7.1's CPU
     * convolution (as DJL 0.36 ships it) back-propagates a wrong input gradient for fewer output channels — the VAE
     * decoder's last convolution (3 channels) fed its error to every layer before it, and with 2 threads also NaNs
     * ({@code DjlConvGradientTest}; {@code docs/toy-model.md}). Its weight gradient and its forward are right, and so
     * is the padded form; the padding's channels are constants, so only the real weights receive gradients.
     */
    @Override
    public NDArray conv2d(NDArray x_NCHW, NDArray w_OIKK, NDArray bias, int stride, int padding) {
        Shape ws = w_OIKK.getShape();
        long out = ws.get(0);
        if (out >= CONV_RECORDED_MIN_CHANNELS || !JniUtils.isGradMode()) {
            return plainConv2d(x_NCHW, w_OIKK, bias, stride, padding);
        }
        long extra = CONV_RECORDED_MIN_CHANNELS - out;
        NDArray w = own(w_OIKK.concat(own(manager.zeros(new Shape(extra, ws.get(1), ws.get(2), ws.get(3)))), 0));
        NDArray b = bias == null ? null : own(bias.concat(own(manager.zeros(new Shape(extra))), 0));
        return slice(plainConv2d(x_NCHW, w, b, stride, padding), 1, 0, out);
    }

    private NDArray plainConv2d(NDArray x_NCHW, NDArray w_OIKK, NDArray bias, int stride, int padding) {
        return own(Conv2d.conv2d(
                        x_NCHW,
                        w_OIKK,
                        bias,
                        new Shape(stride, stride),
                        new Shape(padding, padding),
                        new Shape(1, 1),
                        1)
                .singletonOrThrow());
    }

    @Override
    public NDArray upsampleNearest2x(NDArray x_NCHW) {
        return own(own(x_NCHW.repeat(2, 2)).repeat(3, 2));
    }

    /** Frees the store and intermediates of ops made by {@link #create}; other views close nothing. Idempotent. */
    @Override
    public void close() {
        if (ownsParameters) {
            parameters.close();
        }
    }
}
