package dev.arbooth.config;

import dev.arbooth.WeightBindingException;
import dev.arbooth.format.StateDict;
import dev.arbooth.format.TensorSpec;
import dev.arbooth.format.WeightBinder;
import dev.arbooth.tensor.Tensor;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * The state dict of an Infinity transformer: every tensor name and shape the official {@code
 * Infinity.state_dict()} holds for an {@link InfinityConfig}, buffers ({@code zero_k_bias}) included, in
 * the official order (per module: its parameters, its buffers, then its children in registration order).
 *
 * <p>With C = width, Ct5 = text width, F = FFN width, H = heads, Hp = text-pool heads, V = logits per
 * token, b = bits per token:
 *
 * <pre>
 * cfg_uncond [text_maxlen, Ct5]            pos_start [1, 1, C]           text_norm.weight [Ct5]
 * text_proj_for_sos.ca.mat_q [1, Hp, C/Hp] .v_bias [C]  .zero_k_bias [C]  .mat_kv.weight [2C, Ct5]
 *                          .proj.weight [C, C]  .proj.bias [C]
 * text_proj_for_ca.0.weight [C, Ct5]  .0.bias [C]  .2.weight [C, C]  .2.bias [C]
 * lvl_embed.weight [15, C]   word_embed.weight [C, b]  .bias [C]
 * shared_ada_lin.1.weight [6C, C]  .bias [6C]          (shared AdaLN)
 * head_nm.ada_lin.1.weight [2C, C]  .bias [2C]          head.weight [V, C]  head.bias [V]   (head AdaLN)
 * per block (block_chunks.{c}.module.{j}.): ada_gss [1, 1, 6, C]
 *   sa.scale_mul_1H11 [1, H, 1, 1] (cosine attention)  sa.q_bias, sa.v_bias, sa.zero_k_bias [C]
 *   sa.mat_qkv.weight [3C, C]  sa.proj.weight [C, C]  sa.proj.bias [C]
 *   ca.v_bias, ca.zero_k_bias [C]  ca.mat_q.weight [C, C]  ca.mat_q.bias [C]  ca.mat_kv.weight [2C, C]
 *   ca.proj.weight [C, C]  ca.proj.bias [C]
 *   ffn.fc1.weight [F, C]  ffn.fc1.bias [F]  ffn.fc2.weight [C, F]  ffn.fc2.bias [C]
 *   ca_norm.weight [C]  ca_norm.bias [C]
 * </pre>
 *
 * Without shared AdaLN each block has {@code ada_lin.1.weight [6C, C]} and {@code ada_lin.1.bias [6C]}
 * instead of {@code ada_gss}, and there is no {@code shared_ada_lin}; without head AdaLN the head is
 * {@code head.0} (LayerNorm, weight and bias [C]) and {@code head.1} (Linear C → V).
 */
public final class InfinityWeights {
    private InfinityWeights() {}

    /**
     * The expected tensors.
     *
     * @param c the configuration
     * @return names and shapes in official state-dict order
     */
    public static List<TensorSpec> expected(InfinityConfig c) {
        return expected(c, Integer.MAX_VALUE);
    }

    /** The expected tensors, listed into a {@link WeightBinder#boundedList} of at most {@code maxCount}. */
    private static List<TensorSpec> expected(InfinityConfig c, int maxCount) {
        long cc = c.embedDim();
        long ct5 = c.textChannels();
        long v = c.vocabSize();
        List<TensorSpec> out = WeightBinder.boundedList(maxCount);
        // Infinity's own parameters
        out.add(TensorSpec.of("cfg_uncond", c.textMaxLength(), ct5));
        out.add(TensorSpec.of("pos_start", 1, 1, cc));
        // children, in registration order
        out.add(TensorSpec.of("text_norm.weight", ct5));
        String pool = "text_proj_for_sos.ca.";
        out.add(TensorSpec.of(pool + "mat_q", 1, c.textPoolHeads(), c.textPoolHeadDim()));
        out.add(TensorSpec.of(pool + "v_bias", cc));
        out.add(TensorSpec.of(pool + "zero_k_bias", cc));
        out.add(TensorSpec.of(pool + "mat_kv.weight", 2 * cc, ct5));
        out.add(TensorSpec.of(pool + "proj.weight", cc, cc));
        out.add(TensorSpec.of(pool + "proj.bias", cc));
        out.add(TensorSpec.of("text_proj_for_ca.0.weight", cc, ct5));
        out.add(TensorSpec.of("text_proj_for_ca.0.bias", cc));
        out.add(TensorSpec.of("text_proj_for_ca.2.weight", cc, cc));
        out.add(TensorSpec.of("text_proj_for_ca.2.bias", cc));
        out.add(TensorSpec.of("lvl_embed.weight", c.levelEmbeddings(), cc));
        out.add(TensorSpec.of("word_embed.weight", cc, c.bitsPerToken()));
        out.add(TensorSpec.of("word_embed.bias", cc));
        if (c.sharedAdaLn()) {
            out.add(TensorSpec.of("shared_ada_lin.1.weight", 6 * cc, cc));
            out.add(TensorSpec.of("shared_ada_lin.1.bias", 6 * cc));
        }
        if (c.headAdaLn()) {
            out.add(TensorSpec.of("head_nm.ada_lin.1.weight", 2 * cc, cc));
            out.add(TensorSpec.of("head_nm.ada_lin.1.bias", 2 * cc));
            out.add(TensorSpec.of("head.weight", v, cc));
            out.add(TensorSpec.of("head.bias", v));
        } else {
            out.add(TensorSpec.of("head.0.weight", cc));
            out.add(TensorSpec.of("head.0.bias", cc));
            out.add(TensorSpec.of("head.1.weight", v, cc));
            out.add(TensorSpec.of("head.1.bias", v));
        }
        for (int i = 0; i < c.depth(); i++) {
            addBlock(out, c, c.blockPrefix(i));
        }
        return Collections.unmodifiableList(out);
    }

    private static void addBlock(List<TensorSpec> out, InfinityConfig c, String p) {
        long cc = c.embedDim();
        long f = c.ffnHidden();
        if (c.sharedAdaLn()) {
            out.add(TensorSpec.of(p + "ada_gss", 1, 1, 6, cc));
        }
        if (c.cosAttn()) {
            out.add(TensorSpec.of(p + "sa.scale_mul_1H11", 1, c.numHeads(), 1, 1));
        }
        out.add(TensorSpec.of(p + "sa.q_bias", cc));
        out.add(TensorSpec.of(p + "sa.v_bias", cc));
        out.add(TensorSpec.of(p + "sa.zero_k_bias", cc));
        out.add(TensorSpec.of(p + "sa.mat_qkv.weight", 3 * cc, cc));
        out.add(TensorSpec.of(p + "sa.proj.weight", cc, cc));
        out.add(TensorSpec.of(p + "sa.proj.bias", cc));
        out.add(TensorSpec.of(p + "ca.v_bias", cc));
        out.add(TensorSpec.of(p + "ca.zero_k_bias", cc));
        out.add(TensorSpec.of(p + "ca.mat_q.weight", cc, cc));
        out.add(TensorSpec.of(p + "ca.mat_q.bias", cc));
        out.add(TensorSpec.of(p + "ca.mat_kv.weight", 2 * cc, cc));
        out.add(TensorSpec.of(p + "ca.proj.weight", cc, cc));
        out.add(TensorSpec.of(p + "ca.proj.bias", cc));
        out.add(TensorSpec.of(p + "ffn.fc1.weight", f, cc));
        out.add(TensorSpec.of(p + "ffn.fc1.bias", f));
        out.add(TensorSpec.of(p + "ffn.fc2.weight", cc, f));
        out.add(TensorSpec.of(p + "ffn.fc2.bias", cc));
        out.add(TensorSpec.of(p + "ca_norm.weight", cc));
        out.add(TensorSpec.of(p + "ca_norm.bias", cc));
        if (!c.sharedAdaLn()) {
            out.add(TensorSpec.of(p + "ada_lin.1.weight", 6 * cc, cc));
            out.add(TensorSpec.of(p + "ada_lin.1.bias", 6 * cc));
        }
    }

    /**
     * Whether a state-dict entry is a buffer rather than a parameter.
     *
     * @param name an official tensor name
     * @return true for the always-zero {@code zero_k_bias} buffers
     */
    public static boolean isBuffer(String name) {
        return name.equals("zero_k_bias") || name.endsWith(".zero_k_bias");
    }

    /**
     * The number of parameters (buffers excluded).
     *
     * @param c the configuration
     * @return the sum of the parameters' element counts
     */
    public static long parameterCount(InfinityConfig c) {
        long n = 0;
        for (TensorSpec s : expected(c)) {
            if (!isBuffer(s.name())) {
                n = Math.addExact(n, Tensor.numel(s.shape()));
            }
        }
        return n;
    }

    /**
     * A description of the model for error messages.
     *
     * @param c the configuration
     * @return e.g. {@code "Infinity transformer (depth 2, width 128, 2 heads, FFN 512, Ct5 256, 16 bits/token)"}
     */
    public static String describe(InfinityConfig c) {
        return "Infinity transformer (depth " + c.depth() + ", width " + c.embedDim() + ", " + c.numHeads()
                + " heads, FFN " + c.ffnHidden() + ", Ct5 " + c.textChannels() + ", " + c.bitsPerToken()
                + " bits/token)";
    }

    /**
     * Binds a checkpoint strictly ({@link WeightBinder#bindStrict}).
     *
     * @param c the configuration
     * @param checkpoint the state dict
     * @return the tensors in official order
     * @throws WeightBindingException listing every missing, unexpected and misshapen tensor
     */
    public static Map<String, Tensor> bind(InfinityConfig c, StateDict checkpoint) {
        String what = describe(c);
        return WeightBinder.bindStrict(
                what, WeightBinder.expectedAtMost(what, checkpoint, max -> expected(c, max)), checkpoint);
    }
}
