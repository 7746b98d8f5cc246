package dev.arbooth.runtime.internal.onnx;

import dev.arbooth.config.InfinityConfig;
import dev.arbooth.config.ScaleSchedule;
import dev.arbooth.internal.nn.CrossKv;
import dev.arbooth.internal.nn.InfinityKvCache;
import dev.arbooth.internal.nn.InfinityNet;
import dev.arbooth.internal.nn.InfinityStep;
import dev.arbooth.internal.nn.InfinityText;
import dev.arbooth.internal.nn.LayerKv;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * ONNX graphs of the Infinity transformer's inference, emitted from {@link InfinityNet} through {@link
 * OnnxOps}: the text-conditioning prologue (once per prompt set) and the KV-cached step of scale {@code k}
 * (one graph per scale, static shapes). The weights are external initializers under their official names.
 *
 * <p><b>Prologue</b> for B prompts of token counts {@code lens} (R = 2B rows when guided: the prompts, then
 * their {@code cfg_uncond[:len_i]} rows, appended inside the graph):
 *
 * <ul>
 *   <li>input {@value #TEXT} {@code (N, Ct5)}: the prompts' text features concatenated, N = sum(lens);
 *   <li>outputs {@value #COND} {@code (R, C)}, {@value #GSS} {@code (R, 1, 6, C)}, {@value #TEXT_BIAS} {@code
 *       (R, 1, 1, Nr)} (Nr = N or 2N), {@value #CA_KV} {@code (Nr, C)}, and per block i {@code cross_k.i}
 *       {@code (H, hd, Nr)} and {@code cross_v.i} {@code (H, Nr, hd)}.
 * </ul>
 *
 * <p><b>Step k</b> for R rows and B input rows, any number Nr of text tokens (the symbolic dimension {@value
 * #TEXT_TOKENS}, so one graph per scale serves every prompt length): inputs {@value #COND}, {@value #GSS}, {@value
 * #TEXT_BIAS}, {@code cross_k.i}, {@code cross_v.i} (the prologue's outputs), and for {@code k >= 1}
 * {@value #X} {@code (B, h_k w_k, d)} and the cache {@code past_k.i}, {@code past_v.i} {@code (R, offset(k),
 * H*hd)} ({@link OnnxOps#kvCacheShape}, this engine's layout); outputs {@value #LOGITS} {@code (R, h_k w_k, V)} (raw, before τ and
 * guidance) and {@code present_k.i}, {@code present_v.i} {@code (R, offset(k+1), H*hd)}.
 */
public final class InfinityGraphs {
    /** Prologue input: compact text features. */
    public static final String TEXT = "text_NCt5";

    /** The pooled text vector per row. */
    public static final String COND = "cond_RC";

    /** The shared AdaLN output per row. */
    public static final String GSS = "gss_R16C";

    /** The additive text attention bias. */
    public static final String TEXT_BIAS = "text_bias_R11N";

    /** The cross-attention K/V source (for checks). */
    public static final String CA_KV = "ca_kv_NC";

    /** Step input: the next-scale input. */
    public static final String X = "x_Bnd";

    /** Step output: raw logits. */
    public static final String LOGITS = "logits_RnV";

    /** The symbolic dimension of the step graphs: the compact text tokens of the R rows. */
    public static final String TEXT_TOKENS = "N";

    /** The size traced for the symbolic text dimension (any size other than 1 would do). */
    private static final long N_TRACE = 3;

    private InfinityGraphs() {}

    /**
     * The name of block {@code i}'s cross-attention keys.
     *
     * @param i the block
     * @return {@code cross_k.i}
     */
    public static String crossK(int i) {
        return "cross_k." + i;
    }

    /**
     * The name of block {@code i}'s cross-attention values.
     *
     * @param i the block
     * @return {@code cross_v.i}
     */
    public static String crossV(int i) {
        return "cross_v." + i;
    }

    /**
     * The name of block {@code i}'s cached keys as a step input.
     *
     * @param i the block
     * @return {@code past_k.i}
     */
    public static String pastK(int i) {
        return "past_k." + i;
    }

    /**
     * The name of block {@code i}'s cached values as a step input.
     *
     * @param i the block
     * @return {@code past_v.i}
     */
    public static String pastV(int i) {
        return "past_v." + i;
    }

    /**
     * The name of block {@code i}'s extended keys as a step output.
     *
     * @param i the block
     * @return {@code present_k.i}
     */
    public static String presentK(int i) {
        return "present_k." + i;
    }

    /**
     * The name of block {@code i}'s extended values as a step output.
     *
     * @param i the block
     * @return {@code present_v.i}
     */
    public static String presentV(int i) {
        return "present_v." + i;
    }

    /**
     * Emits the text-conditioning prologue.
     *
     * @param config the architecture
     * @param weightShapes the checkpoint's weight shapes by official name
     * @param lens the prompts' token counts
     * @param guided whether to append the unconditional rows (R = 2B)
     * @return the graph builder (serialize with {@link OnnxOps#toModelBytes()})
     */
    public static OnnxOps prologue(
            InfinityConfig config, Function<String, long[]> weightShapes, int[] lens, boolean guided) {
        InfinityNet net = InfinityNet.of(config);
        OnnxOps ops = OnnxOps.create("infinity_prologue", weightShapes);
        int n = Arrays.stream(lens).sum();
        String text = ops.input(TEXT, n, config.textChannels());
        InfinityText<String> t = guided ? net.conditionGuided(ops, text, lens) : net.conditionText(ops, text, lens);
        ops.output(COND, t.cond_RC());
        ops.output(GSS, t.gss_R16C());
        ops.output(TEXT_BIAS, t.textBias_R11N());
        ops.output(CA_KV, t.caKv_NC());
        for (int i = 0; i < config.depth(); i++) {
            ops.output(crossK(i), t.crossKv().get(i).keys_HcN());
            ops.output(crossV(i), t.crossKv().get(i).values_HNc());
        }
        return ops;
    }

    /**
     * Emits the KV-cached step of scale {@code k}.
     *
     * @param config the architecture
     * @param weightShapes the checkpoint's weight shapes by official name
     * @param schedule the scale schedule
     * @param k the scale
     * @param rows R
     * @param inputRows B, dividing R (ignored for {@code k = 0})
     * @return the graph builder
     */
    public static OnnxOps step(
            InfinityConfig config,
            Function<String, long[]> weightShapes,
            ScaleSchedule schedule,
            int k,
            int rows,
            int inputRows) {
        InfinityNet net = InfinityNet.of(config);
        OnnxOps ops = OnnxOps.create("infinity_step_" + k, weightShapes);
        int c = config.embedDim();
        int h = config.numHeads();
        int hd = config.headDim();
        String cond = ops.input(COND, rows, c);
        String gss = ops.input(GSS, rows, 1, 6, c);
        // N is symbolic: the step reads the text tokens only through matmuls, a broadcast add and a softmax
        String bias = ops.inputSymbolic(TEXT_BIAS, new String[] {null, null, null, TEXT_TOKENS}, rows, 1, 1, N_TRACE);
        List<CrossKv<String>> cross = new ArrayList<>();
        for (int i = 0; i < config.depth(); i++) {
            cross.add(new CrossKv<>(
                    ops.inputSymbolic(crossK(i), new String[] {null, null, TEXT_TOKENS}, h, hd, N_TRACE),
                    ops.inputSymbolic(crossV(i), new String[] {null, TEXT_TOKENS, null}, h, N_TRACE, hd)));
        }
        // the step never reads the K/V source; cond stands in for it
        InfinityText<String> text = new InfinityText<>(cond, cond, gss, bias, cross, rows);
        String x = null;
        InfinityKvCache<String> cache = InfinityKvCache.empty();
        if (k > 0) {
            x = ops.input(X, inputRows, schedule.get(k).tokens(), config.bitsPerToken());
            List<LayerKv<String>> layers = new ArrayList<>();
            int past = schedule.offset(k);
            for (int i = 0; i < config.depth(); i++) {
                layers.add(new LayerKv<>(
                        ops.input(pastK(i), ops.kvCacheShape(rows, h, past, hd)),
                        ops.input(pastV(i), ops.kvCacheShape(rows, h, past, hd))));
            }
            cache = new InfinityKvCache<>(k, past, layers);
        }
        InfinityStep<String> s = net.step(ops, text, schedule, k, x, cache);
        ops.output(LOGITS, s.logits_RnV());
        for (int i = 0; i < config.depth(); i++) {
            ops.output(presentK(i), s.cache().layer(i).keys());
            ops.output(presentV(i), s.cache().layer(i).values());
        }
        return ops;
    }
}
