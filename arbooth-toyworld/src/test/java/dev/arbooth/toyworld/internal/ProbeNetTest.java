package dev.arbooth.toyworld.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.arbooth.toyworld.Scene;
import org.junit.jupiter.api.Test;

class ProbeNetTest {
    /**
     * Backpropagation against central finite differences. The loss has kinks (ReLU, max pooling), so a
     * small step is used and the agreement is checked in aggregate: relative error of the gradient vector
     * over sampled parameters of each tensor below 5 %.
     */
    @Test
    void gradientsMatchFiniteDifferences() {
        ProbeNet net = new ProbeNet();
        net.initialise(3);
        ProbeNet.Pass p = new ProbeNet.Pass();
        Scene s = ProbeTraining.sample(7, p.x);
        int[] labels = ProbeTraining.labels(s);
        float[][] g = ProbeTraining.zerosLike(net);
        net.forward(p);
        ProbeTraining.backward(net, p, labels, g);
        float[][] params = net.parameters();
        SplitMix64 r = new SplitMix64(1);
        for (int t = 0; t < params.length; t++) {
            double num = 0;
            double den = 0;
            for (int rep = 0; rep < 12; rep++) {
                int k = r.nextInt(params[t].length);
                float old = params[t][k];
                double eps = 1e-3;
                params[t][k] = (float) (old + eps);
                double lp = loss(net, p, labels);
                params[t][k] = (float) (old - eps);
                double lm = loss(net, p, labels);
                params[t][k] = old;
                double fd = (lp - lm) / (2 * eps);
                num += (fd - g[t][k]) * (fd - g[t][k]);
                den += fd * fd + (double) g[t][k] * g[t][k];
            }
            assertThat(Math.sqrt(num / Math.max(den, 1e-12)))
                    .as(ProbeNet.PARAMETER_NAMES[t])
                    .isLessThan(0.05);
        }
    }

    private static double loss(ProbeNet net, ProbeNet.Pass p, int[] labels) {
        net.forward(p);
        return ProbeTraining.backward(net, p, labels, ProbeTraining.zerosLike(net));
    }

    @Test
    void halfPrecisionRoundTrips() {
        for (float v : new float[] {0f, -0f, 1f, -2.5f, 0.1f, 65504f, 6.1e-5f, 3e-7f, 1e-9f}) {
            float h = ProbeWeights.halfToFloat(ProbeWeights.toHalf(v));
            assertThat((double) h).isCloseTo(v, org.assertj.core.data.Offset.offset(Math.abs(v) * 1e-3 + 6e-8));
        }
        assertThat(ProbeWeights.halfToFloat(ProbeWeights.toHalf(1f / 3))).isEqualTo(0.333251953125f);
    }

    @Test
    void trainingIsDeterministic() {
        ProbeTraining.Options o = new ProbeTraining.Options(2, 2, 1e-3, 1e-4, 5);
        ProbeNet a = ProbeTraining.train(o, 1, line -> {});
        ProbeNet b = ProbeTraining.train(o, 2, line -> {});
        float[][] pa = a.parameters();
        float[][] pb = b.parameters();
        for (int i = 0; i < pa.length; i++) {
            assertThat(pa[i]).containsExactly(pb[i]);
        }
    }
}
