package dev.arbooth.train.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.arbooth.adapter.Adapter;
import dev.arbooth.adapter.AdapterManifest;
import dev.arbooth.adapter.BaseFingerprint;
import dev.arbooth.base.BaseModel;
import dev.arbooth.internal.format.CheckpointFile;
import dev.arbooth.internal.format.Checkpoints;
import dev.arbooth.tensor.Tensor;
import dev.arbooth.train.Distillation;
import dev.arbooth.train.FitImages;
import dev.arbooth.train.FitListener;
import dev.arbooth.train.FitOptions;
import dev.arbooth.train.FitProgress;
import dev.arbooth.train.NonFiniteLossException;
import dev.arbooth.train.OptimizerOptions;
import dev.arbooth.train.ValidationSamples;
import dev.arbooth.train.testing.FitBases;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The loop on the golden-size model (set 1: depth 2, C 128, L 521) with a whole base (golden transformer and VAE,
 * random T5, the fixture tokenizer): the loss goes down, frozen tensors stay bit-identical, the adapter holds exactly
 * the trained tensors, a non-finite loss stops the fit and keeps the last good checkpoint, validation grids are
 * written.
 */
@Tag("slow")
class FitLoopGoldenTest {
    @TempDir
    Path dir;

    /** A 20-step fit on 3 images, no randomness in the step (every image each step, no noise, no dropout). */
    @Test
    void twentyStepsLowerTheWeightedCrossEntropyAndTouchOnlyTheTrainedTensors() {
        BaseModel base = FitBases.goldenSet1(dir.resolve("base"));
        FitOptions options = FitOptions.arbooth().toBuilder()
                .steps(20)
                .batchSize(3)
                .selfCorrection(0)
                .dropPath(0)
                .conditionDropout(0)
                .distillation(new Distillation(
                        true, 0.5, 1.0, 1, 1.0, 0.5, 900, 0.97, dev.arbooth.train.TeacherKind.KV_CACHED, false))
                .optimizer(OptimizerOptions.arbooth().withLearningRate(1e-4))
                .build();
        List<FitProgress> steps = new ArrayList<>();
        Map<String, Tensor> finalWeights = new LinkedHashMap<>();
        Adapter adapter;
        try (FitNetworks nets = new FitNetworks(base)) {
            FitData data = FitData.prepare(nets, options, "dog", FitImages.images(FitBases.photos(3, 5)));
            FitLoop.Settings settings = new FitLoop.Settings(
                    FitListener.logging().andThen(steps::add),
                    null,
                    1,
                    ValidationSamples.every(20, dir.resolve("validation")),
                    () -> false,
                    student -> {
                        for (String key : student.parameters().keys()) {
                            if (!key.equals(ArboothIteration.IDENTIFIER_KEY)) {
                                finalWeights.put(key, student.weight(key));
                            }
                        }
                    },
                    true);
            adapter = FitLoop.run(nets, options, "dog", data, fingerprint(base), settings);
        }
        // 1. the loss: step 1 is computed before any update, step 20 after 19, on the same three images
        assertThat(steps).hasSize(20);
        double first = steps.get(0).subjectLoss();
        double last = steps.get(19).subjectLoss();
        System.out.printf("weighted CE: step 1 %.6f, step 20 %.6f%n", first, last);
        assertThat(last).isLessThan(first);
        // 2. exactly the trained tensors in the adapter, the rest bit-identical to the base
        Set<String> trained = new HashSet<>(
                TrainableSets.baseGroup(base.infinity(), options.tuning()).keys());
        assertThat(adapter.tensors().keySet()).isEqualTo(trained);
        assertThat(adapter.identifierEmbedding().shape()).containsExactly(4, 256);
        int frozen = 0;
        int changed = 0;
        try (CheckpointFile file = Checkpoints.open(base.transformerWeights())) {
            assertThat(finalWeights.keySet()).containsAll(file.names());
            for (String key : file.names()) {
                float[] before = file.get(key).toFloatArray();
                float[] after = finalWeights.get(key).toFloatArray();
                if (trained.contains(key)) {
                    assertThat(adapter.tensors().get(key).toFloatArray())
                            .as(key)
                            .isEqualTo(after);
                    changed += java.util.Arrays.equals(before, after) ? 0 : 1;
                } else {
                    assertThat(after).as("frozen %s", key).isEqualTo(before);
                    frozen++;
                }
            }
        }
        System.out.printf(
                "%d frozen tensors bit-identical, %d of %d trained tensors changed%n", frozen, changed, trained.size());
        assertThat(frozen).isGreaterThan(0);
        assertThat(changed).isEqualTo(trained.size());
        // 3. the manifest
        Map<String, String> p = adapter.manifest().provenance();
        assertThat(p)
                .containsEntry("option.steps", "20")
                .containsEntry("seed", "0")
                .containsEntry("images.count", "3")
                .containsEntry(
                        AdapterManifest.BASE_DIRECTORY_PROVENANCE,
                        base.directory().toAbsolutePath().normalize().toString());
        assertThat(p.get("loss.final.subject")).isEqualTo(Double.toString(last));
        assertThat(adapter.baseFingerprint()).isEqualTo(fingerprint(base));
        // 4. the validation grid of the last step
        assertThat(dir.resolve("validation").resolve("validation-step-000020.png"))
                .isRegularFile();
    }

    @Test
    void theTeacherDrawnAheadOnItsOwnThreadGivesTheSameAdapterBitForBit() {
        // the ONNX Runtime teacher, guided (the unconditional branch distilled, as the toy preset), every step random
        BaseModel base = FitBases.goldenSet1(dir.resolve("base"));
        FitOptions options = FitOptions.arbooth().toBuilder()
                .steps(4)
                .batchSize(2)
                .distillation(Distillation.arbooth()
                        .withTeacher(dev.arbooth.train.TeacherKind.KV_CACHED_ONNX_RUNTIME)
                        .withUnconditional(true))
                .optimizer(OptimizerOptions.arbooth().withLearningRate(1e-3))
                .build();
        Map<Boolean, Adapter> adapters = new LinkedHashMap<>();
        Map<Boolean, List<FitProgress>> progress = new LinkedHashMap<>();
        try (FitNetworks nets = new FitNetworks(base)) {
            FitData data = FitData.prepare(nets, options, "dog", FitImages.images(FitBases.photos(3, 5)));
            for (boolean ahead : new boolean[] {false, true}) {
                List<FitProgress> steps = new ArrayList<>();
                FitLoop.Settings settings = new FitLoop.Settings(steps::add, null, 1, null, () -> false, null, ahead);
                adapters.put(ahead, FitLoop.run(nets, options, "dog", data, fingerprint(base), settings));
                progress.put(ahead, steps);
            }
        }
        Adapter inline = adapters.get(false);
        Adapter drawnAhead = adapters.get(true);
        assertThat(progress.get(true)).hasSize(4);
        for (int i = 0; i < 4; i++) {
            assertThat(progress.get(true).get(i).subjectLoss())
                    .isEqualTo(progress.get(false).get(i).subjectLoss());
            assertThat(progress.get(true).get(i).priorLoss())
                    .as("step %d's prior loss", i + 1)
                    .isEqualTo(progress.get(false).get(i).priorLoss());
        }
        assertThat(drawnAhead.tensors().keySet()).isEqualTo(inline.tensors().keySet());
        for (String key : inline.tensors().keySet()) {
            assertThat(drawnAhead.tensors().get(key).toFloatArray())
                    .as(key)
                    .isEqualTo(inline.tensors().get(key).toFloatArray());
        }
        assertThat(drawnAhead.identifierEmbedding().toFloatArray())
                .isEqualTo(inline.identifierEmbedding().toFloatArray());
    }

    @Test
    void aNonFiniteLossNamesTheStepAndKeepsTheLastGoodCheckpoint() throws Exception {
        BaseModel base = FitBases.goldenSet1(dir.resolve("base"));
        FitOptions options = FitOptions.arbooth().toBuilder()
                .steps(5)
                .batchSize(1)
                .distillation(Distillation.arbooth().off())
                .optimizer(OptimizerOptions.arbooth().withLearningRate(1e30))
                .build();
        Path ck = dir.resolve("ck");
        List<FitProgress> steps = new ArrayList<>();
        try (FitNetworks nets = new FitNetworks(base)) {
            FitData data = FitData.prepare(nets, options, "dog", FitImages.images(FitBases.photos(2, 5)));
            FitLoop.Settings settings = new FitLoop.Settings(steps::add, ck, 1, null, () -> false, null, true);
            assertThatThrownBy(() -> FitLoop.run(nets, options, "dog", data, fingerprint(base), settings))
                    .isInstanceOfSatisfying(NonFiniteLossException.class, e -> {
                        System.out.println(e.getMessage());
                        assertThat(e.step()).isEqualTo(steps.size() + 1);
                        assertThat(e.getMessage()).contains("of step " + e.step());
                        assertThat(e.lastCheckpoint()).contains(FitCheckpoint.file(ck));
                    });
        }
        assertThat(steps).isNotEmpty();
        FitCheckpoint kept = FitCheckpoint.read(ck);
        assertThat(kept.step()).isEqualTo(steps.size());
        assertThat(Double.isFinite(kept.subjectLoss())).isTrue();
        assertThat(Files.list(ck).count()).isEqualTo(1);
    }

    static BaseFingerprint fingerprint(BaseModel base) {
        try (CheckpointFile file = Checkpoints.open(base.transformerWeights())) {
            return BaseFingerprint.of(base.infinity(), file.toMap());
        }
    }
}
