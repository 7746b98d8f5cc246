package dev.arbooth.train.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.arbooth.ShapeMismatchException;
import dev.arbooth.config.ScaleSchedule;
import dev.arbooth.config.VaeConfig;
import dev.arbooth.internal.format.StateDict;
import dev.arbooth.internal.nn.MultiScaleBsq;
import dev.arbooth.internal.sampling.Resize;
import dev.arbooth.tensor.Tensor;
import dev.arbooth.train.OptimizerOptions;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link VaeTraining} on a tiny VAE (8×8 images, stride 2, 4×4 latent, d 4, three scales): every parameter gets a
 * gradient, the straight-through estimator carries the reconstruction loss into the encoder, the loss falls on a
 * fixed batch, runs agree per seed up to float rounding (also across a snapshot and restore), and the trained weights load into
 * {@link DjlVae} with the same round trip.
 */
class VaeTrainingTest {
    private static final VaeConfig CONFIG = new VaeConfig(32, List.of(1, 1), 1, 4, 2, 1e-6);
    private static final ScaleSchedule SCHEDULE =
            ScaleSchedule.of(new int[] {1, 1}, new int[] {2, 2}, new int[] {4, 4});
    private static final int SIDE = 8;

    /** Blocky images: a coloured square on a background, in [-1, 1]. */
    private static Tensor images(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[n * 3 * SIDE * SIDE];
        for (int i = 0; i < n; i++) {
            float[] bg = {(float) r.nextDouble(-1, 1), (float) r.nextDouble(-1, 1), (float) r.nextDouble(-1, 1)};
            float[] fg = {(float) r.nextDouble(-1, 1), (float) r.nextDouble(-1, 1), (float) r.nextDouble(-1, 1)};
            int x0 = r.nextInt(4);
            int y0 = r.nextInt(4);
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < SIDE; y++) {
                    for (int x = 0; x < SIDE; x++) {
                        boolean in = x >= x0 && x < x0 + 4 && y >= y0 && y < y0 + 4;
                        v[((i * 3 + c) * SIDE + y) * SIDE + x] = in ? fg[c] : bg[c];
                    }
                }
            }
        }
        return Tensor.ofFloats(v, n, 3, SIDE, SIDE);
    }

    private static VaeTraining.Options options(long seed) {
        return VaeTraining.Options.defaults(seed);
    }

    @Test
    void everyParameterGetsAGradient() {
        try (VaeTraining t = VaeTraining.create(CONFIG, SIDE, SCHEDULE, options(1))) {
            Map<String, Tensor> grads = t.gradients(images(4, 7));
            assertThat(grads).hasSize((int) t.stateDict().keySet().stream()
                    .filter(k -> !k.endsWith("lfq.mask"))
                    .count());
            grads.forEach((k, g) -> assertThat(maxAbs(g)).as(k).isGreaterThan(0f));
        }
    }

    @Test
    void straightThroughEstimatorCarriesTheReconstructionLossIntoTheEncoder() {
        // no commitment, no entropy: the encoder's only path to the loss is through the quantizer's STE
        VaeTraining.Options o =
                new VaeTraining.Options(new OptimizerOptions(1e-3, 0.9, 0.99, 1e-8, 0), 1, 1, 0, 0, 100, 1.0, 1);
        try (VaeTraining t = VaeTraining.create(CONFIG, SIDE, SCHEDULE, o)) {
            Map<String, Tensor> grads = t.gradients(images(4, 7));
            assertThat(maxAbs(grads.get("encoder.conv_in.conv.weight"))).isGreaterThan(1e-6f);
            assertThat(maxAbs(grads.get("encoder.conv_out.conv.weight"))).isGreaterThan(1e-6f);
        }
    }

    @Test
    void lossFallsOnAFixedBatch() {
        Tensor batch = images(8, 3);
        try (VaeTraining t = VaeTraining.create(CONFIG, SIDE, SCHEDULE, options(2))) {
            double before = VaeTraining.psnr(batch, t.reconstruct(batch));
            float first = 0;
            float last = 0;
            for (int i = 0; i < 30; i++) {
                VaeTraining.Losses l = t.step(batch);
                if (i == 0) {
                    first = l.l1() + l.mse();
                }
                last = l.l1() + l.mse();
            }
            double after = VaeTraining.psnr(batch, t.reconstruct(batch));
            assertThat(last).isLessThan(0.7f * first);
            assertThat(after).isGreaterThan(before + 1.0);
            assertThat(t.steps()).isEqualTo(30);
        }
    }

    // Equal up to float rounding, not bit for bit: on this machine some runs' encoder gradients differ in the last
    // bits (cause not found: not the alignment of the parameters' memory; the CPU convolution kernels are suspected),
    // which AdamW amplifies for near-zero gradients. Repeated so that such a run shows. Some runs also meet a
    // non-finite gradient that another run of the same seed does not (a known defect, docs/toy-model.md "Known
    // defects"): the step is skipped there, so weights are compared only between runs that skipped the same steps;
    // the first step's loss (before any update) always.
    @org.junit.jupiter.api.RepeatedTest(4)
    void reproduciblePerSeedAndAcrossRestore() {
        Tensor a = images(4, 11);
        Tensor b = images(4, 12);
        Map<String, Tensor> snap;
        Map<String, Tensor> straight;
        VaeTraining.Losses firstA;
        boolean[] skipsStraight = new boolean[2];
        try (VaeTraining t = VaeTraining.create(CONFIG, SIDE, SCHEDULE, options(5))) {
            firstA = t.step(a);
            skipsStraight[0] = firstA.skipped();
            snap = t.snapshot();
            skipsStraight[1] = t.step(b).skipped();
            straight = t.stateDict();
        }
        try (VaeTraining u = VaeTraining.create(CONFIG, SIDE, SCHEDULE, options(5))) {
            VaeTraining.Losses firstU = u.step(a);
            assertThat((double) firstU.total())
                    .isCloseTo(firstA.total(), org.assertj.core.data.Offset.offset(1e-6 * Math.abs(firstA.total())));
            boolean[] skips = {firstU.skipped(), u.step(b).skipped()};
            if (java.util.Arrays.equals(skips, skipsStraight)) {
                assertClose(u.stateDict(), straight);
            }
        }
        try (VaeTraining v = VaeTraining.create(CONFIG, SIDE, SCHEDULE, options(99))) {
            v.restore(snap);
            assertThat(v.steps()).isEqualTo(1);
            boolean skipped = v.step(b).skipped();
            if (skipped == skipsStraight[1]) {
                assertClose(v.stateDict(), straight);
            }
        }
        try (VaeTraining w = VaeTraining.create(CONFIG, SIDE, SCHEDULE, options(6))) {
            w.step(a);
            w.step(b);
            float[] x = w.stateDict().get("decoder.conv_out.conv.weight").toFloatArray();
            float[] y = straight.get("decoder.conv_out.conv.weight").toFloatArray();
            int differ = 0;
            for (int i = 0; i < x.length; i++) {
                differ += Math.abs(x[i] - y[i]) > 1e-5f ? 1 : 0;
            }
            assertThat(differ).as("another seed").isGreaterThan(x.length / 2);
        }
    }

    @Test
    void trainedWeightsRoundTripThroughDjlVae() {
        Tensor batch = images(3, 21);
        try (VaeTraining t = VaeTraining.create(CONFIG, SIDE, SCHEDULE, options(8))) {
            for (int i = 0; i < 3; i++) {
                t.step(batch);
            }
            Tensor mine = t.reconstruct(batch);
            try (DjlVae vae = DjlVae.create(CONFIG, StateDict.of(t.stateDict()))) {
                MultiScaleBsq.Encoding e = vae.encode(batch, SCHEDULE);
                Tensor theirs = vae.decodeBits(e.bits(), 3, SCHEDULE);
                float[] x = mine.toFloatArray();
                float[] y = theirs.toFloatArray();
                for (int i = 0; i < x.length; i++) {
                    assertThat(x[i]).as("pixel %d", i).isCloseTo(y[i], org.assertj.core.data.Offset.offset(1e-4f));
                }
            }
        }
    }

    @Test
    void zeroFeaturesGiveFiniteGradients() {
        // a position whose residual is exactly zero: the first real run's step 2 was NaN with norm()'s backward
        try (ai.djl.ndarray.NDManager m = DjlEngine.pytorch(1).newBaseManager()) {
            TrainableBsq q = new TrainableBsq(m, 4, 4, 4, SCHEDULE, TrainableBsq.Weights.infinity());
            ai.djl.ndarray.NDArray f = m.zeros(new ai.djl.ndarray.types.Shape(2, 4, 4, 4));
            f.setRequiresGradient(true);
            try (ai.djl.training.GradientCollector gc = m.getEngine().newGradientCollector()) {
                TrainableBsq.Output o = q.forward(f);
                gc.backward(o.aux().add(o.z_NdHW().sum()));
            }
            for (float g : f.getGradient().toFloatArray()) {
                assertThat(Float.isFinite(g)).isTrue();
            }
        }
    }

    @Test
    void resizeMatricesEqualTheKernels() {
        float[] img = new float[16];
        SplittableRandom r = new SplittableRandom(4);
        for (int i = 0; i < img.length; i++) {
            img[i] = (float) r.nextGaussian();
        }
        float[] m = TrainableBsq.matrix(Resize.AREA, 4, 4, 3, 3);
        float[] want = new float[9];
        Resize.AREA.apply(img, 1, 4, 4, want, 3, 3);
        for (int o = 0; o < 9; o++) {
            double s = 0;
            for (int i = 0; i < 16; i++) {
                s += img[i] * m[i * 9 + o];
            }
            assertThat((float) s).isCloseTo(want[o], org.assertj.core.data.Offset.offset(1e-5f));
        }
    }

    @Test
    void refusesImagesOfAnotherSize() {
        try (VaeTraining t = VaeTraining.create(CONFIG, SIDE, SCHEDULE, options(1))) {
            assertThatThrownBy(() -> t.step(Tensor.ofFloats(new float[3 * 16 * 16], 1, 3, 16, 16)))
                    .isInstanceOf(ShapeMismatchException.class)
                    .hasMessageContaining("(N, 3, 8, 8)");
        }
        assertThatThrownBy(() -> new VaeTraining.Options(
                        new OptimizerOptions(1e-3, 0.9, 0.99, 1e-8, 0), 0, 0, 0.25, 0.1, 100, 1.0, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not both 0");
    }

    private static float maxAbs(Tensor t) {
        float m = 0;
        for (float v : t.toFloatArray()) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }

    /**
     * Equal up to float rounding as AdamW amplifies it: AdamW's first steps move a weight by about ±lr whatever the
     * gradient's size, so a gradient within rounding of zero may move its weight either way; at most 2 % of the
     * elements may differ by more than 1e-5 (a different seed moves nearly all of them).
     */
    private static void assertClose(Map<String, Tensor> a, Map<String, Tensor> b) {
        assertThat(a.keySet()).isEqualTo(b.keySet());
        long n = 0;
        long off = 0;
        for (Map.Entry<String, Tensor> e : a.entrySet()) {
            if (e.getValue().dtype().isFloatingPoint()) {
                float[] x = e.getValue().toFloatArray();
                float[] y = b.get(e.getKey()).toFloatArray();
                assertThat(x).as(e.getKey()).hasSameSizeAs(y);
                for (int i = 0; i < x.length; i++) {
                    n++;
                    if (Math.abs(x[i] - y[i]) > 1e-5f) {
                        off++;
                    }
                }
            }
        }
        assertThat((double) off / n)
                .as(off + " of " + n + " elements differ by more than 1e-5")
                .isLessThan(0.02);
    }
}
