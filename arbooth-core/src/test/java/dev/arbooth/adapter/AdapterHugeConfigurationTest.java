package dev.arbooth.adapter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.arbooth.FormatException;
import dev.arbooth.config.InfinityConfig;
import dev.arbooth.internal.format.SafeTensors;
import dev.arbooth.tensor.Tensor;
import dev.arbooth.testing.TestAdapters;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13, item 7, for adapters: an adapter whose manifest claims a base of depth 2³¹−1 is checked tensor by
 * tensor against that configuration, in time and memory proportional to the file, never by listing every
 * block's tensors (which took 25–50 s and then an {@link OutOfMemoryError}).
 */
class AdapterHugeConfigurationTest {
    @TempDir
    Path tmp;

    private static final InfinityConfig HUGE = InfinityConfig.goldenSet1().toBuilder()
            .depth(Integer.MAX_VALUE)
            .blockChunks(1)
            .build();

    private static Map<String, Tensor> tensors(String... blocks) {
        int c = HUGE.embedDim();
        Map<String, Tensor> t = new LinkedHashMap<>();
        for (String b : blocks) {
            t.put("blocks." + b + ".ca.proj.bias", Tensor.ofFloats(new float[c], c));
            t.put("blocks." + b + ".ffn.fc1.bias", Tensor.ofFloats(new float[HUGE.ffnHidden()], HUGE.ffnHidden()));
        }
        return t;
    }

    private Path save(Map<String, Tensor> tensors) {
        AdapterManifest m = AdapterManifest.create(TestAdapters.set1Fingerprint(), HUGE, "sks", "dog", Map.of());
        Map<String, Tensor> all = new LinkedHashMap<>(tensors);
        all.put(
                Adapter.IDENTIFIER_EMBEDDING_NAME,
                Tensor.ofFloats(new float[HUGE.textChannels()], 1, HUGE.textChannels()));
        Path f = tmp.resolve("huge.safetensors");
        SafeTensors.write(f, all, Map.of(Adapter.MANIFEST_KEY, m.toJson()));
        return f;
    }

    @Test
    void tensorsOfAnyBlockOfAHugeConfigurationAreCheckedByName() {
        Adapter a = Adapter.load(save(tensors("0", Integer.toString(Integer.MAX_VALUE - 1))));
        assertThat(a.tensors()).hasSize(4);
        assertThat(a.baseConfig().depth()).isEqualTo(Integer.MAX_VALUE);
    }

    @Test
    void namesOutsideTheConfigurationAreStillRefused() {
        for (String block : new String[] {"2147483647", "99999999999", "-1", "01", "x"}) {
            Path f = save(tensors(block));
            assertThatThrownBy(() -> Adapter.load(f))
                    .as(block)
                    .isInstanceOf(FormatException.class)
                    .hasMessageContaining("not replaceable");
        }
        Map<String, Tensor> misshapen = tensors("5");
        misshapen.put("blocks.5.ca.proj.bias", Tensor.ofFloats(new float[3], 3));
        Path f = save(misshapen);
        assertThatThrownBy(() -> Adapter.load(f))
                .isInstanceOf(FormatException.class)
                .hasMessageContaining("blocks.5.ca.proj.bias");
    }
}
