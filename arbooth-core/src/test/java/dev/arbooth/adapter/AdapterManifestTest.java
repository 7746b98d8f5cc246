package dev.arbooth.adapter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.arbooth.FormatException;
import dev.arbooth.config.InfinityConfig;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AdapterManifestTest {
    private static final String FP = "sha256:" + "5a".repeat(32);

    private static AdapterManifest manifest() {
        return AdapterManifest.create(
                BaseFingerprint.parse(FP),
                InfinityConfig.infinity2b(),
                "<sks>",
                "teddy bear",
                Map.of("seed", "42", "training_options", "{\"steps\":500}", "data_fingerprint", "sha256:00"));
    }

    @Test
    void jsonRoundTripKeepsEveryField() {
        AdapterManifest m = manifest();
        AdapterManifest back = AdapterManifest.fromJson(null, m.toJson());
        assertThat(back).isEqualTo(m);
        assertThat(back.baseConfig()).isEqualTo(InfinityConfig.infinity2b());
        assertThat(back.provenance()).containsEntry("training_options", "{\"steps\":500}");
        assertThat(back.provenance().keySet()).containsExactly("data_fingerprint", "seed", "training_options");
        assertThat(back.fingerprint()).isEqualTo(BaseFingerprint.parse(FP));
        assertThat(m.toJson()).startsWith("{\"format_version\":2,");
    }

    @Test
    void provenanceIsCopiedAndUnmodifiable() {
        Map<String, String> p = new HashMap<>(Map.of("a", "1"));
        AdapterManifest m = new AdapterManifest(1, FP, InfinityConfig.goldenSet1(), "sks", "dog", "test", p);
        p.put("b", "2");
        assertThat(m.provenance()).containsOnlyKeys("a");
        assertThatThrownBy(() -> m.provenance().put("c", "3")).isInstanceOf(UnsupportedOperationException.class);
        assertThat(m.withProvenance("c", "3").provenance()).containsOnlyKeys("a", "c");
    }

    @Test
    void constructorRulesHaveClearMessages() {
        InfinityConfig c = InfinityConfig.goldenSet1();
        Map<String, String> none = Map.of();
        assertThatThrownBy(() -> new AdapterManifest(3, FP, c, "sks", "dog", "v", none))
                .hasMessageContaining("format version 3 is not supported")
                .hasMessageContaining("[1, 2]");
        assertThatThrownBy(() -> new AdapterManifest(1, "sha256:xyz", c, "sks", "dog", "v", none))
                .hasMessageContaining("64 lower-case hex digits");
        assertThatThrownBy(() -> new AdapterManifest(1, FP, c, " ", "dog", "v", none))
                .hasMessageContaining("identifier");
        assertThatThrownBy(() -> new AdapterManifest(1, FP, c, "sks", "", "v", none))
                .hasMessageContaining("classWord");
        assertThatThrownBy(() -> new AdapterManifest(1, FP, c, "sks", "dog", "", none))
                .hasMessageContaining("libraryVersion");
        assertThatThrownBy(() -> new AdapterManifest(1, FP, c, "sks", "dog", "v", Map.of(" ", "x")))
                .hasMessageContaining("provenance keys");
    }

    @Test
    void fromJsonNamesTheFileAndTheProblem() {
        Path f = Path.of("x.safetensors");
        String good = manifest().toJson();
        assertThatThrownBy(() -> AdapterManifest.fromJson(f, "[1]"))
                .isInstanceOf(FormatException.class)
                .hasMessageStartingWith("x.safetensors: ")
                .hasMessageContaining("must be a JSON object");
        assertThatThrownBy(() ->
                        AdapterManifest.fromJson(f, good.replace("\"format_version\":2", "\"format_version\":\"1\"")))
                .hasMessageContaining("'format_version' must be an integer");
        assertThatThrownBy(
                        () -> AdapterManifest.fromJson(f, good.replace("\"format_version\":2", "\"format_version\":7")))
                .hasMessageContaining("format version 7 is not supported")
                .hasMessageContaining("newer library");
        assertThatThrownBy(() -> AdapterManifest.fromJson(
                        f, good.replace("{\"format_version\":2,", "{\"format_version\":2,\"x\":2,")))
                .hasMessageContaining("unknown field(s) [x]");
        assertThatThrownBy(() -> AdapterManifest.fromJson(f, good.replace("\"seed\":\"42\"", "\"seed\":42")))
                .hasMessageContaining("provenance 'seed' must be a string");
        assertThatThrownBy(() ->
                        AdapterManifest.fromJson(f, good.replace("\"class_word\":\"teddy bear\"", "\"class_word\":3")))
                .hasMessageContaining("'class_word' must be a string");
    }
}
