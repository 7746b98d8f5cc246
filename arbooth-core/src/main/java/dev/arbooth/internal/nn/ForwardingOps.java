package dev.arbooth.internal.nn;

import java.util.List;
import java.util.Objects;

/**
 * An {@link Ops} that forwards every call, fused hooks included, to another engine: the base of decorators that
 * change a few calls and leave the rest, and the engine's fusions, as they are. A LoRA decorator, for example,
 * overrides {@link #linearLayer} and {@link #linearLayerGeluTanh} to add a low-rank term to the layers whose
 * weight keys it targets.
 *
 * @param <T> the engine's tensor handle
 */
public abstract class ForwardingOps<T> implements Ops<T> {
    private final Ops<T> delegate;

    /**
     * Creates the decorator.
     *
     * @param delegate the engine every call goes to
     */
    protected ForwardingOps(Ops<T> delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    /**
     * The engine the calls go to.
     *
     * @return the delegate
     */
    protected Ops<T> delegate() {
        return delegate;
    }

    @Override
    public T weight(String name) {
        return delegate.weight(name);
    }

    @Override
    public boolean hasWeight(String name) {
        return delegate.hasWeight(name);
    }

    @Override
    public T constant(float[] values, long... shape) {
        return delegate.constant(values, shape);
    }

    @Override
    public T constantLong(long[] values, long... shape) {
        return delegate.constantLong(values, shape);
    }

    @Override
    public long[] shape(T x) {
        return delegate.shape(x);
    }

    @Override
    public T reshape(T x, long... shape) {
        return delegate.reshape(x, shape);
    }

    @Override
    public T permute(T x, int... axes) {
        return delegate.permute(x, axes);
    }

    @Override
    public T concat(int axis, List<T> xs) {
        return delegate.concat(axis, xs);
    }

    @Override
    public T slice(T x, int axis, long start, long end) {
        return delegate.slice(x, axis, start, end);
    }

    @Override
    public List<T> split(T x, int axis, int parts) {
        return delegate.split(x, axis, parts);
    }

    @Override
    public T gather(T table_VD, T indices) {
        return delegate.gather(table_VD, indices);
    }

    @Override
    public T pad2d(T x_NCHW, int top, int bottom, int left, int right) {
        return delegate.pad2d(x_NCHW, top, bottom, left, right);
    }

    @Override
    public T add(T a, T b) {
        return delegate.add(a, b);
    }

    @Override
    public T sub(T a, T b) {
        return delegate.sub(a, b);
    }

    @Override
    public T mul(T a, T b) {
        return delegate.mul(a, b);
    }

    @Override
    public T div(T a, T b) {
        return delegate.div(a, b);
    }

    @Override
    public T mulScalar(T x, float s) {
        return delegate.mulScalar(x, s);
    }

    @Override
    public T addScalar(T x, float s) {
        return delegate.addScalar(x, s);
    }

    @Override
    public T clamp(T x, float lo, float hi) {
        return delegate.clamp(x, lo, hi);
    }

    @Override
    public T exp(T x) {
        return delegate.exp(x);
    }

    @Override
    public T silu(T x) {
        return delegate.silu(x);
    }

    @Override
    public T geluTanh(T x) {
        return delegate.geluTanh(x);
    }

    @Override
    public T linearGeluTanh(T x, T w_OI, T bias) {
        return delegate.linearGeluTanh(x, w_OI, bias);
    }

    /** Forwarded: the engine's chunk size ({@link #ffn} itself is not forwarded, so that it runs this decorator's hooks). */
    @Override
    public long ffnTokenChunk(long rows, long tokens, long hidden) {
        return delegate.ffnTokenChunk(rows, tokens, hidden);
    }

    @Override
    public T linearLayer(T x, String weightKey, T bias) {
        return delegate.linearLayer(x, weightKey, bias);
    }

    @Override
    public T linearLayerGeluTanh(T x, String weightKey, T bias) {
        return delegate.linearLayerGeluTanh(x, weightKey, bias);
    }

    @Override
    public T matmul(T a, T b) {
        return delegate.matmul(a, b);
    }

    @Override
    public T linear(T x, T w_OI, T bias) {
        return delegate.linear(x, w_OI, bias);
    }

    @Override
    public SumNorm<T> addLayerNorm(T x, T delta, T gamma, T beta, float eps) {
        return delegate.addLayerNorm(x, delta, gamma, beta, eps);
    }

    @Override
    public T rotaryPairs(T x_BLHd, T cos_Lh1, T sin_Lh1) {
        return delegate.rotaryPairs(x_BLHd, cos_Lh1, sin_Lh1);
    }

    @Override
    public T attention(T q_BLHd, T kT_BHdS, T v_BHSd, T bias_B11S, float scale) {
        return delegate.attention(q_BLHd, kT_BHdS, v_BHSd, bias_B11S, scale);
    }

    @Override
    public long[] kvCacheShape(long rows, long heads, long tokens, long headDim) {
        return delegate.kvCacheShape(rows, heads, tokens, headDim);
    }

    @Override
    public CachedAttention<T> cachedAttention(T q_BLHd, T k_BLHd, T v_BLHd, LayerKv<T> past, T bias_LS, float scale) {
        return delegate.cachedAttention(q_BLHd, k_BLHd, v_BLHd, past, bias_LS, scale);
    }

    @Override
    public T blockCausalAttention(T q_BLHd, T k_BLHd, T v_BLHd, AttentionChunks chunks, float scale) {
        return delegate.blockCausalAttention(q_BLHd, k_BLHd, v_BLHd, chunks, scale);
    }

    @Override
    public T attentionChunk(T q_BHLd, T kT_BHdL, T v_BHLd, AttentionChunks.Chunk chunk, float scale) {
        return delegate.attentionChunk(q_BHLd, kT_BHdL, v_BHLd, chunk, scale);
    }

    @Override
    public T softmax(T x, int axis) {
        return delegate.softmax(x, axis);
    }

    @Override
    public T layerNorm(T x, T gamma, T beta, float eps) {
        return delegate.layerNorm(x, gamma, beta, eps);
    }

    @Override
    public T rmsNorm(T x, T gamma, float eps) {
        return delegate.rmsNorm(x, gamma, eps);
    }

    @Override
    public T l2Normalize(T x, int axis, float eps) {
        return delegate.l2Normalize(x, axis, eps);
    }

    @Override
    public T groupNorm(T x_NCHW, int groups, T gamma, T beta, float eps) {
        return delegate.groupNorm(x_NCHW, groups, gamma, beta, eps);
    }

    @Override
    public T conv2d(T x_NCHW, T w_OIKK, T bias, int stride, int padding) {
        return delegate.conv2d(x_NCHW, w_OIKK, bias, stride, padding);
    }

    @Override
    public T upsampleNearest2x(T x_NCHW) {
        return delegate.upsampleNearest2x(x_NCHW);
    }
}
