package dev.arbooth.train.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.arbooth.ShapeMismatchException;
import dev.arbooth.WeightBindingException;
import dev.arbooth.config.ScaleSchedule;
import dev.arbooth.config.VaeConfig;
import dev.arbooth.internal.format.SafeTensors;
import dev.arbooth.internal.format.StateDict;
import dev.arbooth.internal.format.TensorSpec;
import dev.arbooth.internal.nn.MultiScaleBsq;
import dev.arbooth.internal.sampling.CodeAccumulator;
import dev.arbooth.internal.weights.VaeWeights;
import dev.arbooth.tensor.Tensor;
import dev.arbooth.testing.Golden;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The DJL VAE against the golden tensors of {@code infinity-set1} (tolerances from its README, section 6:
 * raw features ~1e-5, bits exact, decoded images 5e-4).
 */
@Tag("slow")
class DjlVaeTest {
    private static final VaeConfig CONFIG = VaeConfig.goldenSet1();
    private static final ScaleSchedule SCHEDULE = ScaleSchedule.official("1.000", "0.06M");

    private static DjlVae vae;
    private static SafeTensors golden;

    @BeforeAll
    static void load() {
        vae = DjlVae.load(Golden.golden("infinity-set1/vae_weights.safetensors"), CONFIG);
        golden = Golden.open("infinity-set1/vae.safetensors");
    }

    @AfterAll
    static void close() {
        vae.close();
        golden.close();
    }

    @Test
    void encodesTheGoldenImageToTheGoldenBits() {
        MultiScaleBsq.Encoding e = vae.encode(golden.get("vae.input_image"), SCHEDULE);
        double featureErr = Golden.maxAbsDiff(
                e.features_NdHW(), golden.get("vae.raw_features").toFloatArray());
        // Measured 1.6e-5 (features up to 3.0 in magnitude). That is the float32 noise floor of ~20 layers of
        // convolutions: with every convolution and GroupNorm statistic computed in float64, the features are
        // still 1.1e-5 from the golden, whose own float32 kernels (torch 1.13) sum in another order.
        assertThat(featureErr).isLessThanOrEqualTo(3e-5);
        for (int k = 0; k < SCHEDULE.size(); k++) {
            assertThat(e.bits().get(k))
                    .as("bits of scale %d", k)
                    .containsExactly(golden.get("vae.bits.s" + k).toLongArray());
        }
        double zErr = Golden.maxAbsDiff(
                e.quantized_NdHW(), golden.get("vae.z_quantized").toFloatArray());
        assertThat(zErr).isLessThanOrEqualTo(1e-6);
    }

    @Test
    void decodesTheGoldenCodes() {
        Tensor recon = vae.decode(golden.get("vae.summed_codes_from_bits"));
        assertThat(recon.shape()).containsExactly(1, 3, 128, 128);
        double err = Golden.maxAbsDiff(
                recon.toFloatArray(), golden.get("vae.recon_from_bits").toFloatArray());
        assertThat(err).isLessThanOrEqualTo(5e-4);

        List<long[]> bits = new java.util.ArrayList<>();
        for (int k = 0; k < SCHEDULE.size(); k++) {
            bits.add(golden.get("vae.bits.s" + k).toLongArray());
        }
        Tensor fromBits = vae.decodeBits(bits, 1, SCHEDULE);
        assertThat(Golden.maxAbsDiff(fromBits.toFloatArray(), recon.toFloatArray()))
                .isLessThanOrEqualTo(1e-6);

        Tensor fromZ = vae.decode(golden.get("vae.z_quantized"));
        double errZ = Golden.maxAbsDiff(
                fromZ.toFloatArray(), golden.get("vae.recon_from_z").toFloatArray());
        assertThat(errZ).isLessThanOrEqualTo(5e-4);
    }

    @Test
    void decodesTheInferenceCodes() {
        try (SafeTensors inf = Golden.open("infinity-set1/inference.safetensors")) {
            Tensor img = vae.decode(inf.get("inf.summed_codes"));
            assertThat(img.shape()).containsExactly(2, 3, 128, 128);
            double err = Golden.maxAbsDiff(
                    img.toFloatArray(), inf.get("inf.decoded_img").toFloatArray());
            assertThat(err).isLessThanOrEqualTo(5e-4);
        }
    }

    @Test
    void pthCheckpointsOfBothSpellingsLoadToTheSameModel() {
        Tensor codes = golden.get("vae.summed_codes_from_bits");
        float[] ref = vae.decode(codes).toFloatArray();
        try (DjlVae pth = DjlVae.load(Golden.golden("pth/vae_checkpoint.pth"), CONFIG);
                DjlVae ema = DjlVae.load(Golden.golden("pth/vae_checkpoint.pth"), CONFIG, "ema");
                DjlVae plain = DjlVae.load(Golden.golden("pth/vae_checkpoint_plain_keys.pth"), CONFIG)) {
            assertThat(pth.decode(codes).toFloatArray()).containsExactly(ref);
            assertThat(ema.decode(codes).toFloatArray()).containsExactly(ref);
            assertThat(plain.decode(codes).toFloatArray()).containsExactly(ref);
        }
        assertThatThrownBy(() -> DjlVae.load(Golden.golden("pth/vae_checkpoint.pth"), VaeConfig.infinityVaeD32()))
                .isInstanceOf(WeightBindingException.class);
        // a .pth whose root is a state dict is read at the root (here: not a VAE, so every name is unexpected)
        assertThatThrownBy(() -> DjlVae.load(Golden.golden("pth/transformer_weights.pth"), CONFIG))
                .isInstanceOfSatisfying(WeightBindingException.class, e -> assertThat(e.unexpected())
                        .contains("pos_start"));
    }

    @Test
    void badInputsAndClose() {
        assertThatThrownBy(() -> vae.encode(Tensor.ofFloats(new float[3 * 100 * 100], 1, 3, 100, 100), SCHEDULE))
                .isInstanceOf(ShapeMismatchException.class)
                .hasMessageContaining("multiples of 8");
        assertThatThrownBy(() -> vae.decode(Tensor.ofFloats(new float[8 * 4], 1, 8, 2, 2)))
                .isInstanceOf(ShapeMismatchException.class)
                .hasMessageContaining("(N, 16, h, w)");
        DjlVae other = DjlVae.load(Golden.golden("infinity-set1/vae_weights.safetensors"), CONFIG);
        other.close();
        other.close();
        assertThatThrownBy(() -> other.decode(golden.get("vae.z_quantized"))).isInstanceOf(IllegalStateException.class);
    }

    /** A non-golden architecture with seeded random weights: shapes and bit round trips are consistent. */
    @Test
    void randomTinyVaeRoundTrip() {
        VaeConfig c = new VaeConfig(32, List.of(1, 2, 2), 1, 8, 4, 1e-6);
        SplittableRandom rnd = new SplittableRandom(42);
        Map<String, Tensor> w = new LinkedHashMap<>();
        for (TensorSpec s : VaeWeights.expected(c)) {
            long n = Tensor.numel(s.shape());
            if (VaeWeights.isBuffer(s.name())) {
                long[] mask = new long[(int) n];
                for (int i = 0; i < n; i++) {
                    mask[i] = 1L << (n - 1 - i);
                }
                w.put(s.name(), Tensor.ofLongs(mask, s.shape()));
                continue;
            }
            float[] v = new float[(int) n];
            boolean normWeight = s.name().endsWith(".norm.weight");
            double fanIn = s.shape().length == 4 ? s.shape()[1] * s.shape()[2] * s.shape()[3] : 1;
            for (int i = 0; i < n; i++) {
                v[i] = normWeight
                        ? (float) (1 + 0.1 * rnd.nextGaussian())
                        : (float) (rnd.nextGaussian() / Math.sqrt(fanIn));
            }
            w.put(s.name(), Tensor.ofFloats(v, s.shape()));
        }
        ScaleSchedule schedule =
                ScaleSchedule.of(new int[] {1, 1}, new int[] {2, 2}, new int[] {3, 4}, new int[] {4, 6});
        float[] img = new float[2 * 3 * 16 * 24];
        for (int i = 0; i < img.length; i++) {
            img[i] = (float) Math.sin(0.37 * i) * 0.9f;
        }
        try (DjlVae tiny = DjlVae.create(c, StateDict.of(w))) {
            MultiScaleBsq.Encoding e = tiny.encode(Tensor.ofFloats(img, 2, 3, 16, 24), schedule);
            assertThat(e.height()).isEqualTo(4);
            assertThat(e.width()).isEqualTo(6);
            assertThat(e.features_NdHW()).hasSize(2 * 8 * 4 * 6);
            for (int k = 0; k < schedule.size(); k++) {
                assertThat(e.bits().get(k)).hasSize(2 * schedule.get(k).tokens() * 8);
                assertThat(e.bits().get(k)).containsAnyOf(0L).containsAnyOf(1L).containsOnly(0L, 1L);
            }
            // the bits' summed codes equal the straight-through sum up to rounding, and decode alike
            CodeAccumulator acc = CodeAccumulator.create(schedule, 2, 8);
            e.bits().forEach(acc::addBits);
            assertThat(Golden.maxAbsDiff(acc.summedCodes(), e.quantized_NdHW())).isLessThanOrEqualTo(1e-6);
            Tensor fromZ = tiny.decode(Tensor.ofFloats(e.quantized_NdHW(), 2, 8, 1, 4, 6));
            Tensor fromBits = tiny.decodeBits(e.bits(), 2, schedule);
            assertThat(fromZ.shape()).containsExactly(2, 3, 16, 24);
            assertThat(fromBits.shape()).containsExactly(2, 3, 16, 24);
            assertThat(Golden.maxAbsDiff(fromZ.toFloatArray(), fromBits.toFloatArray()))
                    .isLessThanOrEqualTo(1e-4);
            for (float v : fromBits.toFloatArray()) {
                assertThat(v).isBetween(-1f, 1f);
            }
            // batch rows are independent: the second image alone gives the second row's bits
            float[] second = java.util.Arrays.copyOfRange(img, img.length / 2, img.length);
            MultiScaleBsq.Encoding one = tiny.encode(Tensor.ofFloats(second, 1, 3, 16, 24), schedule);
            long[] last = e.bits().get(3);
            assertThat(one.bits().get(3))
                    .containsExactly(java.util.Arrays.copyOfRange(last, last.length / 2, last.length));
        }
    }
}
