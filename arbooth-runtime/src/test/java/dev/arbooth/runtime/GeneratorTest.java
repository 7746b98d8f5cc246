package dev.arbooth.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.arbooth.ArboothException;
import dev.arbooth.adapter.Adapter;
import dev.arbooth.adapter.BaseFingerprint;
import dev.arbooth.adapter.IncompatibleAdapterException;
import dev.arbooth.base.BaseModel;
import dev.arbooth.config.InfinityConfig;
import dev.arbooth.internal.format.SafeTensors;
import dev.arbooth.runtime.testing.TestBases;
import dev.arbooth.sampling.SamplingOptions;
import dev.arbooth.tensor.Tensor;
import dev.arbooth.testing.Golden;
import dev.arbooth.text.TextFeatures;
import dev.arbooth.text.internal.T5Tokenizer;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The public {@link Generator} on the golden set-1 base (ONNX Runtime, CPU, 1 thread). */
@Tag("slow")
class GeneratorTest {
    @TempDir
    static Path dir;

    private static BaseModel model;
    private static Generator base;

    @BeforeAll
    static void open() {
        model = TestBases.goldenSet1(dir);
        base = Generator.base(BaseModel.load(dir), Device.cpu(1));
    }

    @AfterAll
    static void close() {
        base.close();
    }

    /** The golden prompts' features, their lengths, and the golden inference settings. */
    private static TextFeatures goldenFeatures() {
        try (SafeTensors in = Golden.open("infinity-set1/tf_inputs.safetensors")) {
            return TextFeatures.of(
                    Tensor.ofFloats(in.get("text.kv_compact").toFloatArray(), in.shape("text.kv_compact")),
                    in.get("text.lens").toIntArray());
        }
    }

    private static final SamplingOptions GOLDEN = SamplingOptions.defaults()
            .withCfg(3)
            .withTau(1)
            .withTopK(1)
            .withTopP(0)
            .withSeed(20250601L)
            .withScaleBits(true);

    @Test
    void promptFeaturesReproduceTheGoldenInference() {
        List<GeneratedImage> images = base.sample(goldenFeatures(), GOLDEN);
        assertThat(images).hasSize(2);
        try (SafeTensors inf = Golden.open("infinity-set1/inference.safetensors")) {
            float[] expected = inf.get("inf.decoded_img").toFloatArray();
            int per = 3 * 128 * 128;
            for (int b = 0; b < 2; b++) {
                GeneratedImage g = images.get(b);
                assertThat(g.image().shape()).containsExactly(3, 128, 128);
                float[] want = java.util.Arrays.copyOfRange(expected, b * per, (b + 1) * per);
                assertThat(Golden.maxAbsDiff(want, g.image().toFloatArray())).isLessThanOrEqualTo(5e-4);
                List<long[]> bits = g.bits().orElseThrow();
                for (int k = 0; k < bits.size(); k++) {
                    long[] all = inf.get("inf.bits.s" + k).toLongArray();
                    int n = all.length / 2;
                    assertThat(bits.get(k))
                            .as("scale %d", k)
                            .isEqualTo(java.util.Arrays.copyOfRange(all, b * n, (b + 1) * n));
                }
            }
        }
    }

    @Test
    void samplesPromptsDeterministicallyAndWritesPng() throws Exception {
        SamplingOptions o = SamplingOptions.defaults().withSeed(7).withImagesPerPrompt(2);
        List<GeneratedImage> a = base.sample(List.of("a dog on the beach", "a photo of a cat"), o);
        assertThat(a).hasSize(4);
        assertThat(a)
                .extracting(GeneratedImage::prompt)
                .containsExactly("a dog on the beach", "a dog on the beach", "a photo of a cat", "a photo of a cat");
        assertThat(a).extracting(GeneratedImage::index).containsExactly(0, 1, 0, 1);
        for (GeneratedImage g : a) {
            float[] v = g.image().toFloatArray();
            for (float x : v) {
                assertThat(x).isBetween(-1f, 1f);
            }
        }
        assertThat(a.get(0).image()).isNotEqualTo(a.get(1).image()); // two images, two streams
        List<GeneratedImage> again = base.sample(List.of("a dog on the beach", "a photo of a cat"), o);
        for (int i = 0; i < a.size(); i++) {
            assertThat(again.get(i).image()).isEqualTo(a.get(i).image());
        }
        assertThat(base.sample(List.of("a dog on the beach"), o.withSeed(8))
                        .get(0)
                        .image())
                .isNotEqualTo(a.get(0).image());
        Path png = dir.resolve("out/dog.png");
        a.get(0).writePng(png);
        BufferedImage read = ImageIO.read(png.toFile());
        assertThat(read.getWidth()).isEqualTo(128);
        assertThat(read.getHeight()).isEqualTo(128);
    }

    @Test
    void textEncoderExportedAsOnnxGivesTheSameImages() {
        String prompt = "a dog on the beach";
        int length;
        try (T5Tokenizer tok =
                T5Tokenizer.open(model.tokenizer(), model.textEncoder().textMaxLength())) {
            length = tok.encode(prompt).length;
        }
        Path onnx;
        try (SafeTensors t5 = SafeTensors.open(model.textEncoderWeights())) {
            onnx = TestBases.exportT5(model.textEncoder(), t5, 1, length, dir.resolve("t5-export.onnx"));
        }
        BaseModel viaOnnx = new BaseModel(
                model.directory(),
                model.name(),
                model.infinity(),
                model.transformerWeights(),
                model.vae(),
                model.vaeWeights(),
                model.textEncoder(),
                onnx,
                model.tokenizer(),
                model.schedule());
        assertThat(viaOnnx.textEncoderIsOnnx()).isTrue();
        assertThat(model.textEncoderIsOnnx()).isFalse();
        SamplingOptions o = SamplingOptions.defaults().withSeed(11).withScaleBits(true);
        try (Generator g = Generator.base(viaOnnx, Device.cpu(1))) {
            GeneratedImage got = g.sample(prompt, o).get(0);
            GeneratedImage want = base.sample(prompt, o).get(0);
            List<long[]> gotBits = got.bits().orElseThrow();
            List<long[]> wantBits = want.bits().orElseThrow();
            assertThat(gotBits).hasSameSizeAs(wantBits);
            for (int k = 0; k < wantBits.size(); k++) {
                assertThat(gotBits.get(k)).as("scale %d bits", k).containsExactly(wantBits.get(k));
            }
            assertThat(Golden.maxAbsDiff(
                            got.image().toFloatArray(), want.image().toFloatArray()))
                    .isLessThanOrEqualTo(1e-5);
            // a prompt of another length needs a dynamic-axes export: a clear refusal, no image
            assertThatThrownBy(() -> g.sample("a photo of a cat on a red sofa in the sun", o))
                    .isInstanceOf(ArboothException.class)
                    .hasMessageContaining("fixed shape")
                    .hasMessageContaining(onnx.toString());
        }
    }

    private static Adapter adapter(long seed) {
        return TestBases.adapterOn(seed);
    }

    @Test
    void adapterChangesTheImagesAndSharesTheBase() {
        SamplingOptions o = SamplingOptions.defaults().withSeed(3);
        String prompt = "a dog on the beach";
        Tensor before = base.sample(prompt, o).get(0).image();
        try (Generator personal = base.withAdapter(adapter(1))) {
            Tensor with = personal.sample(prompt, o).get(0).image();
            assertThat(with).isNotEqualTo(before);
            assertThat(personal.sample(prompt, o).get(0).image()).isEqualTo(with);
            try (Generator second = personal.withAdapter(adapter(2))) {
                assertThat(second.sample(prompt, o).get(0).image()).isNotEqualTo(with);
            }
        }
        // the base generator is unaffected and still open
        assertThat(base.sample(prompt, o).get(0).image()).isEqualTo(before);
    }

    @Test
    void refusesAdaptersOfAnotherBaseOrTokenizer() {
        Adapter p = adapter(1);
        Adapter foreign = Adapter.builder(
                        InfinityConfig.goldenSet1(), BaseFingerprint.parse("sha256:" + "0".repeat(64)))
                .identifier("on")
                .classWord("dog")
                .tensors(p.tensors())
                .identifierEmbedding(p.identifierEmbedding())
                .build();
        assertThatThrownBy(() -> base.withAdapter(foreign)).isInstanceOf(IncompatibleAdapterException.class);
        Adapter twoRows = Adapter.builder(InfinityConfig.goldenSet1(), p.baseFingerprint())
                .identifier("on")
                .classWord("dog")
                .identifierEmbedding(Tensor.ofFloats(new float[2 * 256], 2, 256))
                .build();
        assertThatThrownBy(() -> base.withAdapter(twoRows))
                .isInstanceOf(ArboothException.class)
                .hasMessageContaining("has 2 rows but the base's tokenizer splits 'on' into 1 tokens");
        // no recorded base directory: the bundled (toy) base is tried, and its fingerprint is not this adapter's
        assertThatThrownBy(() -> Generator.with(p))
                .isInstanceOf(IncompatibleAdapterException.class)
                .hasMessageContaining("trained on base " + p.baseFingerprint().value());
        // the base survives failed views
        assertThat(base.sample("a cat", SamplingOptions.defaults())).hasSize(1);
    }

    @Test
    void concurrentSamplingEqualsSequential() throws Exception {
        List<Tensor> sequential = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            sequential.add(
                    base.sample("a dog on the beach", SamplingOptions.defaults().withSeed(100 + t))
                            .get(0)
                            .image());
        }
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Tensor>> futures = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                long seed = 100 + t;
                futures.add(pool.submit(() -> base.sample(
                                "a dog on the beach", SamplingOptions.defaults().withSeed(seed))
                        .get(0)
                        .image()));
            }
            for (int t = 0; t < 8; t++) {
                assertThat(futures.get(t).get()).as("thread %d", t).isEqualTo(sequential.get(t));
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(sequential.get(0)).isNotEqualTo(sequential.get(1));
    }

    @Test
    void closedGeneratorFailsLoudly() throws Exception {
        Path other = Files.createDirectory(dir.resolve("second"));
        TestBases.goldenSet1(other);
        Generator g = Generator.base(BaseModel.load(other), Device.cpu(1));
        g.close();
        g.close();
        assertThatThrownBy(() -> g.sample("a cat")).isInstanceOf(IllegalStateException.class);
    }
}
