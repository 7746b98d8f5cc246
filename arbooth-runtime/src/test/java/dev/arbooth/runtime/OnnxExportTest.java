package dev.arbooth.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.arbooth.ArboothException;
import dev.arbooth.adapter.Adapter;
import dev.arbooth.adapter.AdapterManifest;
import dev.arbooth.adapter.IncompatibleAdapterException;
import dev.arbooth.base.BaseModel;
import dev.arbooth.internal.weights.InfinityPart;
import dev.arbooth.runtime.testing.TestBases;
import dev.arbooth.sampling.SamplingOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10, ONNX export: the exported files alone (sessions opened from them, nothing emitted) sample the bits
 * {@code Generator.with(adapter, base)} samples, for an adapter that carries every block parameter; the
 * description names every file with its inputs and outputs; the directory appears whole or not at all. The
 * export is left in {@code target/onnx-export} for CI's run of the official ONNX checker ({@code
 * scripts/onnx-check.py}). About 10 s (graphs for 16 prompt lengths, two generators), hence slow.
 */
@Tag("slow")
class OnnxExportTest {
    private static final String PROMPT = "a photo of on dog";

    @TempDir
    static Path shared;

    @TempDir
    Path dir;

    private static BaseModel base;
    private static Adapter adapter;
    private static SamplingOptions options;
    private static Path export;

    @BeforeAll
    static void exportOnce() throws IOException {
        base = TestBases.goldenSet1(Files.createDirectories(shared.resolve("base")));
        adapter = TestBases.adapterOn(11, InfinityPart.BLOCKS);
        options = SamplingOptions.defaults().withSeed(5).withImagesPerPrompt(2).withScaleBits(true);
        // into the module's build directory when the build says where it is, for CI's ONNX checker
        // (scripts/onnx-check.py; an earlier run's export there is replaced as a whole)
        String build = System.getProperty("arbooth.build.dir");
        Path target = build == null ? shared.resolve("export") : Path.of(build, "onnx-export");
        export = OnnxExport.write(
                base,
                adapter,
                target,
                OnnxExport.Options.defaults().withImagesPerPass(2).withSampling(options));
    }

    @Test
    void exportedFilesSampleTheGeneratorsBits() {
        List<GeneratedImage> fromGenerator;
        List<GeneratedImage> fromBase;
        try (Generator g = Generator.with(adapter, base, Device.cpu(1));
                Generator b = Generator.base(base, Device.cpu(1))) {
            fromGenerator = g.sample(PROMPT, options);
            fromBase = b.sample(PROMPT, options);
        }
        List<GeneratedImage> fromFiles;
        try (ExportedSampler s = ExportedSampler.open(export, Device.cpu(1))) {
            fromFiles = s.sample(PROMPT, options);
            // T5 and prologue for this prompt's length, one step per scale, the decoder: all from files
            assertThat(s.sessionCount()).isEqualTo(3 + base.schedule().size());
        }
        assertThat(fromFiles).hasSize(2);
        boolean differsFromBase = false;
        for (int i = 0; i < 2; i++) {
            List<long[]> bits = fromFiles.get(i).bits().orElseThrow();
            for (int k = 0; k < base.schedule().size(); k++) {
                assertThat(bits.get(k))
                        .as("image %d scale %d", i, k)
                        .isEqualTo(fromGenerator.get(i).bits().orElseThrow().get(k));
                differsFromBase |= !Arrays.equals(
                        bits.get(k), fromBase.get(i).bits().orElseThrow().get(k));
            }
            float[] a = fromFiles.get(i).image().toFloatArray();
            float[] b = fromGenerator.get(i).image().toFloatArray();
            assertThat(a)
                    .as("image %d: the same decoder graph and weights on the same codes", i)
                    .isEqualTo(b);
        }
        assertThat(differsFromBase).as("the fused adapter changes the samples").isTrue();
    }

    @Test
    void descriptionNamesEveryFileWithItsInputsAndOutputs() throws IOException {
        JsonObject o = JsonParser.parseString(Files.readString(export.resolve(OnnxExport.DESCRIPTION_FILE)))
                .getAsJsonObject();
        assertThat(o.get("format_version").getAsInt()).isEqualTo(OnnxExport.FORMAT_VERSION);
        assertThat(o.get("rows").getAsInt()).isEqualTo(4); // 2 images, guided
        assertThat(o.get("max_prompt_tokens").getAsInt()).isEqualTo(16);
        assertThat(o.get("schedule").getAsJsonArray()).hasSize(base.schedule().size());
        assertThat(o.getAsJsonObject("adapter").get("fused_tensors").getAsInt())
                .isEqualTo(adapter.tensors().size());
        assertThat(o.getAsJsonObject("sampling").get("top_k").getAsInt()).isEqualTo(900);
        List<String> files = new ArrayList<>();
        for (String list : new String[] {"text_encoder", "prologue"}) {
            JsonArray graphs = o.getAsJsonObject(list).getAsJsonArray("graphs");
            assertThat(graphs).hasSize(16);
            graphs.forEach(g -> files.add(g.getAsJsonObject().get("file").getAsString()));
        }
        JsonArray steps = o.getAsJsonArray("steps");
        steps.forEach(g -> files.add(g.getAsJsonObject().get("file").getAsString()));
        files.add(o.getAsJsonObject("vae_decoder").get("file").getAsString());
        o.getAsJsonArray("weights")
                .forEach(w -> files.add(w.getAsJsonObject().get("file").getAsString()));
        files.add(o.getAsJsonObject("adapter").get("identifier_rows_file").getAsString());
        files.add(o.getAsJsonObject("tokenizer").get("file").getAsString());
        for (String f : files) {
            assertThat(export.resolve(f)).as(f).isRegularFile();
        }
        // the directory holds exactly these files and the description
        try (Stream<Path> s = Files.list(export)) {
            assertThat(s.map(p -> p.getFileName().toString()).sorted().toList())
                    .containsExactlyInAnyOrderElementsOf(
                            Stream.concat(files.stream(), Stream.of(OnnxExport.DESCRIPTION_FILE))
                                    .toList());
        }
        // step 3: the text tokens are the one symbolic dimension; the cache grows with the scales
        JsonObject step3 = steps.get(3).getAsJsonObject();
        assertThat(dims(step3, "inputs", "text_bias_R11N")).isEqualTo("[4,1,1,\"N\"]");
        assertThat(dims(step3, "inputs", "x_Bnd"))
                .isEqualTo("[2," + base.schedule().get(3).tokens() + ",16]");
        assertThat(dims(step3, "outputs", "logits_RnV"))
                .isEqualTo("[4," + base.schedule().get(3).tokens() + ",32]");
        assertThat(step3.get("domains").getAsString()).isEqualTo("ai.onnx, com.microsoft");
        JsonObject t5 = o.getAsJsonObject("text_encoder")
                .getAsJsonArray("graphs")
                .get(6)
                .getAsJsonObject();
        assertThat(dims(t5, "inputs", "input_ids")).isEqualTo("[1,7]");
        assertThat(t5.get("domains").getAsString()).isEqualTo("ai.onnx");
        assertThat(o.getAsJsonObject("vae_decoder").get("domains").getAsString())
                .isEqualTo("ai.onnx");
        // the weights: raw float32 at 4096-byte aligned offsets, the file as long as its last tensor's end
        for (JsonElement w : o.getAsJsonArray("weights")) {
            JsonObject wo = w.getAsJsonObject();
            assertThat(Files.size(export.resolve(wo.get("file").getAsString())))
                    .isEqualTo(wo.get("bytes").getAsLong());
        }
    }

    private static String dims(JsonObject graph, String side, String name) {
        for (JsonElement e : graph.getAsJsonArray(side)) {
            if (e.getAsJsonObject().get("name").getAsString().equals(name)) {
                return e.getAsJsonObject().get("dims").toString();
            }
        }
        throw new AssertionError(name + " not among the " + side + " of " + graph.get("file"));
    }

    @Test
    void theTargetIsWrittenWholeOrNotAtAll() throws IOException {
        // a directory holding something else is refused and left as it was
        Path other = Files.createDirectories(dir.resolve("other"));
        Files.writeString(other.resolve("notes.txt"), "mine");
        assertThatThrownBy(() -> OnnxExport.write(base, adapter, other))
                .isInstanceOf(ArboothException.class)
                .hasMessageContaining(other.toString())
                .hasMessageContaining("not empty");
        assertThat(listing(other)).containsExactly("notes.txt");
        // a failure after the temporary directory exists (the adapter's base is checked while writing) leaves
        // neither the target nor the temporary directory
        AdapterManifest m = adapter.manifest();
        AdapterManifest foreignManifest = new AdapterManifest(
                m.formatVersion(),
                "sha256:" + "ab".repeat(32),
                m.baseConfig(),
                m.identifier(),
                m.classWord(),
                m.libraryVersion(),
                m.provenance());
        Adapter foreign = Adapter.of(foreignManifest, adapter.tensors(), adapter.identifierEmbedding());
        Path target = dir.resolve("target");
        assertThatThrownBy(() -> OnnxExport.write(base, foreign, target))
                .isInstanceOf(IncompatibleAdapterException.class);
        assertThat(listing(dir)).containsExactly("other");
        // an earlier export is replaced as a whole (here by the base alone), leaving nothing beside it
        OnnxExport.write(base, adapter, target, OnnxExport.Options.defaults().withMaxPromptTokens(4));
        assertThat(target.resolve("identifier_rows.f32")).isRegularFile();
        OnnxExport.write(base, null, target, OnnxExport.Options.defaults().withMaxPromptTokens(3));
        assertThat(target.resolve("identifier_rows.f32")).doesNotExist();
        assertThat(target.resolve("t5_encoder_len003.onnx")).isRegularFile();
        assertThat(target.resolve("t5_encoder_len004.onnx")).doesNotExist();
        assertThat(listing(dir)).containsExactly("other", "target");
        assertThatThrownBy(() -> OnnxExport.write(
                        base, null, target, OnnxExport.Options.defaults().withMaxPromptTokens(17)))
                .isInstanceOf(ArboothException.class)
                .hasMessageContaining("maxPromptTokens 17 exceeds what the base takes (16");
        // a base whose T5 encoder is an ONNX file made elsewhere is refused, naming the file
        BaseModel onnxT5 = new BaseModel(
                base.directory(),
                base.name(),
                base.infinity(),
                base.transformerWeights(),
                base.vae(),
                base.vaeWeights(),
                base.textEncoder(),
                base.directory().resolve("t5.onnx"),
                base.tokenizer(),
                base.schedule());
        assertThatThrownBy(() -> OnnxExport.write(onnxT5, null, dir.resolve("t5onnx")))
                .isInstanceOf(ArboothException.class)
                .hasMessageContaining("t5.onnx")
                .hasMessageContaining("text encoder is an ONNX file");
        assertThat(listing(dir)).containsExactly("other", "target");
    }

    private static List<String> listing(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
