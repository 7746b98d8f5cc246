package dev.arbooth.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.arbooth.InvalidImageException;
import dev.arbooth.base.BaseModel;
import dev.arbooth.tensor.Tensor;
import dev.arbooth.train.testing.FitBases;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input is refused with a specific exception before any training step: the listener never hears of a step.
 * One step of a real fit (the checkpoint of "another fit") is the only training here.
 */
class PersonalizerInputTest {
    @TempDir
    static Path dir;

    static BaseModel base;

    final List<FitProgress> steps = Collections.synchronizedList(new ArrayList<>());

    @BeforeAll
    static void writeBase() {
        base = FitBases.goldenSet1(dir.resolve("base"));
    }

    private Personalizer personalizer(FitOptions options) {
        return Personalizer.builder(base)
                .options(options)
                .listener(steps::add)
                .checkpoints(dir.resolve("ck-" + System.nanoTime()), 1)
                .build();
    }

    private static FitOptions oneStep() {
        return FitOptions.arbooth().toBuilder().steps(1).batchSize(1).build();
    }

    private static FitImages three() {
        return FitImages.images(FitBases.photos(3, 1));
    }

    @Test
    void imageCountMustBeOneToSixtyFour() {
        try (Personalizer p = personalizer(oneStep())) {
            assertThatThrownBy(() -> p.fit(FitImages.files(List.of()), "dog"))
                    .isInstanceOf(FitInputException.class)
                    .hasMessageContaining("at least 1 image")
                    .hasMessageContaining("none were given");
            List<Tensor> many = Collections.nCopies(65, Tensor.ofFloats(new float[3 * 128 * 128], 3, 128, 128));
            assertThatThrownBy(() -> p.fit(FitImages.tensors(many), "dog"))
                    .isInstanceOf(FitInputException.class)
                    .hasMessageContaining("at most 64 images; 65 were given");
        }
        assertThat(steps).isEmpty();
    }

    @Test
    void anUnreadableImageIsNamed() throws Exception {
        Path good = dir.resolve("good.png");
        javax.imageio.ImageIO.write(FitBases.photos(1, 2).get(0), "png", good.toFile());
        Path bad = dir.resolve("broken-photo.jpg");
        Files.writeString(bad, "this is not a JPEG");
        try (Personalizer p = personalizer(oneStep())) {
            assertThatThrownBy(() -> p.fit(FitImages.files(good, bad), "dog"))
                    .isInstanceOf(InvalidImageException.class)
                    .hasMessageContaining("broken-photo.jpg");
        }
        assertThat(steps).isEmpty();
    }

    @Test
    void anImageTensorOfAnotherSizeIsRefused() {
        try (Personalizer p = personalizer(oneStep())) {
            assertThatThrownBy(() -> p.fit(
                            FitImages.tensors(List.of(Tensor.ofFloats(new float[3 * 64 * 64], 3, 64, 64))), "dog"))
                    .isInstanceOf(FitInputException.class)
                    .hasMessageContaining("[3, 128, 128]");
        }
        assertThat(steps).isEmpty();
    }

    @Test
    void theClassWordMustBeAWordWithoutTheIdentifier() {
        try (Personalizer p = personalizer(oneStep())) {
            assertThatThrownBy(() -> p.fit(three(), ""))
                    .isInstanceOf(FitInputException.class)
                    .hasMessageContaining("class word");
            assertThatThrownBy(() -> p.fit(three(), "  "))
                    .isInstanceOf(FitInputException.class)
                    .hasMessageContaining("class word");
            assertThatThrownBy(() -> p.fit(three(), "<S*>dog"))
                    .isInstanceOf(FitInputException.class)
                    .hasMessageContaining("contains the identifier '<S*>'");
        }
        assertThat(steps).isEmpty();
    }

    @Test
    void anIdentifierTheTokenizerDeletesIsRefused() {
        // the fixture's normalizer deletes '#': "##" yields no token
        FitOptions options =
                oneStep().toBuilder().identifier("##").identifierRows(1).build();
        try (Personalizer p = personalizer(options)) {
            assertThatThrownBy(() -> p.fit(three(), "dog"))
                    .isInstanceOf(FitInputException.class)
                    .hasMessageContaining("splits the identifier '##' into no token");
        }
        assertThat(steps).isEmpty();
    }

    @Test
    void identifierRowsMustMatchTheTokenizersSplit() {
        FitOptions options = oneStep().toBuilder().identifierRows(2).build();
        try (Personalizer p = personalizer(options)) {
            assertThatThrownBy(() -> p.fit(three(), "dog"))
                    .isInstanceOf(FitInputException.class)
                    .hasMessageContaining("into 4 tokens")
                    .hasMessageContaining("identifierRows(4)");
        }
        assertThat(steps).isEmpty();
    }

    @Test
    void nonPositiveStepsLearningRateBatchAndLoraRankCannotEvenBeConfigured() {
        // FitOptions validates itself (FitOptionsTest has every rule); a Personalizer never sees such options
        assertThatThrownBy(() -> oneStep().toBuilder().steps(0).build()).hasMessageContaining("steps");
        assertThatThrownBy(() -> oneStep().toBuilder().batchSize(0).build()).hasMessageContaining("batchSize");
        assertThatThrownBy(() -> OptimizerOptions.arbooth().withLearningRate(-1e-5))
                .hasMessageContaining("learning rate");
        assertThatThrownBy(() -> LoraOptions.rank(0)).hasMessageContaining("LoRA rank");
        assertThatThrownBy(() -> Personalizer.builder(base).checkpoints(dir, 0))
                .hasMessageContaining("checkpoint interval");
    }

    @Test
    @org.junit.jupiter.api.Tag("slow")
    void aCheckpointOfAnotherFitIsRefusedBeforeTraining() {
        Path ck = dir.resolve("shared-ck");
        try (Personalizer p = Personalizer.builder(base)
                .options(oneStep())
                .listener(FitListener.silent())
                .checkpoints(ck, 1)
                .build()) {
            p.fit(three(), "dog");
        }
        // another class word, other options, other images: each refused, nothing trained, the checkpoint kept
        byte[] before = read(ck.resolve("fit-checkpoint.safetensors"));
        for (Runnable other : List.<Runnable>of(
                () -> fit(ck, oneStep(), three(), "cat"),
                () -> fit(ck, oneStep().toBuilder().seed(1).build(), three(), "dog"),
                () -> fit(ck, oneStep(), FitImages.images(FitBases.photos(3, 99)), "dog"))) {
            assertThatThrownBy(other::run)
                    .isInstanceOf(CheckpointMismatchException.class)
                    .hasMessageContaining("holds the checkpoint of another fit");
        }
        assertThatThrownBy(() -> fit(ck, oneStep(), three(), "cat"))
                .hasMessageContaining("the class word ('dog' there");
        assertThat(steps).isEmpty();
        assertThat(read(ck.resolve("fit-checkpoint.safetensors"))).isEqualTo(before);
    }

    private void fit(Path ck, FitOptions options, FitImages images, String classWord) {
        try (Personalizer p = Personalizer.builder(base)
                .options(options)
                .listener(steps::add)
                .checkpoints(ck, 1)
                .build()) {
            p.fit(images, classWord);
        }
    }

    private static byte[] read(Path p) {
        try {
            return Files.readAllBytes(p);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void theStaticFitUsesTheBundledBaseAndChecksItsInputsFirst() {
        String previousCache = System.getProperty("arbooth.cache.dir");
        System.setProperty("arbooth.cache.dir", dir.resolve("cache").toString());
        try {
            assertThatThrownBy(() -> Personalizer.fit(List.of(), "dog"))
                    .isInstanceOf(FitInputException.class)
                    .hasMessageContaining("none were given");
            Path missing = dir.resolve("missing.jpg");
            assertThatThrownBy(() -> Personalizer.fit(List.of(missing), "dog"))
                    .isInstanceOf(InvalidImageException.class)
                    .hasMessageContaining("missing.jpg");
            assertThat(dir.resolve("cache")).isDirectory(); // the bundled base was extracted there
        } finally {
            restore("arbooth.cache.dir", previousCache);
        }
    }

    @Test
    void builderStepsOverrideTheOptionsSteps() {
        try (Personalizer p =
                Personalizer.builder(base).options(oneStep()).steps(7).seed(3).build()) {
            assertThat(p.options().steps()).isEqualTo(7);
            assertThat(p.options().seed()).isEqualTo(3);
        }
        assertThatThrownBy(() -> Personalizer.builder(base).steps(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aClosedPersonalizerRefusesToFit() {
        Personalizer p = personalizer(oneStep());
        p.close();
        p.close();
        assertThatThrownBy(() -> p.fit(three(), "dog")).isInstanceOf(IllegalStateException.class);
    }

    private static void restore(String key, String previous) {
        if (previous == null) {
            System.clearProperty(key);
        } else {
            System.setProperty(key, previous);
        }
    }
}
