package dev.arbooth.train.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.arbooth.config.InfinityConfig;
import dev.arbooth.config.ScaleSchedule;
import dev.arbooth.internal.weights.InfinityTensor;
import dev.arbooth.internal.weights.InfinityWeights;
import dev.arbooth.train.FitOptions;
import dev.arbooth.train.LoraOptions;
import dev.arbooth.train.OptimizerOptions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link ArboothIteration#pretraining}: the subject step on prompts without an identifier trains every parameter of
 * the transformer (the unconditional rows through condition dropout), leaves the identifier alone, lowers the loss
 * on a fixed batch, and refuses the prior step and LoRA.
 */
class ArboothPretrainingTest {
    private static final InfinityConfig CONFIG =
            InfinityConfig.goldenSet1().toBuilder().codebookDim(8).build();
    private static final ScaleSchedule SCHEDULE =
            ScaleSchedule.of(new int[] {1, 1}, new int[] {2, 2}, new int[] {4, 4});
    private static final int[] LENS = {4, 5, 3, 6};
    private static final int[] NONE = {
        SubjectBatch.NO_IDENTIFIER, SubjectBatch.NO_IDENTIFIER, SubjectBatch.NO_IDENTIFIER, SubjectBatch.NO_IDENTIFIER
    };

    private static FitOptions options(double conditionDropout) {
        return FitOptions.arbooth().toBuilder()
                .selfCorrection(0.1)
                .dropPath(0)
                .conditionDropout(conditionDropout)
                .optimizer(OptimizerOptions.arbooth().withLearningRate(1e-3))
                .seed(3)
                .build();
    }

    private static SubjectBatch batch(long seed) {
        Random r = new Random(seed);
        byte[] bits = new byte[LENS.length * SCHEDULE.totalTokens() * CONFIG.bitsPerToken()];
        for (int i = 0; i < bits.length; i++) {
            bits[i] = (byte) (r.nextBoolean() ? 1 : 0);
        }
        int n = 0;
        for (int l : LENS) {
            n += l;
        }
        return new SubjectBatch(
                DjlInfinityConsistencyTest.gaussian(n * CONFIG.textChannels(), seed + 1, 0.5), LENS, NONE, bits);
    }

    @Test
    void everyParameterTrainsAndTheLossFalls() {
        List<String> keys = InfinityWeights.expected(CONFIG).stream()
                .map(s -> s.name())
                .filter(k -> !InfinityWeights.isBuffer(k))
                .toList();
        try (DjlInfinity model = DjlInfinity.create(CONFIG, DjlInfinityConsistencyTest.randomWeights(CONFIG, 5))) {
            Map<String, float[]> before = new LinkedHashMap<>();
            keys.forEach(k -> before.put(k, model.parameters().get(k).toFloatArray()));
            try (ArboothIteration it = ArboothIteration.pretraining(model, options(0.5), SCHEDULE)) {
                float[] id0 =
                        model.parameters().get(ArboothIteration.IDENTIFIER_KEY).toFloatArray();
                SubjectBatch b = batch(1);
                float first = it.subjectStep(b, 10).loss();
                float last = first;
                for (int s = 1; s < 12; s++) {
                    last = it.subjectStep(b, 10 + s).loss();
                }
                assertThat(last).isLessThan(first);
                for (String k : keys) {
                    assertThat(model.parameters().get(k).toFloatArray()).as(k).isNotEqualTo(before.get(k));
                }
                assertThat(model.parameters()
                                .get(InfinityTensor.CFG_UNCOND.key())
                                .toFloatArray())
                        .isNotEqualTo(before.get(InfinityTensor.CFG_UNCOND.key()));
                assertThat(model.parameters()
                                .get(ArboothIteration.IDENTIFIER_KEY)
                                .toFloatArray())
                        .containsExactly(id0);
                assertThatThrownBy(() ->
                                it.priorStep(new ClassBatch(new float[3 * CONFIG.textChannels()], new int[] {3}), 1))
                        .isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("no teacher");
            }
        }
    }

    @Test
    void refusesLora() {
        try (DjlInfinity model = DjlInfinity.create(CONFIG, DjlInfinityConsistencyTest.randomWeights(CONFIG, 5))) {
            FitOptions o = options(0).toBuilder().lora(new LoraOptions(2, 1.0)).build();
            assertThatThrownBy(() -> ArboothIteration.pretraining(model, o, SCHEDULE))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("LoRA");
        }
    }
}
