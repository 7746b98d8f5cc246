package dev.arbooth.train.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.arbooth.config.InfinityConfig;
import dev.arbooth.config.ScaleSchedule;
import dev.arbooth.config.VaeConfig;
import dev.arbooth.internal.format.SafeTensors;
import dev.arbooth.internal.sampling.BitSamplerOptions;
import dev.arbooth.internal.sampling.NextScaleLoop;
import dev.arbooth.internal.sampling.NextScaleResult;
import dev.arbooth.testing.Golden;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The whole sampling path on DJL, end to end: prompt features → KV-cached transformer steps (CFG, seeded
 * bit sampling, code sum, all through the engine-free {@link NextScaleLoop}) → VAE decoder → image, against
 * {@code inference.safetensors} of {@code infinity-set1}. Tolerances from the golden README: bits exact,
 * decoded image 5e-4 abs, the uint8 image within one level (the official truncation {@code (x+1)/2*255}
 * can flip at a level boundary under a 5e-4 difference).
 */
@Tag("slow")
class DjlSamplingPipelineGoldenTest {
    @Test
    void promptFeaturesToDecodedImageMatchGolden() {
        try (DjlInfinity model = DjlInfinity.load(
                        InfinityConfig.goldenSet1(), Golden.golden("infinity-set1/transformer_weights.safetensors"));
                DjlVae vae =
                        DjlVae.load(Golden.golden("infinity-set1/vae_weights.safetensors"), VaeConfig.goldenSet1());
                SafeTensors inf = Golden.open("infinity-set1/inference.safetensors")) {
            ScaleSchedule schedule;
            int[] lens;
            float[] text;
            try (SafeTensors inputs = Golden.open("infinity-set1/tf_inputs.safetensors")) {
                text = inputs.get("text.kv_compact").toFloatArray();
                lens = inputs.get("text.lens").toIntArray();
                schedule = Golden.schedule(inputs);
            }
            int d = model.config().bitsPerToken();
            NextScaleLoop loop =
                    NextScaleLoop.create(schedule, lens.length, d, BitSamplerOptions.of(3.0, 1.0, 1, 0.0, 20250601L));
            NextScaleResult result;
            try (DjlInfinity.Stepper stepper = model.stepper(text, lens, schedule, true)) {
                result = loop.run(stepper);
            }
            long[] bits = flatten(result);
            assertThat(bits).isEqualTo(inf.get("inf.bits_BLd").toLongArray());

            float[] image = result.decode(vae);
            float[] expected = inf.get("inf.decoded_img").toFloatArray();
            double diff = Golden.maxAbsDiff(expected, image);
            System.out.printf("infinity-set1 sampled+decoded image max abs diff %.3g%n", diff);
            assertThat(diff).isLessThanOrEqualTo(5e-4);

            // The official uint8 BGR image: ((img + 1) / 2 * 255) truncated, channels flipped, (B, H, W, 3).
            long[] bgr = inf.get("inf.img_uint8_bgr").toLongArray();
            int b = lens.length;
            int hw = 128 * 128;
            int worst = 0;
            for (int n = 0; n < b; n++) {
                for (int c = 0; c < 3; c++) {
                    for (int p = 0; p < hw; p++) {
                        int ours = (int) ((image[(n * 3 + c) * hw + p] + 1f) / 2f * 255f);
                        int theirs = (int) bgr[(n * hw + p) * 3 + (2 - c)];
                        worst = Math.max(worst, Math.abs(ours - theirs));
                    }
                }
            }
            assertThat(worst).as("uint8 levels").isLessThanOrEqualTo(1);
        }
    }

    private static long[] flatten(NextScaleResult result) {
        int total = 0;
        for (long[] k : result.bits()) {
            total += k.length;
        }
        // per scale (B, h*w, d) → sequence order (B, L, d)
        int b = result.batch();
        int d = result.bitsPerToken();
        long[] out = new long[total];
        int offset = 0;
        int tokens = total / (b * d);
        for (long[] k : result.bits()) {
            int n = k.length / (b * d);
            for (int row = 0; row < b; row++) {
                System.arraycopy(k, row * n * d, out, (row * tokens + offset) * d, n * d);
            }
            offset += n;
        }
        return out;
    }
}
