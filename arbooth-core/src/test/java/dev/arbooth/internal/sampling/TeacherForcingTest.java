package dev.arbooth.internal.sampling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.arbooth.ShapeMismatchException;
import dev.arbooth.config.ScaleSchedule;
import dev.arbooth.internal.format.SafeTensors;
import dev.arbooth.testing.Golden;
import java.util.List;
import org.junit.jupiter.api.Test;

class TeacherForcingTest {
    private static final int D = SamplingGolden.D;

    @Test
    void inputsAndTargetsMatchOfficialFlipRequant() {
        try (SafeTensors tf = Golden.open("infinity-set1/tf_inputs.safetensors")) {
            ScaleSchedule schedule = SamplingGolden.schedule(tf);
            List<long[]> bits = SamplingGolden.perScaleLongs(tf, "gt_bits.s", schedule.size());
            float[] x = TeacherForcing.inputs(schedule, 2, D, bits);
            float[] expected = tf.get("x_BLC_wo_prefix").toFloatArray();
            double err = Golden.maxAbsDiff(expected, x);
            System.out.println("[golden] tf x_BLC_wo_prefix: max abs err " + err + " ("
                    + SamplingGolden.maxUlps(expected, x) + " ulp)");
            // README tolerance ~2e-7 (the channels-last kernel differs by 1 ulp, checks.json: 1.19e-07); the
            // contiguous-tensor kernel that flip_requant runs is reproduced exactly.
            assertThat(err).isZero();
            float[] inferenceFlavour = new float[x.length];
            TeacherForcing.inputs(CodeAccumulator.create(schedule, 2, D), bits, inferenceFlavour);
            double other = Golden.maxAbsDiff(expected, inferenceFlavour);
            System.out.println("[golden] tf x_BLC_wo_prefix with the channels-last kernel: max abs err " + other);
            assertThat(other).isLessThanOrEqualTo(2.4e-7);
            assertThat(TeacherForcing.targets(schedule, 2, D, bits))
                    .containsExactly(tf.get("gt_BL").toLongArray());
        }
    }

    @Test
    void vaeImageInputsMatchOfficialFlipRequant() {
        try (SafeTensors tf = Golden.open("infinity-set1/tf_inputs.safetensors");
                SafeTensors vae = Golden.open("infinity-set1/vae.safetensors")) {
            ScaleSchedule schedule = SamplingGolden.schedule(tf);
            List<long[]> bits = SamplingGolden.perScaleLongs(vae, "vae.bits.s", schedule.size());
            float[] expected = vae.get("vae.flip_requant.x_BLC_wo_prefix").toFloatArray();
            float[] x = TeacherForcing.inputs(schedule, 1, D, bits);
            double err = Golden.maxAbsDiff(expected, x);
            System.out.println("[golden] vae.flip_requant.x_BLC_wo_prefix: max abs err " + err);
            assertThat(err).isZero(); // README tolerance ~2e-7
            assertThat(TeacherForcing.targets(schedule, 1, D, bits))
                    .containsExactly(vae.get("vae.flip_requant.gt_BL").toLongArray());
        }
    }

    @Test
    void rejectsMissingScalesAndWrongBuffers() {
        ScaleSchedule schedule = ScaleSchedule.of(new int[] {1, 1}, new int[] {2, 2});
        assertThatThrownBy(() -> TeacherForcing.inputs(schedule, 1, 2, List.of(new long[2])))
                .isInstanceOf(ShapeMismatchException.class)
                .hasMessageContaining("one array per scale");
        assertThatThrownBy(() -> TeacherForcing.targets(schedule, 1, 2, List.of(new long[2], new long[7])))
                .isInstanceOf(ShapeMismatchException.class)
                .hasMessageContaining("bits_BhwD[1]");
        CodeAccumulator acc = CodeAccumulator.create(schedule, 1, 2);
        assertThatThrownBy(() -> TeacherForcing.inputs(acc, List.of(new long[2], new long[8]), new float[7]))
                .isInstanceOf(ShapeMismatchException.class)
                .hasMessageContaining("x_BLd");
    }
}
