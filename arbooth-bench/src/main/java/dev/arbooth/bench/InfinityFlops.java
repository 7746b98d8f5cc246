package dev.arbooth.bench;

import dev.arbooth.config.InfinityConfig;
import dev.arbooth.config.ScaleSchedule;

/**
 * Floating-point operation counts of the Infinity transformer (a multiply-add counts 2), as our
 * implementation computes them: the teacher-forced forward evaluates the full {@code L × L} attention
 * under the block-causal mask; the KV-cached step of scale {@code k} attends its {@code n_k} queries to
 * the {@code offset(k+1)} cached keys; cross-attention scores every query against all {@code N} text rows
 * of the batch (the mask removes other prompts' rows).
 */
final class InfinityFlops {
    private InfinityFlops() {}

    /** Per token and block: QKV, SA proj, CA q, CA proj (4 C×C… matrices) and the two FFN matrices. */
    static double blockLinearPerToken(InfinityConfig c) {
        double cc = (double) c.embedDim() * c.embedDim();
        return 2 * (6 * cc + 2.0 * c.embedDim() * c.ffnHidden());
    }

    /** Of {@link #blockLinearPerToken}, the part in trainable ARBooth layers (CA q/proj, FFN). */
    static double trainableLinearPerToken(InfinityConfig c) {
        double cc = (double) c.embedDim() * c.embedDim();
        return 2 * (2 * cc + 2.0 * c.embedDim() * c.ffnHidden());
    }

    /** Teacher-forced forward of {@code rows} sequences with {@code textRows} text rows in all (dense attention). */
    static Breakdown teacherForced(InfinityConfig c, ScaleSchedule s, int rows, int textRows) {
        return teacherForced(c, s, rows, textRows, false);
    }

    /**
     * Teacher-forced forward of {@code rows} sequences with {@code textRows} text rows in all; the self-attention
     * counted over the whole {@code L × L} (dense, as computed before the chunked attention) or over the
     * block-causal area {@code Σ n_k · offset(k+1)} that the chunks compute.
     */
    static Breakdown teacherForced(InfinityConfig c, ScaleSchedule s, int rows, int textRows, boolean blockCausal) {
        double l = s.totalTokens();
        double area = l * l;
        if (blockCausal) {
            area = 0;
            for (int k = 0; k < s.size(); k++) {
                area += (double) s.get(k).tokens() * s.offset(k + 1);
            }
        }
        double linear = rows
                * l
                * (c.depth() * blockLinearPerToken(c)
                        + 2.0 * c.embedDim() * c.vocabSize()
                        + 2.0 * c.bitsPerToken() * c.embedDim());
        double selfAttn = rows * c.depth() * 4.0 * area * c.embedDim();
        double crossAttn = rows * c.depth() * 4.0 * l * textRows * c.embedDim();
        double text = prologue(c, textRows);
        double trainable = rows * l * c.depth() * trainableLinearPerToken(c);
        return new Breakdown(linear, selfAttn + crossAttn, text, trainable);
    }

    /** KV-cached sampling of {@code rows} sequences (2B with CFG). */
    static Breakdown cached(InfinityConfig c, ScaleSchedule s, int rows, int textRows) {
        double l = s.totalTokens();
        double linear = rows
                * l
                * (c.depth() * blockLinearPerToken(c)
                        + 2.0 * c.embedDim() * c.vocabSize()
                        + 2.0 * c.bitsPerToken() * c.embedDim());
        double attn = 0;
        for (int k = 0; k < s.size(); k++) {
            double n = s.get(k).tokens();
            attn += 4.0 * n * s.offset(k + 1) * c.embedDim() + 4.0 * n * textRows * c.embedDim();
        }
        attn *= rows * c.depth();
        return new Breakdown(linear, attn, prologue(c, textRows), 0);
    }

    /** Text conditioning: norm, pool K/V, the text MLP and every block's cross-attention K/V. */
    private static double prologue(InfinityConfig c, int textRows) {
        double ct = c.textChannels();
        double cw = c.embedDim();
        return textRows * (2 * ct * 2 * cw + 2 * ct * cw + 2 * cw * cw + c.depth() * 2 * cw * 2 * cw);
    }

    /** FLOPs by kind. */
    record Breakdown(double linear, double attention, double text, double trainableLinear) {
        double forward() {
            return linear + attention + text;
        }

        /**
         * Backward of the ARBooth selective tuning: input gradients everywhere (1× forward), weight gradients
         * of the trainable linears (1× their forward), attention twice (both operands need gradients).
         */
        double backward() {
            return linear + trainableLinear + 2 * attention;
        }
    }
}
