package dev.arbooth.train.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.arbooth.WeightBindingException;
import dev.arbooth.config.T5Config;
import dev.arbooth.internal.format.SafeTensors;
import dev.arbooth.internal.format.StateDict;
import dev.arbooth.internal.weights.T5Weights;
import dev.arbooth.tensor.Tensor;
import dev.arbooth.testing.Golden;
import dev.arbooth.text.TextFeatures;
import dev.arbooth.text.internal.T5Tokenizer;
import dev.arbooth.text.internal.TokenBatch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The T5 encoder on DJL against the official {@code T5EncoderModel} (golden set t5-set1). */
class DjlT5Test {
    private static final int B = 3;
    private static final int S = 16;
    private static final int D = 64;

    private static NDManager manager;
    private static Map<String, Tensor> weights;
    private static Map<String, Tensor> golden;
    private static DjlT5 t5;

    @BeforeAll
    static void setUp() {
        manager = DjlEngine.pytorch(1).newBaseManager();
        weights = read("t5-set1/model.safetensors");
        golden = read("t5-set1/golden.safetensors");
        t5 = DjlT5.create(manager, T5Config.goldenSet1(), StateDict.of(weights));
    }

    @AfterAll
    static void tearDown() {
        t5.close();
        manager.close();
    }

    private static Map<String, Tensor> read(String file) {
        Map<String, Tensor> m = new LinkedHashMap<>();
        try (SafeTensors st = Golden.open(file)) {
            for (String n : st.names()) {
                Tensor t = st.get(n);
                m.put(
                        n,
                        t.dtype().isFloatingPoint()
                                ? Tensor.ofFloats(t.toFloatArray(), t.shape())
                                : Tensor.ofLongs(t.toLongArray(), t.shape()));
            }
        }
        return m;
    }

    private static double maxAbsDiff(Tensor actual, Tensor expected) {
        assertThat(actual.shape()).isEqualTo(expected.shape());
        return Golden.maxAbsDiff(actual.toFloatArray(), expected.toFloatArray());
    }

    /** max over elements of |a - e| - (atol + rtol |e|); must be <= 0. */
    private static double excess(float[] a, float[] e, double atol, double rtol) {
        double worst = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < a.length; i++) {
            worst = Math.max(worst, Math.abs(a[i] - e[i]) - (atol + rtol * Math.abs(e[i])));
        }
        return worst;
    }

    @Test
    void everyIntermediateMatchesTheOfficialModel() {
        Map<String, Tensor> out = t5.encodeWithIntermediates(golden.get("input_ids"), golden.get("attention_mask"));
        assertThat(out.keySet())
                .containsExactly(
                        "embeddings",
                        "extended_attention_mask",
                        "position_bias",
                        "block.0.attn_probs",
                        "block.0.after_self_attention",
                        "block.0.output",
                        "block.1.attn_probs",
                        "block.1.after_self_attention",
                        "block.1.output",
                        "block.2.attn_probs",
                        "block.2.after_self_attention",
                        "block.2.output",
                        "last_hidden_state");
        // pure gathers and the mask: exact
        for (String exact : List.of("embeddings", "extended_attention_mask", "position_bias")) {
            assertThat(out.get(exact).toFloatArray())
                    .as(exact)
                    .containsExactly(golden.get(exact).toFloatArray());
        }
        StringBuilder report = new StringBuilder("T5 set-1 max abs error:");
        for (String name : out.keySet()) {
            double err = maxAbsDiff(out.get(name), golden.get(name));
            report.append(String.format("%n  %-30s %.3e", name, err));
            if (name.endsWith("attn_probs")) {
                assertThat(err).as(name).isLessThanOrEqualTo(1e-5);
            } else {
                assertThat(excess(out.get(name).toFloatArray(), golden.get(name).toFloatArray(), 1e-4, 1e-4))
                        .as(name)
                        .isLessThanOrEqualTo(0);
            }
        }
        System.out.println(report);
        // masked keys get probability exactly 0
        float[] probs = out.get("block.2.attn_probs").toFloatArray();
        long[] mask = golden.get("attention_mask").toLongArray();
        for (int b = 0; b < B; b++) {
            for (int k = 0; k < S; k++) {
                if (mask[b * S + k] == 0) {
                    for (int hq = 0; hq < 4 * S; hq++) {
                        assertThat(probs[(b * 4 * S + hq) * S + k]).isZero();
                    }
                }
            }
        }
    }

    @Test
    void realPositionsDoNotDependOnPadding() {
        Tensor expected = golden.get("last_hidden_state");
        long[] ids = golden.get("input_ids").toLongArray();
        int[] lengths = {4, 9, 13};
        // row 1 alone, without padding
        long[] row = Arrays.copyOfRange(ids, S, S + lengths[1]);
        long[] ones = new long[row.length];
        Arrays.fill(ones, 1);
        float[] alone = t5.encode(Tensor.ofLongs(row, 1, row.length), Tensor.ofLongs(ones, 1, row.length))
                .toFloatArray();
        float[] want = Arrays.copyOfRange(expected.toFloatArray(), S * D, (S + lengths[1]) * D);
        assertThat(Golden.maxAbsDiff(alone, want)).isLessThanOrEqualTo(1e-5);
        // row 0 with much more padding (S = 40)
        int s2 = 40;
        long[] padded = new long[s2];
        long[] mask = new long[s2];
        System.arraycopy(ids, 0, padded, 0, lengths[0]);
        Arrays.fill(mask, 0, lengths[0], 1);
        float[] more = t5.encode(Tensor.ofLongs(padded, 1, s2), Tensor.ofLongs(mask, 1, s2))
                .toFloatArray();
        assertThat(Golden.maxAbsDiff(
                        Arrays.copyOf(more, lengths[0] * D), Arrays.copyOf(expected.toFloatArray(), lengths[0] * D)))
                .isLessThanOrEqualTo(1e-5);
    }

    @Test
    void compactFeaturesConcatenateTheRealRows() {
        TextFeatures f = t5.compactFeatures(golden.get("input_ids"), golden.get("attention_mask"));
        assertThat(f.lengths()).containsExactly(4, 9, 13);
        assertThat(f.cuSeqlens()).containsExactly(0, 4, 13, 26);
        assertThat(f.maxLength()).isEqualTo(13);
        assertThat(f.kvCompact().shape()).containsExactly(26, D);
        float[] expected = golden.get("last_hidden_state").toFloatArray();
        float[] want = new float[26 * D];
        System.arraycopy(expected, 0, want, 0, 4 * D);
        System.arraycopy(expected, S * D, want, 4 * D, 9 * D);
        System.arraycopy(expected, 2 * S * D, want, 13 * D, 13 * D);
        assertThat(Golden.maxAbsDiff(f.kvCompact().toFloatArray(), want)).isLessThanOrEqualTo(1e-4);
        long[] notRightPadded = golden.get("attention_mask").toLongArray();
        notRightPadded[5] = 1;
        assertThatThrownBy(() -> t5.compactFeatures(golden.get("input_ids"), Tensor.ofLongs(notRightPadded, B, S)))
                .hasMessageContaining("right-padded");
    }

    @Test
    void tokenizerToCompactFeatures(@TempDir Path dir) throws IOException {
        Path json = dir.resolve("tokenizer.json");
        Files.writeString(json, dev.arbooth.text.testing.TokenizerFixtures.UNIGRAM);
        List<String> prompts = List.of("a photo of a dog on the beach", "a cat");
        try (T5Tokenizer tok = T5Tokenizer.open(json, S)) {
            TokenBatch batch = tok.encode(prompts, T5Tokenizer.Padding.MAX_LENGTH);
            TextFeatures f = t5.compactFeatures(batch);
            assertThat(f.lengths()).containsExactly(9, 3);
            float[] compact = f.kvCompact().toFloatArray();
            int offset = 0;
            for (String p : prompts) {
                long[] ids = tok.encode(p);
                long[] ones = new long[ids.length];
                Arrays.fill(ones, 1);
                float[] alone = t5.encode(Tensor.ofLongs(ids, 1, ids.length), Tensor.ofLongs(ones, 1, ids.length))
                        .toFloatArray();
                assertThat(Golden.maxAbsDiff(Arrays.copyOfRange(compact, offset, offset + alone.length), alone))
                        .as(p)
                        .isLessThanOrEqualTo(1e-5);
                offset += alone.length;
            }
            assertThat(offset).isEqualTo(compact.length);
        }
    }

    @Test
    void loadsFromTheSafetensorsFileAndClosesIt() {
        try (DjlT5 loaded = DjlT5.load(manager, T5Config.goldenSet1(), Golden.golden("t5-set1/model.safetensors"))) {
            Tensor out = loaded.encode(golden.get("input_ids"), golden.get("attention_mask"));
            assertThat(maxAbsDiff(out, golden.get("last_hidden_state"))).isLessThanOrEqualTo(1e-4);
        }
    }

    @Test
    void eitherEmbeddingNameAloneGivesTheSameOutput() {
        Tensor expected = golden.get("last_hidden_state");
        for (String drop : List.of(T5Weights.SHARED, T5Weights.EMBED_TOKENS)) {
            Map<String, Tensor> w = new LinkedHashMap<>(weights);
            w.remove(drop);
            try (DjlT5 one = DjlT5.create(manager, T5Config.goldenSet1(), StateDict.of(w))) {
                Tensor out = one.encode(golden.get("input_ids"), golden.get("attention_mask"));
                assertThat(maxAbsDiff(out, expected)).as("without %s", drop).isLessThanOrEqualTo(1e-4);
            }
        }
    }

    @Test
    void engineLevelEncodeAndErrors() {
        try (NDManager scope = manager.newSubManager()) {
            NDArray ids = scope.create(golden.get("input_ids").toLongArray(), new Shape(B, S));
            NDArray mask = scope.create(golden.get("attention_mask").toLongArray(), new Shape(B, S));
            NDArray out = t5.encode(scope, ids, mask);
            assertThat(out.getShape().getShape()).containsExactly(B, S, D);
            assertThat(out.hasGradient()).isFalse();
            assertThat(Golden.maxAbsDiff(
                            out.toFloatArray(), golden.get("last_hidden_state").toFloatArray()))
                    .isLessThanOrEqualTo(1e-4);
        }
        Map<String, Tensor> w = new LinkedHashMap<>(weights);
        w.remove("encoder.final_layer_norm.weight");
        assertThatThrownBy(() -> DjlT5.create(manager, T5Config.goldenSet1(), StateDict.of(w)))
                .isInstanceOf(WeightBindingException.class)
                .hasMessageContaining("encoder.final_layer_norm.weight");
        assertThatThrownBy(() ->
                        t5.encode(Tensor.ofLongs(new long[] {5, 100}, 1, 2), Tensor.ofLongs(new long[] {1, 1}, 1, 2)))
                .hasMessageContaining("vocabulary");
        assertThatThrownBy(
                        () -> t5.encode(Tensor.ofLongs(new long[] {5, 6}, 1, 2), Tensor.ofLongs(new long[] {1}, 1, 1)))
                .hasMessageContaining("same shape");
    }
}
