package dev.arbooth.internal.nn;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A fluent handle on a tensor of an engine, so that a network reads like the official PyTorch code: {@code
 * x.layerNorm(eps).mul(scale.add(1f)).add(shift)}. Every method is exactly one call of {@link Ops} (or, for
 * {@link #unbind}, one slice and one reshape per part), in the order written; the handle holds nothing but
 * the engine and the tensor.
 *
 * @param <T> the engine's tensor handle
 */
final class Var<T> {
    private final Ops<T> ops;
    private final T t;

    private Var(Ops<T> ops, T t) {
        this.ops = ops;
        this.t = Objects.requireNonNull(t, "tensor");
    }

    /** Wraps a tensor. */
    static <T> Var<T> of(Ops<T> ops, T t) {
        return new Var<>(ops, t);
    }

    /** A weight by its official key. */
    static <T> Var<T> weight(Ops<T> ops, String key) {
        return new Var<>(ops, ops.weight(key));
    }

    /** The tensor. */
    T get() {
        return t;
    }

    /** Its static shape. */
    long[] shape() {
        return ops.shape(t);
    }

    private Var<T> wrap(T x) {
        return new Var<>(ops, x);
    }

    Var<T> add(Var<T> o) {
        return wrap(ops.add(t, o.t));
    }

    Var<T> add(float s) {
        return wrap(ops.addScalar(t, s));
    }

    Var<T> mul(Var<T> o) {
        return wrap(ops.mul(t, o.t));
    }

    Var<T> mul(float s) {
        return wrap(ops.mulScalar(t, s));
    }

    Var<T> reshape(long... shape) {
        return wrap(ops.reshape(t, shape));
    }

    Var<T> permute(int... axes) {
        return wrap(ops.permute(t, axes));
    }

    /** The parts along an axis, each without that axis (PyTorch's {@code unbind}). */
    List<Var<T>> unbind(int axis) {
        long[] s = shape();
        long[] part = new long[s.length - 1];
        for (int i = 0, j = 0; i < s.length; i++) {
            if (i != axis) {
                part[j++] = s[i];
            }
        }
        List<Var<T>> out = new ArrayList<>();
        for (T piece : ops.split(t, axis, (int) s[axis])) {
            out.add(wrap(ops.reshape(piece, Arrays.copyOf(part, part.length))));
        }
        return out;
    }

    Var<T> exp() {
        return wrap(ops.exp(t));
    }

    Var<T> clamp(float lo, float hi) {
        return wrap(ops.clamp(t, lo, hi));
    }

    Var<T> silu() {
        return wrap(ops.silu(t));
    }

    Var<T> geluTanh() {
        return wrap(ops.geluTanh(t));
    }

    Var<T> l2Normalize(int axis, float eps) {
        return wrap(ops.l2Normalize(t, axis, eps));
    }

    Var<T> rotary(RopeTables<T> rope) {
        return wrap(ops.rotaryPairs(t, rope.cos_n_half_1(), rope.sin_n_half_1()));
    }

    /** LayerNorm over the last axis without affine parameters. */
    Var<T> layerNorm(float eps) {
        return wrap(ops.layerNorm(t, null, null, eps));
    }

    /** The named linear layer {@link Ops#linearLayer}. */
    Var<T> linear(String weightKey, T bias) {
        return wrap(ops.linearLayer(t, weightKey, bias));
    }

    /** The named linear layer followed by GELU(tanh), {@link Ops#linearLayerGeluTanh}. */
    Var<T> linearGeluTanh(String weightKey, T bias) {
        return wrap(ops.linearLayerGeluTanh(t, weightKey, bias));
    }
}
