package dev.arbooth.internal.sampling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.arbooth.ShapeMismatchException;
import dev.arbooth.config.Scale;
import dev.arbooth.config.ScaleSchedule;
import dev.arbooth.internal.format.SafeTensors;
import dev.arbooth.testing.Golden;
import org.junit.jupiter.api.Test;

class BitCodesTest {
    @Test
    void teacherForcingCodesMatchGolden() {
        try (SafeTensors tf = Golden.open("infinity-set1/tf_inputs.safetensors")) {
            ScaleSchedule schedule = SamplingGolden.schedule(tf);
            assertThat(schedule.size()).isEqualTo(7);
            double worst = checkScales(tf, schedule, "gt_bits.s", "codes.s");
            System.out.println("[golden] tf_inputs codes.s* from gt_bits.s*: max abs err " + worst);
            assertThat(worst).isZero();
        }
    }

    @Test
    void inferenceCodesMatchGolden() {
        try (SafeTensors tf = Golden.open("infinity-set1/tf_inputs.safetensors");
                SafeTensors inf = Golden.open("infinity-set1/inference.safetensors")) {
            double worst = checkScales(inf, SamplingGolden.schedule(tf), "inf.bits.s", "inf.codes.s");
            System.out.println("[golden] inf.codes.s* from inf.bits.s*: max abs err " + worst);
            assertThat(worst).isZero();
        }
    }

    private static double checkScales(SafeTensors st, ScaleSchedule schedule, String bitsPrefix, String codesPrefix) {
        double worst = 0;
        for (int k = 0; k < schedule.size(); k++) {
            Scale s = schedule.get(k);
            long[] bitsShape = st.shape(bitsPrefix + k);
            int batch = (int) bitsShape[0];
            assertThat(bitsShape).containsExactly(batch, 1, s.h(), s.w(), SamplingGolden.D);
            float[] codes =
                    BitCodes.toCodes(st.get(bitsPrefix + k).toLongArray(), batch, s.h(), s.w(), SamplingGolden.D);
            float[] expected = st.get(codesPrefix + k).toFloatArray();
            worst = Math.max(worst, Golden.maxAbsDiff(expected, codes));
        }
        return worst;
    }

    @Test
    void codeMagnitudeIsTheNormalisedScaleWithinTwoUlps() {
        // The float32 norm of d copies of s*s is 1 only up to rounding; PyTorch's reduction order may differ.
        assertThat(BitCodes.codeMagnitude(16)).isEqualTo(0.25f);
        assertThat(BitCodes.codeMagnitude(4)).isEqualTo(0.5f);
        for (int d : new int[] {1, 3, 5, 7, 12, 18, 24, 32, 64}) {
            float ideal = (float) (1.0 / Math.sqrt(d));
            assertThat((double) Math.abs(BitCodes.codeMagnitude(d) - ideal))
                    .as("d=%d", d)
                    .isLessThanOrEqualTo(2 * Math.ulp(ideal));
        }
    }

    @Test
    void transposesBhwdToBdhw() {
        // B=1, h=1, w=2, d=2: token 0 bits (1,0), token 1 bits (0,1); d=2 gives c = 1/sqrt(2) rounded.
        float c = BitCodes.codeMagnitude(2);
        float[] codes = BitCodes.toCodes(new long[] {1, 0, 0, 1}, 1, 1, 2, 2);
        assertThat(codes).containsExactly(c, -c, -c, c); // (d=0: tok0, tok1), (d=1: tok0, tok1)
    }

    @Test
    void rejectsBadBitsAndShapes() {
        assertThatThrownBy(() -> BitCodes.toCodes(new long[] {0, 2}, 1, 1, 1, 2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bits_BhwD[1] = 2");
        assertThatThrownBy(() -> BitCodes.toCodes(new long[] {0, 1, 1}, 1, 1, 1, 2))
                .isInstanceOf(ShapeMismatchException.class)
                .hasMessageContaining("bits_BhwD");
    }
}
