package dev.arbooth.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.arbooth.ArboothException;
import dev.arbooth.base.BaseModel;
import dev.arbooth.runtime.testing.TestBases;
import dev.arbooth.sampling.SamplingOptions;
import dev.arbooth.testing.Golden;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13, item 7, for work a caller sizes: a {@code Generator} samples at most {@link
 * Generator#maxImagesPerPass()} images per pass of the transformer, so many prompts or a large {@code
 * imagesPerPrompt} cost memory for their results only; the images do not depend on the passes.
 */
@Tag("slow")
class GeneratorPassesTest {
    @TempDir
    static Path dir;

    private static Generator base;

    @BeforeAll
    static void open() {
        TestBases.goldenSet1(dir);
        base = Generator.base(BaseModel.load(dir), Device.cpu(1));
    }

    @AfterAll
    static void close() {
        base.close();
        System.clearProperty(Generator.MAX_IMAGES_PER_PASS_PROPERTY);
    }

    private static List<GeneratedImage> sample(String maxPerPass, List<String> prompts, SamplingOptions o) {
        if (maxPerPass == null) {
            System.clearProperty(Generator.MAX_IMAGES_PER_PASS_PROPERTY);
        } else {
            System.setProperty(Generator.MAX_IMAGES_PER_PASS_PROPERTY, maxPerPass);
        }
        try {
            return base.sample(prompts, o);
        } finally {
            System.clearProperty(Generator.MAX_IMAGES_PER_PASS_PROPERTY);
        }
    }

    @Test
    void imagesSampledInSmallPassesEqualThoseOfOnePass() {
        SamplingOptions o =
                SamplingOptions.defaults().withSeed(5).withImagesPerPrompt(3).withScaleBits(true);
        List<String> prompts = List.of("a dog on the beach", "a photo of a cat", "a dog");
        List<GeneratedImage> one = sample(null, prompts, o); // 9 images, one pass
        for (String perPass : new String[] {"1", "2", "4"}) {
            List<GeneratedImage> parts = sample(perPass, prompts, o);
            assertThat(parts).hasSameSizeAs(one);
            for (int i = 0; i < one.size(); i++) {
                GeneratedImage a = one.get(i);
                GeneratedImage b = parts.get(i);
                assertThat(b.prompt()).isEqualTo(a.prompt());
                assertThat(b.index()).isEqualTo(a.index());
                List<long[]> bitsA = a.bits().orElseThrow();
                List<long[]> bitsB = b.bits().orElseThrow();
                for (int k = 0; k < bitsA.size(); k++) {
                    assertThat(Golden.mismatches(bitsA.get(k), bitsB.get(k)))
                            .as("pass size %s, image %d, scale %d", perPass, i, k)
                            .isZero();
                }
                assertThat(Golden.maxAbsDiff(a.image().toFloatArray(), b.image().toFloatArray()))
                        .as("pass size %s, image %d", perPass, i)
                        .isLessThanOrEqualTo(1e-5);
            }
        }
    }

    @Test
    void resultsThatCannotFitTheHeapAreRefusedBeforeAnyWork() {
        // 10 000 images of 128 x 128 float32 RGB: 1.97 GB of results, more than half the tests' 3 GiB heap
        SamplingOptions many = SamplingOptions.defaults().withImagesPerPrompt(10_000);
        assertThatThrownBy(() -> base.sample("a dog", many))
                .isInstanceOf(ArboothException.class)
                .hasMessageContaining("would return 10000 images of 196608 bytes each")
                .hasMessageContaining("maximum heap");
        assertThat(base.sample("a dog", SamplingOptions.defaults().withImagesPerPrompt(20)))
                .hasSize(20);
    }

    @Test
    void aBadPassSizeIsReported() {
        assertThatThrownBy(() -> sample("0", List.of("a dog"), SamplingOptions.defaults()))
                .isInstanceOf(ArboothException.class)
                .hasMessageContaining(Generator.MAX_IMAGES_PER_PASS_PROPERTY);
    }
}
