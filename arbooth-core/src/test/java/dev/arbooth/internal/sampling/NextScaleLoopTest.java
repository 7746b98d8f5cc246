package dev.arbooth.internal.sampling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.arbooth.ShapeMismatchException;
import dev.arbooth.config.ScaleSchedule;
import dev.arbooth.internal.format.SafeTensors;
import dev.arbooth.testing.Golden;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The engine-free loop driven by a stepper that replays the golden raw logits of {@code infinity-set1}
 * inference: the loop must hand the stepper the golden next-scale inputs and reproduce the golden CFG logits,
 * bits and summed codes.
 */
class NextScaleLoopTest {
    @Test
    void replayingGoldenRawLogitsReproducesGoldenInference() {
        try (SafeTensors tfInputs = Golden.open("infinity-set1/tf_inputs.safetensors");
                SafeTensors inf = Golden.open("infinity-set1/inference.safetensors")) {
            ScaleSchedule schedule = SamplingGolden.schedule(tfInputs);
            int b = 2;
            int d = SamplingGolden.D;
            List<Integer> calls = new ArrayList<>();
            double[] maxInput = {0};
            ScaleStepper replay = (k, input) -> {
                calls.add(k);
                if (k == 0) {
                    assertThat(input).isNull();
                } else {
                    maxInput[0] = Math.max(
                            maxInput[0],
                            Golden.maxAbsDiff(inf.get("inf.next_input.s" + k).toFloatArray(), input));
                }
                return inf.get("inf.logits_raw.s" + k).toFloatArray();
            };
            double[] maxCfg = {0};
            NextScaleLoop loop =
                    NextScaleLoop.create(schedule, b, d, BitSamplerOptions.of(3.0, 1.0, 1, 0.0, 20250601L));
            NextScaleResult r = loop.run(replay, (k, raw, logits, bits) -> {
                float[] expected = inf.get("inf.logits_cfg.s" + k).toFloatArray();
                float[] actual = java.util.Arrays.copyOf(logits, expected.length);
                maxCfg[0] = Math.max(maxCfg[0], Golden.maxAbsDiff(expected, actual));
            });
            assertThat(calls).containsExactly(0, 1, 2, 3, 4, 5, 6);
            assertThat(maxInput[0]).as("next-scale inputs").isZero();
            assertThat(maxCfg[0]).as("CFG logits").isZero();
            for (int k = 0; k < schedule.size(); k++) {
                assertThat(r.bits(k))
                        .as("bits of scale " + k)
                        .isEqualTo(inf.get("inf.bits.s" + k).toLongArray());
            }
            assertThat(Golden.maxAbsDiff(inf.get("inf.summed_codes").toFloatArray(), r.summedCodes()))
                    .isZero();
            assertThat(r.schedule()).isEqualTo(schedule);
            assertThat(r.batch()).isEqualTo(b);
            assertThat(r.bitsPerToken()).isEqualTo(d);
        }
    }

    @Test
    void rejectsLogitsOfTheWrongSize() {
        ScaleSchedule schedule = ScaleSchedule.of(new int[] {1, 1}, new int[] {2, 2});
        NextScaleLoop guided = NextScaleLoop.create(schedule, 1, 4, BitSamplerOptions.of(2.0, 1.0, 1, 0.0, 1L));
        // B rows only, although cfg != 1 needs 2B
        assertThatThrownBy(() -> guided.run((k, in) -> new float[8]))
                .isInstanceOf(ShapeMismatchException.class)
                .hasMessageContaining("scale 0");
        NextScaleLoop plain = NextScaleLoop.create(schedule, 1, 4, BitSamplerOptions.greedy(1.0, 1.0));
        NextScaleResult r = plain.run((k, in) -> new float[schedule.get(k).tokens() * 8]);
        assertThat(r.bits(1)).hasSize(16);
        ScaleSchedule three = ScaleSchedule.of(new int[] {1, 1}, new int[] {2, 2}, new int[] {3, 3});
        assertThatThrownBy(() -> NextScaleLoop.create(
                        three, 1, 4, new BitSamplerOptions(List.of(1.0, 1.0), List.of(1.0), 0, 0, 0)))
                .isInstanceOf(IndexOutOfBoundsException.class);
    }
}
