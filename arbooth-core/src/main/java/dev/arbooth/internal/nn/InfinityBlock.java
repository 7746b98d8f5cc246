package dev.arbooth.internal.nn;

import static dev.arbooth.internal.weights.InfinityTensor.ADA_GSS;
import static dev.arbooth.internal.weights.InfinityTensor.CA_NORM_BIAS;
import static dev.arbooth.internal.weights.InfinityTensor.CA_NORM_WEIGHT;
import static dev.arbooth.internal.weights.InfinityTensor.SA_SCALE_MUL;

import dev.arbooth.config.InfinityConfig;
import dev.arbooth.internal.weights.InfinityLinear;
import dev.arbooth.internal.weights.InfinityTensor;
import dev.arbooth.internal.weights.InfinityWeights;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * One {@code CrossAttnBlock} of the Infinity transformer (README 4.2 step 4), written once for the
 * teacher-forced forward (block-causal attention over the whole sequence, in chunks) and the KV-cached step (past keys and
 * values prepended, no bias). It reads like the official {@code CrossAttnBlock.forward}:
 *
 * <pre>
 * gamma1, gamma2, scale1, scale2, shift1, shift2 = (ada_gss + gss).unbind(2)
 * x = x + sa(ln(x) * (1 + scale1) + shift1) * gamma1
 * x = x + ca(ca_norm(x), text)
 * x = x + ffn(ln(x) * (1 + scale2) + shift2) * gamma2
 * </pre>
 *
 * Weights are named by {@link InfinityTensor} and linear layers by {@link InfinityLinear}, so every linear goes
 * through {@link Ops#linearLayer} under its official key.
 */
final class InfinityBlock {
    /** Official {@code max_scale_mul = log(100)}, the clamp of the cosine-attention multiplier. */
    private static final float MAX_SCALE_MUL = (float) Math.log(100.0);

    /** Official {@code F.normalize} epsilon. */
    private static final float NORMALIZE_EPS = 1e-12f;

    private final Map<InfinityTensor, String> keys = new EnumMap<>(InfinityTensor.class);
    private final int heads;
    private final int headDim;
    private final float eps;

    /** The outputs of one block: the new hidden state and, for a KV-cached step, the extended cache. */
    record Out<T>(T x_RnC, LayerKv<T> kv) {}

    /** The six AdaLN rows of a block, {@code (R, 1, C)} each, as the official unbind names them. */
    private record AdaLn<T>(Var<T> gamma1, Var<T> gamma2, Var<T> scale1, Var<T> scale2, Var<T> shift1, Var<T> shift2) {
        static <T> AdaLn<T> of(List<Var<T>> six) {
            return new AdaLn<>(six.get(0), six.get(1), six.get(2), six.get(3), six.get(4), six.get(5));
        }
    }

    InfinityBlock(InfinityConfig config, int index) {
        for (InfinityTensor t : InfinityTensor.values()) {
            if (t.perBlock()) {
                keys.put(t, InfinityWeights.blockPrefix(config, index) + t.suffix());
            }
        }
        this.heads = config.numHeads();
        this.headDim = config.headDim();
        this.eps = (float) config.normEps();
    }

    /**
     * The block's cross-attention keys and values of the text tokens, computed once per prompt set.
     *
     * @param caKv_NC the text's K/V source {@code (N, C)}
     * @param rowTokens 0 for the compact layout, else the tokens of every row ({@link TextLayout})
     */
    <T> CrossKv<T> crossKv(Ops<T> ops, T caKv_NC, int rowTokens) {
        return CrossKv.project(
                ops, caKv_NC, key(InfinityLinear.CA_KV), bias(ops, InfinityLinear.CA_KV), heads, headDim, rowTokens);
    }

    /**
     * Runs the block.
     *
     * @param x_RnC the hidden state of the tokens run now, {@code (R, n, C)}
     * @param text the block's text context
     * @param rope the RoPE angles of the tokens run now
     * @param blockCausal for the teacher-forced forward, the chunks of the block-causal self-attention over the
     *     whole sequence ({@link Ops#blockCausalAttention}); {@code null} for a KV-cached step
     * @param past the block's cached keys and values of earlier tokens, or {@code null}
     * @return the new hidden state, and for a KV-cached step the extended cache ({@code null} with {@code
     *     blockCausal})
     */
    <T> Out<T> forward(
            Ops<T> ops, T x_RnC, BlockText<T> text, RopeTables<T> rope, AttentionChunks blockCausal, LayerKv<T> past) {
        // 1. AdaLN parameters: (ada_gss + gss) unbound along the slot axis
        AdaLn<T> ada = adaLn(ops, text);
        // 2. self-attention under AdaLN
        SelfAttentionQkv<T> qkv = selfAttentionQkv(ops, x_RnC, ada, rope);
        // softmax scale 1 (cosine attention)
        T saOut_BLC;
        LayerKv<T> cache = null;
        if (blockCausal != null) {
            if (past != null) {
                throw new IllegalArgumentException("the block-causal forward takes no cache");
            }
            saOut_BLC = ops.blockCausalAttention(qkv.q_BLHd(), qkv.k_BLHd(), qkv.v_BLHd(), blockCausal, 1f);
        } else {
            CachedAttention<T> sa = ops.cachedAttention(qkv.q_BLHd(), qkv.k_BLHd(), qkv.v_BLHd(), past, null, 1f);
            saOut_BLC = sa.out_BLC();
            cache = sa.cache();
        }
        // 3.-4. projection and residual, cross-attention, FFN
        return new Out<>(afterSelfAttention(ops, x_RnC, saOut_BLC, ada, text), cache);
    }

    /**
     * The self-attention's queries, keys and values of a block (its first half; {@link #forward} without the
     * attention and what follows it).
     */
    <T> SelfAttentionQkv<T> selfAttentionQkv(Ops<T> ops, T x_RnC, BlockText<T> text, RopeTables<T> rope) {
        return selfAttentionQkv(ops, x_RnC, adaLn(ops, text), rope);
    }

    /** What follows the self-attention in a block (its second half), from the attention's output. */
    <T> T afterSelfAttention(Ops<T> ops, T x_RnC, T saOut_BLC, BlockText<T> text) {
        return afterSelfAttention(ops, x_RnC, saOut_BLC, adaLn(ops, text), text);
    }

    private <T> AdaLn<T> adaLn(Ops<T> ops, BlockText<T> text) {
        return AdaLn.of(weight(ops, ADA_GSS).add(Var.of(ops, text.gss_R16C())).unbind(2));
    }

    /** Cosine attention with 2-D RoPE; q/k/v stay in (R, n, H, hd), the layout a fused attention kernel takes. */
    private <T> SelfAttentionQkv<T> selfAttentionQkv(Ops<T> ops, T x_RnC, AdaLn<T> ada, RopeTables<T> rope) {
        long[] xs = ops.shape(x_RnC);
        long r = xs[0];
        long n = xs[1];
        Var<T> x = Var.of(ops, x_RnC);
        Var<T> h = x.layerNorm(eps).mul(ada.scale1().add(1f)).add(ada.shift1());
        List<Var<T>> qkv = linear(ops, h, InfinityLinear.SA_QKV)
                .reshape(r, n, 3, heads, headDim)
                .unbind(2);
        Var<T> scaleMul_11H1 = weight(ops, SA_SCALE_MUL)
                .clamp(Float.NEGATIVE_INFINITY, MAX_SCALE_MUL)
                .exp()
                .reshape(1, 1, heads, 1);
        Var<T> q = qkv.get(0).l2Normalize(-1, NORMALIZE_EPS).mul(scaleMul_11H1);
        Var<T> k = qkv.get(1).l2Normalize(-1, NORMALIZE_EPS);
        q = q.rotary(rope);
        k = k.rotary(rope);
        return new SelfAttentionQkv<>(q.get(), k.get(), qkv.get(2).get());
    }

    private <T> T afterSelfAttention(Ops<T> ops, T x_RnC, T saOut_BLC, AdaLn<T> ada, BlockText<T> text) {
        long[] xs = ops.shape(x_RnC);
        long r = xs[0];
        long n = xs[1];
        Var<T> x = Var.of(ops, x_RnC);
        Var<T> saOut = linear(ops, Var.of(ops, saOut_BLC), InfinityLinear.SA_PROJ);
        SumNorm<T> sn = ops.addLayerNorm(
                x.get(),
                saOut.mul(ada.gamma1()).get(),
                ops.weight(key(CA_NORM_WEIGHT)),
                ops.weight(key(CA_NORM_BIAS)),
                eps);

        // 3. cross-attention to the row's own text tokens (LayerNorm with affine, no gamma)
        Var<T> cq = linear(ops, Var.of(ops, sn.normed()), InfinityLinear.CA_Q).reshape(r, n, heads, headDim);
        T ca = ops.attention(cq.get(), text.cross().keys_HcN(), text.cross().values_HNc(), text.textBias_R11N(), (float)
                (1.0 / Math.sqrt(headDim)));
        sn = ops.addLayerNorm(
                sn.sum(), linear(ops, Var.of(ops, ca), InfinityLinear.CA_PROJ).get(), null, null, eps);
        x = Var.of(ops, sn.sum());

        // 4. FFN under AdaLN: fc2(GELU_tanh(fc1(.))) * gamma2
        Var<T> h2 = Var.of(ops, sn.normed()).mul(ada.scale2().add(1f)).add(ada.shift2());
        Var<T> f = Var.of(
                ops,
                ops.ffn(
                        h2.get(),
                        key(InfinityLinear.FFN_FC1),
                        bias(ops, InfinityLinear.FFN_FC1),
                        key(InfinityLinear.FFN_FC2),
                        bias(ops, InfinityLinear.FFN_FC2)));
        x = x.add(f.mul(ada.gamma2()));
        return x.get();
    }

    private String key(InfinityTensor t) {
        return keys.get(t);
    }

    private String key(InfinityLinear l) {
        return keys.get(l.weight());
    }

    private <T> Var<T> weight(Ops<T> ops, InfinityTensor t) {
        return Var.weight(ops, key(t));
    }

    /** A linear layer's bias: its one tensor, or the concatenation of its parts. */
    private <T> T bias(Ops<T> ops, InfinityLinear l) {
        List<T> parts = new ArrayList<>();
        for (InfinityTensor t : l.bias()) {
            parts.add(ops.weight(key(t)));
        }
        return parts.size() == 1 ? parts.get(0) : ops.concat(0, parts);
    }

    private <T> Var<T> linear(Ops<T> ops, Var<T> x, InfinityLinear l) {
        return x.linear(key(l), bias(ops, l));
    }
}
