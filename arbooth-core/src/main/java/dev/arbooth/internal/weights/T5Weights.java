package dev.arbooth.internal.weights;

import dev.arbooth.ArboothException;
import dev.arbooth.WeightBindingException;
import dev.arbooth.config.T5Config;
import dev.arbooth.internal.format.StateDict;
import dev.arbooth.internal.format.TensorSpec;
import dev.arbooth.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The state dict of a T5 v1.1 / Flan-T5 encoder: every tensor name and shape Hugging Face's {@code
 * T5EncoderModel.state_dict()} holds for a {@link T5Config}, in its order.
 *
 * <p>With D = d_model, I = heads × d_kv, F = d_ff, V = vocabulary, H = heads, Nb = buckets:
 *
 * <pre>
 * shared.weight [V, D]                         encoder.embed_tokens.weight [V, D]   (tied: the same table)
 * per block (encoder.block.{i}.):
 *   layer.0.SelfAttention.q.weight, .k.weight, .v.weight [I, D]   layer.0.SelfAttention.o.weight [D, I]
 *   layer.0.SelfAttention.relative_attention_bias.weight [Nb, H]    (block 0 only)
 *   layer.0.layer_norm.weight [D]
 *   layer.1.DenseReluDense.wi_0.weight, .wi_1.weight [F, D]        layer.1.DenseReluDense.wo.weight [D, F]
 *   layer.1.layer_norm.weight [D]
 * encoder.final_layer_norm.weight [D]
 * </pre>
 *
 * The token embedding is tied: {@code T5EncoderModel} saves the same table under {@link #SHARED} and
 * {@link #EMBED_TOKENS}, and real checkpoints may keep only one of them. Binding accepts either or both;
 * when both are present they must be equal.
 */
public final class T5Weights {
    /** The shared token embedding {@code [V, D]}. */
    public static final String SHARED = "shared.weight";

    /** The encoder's name of the same (tied) token embedding {@code [V, D]}. */
    public static final String EMBED_TOKENS = "encoder.embed_tokens.weight";

    /** The relative position bias table {@code [buckets, heads]}, held by block 0 only. */
    public static final String RELATIVE_ATTENTION_BIAS =
            "encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight";

    /** The final RMSNorm weight {@code [D]}. */
    public static final String FINAL_LAYER_NORM = "encoder.final_layer_norm.weight";

    private T5Weights() {}

    /**
     * The name prefix of a block.
     *
     * @param block the block index
     * @return {@code encoder.block.{block}.}
     */
    public static String blockPrefix(int block) {
        return "encoder.block." + block + ".";
    }

    /**
     * The tensors of {@code T5EncoderModel.state_dict()}, both names of the tied embedding included.
     *
     * @param c the configuration
     * @return names and shapes in official order
     */
    public static List<TensorSpec> expected(T5Config c) {
        List<TensorSpec> out = new ArrayList<>();
        out.add(TensorSpec.of(SHARED, c.vocabSize(), c.dModel()));
        out.add(TensorSpec.of(EMBED_TOKENS, c.vocabSize(), c.dModel()));
        out.addAll(withoutEmbedding(c, Integer.MAX_VALUE));
        return Collections.unmodifiableList(out);
    }

    private static List<TensorSpec> withoutEmbedding(T5Config c, int maxCount) {
        long d = c.dModel();
        long inner = c.innerDim();
        long f = c.dFf();
        List<TensorSpec> out = WeightBinder.boundedList(maxCount);
        for (int i = 0; i < c.numLayers(); i++) {
            String a = blockPrefix(i) + "layer.0.";
            out.add(TensorSpec.of(a + "SelfAttention.q.weight", inner, d));
            out.add(TensorSpec.of(a + "SelfAttention.k.weight", inner, d));
            out.add(TensorSpec.of(a + "SelfAttention.v.weight", inner, d));
            out.add(TensorSpec.of(a + "SelfAttention.o.weight", d, inner));
            if (i == 0) {
                out.add(TensorSpec.of(RELATIVE_ATTENTION_BIAS, c.relativeAttentionNumBuckets(), c.numHeads()));
            }
            out.add(TensorSpec.of(a + "layer_norm.weight", d));
            String ff = blockPrefix(i) + "layer.1.";
            out.add(TensorSpec.of(ff + "DenseReluDense.wi_0.weight", f, d));
            out.add(TensorSpec.of(ff + "DenseReluDense.wi_1.weight", f, d));
            out.add(TensorSpec.of(ff + "DenseReluDense.wo.weight", d, f));
            out.add(TensorSpec.of(ff + "layer_norm.weight", d));
        }
        out.add(TensorSpec.of(FINAL_LAYER_NORM, d));
        return out;
    }

    /**
     * Seeded random encoder weights under Hugging Face names (the tied {@value #EMBED_TOKENS} left out: it is {@value
     * #SHARED}): unit layer norms, N(0, 1) embeddings, N(0, 0.1²) relative-attention biases, N(0, 1/fan_in)
     * matrices, drawn in {@link #expected} order from one {@link java.util.SplittableRandom}. The toy base's frozen
     * text encoder and the test bases use it.
     *
     * @param c the shape
     * @param seed the seed
     * @return the weights, in {@link #expected} order
     */
    public static Map<String, Tensor> seededRandom(T5Config c, long seed) {
        java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (TensorSpec spec : expected(c)) {
            if (spec.name().equals(EMBED_TOKENS)) {
                continue;
            }
            long[] shape = spec.shape();
            float[] v = new float[Math.toIntExact(Tensor.numel(shape))];
            boolean norm = shape.length == 1;
            double std = spec.name().startsWith("shared")
                    ? 1.0
                    : spec.name().contains("relative_attention_bias") ? 0.1 : 1.0 / Math.sqrt(shape[shape.length - 1]);
            for (int i = 0; i < v.length; i++) {
                v[i] = norm ? 1f : (float) (std * r.nextGaussian());
            }
            out.put(spec.name(), Tensor.ofFloats(v, shape));
        }
        return out;
    }

    /**
     * The number of parameters, counting the tied embedding once.
     *
     * @param c the configuration
     * @return the sum of the parameters' element counts
     */
    public static long parameterCount(T5Config c) {
        long n = Math.multiplyExact((long) c.vocabSize(), c.dModel());
        for (TensorSpec s : withoutEmbedding(c, Integer.MAX_VALUE)) {
            n = Math.addExact(n, Tensor.numel(s.shape()));
        }
        return n;
    }

    /**
     * A description of the model for error messages.
     *
     * @param c the configuration
     * @return e.g. {@code "T5 encoder (3 layers, d_model 64, 4 heads x 16, d_ff 128, vocab 100)"}
     */
    public static String describe(T5Config c) {
        return "T5 encoder (" + c.numLayers() + " layers, d_model " + c.dModel() + ", " + c.numHeads() + " heads x "
                + c.dKv() + ", d_ff " + c.dFf() + ", vocab " + c.vocabSize() + ")";
    }

    /**
     * Binds a checkpoint strictly: every tensor of {@link #expected} must be present with its shape, except
     * that the tied embedding may be stored under {@link #SHARED}, under {@link #EMBED_TOKENS}, or under both
     * (then with equal values); nothing else may be present.
     *
     * @param c the configuration
     * @param checkpoint the state dict
     * @return the tensors in official order, the embedding under the name(s) the checkpoint uses
     * @throws WeightBindingException listing every missing, unexpected and misshapen tensor (a missing
     *     embedding is reported as {@code shared.weight (or encoder.embed_tokens.weight)})
     * @throws ArboothException if both embedding names are present with different values
     */
    public static Map<String, Tensor> bind(T5Config c, StateDict checkpoint) {
        List<TensorSpec> specs = new ArrayList<>();
        boolean hasShared = checkpoint.contains(SHARED);
        boolean hasEmbedTokens = checkpoint.contains(EMBED_TOKENS);
        if (hasShared || !hasEmbedTokens) {
            specs.add(TensorSpec.of(SHARED, c.vocabSize(), c.dModel()));
        }
        if (hasEmbedTokens) {
            specs.add(TensorSpec.of(EMBED_TOKENS, c.vocabSize(), c.dModel()));
        }
        String what = describe(c);
        specs.addAll(WeightBinder.expectedAtMost(what, checkpoint, max -> withoutEmbedding(c, max)));
        try {
            WeightBinder.check(what, specs, checkpoint);
        } catch (WeightBindingException e) {
            if (hasShared || hasEmbedTokens) {
                throw e;
            }
            List<String> missing = new ArrayList<>();
            for (String m : e.missing()) {
                missing.add(m.equals(SHARED) ? SHARED + " (or " + EMBED_TOKENS + ")" : m);
            }
            throw new WeightBindingException(what, missing, e.unexpected(), e.misshapen());
        }
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (TensorSpec s : specs) {
            out.put(s.name(), checkpoint.get(s.name()));
        }
        if (hasShared && hasEmbedTokens) {
            requireTied(out.get(SHARED), out.get(EMBED_TOKENS));
        }
        return Collections.unmodifiableMap(out);
    }

    private static void requireTied(Tensor shared, Tensor embedTokens) {
        boolean equal = shared.dtype() == embedTokens.dtype()
                ? shared.equals(embedTokens)
                : Arrays.equals(shared.toFloatArray(), embedTokens.toFloatArray());
        if (!equal) {
            throw new ArboothException(SHARED + " (" + shared.dtype() + ") and " + EMBED_TOKENS + " ("
                    + embedTokens.dtype() + ") differ: T5EncoderModel ties them (one table under two names), so a "
                    + "checkpoint holding both must hold equal values; keep only one of them");
        }
    }
}
