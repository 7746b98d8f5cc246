package dev.arbooth.train.internal;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.arbooth.internal.format.SafeTensors;
import dev.arbooth.tensor.Tensor;
import dev.arbooth.testing.Golden;
import dev.arbooth.train.OptimizerOptions;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@link AdamW} alone against {@code arbooth-train-set1}: the golden gradients in, the updated tensors and the
 * optimizer state out, for step 1 (identifier updated once: {@code alt_dedup}) and step 2 from step 1's state
 * (both teachers). README 5: "optimizer alone: 2 ulp of the result (~2e-8 abs)"; we allow 3e-8 abs on the
 * tensors, 2 ulp of each moment tensor's largest value on the moments (torch fuses the moment updates into one
 * multiply-add, DJL rounds twice), and require the step counters exactly.
 */
@org.junit.jupiter.api.Tag("slow")
class AdamWGoldenTest {
    private static final String SET = "arbooth-train-set1/";
    private static final double TOL_ABS = 3e-8;
    private static final double TOL_MOMENT_REL = 2 * Math.ulp(1f);
    private static final String IDENTIFIER = "special_token";

    @Test
    void stepOneThenStepTwoFollowTorch() {
        for (String teacher : new String[] {"a", "b"}) {
            try (NDManager m = DjlEngine.pytorch(1).newBaseManager();
                    SafeTensors before = Golden.open(SET + "trainable_before.safetensors");
                    SafeTensors step1 = Golden.open(SET + "step1_wce.safetensors");
                    SafeTensors step2 = Golden.open(SET + "step2_distill_" + teacher + ".safetensors");
                    AdamW adam = new AdamW(m, hyper())) {
                Map<String, NDArray> params = new LinkedHashMap<>();
                for (String name : before.names()) {
                    params.put(name, array(m, before.get(name)));
                }
                adam.step(params, grads(m, step1, params));
                for (String name : params.keySet()) {
                    String prefix = name.equals(IDENTIFIER) ? "alt_dedup." : "";
                    check("step 1 after " + name, params.get(name), step1.get(prefix + "after." + name), TOL_ABS);
                    checkMoments("step 1", adam, name, step1, prefix);
                }
                float[] identifierAfterStep1 = params.get(IDENTIFIER).toFloatArray();

                Map<String, NDArray> g2 = grads(m, step2, params);
                assertThat(g2).as("step 2 has no identifier gradient").doesNotContainKey(IDENTIFIER);
                adam.step(params, g2);
                for (String name : params.keySet()) {
                    if (name.equals(IDENTIFIER)) {
                        assertThat(params.get(name).toFloatArray()).containsExactly(identifierAfterStep1);
                        assertThat(adam.steps(name)).isEqualTo(1);
                        continue;
                    }
                    check("step 2" + teacher + " after " + name, params.get(name), step2.get("after." + name), TOL_ABS);
                    checkMoments("step 2" + teacher, adam, name, step2, "");
                }
            }
        }
    }

    private static OptimizerOptions hyper() {
        com.google.gson.JsonObject c =
                com.google.gson.JsonParser.parseString(readConfig()).getAsJsonObject();
        com.google.gson.JsonObject d = c.getAsJsonObject("derived_hparams");
        return new OptimizerOptions(
                c.get("lr").getAsDouble(),
                d.get("beta0").getAsDouble(),
                d.get("beta1").getAsDouble(),
                c.get("adam_eps").getAsDouble(),
                c.get("weight_decay").getAsDouble());
    }

    private static String readConfig() {
        try {
            return java.nio.file.Files.readString(Golden.golden(SET + "config.json"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static Map<String, NDArray> grads(NDManager m, SafeTensors step, Map<String, NDArray> params) {
        Map<String, NDArray> g = new LinkedHashMap<>();
        for (String name : params.keySet()) {
            if (step.names().contains("grad." + name)) {
                g.put(name, array(m, step.get("grad." + name)));
            }
        }
        return g;
    }

    private static void checkMoments(String what, AdamW adam, String name, SafeTensors golden, String prefix) {
        Map<String, Tensor> s = adam.snapshot();
        for (String moment : new String[] {"exp_avg", "exp_avg_sq"}) {
            Tensor expected = golden.get(prefix + "adam." + moment + "." + name);
            float[] e = expected.toFloatArray();
            double max = 0;
            for (float v : e) {
                max = Math.max(max, Math.abs(v));
            }
            double diff = Golden.maxAbsDiff(e, s.get(moment + "." + name).toFloatArray());
            assertThat(diff).as(what + " " + moment + " " + name).isLessThanOrEqualTo(TOL_MOMENT_REL * max);
        }
        long expectedStep = (long) golden.get(prefix + "adam.step." + name).toFloatArray()[0];
        assertThat(s.get("step." + name).toLongArray()[0])
                .as(what + " step " + name)
                .isEqualTo(expectedStep);
    }

    private static NDArray array(NDManager m, Tensor t) {
        return m.create(t.toFloatArray(), new Shape(t.shape()));
    }

    private static void check(String what, NDArray actual, Tensor expected, double tol) {
        double diff = Golden.maxAbsDiff(expected.toFloatArray(), actual.toFloatArray());
        assertThat(diff).as(what).isLessThanOrEqualTo(tol);
    }
}
