package dev.arbooth.internal.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.arbooth.ShapeMismatchException;
import dev.arbooth.config.ScaleSchedule;
import dev.arbooth.internal.format.SafeTensors;
import dev.arbooth.internal.sampling.CodeAccumulator;
import dev.arbooth.testing.Golden;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The engine-free quantizer on the golden encoder output ({@code vae.safetensors}). */
class MultiScaleBsqTest {
    private static final int D = 16;
    private static final int H = 16;

    static ScaleSchedule schedule() {
        return ScaleSchedule.official("1.000", "0.06M");
    }

    @Test
    void goldenRawFeaturesGiveGoldenBitsAndZ() {
        ScaleSchedule schedule = schedule();
        try (SafeTensors vae = Golden.open("infinity-set1/vae.safetensors")) {
            float[] raw = vae.get("vae.raw_features").toFloatArray();
            MultiScaleBsq.Encoding e = MultiScaleBsq.create(D).encode(raw, 1, H, H, schedule);
            assertThat(e.bits()).hasSize(7);
            for (int k = 0; k < schedule.size(); k++) {
                assertThat(e.bits().get(k))
                        .as("bits of scale %d", k)
                        .containsExactly(vae.get("vae.bits.s" + k).toLongArray());
            }
            float[] z = vae.get("vae.z_quantized").toFloatArray();
            assertThat(Golden.maxAbsDiff(e.quantized_NdHW(), z)).isLessThanOrEqualTo(0.0);
            // the bits re-decode to the golden summed codes (official decode_from_indices)
            CodeAccumulator acc = CodeAccumulator.create(schedule, 1, D);
            e.bits().forEach(acc::addBits);
            float[] summed = vae.get("vae.summed_codes_from_bits").toFloatArray();
            assertThat(Golden.maxAbsDiff(acc.summedCodes(), summed)).isLessThanOrEqualTo(0.0);
            // and to the Infinity teacher-forcing input of this image (official flip_requant)
            CodeAccumulator tf = CodeAccumulator.forTraining(schedule, 1, D);
            float[] xBlc = new float[(schedule.totalTokens() - 1) * D];
            for (int k = 0; k < schedule.size() - 1; k++) {
                tf.addBits(e.bits().get(k));
                tf.nextInput(xBlc, schedule.totalTokens() - 1, schedule.offset(k + 1) - 1);
            }
            assertThat(Golden.maxAbsDiff(
                            xBlc, vae.get("vae.flip_requant.x_BLC_wo_prefix").toFloatArray()))
                    .isLessThanOrEqualTo(0.0);
        }
    }

    @Test
    void batchRowsAreIndependentAndShapesAreChecked() {
        ScaleSchedule schedule = ScaleSchedule.of(new int[] {1, 1}, new int[] {2, 3}, new int[] {4, 6});
        int d = 8;
        Random r = new Random(7);
        float[] f = new float[2 * d * 4 * 6];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) r.nextGaussian();
        }
        MultiScaleBsq q = MultiScaleBsq.create(d);
        MultiScaleBsq.Encoding both = q.encode(f, 2, 4, 6, schedule);
        float[] second = java.util.Arrays.copyOfRange(f, d * 24, 2 * d * 24);
        MultiScaleBsq.Encoding one = q.encode(second, 1, 4, 6, schedule);
        for (int k = 0; k < 3; k++) {
            long[] b = both.bits().get(k);
            assertThat(java.util.Arrays.copyOfRange(b, b.length / 2, b.length))
                    .containsExactly(one.bits().get(k));
        }
        // the first scale's bits are the signs of the channel means
        for (int c = 0; c < d; c++) {
            double mean = 0;
            for (int i = 0; i < 24; i++) {
                mean += second[c * 24 + i];
            }
            assertThat(one.bits().get(0)[c]).isEqualTo(mean > 0 ? 1L : 0L);
        }
        assertThatThrownBy(() -> q.encode(new float[5], 1, 4, 6, schedule)).isInstanceOf(ShapeMismatchException.class);
        assertThatThrownBy(() -> q.encode(f, 2, 2, 12, schedule)).hasMessageContaining("larger");
    }
}
