package dev.arbooth.train.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.arbooth.config.InfinityConfig;
import dev.arbooth.config.ScaleSchedule;
import dev.arbooth.internal.format.StateDict;
import dev.arbooth.internal.nn.InfinityNet;
import dev.arbooth.internal.nn.InfinityText;
import dev.arbooth.internal.nn.Ops;
import dev.arbooth.internal.sampling.TeacherForcing;
import dev.arbooth.internal.weights.InfinityLinear;
import dev.arbooth.internal.weights.InfinityPart;
import dev.arbooth.internal.weights.InfinityWeights;
import dev.arbooth.tensor.Tensor;
import dev.arbooth.train.Distillation;
import dev.arbooth.train.FitOptions;
import dev.arbooth.train.LoraOptions;
import dev.arbooth.train.OptimizerOptions;
import dev.arbooth.train.TeacherKind;
import dev.arbooth.train.Tuning;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every switch of {@link ArboothIteration} does what it says, on a tiny random model (3 scales, 21 tokens): the
 * tuning modes train exactly their set (every other tensor bit-identical), LoRA starts at the base's output and its
 * fused adapter reproduces the decorated model, self-correction, drop-path and condition dropout act and are
 * seeded, the teacher samples with ARBooth's top-k/top-p deterministically per seed, and a snapshot restores the
 * next step bit for bit (also into a fresh model).
 */
@Tag("slow")
class ArboothIterationOptionsTest {
    private static final InfinityConfig CONFIG =
            InfinityConfig.goldenSet1().toBuilder().codebookDim(8).build();
    private static final ScaleSchedule SCHEDULE =
            ScaleSchedule.of(new int[] {1, 1}, new int[] {2, 2}, new int[] {4, 4});
    private static final int[] LENS = {4, 5};
    private static final int[] AT = {1, 4};
    private static final int[] CLS_LENS = {3, 3};
    private static final String ID = ArboothIteration.IDENTIFIER_KEY;

    private static FitOptions.Builder options() {
        return FitOptions.arbooth().toBuilder()
                .identifierRows(2)
                .identifierInitStd(0.05)
                .selfCorrection(0)
                .dropPath(0)
                .conditionDropout(0)
                .optimizer(OptimizerOptions.arbooth().withLearningRate(1e-3))
                .seed(11);
    }

    private static DjlInfinity model() {
        return DjlInfinity.create(CONFIG, DjlInfinityConsistencyTest.randomWeights(CONFIG, 5));
    }

    private static SubjectBatch subject(long seed) {
        Random r = new Random(seed);
        int d = CONFIG.bitsPerToken();
        byte[] bits = new byte[LENS.length * SCHEDULE.totalTokens() * d];
        for (int i = 0; i < bits.length; i++) {
            bits[i] = (byte) (r.nextBoolean() ? 1 : 0);
        }
        return new SubjectBatch(text(LENS, seed + 1), LENS, AT, bits);
    }

    private static ClassBatch classes(long seed) {
        return new ClassBatch(text(CLS_LENS, seed), CLS_LENS);
    }

    private static float[] text(int[] lens, long seed) {
        int n = 0;
        for (int l : lens) {
            n += l;
        }
        return DjlInfinityConsistencyTest.gaussian(n * CONFIG.textChannels(), seed, 0.5);
    }

    private static ArboothIteration iteration(DjlInfinity model, FitOptions o) {
        return ArboothIteration.create(model, o, CONFIG.textChannels(), SCHEDULE);
    }

    private static Map<String, float[]> values(DjlInfinity model, Iterable<String> keys) {
        Map<String, float[]> out = new LinkedHashMap<>();
        for (String k : keys) {
            out.put(k, model.parameters().get(k).toFloatArray());
        }
        return out;
    }

    @ParameterizedTest
    @EnumSource(Tuning.class)
    void eachTuningTrainsExactlyItsSet(Tuning tuning) {
        try (DjlInfinity model = model()) {
            Set<String> base = new LinkedHashSet<>(
                    InfinityWeights.expected(CONFIG).stream().map(s -> s.name()).toList());
            Map<String, float[]> before = values(model, base);
            Set<String> trained =
                    new LinkedHashSet<>(TrainableSets.baseGroup(CONFIG, tuning).keys());
            try (ArboothIteration it = iteration(model, options().tuning(tuning).build())) {
                float[] id0 = model.parameters().get(ID).toFloatArray();
                StepLosses s1 = it.subjectStep(subject(1), 100);
                StepLosses s2 = it.priorStep(classes(2), 101);
                assertThat(s1.perScale()).hasSize(SCHEDULE.size());
                assertThat(s2.perScale()).hasSize(SCHEDULE.size());
                assertThat(model.parameters().get(ID).toFloatArray()).isNotEqualTo(id0);
                Map<String, float[]> after = values(model, base);
                for (String k : base) {
                    if (trained.contains(k)) {
                        assertThat(after.get(k)).as(tuning + " trains " + k).isNotEqualTo(before.get(k));
                    } else {
                        assertThat(after.get(k)).as(tuning + " freezes " + k).containsExactly(before.get(k));
                    }
                }
                Set<String> expected = new LinkedHashSet<>(trained);
                expected.add(ID);
                assertThat(it.adapterTensors().keySet()).containsExactlyInAnyOrderElementsOf(expected);
                assertThat(it.optimizerSteps(ID)).isEqualTo(1);
            }
        }
    }

    @Test
    void loraStartsAtTheBaseAndItsFusedAdapterIsTheDecoratedModel() {
        LoraOptions lora = new LoraOptions(2, 4.0);
        try (DjlInfinity model = model()) {
            Set<String> base = new LinkedHashSet<>(
                    InfinityWeights.expected(CONFIG).stream().map(s -> s.name()).toList());
            Map<String, float[]> before = values(model, base);
            float[] x = TeacherForcing.inputs(SCHEDULE, 2, CONFIG.bitsPerToken(), randomBits(7));
            float[] text = text(LENS, 8);
            float[] plain = logits(model, o -> o, text, x);
            Set<String> targets = new LinkedHashSet<>(InfinityWeights.linearWeights(CONFIG, InfinityPart.ARBOOTH));
            try (ArboothIteration it = iteration(model, options().lora(lora).build())) {
                float[] atStart = logits(model, o -> new LoraOps(o, targets, (float) lora.scale()), text, x);
                assertThat(atStart).as("B = 0: the LoRA model is the base").containsExactly(plain);
                it.subjectStep(subject(1), 200);
                it.priorStep(classes(2), 201);
                assertThat(values(model, base))
                        .allSatisfy(
                                (k, v) -> assertThat(v).as("LoRA leaves " + k).containsExactly(before.get(k)));
                float[] decorated = logits(model, o -> new LoraOps(o, targets, (float) lora.scale()), text, x);
                Map<String, Tensor> adapter = it.adapterTensors();
                Set<String> expected = new LinkedHashSet<>(targets);
                expected.add(ID);
                assertThat(adapter.keySet()).containsExactlyInAnyOrderElementsOf(expected);
                Map<String, Tensor> fusedWeights = new LinkedHashMap<>();
                for (String k : base) {
                    Tensor t = adapter.get(k);
                    fusedWeights.put(
                            k,
                            t != null
                                    ? t
                                    : Tensor.ofFloats(
                                            before.get(k),
                                            model.parameters().get(k).getShape().getShape()));
                }
                try (DjlInfinity fused = DjlInfinity.create(CONFIG, StateDict.of(fusedWeights))) {
                    float[] dense = logits(fused, o -> o, text, x);
                    double diff = maxAbsDiff(dense, decorated);
                    double moved = maxAbsDiff(plain, decorated);
                    System.out.printf("LoRA: decorated vs fused logits %.3g; moved from base by %.3g%n", diff, moved);
                    assertThat(moved).isGreaterThan(1e-4);
                    assertThat(diff).isLessThan(1e-5); // float32 order: x(W+sBA)ᵀ vs xWᵀ + s(xAᵀ)Bᵀ
                }
                Map<String, Tensor> snap = it.snapshot();
                for (String t : targets) {
                    assertThat(snap).containsKeys(LoraOps.factorA(t), LoraOps.factorB(t));
                    assertThat(snap.get(LoraOps.factorA(t)).shape()[0]).isEqualTo(2);
                }
            }
        }
    }

    private static float[] logits(DjlInfinity model, Function<DjlOps, Ops<NDArray>> deco, float[] text, float[] x) {
        try (NDManager sub = model.ops().manager().newSubManager()) {
            Ops<NDArray> ops = deco.apply(model.ops().scoped(sub));
            InfinityNet net = model.net();
            int n = text.length / CONFIG.textChannels();
            InfinityText<NDArray> t = net.conditionText(ops, ops.constant(text, n, CONFIG.textChannels()), LENS);
            NDArray in = ops.constant(x, 2, SCHEDULE.totalTokens() - 1, CONFIG.bitsPerToken());
            return net.forward(ops, t, in, SCHEDULE).logits_BLV().toFloatArray();
        }
    }

    @Test
    void snapshotRestoresTheNextStepBitForBit() {
        FitOptions o = options()
                .selfCorrection(0.3)
                .dropPath(0.1)
                .conditionDropout(0.1)
                .build();
        Map<String, Tensor> snap;
        Map<String, Tensor> direct;
        float[] losses = new float[2];
        try (DjlInfinity model = model();
                ArboothIteration it = iteration(model, o)) {
            it.subjectStep(subject(1), 10);
            it.priorStep(classes(2), 11);
            snap = it.snapshot();
            losses[0] = it.subjectStep(subject(3), 12).loss();
            losses[1] = it.priorStep(classes(4), 13).loss();
            direct = it.adapterTensors();
            it.restore(snap);
            assertThat(it.subjectStep(subject(3), 12).loss()).isEqualTo(losses[0]);
            assertThat(it.priorStep(classes(4), 13).loss()).isEqualTo(losses[1]);
            assertSame(it.adapterTensors(), direct);
        }
        try (DjlInfinity fresh = model();
                ArboothIteration it = iteration(fresh, o)) {
            it.restore(snap);
            assertThat(it.subjectStep(subject(3), 12).loss()).isEqualTo(losses[0]);
            assertThat(it.priorStep(classes(4), 13).loss()).isEqualTo(losses[1]);
            assertSame(it.adapterTensors(), direct);
            Map<String, Tensor> wrong = new LinkedHashMap<>(snap);
            wrong.remove(ID);
            assertThatThrownBy(() -> it.restore(wrong)).hasMessageContaining(ID);
        }
    }

    private static void assertSame(Map<String, Tensor> a, Map<String, Tensor> b) {
        assertThat(a.keySet()).containsExactlyElementsOf(b.keySet());
        a.forEach((k, t) ->
                assertThat(t.toFloatArray()).as(k).containsExactly(b.get(k).toFloatArray()));
    }

    @Test
    void selfCorrectionFlipsSeededSharesAndRederivesTheInputs() {
        List<long[]> bits = randomBits(3);
        int d = CONFIG.bitsPerToken();
        float[] clean = TeacherForcing.inputs(SCHEDULE, 2, d, bits);
        assertThat(SelfCorrection.inputs(SCHEDULE, 2, d, bits, 0, new SplittableRandom(1)))
                .containsExactly(clean);
        float[] noisy = SelfCorrection.inputs(SCHEDULE, 2, d, bits, 0.9, new SplittableRandom(1));
        assertThat(SelfCorrection.inputs(SCHEDULE, 2, d, bits, 0.9, new SplittableRandom(1)))
                .containsExactly(noisy);
        assertThat(noisy).isNotEqualTo(clean);
        assertThat(bits.get(0))
                .as("the ground truth is not modified")
                .isEqualTo(randomBits(3).get(0));
        float[] loss = new float[3];
        long[] seeds = {5, 5, 6};
        for (int i = 0; i < 3; i++) {
            try (DjlInfinity model = model();
                    ArboothIteration it =
                            iteration(model, options().selfCorrection(0.3).build())) {
                loss[i] = it.subjectStep(subject(1), seeds[i]).loss();
            }
        }
        assertThat(loss[1]).isEqualTo(loss[0]);
        assertThat(loss[2]).isNotEqualTo(loss[0]);
    }

    @Test
    void dropPathZeroesABranchPerRow() {
        int depth = CONFIG.depth();
        Map<String, float[]> masks = new LinkedHashMap<>();
        Map<String, Tensor> weights = new LinkedHashMap<>();
        StateDict random = DjlInfinityConsistencyTest.randomWeights(CONFIG, 5);
        for (String k : random.names()) {
            weights.put(k, random.get(k));
        }
        for (int i = 0; i < depth; i++) {
            for (InfinityLinear l : new InfinityLinear[] {InfinityLinear.SA_PROJ, InfinityLinear.FFN_FC2}) {
                masks.put(l.key(CONFIG, i), new float[] {0f, 1f});
                String w = l.key(CONFIG, i);
                String bias = l.bias().get(0).key(CONFIG, i);
                weights.put(
                        w,
                        Tensor.ofFloats(
                                new float[(int) Tensor.numel(weights.get(w).shape())],
                                weights.get(w).shape()));
                weights.put(
                        bias,
                        Tensor.ofFloats(
                                new float[(int) Tensor.numel(weights.get(bias).shape())],
                                weights.get(bias).shape()));
            }
        }
        float[] x = TeacherForcing.inputs(SCHEDULE, 2, CONFIG.bitsPerToken(), randomBits(9));
        float[] text = text(LENS, 10);
        int half = SCHEDULE.totalTokens() * CONFIG.vocabSize();
        try (DjlInfinity model = model();
                DjlInfinity cut = DjlInfinity.create(CONFIG, StateDict.of(weights));
                NDManager sub = model.ops().manager().newSubManager()) {
            float[] plain = logits(model, o -> o, text, x);
            float[] noBranches = logits(cut, o -> o, text, x);
            DropPathOps ops = new DropPathOps(model.ops().scoped(sub), masks);
            InfinityText<NDArray> t = model.net()
                    .conditionText(
                            ops, ops.constant(text, text.length / CONFIG.textChannels(), CONFIG.textChannels()), LENS);
            float[] dropped = model.net()
                    .forward(ops, t, ops.constant(x, 2, SCHEDULE.totalTokens() - 1, CONFIG.bitsPerToken()), SCHEDULE)
                    .logits_BLV()
                    .toFloatArray();
            assertThat(maxAbsDiff(slice(dropped, 0, half), slice(noBranches, 0, half)))
                    .isLessThan(1e-5);
            assertThat(slice(dropped, half, 2 * half)).containsExactly(slice(plain, half, 2 * half));
        }
        // depth 2: rates linspace(0, 0.5, 2); block 1 draws one mask per row and branch from the step seed
        Set<Float> losses = new LinkedHashSet<>();
        float first = 0;
        for (long seed = 0; seed < 8; seed++) {
            for (int again = 0; again < (seed == 0 ? 2 : 1); again++) {
                try (DjlInfinity model = model();
                        ArboothIteration it =
                                iteration(model, options().dropPath(0.5).build())) {
                    float l = it.subjectStep(subject(1), seed).loss();
                    if (seed == 0 && again == 1) {
                        assertThat(l).as("same seed, same masks").isEqualTo(first);
                    }
                    first = seed == 0 ? l : first;
                    losses.add(l);
                }
            }
        }
        assertThat(losses).as("the masks vary with the step seed").hasSizeGreaterThan(1);
    }

    @Test
    void conditionDropoutReplacesThePromptsAndStarvesTheIdentifier() {
        int dropped = 0;
        for (long seed = 0; seed < 8 && dropped == 0; seed++) {
            try (DjlInfinity model = model();
                    ArboothIteration it =
                            iteration(model, options().conditionDropout(0.95).build())) {
                float[] id0 = model.parameters().get(ID).toFloatArray();
                it.subjectStep(subject(1), seed);
                if (it.optimizerSteps(ID) == 0) {
                    assertThat(model.parameters().get(ID).toFloatArray())
                            .as("no prompt kept the identifier: no update")
                            .containsExactly(id0);
                    dropped++;
                }
            }
        }
        assertThat(dropped)
                .as("with rate 0.95 both prompts drop within 8 seeds")
                .isPositive();
        try (DjlInfinity model = model();
                ArboothIteration it = iteration(model, options().build())) {
            it.subjectStep(subject(1), 0);
            assertThat(it.optimizerSteps(ID)).isEqualTo(1);
        }
    }

    @Test
    void teacherSamplesWithArboothsFilteringPerSeed() {
        for (TeacherKind kind : TeacherKind.values()) {
            FitOptions o = options()
                    .distillation(Distillation.arbooth().withTeacher(kind))
                    .build();
            try (DjlInfinity model = model();
                    ArboothIteration it = iteration(model, o)) {
                TeacherSample a = it.sampleTeacher(classes(1), 42);
                TeacherSample b = it.sampleTeacher(classes(1), 42);
                TeacherSample c = it.sampleTeacher(classes(1), 43);
                for (int k = 0; k < SCHEDULE.size(); k++) {
                    assertThat(b.bits_BhwD().get(k))
                            .containsExactly(a.bits_BhwD().get(k));
                }
                assertThat(b.logits_BLV()).containsExactly(a.logits_BLV());
                boolean differs = false;
                for (int k = 0; k < SCHEDULE.size(); k++) {
                    differs |= !java.util.Arrays.equals(
                            a.bits_BhwD().get(k), c.bits_BhwD().get(k));
                }
                assertThat(differs)
                        .as(kind + ": another seed samples other bits")
                        .isTrue();
            }
        }
    }

    @Test
    void theTeacherOnOnnxRuntimeSamplesWhatTheDjlTeacherSamplesFromTheOriginalWeights() {
        // two iterations on two copies of the same model; each student takes a step first (its trained tensors move),
        // then both teachers sample the same class prompts with the same seed: the teacher reads the base's originals
        FitOptions djl = options().build();
        FitOptions ort = options()
                .distillation(Distillation.arbooth().withTeacher(TeacherKind.KV_CACHED_ONNX_RUNTIME))
                .build();
        try (DjlInfinity m1 = model();
                DjlInfinity m2 = model();
                ArboothIteration a = iteration(m1, djl);
                ArboothIteration b = iteration(m2, ort)) {
            TeacherSample before = b.sampleTeacher(classes(3), 42);
            a.subjectStep(subject(1), 0);
            b.subjectStep(subject(1), 0);
            TeacherSample onDjl = a.sampleTeacher(classes(3), 42);
            TeacherSample onOrt = b.sampleTeacher(classes(3), 42);
            for (int k = 0; k < SCHEDULE.size(); k++) {
                assertThat(onOrt.bits_BhwD().get(k))
                        .as("scale " + k)
                        .containsExactly(onDjl.bits_BhwD().get(k));
                assertThat(before.bits_BhwD().get(k))
                        .containsExactly(onOrt.bits_BhwD().get(k));
            }
            assertThat(maxAbsDiff(onOrt.logits_BLV(), onDjl.logits_BLV())).isLessThan(1e-4);
            assertThat(onOrt.nextInput_BLd()).containsExactly(onDjl.nextInput_BLd());
            // and the prior step runs on the ONNX Runtime teacher's sample
            StepLosses prior = b.priorStep(classes(3), 5);
            assertThat(Double.isFinite(prior.loss())).isTrue();
        }
    }

    @Test
    void unconditionalDistillationPullsTheUnconditionalBranchOnTheTeachersTokens() {
        // the teacher runs guided (class rows and cfg_uncond rows) at cfg 1: its samples follow the class prompt,
        // and its unconditional logits come with them; before any step the student is the teacher, so the KL of
        // both halves of the student's [class; uncond] batch is zero only if each half meets its own logits
        FitOptions plain = options().build();
        FitOptions both = options()
                .distillation(Distillation.arbooth().withUnconditional(true))
                .build();
        try (DjlInfinity m1 = model();
                DjlInfinity m2 = model();
                ArboothIteration a = iteration(m1, plain);
                ArboothIteration b = iteration(m2, both)) {
            TeacherSample cond = a.sampleTeacher(classes(3), 42);
            TeacherSample guided = b.sampleTeacher(classes(3), 42);
            assertThat(cond.uncondLogits_BLV()).isNull();
            assertThat(guided.uncondLogits_BLV()).hasSameSizeAs(guided.logits_BLV());
            assertThat(maxAbsDiff(guided.logits_BLV(), cond.logits_BLV())).isLessThan(1e-4);
            assertThat(maxAbsDiff(guided.uncondLogits_BLV(), guided.logits_BLV()))
                    .as("the unconditional branch differs from the conditional one")
                    .isGreaterThan(1e-2);
            StepLosses prior = b.priorStep(classes(3), 5);
            assertThat(prior.loss()).isBetween(0f, 1e-6f);
            // after a subject step both branches have moved: the prior step pulls on more than ARBooth's
            a.subjectStep(subject(1), 0);
            b.subjectStep(subject(1), 0);
            float condOnly = a.priorStep(classes(3), 7).loss();
            float withUncond = b.priorStep(classes(3), 7).loss();
            assertThat(condOnly).isGreaterThan(1e-6f);
            assertThat(withUncond).isGreaterThan(1e-6f).isNotEqualTo(condOnly);
        }
        assertThatThrownBy(() -> Distillation.arbooth()
                        .withTeacher(TeacherKind.ARBOOTH_NO_CACHE)
                        .withUnconditional(true))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("KV-cached teacher");
    }

    @Test
    void distillationOffSkipsThePriorStep() {
        try (DjlInfinity model = model();
                ArboothIteration it = iteration(
                        model,
                        options().distillation(Distillation.arbooth().off()).build())) {
            assertThat(it.priorStep(classes(1), 1)).isNull();
        }
    }

    @Test
    void badInputIsRejected() {
        try (DjlInfinity model = model()) {
            assertThatThrownBy(() -> ArboothIteration.create(model, options().build(), 2048, SCHEDULE))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("2048");
            try (ArboothIteration it = iteration(model, options().build())) {
                SubjectBatch s = subject(1);
                SubjectBatch shortBits = new SubjectBatch(s.text_NCt5(), LENS, AT, new byte[LENS.length * 3]);
                assertThatThrownBy(() -> it.subjectStep(shortBits, 1)).hasMessageContaining("gtBits_BLd");
            }
        }
        assertThatThrownBy(() -> new SubjectBatch(new float[0], new int[] {3}, new int[] {3}, new byte[0]))
                .hasMessageContaining("identifier row 3");
    }

    private static List<long[]> randomBits(long seed) {
        Random r = new Random(seed);
        List<long[]> out = new ArrayList<>();
        for (int k = 0; k < SCHEDULE.size(); k++) {
            long[] b = new long[2 * SCHEDULE.get(k).tokens() * CONFIG.bitsPerToken()];
            for (int i = 0; i < b.length; i++) {
                b[i] = r.nextBoolean() ? 1 : 0;
            }
            out.add(b);
        }
        return out;
    }

    private static float[] slice(float[] v, int from, int to) {
        return java.util.Arrays.copyOfRange(v, from, to);
    }

    private static double maxAbsDiff(float[] a, float[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }
}
