package dev.arbooth.train.internal;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.arbooth.config.InfinityConfig;
import dev.arbooth.config.ScaleSchedule;
import dev.arbooth.internal.format.SafeTensors;
import dev.arbooth.internal.format.StateDict;
import dev.arbooth.internal.nn.ForwardingOps;
import dev.arbooth.internal.nn.InfinityNet;
import dev.arbooth.internal.nn.InfinityText;
import dev.arbooth.internal.nn.Ops;
import dev.arbooth.internal.sampling.TeacherForcing;
import dev.arbooth.internal.weights.InfinityPart;
import dev.arbooth.internal.weights.InfinityWeights;
import dev.arbooth.tensor.Tensor;
import dev.arbooth.testing.Golden;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The networks call every linear layer by its official key ({@link Ops#linearLayer}), so a decorator over the
 * ops can change chosen layers without touching any other op: the shape of the trainer's LoRA. A decorator that
 * adds {@code x (B A)ᵀ} to ARBooth's linears (the rank-2 term of a LoRA) gives the logits of the model whose
 * weights are {@code W + B A} (the fused adapter), and it sees exactly the layers the weight table names.
 */
class LinearLayerHookTest {
    private static final InfinityConfig SET1 = InfinityConfig.goldenSet1();
    private static final int RANK = 2;

    /** Adds a low-rank term to the targeted layers and records every layer key it is called with. */
    private static final class LowRank extends ForwardingOps<NDArray> {
        final Map<String, float[][]> ab; // key -> {A (r, in), B (out, r)}
        final Set<String> seen = new LinkedHashSet<>();

        LowRank(Ops<NDArray> delegate, Map<String, float[][]> ab) {
            super(delegate);
            this.ab = ab;
        }

        @Override
        public NDArray linearLayer(NDArray x, String weightKey, NDArray bias) {
            seen.add(weightKey);
            return plusLowRank(x, weightKey, super.linearLayer(x, weightKey, bias));
        }

        @Override
        public NDArray linearLayerGeluTanh(NDArray x, String weightKey, NDArray bias) {
            seen.add(weightKey);
            if (!ab.containsKey(weightKey)) {
                return super.linearLayerGeluTanh(x, weightKey, bias);
            }
            return geluTanh(plusLowRank(x, weightKey, super.linearLayer(x, weightKey, bias)));
        }

        private NDArray plusLowRank(NDArray x, String key, NDArray y) {
            float[][] m = ab.get(key);
            if (m == null) {
                return y;
            }
            long[] w = shape(weight(key));
            NDArray a = constant(m[0], RANK, w[1]);
            NDArray b = constant(m[1], w[0], RANK);
            return add(y, linear(linear(x, a, null), b, null));
        }
    }

    @Test
    void lowRankDecoratorEqualsFusedWeightsAndSeesEveryNamedLayer() {
        ScaleSchedule schedule;
        try (SafeTensors tf = Golden.open("infinity-set1/tf_inputs.safetensors")) {
            schedule = Golden.schedule(tf);
        }
        Map<String, Tensor> base;
        try (SafeTensors st = Golden.open("infinity-set1/transformer_weights.safetensors")) {
            base = new LinkedHashMap<>();
            InfinityWeights.bind(SET1, st).forEach((k, v) -> base.put(k, Tensor.ofFloats(v.toFloatArray(), v.shape())));
        }
        List<String> targets = InfinityWeights.linearWeights(SET1, InfinityPart.ARBOOTH);
        assertThat(targets).hasSize(5 * SET1.depth()).allMatch(k -> k.matches(".*\\.(ca|ffn)\\..*weight"));
        Random rnd = new Random(3);
        Map<String, float[][]> ab = new LinkedHashMap<>();
        Map<String, Tensor> fused = new LinkedHashMap<>(base);
        for (String key : targets) {
            long[] s = base.get(key).shape();
            float[] a = gaussian(rnd, RANK * (int) s[1], 0.05);
            float[] b = gaussian(rnd, (int) s[0] * RANK, 0.05);
            ab.put(key, new float[][] {a, b});
            float[] w = base.get(key).toFloatArray();
            for (int o = 0; o < s[0]; o++) {
                for (int i = 0; i < s[1]; i++) {
                    double d = 0;
                    for (int r = 0; r < RANK; r++) {
                        d += (double) b[o * RANK + r] * a[r * (int) s[1] + i];
                    }
                    w[o * (int) s[1] + i] += (float) d;
                }
            }
            fused.put(key, Tensor.ofFloats(w, s));
        }
        int[] lens = {5, 9};
        float[] text = gaussian(rnd, (lens[0] + lens[1]) * SET1.textChannels(), 1.0);
        List<long[]> bits = new ArrayList<>();
        for (int k = 0; k < schedule.size(); k++) {
            long[] bk = new long[lens.length * schedule.get(k).tokens() * SET1.bitsPerToken()];
            for (int i = 0; i < bk.length; i++) {
                bk[i] = rnd.nextBoolean() ? 1 : 0;
            }
            bits.add(bk);
        }
        float[] x = TeacherForcing.inputs(schedule, lens.length, SET1.bitsPerToken(), bits);

        float[] viaDecorator;
        Set<String> seen;
        try (DjlInfinity model = DjlInfinity.create(SET1, StateDict.of(base));
                NDManager sub = model.ops().manager().newSubManager()) {
            LowRank lora = new LowRank(model.ops().scoped(sub), ab);
            InfinityNet net = model.net();
            InfinityText<NDArray> t = net.conditionText(lora, lora.constant(text, 14, SET1.textChannels()), lens);
            NDArray in = lora.constant(x, lens.length, schedule.totalTokens() - 1, SET1.bitsPerToken());
            viaDecorator = net.forward(lora, t, in, schedule).logits_BLV().toFloatArray();
            seen = lora.seen;
        }
        float[] viaFused;
        try (DjlInfinity model = DjlInfinity.create(SET1, StateDict.of(fused));
                NDManager sub = model.ops().manager().newSubManager()) {
            DjlOps scope = model.ops().scoped(sub);
            viaFused = model.forward(scope, model.conditionText(scope, text, lens), x, schedule)
                    .logits_BLV()
                    .toFloatArray();
        }
        double diff = Golden.maxAbsDiff(viaFused, viaDecorator);
        System.out.println("low-rank decorator vs fused weights: logits max abs diff " + diff);
        assertThat(diff).isLessThan(1e-5); // float32 rounding: x(W+BA)^T vs xW^T + (xA^T)B^T (measured 1.2e-6)
        assertThat(seen)
                .containsExactlyInAnyOrderElementsOf(
                        InfinityWeights.linearWeights(SET1, EnumSet.allOf(InfinityPart.class)));
    }

    private static float[] gaussian(Random rnd, int n, double std) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (std * rnd.nextGaussian());
        }
        return v;
    }
}
