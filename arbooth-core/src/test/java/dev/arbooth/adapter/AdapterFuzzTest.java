package dev.arbooth.adapter;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.arbooth.config.InfinityConfig;
import dev.arbooth.internal.format.TensorSpec;
import dev.arbooth.internal.weights.InfinityWeights;
import dev.arbooth.tensor.Tensor;
import dev.arbooth.testing.FuzzSupport;
import dev.arbooth.testing.TestAdapters;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.provider.MethodSource;

/** Fuzz target of {@link Adapter#load}: load, then read every tensor and the manifest. */
@Tag("slow") // the first fuzz class of a JVM starts Jazzer's agent (5-10 s)
class AdapterFuzzTest {
    @TempDir
    static Path tmp;

    @MethodSource("seeds")
    @FuzzTest(maxDuration = "5s")
    void adapter(byte[] data) {
        FuzzSupport.read(tmp, ".safetensors", data, file -> {
            Adapter a = Adapter.load(file);
            for (Tensor t : a.tensors().values()) {
                FuzzSupport.touch(t.data());
            }
            FuzzSupport.touch(a.identifierEmbedding().data());
            a.manifest().toJson();
        });
    }

    /** A small adapter on the golden set-1 base: its bias tensors and two identifier rows. */
    static Stream<byte[]> seeds() throws IOException {
        InfinityConfig config = InfinityConfig.goldenSet1();
        Map<String, Tensor> base = TestAdapters.set1Weights();
        Adapter.Builder b = Adapter.builder(config, TestAdapters.set1Fingerprint())
                .identifier("sks")
                .classWord("dog")
                .provenance("fixture", "AdapterFuzzTest");
        for (TensorSpec spec : InfinityWeights.adapterTensors(config)) {
            if (spec.shape().length == 1) {
                b.tensor(spec.name(), base.get(spec.name()));
            }
        }
        Adapter a = b.identifierEmbedding(
                        Tensor.ofFloats(new float[2 * config.textChannels()], 2, config.textChannels()))
                .build();
        Path f = tmp.resolve("seed.safetensors");
        a.save(f);
        byte[] bytes = Files.readAllBytes(f);
        Files.delete(f);
        return Stream.of(bytes);
    }
}
