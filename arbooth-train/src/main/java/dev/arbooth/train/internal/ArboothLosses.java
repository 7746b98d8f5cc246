package dev.arbooth.train.internal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import java.util.List;

/**
 * ARBooth's two losses on DJL (differentiable): the scale-weighted bitwise cross-entropy of the subject step and
 * the soft prior-distillation KL of the class step ({@code booth_trainer_final.py::train_step}; the golden values
 * are {@code infinity-set1/losses.safetensors}).
 *
 * <p>Shapes: {@code B} images, {@code L} tokens of all scales, {@code d} bits per token, {@code V = 2d} logits per
 * token (bit {@code j} is the pair {@code (2j, 2j+1)}).
 */
public final class ArboothLosses {
    private ArboothLosses() {}

    /**
     * The per-bit two-class cross-entropy (label smoothing 0).
     *
     * @param logits_BLV the logits, {@code (B, L, 2d)}
     * @param gt_BLd the target bits, {@code (B, L, d)}, integer 0/1
     * @return {@code bitCe_BLd}: {@code -log softmax(pair)[target]}
     */
    public static NDArray bitCrossEntropy(NDArray logits_BLV, NDArray gt_BLd) {
        long[] s = gt_BLd.getShape().getShape();
        NDArray logp = logits_BLV.reshape(s[0], s[1], s[2], 2).logSoftmax(-1);
        NDArray one = gt_BLd.toType(DataType.FLOAT32, false);
        NDArray logp0 = logp.get(":, :, :, 0");
        NDArray logp1 = logp.get(":, :, :, 1");
        return logp1.mul(one).add(logp0.mul(one.neg().add(scalar(one, 1f)))).neg();
    }

    /**
     * The token CE: the mean over a token's bits ({@code bitloss_type="mean"}).
     *
     * @param bitCe_BLd {@link #bitCrossEntropy}
     * @return {@code tokenCe_BL}
     */
    public static NDArray tokenCrossEntropy(NDArray bitCe_BLd) {
        return bitCe_BLd.mean(new int[] {-1});
    }

    /**
     * The scale-weighted CE: {@code mean_b( sum_l tokenCe[b,l] * w[l] / L )}.
     *
     * @param tokenCe_BL {@link #tokenCrossEntropy}
     * @param weight_L the weight of every token (its scale's weight), {@code (L)} or {@code (B, L)}
     * @return the scalar loss
     */
    public static NDArray weightedCrossEntropy(NDArray tokenCe_BL, NDArray weight_L) {
        long tokens = tokenCe_BL.getShape().get(1);
        NDArray sum = tokenCe_BL.mul(weight_L).sum(new int[] {1});
        return sum.div(scalar(sum, tokens)).mean();
    }

    /**
     * The weight of every token from a weight per scale.
     *
     * @param tokensPerScale the token count of each scale, in order
     * @param scaleWeights a weight per scale (same length)
     * @return {@code weight_L}
     */
    public static float[] tokenWeights(List<Integer> tokensPerScale, List<Float> scaleWeights) {
        if (tokensPerScale.size() != scaleWeights.size()) {
            throw new IllegalArgumentException(
                    scaleWeights.size() + " scale weights for " + tokensPerScale.size() + " scales");
        }
        int total = tokensPerScale.stream().mapToInt(Integer::intValue).sum();
        float[] w = new float[total];
        int at = 0;
        for (int k = 0; k < tokensPerScale.size(); k++) {
            java.util.Arrays.fill(w, at, at + tokensPerScale.get(k), scaleWeights.get(k));
            at += tokensPerScale.get(k);
        }
        return w;
    }

    /**
     * The soft distillation KL per token: {@code sum_V p (log p - log q)} with {@code p = softmax(teacher / T)} and
     * {@code log q = log_softmax(student / T)}, a softmax over all {@code 2d} logits of a token jointly (as ARBooth's
     * {@code F.kl_div(..., reduction="none").sum(-1)}).
     *
     * @param teacher_BLV the teacher's logits (no gradient)
     * @param student_BLV the student's logits
     * @param temperature T
     * @return {@code kl_BL}
     */
    public static NDArray distillKlPerToken(NDArray teacher_BLV, NDArray student_BLV, float temperature) {
        NDArray logp = teacher_BLV.div(scalar(teacher_BLV, temperature)).logSoftmax(-1);
        NDArray logq = student_BLV.div(scalar(student_BLV, temperature)).logSoftmax(-1);
        return logp.exp().mul(logp.sub(logq)).sum(new int[] {-1});
    }

    /**
     * The distillation loss: {@code lambda * mean_b( sum_l kl[b,l] / L )} (no scale weighting).
     *
     * @param kl_BL {@link #distillKlPerToken}
     * @param lambda ARBooth's {@code reg_lambda}
     * @return the scalar loss
     */
    public static NDArray distillLoss(NDArray kl_BL, float lambda) {
        long tokens = kl_BL.getShape().get(1);
        NDArray sum = kl_BL.sum(new int[] {1});
        NDArray mean = sum.div(scalar(sum, tokens)).mean();
        return mean.mul(scalar(mean, lambda));
    }

    /**
     * A 0-dim constant in the manager of {@code like} (so it lives as long as the loss's scope). DJL's {@code
     * x.div(Number)} and its kin close their temporary scalar at once although PyTorch keeps it for the backward
     * pass, as a view of a direct buffer the garbage collector may free (see {@code DjlOps#scalar}).
     */
    private static NDArray scalar(NDArray like, float v) {
        return like.getManager().create(v);
    }
}
