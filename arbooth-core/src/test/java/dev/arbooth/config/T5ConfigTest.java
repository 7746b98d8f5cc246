package dev.arbooth.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.arbooth.FormatException;
import dev.arbooth.internal.weights.T5Weights;
import dev.arbooth.testing.Golden;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class T5ConfigTest {
    @Test
    void goldenSet1PresetEqualsItsConfigJson() {
        T5Config fromFile = T5Config.fromJson(Golden.golden("t5-set1/config.json"), 16);
        assertThat(T5Config.goldenSet1()).isEqualTo(fromFile);
        assertThat(fromFile.dModel()).isEqualTo(64);
        assertThat(fromFile.innerDim()).isEqualTo(64);
        assertThat(fromFile.numLayers()).isEqualTo(3);
        assertThat(fromFile.layerNormEpsilon()).isEqualTo(1e-6);
    }

    @Test
    void flanT5XlIsTheReleasedEncoder() {
        T5Config c = T5Config.flanT5Xl();
        assertThat(c.dModel()).isEqualTo(2048);
        assertThat(c.dKv()).isEqualTo(64);
        assertThat(c.dFf()).isEqualTo(5120);
        assertThat(c.numHeads()).isEqualTo(32);
        assertThat(c.numLayers()).isEqualTo(24);
        assertThat(c.vocabSize()).isEqualTo(32128);
        assertThat(c.relativeAttentionNumBuckets()).isEqualTo(32);
        assertThat(c.relativeAttentionMaxDistance()).isEqualTo(128);
        assertThat(c.textMaxLength()).isEqualTo(512);
        assertThat(c.innerDim()).isEqualTo(2048);
        // V*D + 24 * (4*D*I + 3*D*F + 2*D) + buckets*H + D = 1.22 B
        assertThat(T5Weights.parameterCount(c)).isEqualTo(1_223_527_424L);
        assertThat(c.withTextMaxLength(77).textMaxLength()).isEqualTo(77);
        assertThat(c.withTextMaxLength(77).dModel()).isEqualTo(2048);
    }

    @Test
    void invalidValuesAreRejectedWithTheirName() {
        assertThatThrownBy(() -> new T5Config(0, 16, 128, 4, 3, 100, 32, 128, 1e-6, 16))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("dModel");
        assertThatThrownBy(() -> new T5Config(64, 16, 128, 4, 3, 100, 31, 128, 1e-6, 16))
                .hasMessageContaining("relativeAttentionNumBuckets");
        assertThatThrownBy(() -> new T5Config(64, 16, 128, 4, 3, 100, 32, 8, 1e-6, 16))
                .hasMessageContaining("relativeAttentionMaxDistance");
        assertThatThrownBy(() -> new T5Config(64, 16, 128, 4, 3, 100, 32, 128, 0, 16))
                .hasMessageContaining("layerNormEpsilon");
        assertThatThrownBy(() -> new T5Config(64, 16, 128, 4, 3, 100, 32, 128, 1e-6, 0))
                .hasMessageContaining("textMaxLength");
    }

    @Test
    void configJsonErrorsNameTheFileAndField(@TempDir Path dir) throws IOException {
        Path relu = dir.resolve("relu.json");
        Files.writeString(
                relu, Files.readString(Golden.golden("t5-set1/config.json")).replace("\"gated-gelu\"", "\"relu\""));
        assertThatThrownBy(() -> T5Config.fromJson(relu, 16))
                .isInstanceOf(FormatException.class)
                .hasMessageContaining("relu.json")
                .hasMessageContaining("gated-gelu");
        Path noHeads = dir.resolve("noheads.json");
        Files.writeString(
                noHeads, Files.readString(Golden.golden("t5-set1/config.json")).replace("\"num_heads\"", "\"heads\""));
        assertThatThrownBy(() -> T5Config.fromJson(noHeads, 16))
                .isInstanceOf(FormatException.class)
                .hasMessageContaining("num_heads");
        Path broken = dir.resolve("broken.json");
        Files.writeString(broken, "{\"d_model\": ");
        assertThatThrownBy(() -> T5Config.fromJson(broken, 16)).isInstanceOf(FormatException.class);
        assertThatThrownBy(() -> T5Config.fromJson(dir.resolve("absent.json"), 16))
                .isInstanceOf(FormatException.class)
                .hasMessageContaining("absent.json");
    }
}
