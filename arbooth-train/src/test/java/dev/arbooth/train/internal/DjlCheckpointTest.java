package dev.arbooth.train.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.arbooth.config.InfinityConfig;
import dev.arbooth.config.ScaleSchedule;
import dev.arbooth.internal.format.SafeTensors;
import dev.arbooth.internal.format.TensorSpec;
import dev.arbooth.internal.nn.AttentionChunks;
import dev.arbooth.internal.nn.InfinityNet;
import dev.arbooth.internal.nn.InfinityText;
import dev.arbooth.internal.nn.TextLayout;
import dev.arbooth.internal.weights.InfinityPart;
import dev.arbooth.internal.weights.InfinityWeights;
import dev.arbooth.tensor.Tensor;
import dev.arbooth.testing.Golden;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The memory-bounded teacher-forced pass on the golden-size model ({@code infinity-set1} weights and inputs): the
 * attention in small chunks gives the logits of the default chunks, and block-level checkpointing ({@link
 * DjlInfinity#lossAndGradients}) leaves the gradients of one recorded forward and backward on ARBooth's trainable
 * set and on an identifier-row parameter that enters through the text features, whether only the last block or every
 * block is recorded ({@link DjlInfinity#recordedTailBudget}). Tolerance: 1e-6 of the largest
 * gradient of each tensor (float32 sums in another order), the loss 1e-6 relative. The per-row text layout ({@link
 * TextLayout#PER_ROW}, the trainer's) gives the logits and gradients of the compact one within 1e-5 (its softmax and
 * products run over other token counts).
 */
@Tag("slow")
@SuppressWarnings("try") // collectors opened for their recording only
class DjlCheckpointTest {
    private static final String IDENTIFIER = "identifier";
    private static final int P = 2;

    private static DjlInfinity model;
    private static SafeTensors inputs;
    private static float[] text;
    private static float[] x;
    private static int[] lens;
    private static ScaleSchedule schedule;

    @BeforeAll
    static void load() {
        // only the last block recorded in the checkpointed pass (at this size the default budget would record both,
        // and nothing would be recomputed)
        model = DjlInfinity.load(
                        InfinityConfig.goldenSet1(), Golden.golden("infinity-set1/transformer_weights.safetensors"))
                .recordedTailBudget(0);
        inputs = Golden.open("infinity-set1/tf_inputs.safetensors");
        text = inputs.get("text.kv_compact").toFloatArray();
        x = inputs.get("x_BLC_wo_prefix").toFloatArray();
        long[] l = inputs.get("text.lens").toLongArray();
        lens = new int[] {(int) l[0], (int) l[1]};
        schedule = Golden.schedule(inputs);
        int ct5 = model.config().textChannels();
        float[] id = new float[P * ct5];
        SplittableRandom rnd = new SplittableRandom(5);
        for (int i = 0; i < id.length; i++) {
            id[i] = (float) (rnd.nextDouble() - 0.5);
        }
        model.parameters().add(IDENTIFIER, Tensor.ofFloats(id, P, ct5));
        List<String> arbooth = InfinityWeights.parameters(model.config(), InfinityPart.ARBOOTH).stream()
                .map(TensorSpec::name)
                .toList();
        model.parameters()
                .train(List.of(
                        new DjlParameters.Group("ca+ffn", arbooth),
                        new DjlParameters.Group(IDENTIFIER, List.of(IDENTIFIER))));
    }

    @AfterAll
    static void close() {
        model.close();
        inputs.close();
    }

    /** The conditioning with rows 1..P of the first prompt replaced by the identifier parameter, recorded. */
    private static InfinityText<NDArray> conditioning(DjlOps scope, TextLayout layout) {
        assertThat(lens[0]).isGreaterThan(P);
        int ct5 = model.config().textChannels();
        int n = text.length / ct5;
        try (GradientCollector gc = DjlEngine.pytorch(1).newGradientCollector()) {
            NDArray all = scope.constant(text, n, ct5);
            NDArray rows = scope.concat(
                    0, List.of(scope.slice(all, 0, 0, 1), scope.weight(IDENTIFIER), scope.slice(all, 0, 1 + P, n)));
            return model.net().conditionText(scope, rows, lens, layout);
        }
    }

    private static Function<NDArray, NDArray> loss(DjlOps scope) {
        return logits -> {
            long[] shape = logits.getShape().getShape();
            float[] w = new float[Math.toIntExact(logits.size())];
            SplittableRandom rnd = new SplittableRandom(7);
            for (int i = 0; i < w.length; i++) {
                w[i] = (float) (rnd.nextDouble() * 2 - 1);
            }
            NDArray weights = logits.getManager().create(w, new ai.djl.ndarray.types.Shape(shape));
            // linear and quadratic in the logits, so the upstream gradient differs per token
            return logits.mul(weights).sum().add(logits.square().mean().mul(3f));
        };
    }

    private static Map<String, float[]> gradients(boolean checkpointed, float[] lossOut) {
        return gradients(checkpointed, lossOut, o -> o);
    }

    private static Map<String, float[]> gradients(
            boolean checkpointed, float[] lossOut, Function<DjlOps, dev.arbooth.internal.nn.Ops<NDArray>> decorator) {
        return gradients(checkpointed, lossOut, decorator, TextLayout.COMPACT);
    }

    private static Map<String, float[]> gradients(
            boolean checkpointed,
            float[] lossOut,
            Function<DjlOps, dev.arbooth.internal.nn.Ops<NDArray>> decorator,
            TextLayout layout) {
        for (NDArray a : model.parameters().trainableArrays().values()) {
            a.getGradient().subi(a.getGradient());
        }
        try (NDManager sub = model.ops().manager().newSubManager()) {
            DjlOps scope = model.ops().scoped(sub);
            lossOut[0] = model.lossAndGradients(
                    scope, conditioning(scope, layout), x, schedule, loss(scope), decorator, checkpointed);
        }
        Map<String, float[]> out = new LinkedHashMap<>();
        model.parameters()
                .trainableArrays()
                .forEach((k, a) -> out.put(k, a.getGradient().toFloatArray()));
        return out;
    }

    @Test
    void checkpointedGradientsEqualTheRecordedPass() {
        compare(o -> o);
    }

    @Test
    void everyBlockRecordedInTheCheckpointedPassGivesTheSameGradients() {
        // the budget's default at this size: the whole tail recorded, the segments after it unchanged
        model.recordedTailBudget(DjlInfinity.RECORDED_TAIL_BYTES);
        try {
            compare(o -> o);
        } finally {
            model.recordedTailBudget(0);
        }
    }

    @Test
    void attentionRecomputedChunkByChunkGivesTheSameGradients() {
        // budget 0: every block's backward runs its self-attention one chunk's graph at a time
        model.attentionCheckpointBudget(0);
        try {
            compare(o -> o);
        } finally {
            model.attentionCheckpointBudget(1L << 30);
        }
    }

    @Test
    void theDecoratorAppliesInEverySegment() {
        // drop-path masks on both blocks' residual branches (one row dropped, one scaled), as the trainer draws them
        Map<String, float[]> masks = new LinkedHashMap<>();
        for (int i = 0; i < model.config().depth(); i++) {
            masks.put(dev.arbooth.internal.weights.InfinityLinear.FFN_FC2.key(model.config(), i), new float[] {0f, 1.25f
            });
            masks.put(dev.arbooth.internal.weights.InfinityLinear.SA_PROJ.key(model.config(), i), new float[] {1.25f, 0f
            });
        }
        Map<String, float[]> undecorated = gradients(true, new float[1]);
        Map<String, float[]> decorated = compare(o -> new DropPathOps(o, masks));
        assertThat(Golden.maxAbsDiff(undecorated.get(IDENTIFIER), decorated.get(IDENTIFIER)))
                .as("the masks change the gradients")
                .isGreaterThan(1e-4);
    }

    @Test
    void perRowTextGivesTheGradientsOfTheCompactText() {
        assertThat(lens[0])
                .as("prompts of different lengths: the shorter row is padded")
                .isNotEqualTo(lens[1]);
        float[] compactLoss = new float[1];
        float[] perRowLoss = new float[1];
        Map<String, float[]> compact = gradients(false, compactLoss, o -> o, TextLayout.COMPACT);
        Map<String, float[]> perRow = gradients(true, perRowLoss, o -> o, TextLayout.PER_ROW);
        assertClose("per-row (checkpointed) vs compact (recorded)", compact, perRow, compactLoss, perRowLoss, 1e-5);
    }

    @Test
    void perRowTextGivesTheLogitsOfTheCompactText() {
        try (NDManager sub = model.ops().manager().newSubManager()) {
            DjlOps scope = model.ops().scoped(sub);
            NDArray xs = scope.constant(
                    x, 2, schedule.totalTokens() - 1, model.config().bitsPerToken());
            InfinityText<NDArray> perRow = conditioning(scope, TextLayout.PER_ROW);
            assertThat(perRow.rowTokens()).isEqualTo(Math.max(lens[0], lens[1]));
            float[] a = model.net()
                    .forward(scope, conditioning(scope, TextLayout.COMPACT), xs, schedule)
                    .logits_BLV()
                    .toFloatArray();
            float[] b = model.net()
                    .forward(scope, perRow, xs, schedule)
                    .logits_BLV()
                    .toFloatArray();
            double diff = Golden.maxAbsDiff(a, b);
            System.out.printf("logits per-row vs compact text: max abs diff %.3g%n", diff);
            assertThat(diff).isLessThanOrEqualTo(1e-5);
        }
    }

    @Test
    void perRowTextRefusesTextThatIsNotTheRowsTokens() {
        int ct5 = model.config().textChannels();
        int n = text.length / ct5;
        try (NDManager sub = model.ops().manager().newSubManager()) {
            DjlOps scope = model.ops().scoped(sub);
            NDArray shorter = scope.constant(java.util.Arrays.copyOf(text, (n - 1) * ct5), n - 1, ct5);
            assertThatThrownBy(() -> model.net().conditionText(scope, shorter, lens, TextLayout.PER_ROW))
                    .isInstanceOf(dev.arbooth.ShapeMismatchException.class)
                    .hasMessageContaining("text_NCt5")
                    .hasMessageContaining(String.valueOf(n));
        }
    }

    private static Map<String, float[]> compare(Function<DjlOps, dev.arbooth.internal.nn.Ops<NDArray>> decorator) {
        float[] plainLoss = new float[1];
        float[] ckptLoss = new float[1];
        Map<String, float[]> plain = gradients(false, plainLoss, decorator);
        Map<String, float[]> ckpt = gradients(true, ckptLoss, decorator);
        assertClose("checkpointed vs recorded", plain, ckpt, plainLoss, ckptLoss, 1e-6);
        return ckpt;
    }

    private static void assertClose(
            String what,
            Map<String, float[]> plain,
            Map<String, float[]> ckpt,
            float[] plainLoss,
            float[] ckptLoss,
            double tolerance) {
        assertThat(ckpt.keySet()).containsExactlyElementsOf(plain.keySet()).contains(IDENTIFIER);
        double worst = 0;
        String worstKey = "none differ";
        for (Map.Entry<String, float[]> e : plain.entrySet()) {
            float[] a = e.getValue();
            float[] b = ckpt.get(e.getKey());
            double scale = 0;
            for (float v : a) {
                scale = Math.max(scale, Math.abs(v));
            }
            assertThat(scale).as("gradient of " + e.getKey() + " is not zero").isGreaterThan(0);
            double rel = Golden.maxAbsDiff(a, b) / scale;
            if (rel > worst) {
                worst = rel;
                worstKey = e.getKey();
            }
        }
        System.out.printf(
                "%s: %d gradients, worst %.3g of its max (%s); loss %.8g vs %.8g%n",
                what, plain.size(), worst, worstKey, ckptLoss[0], plainLoss[0]);
        assertThat(worst)
                .as(what + ": worst relative gradient difference (" + worstKey + ")")
                .isLessThanOrEqualTo(tolerance);
        assertThat((double) Math.abs(ckptLoss[0] - plainLoss[0]) / Math.abs(plainLoss[0]))
                .isLessThanOrEqualTo(tolerance);
    }

    @Test
    void smallChunksGiveTheLogitsOfTheDefaultChunks() {
        AttentionChunks small = AttentionChunks.blockCausal(schedule, 5000);
        assertThat(small.chunks().size()).isGreaterThan(schedule.size());
        try (NDManager sub = model.ops().manager().newSubManager()) {
            DjlOps scope = model.ops().scoped(sub);
            InfinityText<NDArray> t = model.conditionText(scope, text, lens);
            NDArray xs = scope.constant(
                    x, 2, schedule.totalTokens() - 1, model.config().bitsPerToken());
            InfinityNet net = model.net();
            float[] a = net.forward(scope, t, xs, schedule).logits_BLV().toFloatArray();
            float[] b = net.forward(scope, t, xs, net.teacherForcedTables(scope, schedule, small))
                    .logits_BLV()
                    .toFloatArray();
            double diff = Golden.maxAbsDiff(a, b);
            System.out.printf(
                    "logits with %d chunks vs %d: max abs diff %.3g%n",
                    small.chunks().size(), 7, diff);
            assertThat(diff).isLessThanOrEqualTo(1e-5);
        }
    }

    @Test
    void refusesToRunInsideACollector() {
        try (NDManager sub = model.ops().manager().newSubManager()) {
            DjlOps scope = model.ops().scoped(sub);
            InfinityText<NDArray> t = model.conditionText(scope, text, lens);
            try (GradientCollector gc = DjlEngine.pytorch(1).newGradientCollector()) {
                assertThatThrownBy(() -> model.lossAndGradients(scope, t, x, schedule, NDArray::sum))
                        .isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("outside");
            }
        }
    }
}
