package dev.arbooth.base;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.arbooth.ArboothException;
import dev.arbooth.FormatException;
import dev.arbooth.config.InfinityConfig;
import dev.arbooth.config.ScaleSchedule;
import dev.arbooth.config.T5Config;
import dev.arbooth.config.VaeConfig;
import dev.arbooth.testing.Golden;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BaseModelTest {
    @Test
    void withoutAProviderOnTheClassPathBundledSaysWhichDependencyToAdd() {
        // arbooth-core's own tests run without arbooth-toybase
        assertThatThrownBy(BaseModel::bundled)
                .isInstanceOf(ArboothException.class)
                .hasMessageContaining("dev.arbooth:arbooth-toybase")
                .hasMessageContaining("BaseModel.load(dir)");
    }

    @TempDir
    Path dir;

    /** The golden set-1 transformer and VAE with a T5 shape matching the transformer's 256 text channels. */
    private BaseModel golden() throws IOException {
        Files.copy(
                Golden.golden("infinity-set1/transformer_weights.safetensors"), dir.resolve("transformer.safetensors"));
        Files.copy(Golden.golden("infinity-set1/vae_weights.safetensors"), dir.resolve("vae.safetensors"));
        Files.writeString(dir.resolve("t5.safetensors"), "placeholder: descriptors do not open checkpoints");
        Files.writeString(dir.resolve("tokenizer.json"), "{}");
        T5Config t5 = new T5Config(256, 32, 512, 8, 2, 100, 32, 128, 1e-6, 16);
        return new BaseModel(
                dir,
                "golden set-1",
                InfinityConfig.goldenSet1(),
                dir.resolve("transformer.safetensors"),
                VaeConfig.goldenSet1(),
                dir.resolve("vae.safetensors"),
                t5,
                dir.resolve("t5.safetensors"),
                dir.resolve("tokenizer.json"),
                ScaleSchedule.official("1.000", "0.06M"));
    }

    @Test
    void descriptorRoundTrips() throws IOException {
        BaseModel base = golden();
        Path file = base.save();
        assertThat(file.getFileName().toString()).isEqualTo(BaseModel.DESCRIPTOR);
        assertThat(Files.readString(file)).contains("\"transformer\": \"transformer.safetensors\"");
        BaseModel loaded = BaseModel.load(dir);
        assertThat(loaded).isEqualTo(base);
        assertThat(loaded.imageSize()).containsExactly(128, 128);
    }

    @Test
    void refusesMissingFilesAndUnknownFields() throws IOException {
        BaseModel base = golden();
        base.save();
        Files.delete(dir.resolve("vae.safetensors"));
        assertThatThrownBy(() -> BaseModel.load(dir))
                .isInstanceOf(FormatException.class)
                .hasMessageContaining(BaseModel.DESCRIPTOR)
                .hasMessageContaining("'vae.safetensors', which does not exist");
        Path descriptor = dir.resolve(BaseModel.DESCRIPTOR);
        Files.writeString(descriptor, Files.readString(descriptor).replace("\"name\"", "\"nmae\""));
        assertThatThrownBy(() -> BaseModel.load(dir))
                .isInstanceOf(FormatException.class)
                .hasMessageContaining("missing fields [name], unknown fields [nmae]");
        assertThatThrownBy(() -> BaseModel.load(dir.resolve("nowhere")))
                .isInstanceOf(FormatException.class)
                .hasMessageContaining("not a base-model directory");
    }

    @Test
    void refusesInconsistentNetworks() throws IOException {
        BaseModel base = golden();
        assertThatThrownBy(() -> new BaseModel(
                        dir,
                        "x",
                        base.infinity(),
                        base.transformerWeights(),
                        base.vae(),
                        base.vaeWeights(),
                        T5Config.goldenSet1(),
                        base.textEncoderWeights(),
                        base.tokenizer(),
                        base.schedule()))
                .isInstanceOf(ArboothException.class)
                .hasMessageContaining("expects 256 text channels but the text encoder produces 64");
    }
}
