package dev.arbooth.train.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.arbooth.ShapeMismatchException;
import dev.arbooth.config.InfinityConfig;
import dev.arbooth.internal.format.SafeTensors;
import dev.arbooth.internal.format.StateDict;
import dev.arbooth.internal.format.TensorSpec;
import dev.arbooth.internal.weights.InfinityPart;
import dev.arbooth.internal.weights.InfinityWeights;
import dev.arbooth.tensor.Tensor;
import dev.arbooth.testing.Golden;
import dev.arbooth.train.Tuning;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The parameter store: named trainable groups, stable identity, extra parameters, snapshot and restore. */
class DjlParametersTest {
    private static final InfinityConfig SET1 = InfinityConfig.goldenSet1();

    private static StateDict tiny() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("w", Tensor.ofFloats(new float[] {1, 2, 3, 4, 5, 6}, 2, 3));
        m.put("b", Tensor.ofFloats(new float[] {0.5f, -0.5f}, 2));
        return StateDict.of(m);
    }

    @Test
    void arboothGroupTrainsExactlyTheGoldenTrainableSet() {
        try (SafeTensors st = Golden.open("infinity-set1/transformer_weights.safetensors");
                DjlParameters p = DjlParameters.create(DjlEngine.pytorch(1).newBaseManager(), st)) {
            p.materialize(st.names());
            List<String> keys = InfinityWeights.parameters(SET1, InfinityPart.ARBOOTH).stream()
                    .map(TensorSpec::name)
                    .toList();
            assertThat(TrainableSets.baseGroup(SET1, Tuning.CROSS_ATTENTION_AND_FFN)
                            .keys())
                    .isEqualTo(keys);
            p.train(List.of(new DjlParameters.Group("ca+ffn", keys)));
            Set<String> requiring = new TreeSet<>();
            p.loaded().forEach((k, a) -> {
                if (a.hasGradient()) {
                    requiring.add(k);
                }
            });
            Set<String> golden = new TreeSet<>();
            try (SafeTensors before = Golden.open("arbooth-train-set1/trainable_before.safetensors")) {
                golden.addAll(before.names());
            }
            golden.remove("special_token");
            assertThat(requiring).isEqualTo(golden).hasSize(20);
            assertThat(p.trainableArrays().keySet()).containsExactlyElementsOf(keys);
            assertThat(p.groups()).extracting(DjlParameters.Group::name).containsExactly("ca+ffn");
        }
    }

    @Test
    void tuningModesReadTheWeightTable() {
        assertThat(TrainableSets.baseGroup(SET1, Tuning.WITH_SELF_ATTENTION).keys())
                .hasSize(2 * (10 + 6)) // sa: scale_mul_1H11, q_bias, v_bias, mat_qkv.weight, proj.weight, proj.bias
                .contains("block_chunks.1.module.0.sa.mat_qkv.weight", "block_chunks.1.module.0.ffn.fc2.bias")
                .noneMatch(InfinityWeights::isBuffer);
        assertThat(TrainableSets.baseGroup(SET1, Tuning.ALL_BLOCKS).keys())
                .hasSize(2 * 19)
                .contains("block_chunks.0.module.0.ada_gss", "block_chunks.0.module.0.ca_norm.bias");
        assertThat(TrainableSets.baseGroup(SET1, Tuning.CROSS_ATTENTION_ONLY).keys())
                .hasSize(
                        SET1.depth() * 6) // ca: mat_q.weight, mat_q.bias, mat_kv.weight, v_bias, proj.weight, proj.bias
                .allMatch(k -> k.contains(".ca."))
                .isSubsetOf(TrainableSets.baseGroup(SET1, Tuning.CROSS_ATTENTION_AND_FFN)
                        .keys());
        assertThat(TrainableSets.baseGroup(SET1, Tuning.IDENTIFIER_ONLY).keys()).isEmpty();
    }

    @Test
    void trainingFreezesEverythingElseAlsoWhatLoadsLater() {
        try (DjlParameters p = DjlParameters.create(DjlEngine.pytorch(1).newBaseManager(), tiny())) {
            NDArray w = p.get("w");
            p.train(List.of(new DjlParameters.Group("w", List.of("w"))));
            assertThat(w.hasGradient()).isTrue();
            assertThat(p.get("b").hasGradient()).isFalse(); // materialised after train(): frozen
            p.train(List.of(new DjlParameters.Group("b", List.of("b"))));
            assertThat(p.get("w").hasGradient()).isFalse();
            assertThat(p.get("b").hasGradient()).isTrue();
            assertThat(p.isTrainable("b")).isTrue();
            assertThatThrownBy(() -> p.train(List.of(new DjlParameters.Group("x", List.of("w", "nope", "nada")))))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("[nope, nada]");
            assertThatThrownBy(() -> p.train(List.of(
                            new DjlParameters.Group("a", List.of("w")), new DjlParameters.Group("b", List.of("w")))))
                    .hasMessageContaining("'w' is in two groups");
            assertThat(p.isTrainable("b")).as("a refused call changes nothing").isTrue();
        }
    }

    @Test
    void restoreWritesInPlaceKeepingIdentityAndTrainability() {
        try (DjlParameters p = DjlParameters.create(DjlEngine.pytorch(1).newBaseManager(), tiny())) {
            p.train(List.of(new DjlParameters.Group("all", List.of("w", "b"))));
            NDArray w = p.get("w");
            Map<String, Tensor> saved = p.snapshot(List.of("w", "b"));
            w.set(new float[] {9, 9, 9, 9, 9, 9});
            p.restore(saved);
            assertThat(p.get("w")).isSameAs(w);
            assertThat(w.toFloatArray()).containsExactly(1, 2, 3, 4, 5, 6);
            assertThat(w.hasGradient()).isTrue();
            assertThat(w.getName()).isEqualTo("w");
            assertThat(saved.get("b").toFloatArray()).containsExactly(0.5f, -0.5f);
            assertThatThrownBy(() -> p.restore(Map.of("w", Tensor.ofFloats(new float[6], 3, 2))))
                    .isInstanceOf(ShapeMismatchException.class)
                    .hasMessageContaining("parameter 'w'");
            assertThatThrownBy(() -> p.restore(Map.of("v", Tensor.ofFloats(new float[1], 1))))
                    .hasMessageContaining("no such parameter");
        }
    }

    @Test
    void extraParametersTrainAndReceiveGradients() {
        try (DjlParameters p = DjlParameters.create(DjlEngine.pytorch(1).newBaseManager(), tiny())) {
            NDArray id = p.add("special_token", Tensor.ofFloats(new float[3], 1, 3));
            assertThat(p.keys()).containsExactly("w", "b", "special_token");
            assertThatThrownBy(() -> p.add("w", Tensor.ofFloats(new float[1], 1)))
                    .hasMessageContaining("exists already");
            p.train(List.of(new DjlParameters.Group("identifier", List.of("special_token"))));
            try (NDManager sub = p.manager().newSubManager();
                    GradientCollector gc = p.manager().getEngine().newGradientCollector()) {
                DjlOps ops = DjlOps.over(sub, p);
                NDArray y = ops.linear(ops.weight("special_token"), ops.weight("w"), ops.weight("b"));
                gc.backward(y.sum());
            }
            assertThat(id.getGradient().toFloatArray()).containsExactly(5, 7, 9);
            assertThat(p.get("w").hasGradient()).isFalse();
        }
    }
}
