package dev.arbooth.internal.json;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.arbooth.FormatException;
import dev.arbooth.adapter.AdapterManifest;
import dev.arbooth.config.InfinityConfig;
import dev.arbooth.config.T5Config;
import dev.arbooth.testing.Golden;
import dev.arbooth.testing.TestAdapters;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The other readers on the strict path: adapter manifests, InfinityConfig JSON and Hugging Face T5 configs refuse
 * nulls, wrong JSON types, fractions and invalid values with a {@link FormatException} naming the file and field.
 */
class StrictJsonTest {
    @TempDir
    Path dir;

    private static JsonObject manifest() {
        return JsonParser.parseString(TestAdapters.perturbedSet1(1).manifest().toJson())
                .getAsJsonObject();
    }

    @Test
    void adapterManifestFields() {
        Path file = Path.of("a.safetensors");
        JsonObject nullIdentifier = manifest();
        nullIdentifier.add("identifier", null);
        assertThatThrownBy(() -> AdapterManifest.fromJson(file, nullIdentifier.toString()))
                .isInstanceOf(FormatException.class)
                .hasMessageStartingWith("a.safetensors: adapter manifest ")
                .hasMessageContaining("field 'identifier' must be a string, got null");
        JsonObject fractional = manifest();
        fractional.addProperty("format_version", 1.5);
        assertThatThrownBy(() -> AdapterManifest.fromJson(file, fractional.toString()))
                .isInstanceOf(FormatException.class)
                .hasMessageContaining("field 'format_version' must be an integer, got 1.5");
        JsonObject nullProvenance = manifest();
        nullProvenance.add("provenance", null);
        assertThatThrownBy(() -> AdapterManifest.fromJson(file, nullProvenance.toString()))
                .isInstanceOf(FormatException.class)
                .hasMessageContaining("field 'provenance' must be an object, got null");
        JsonObject configArray = manifest();
        configArray.add("base_config", JsonParser.parseString("[]"));
        assertThatThrownBy(() -> AdapterManifest.fromJson(file, configArray.toString()))
                .isInstanceOf(FormatException.class)
                .hasMessageContaining("field 'base_config' must be an object, got []");
        JsonObject nullDepth = manifest();
        nullDepth.getAsJsonObject("base_config").add("depth", null);
        assertThatThrownBy(() -> AdapterManifest.fromJson(file, nullDepth.toString()))
                .isInstanceOf(FormatException.class)
                .hasMessageContaining("field 'base_config.depth' must be an integer, got null");
        JsonObject zeroHeads = manifest();
        zeroHeads.getAsJsonObject("base_config").addProperty("num_heads", 0);
        assertThatThrownBy(() -> AdapterManifest.fromJson(file, zeroHeads.toString()))
                .isInstanceOf(FormatException.class)
                .hasMessageContaining("field 'base_config' is not a valid InfinityConfig")
                .hasMessageContaining("numHeads must be at least 1, got 0 (JSON key 'num_heads')");
    }

    @Test
    void infinityConfigJson() {
        assertThatThrownBy(() -> InfinityConfig.fromJson("null"))
                .isInstanceOf(FormatException.class)
                .hasMessageContaining("InfinityConfig JSON must be an object, got null");
        JsonObject o =
                JsonParser.parseString(InfinityConfig.goldenSet1().toJson()).getAsJsonObject();
        o.add("norm_eps", null);
        assertThatThrownBy(() -> InfinityConfig.fromJson(o.toString()))
                .isInstanceOf(FormatException.class)
                .hasMessageContaining("field 'norm_eps' must be a number, got null");
        o.addProperty("norm_eps", -1e-6);
        assertThatThrownBy(() -> InfinityConfig.fromJson(o.toString()))
                .isInstanceOf(FormatException.class)
                .hasMessageContaining("normEps must be positive and finite, got -1.0E-6 (JSON key 'norm_eps')");
    }

    @Test
    void huggingFaceT5Config() throws IOException {
        String golden = Files.readString(Golden.golden("t5-set1/config.json"));
        Path fraction = dir.resolve("fraction.json");
        Files.writeString(fraction, golden.replaceFirst("\"num_heads\": *\\d+", "\"num_heads\": 1.5"));
        assertThatThrownBy(() -> T5Config.fromJson(fraction, 16))
                .isInstanceOf(FormatException.class)
                .hasMessageContaining("fraction.json")
                .hasMessageContaining("field 'num_heads' must be an integer, got 1.5");
        Path nullModel = dir.resolve("null.json");
        Files.writeString(nullModel, golden.replaceFirst("\"d_model\": *\\d+", "\"d_model\": null"));
        assertThatThrownBy(() -> T5Config.fromJson(nullModel, 16))
                .isInstanceOf(FormatException.class)
                .hasMessageContaining("null.json")
                .hasMessageContaining("field 'd_model' must be an integer, got null");
        Path text = dir.resolve("text.json");
        Files.writeString(text, golden.replaceFirst("\"d_kv\": *\\d+", "\"d_kv\": \"16\""));
        assertThatThrownBy(() -> T5Config.fromJson(text, 16))
                .isInstanceOf(FormatException.class)
                .hasMessageContaining("field 'd_kv' must be an integer, got \"16\"");
        Path zero = dir.resolve("zero.json");
        Files.writeString(zero, golden.replaceFirst("\"num_heads\": *\\d+", "\"num_heads\": 0"));
        assertThatThrownBy(() -> T5Config.fromJson(zero, 16))
                .isInstanceOf(FormatException.class)
                .hasMessageContaining("zero.json")
                .hasMessageContaining("is not a valid T5Config: numHeads must be at least 1, got 0");
        Path array = dir.resolve("array.json");
        Files.writeString(array, "[1, 2]");
        assertThatThrownBy(() -> T5Config.fromJson(array, 16))
                .isInstanceOf(FormatException.class)
                .hasMessageContaining("array.json")
                .hasMessageContaining("must be a JSON object");
    }
}
