package dev.arbooth.internal.format;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.arbooth.tensor.Tensor;
import dev.arbooth.testing.FuzzSupport;
import dev.arbooth.testing.Golden;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Fuzz target of {@link SafeTensors}: open, then read every tensor. Regression mode (every build) runs the
 * seeds; {@code JAZZER_FUZZ=1} fuzzes (docs/security.md).
 */
@Tag("slow") // the first fuzz class of a JVM starts Jazzer's agent (5-10 s)
class SafeTensorsFuzzTest {
    @TempDir
    static Path tmp;

    @MethodSource("seeds")
    @FuzzTest(maxDuration = "5s")
    void safetensors(byte[] data) {
        FuzzSupport.read(tmp, ".safetensors", data, file -> {
            try (SafeTensors st = SafeTensors.open(file)) {
                for (String name : st.names()) {
                    Tensor t = st.get(name);
                    FuzzSupport.touch(t.data());
                }
                st.metadata().size();
            }
        });
    }

    /** Small files made of golden tensors: the smallest few of two golden files, with and without metadata. */
    static Stream<byte[]> seeds() throws IOException {
        List<byte[]> out = new ArrayList<>();
        out.add(smallest("infinity-set1/tf_inputs.safetensors", 4, Map.of("origin", "golden tf_inputs")));
        out.add(smallest("infinity-set1/vae_weights.safetensors", 3, Map.of()));
        out.add(smallest("t5-set1/model.safetensors", 2, Map.of()));
        return out.stream();
    }

    /** The {@code n} smallest tensors of a golden file, written as a new safetensors file. */
    static byte[] smallest(String golden, int n, Map<String, String> metadata) throws IOException {
        Map<String, Tensor> picked = new LinkedHashMap<>();
        try (SafeTensors st = Golden.open(golden)) {
            st.names().stream()
                    .sorted(Comparator.comparingLong(
                                    (String name) -> st.get(name).byteSize())
                            .thenComparing(Comparator.naturalOrder()))
                    .limit(n)
                    .forEach(name -> picked.put(name, st.get(name)));
            Path f = Files.createTempFile(tmp, "seed", ".safetensors");
            SafeTensors.write(f, picked, metadata);
            byte[] bytes = Files.readAllBytes(f);
            Files.delete(f);
            return bytes;
        }
    }
}
