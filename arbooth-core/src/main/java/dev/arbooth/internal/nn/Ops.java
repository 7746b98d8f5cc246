package dev.arbooth.internal.nn;

import java.util.ArrayList;
import java.util.List;

/**
 * The operations every network of the project is written against, once (DESIGN §3): the Infinity
 * transformer, the BSQ VAE and the T5 encoder call only these. An engine implements them: the DJL backend
 * executes each call eagerly on NDArrays (autograd on where weights are trainable); the ONNX emitter
 * appends a node per call and returns the node's output name. Parity between engines then follows from
 * the semantics stated here, which both implementations are tested against.
 *
 * <p><b>Conventions.</b> All tensors are float32 unless stated. Shapes are static and known to the engine
 * ({@link #shape}). Broadcasting follows NumPy. Axes may be negative (counted from the end). Weights are
 * looked up by their official state-dict name ({@link #weight}). Methods never mutate their inputs.
 *
 * @param <T> the engine's tensor handle
 */
public interface Ops<T> {
    // ---- sources ------------------------------------------------------------------------------------

    /**
     * A weight by its official state-dict name ({@code block_chunks.0.module.0.sa.mat_qkv.weight}).
     *
     * @param name the official name
     * @return the weight, float32, in its stored shape
     */
    T weight(String name);

    /**
     * Whether a weight of that name exists (for optional tensors such as tied embeddings).
     *
     * @param name the official name
     * @return whether {@link #weight} would find it
     */
    boolean hasWeight(String name);

    /**
     * A float32 constant.
     *
     * @param values row-major values
     * @param shape the shape
     * @return the constant
     */
    T constant(float[] values, long... shape);

    /**
     * An int64 constant (indices for {@link #gather}).
     *
     * @param values row-major values
     * @param shape the shape
     * @return the constant
     */
    T constantLong(long[] values, long... shape);

    // ---- shape --------------------------------------------------------------------------------------

    /**
     * The static shape of a tensor.
     *
     * @param x the tensor
     * @return its shape
     */
    long[] shape(T x);

    /**
     * Reshape (row-major; one dimension may be -1).
     *
     * @param x the tensor
     * @param shape the new shape
     * @return the reshaped tensor
     */
    T reshape(T x, long... shape);

    /**
     * Permute axes: output axis {@code i} is input axis {@code axes[i]}.
     *
     * @param x the tensor
     * @param axes a permutation of the input's axes
     * @return the permuted tensor
     */
    T permute(T x, int... axes);

    /**
     * Concatenation along an axis.
     *
     * @param axis the axis
     * @param xs the tensors, equal in every other dimension
     * @return the concatenation
     */
    T concat(int axis, List<T> xs);

    /**
     * The sub-range {@code [start, end)} of one axis.
     *
     * @param x the tensor
     * @param axis the axis
     * @param start first index (inclusive)
     * @param end last index (exclusive)
     * @return the slice
     */
    T slice(T x, int axis, long start, long end);

    /**
     * The {@code parts} equal, consecutive pieces of one axis, each keeping the axis ({@code torch.split} with
     * equal sizes). The default is one {@link #slice} per piece; an engine may split in one operation whose
     * gradient is one operation too (a slice's backward writes a zero tensor of the whole input per piece).
     *
     * @param x the tensor
     * @param axis the axis
     * @param parts how many pieces; divides the axis's size
     * @return the pieces, in order
     */
    default List<T> split(T x, int axis, int parts) {
        long[] s = shape(x);
        int a = splitAxis(s, axis, parts);
        long size = s[a] / parts;
        List<T> out = new ArrayList<>(parts);
        for (int i = 0; i < parts; i++) {
            out.add(slice(x, a, i * size, (i + 1) * size));
        }
        return out;
    }

    /**
     * The checks of {@link #split}, for every engine's form of it.
     *
     * @param shape the tensor's shape
     * @param axis the axis, negative from the end
     * @param parts the pieces asked for
     * @return the axis, counted from the front
     * @throws IllegalArgumentException if {@code parts} is below 1 or does not divide the axis's size
     */
    static int splitAxis(long[] shape, int axis, int parts) {
        int a = axis < 0 ? shape.length + axis : axis;
        if (parts < 1 || shape[a] % parts != 0) {
            throw new IllegalArgumentException(
                    "cannot split axis " + axis + " of size " + shape[a] + " into " + parts + " equal parts");
        }
        return a;
    }

    /**
     * Rows of a table: {@code out[i..., :] = table[indices[i...], :]}.
     *
     * @param table_VD a 2-D table
     * @param indices an int64 tensor of any shape
     * @return {@code indices.shape + [D]}
     */
    T gather(T table_VD, T indices);

    /**
     * Zero padding of the last two axes (NCHW images).
     *
     * @param x_NCHW the tensor
     * @param top rows added above
     * @param bottom rows added below
     * @param left columns added on the left
     * @param right columns added on the right
     * @return the padded tensor
     */
    T pad2d(T x_NCHW, int top, int bottom, int left, int right);

    // ---- elementwise --------------------------------------------------------------------------------

    /**
     * {@code a + b} (broadcasting).
     *
     * @param a left
     * @param b right
     * @return the sum
     */
    T add(T a, T b);

    /**
     * {@code a - b} (broadcasting).
     *
     * @param a left
     * @param b right
     * @return the difference
     */
    T sub(T a, T b);

    /**
     * {@code a * b} (broadcasting).
     *
     * @param a left
     * @param b right
     * @return the product
     */
    T mul(T a, T b);

    /**
     * {@code a / b} (broadcasting).
     *
     * @param a left
     * @param b right
     * @return the quotient
     */
    T div(T a, T b);

    /**
     * {@code x * s}.
     *
     * @param x the tensor
     * @param s the scalar
     * @return the scaled tensor
     */
    T mulScalar(T x, float s);

    /**
     * {@code x + s}.
     *
     * @param x the tensor
     * @param s the scalar
     * @return the shifted tensor
     */
    T addScalar(T x, float s);

    /**
     * {@code min(max(x, lo), hi)}; use infinities for a one-sided clamp.
     *
     * @param x the tensor
     * @param lo lower bound
     * @param hi upper bound
     * @return the clamped tensor
     */
    T clamp(T x, float lo, float hi);

    /**
     * {@code exp(x)}.
     *
     * @param x the tensor
     * @return the result
     */
    T exp(T x);

    /**
     * {@code x * sigmoid(x)} (SiLU, swish).
     *
     * @param x the tensor
     * @return the result
     */
    T silu(T x);

    /**
     * GELU, tanh approximation: {@code 0.5 x (1 + tanh(sqrt(2/π) (x + 0.044715 x³)))}.
     *
     * @param x the tensor
     * @return the result
     */
    T geluTanh(T x);

    /**
     * {@code geluTanh(linear(x, w_OI, bias))}: a linear layer followed by the tanh-approximated GELU (the FFN's
     * first half). The default composes exactly that; an engine may fuse the bias into the activation.
     *
     * @param x the input {@code [..., I]}
     * @param w_OI the weight {@code [O, I]}
     * @param bias the bias {@code [O]}
     * @return the activations {@code [..., O]}
     */
    default T linearGeluTanh(T x, T w_OI, T bias) {
        return geluTanh(linear(x, w_OI, bias));
    }

    // ---- named layers (the hooks of decorators such as LoRA) ------------------------------------------

    /**
     * A linear layer named by its weight's official key: {@code x @ weight(weightKey)ᵀ + bias}. The networks call
     * every linear layer of a checkpoint through this method, so a decorator (a {@link ForwardingOps}) can change
     * chosen layers by key, e.g. add a low-rank term (LoRA), without touching any other op. The default looks the
     * weight up and calls {@link #linear}.
     *
     * @param x the input {@code [..., in]}
     * @param weightKey the official key of the weight {@code [out, in]}
     * @param bias the bias {@code [out]}, or {@code null}
     * @return {@code [..., out]}
     */
    default T linearLayer(T x, String weightKey, T bias) {
        return linear(x, weight(weightKey), bias);
    }

    /**
     * {@link #linearLayer} followed by the tanh-approximated GELU: the hook for a named layer whose output goes
     * through GELU (the FFN's first linear). The default looks the weight up and calls {@link #linearGeluTanh}.
     *
     * @param x the input {@code [..., in]}
     * @param weightKey the official key of the weight {@code [out, in]}
     * @param bias the bias {@code [out]}
     * @return the activations {@code [..., out]}
     */
    default T linearLayerGeluTanh(T x, String weightKey, T bias) {
        return linearGeluTanh(x, weight(weightKey), bias);
    }

    /**
     * The feed-forward branch {@code fc2(GELU_tanh(fc1(x)))} over the tokens of {@code x [rows, n, in]}, in token
     * chunks of {@link #ffnTokenChunk} (each chunk through {@link #linearLayerGeluTanh} and {@link #linearLayer}, so
     * decorators of those hooks see every chunk; the chunks' outputs are concatenated). Chunking changes no value:
     * every token's FFN reads only that token.
     *
     * @param x_RnC the input {@code [rows, n, in]}
     * @param fc1Key the official key of the first layer's weight {@code [hidden, in]}
     * @param fc1Bias its bias
     * @param fc2Key the official key of the second layer's weight {@code [out, hidden]}
     * @param fc2Bias its bias
     * @return {@code [rows, n, out]}
     */
    default T ffn(T x_RnC, String fc1Key, T fc1Bias, String fc2Key, T fc2Bias) {
        long[] s = shape(x_RnC);
        long n = s[1];
        long chunk = ffnTokenChunk(s[0], n, shape(weight(fc1Key))[0]);
        if (chunk >= n) {
            return linearLayer(linearLayerGeluTanh(x_RnC, fc1Key, fc1Bias), fc2Key, fc2Bias);
        }
        List<T> parts = new ArrayList<>();
        for (long start = 0; start < n; start += chunk) {
            T part = slice(x_RnC, 1, start, Math.min(n, start + chunk));
            parts.add(linearLayer(linearLayerGeluTanh(part, fc1Key, fc1Bias), fc2Key, fc2Bias));
        }
        return concat(1, parts);
    }

    /**
     * How many tokens {@link #ffn} processes at once. The default, all of them, is what an exported graph wants; an
     * eager engine may bound the hidden activations' size (e.g. below the allocator's threshold for fresh mappings).
     *
     * @param rows the rows of the input
     * @param tokens the tokens per row
     * @param hidden the hidden width
     * @return tokens per chunk, at least 1
     */
    default long ffnTokenChunk(long rows, long tokens, long hidden) {
        return tokens;
    }

    // ---- linear algebra -----------------------------------------------------------------------------

    /**
     * Batched matrix product with NumPy semantics ({@code [..., M, K] @ [..., K, N]}).
     *
     * @param a left
     * @param b right
     * @return the product
     */
    T matmul(T a, T b);

    /**
     * A linear layer: {@code x @ w^T + bias}.
     *
     * @param x the input {@code [..., in]}
     * @param w_OI the weight {@code [out, in]}
     * @param bias the bias {@code [out]}, or {@code null}
     * @return {@code [..., out]}
     */
    T linear(T x, T w_OI, T bias);

    /**
     * A residual addition followed by a LayerNorm of the sum: {@code sum = x + delta}, {@code layerNorm(sum,
     * gamma, beta, eps)}. The default composes it from {@link #add} and {@link #layerNorm}; an engine may run it
     * as one fused kernel.
     *
     * @param x the residual stream {@code [..., C]}
     * @param delta the addend, same shape
     * @param gamma the scale {@code [C]}, or {@code null}
     * @param beta the shift {@code [C]}, or {@code null}
     * @param eps the variance epsilon
     * @return the sum and its normalization
     */
    default SumNorm<T> addLayerNorm(T x, T delta, T gamma, T beta, float eps) {
        T sum = add(x, delta);
        return new SumNorm<>(sum, layerNorm(sum, gamma, beta, eps));
    }

    /**
     * Rotary embedding of interleaved pairs: along the last axis, every pair {@code (x[2j], x[2j+1])} of every
     * head becomes {@code (cos·x[2j] − sin·x[2j+1], sin·x[2j] + cos·x[2j+1])} with the angles of column {@code j}
     * of its token. The default composes it from {@link #reshape}, {@link #slice}, {@link #mul}, {@link #sub},
     * {@link #add} and {@link #concat}, in that order; an engine may run it as one fused kernel.
     *
     * @param x_BLHd the input {@code (B, L, H, d)}, {@code d} even
     * @param cos_Lh1 the cosines {@code (L, d/2, 1)}
     * @param sin_Lh1 the sines {@code (L, d/2, 1)}
     * @return {@code (B, L, H, d)}
     */
    default T rotaryPairs(T x_BLHd, T cos_Lh1, T sin_Lh1) {
        long[] xs = shape(x_BLHd);
        long half = xs[3] / 2;
        T cos = reshape(cos_Lh1, xs[1], 1, half, 1);
        T sin = reshape(sin_Lh1, xs[1], 1, half, 1);
        T x_BLHh2 = reshape(x_BLHd, xs[0], xs[1], xs[2], half, 2);
        List<T> pair = split(x_BLHh2, 4, 2);
        T x0 = pair.get(0);
        T x1 = pair.get(1);
        T y0 = sub(mul(cos, x0), mul(sin, x1));
        T y1 = add(mul(sin, x0), mul(cos, x1));
        return reshape(concat(4, List.of(y0, y1)), xs[0], xs[1], xs[2], xs[3]);
    }

    /**
     * Multi-head attention to fixed keys and values: {@code softmax(q · kᵀ · scale + bias) · v} per row and head.
     * The default composes it from {@link #permute}, {@link #matmul}, {@link #mulScalar} (skipped when {@code
     * scale == 1}), {@link #add}, {@link #softmax} and {@link #reshape}, in that order; an engine may run it as
     * one fused kernel with the same arithmetic.
     *
     * @param q_BLHd the queries {@code (B, L, H, d)}
     * @param kT_BHdS the transposed keys {@code (B, H, d, S)}, or {@code (H, d, S)} shared by all rows
     * @param v_BHSd the values {@code (B, H, S, d)}, or {@code (H, S, d)} shared by all rows
     * @param bias_B11S an additive score bias broadcastable to {@code (B, H, L, S)} with size 1 along {@code H}
     *     and {@code L} (e.g. {@code (B, 1, 1, S)}), or {@code null}
     * @param scale the score multiplier
     * @return {@code (B, L, H*d)}
     */
    default T attention(T q_BLHd, T kT_BHdS, T v_BHSd, T bias_B11S, float scale) {
        long[] qs = shape(q_BLHd);
        T scores_BHLS = matmul(permute(q_BLHd, 0, 2, 1, 3), kT_BHdS);
        if (scale != 1f) {
            scores_BHLS = mulScalar(scores_BHLS, scale);
        }
        if (bias_B11S != null) {
            scores_BHLS = add(scores_BHLS, bias_B11S);
        }
        T o_BHLd = matmul(softmax(scores_BHLS, -1), v_BHSd);
        return reshape(permute(o_BHLd, 0, 2, 1, 3), qs[0], qs[1], qs[2] * qs[3]);
    }

    /**
     * The shape in which this engine keeps an attention cache ({@link #cachedAttention}): {@code (B, H, S, d)}
     * by default; an engine whose fused kernel wants another layout overrides it (the ONNX emitter keeps {@code
     * (B, S, H*d)}). Callers treat cache tensors as opaque and use this only to declare them.
     *
     * @param rows {@code B}
     * @param heads {@code H}
     * @param tokens {@code S}
     * @param headDim {@code d}
     * @return the cache shape
     */
    default long[] kvCacheShape(long rows, long heads, long tokens, long headDim) {
        return new long[] {rows, heads, tokens, headDim};
    }

    /**
     * Multi-head attention over a key/value cache: the new keys and values are appended to the past ones
     * along the sequence axis, then {@code softmax(q · kᵀ · scale + bias) · v} per row and head. The default
     * composes it from {@link #permute}, {@link #concat}, {@link #matmul}, {@link #mulScalar} (skipped when
     * {@code scale == 1}), {@link #add}, {@link #softmax} and {@link #reshape}, in that order; an engine may
     * run it as one fused kernel with the same arithmetic.
     *
     * <p>The cache tensors are in the engine's layout, {@link #kvCacheShape}: what this returns is what it takes
     * back as {@code past}.
     *
     * @param q_BLHd the queries {@code (B, L, H, d)}
     * @param k_BLHd the new keys {@code (B, L, H, d)}
     * @param v_BLHd the new values {@code (B, L, H, d)}
     * @param past the cached keys and values of {@code P} earlier tokens, or {@code null} (no cache)
     * @param bias_LS an additive score bias {@code (L, P + L)}, or {@code null}
     * @param scale the score multiplier
     * @return the output {@code (B, L, H*d)} and the cache with the new tokens appended ({@code P + L} tokens)
     */
    default CachedAttention<T> cachedAttention(T q_BLHd, T k_BLHd, T v_BLHd, LayerKv<T> past, T bias_LS, float scale) {
        long[] qs = shape(q_BLHd);
        T k_BHLd = permute(k_BLHd, 0, 2, 1, 3);
        T v_BHLd = permute(v_BLHd, 0, 2, 1, 3);
        T keys_BHSd = past == null ? k_BHLd : concat(2, List.of(past.keys(), k_BHLd));
        T values_BHSd = past == null ? v_BHLd : concat(2, List.of(past.values(), v_BHLd));
        T scores_BHLS = matmul(permute(q_BLHd, 0, 2, 1, 3), permute(keys_BHSd, 0, 1, 3, 2));
        if (scale != 1f) {
            scores_BHLS = mulScalar(scores_BHLS, scale);
        }
        if (bias_LS != null) {
            scores_BHLS = add(scores_BHLS, bias_LS);
        }
        T o_BHLd = matmul(softmax(scores_BHLS, -1), values_BHSd);
        T out_BLC = reshape(permute(o_BHLd, 0, 2, 1, 3), qs[0], qs[1], qs[2] * qs[3]);
        return new CachedAttention<>(out_BLC, new LayerKv<>(keys_BHSd, values_BHSd));
    }

    /**
     * Block-causal multi-head self-attention in chunks ({@link AttentionChunks}): for every chunk, {@code
     * softmax(q[a:b] · k[:e]ᵀ · scale) · v[:e]}, the outputs concatenated along the sequence. The same arithmetic
     * as {@link #cachedAttention} with the additive block-causal bias (masked scores contribute exact zeros), but
     * no score tensor larger than one chunk's is formed. The default composes it from {@link #permute}, {@link
     * #slice}, {@link #matmul}, {@link #mulScalar} (skipped when {@code scale == 1}), {@link #softmax}, {@link
     * #concat} and {@link #reshape}; an engine may free each chunk's scores as soon as its output exists.
     *
     * @param q_BLHd the queries {@code (B, L, H, d)}
     * @param k_BLHd the keys {@code (B, L, H, d)}
     * @param v_BLHd the values {@code (B, L, H, d)}
     * @param chunks the chunks, covering the {@code L} tokens
     * @param scale the score multiplier
     * @return {@code (B, L, H*d)}
     */
    default T blockCausalAttention(T q_BLHd, T k_BLHd, T v_BLHd, AttentionChunks chunks, float scale) {
        long[] qs = shape(q_BLHd);
        T q_BHLd = permute(q_BLHd, 0, 2, 1, 3);
        T kT_BHdL = permute(k_BLHd, 0, 2, 3, 1);
        T v_BHLd = permute(v_BLHd, 0, 2, 1, 3);
        List<T> outs = new ArrayList<>();
        for (AttentionChunks.Chunk c : chunks.chunks()) {
            outs.add(attentionChunk(q_BHLd, kT_BHdL, v_BHLd, c, scale));
        }
        T o_BHLd = concat(2, outs);
        return reshape(permute(o_BHLd, 0, 2, 1, 3), qs[0], qs[1], qs[2] * qs[3]);
    }

    /**
     * One chunk of {@link #blockCausalAttention}: {@code softmax(q[a:b] · kᵀ[:, :e] · scale) · v[:e]}.
     *
     * @param q_BHLd the queries {@code (B, H, L, d)}
     * @param kT_BHdL the transposed keys {@code (B, H, d, L)}
     * @param v_BHLd the values {@code (B, H, L, d)}
     * @param chunk the query range and the visible keys
     * @param scale the score multiplier
     * @return {@code (B, H, b - a, d)}
     */
    default T attentionChunk(T q_BHLd, T kT_BHdL, T v_BHLd, AttentionChunks.Chunk chunk, float scale) {
        long l = shape(q_BHLd)[2];
        T q = chunk.queryStart() == 0 && chunk.queryEnd() == l
                ? q_BHLd
                : slice(q_BHLd, 2, chunk.queryStart(), chunk.queryEnd());
        T kT = chunk.keyEnd() == l ? kT_BHdL : slice(kT_BHdL, 3, 0, chunk.keyEnd());
        T v = chunk.keyEnd() == l ? v_BHLd : slice(v_BHLd, 2, 0, chunk.keyEnd());
        T scores = matmul(q, kT);
        if (scale != 1f) {
            scores = mulScalar(scores, scale);
        }
        return matmul(softmax(scores, -1), v);
    }

    // ---- reductions and normalisation ---------------------------------------------------------------

    /**
     * Softmax along an axis.
     *
     * @param x the tensor
     * @param axis the axis
     * @return the probabilities
     */
    T softmax(T x, int axis);

    /**
     * LayerNorm over the last axis: {@code (x - mean) / sqrt(biased_var + eps) * gamma + beta}.
     *
     * @param x the tensor
     * @param gamma the scale {@code [C]}, or {@code null} (no affine)
     * @param beta the shift {@code [C]}, or {@code null}
     * @param eps the epsilon
     * @return the normalised tensor
     */
    T layerNorm(T x, T gamma, T beta, float eps);

    /**
     * RMSNorm over the last axis: {@code x * rsqrt(mean(x²) + eps) * gamma}.
     *
     * @param x the tensor
     * @param gamma the scale {@code [C]}
     * @param eps the epsilon
     * @return the normalised tensor
     */
    T rmsNorm(T x, T gamma, float eps);

    /**
     * L2 normalisation along an axis: {@code x / max(||x||₂, eps)} (PyTorch's {@code F.normalize}).
     *
     * @param x the tensor
     * @param axis the axis
     * @param eps the lower bound of the norm
     * @return the normalised tensor
     */
    T l2Normalize(T x, int axis, float eps);

    /**
     * GroupNorm of an NCHW tensor with affine parameters.
     *
     * @param x_NCHW the tensor
     * @param groups the number of groups (dividing C)
     * @param gamma the scale {@code [C]}
     * @param beta the shift {@code [C]}
     * @param eps the epsilon
     * @return the normalised tensor
     */
    T groupNorm(T x_NCHW, int groups, T gamma, T beta, float eps);

    // ---- images -------------------------------------------------------------------------------------

    /**
     * 2-D convolution, NCHW, square stride, symmetric zero padding.
     *
     * @param x_NCHW the input
     * @param w_OIKK the kernel {@code [out, in, kh, kw]}
     * @param bias the bias {@code [out]}, or {@code null}
     * @param stride the stride
     * @param padding zero padding on every side
     * @return the output
     */
    T conv2d(T x_NCHW, T w_OIKK, T bias, int stride, int padding);

    /**
     * Nearest-neighbour upsampling by 2 of the last two axes.
     *
     * @param x_NCHW the input
     * @return {@code [N, C, 2H, 2W]}
     */
    T upsampleNearest2x(T x_NCHW);
}
