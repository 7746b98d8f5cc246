package dev.arbooth.toyworld.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.arbooth.ArboothException;
import dev.arbooth.internal.io.AtomicFiles;
import dev.arbooth.toyworld.Scene;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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

    /** A run stopped after a checkpoint and resumed gives exactly the weights of an uninterrupted run. */
    @Test
    void resumedTrainingEqualsUninterrupted(@TempDir Path dir) {
        ProbeTraining.Options o = new ProbeTraining.Options(4, 2, 1e-3, 1e-4, 5);
        ProbeNet whole = ProbeTraining.train(o, 1, line -> {});
        Path ckpt = dir.resolve("probes.ckpt");
        ProbeNet stopped = ProbeTraining.trainUntil(o, 1, line -> {}, ckpt, 2, 2); // a "crash" after step 2
        assertThat(stopped.parameters()[0]).isNotEqualTo(whole.parameters()[0]);
        List<String> log = new ArrayList<>();
        ProbeNet resumed = ProbeTraining.train(o, 1, log::add, ckpt, 2);
        assertThat(log.get(0)).contains("resumed").contains("step 2/4");
        float[][] pw = whole.parameters();
        float[][] pr = resumed.parameters();
        for (int i = 0; i < pw.length; i++) {
            assertThat(pr[i]).containsExactly(pw[i]);
        }
        ProbeTraining.Options other = new ProbeTraining.Options(5, 2, 1e-3, 1e-4, 5);
        assertThatThrownBy(() -> ProbeTraining.train(other, 1, line -> {}, ckpt, 2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("written with");
        Path broken = dir.resolve("broken.ckpt");
        AtomicFiles.write(broken, new byte[] {0x54, 0x57, 0x50, 0x43, 0, 0, 0, 1, 0});
        assertThatThrownBy(() -> ProbeTraining.train(o, 1, line -> {}, broken, 2))
                .isInstanceOf(ArboothException.class)
                .hasMessageContaining(broken.toString())
                .hasMessageContaining("truncated");
    }
}
