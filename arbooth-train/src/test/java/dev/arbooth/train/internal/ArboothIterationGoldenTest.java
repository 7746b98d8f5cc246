package dev.arbooth.train.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.arbooth.config.InfinityConfig;
import dev.arbooth.config.ScaleSchedule;
import dev.arbooth.internal.format.SafeTensors;
import dev.arbooth.internal.format.StateDict;
import dev.arbooth.internal.weights.InfinityWeights;
import dev.arbooth.tensor.Tensor;
import dev.arbooth.testing.Golden;
import dev.arbooth.train.Distillation;
import dev.arbooth.train.FitOptions;
import dev.arbooth.train.OptimizerOptions;
import dev.arbooth.train.ScaleWeights;
import dev.arbooth.train.TeacherKind;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * One ARBooth iteration ({@link ArboothIteration}) against {@code arbooth-train-set1}: identifier rows, step-1
 * logits, loss, every gradient, AdamW state and updated tensor; then step 2 with either teacher: the teacher's bits,
 * logits and next-scale inputs, the student's logits, the KL, every gradient and updated tensor; frozen tensors
 * bit-identical. Every size comes from the golden files; every tolerance is the README's (section 5):
 *
 * <ul>
 *   <li>identifier rows and lengths exact; logits (step 1, teacher, student) 1e-5 abs; teacher bits exact;
 *   <li>step-1 loss 1e-6 relative; KL loss 1e-8 abs;
 *   <li>gradients per tensor relative to its max |grad|: step 1 1e-5, step 2 (a) 5e-5, (b) 2e-4; AdamW moments the
 *       same, relative to the tensor's max moment; step counters exact;
 *   <li>updated tensors 1e-6 abs, 5e-5 where |golden exp_avg| is below 1e-5 of its tensor's max.
 * </ul>
 *
 * Teacher (a) runs with ARBooth's double identifier update (golden {@code after.special_token}), teacher (b) with
 * the default single update (golden {@code alt_dedup.*}).
 */
@Tag("slow")
class ArboothIterationGoldenTest {
    private static final String SET = "arbooth-train-set1/";
    private static final InfinityConfig CONFIG = InfinityConfig.goldenSet1();
    private static final String ID = ArboothIteration.IDENTIFIER_KEY;

    @ParameterizedTest
    @ValueSource(strings = {"a", "b"})
    void oneIterationEqualsTheGolden(String teacher) {
        JsonObject cfg = JsonParser.parseString(read("config.json")).getAsJsonObject();
        boolean arbooth = teacher.equals("a");
        try (SafeTensors in = Golden.open(SET + "inputs.safetensors");
                SafeTensors before = Golden.open(SET + "trainable_before.safetensors");
                SafeTensors s1 = Golden.open(SET + "step1_wce.safetensors");
                SafeTensors s2 = Golden.open(SET + "step2_distill_" + teacher + ".safetensors");
                DjlInfinity model = load()) {
            ScaleSchedule schedule = Golden.schedule(in);
            Tensor init = in.get("special_token.init");
            int p = (int) init.shape()[0];
            int ct5 = (int) init.shape()[1];
            int[] clsLens = ints(in.get("cls.lens"));
            FitOptions options =
                    options(cfg, p, clsLens.length, arbooth ? TeacherKind.ARBOOTH_NO_CACHE : TeacherKind.KV_CACHED);
            Map<String, Tensor> frozenBefore = frozen(model, before);
            try (ArboothIteration it = ArboothIteration.create(model, options, ct5, schedule)) {
                model.parameters().restore(Map.of(ID, init));
                it.doubleIdentifierUpdate(arbooth);
                ArboothIteration.Diagnostics diag = it.recordDiagnostics();

                // ---- step 1
                byte[] gt = bytes(in.get("gt_BL"));
                SubjectBatch subject = new SubjectBatch(
                        in.get("subj.kv_compact_before").toFloatArray(),
                        ints(in.get("subj.lens_before")),
                        ints(in.get("subj.placeholder_index")),
                        gt);
                StepLosses l1 = it.subjectStep(subject, 1L);
                assertThat(diag.kvAfter)
                        .as("identifier rows")
                        .containsExactly(in.get("subj.kv_compact_after").toFloatArray());
                assertThat(diag.lensAfter).containsExactly(ints(in.get("subj.lens_after")));
                report("step1 logits", Golden.maxAbsDiff(s1.get("logits").toFloatArray(), diag.logits), 1e-5);
                float loss1 = s1.get("loss").toFloatArray()[0];
                report("step1 loss rel", Math.abs(l1.loss() - loss1) / Math.abs(loss1), 1e-6);
                String idPrefix = arbooth ? "" : "alt_dedup.";
                checkGrads("step1", diag.grads, s1, before, 1e-5);
                checkUpdate("step1", it, model, s1, before, 1e-5, idPrefix);
                float[] idAfter1 =
                        model.parameters().snapshot(List.of(ID)).get(ID).toFloatArray();

                // ---- step 2
                ClassBatch cls = new ClassBatch(in.get("cls.kv_compact").toFloatArray(), clsLens);
                StepLosses l2 = it.priorStep(cls, 2L);
                TeacherSample ts = diag.teacher;
                long[] bits = ts.bits_BhwD().isEmpty() ? new long[0] : sequenceBits(ts, schedule);
                assertThat(Golden.mismatches(s2.get("teacher.bits_BLd").toLongArray(), bits))
                        .as("teacher bits")
                        .isZero();
                report(
                        "step2" + teacher + " teacher logits",
                        Golden.maxAbsDiff(s2.get("teacher.logits").toFloatArray(), ts.logits_BLV()),
                        1e-5);
                report(
                        "step2" + teacher + " teacher next input",
                        Golden.maxAbsDiff(s2.get("teacher.next_input").toFloatArray(), ts.nextInput_BLd()),
                        1e-6);
                report(
                        "step2" + teacher + " teacher class_BLC",
                        Golden.maxAbsDiff(s2.get("teacher.class_BLC").toFloatArray(), it.classSequence(cls, ts)),
                        1e-5);
                report(
                        "step2" + teacher + " student logits",
                        Golden.maxAbsDiff(s2.get("student.logits").toFloatArray(), diag.logits),
                        1e-5);
                report(
                        "step2" + teacher + " KL loss abs",
                        Math.abs(l2.loss() - s2.get("kl.loss").toFloatArray()[0]),
                        1e-8);
                report(
                        "step2" + teacher + " KL per token",
                        Golden.maxAbsDiff(s2.get("kl.per_token").toFloatArray(), diag.klPerToken),
                        1e-6);
                double gradTol = arbooth ? 5e-5 : 2e-4;
                assertThat(diag.grads).as("step 2 has no identifier gradient").doesNotContainKey(ID);
                checkGrads("step2" + teacher, diag.grads, s2, before, gradTol);
                checkUpdate("step2" + teacher, it, model, s2, before, gradTol, null);
                assertThat(model.parameters().snapshot(List.of(ID)).get(ID).toFloatArray())
                        .as("identifier untouched by step 2")
                        .containsExactly(idAfter1);
            }
            Map<String, Tensor> frozenAfter = frozen(model, before);
            for (Map.Entry<String, Tensor> e : frozenBefore.entrySet()) {
                assertThat(frozenAfter.get(e.getKey()).toFloatArray())
                        .as("frozen " + e.getKey())
                        .containsExactly(e.getValue().toFloatArray());
            }
        }
    }

    @org.junit.jupiter.api.Test
    void zeroInitialisedIdentifierAsArboothsCode() {
        JsonObject cfg = JsonParser.parseString(read("config.json")).getAsJsonObject();
        try (SafeTensors in = Golden.open(SET + "inputs.safetensors");
                SafeTensors s1 = Golden.open(SET + "step1_wce.safetensors");
                DjlInfinity model = load()) {
            Tensor init = in.get("special_token.init");
            FitOptions options = options(cfg, (int) init.shape()[0], 2, TeacherKind.KV_CACHED);
            assertThat(options.identifierInitStd())
                    .as("ARBooth's default: zeros")
                    .isZero();
            try (ArboothIteration it =
                    ArboothIteration.create(model, options, (int) init.shape()[1], Golden.schedule(in))) {
                ArboothIteration.Diagnostics diag = it.recordDiagnostics();
                StepLosses l1 = it.subjectStep(
                        new SubjectBatch(
                                in.get("subj.kv_compact_before").toFloatArray(),
                                ints(in.get("subj.lens_before")),
                                ints(in.get("subj.placeholder_index")),
                                bytes(in.get("gt_BL"))),
                        1L);
                assertThat(diag.kvAfter)
                        .containsExactly(s1.get("zero_init.kv_compact_after").toFloatArray());
                float loss = s1.get("zero_init.loss").toFloatArray()[0];
                report("zero-init loss rel", Math.abs(l1.loss() - loss) / Math.abs(loss), 1e-6);
                float[] g = s1.get("zero_init.special_token_grad").toFloatArray();
                report("zero-init identifier grad rel", Golden.maxAbsDiff(g, diag.grads.get(ID)) / maxAbs(g), 1e-5);
            }
        }
    }

    private static void checkGrads(
            String what, Map<String, float[]> grads, SafeTensors golden, SafeTensors before, double tol) {
        int checked = 0;
        double worst = 0;
        for (String name : before.names()) {
            if (!golden.names().contains("grad." + name)) {
                continue;
            }
            float[] e = golden.get("grad." + name).toFloatArray();
            assertThat(grads).as(what + " gradient of " + name).containsKey(name);
            double rel = Golden.maxAbsDiff(e, grads.get(name)) / maxAbs(e);
            assertThat(rel).as(what + " gradient of " + name).isLessThanOrEqualTo(tol);
            worst = Math.max(worst, rel);
            checked++;
        }
        assertThat(grads).hasSize(checked);
        System.out.printf("%s gradients: %d tensors, worst rel %.3g (tol %.0e)%n", what, checked, worst, tol);
    }

    private static void checkUpdate(
            String what,
            ArboothIteration it,
            DjlInfinity model,
            SafeTensors golden,
            SafeTensors before,
            double momentTol,
            String idPrefix) {
        Map<String, Tensor> state = it.snapshot();
        double worstAfter = 0;
        double worstMoment = 0;
        for (String name : before.names()) {
            String prefix = name.equals(ID) ? idPrefix : "";
            if (prefix == null) {
                continue; // step 2: the identifier is checked untouched by the caller
            }
            float[] e = golden.get(prefix + "after." + name).toFloatArray();
            float[] m = golden.get(prefix + "adam.exp_avg." + name).toFloatArray();
            float[] a = model.parameters().snapshot(List.of(name)).get(name).toFloatArray();
            double mMax = maxAbs(m);
            for (int i = 0; i < e.length; i++) {
                double tol = Math.abs(m[i]) < 1e-5 * mMax ? 5e-5 : 1e-6;
                double diff = Math.abs(e[i] - a[i]);
                assertThat(diff).as(what + " after." + name + "[" + i + "]").isLessThanOrEqualTo(tol);
                if (tol == 1e-6) {
                    worstAfter = Math.max(worstAfter, diff);
                }
            }
            for (String moment : new String[] {"exp_avg", "exp_avg_sq"}) {
                float[] g = golden.get(prefix + "adam." + moment + "." + name).toFloatArray();
                double rel = Golden.maxAbsDiff(
                                g,
                                state.get(ArboothIteration.ADAM_PREFIX + moment + "." + name)
                                        .toFloatArray())
                        / maxAbs(g);
                assertThat(rel).as(what + " " + moment + " " + name).isLessThanOrEqualTo(momentTol);
                worstMoment = Math.max(worstMoment, rel);
            }
            long steps = (long) golden.get(prefix + "adam.step." + name).toFloatArray()[0];
            assertThat(it.optimizerSteps(name)).as(what + " steps of " + name).isEqualTo(steps);
        }
        System.out.printf(
                "%s after: worst abs %.3g (tol 1e-6 where |m| >= 1e-5 max); moments worst rel %.3g%n",
                what, worstAfter, worstMoment);
    }

    private static long[] sequenceBits(TeacherSample ts, ScaleSchedule schedule) {
        int b = ts.logits_BLV().length / (schedule.totalTokens() * CONFIG.vocabSize());
        int d = CONFIG.bitsPerToken();
        int l = schedule.totalTokens();
        long[] out = new long[b * l * d];
        for (int k = 0; k < schedule.size(); k++) {
            int per = schedule.get(k).tokens() * d;
            for (int r = 0; r < b; r++) {
                System.arraycopy(ts.bits_BhwD().get(k), r * per, out, (r * l + schedule.offset(k)) * d, per);
            }
        }
        return out;
    }

    private static Map<String, Tensor> frozen(DjlInfinity model, SafeTensors trainable) {
        List<String> keys = new ArrayList<>();
        for (String k : model.parameters().keys()) {
            if (!trainable.names().contains(k) && !k.equals(ID)) {
                keys.add(k);
            }
        }
        return new LinkedHashMap<>(model.parameters().snapshot(keys));
    }

    static FitOptions options(JsonObject c, int identifierRows, int samples, TeacherKind teacher) {
        JsonObject h = c.getAsJsonObject("derived_hparams");
        return FitOptions.arbooth().toBuilder()
                .identifierRows(identifierRows)
                .scaleWeights(ScaleWeights.firstScales(
                        c.get("wce_full_weight_scales").getAsInt(),
                        c.get("wce_low_weight").getAsDouble()))
                .selfCorrection(0)
                .dropPath(0)
                .conditionDropout(0)
                .optimizer(new OptimizerOptions(
                        c.get("lr").getAsDouble(),
                        h.get("beta0").getAsDouble(),
                        h.get("beta1").getAsDouble(),
                        c.get("adam_eps").getAsDouble(),
                        c.get("weight_decay").getAsDouble()))
                .distillation(new Distillation(
                        true,
                        c.get("reg_lambda").getAsDouble(),
                        c.get("distill_temperature").getAsDouble(),
                        samples,
                        c.get("cls_cfg").getAsDouble(),
                        c.get("cls_tau").getAsDouble(),
                        c.get("cls_top_k").getAsInt(),
                        c.get("cls_top_p").getAsDouble(),
                        teacher,
                        false))
                .build();
    }

    static DjlInfinity load() {
        try (SafeTensors st = Golden.open("infinity-set1/transformer_weights.safetensors")) {
            return DjlInfinity.create(CONFIG, StateDict.of(InfinityWeights.bind(CONFIG, st)));
        }
    }

    static String read(String name) {
        try {
            return Files.readString(Golden.golden(SET + name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static int[] ints(Tensor t) {
        long[] v = t.toLongArray();
        int[] out = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = Math.toIntExact(v[i]);
        }
        return out;
    }

    static byte[] bytes(Tensor t) {
        long[] v = t.toLongArray();
        byte[] out = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (byte) v[i];
        }
        return out;
    }

    private static double maxAbs(float[] v) {
        double m = 0;
        for (float x : v) {
            m = Math.max(m, Math.abs(x));
        }
        return m;
    }

    private static void report(String what, double value, double tol) {
        System.out.printf("%s: %.3g (tol %.0e)%n", what, value, tol);
        assertThat(value).as(what).isLessThanOrEqualTo(tol);
    }
}
