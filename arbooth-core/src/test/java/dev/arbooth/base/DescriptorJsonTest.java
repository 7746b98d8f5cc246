package dev.arbooth.base;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonArray;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.arbooth.FormatException;
import dev.arbooth.config.InfinityConfig;
import dev.arbooth.config.ScaleSchedule;
import dev.arbooth.config.T5Config;
import dev.arbooth.config.VaeConfig;
import dev.arbooth.testing.Golden;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Base descriptors read through the one strict JSON path: a field that is missing, {@code null}, of the wrong JSON
 * type, fractional where an integer is required, or a value the configuration refuses ends in a {@link
 * FormatException} naming the file, the field and what was expected (never one of Gson's exceptions).
 */
class DescriptorJsonTest {
    @TempDir
    static Path dir;

    private static JsonObject valid;

    private static JsonObject valid() throws IOException {
        if (valid == null) {
            Files.copy(
                    Golden.golden("infinity-set1/transformer_weights.safetensors"),
                    dir.resolve("transformer.safetensors"));
            Files.copy(Golden.golden("infinity-set1/vae_weights.safetensors"), dir.resolve("vae.safetensors"));
            Files.writeString(dir.resolve("t5.safetensors"), "placeholder: descriptors do not open checkpoints");
            Files.writeString(dir.resolve("tokenizer.json"), "{}");
            new BaseModel(
                            dir,
                            "golden set-1",
                            InfinityConfig.goldenSet1(),
                            dir.resolve("transformer.safetensors"),
                            VaeConfig.goldenSet1(),
                            dir.resolve("vae.safetensors"),
                            new T5Config(256, 32, 512, 8, 2, 100, 32, 128, 1e-6, 16),
                            dir.resolve("t5.safetensors"),
                            dir.resolve("tokenizer.json"),
                            ScaleSchedule.official("1.000", "0.06M"))
                    .save();
            valid = JsonParser.parseString(Files.readString(dir.resolve(BaseModel.DESCRIPTOR)))
                    .getAsJsonObject();
        }
        return valid.deepCopy();
    }

    private static Arguments broken(String field, Consumer<JsonObject> edit, String... expected) {
        return Arguments.of(field, edit, expected);
    }

    private static JsonObject at(JsonObject o, String member) {
        return o.getAsJsonObject(member);
    }

    static Stream<Arguments> brokenDescriptors() {
        return Stream.of(
                broken("format", o -> o.addProperty("format", 1.5), "field 'format' must be an integer, got 1.5"),
                broken("format", o -> o.addProperty("format", "1"), "field 'format' must be an integer, got \"1\""),
                broken(
                        "format",
                        o -> o.add("format", JsonNull.INSTANCE),
                        "field 'format' must be an integer, got null"),
                broken("format", o -> o.addProperty("format", 2), "format 2 is not supported"),
                broken("name", o -> o.add("name", JsonNull.INSTANCE), "field 'name' must be a string, got null"),
                broken("name", o -> o.addProperty("name", 7), "field 'name' must be a string, got 7"),
                broken(
                        "transformer",
                        o -> o.add("transformer", new JsonArray()),
                        "field 'transformer' must be a string"),
                broken("vae", o -> o.add("vae", new JsonObject()), "lacks field(s) [vae.baseChannels,"),
                broken("vae", o -> o.add("vae", JsonNull.INSTANCE), "field 'vae' must be an object, got null"),
                broken("vae", o -> o.add("vae", new JsonArray()), "field 'vae' must be an object, got []"),
                broken("infinity", o -> o.addProperty("infinity", "x"), "field 'infinity' must be an object"),
                broken("infinity", o -> o.add("infinity", new JsonObject()), "lacks field(s) [infinity.add_lvl_"),
                broken(
                        "textEncoder",
                        o -> o.add("textEncoder", null),
                        "field 'textEncoder' must be an object, got null"),
                broken(
                        "vae.codebookDim",
                        o -> at(o, "vae").addProperty("codebookDim", -16),
                        "field 'vae' is not a valid VaeConfig",
                        "codebookDim must be in 1..64, got -16"),
                broken(
                        "vae.patchSize",
                        o -> at(o, "vae").addProperty("patchSize", 3),
                        "field 'vae' is not a valid VaeConfig",
                        "patchSize must be a power of two >= 2, got 3"),
                broken(
                        "vae.channelMultipliers",
                        o -> at(o, "vae").add("channelMultipliers", new JsonArray()),
                        "field 'vae' is not a valid VaeConfig",
                        "channelMultipliers needs at least one level"),
                broken(
                        "vae.channelMultipliers",
                        o -> at(o, "vae").add("channelMultipliers", JsonNull.INSTANCE),
                        "field 'vae.channelMultipliers' must be an array of integers, got null"),
                broken(
                        "vae.channelMultipliers",
                        o -> at(o, "vae").add("channelMultipliers", JsonParser.parseString("[1, null, 2, 2]")),
                        "field 'vae.channelMultipliers' element 1 must be an integer, got null"),
                broken(
                        "vae.baseChannels",
                        o -> at(o, "vae").addProperty("baseChannels", 32.5),
                        "field 'vae.baseChannels' must be an integer, got 32.5"),
                broken(
                        "vae.normEps",
                        o -> at(o, "vae").addProperty("normEps", "tiny"),
                        "field 'vae.normEps' must be a number, got \"tiny\""),
                broken("vae.extra", o -> at(o, "vae").addProperty("extra", 1), "unknown field(s) [vae.extra]"),
                broken(
                        "textEncoder.numHeads",
                        o -> at(o, "textEncoder").addProperty("numHeads", 0),
                        "field 'textEncoder' is not a valid T5Config",
                        "numHeads must be at least 1, got 0"),
                broken(
                        "infinity.num_heads",
                        o -> at(o, "infinity").addProperty("num_heads", 0),
                        "field 'infinity' is not a valid InfinityConfig",
                        "numHeads must be at least 1, got 0 (JSON key 'num_heads')"),
                broken(
                        "infinity.depth",
                        o -> at(o, "infinity").addProperty("depth", 1e12),
                        "field 'infinity.depth' must be an integer, got 1.0E12"),
                broken(
                        "infinity.cos_attn",
                        o -> at(o, "infinity").addProperty("cos_attn", 1),
                        "field 'infinity.cos_attn' must be true or false, got 1"),
                broken(
                        "apply_spatial_patchify",
                        o -> at(o, "infinity").addProperty("apply_spatial_patchify", true),
                        "describes a base that cannot run",
                        "spatial patchify"),
                broken("schedule", o -> o.add("schedule", JsonNull.INSTANCE), "field 'schedule' must be an array"),
                broken(
                        "schedule",
                        o -> o.add("schedule", JsonParser.parseString("[[1, 1], [2]]")),
                        "field 'schedule' element 1 must be an array of 2 integers, got [2]"),
                broken(
                        "schedule",
                        o -> o.add("schedule", JsonParser.parseString("[[1, 1], [2, 2.5]]")),
                        "field 'schedule[1]' element 1 must be an integer, got 2.5"),
                broken(
                        "schedule",
                        o -> o.add("schedule", JsonParser.parseString("[[2, 2], [1, 1]]")),
                        "field 'schedule' is not a valid scale schedule"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("brokenDescriptors")
    void brokenFieldsNameTheFileTheFieldAndWhatWasExpected(String field, Consumer<JsonObject> edit, String[] expected)
            throws IOException {
        JsonObject o = valid();
        edit.accept(o);
        Path file = dir.resolve(BaseModel.DESCRIPTOR);
        Files.writeString(file, o.toString());
        assertThatThrownBy(() -> BaseModel.load(dir))
                .isInstanceOf(FormatException.class)
                .hasMessageStartingWith(file + ": base-model descriptor ")
                .hasMessageContaining(field.replaceAll("\\[.*", "").replaceAll("\\..*", ""))
                .hasMessageContainingAll(expected);
    }

    @Test
    void documentsThatAreNotObjectsOrNotJson() throws IOException {
        valid();
        Path file = dir.resolve(BaseModel.DESCRIPTOR);
        for (String text : new String[] {"null", "[]", "42", "\"x\""}) {
            Files.writeString(file, text);
            assertThatThrownBy(() -> BaseModel.load(dir))
                    .isInstanceOf(FormatException.class)
                    .hasMessageContaining(file.toString())
                    .hasMessageContaining("must be a JSON object, got " + text);
        }
        Files.writeString(file, "{\"format\": ");
        assertThatThrownBy(() -> BaseModel.load(dir))
                .isInstanceOf(FormatException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("malformed");
    }

    @Test
    void aValidDescriptorStillLoads() throws IOException {
        Files.writeString(dir.resolve(BaseModel.DESCRIPTOR), valid().toString());
        assertThat(BaseModel.load(dir).vae()).isEqualTo(VaeConfig.goldenSet1());
    }

    @Test
    void infinityJsonIsByteStableBecauseFingerprintsHashIt() {
        // BaseFingerprint hashes InfinityConfig.toJson(): the text must not change with the JSON code behind it
        assertThat(InfinityConfig.goldenSet1().toJson())
                .isEqualTo(
                        "{\"depth\":2,\"embed_dim\":128,\"num_heads\":2,\"ffn_hidden\":512,\"text_channels\":256,"
                                + "\"text_maxlen\":16,\"codebook_dim\":16,\"apply_spatial_patchify\":false,\"norm_eps\":1.0E-6,"
                                + "\"block_chunks\":2,\"level_embeddings\":15,\"cos_attn\":true,\"shared_aln\":true,"
                                + "\"head_aln\":true,\"rope2d_normalized_by_hw\":2,\"add_lvl_embeding_only_first_block\":true}");
    }
}
