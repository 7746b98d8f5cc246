package dev.arbooth.internal.sampling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.arbooth.config.Scale;
import dev.arbooth.config.ScaleSchedule;
import dev.arbooth.internal.format.SafeTensors;
import dev.arbooth.testing.Golden;
import java.util.List;
import org.junit.jupiter.api.Test;

class CodeAccumulatorTest {
    private static final int D = SamplingGolden.D;

    private static ScaleSchedule schedule() {
        try (SafeTensors tf = Golden.open("infinity-set1/tf_inputs.safetensors")) {
            return SamplingGolden.schedule(tf);
        }
    }

    /** Feeds the bits of every scale; returns the worst next-input error against {@code prefix + k}. */
    private static double replay(CodeAccumulator acc, SafeTensors st, String bitsPrefix, String nextPrefix) {
        ScaleSchedule schedule = acc.schedule();
        double worst = 0;
        for (int k = 0; k < schedule.size(); k++) {
            assertThat(acc.scalesAdded()).isEqualTo(k);
            acc.addBits(st.get(bitsPrefix + k).toLongArray());
            if (k < schedule.size() - 1) {
                float[] expected = st.get(nextPrefix + (k + 1)).toFloatArray();
                worst = Math.max(worst, Golden.maxAbsDiff(expected, acc.nextInput()));
            }
        }
        assertThat(acc.complete()).isTrue();
        return worst;
    }

    @Test
    void inferenceNextInputsAndSumMatchGolden() {
        ScaleSchedule schedule = schedule();
        try (SafeTensors inf = Golden.open("infinity-set1/inference.safetensors")) {
            CodeAccumulator acc = CodeAccumulator.create(schedule, 2, D);
            double next = replay(acc, inf, "inf.bits.s", "inf.next_input.s");
            double sum = Golden.maxAbsDiff(inf.get("inf.summed_codes").toFloatArray(), acc.summedCodes());
            System.out.println("[golden] inf.next_input.s1..s6: max abs err " + next + "; inf.summed_codes: " + sum);
            // README tolerance 1e-6; Java's strict float arithmetic and Math.fma reproduce PyTorch's kernel exactly.
            assertThat(next).isZero();
            assertThat(sum).isZero();

            // PyTorch's contiguous-tensor kernel rounds differently by an ulp (README checks: 1.19e-7).
            double otherFlavour = replay(
                    CodeAccumulator.create(schedule, 2, D, Resize.TRILINEAR, Resize.TRILINEAR),
                    inf,
                    "inf.bits.s",
                    "inf.next_input.s");
            System.out.println(
                    "[golden] inf.next_input.s1..s6 with the channels-first kernel: max abs err " + otherFlavour);
            assertThat(otherFlavour).isGreaterThan(0).isLessThanOrEqualTo(2.4e-7);

            // The same accumulator, reset, rebuilds inf.x_BLC_wo_prefix through the teacher-forcing path.
            float[] x = new float[2 * (schedule.totalTokens() - 1) * D];
            TeacherForcing.inputs(acc, SamplingGolden.perScaleLongs(inf, "inf.bits.s", schedule.size()), x);
            double xErr = Golden.maxAbsDiff(inf.get("inf.x_BLC_wo_prefix").toFloatArray(), x);
            System.out.println("[golden] inf.x_BLC_wo_prefix: max abs err " + xErr);
            assertThat(xErr).isZero();
        }
    }

    @Test
    void arboothAreaNextInputsMatchGolden() {
        try (SafeTensors arb = Golden.open("infinity-set1/arbooth_variant.safetensors")) {
            CodeAccumulator acc = CodeAccumulator.create(schedule(), 2, D, Resize.AREA);
            double next = replay(acc, arb, "arb.inf.bits.s", "arb.inf.next_input.s");
            System.out.println("[golden] arb.inf.next_input.s1..s6 (AREA): max abs err " + next);
            assertThat(next).isZero(); // README tolerance 1e-6
        }
    }

    @Test
    void vaeQuantizerAreaInputsAndSumMatchGolden() {
        // MultiScaleBSQ's var_input.s(k+1) = AREA(running quantized sum -> scale k+1); for d = 16 the quantized
        // residuals equal the codes of the bits exactly (checks.json: vae_z_vs_summed_codes_from_bits_maxabs 0).
        ScaleSchedule schedule = schedule();
        Scale last = schedule.last();
        try (SafeTensors vae = Golden.open("infinity-set1/vae.safetensors")) {
            CodeAccumulator acc = CodeAccumulator.create(schedule, 1, D, Resize.AREA);
            double worst = 0;
            for (int k = 0; k < schedule.size(); k++) {
                acc.addBits(vae.get("vae.bits.s" + k).toLongArray());
                if (k < schedule.size() - 1) {
                    Scale next = schedule.get(k + 1);
                    float[] expected = SamplingGolden.toTokens(
                            vae.get("vae.var_input.s" + (k + 1)).toFloatArray(), 1, D, next.tokens());
                    worst = Math.max(worst, Golden.maxAbsDiff(expected, acc.nextInput()));
                }
            }
            double sum = Golden.maxAbsDiff(vae.get("vae.summed_codes_from_bits").toFloatArray(), acc.summedCodes());
            double z = Golden.maxAbsDiff(vae.get("vae.z_quantized").toFloatArray(), acc.summedCodes());
            System.out.println("[golden] vae.var_input.s1..s6 (AREA): max abs err " + worst
                    + "; vae.summed_codes_from_bits: " + sum + "; vae.z_quantized: " + z);
            assertThat(worst).isZero(); // README tolerance 1e-6
            assertThat(sum).isZero();
            assertThat(z).isZero();
            assertThat(last.tokens()).isEqualTo(256);
        }
    }

    @Test
    void guardsTheScaleOrder() {
        ScaleSchedule schedule = ScaleSchedule.of(new int[] {1, 1}, new int[] {2, 2});
        CodeAccumulator acc = CodeAccumulator.create(schedule, 1, 4);
        assertThatThrownBy(acc::nextInput).isInstanceOf(IllegalStateException.class);
        acc.addBits(new long[] {1, 0, 1, 0});
        float[] next = acc.nextInput();
        // A 1x1 code upsampled to 2x2 is constant: every token is the code itself.
        float c = BitCodes.codeMagnitude(4);
        assertThat(next).containsExactly(c, -c, c, -c, c, -c, c, -c, c, -c, c, -c, c, -c, c, -c);
        acc.addCodes(new float[16]);
        assertThat(acc.complete()).isTrue();
        assertThatThrownBy(acc::nextInput).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> acc.addCodes(new float[16])).isInstanceOf(IllegalStateException.class);
        acc.reset();
        assertThat(acc.summedCodes()).containsOnly(0f);
        assertThat(List.of(acc.scalesAdded())).containsExactly(0);
    }
}
