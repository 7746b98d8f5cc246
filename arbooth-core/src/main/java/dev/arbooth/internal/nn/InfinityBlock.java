package dev.arbooth.internal.nn;

import dev.arbooth.config.InfinityConfig;
import dev.arbooth.internal.weights.InfinityWeights;
import java.util.List;

/**
 * One {@code CrossAttnBlock} of the Infinity transformer (README 4.2 step 4), written once for the
 * teacher-forced forward (block-causal bias over the whole sequence) and the KV-cached step (past keys and
 * values prepended, no bias).
 */
final class InfinityBlock {
    /** Official {@code max_scale_mul = log(100)}, the clamp of the cosine-attention multiplier. */
    private static final float MAX_SCALE_MUL = (float) Math.log(100.0);

    /** Official {@code F.normalize} epsilon. */
    private static final float NORMALIZE_EPS = 1e-12f;

    private final String p;
    private final int heads;
    private final int headDim;
    private final int width;
    private final float eps;

    /** The outputs of one block: the new hidden state and the keys/values its self-attention used. */
    record Out<T>(T x_RnC, T keys_RHlc, T values_RHlc) {}

    InfinityBlock(InfinityConfig config, int index) {
        this.p = InfinityWeights.blockPrefix(config, index);
        this.heads = config.numHeads();
        this.headDim = config.headDim();
        this.width = config.embedDim();
        this.eps = (float) config.normEps();
    }

    /**
     * The block's cross-attention keys and values from the text's K/V source, computed once per prompt set.
     *
     * @return {@code [K (H, hd, N), V (H, N, hd)]}
     */
    <T> List<T> crossKv(Ops<T> ops, T caKv_NC) {
        long n = ops.shape(caKv_NC)[0];
        T bias = ops.concat(0, List.of(ops.weight(p + "ca.zero_k_bias"), ops.weight(p + "ca.v_bias")));
        T kv_N2Hc = ops.reshape(ops.linear(caKv_NC, ops.weight(p + "ca.mat_kv.weight"), bias), n, 2, heads, headDim);
        T k_HcN = ops.permute(ops.reshape(ops.slice(kv_N2Hc, 1, 0, 1), n, heads, headDim), 1, 2, 0);
        T v_HNc = ops.permute(ops.reshape(ops.slice(kv_N2Hc, 1, 1, 2), n, heads, headDim), 1, 0, 2);
        return List.of(k_HcN, v_HNc);
    }

    /**
     * Runs the block.
     *
     * @param x_RnC the hidden state of the tokens run now, {@code (R, n, C)}
     * @param gss_R16C the shared AdaLN output of the rows
     * @param crossK_HcN this block's cross-attention keys
     * @param crossV_HNc this block's cross-attention values
     * @param textBias_R11N the text bias
     * @param cos_n_half_1 RoPE cos rows of the tokens run now, {@code (n, hd/2, 1)}
     * @param sin_n_half_1 RoPE sin rows
     * @param selfBias_nl additive self-attention bias {@code (n, l)} over all keys, or {@code null}
     * @param pastK_RHpc cached keys of earlier tokens ({@code (R, H, p, hd)} in the default layout of {@link
     *     Ops#cachedAttention}), or {@code null}
     * @param pastV_RHpc cached values, or {@code null}
     */
    <T> Out<T> forward(
            Ops<T> ops,
            T x_RnC,
            T gss_R16C,
            T crossK_HcN,
            T crossV_HNc,
            T textBias_R11N,
            T cos_n_half_1,
            T sin_n_half_1,
            T selfBias_nl,
            T pastK_RHpc,
            T pastV_RHpc) {
        long[] xs = ops.shape(x_RnC);
        long r = xs[0];
        long n = xs[1];
        // 1. AdaLN parameters: (ada_gss + gss) unbound along the slot axis
        T g_R16C = ops.add(ops.weight(p + "ada_gss"), gss_R16C);
        T gamma1 = slot(ops, g_R16C, 0, r);
        T gamma2 = slot(ops, g_R16C, 1, r);
        T scale1 = slot(ops, g_R16C, 2, r);
        T scale2 = slot(ops, g_R16C, 3, r);
        T shift1 = slot(ops, g_R16C, 4, r);
        T shift2 = slot(ops, g_R16C, 5, r);

        // 2. self-attention under AdaLN: cosine attention with 2-D RoPE
        T h_RnC = adaLn(ops, x_RnC, scale1, shift1);
        T qkvBias = ops.concat(
                0, List.of(ops.weight(p + "sa.q_bias"), ops.weight(p + "sa.zero_k_bias"), ops.weight(p + "sa.v_bias")));
        // q/k/v stay in (R, n, H, hd), the layout a fused attention kernel takes; the cache is (R, H, l, hd)
        T qkv_Rn3Hc =
                ops.reshape(ops.linear(h_RnC, ops.weight(p + "sa.mat_qkv.weight"), qkvBias), r, n, 3, heads, headDim);
        T q_RnHc = ops.reshape(ops.slice(qkv_Rn3Hc, 2, 0, 1), r, n, heads, headDim);
        T k_RnHc = ops.reshape(ops.slice(qkv_Rn3Hc, 2, 1, 2), r, n, heads, headDim);
        T v_RnHc = ops.reshape(ops.slice(qkv_Rn3Hc, 2, 2, 3), r, n, heads, headDim);
        T scaleMul_11H1 = ops.reshape(
                ops.exp(ops.clamp(ops.weight(p + "sa.scale_mul_1H11"), Float.NEGATIVE_INFINITY, MAX_SCALE_MUL)),
                1,
                1,
                heads,
                1);
        q_RnHc = ops.mul(ops.l2Normalize(q_RnHc, -1, NORMALIZE_EPS), scaleMul_11H1);
        k_RnHc = ops.l2Normalize(k_RnHc, -1, NORMALIZE_EPS);
        q_RnHc = ops.rotaryPairs(q_RnHc, cos_n_half_1, sin_n_half_1);
        k_RnHc = ops.rotaryPairs(k_RnHc, cos_n_half_1, sin_n_half_1);
        // softmax scale 1 (cosine attention)
        List<T> att = ops.cachedAttention(q_RnHc, k_RnHc, v_RnHc, pastK_RHpc, pastV_RHpc, selfBias_nl, 1f);
        T sa_RnC = att.get(0);
        T keys_RHlc = att.get(1);
        T values_RHlc = att.get(2);
        sa_RnC = ops.linear(sa_RnC, ops.weight(p + "sa.proj.weight"), ops.weight(p + "sa.proj.bias"));
        List<T> sumNorm = ops.addLayerNorm(
                x_RnC, ops.mul(sa_RnC, gamma1), ops.weight(p + "ca_norm.weight"), ops.weight(p + "ca_norm.bias"), eps);
        x_RnC = sumNorm.get(0);

        // 3. cross-attention to the row's own text tokens (LayerNorm with affine, no gamma), float32
        T c_RnC = sumNorm.get(1);
        T cq_RnHc = ops.reshape(
                ops.linear(c_RnC, ops.weight(p + "ca.mat_q.weight"), ops.weight(p + "ca.mat_q.bias")),
                r,
                n,
                heads,
                headDim);
        T ca_RnC = ops.attention(cq_RnHc, crossK_HcN, crossV_HNc, textBias_R11N, (float) (1.0 / Math.sqrt(headDim)));
        sumNorm = ops.addLayerNorm(
                x_RnC,
                ops.linear(ca_RnC, ops.weight(p + "ca.proj.weight"), ops.weight(p + "ca.proj.bias")),
                null,
                null,
                eps);
        x_RnC = sumNorm.get(0);

        // 4. FFN under AdaLN: fc2(GELU_tanh(fc1(.))) * gamma2
        T h2_RnC = ops.add(ops.mul(sumNorm.get(1), ops.addScalar(scale2, 1f)), shift2);
        T f_RnF = ops.linearGeluTanh(h2_RnC, ops.weight(p + "ffn.fc1.weight"), ops.weight(p + "ffn.fc1.bias"));
        T f_RnC = ops.linear(f_RnF, ops.weight(p + "ffn.fc2.weight"), ops.weight(p + "ffn.fc2.bias"));
        x_RnC = ops.add(x_RnC, ops.mul(f_RnC, gamma2));
        return new Out<>(x_RnC, keys_RHlc, values_RHlc);
    }

    /** Slot {@code j} of the (R, 1, 6, C) AdaLN table as (R, 1, C). */
    private <T> T slot(Ops<T> ops, T g_R16C, int j, long r) {
        return ops.reshape(ops.slice(g_R16C, 2, j, j + 1), r, 1, width);
    }

    /** {@code LN(x) * (1 + scale) + shift}, LayerNorm without affine. */
    private <T> T adaLn(Ops<T> ops, T x_RnC, T scale_R1C, T shift_R1C) {
        return ops.add(ops.mul(ops.layerNorm(x_RnC, null, null, eps), ops.addScalar(scale_R1C, 1f)), shift_R1C);
    }
}
