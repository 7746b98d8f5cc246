package dev.arbooth.train.internal;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.arbooth.internal.format.SafeTensors;
import dev.arbooth.tensor.Tensor;
import dev.arbooth.testing.Golden;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * ARBooth's losses against {@code infinity-set1/losses.safetensors} (tolerance 1e-5 abs, issue acceptance); the
 * hyper-parameters (λ, T, the full-weight scale count and the low weight) come from the set's {@code config.json}.
 */
class ArboothLossesGoldenTest {
    private static final double TOL = 1e-5;
    private static SafeTensors losses;
    private static SafeTensors tfInputs;
    private static NDManager manager;
    private static com.google.gson.JsonObject config;

    @BeforeAll
    static void open() throws Exception {
        losses = Golden.open("infinity-set1/losses.safetensors");
        tfInputs = Golden.open("infinity-set1/tf_inputs.safetensors");
        manager = DjlEngine.pytorch(1).newBaseManager();
        config = com.google.gson.JsonParser.parseString(
                        java.nio.file.Files.readString(Golden.golden("infinity-set1/config.json")))
                .getAsJsonObject();
    }

    @AfterAll
    static void close() {
        manager.close();
        losses.close();
        tfInputs.close();
    }

    private static NDArray floats(String name) {
        Tensor t = losses.get(name);
        return manager.create(t.toFloatArray(), new Shape(t.shape()));
    }

    private static NDArray longs(String name) {
        Tensor t = losses.get(name);
        return manager.create(t.toLongArray(), new Shape(t.shape()));
    }

    private static void check(String what, NDArray actual, String golden) {
        Tensor expected = losses.get(golden);
        float[] e = expected.toFloatArray();
        float[] a = actual.toFloatArray();
        assertThat(a.length).as(what + " size").isEqualTo(e.length);
        double diff = Golden.maxAbsDiff(e, a);
        System.out.printf("losses %-24s max abs diff %.3g%n", what, diff);
        assertThat(diff).as(what).isLessThanOrEqualTo(TOL);
    }

    /** A number of {@code config.json}, wherever it is nested. */
    private static float number(String key) {
        Float f = find(config, key);
        assertThat(f).as(key + " in config.json").isNotNull();
        return f;
    }

    private static Float find(com.google.gson.JsonObject o, String key) {
        if (o.has(key) && o.get(key).isJsonPrimitive()) {
            return o.get(key).getAsFloat();
        }
        for (var e : o.entrySet()) {
            Float f = e.getValue().isJsonObject() ? find(e.getValue().getAsJsonObject(), key) : null;
            if (f != null) {
                return f;
            }
        }
        return null;
    }

    @Test
    void scaleWeightedBitwiseCrossEntropy() {
        NDArray bitCe = ArboothLosses.bitCrossEntropy(floats("loss.logits"), longs("loss.gt_BL"));
        check("bit_ce", bitCe, "loss.bit_ce");
        NDArray tokenCe = ArboothLosses.tokenCrossEntropy(bitCe);
        check("token_ce", tokenCe, "loss.token_ce");

        List<Integer> tokens = new ArrayList<>();
        Golden.schedule(tfInputs).scales().forEach(s -> tokens.add(s.tokens()));
        int full = (int) number("wce_full_weight_scales");
        float low = number("wce_low_weight");
        List<Float> perScale = new ArrayList<>();
        for (int k = 0; k < tokens.size(); k++) {
            perScale.add(k < full ? 1f : low);
        }
        float[] w = ArboothLosses.tokenWeights(tokens, perScale);
        float[] goldenW = losses.get("loss.scale_weight").toFloatArray();
        for (int b = 0; b < goldenW.length / w.length; b++) {
            assertThat(java.util.Arrays.copyOfRange(goldenW, b * w.length, (b + 1) * w.length))
                    .containsExactly(w);
        }
        check("wce", ArboothLosses.weightedCrossEntropy(tokenCe, manager.create(w)), "loss.wce");
        List<Float> ones = new ArrayList<>();
        tokens.forEach(t -> ones.add(1f));
        check(
                "unweighted_ce",
                ArboothLosses.weightedCrossEntropy(tokenCe, manager.create(ArboothLosses.tokenWeights(tokens, ones))),
                "loss.unweighted_ce");
    }

    @Test
    void softPriorDistillationKl() {
        float temperature = number("distill_temperature");
        float lambda = number("reg_lambda");
        NDArray teacher = floats("kl.teacher_logits");
        NDArray student = floats("kl.student_logits");
        NDArray kl = ArboothLosses.distillKlPerToken(teacher, student, temperature);
        check("kl per_token", kl, "kl.per_token");
        check("kl loss_no_lambda", ArboothLosses.distillLoss(kl, 1f), "kl.loss_no_lambda");
        check("kl loss", ArboothLosses.distillLoss(kl, lambda), "kl.loss");
    }
}
