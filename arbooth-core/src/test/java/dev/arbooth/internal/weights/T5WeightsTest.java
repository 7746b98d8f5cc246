package dev.arbooth.internal.weights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.arbooth.ArboothException;
import dev.arbooth.WeightBindingException;
import dev.arbooth.config.T5Config;
import dev.arbooth.internal.format.SafeTensors;
import dev.arbooth.internal.format.StateDict;
import dev.arbooth.internal.format.TensorSpec;
import dev.arbooth.tensor.Tensor;
import dev.arbooth.testing.Golden;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class T5WeightsTest {
    private static final String MODEL = "t5-set1/model.safetensors";

    private static Map<String, Tensor> goldenTensors() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        try (SafeTensors st = Golden.open(MODEL)) {
            for (String n : st.names()) {
                m.put(n, Tensor.ofFloats(st.get(n).toFloatArray(), st.shape(n)));
            }
        }
        return m;
    }

    @Test
    void expectedIsExactlyTheGoldenKeySetAndShapes() {
        T5Config c = T5Config.goldenSet1();
        List<TensorSpec> expected = T5Weights.expected(c);
        try (SafeTensors st = Golden.open(MODEL)) {
            assertThat(expected).hasSize(st.names().size()).hasSize(31);
            for (TensorSpec s : expected) {
                assertThat(st.shape(s.name())).as(s.name()).isEqualTo(s.shape());
            }
            Map<String, Tensor> bound = T5Weights.bind(c, st);
            assertThat(new ArrayList<>(bound.keySet()))
                    .isEqualTo(expected.stream().map(TensorSpec::name).toList());
        }
        long params = 0;
        for (TensorSpec s : expected) {
            params += Tensor.numel(s.shape());
        }
        assertThat(T5Weights.parameterCount(c)).isEqualTo(params - 100 * 64);
    }

    @Test
    void eitherEmbeddingNameAloneBinds() {
        T5Config c = T5Config.goldenSet1();
        Map<String, Tensor> onlyShared = goldenTensors();
        onlyShared.remove(T5Weights.EMBED_TOKENS);
        assertThat(T5Weights.bind(c, StateDict.of(onlyShared)))
                .containsKey(T5Weights.SHARED)
                .doesNotContainKey(T5Weights.EMBED_TOKENS)
                .hasSize(30);
        Map<String, Tensor> onlyEmbed = goldenTensors();
        onlyEmbed.remove(T5Weights.SHARED);
        assertThat(T5Weights.bind(c, StateDict.of(onlyEmbed)))
                .containsKey(T5Weights.EMBED_TOKENS)
                .doesNotContainKey(T5Weights.SHARED)
                .hasSize(30);
    }

    @Test
    void untiedEmbeddingsAreRejected() {
        Map<String, Tensor> t = goldenTensors();
        float[] e = t.get(T5Weights.EMBED_TOKENS).toFloatArray();
        e[7] += 1f;
        t.put(T5Weights.EMBED_TOKENS, Tensor.ofFloats(e, 100, 64));
        assertThatThrownBy(() -> T5Weights.bind(T5Config.goldenSet1(), StateDict.of(t)))
                .isInstanceOf(ArboothException.class)
                .hasMessageContaining("shared.weight")
                .hasMessageContaining("encoder.embed_tokens.weight")
                .hasMessageContaining("differ");
    }

    @Test
    void strictBindingListsEveryProblem() {
        Map<String, Tensor> t = goldenTensors();
        t.remove(T5Weights.SHARED);
        t.remove(T5Weights.EMBED_TOKENS);
        t.remove("encoder.block.2.layer.1.DenseReluDense.wo.weight");
        t.put(
                "encoder.block.1.layer.0.SelfAttention.relative_attention_bias.weight",
                Tensor.ofFloats(new float[128], 32, 4));
        t.put("lm_head.weight", Tensor.ofFloats(new float[6400], 100, 64));
        t.put("encoder.block.0.layer.0.SelfAttention.q.weight", Tensor.ofFloats(new float[64 * 32], 32, 64));
        WeightBindingException e = assertThrows(
                WeightBindingException.class, () -> T5Weights.bind(T5Config.goldenSet1(), StateDict.of(t)));
        assertThat(e.missing())
                .containsExactly(
                        "encoder.block.2.layer.1.DenseReluDense.wo.weight",
                        "shared.weight (or encoder.embed_tokens.weight)");
        assertThat(e.unexpected())
                .containsExactly(
                        "encoder.block.1.layer.0.SelfAttention.relative_attention_bias.weight", "lm_head.weight");
        assertThat(e.misshapen())
                .containsExactly("encoder.block.0.layer.0.SelfAttention.q.weight: expected [64, 64] but got [32, 64]");
        assertThat(e.getMessage()).contains("T5 encoder (3 layers, d_model 64");
    }

    @Test
    void aConfigOfTheWrongSizeReportsEveryMisfit() {
        T5Config four = new T5Config(64, 16, 128, 4, 4, 100, 32, 128, 1e-6, 16);
        try (SafeTensors st = Golden.open(MODEL)) {
            WeightBindingException e = assertThrows(WeightBindingException.class, () -> T5Weights.bind(four, st));
            assertThat(e.missing()).hasSize(9).allMatch(n -> n.startsWith("encoder.block.3."));
            assertThat(e.unexpected()).isEmpty();
        }
    }
}
