package dev.arbooth.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class FitOptionsTest {
    @Test
    void theBundledToyBaseHasItsOwnPresetAndEveryOtherBaseArbooths(@org.junit.jupiter.api.io.TempDir Path dir) {
        String previousCache = System.getProperty("arbooth.cache.dir");
        System.setProperty("arbooth.cache.dir", dir.toString());
        try {
            dev.arbooth.base.BaseModel toy = dev.arbooth.base.BaseModel.bundled();
            assertThat(toy.name()).isEqualTo(FitOptions.TOY_BASE_NAME);
            assertThat(FitOptions.defaultsFor(toy)).isEqualTo(FitOptions.toyBase());
            dev.arbooth.base.BaseModel renamed = new dev.arbooth.base.BaseModel(
                    toy.directory(),
                    "my base",
                    toy.infinity(),
                    toy.transformerWeights(),
                    toy.vae(),
                    toy.vaeWeights(),
                    toy.textEncoder(),
                    toy.textEncoderWeights(),
                    toy.tokenizer(),
                    toy.schedule());
            assertThat(FitOptions.defaultsFor(renamed)).isEqualTo(FitOptions.arbooth());
        } finally {
            restore("arbooth.cache.dir", previousCache);
        }
        FitOptions t = FitOptions.toyBase();
        assertThat(t.steps()).isEqualTo(FitOptions.TOY_STEPS);
        assertThat(t.batchSize()).isEqualTo(FitOptions.TOY_BATCH);
        assertThat(t.optimizer().learningRate()).isEqualTo(FitOptions.TOY_LEARNING_RATE);
        assertThat(t.subjectPrompts("dog")).containsExactly("a <S*> dog");
        assertThat(t.classPrompt("dog")).isEqualTo("a dog");
        assertThat(t.tuning()).isEqualTo(FitOptions.arbooth().tuning());
        assertThat(t.distillation())
                .isEqualTo(FitOptions.arbooth()
                        .distillation()
                        .withTeacher(TeacherKind.KV_CACHED_ONNX_RUNTIME)
                        .withUnconditional(true));
        assertThat(FitOptions.arbooth().distillation().unconditional()).isFalse();
    }

    @Test
    void arboothDefaults() {
        FitOptions o = FitOptions.arbooth();
        assertThat(o.identifier()).isEqualTo("<S*>");
        assertThat(o.identifierRows()).isEqualTo(4);
        assertThat(o.identifierInitStd()).isZero();
        assertThat(o.subjectPrompts("dog")).containsExactly("a photo of <S*> dog");
        assertThat(o.classPrompt("dog")).isEqualTo("a photo of dog");
        assertThat(o.tuning()).isEqualTo(Tuning.CROSS_ATTENTION_AND_FFN);
        assertThat(o.lora()).isNull();
        for (int k = 0; k < 8; k++) {
            assertThat(o.scaleWeights().weight(k)).isEqualTo(1.0);
        }
        assertThat(o.scaleWeights().weight(8)).isEqualTo(0.5);
        assertThat(o.scaleWeights().weight(12)).isEqualTo(0.5);
        Distillation d = o.distillation();
        assertThat(List.of(d.enabled(), d.lambda(), d.temperature(), d.samples(), d.cfg(), d.tau(), d.topK(), d.topP()))
                .containsExactly(true, 0.5, 1.0, 2, 1.0, 0.5, 900, 0.97);
        assertThat(o.selfCorrection()).isEqualTo(0.3);
        assertThat(o.dropPath()).isEqualTo(0.1);
        assertThat(o.conditionDropout()).isEqualTo(0.1);
        assertThat(o.optimizer()).isEqualTo(new OptimizerOptions(2.34375e-5, 0.9, 0.97, 1e-8, 0.005));
        assertThat(o.steps()).isEqualTo(500);
        assertThat(o.batchSize()).isEqualTo(2);
    }

    @Test
    void builderChangesOnlyWhatItIsTold() {
        FitOptions o = FitOptions.arbooth().toBuilder()
                .steps(20)
                .lora(LoraOptions.rank(4))
                .distillation(Distillation.arbooth().withTeacher(TeacherKind.ARBOOTH_NO_CACHE))
                .build();
        assertThat(o.steps()).isEqualTo(20);
        assertThat(o.lora().scale()).isEqualTo(1.0);
        assertThat(o.distillation().teacher()).isEqualTo(TeacherKind.ARBOOTH_NO_CACHE);
        assertThat(o.toBuilder()
                        .steps(500)
                        .lora(null)
                        .distillation(Distillation.arbooth())
                        .build())
                .isEqualTo(FitOptions.arbooth());
    }

    @Test
    void badOptionsNameTheRuleAndTheValue() {
        FitOptions.Builder b = FitOptions.arbooth().toBuilder();
        assertThatThrownBy(() -> b.steps(0).build()).hasMessage("steps must be at least 1, got 0");
        assertThatThrownBy(() -> FitOptions.arbooth().toBuilder().batchSize(-1).build())
                .hasMessage("batchSize must be at least 1, got -1");
        assertThatThrownBy(() ->
                        FitOptions.arbooth().toBuilder().identifier("two words").build())
                .hasMessageContaining("without whitespace");
        assertThatThrownBy(() -> FitOptions.arbooth().toBuilder()
                        .promptTemplates(List.of("a photo of {class}"))
                        .build())
                .hasMessageContaining("must contain {identifier} and {class}");
        assertThatThrownBy(() -> FitOptions.arbooth().toBuilder()
                        .classPromptTemplate("a photo of {identifier} {class}")
                        .build())
                .hasMessageContaining("and not {identifier}");
        assertThatThrownBy(() -> FitOptions.arbooth().toBuilder()
                        .tuning(Tuning.IDENTIFIER_ONLY)
                        .lora(LoraOptions.rank(2))
                        .build())
                .hasMessageContaining("LoRA needs tuned linear layers");
        assertThatThrownBy(() -> FitOptions.arbooth().toBuilder().dropPath(1.0).build())
                .hasMessage("dropPath must lie in [0, 1), got 1.0");
        assertThatThrownBy(() -> new LoraOptions(0, 1)).hasMessage("LoRA rank must be at least 1, got 0");
        assertThatThrownBy(() -> OptimizerOptions.arbooth().withLearningRate(0))
                .hasMessageContaining("learning rate must be positive");
        assertThatThrownBy(() -> ScaleWeights.of(List.of())).hasMessage("give at least one scale weight");
        assertThatThrownBy(() -> ScaleWeights.of(List.of(1.0, Double.NaN)))
                .hasMessageContaining("the weight of scale 1");
    }

    @Test
    void scaleWeightsForms() {
        assertThat(ScaleWeights.uniform().weight(0)).isEqualTo(1.0);
        ScaleWeights w = ScaleWeights.of(List.of(2.0, 1.0, 0.25));
        assertThat(List.of(w.weight(0), w.weight(1), w.weight(2), w.weight(9))).containsExactly(2.0, 1.0, 0.25, 0.25);
        assertThat(ScaleWeights.firstScales(3, 0.5).weight(3)).isEqualTo(0.5);
    }

    private static void restore(String key, String previous) {
        if (previous == null) {
            System.clearProperty(key);
        } else {
            System.setProperty(key, previous);
        }
    }
}
