package dev.arbooth.pretrain;

import dev.arbooth.config.InfinityConfig;
import dev.arbooth.internal.format.TensorSpec;
import dev.arbooth.internal.weights.InfinityTensor;
import dev.arbooth.internal.weights.InfinityWeights;
import dev.arbooth.tensor.Tensor;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Seeded initial weights of an Infinity transformer trained from scratch, after the official {@code init_weights}
 * in spirit: matrices {@code N(0, 1/(3C))}, biases 0, norm weights 1, the head scaled by 0.02 (near-uniform first
 * predictions), the AdaLN projections and tables scaled by 0.5, cosine-attention multipliers {@code log 4}, position
 * and level embeddings {@code N(0, 0.02²)}, the unconditional text rows {@code N(0, 1)} (the scale of the frozen
 * encoder's RMS-normalised features), the {@code zero_k_bias} buffers 0.
 */
final class InfinityInit {
    private InfinityInit() {}

    static Map<String, Tensor> weights(InfinityConfig c, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double std = Math.sqrt(1.0 / (3.0 * c.embedDim()));
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (TensorSpec spec : InfinityWeights.expected(c)) {
            String name = spec.name();
            long[] shape = spec.shape();
            float[] v = new float[Math.toIntExact(Tensor.numel(shape))];
            InfinityTensor t = InfinityWeights.tensorOf(c, name);
            if (!InfinityWeights.isBuffer(name)) {
                switch (t) {
                    case TEXT_NORM, CA_NORM_WEIGHT -> Arrays.fill(v, 1f);
                    case SA_SCALE_MUL -> Arrays.fill(v, (float) Math.log(4));
                    case CFG_UNCOND -> gaussian(v, r, 1.0);
                    case POS_START, LVL_EMBED, POOL_MAT_Q -> gaussian(v, r, 0.02);
                    case ADA_GSS -> gaussian(v, r, 0.5 / Math.sqrt(c.embedDim()));
                    case HEAD_WEIGHT, PLAIN_HEAD_WEIGHT -> gaussian(v, r, 0.02 * std);
                    case SHARED_ADA_LIN_WEIGHT, ADA_LIN_WEIGHT, HEAD_NM_WEIGHT -> gaussian(v, r, 0.5 * std);
                    case PLAIN_HEAD_NORM_WEIGHT -> Arrays.fill(v, 1f);
                    default -> {
                        if (shape.length >= 2) {
                            gaussian(v, r, std);
                        }
                    }
                }
            }
            out.put(name, Tensor.ofFloats(v, shape));
        }
        return out;
    }

    private static void gaussian(float[] v, SplittableRandom r, double std) {
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (std * r.nextGaussian());
        }
    }
}
