package dev.arbooth.adapter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.arbooth.FormatException;
import dev.arbooth.config.InfinityConfig;
import dev.arbooth.internal.format.SafeTensors;
import dev.arbooth.internal.format.TensorSpec;
import dev.arbooth.internal.weights.InfinityPart;
import dev.arbooth.internal.weights.InfinityWeights;
import dev.arbooth.tensor.Tensor;
import dev.arbooth.testing.TestAdapters;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10: the adapter format widened to every block parameter (format version 2), old files still read.
 * The version-1 fixture {@code adapter-format-v1.safetensors} was written by the library before the widening
 * (commit bbcec6a, {@code TestAdapters.perturbedSet1(3, 0.02, 2)} cut to two tensors) and is checked in as is.
 */
class AdapterFormatVersionsTest {
    private static Adapter wide;

    @TempDir
    Path dir;

    @BeforeAll
    static void build() {
        wide = TestAdapters.perturbedSet1(21, 0.02, 2, InfinityPart.BLOCKS);
    }

    @Test
    void aVersion1FileWrittenBeforeTheWideningStillLoads() throws URISyntaxException {
        Path v1 =
                Path.of(getClass().getResource("/adapter-format-v1.safetensors").toURI());
        Adapter a = Adapter.load(v1);
        assertThat(a.manifest().formatVersion()).isEqualTo(1);
        assertThat(a.tensors())
                .containsOnlyKeys("block_chunks.0.module.0.ca.proj.bias", "block_chunks.1.module.0.ffn.fc2.bias");
        assertThat(a.identifierEmbedding().shape()).containsExactly(2, 256);
        // the values are those of the generator that wrote it (same seed, same noise, same rows)
        Adapter regenerated = TestAdapters.perturbedSet1(3, 0.02, 2);
        for (String name : a.tensors().keySet()) {
            assertThat(a.tensors().get(name))
                    .as(name)
                    .isEqualTo(regenerated.tensors().get(name));
        }
        assertThat(a.identifierEmbedding()).isEqualTo(regenerated.identifierEmbedding());
        assertThat(a.baseFingerprint()).isEqualTo(TestAdapters.set1Fingerprint());
        // saved again, it stays a version-1 file, bit for bit the same adapter
        Path again = dir.resolve("again.safetensors");
        a.save(again);
        Adapter b = Adapter.load(again);
        assertThat(b).isEqualTo(a);
        assertThat(b.manifest().formatVersion()).isEqualTo(1);
    }

    @Test
    void everyBlockParameterRoundTripsInVersion2() {
        InfinityConfig c = InfinityConfig.goldenSet1();
        Map<String, long[]> expected = new TreeMap<>();
        for (TensorSpec s : InfinityWeights.parameters(c, InfinityPart.BLOCKS)) {
            expected.put(s.name(), s.shape());
        }
        // self-attention (incl. the cosine scale), AdaLN tables, the CA LayerNorm, CA and FFN of both blocks
        assertThat(expected)
                .containsKeys(
                        "block_chunks.0.module.0.sa.mat_qkv.weight",
                        "block_chunks.0.module.0.sa.scale_mul_1H11",
                        "block_chunks.1.module.0.ada_gss",
                        "block_chunks.1.module.0.ca_norm.bias")
                .doesNotContainKeys("block_chunks.0.module.0.sa.zero_k_bias", "block_chunks.0.module.0.ca.zero_k_bias");
        assertThat(wide.tensors().keySet()).containsExactlyElementsOf(expected.keySet());
        assertThat(wide.manifest().formatVersion()).isEqualTo(2);
        Path file = dir.resolve("wide.safetensors");
        wide.save(file);
        Adapter loaded = Adapter.load(file);
        assertThat(loaded).isEqualTo(wide);
        assertThat(loaded.manifest().formatVersion()).isEqualTo(2);
        // a CA/FFN adapter is still written as version 1 (readable by libraries that read only version 1)
        assertThat(TestAdapters.perturbedSet1(21).manifest().formatVersion()).isEqualTo(1);
    }

    @Test
    void aVersion1ManifestCannotCarrySelfAttention() {
        AdapterManifest v1 = TestAdapters.perturbedSet1(21).manifest();
        String name = "block_chunks.0.module.0.sa.mat_qkv.weight";
        Path file = write("v1sa.safetensors", v1, Map.of(name, wide.tensors().get(name)));
        assertThatThrownBy(() -> Adapter.load(file))
                .isInstanceOf(FormatException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("'" + name + "' (SELF_ATTENTION) needs adapter format version 2");
    }

    @Test
    void wrongShapesAndUnknownNamesAreRefusedNamingTheTensorAndFile() {
        AdapterManifest v2 = wide.manifest();
        String qkv = "block_chunks.1.module.0.sa.mat_qkv.weight";
        Path misshapen = write("shape.safetensors", v2, Map.of(qkv, Tensor.ofFloats(new float[128 * 128], 128, 128)));
        assertThatThrownBy(() -> Adapter.load(misshapen))
                .isInstanceOf(FormatException.class)
                .hasMessageContaining(misshapen.toString())
                .hasMessageContaining("adapter tensor '" + qkv + "'")
                .hasMessageContaining("[384, 128]")
                .hasMessageContaining("[128, 128]");

        Map<String, String> reasons = new LinkedHashMap<>();
        reasons.put("block_chunks.0.module.0.sa.k_bias", "is no tensor of block 0 of this base");
        reasons.put("block_chunks.2.module.0.sa.q_bias", "is no tensor name of this base");
        reasons.put("block_chunks.0.module.0.sa.zero_k_bias", "is an always-zero buffer of the base");
        reasons.put("word_embed.bias", "is a model-level tensor (INPUT), which no tuning trains");
        for (Map.Entry<String, String> e : reasons.entrySet()) {
            Path f = write("unknown.safetensors", v2, Map.of(e.getKey(), Tensor.ofFloats(new float[128], 128)));
            assertThatThrownBy(() -> Adapter.load(f))
                    .as(e.getKey())
                    .isInstanceOf(FormatException.class)
                    .hasMessageContaining(f.toString())
                    .hasMessageContaining("not replaceable")
                    .hasMessageContaining("'" + e.getKey() + "' " + e.getValue());
        }
    }

    private Path write(String name, AdapterManifest m, Map<String, Tensor> tensors) {
        Map<String, Tensor> all = new TreeMap<>(tensors);
        all.put(Adapter.IDENTIFIER_EMBEDDING_NAME, wide.identifierEmbedding());
        Path file = dir.resolve(name);
        SafeTensors.write(file, all, Map.of(Adapter.MANIFEST_KEY, m.toJson()));
        return file;
    }
}
