package dev.arbooth.internal.nn;

import dev.arbooth.ShapeMismatchException;
import dev.arbooth.config.T5Config;
import dev.arbooth.internal.weights.T5Weights;
import java.util.Arrays;
import java.util.Objects;

/**
 * The T5 v1.1 / Flan-T5 encoder ({@code T5EncoderModel.forward(input_ids, attention_mask)}), written once
 * against {@link Ops}. Weights are looked up by their Hugging Face names ({@link T5Weights}); the token
 * embedding is {@code shared.weight} or, when only that is present, {@code encoder.embed_tokens.weight}.
 *
 * <p>With B batch, S sequence, D = d_model, H heads of dk = d_kv, I = H·dk, F = d_ff:
 *
 * <ol>
 *   <li>{@code x = embedding[ids]} (B,S,D), no scaling, no absolute positions;
 *   <li>key mask {@code m = (1 - mask) * float32_min} (B,1,1,S): padded keys are masked, padded queries are
 *       computed like any other;
 *   <li>position bias {@code pb[0,h,i,j] = relative_attention_bias[bucket(j - i), h]} (1,H,S,S), from block
 *       0's table, shared by every block ({@link T5RelativePosition});
 *   <li>per block: {@code h = rms(x)}; {@code q, k, v = h Wq^T, h Wk^T, h Wv^T} split into heads; {@code p =
 *       softmax(q k^T + (pb + m))} without {@code 1/sqrt(dk)}; {@code x += (p v) Wo^T}; {@code h = rms(x)};
 *       {@code x += (gelu_tanh(h Wi0^T) * (h Wi1^T)) Wo^T};
 *   <li>{@code last_hidden_state = rms(x, final_layer_norm)} (B,S,D).
 * </ol>
 *
 * RMSNorm is {@code x * rsqrt(mean(x²) + eps) * w}; no layer has a bias.
 */
public final class T5EncoderNet {
    /** The most negative float32, which the official code adds to the scores of padded keys. */
    public static final float FLOAT32_MIN = -Float.MAX_VALUE;

    /**
     * Receives named intermediate tensors during a forward pass (for tests and diagnostics).
     *
     * @param <T> the engine's tensor handle
     */
    @FunctionalInterface
    public interface Tap<T> {
        /**
         * Called once per intermediate, in computation order, with the golden set's names: {@code embeddings}
         * (B,S,D), {@code extended_attention_mask} (B,1,1,S), {@code position_bias} (1,H,S,S), {@code
         * block.{l}.attn_probs} (B,H,S,S), {@code block.{l}.after_self_attention} (B,S,D), {@code
         * block.{l}.output} (B,S,D), {@code last_hidden_state} (B,S,D).
         *
         * @param name the intermediate's name
         * @param value the tensor
         */
        void accept(String name, T value);
    }

    private final T5Config config;

    private T5EncoderNet(T5Config config) {
        this.config = config;
    }

    /**
     * Creates the network for a configuration.
     *
     * @param config the architecture
     * @return the network (stateless: weights come from the {@link Ops})
     */
    public static T5EncoderNet create(T5Config config) {
        return new T5EncoderNet(Objects.requireNonNull(config, "config"));
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
     * The encoder's output.
     *
     * @param ops the engine (holding the weights)
     * @param ids_BS token ids, int64 (B,S), right-padded
     * @param mask_BS attention mask, float32 (B,S): 1 for real tokens, 0 for padding
     * @param <T> the engine's tensor handle
     * @return {@code last_hidden_state} (B,S,D), padded positions included (not zeroed, as in the official
     *     code)
     */
    public <T> T forward(Ops<T> ops, T ids_BS, T mask_BS) {
        return forward(ops, ids_BS, mask_BS, (name, value) -> {});
    }

    /**
     * The encoder's output, reporting intermediates.
     *
     * @param ops the engine (holding the weights)
     * @param ids_BS token ids, int64 (B,S), right-padded
     * @param mask_BS attention mask, float32 (B,S): 1 for real tokens, 0 for padding
     * @param tap receives the intermediates ({@link Tap#accept})
     * @param <T> the engine's tensor handle
     * @return {@code last_hidden_state} (B,S,D)
     * @throws ShapeMismatchException if the ids are not 2-D or the mask's shape differs from theirs
     */
    public <T> T forward(Ops<T> ops, T ids_BS, T mask_BS, Tap<T> tap) {
        long[] idsShape = ops.shape(ids_BS);
        long[] maskShape = ops.shape(mask_BS);
        if (idsShape.length != 2) {
            throw new ShapeMismatchException("T5 input_ids must be (B, S), got " + Arrays.toString(idsShape));
        }
        if (!Arrays.equals(idsShape, maskShape)) {
            throw new ShapeMismatchException("T5 attention_mask must have the shape of input_ids "
                    + Arrays.toString(idsShape) + ", got " + Arrays.toString(maskShape));
        }
        long b = idsShape[0];
        int s = Math.toIntExact(idsShape[1]);
        float eps = (float) config.layerNormEpsilon();

        // 1. token embedding
        String table = ops.hasWeight(T5Weights.SHARED) ? T5Weights.SHARED : T5Weights.EMBED_TOKENS;
        T x = ops.gather(ops.weight(table), ids_BS);
        tap.accept("embeddings", x);

        // 2. additive key mask (1 - m) * min, bit-exact as the official code (-0.0 for real tokens)
        T keyMask = ops.reshape(ops.mulScalar(ops.addScalar(ops.mulScalar(mask_BS, -1f), 1f), FLOAT32_MIN), b, 1, 1, s);
        tap.accept("extended_attention_mask", keyMask);

        // 3. relative position bias of block 0, shared by all blocks, plus the mask
        long[] buckets = T5RelativePosition.buckets(
                s, config.relativeAttentionNumBuckets(), config.relativeAttentionMaxDistance());
        T bias_SSH = ops.gather(ops.weight(T5Weights.RELATIVE_ATTENTION_BIAS), ops.constantLong(buckets, s, s));
        T positionBias = ops.reshape(ops.permute(bias_SSH, 2, 0, 1), 1, config.numHeads(), s, s);
        tap.accept("position_bias", positionBias);
        T biasMasked = ops.add(positionBias, keyMask);

        // 4. blocks
        for (int l = 0; l < config.numLayers(); l++) {
            String p = T5Weights.blockPrefix(l);
            x = ops.add(x, selfAttention(ops, x, biasMasked, p + "layer.0.", b, s, l, tap));
            tap.accept("block." + l + ".after_self_attention", x);
            x = ops.add(x, feedForward(ops, x, p + "layer.1.", eps));
            tap.accept("block." + l + ".output", x);
        }

        // 5. final norm
        T out = ops.rmsNorm(x, ops.weight(T5Weights.FINAL_LAYER_NORM), eps);
        tap.accept("last_hidden_state", out);
        return out;
    }

    private <T> T selfAttention(Ops<T> ops, T x, T biasMasked, String p, long b, int s, int layer, Tap<T> tap) {
        int heads = config.numHeads();
        int dk = config.dKv();
        T h = ops.rmsNorm(x, ops.weight(p + "layer_norm.weight"), (float) config.layerNormEpsilon());
        String a = p + "SelfAttention.";
        T q_BHSK =
                ops.permute(ops.reshape(ops.linear(h, ops.weight(a + "q.weight"), null), b, s, heads, dk), 0, 2, 1, 3);
        T kT_BHKS =
                ops.permute(ops.reshape(ops.linear(h, ops.weight(a + "k.weight"), null), b, s, heads, dk), 0, 2, 3, 1);
        T v_BHSK =
                ops.permute(ops.reshape(ops.linear(h, ops.weight(a + "v.weight"), null), b, s, heads, dk), 0, 2, 1, 3);
        T scores_BHSS = ops.add(ops.matmul(q_BHSK, kT_BHKS), biasMasked);
        T probs = ops.softmax(scores_BHSS, -1);
        tap.accept("block." + layer + ".attn_probs", probs);
        T ctx_BSI = ops.reshape(ops.permute(ops.matmul(probs, v_BHSK), 0, 2, 1, 3), b, s, config.innerDim());
        return ops.linear(ctx_BSI, ops.weight(a + "o.weight"), null);
    }

    private <T> T feedForward(Ops<T> ops, T x, String p, float eps) {
        T h = ops.rmsNorm(x, ops.weight(p + "layer_norm.weight"), eps);
        String d = p + "DenseReluDense.";
        T gate = ops.geluTanh(ops.linear(h, ops.weight(d + "wi_0.weight"), null));
        T up = ops.linear(h, ops.weight(d + "wi_1.weight"), null);
        return ops.linear(ops.mul(gate, up), ops.weight(d + "wo.weight"), null);
    }
}
