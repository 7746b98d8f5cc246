package dev.arbooth.train.internal;

import java.util.List;
import java.util.Objects;

/**
 * What the frozen teacher of prior distillation sampled for a class batch.
 *
 * @param bits_BhwD the sampled bits of every scale, {@code (B, h_k, w_k, d)} each
 * @param logits_BLV the teacher's raw (pre-temperature) conditional logits of every token, {@code (B, L, V)}
 * @param nextInput_BLd the next-scale inputs the sampler fed, {@code (B, L-1, d)}: the student's teacher-forcing
 *     input ({@code class_BLC[:, 1:] = word_embed(nextInput)})
 * @param uncondLogits_BLV the teacher's raw unconditional logits on the same tokens, {@code (B, L, V)}, or null
 *     when the teacher ran without the unconditional branch
 */
public record TeacherSample(
        List<long[]> bits_BhwD, float[] logits_BLV, float[] nextInput_BLd, float[] uncondLogits_BLV) {
    /**
     * Copies the list.
     *
     * @param bits_BhwD not null
     * @param logits_BLV not null
     * @param nextInput_BLd not null
     * @param uncondLogits_BLV null, or as long as {@code logits_BLV}
     */
    public TeacherSample {
        bits_BhwD = List.copyOf(bits_BhwD);
        Objects.requireNonNull(logits_BLV, "logits_BLV");
        Objects.requireNonNull(nextInput_BLd, "nextInput_BLd");
        if (uncondLogits_BLV != null && uncondLogits_BLV.length != logits_BLV.length) {
            throw new IllegalArgumentException(
                    "unconditional logits " + uncondLogits_BLV.length + " values, conditional " + logits_BLV.length);
        }
    }
}
