package dev.arbooth.base;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.arbooth.ArboothException;
import dev.arbooth.config.InfinityConfig;
import dev.arbooth.config.T5Config;
import dev.arbooth.config.VaeConfig;
import dev.arbooth.internal.schedule.ScaleSchedules;
import dev.arbooth.testing.Golden;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Fuzz target of {@link BaseModel#load}: the descriptor is the input, in a base directory that holds small
 * checkpoints, a symbolic link to a file outside it, and beside it a file with a secret marker. Whatever the
 * descriptor says, a loaded base names only files inside the directory (symbolic links resolved), and no
 * error message shows the outside file's content.
 */
@Tag("slow") // the first fuzz class of a JVM starts Jazzer's agent (5-10 s)
class BaseModelFuzzTest {
    private static final String SECRET = "TOP-SECRET-CONTENT-7731";
    private static Path dir;
    private static Path realDir;

    @MethodSource("seeds")
    @FuzzTest(maxDuration = "5s")
    void descriptor(byte[] data) throws IOException {
        Path base = fixture();
        Files.write(base.resolve(BaseModel.DESCRIPTOR), data);
        BaseModel model;
        try {
            model = BaseModel.load(base);
        } catch (ArboothException e) {
            if (e.getMessage() != null
                    && e.getMessage().contains(SECRET)
                    && !new String(data, StandardCharsets.ISO_8859_1).contains(SECRET)) {
                throw new AssertionError("an error message shows a file outside the base: " + e.getMessage(), e);
            }
            return;
        }
        for (Path p : List.of(
                model.transformerWeights(), model.vaeWeights(), model.textEncoderWeights(), model.tokenizer())) {
            if (!p.toRealPath().startsWith(realDir)) {
                throw new AssertionError("the loaded base names " + p + ", outside " + realDir);
            }
        }
    }

    /** The base directory, made once: placeholder checkpoints, a tokenizer, and links and secrets around it. */
    static synchronized Path fixture() {
        if (dir != null) {
            return dir;
        }
        try {
            Path root = Files.createTempDirectory("arbooth-base-fuzz");
            root.toFile().deleteOnExit();
            Path base = Files.createDirectories(root.resolve("base"));
            Path secret = Files.writeString(root.resolve("secret.safetensors"), SECRET);
            Files.copy(
                    Golden.golden("infinity-set1/transformer_weights.safetensors"),
                    base.resolve("transformer.safetensors"));
            Files.writeString(base.resolve("vae.safetensors"), "placeholder");
            Files.writeString(base.resolve("t5.safetensors"), "placeholder");
            Files.writeString(base.resolve("tokenizer.json"), "{}");
            Files.createDirectories(base.resolve("sub"));
            Files.createSymbolicLink(base.resolve("link.safetensors"), secret);
            Files.createSymbolicLink(base.resolve("sub/inside.safetensors"), base.resolve("vae.safetensors"));
            for (String name : new String[] {
                "transformer.safetensors", "vae.safetensors", "t5.safetensors", "tokenizer.json",
                "link.safetensors", "sub/inside.safetensors", "sub", "secret.safetensors"
            }) {
                root.resolve(name).toFile().deleteOnExit();
            }
            realDir = base.toRealPath();
            dir = base;
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The golden set-1 base's descriptor, and copies naming files outside the directory in every way. */
    static Stream<byte[]> seeds() {
        Path base = fixture();
        BaseModel model = new BaseModel(
                base,
                "golden set-1",
                InfinityConfig.goldenSet1(),
                base.resolve("transformer.safetensors"),
                VaeConfig.goldenSet1(),
                base.resolve("vae.safetensors"),
                new T5Config(256, 32, 512, 8, 2, 100, 32, 128, 1e-6, 16),
                base.resolve("t5.safetensors"),
                base.resolve("tokenizer.json"),
                ScaleSchedules.official("1.000", "0.06M"));
        String json;
        try {
            json = Files.readString(model.save());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Stream.of(
                        json,
                        json.replace("\"vae.safetensors\"", "\"../secret.safetensors\""),
                        json.replace("\"vae.safetensors\"", "\"link.safetensors\""),
                        json.replace("\"vae.safetensors\"", "\"sub/inside.safetensors\""),
                        json.replace("\"tokenizer.json\"", "\"/proc/self/environ\""))
                .map(s -> s.getBytes(StandardCharsets.UTF_8));
    }
}
