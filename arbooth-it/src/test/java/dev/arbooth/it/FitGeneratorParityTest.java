package dev.arbooth.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.arbooth.adapter.Adapter;
import dev.arbooth.base.BaseModel;
import dev.arbooth.config.ScaleSchedule;
import dev.arbooth.runtime.Device;
import dev.arbooth.runtime.GeneratedImage;
import dev.arbooth.runtime.Generator;
import dev.arbooth.sampling.SamplingOptions;
import dev.arbooth.train.FitImages;
import dev.arbooth.train.FitListener;
import dev.arbooth.train.FitOptions;
import dev.arbooth.train.Personalizer;
import dev.arbooth.train.internal.DjlSampler;
import dev.arbooth.train.internal.FitNetworks;
import dev.arbooth.train.testing.FitBases;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fitted adapter, saved and loaded back, samples on ONNX Runtime ({@code Generator.with(adapter, base)}) the bits
 * the trained weights sample on DJL for the same prompt and seed: every bit of every scale identical.
 */
@Tag("slow")
class FitGeneratorParityTest {
    @TempDir
    Path dir;

    @Test
    void theGeneratorSamplesWhatTheTrainedStudentSamples() {
        BaseModel base = FitBases.goldenSet1(dir.resolve("base"));
        Adapter fitted;
        try (Personalizer p = Personalizer.builder(base)
                .options(FitOptions.arbooth().toBuilder()
                        .steps(3)
                        .optimizer(dev.arbooth.train.OptimizerOptions.arbooth().withLearningRate(1e-3))
                        .build())
                .listener(FitListener.silent())
                .build()) {
            fitted = p.fit(FitImages.images(FitBases.photos(3, 11)), "dog");
        }
        Path file = dir.resolve("dog.arbooth.safetensors");
        fitted.save(file);
        Adapter adapter = Adapter.load(file);
        String prompt = "a photo of <S*> dog on the beach";
        SamplingOptions options = SamplingOptions.defaults().withSeed(7).withScaleBits(true);
        ScaleSchedule schedule = base.schedule();
        int d = base.infinity().bitsPerToken();
        DjlSampler.Samples djl;
        try (FitNetworks nets = new FitNetworks(base)) {
            long[] ids = nets.tokenizer().encodeWord(adapter.identifier());
            djl = DjlSampler.sample(
                    nets, adapter.tensors(), adapter.identifierEmbedding(), ids, List.of(prompt), options);
        }
        List<GeneratedImage> ort;
        try (Generator g = Generator.with(adapter, base, Device.cpu(1))) {
            ort = g.sample(prompt, options);
        }
        List<long[]> ortBits = ort.get(0).bits().orElseThrow();
        long differing = 0;
        for (int k = 0; k < schedule.size(); k++) {
            long[] a = djl.result().bits(k);
            long[] b = ortBits.get(k);
            assertThat(b.length).isEqualTo(schedule.get(k).tokens() * d);
            for (int i = 0; i < a.length; i++) {
                differing += a[i] != b[i] ? 1 : 0;
            }
        }
        System.out.printf(
                "DJL trained student vs Generator.with(adapter): %d differing bits of %d%n",
                differing, (long) schedule.totalTokens() * d);
        for (int k = 0; k < schedule.size(); k++) {
            assertThat(ortBits.get(k)).as("scale %d", k).isEqualTo(djl.result().bits(k));
        }
        assertThat(Arrays.equals(djl.result().bits(0), ortBits.get(0))).isTrue();
        // without a base argument the adapter finds its base through the directory it records
        try (Generator g = Generator.with(adapter)) {
            List<long[]> again = g.sample(prompt, options).get(0).bits().orElseThrow();
            for (int k = 0; k < schedule.size(); k++) {
                assertThat(again.get(k))
                        .as("Generator.with(adapter), scale %d", k)
                        .isEqualTo(ortBits.get(k));
            }
        }
    }
}
