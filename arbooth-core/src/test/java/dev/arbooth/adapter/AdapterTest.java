package dev.arbooth.adapter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.arbooth.ArboothException;
import dev.arbooth.FormatException;
import dev.arbooth.ShapeMismatchException;
import dev.arbooth.config.InfinityConfig;
import dev.arbooth.internal.format.SafeTensors;
import dev.arbooth.internal.format.TensorSpec;
import dev.arbooth.internal.weights.InfinityWeights;
import dev.arbooth.tensor.DType;
import dev.arbooth.tensor.Tensor;
import dev.arbooth.testing.Golden;
import dev.arbooth.testing.TestAdapters;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AdapterTest {
    private static Adapter adapter;

    @TempDir
    Path dir;

    @BeforeAll
    static void build() {
        adapter = TestAdapters.perturbedSet1(7);
    }

    @Test
    void replaceableTensorsAreTheTrainedCaFfnSetOfEveryBlock() {
        InfinityConfig c = InfinityConfig.goldenSet1();
        List<TensorSpec> specs = InfinityWeights.adapterTensors(c);
        assertThat(specs).hasSize(10 * c.depth());
        // the names ARBooth trains (arbooth-train-set1 README 3.2), minus its special_token
        try (SafeTensors st = Golden.open("arbooth-train-set1/trainable_before.safetensors")) {
            Map<String, List<Long>> trained = new TreeMap<>();
            for (String n : st.names()) {
                if (!n.equals("special_token")) {
                    trained.put(n, boxed(st.shape(n)));
                }
            }
            Map<String, List<Long>> ours = new TreeMap<>();
            specs.forEach(s -> ours.put(s.name(), boxed(s.shape())));
            assertThat(ours).isEqualTo(trained);
            assertThat(st.shape("special_token")).containsExactly(4, c.textChannels());
        }
    }

    private static List<Long> boxed(long[] a) {
        return java.util.Arrays.stream(a).boxed().toList();
    }

    @Test
    void fixtureIsDeterministicAndPerturbsOnlyByTheNoise() {
        Adapter again = TestAdapters.perturbedSet1(7);
        assertThat(again).isEqualTo(adapter);
        assertThat(TestAdapters.perturbedSet1(8)).isNotEqualTo(adapter);
        Map<String, Tensor> base = TestAdapters.set1Weights();
        String name = "block_chunks.1.module.0.ffn.fc1.weight";
        float[] a = adapter.tensors().get(name).toFloatArray();
        float[] b = base.get(name).toFloatArray();
        double maxDiff = Golden.maxAbsDiff(a, b);
        assertThat(maxDiff).isGreaterThan(0.02).isLessThan(0.02 * 7); // noise std 0.02 over 65536 values
        assertThat(adapter.identifierEmbedding().shape()).containsExactly(4, 256);
        assertThat(adapter.manifest().provenance()).containsEntry("seed", "7");
        Adapter exact = TestAdapters.perturbedSet1(7, 0.0, 1);
        assertThat(exact.tensors().get(name)).isEqualTo(base.get(name));
    }

    @Test
    void saveLoadRoundTripIsBitIdentical() {
        Path file = dir.resolve("dog.safetensors");
        adapter.save(file);
        Adapter loaded = Adapter.load(file);
        assertThat(loaded).isEqualTo(adapter);
        assertThat(loaded.manifest()).isEqualTo(adapter.manifest());
        for (Map.Entry<String, Tensor> e : adapter.tensors().entrySet()) {
            Tensor l = loaded.tensors().get(e.getKey());
            assertThat(l.dtype()).isEqualTo(DType.F32);
            assertThat(l.data()).isEqualTo(e.getValue().data());
        }
        assertThat(loaded.identifierEmbedding().data())
                .isEqualTo(adapter.identifierEmbedding().data());
        assertThat(loaded.identifier()).isEqualTo("sks");
        assertThat(loaded.classWord()).isEqualTo("dog");
        assertThat(loaded.baseConfig()).isEqualTo(InfinityConfig.goldenSet1());
        // saving again gives the same bytes (sorted names, sorted metadata)
        Path again = dir.resolve("again.safetensors");
        loaded.save(again);
        assertThat(bytes(again)).isEqualTo(bytes(file));
    }

    @Test
    void fileIsAPlainSafetensorsFileWithTheManifestInMetadata() {
        Path file = dir.resolve("a.safetensors");
        adapter.save(file);
        try (SafeTensors st = SafeTensors.open(file)) {
            assertThat(st.names()).hasSize(21).contains(Adapter.IDENTIFIER_EMBEDDING_NAME);
            AdapterManifest m = AdapterManifest.fromJson(file, st.metadata().get(Adapter.MANIFEST_KEY));
            assertThat(m).isEqualTo(adapter.manifest());
        }
    }

    @Test
    void saveOverTheFileItWasLoadedFromKeepsTheLoadedAdapterReadable() {
        Path file = dir.resolve("a.safetensors");
        adapter.save(file);
        Adapter loaded = Adapter.load(file);
        Adapter other = TestAdapters.perturbedSet1(9);
        other.save(file); // atomic replace: the mapping of the old file stays valid
        assertThat(loaded).isEqualTo(adapter);
        assertThat(Adapter.load(file)).isEqualTo(other);
        assertThat(listing()).containsExactly("a.safetensors");
    }

    @Test
    void failedSaveLeavesNoPartialFileAndRemovesTheTemporary() throws IOException {
        // the target is a non-empty directory: the content is written to a temporary file, the final move fails
        Path target = dir.resolve("taken");
        Files.createDirectories(target.resolve("child"));
        assertThatThrownBy(() -> adapter.save(target))
                .isInstanceOf(ArboothException.class)
                .hasMessageContaining(target.toString());
        assertThat(listing()).containsExactly("taken");
        assertThat(Files.isDirectory(target.resolve("child"))).isTrue();
        // an existing adapter file is untouched by a failed save of another
        Path file = dir.resolve("keep.safetensors");
        adapter.save(file);
        byte[] before = bytes(file);
        Path blocked = dir.resolve("blocked");
        Files.createDirectories(blocked.resolve("x"));
        assertThatThrownBy(() -> TestAdapters.perturbedSet1(3).save(blocked)).isInstanceOf(ArboothException.class);
        assertThat(bytes(file)).isEqualTo(before);
        assertThat(listing()).containsExactlyInAnyOrder("taken", "keep.safetensors", "blocked");
    }

    @Test
    void missingTruncatedAndForeignFilesGetClearErrors() throws IOException {
        Path missing = dir.resolve("nope.safetensors");
        assertThatThrownBy(() -> Adapter.load(missing))
                .isInstanceOf(FormatException.class)
                .hasMessageContaining(missing.toString());

        Path file = dir.resolve("a.safetensors");
        adapter.save(file);
        byte[] all = bytes(file);
        Path truncated = dir.resolve("truncated.safetensors");
        Files.write(truncated, java.util.Arrays.copyOf(all, all.length - 100));
        assertThatThrownBy(() -> Adapter.load(truncated))
                .isInstanceOf(FormatException.class)
                .hasMessageContaining(truncated.toString());

        Path garbage = dir.resolve("garbage.safetensors");
        Files.write(garbage, "hello, not an adapter".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> Adapter.load(garbage))
                .isInstanceOf(FormatException.class)
                .hasMessageContaining(garbage.toString());

        // a real safetensors file that is not an adapter: the base checkpoint itself
        Path base = Golden.golden(TestAdapters.SET1_WEIGHTS);
        assertThatThrownBy(() -> Adapter.load(base))
                .isInstanceOf(FormatException.class)
                .hasMessageContaining(base.toString())
                .hasMessageContaining("not an ARBooth adapter")
                .hasMessageContaining(Adapter.MANIFEST_KEY);
    }

    @Test
    void newerFormatVersionIsRejectedNamingFileAndVersions() {
        Path file =
                writeWithManifest("future.safetensors", m -> m.replace("\"format_version\":1", "\"format_version\":3"));
        assertThatThrownBy(() -> Adapter.load(file))
                .isInstanceOf(FormatException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("format version 3 is not supported")
                .hasMessageContaining("[1, 2]")
                .hasMessageContaining("newer library");
    }

    @Test
    void malformedManifestsAreRejected() {
        Path notJson = writeWithManifest("notjson.safetensors", m -> "{oops");
        assertThatThrownBy(() -> Adapter.load(notJson))
                .isInstanceOf(FormatException.class)
                .hasMessageContaining(notJson.toString())
                .hasMessageContaining("malformed");
        Path noIdentifier = writeWithManifest("noid.safetensors", m -> m.replace("\"identifier\":\"sks\",", ""));
        assertThatThrownBy(() -> Adapter.load(noIdentifier))
                .isInstanceOf(FormatException.class)
                .hasMessageContaining("lacks field(s) [identifier]");
        Path badFingerprint = writeWithManifest(
                "badfp.safetensors", m -> m.replace("\"base_fingerprint\":\"sha256:", "\"base_fingerprint\":\"md5:"));
        assertThatThrownBy(() -> Adapter.load(badFingerprint))
                .isInstanceOf(FormatException.class)
                .hasMessageContaining("fingerprint");
        Path badConfig = writeWithManifest("badcfg.safetensors", m -> m.replace("\"depth\":2", "\"depth\":3"));
        assertThatThrownBy(() -> Adapter.load(badConfig))
                .isInstanceOf(FormatException.class)
                .hasMessageContaining("base_config")
                .hasMessageContaining("depth 3");
        Path noVersion = writeWithManifest("nover.safetensors", m -> m.replace("\"format_version\":1,", ""));
        assertThatThrownBy(() -> Adapter.load(noVersion))
                .isInstanceOf(FormatException.class)
                .hasMessageContaining("format_version");
    }

    @Test
    void tensorsNotShapedPerTheManifestsConfigAreRejectedOnLoad() {
        // the same tensors under a manifest claiming a wider FFN
        Path file = writeWithManifest("ffn.safetensors", m -> m.replace("\"ffn_hidden\":512", "\"ffn_hidden\":256"));
        assertThatThrownBy(() -> Adapter.load(file))
                .isInstanceOf(FormatException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("ffn.fc1");
    }

    @Test
    void unknownTensorOrMissingIdentifierRowsAreRejectedOnLoad() {
        Map<String, Tensor> tensors = new HashMap<>(adapter.tensors());
        tensors.put(Adapter.IDENTIFIER_EMBEDDING_NAME, adapter.identifierEmbedding());
        tensors.put("block_chunks.0.module.0.sa.proj.bias", Tensor.ofFloats(new float[128], 128));
        Path extra = dir.resolve("extra.safetensors");
        SafeTensors.write(
                extra, tensors, Map.of(Adapter.MANIFEST_KEY, adapter.manifest().toJson()));
        assertThatThrownBy(() -> Adapter.load(extra))
                .isInstanceOf(FormatException.class)
                .hasMessageContaining(extra.toString())
                .hasMessageContaining("not replaceable")
                .hasMessageContaining("'block_chunks.0.module.0.sa.proj.bias' (SELF_ATTENTION) needs adapter format"
                        + " version 2; format version 1 holds only the cross-attention and FFN tensors");

        Path noRows = dir.resolve("norows.safetensors");
        SafeTensors.write(
                noRows,
                adapter.tensors(),
                Map.of(Adapter.MANIFEST_KEY, adapter.manifest().toJson()));
        assertThatThrownBy(() -> Adapter.load(noRows))
                .isInstanceOf(FormatException.class)
                .hasMessageContaining("identifier embedding 'special_token'");
    }

    @Test
    void constructionValidatesNamesShapesAndDtypes() {
        AdapterManifest m = adapter.manifest();
        Tensor rows = adapter.identifierEmbedding();
        assertThatThrownBy(
                        () -> Adapter.of(m, Map.of("head.weight", Tensor.ofFloats(new float[32 * 128], 32, 128)), rows))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not replaceable")
                .hasMessageContaining("'head.weight' is a model-level tensor (HEAD)");
        assertThatThrownBy(() -> Adapter.of(
                        m, Map.of("block_chunks.0.module.0.ca.proj.bias", Tensor.ofFloats(new float[64], 64)), rows))
                .isInstanceOf(ShapeMismatchException.class)
                .hasMessageContaining("block_chunks.0.module.0.ca.proj.bias")
                .hasMessageContaining("[128]")
                .hasMessageContaining("[64]");
        assertThatThrownBy(() -> Adapter.of(
                        m, Map.of("block_chunks.0.module.0.ca.proj.bias", Tensor.ofInts(new int[128], 128)), rows))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("floating-point");
        assertThatThrownBy(() -> Adapter.of(m, Map.of(), Tensor.ofFloats(new float[4 * 128], 4, 128)))
                .isInstanceOf(ShapeMismatchException.class)
                .hasMessageContaining("Ct5 = 256")
                .hasMessageContaining("[4, 128]");
        assertThatThrownBy(() -> Adapter.of(m, Map.of(), Tensor.ofFloats(new float[0], 0, 256)))
                .isInstanceOf(ShapeMismatchException.class);
        // a subset of the replaceable tensors (or none: identifier rows only) is a valid adapter
        Adapter rowsOnly = Adapter.of(m, Map.of(), rows);
        Path file = dir.resolve("rows-only.safetensors");
        rowsOnly.save(file);
        assertThat(Adapter.load(file)).isEqualTo(rowsOnly);
    }

    @Test
    void checkCompatibleNamesBothFingerprints() {
        BaseFingerprint set1 = TestAdapters.set1Fingerprint();
        adapter.checkCompatible(set1);
        assertThat(adapter.baseFingerprint()).isEqualTo(set1);
        BaseFingerprint other = BaseFingerprint.parse("sha256:" + "ab".repeat(32));
        assertThatThrownBy(() -> adapter.checkCompatible(other))
                .isInstanceOf(IncompatibleAdapterException.class)
                .hasMessageContaining(set1.value())
                .hasMessageContaining(other.value())
                .hasMessageContaining("sks dog");
    }

    @Test
    void builderRequiresIdentifierAndRows() {
        Adapter.Builder b = Adapter.builder(InfinityConfig.goldenSet1(), TestAdapters.set1Fingerprint());
        assertThatThrownBy(b::build).hasMessageContaining("identifierEmbedding");
        b.identifierEmbedding(adapter.identifierEmbedding());
        assertThatThrownBy(b::build).hasMessageContaining("identifier and classWord");
        assertThatThrownBy(() -> b.identifier("two words").classWord("dog").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("without whitespace");
        Adapter a = b.identifier("sks").classWord("dog").build();
        assertThat(a.tensors()).isEmpty();
        // no tensors beyond CA/FFN (none at all): the oldest version that holds them
        assertThat(a.manifest().formatVersion()).isEqualTo(1);
        assertThat(a.manifest().libraryVersion()).isNotBlank();
    }

    /** Saves the fixture adapter with its manifest JSON rewritten (a test-only way to forge a file). */
    private Path writeWithManifest(String name, java.util.function.UnaryOperator<String> edit) {
        Map<String, Tensor> tensors = new HashMap<>(adapter.tensors());
        tensors.put(Adapter.IDENTIFIER_EMBEDDING_NAME, adapter.identifierEmbedding());
        String json = adapter.manifest().toJson();
        String edited = edit.apply(json);
        assertThat(edited).as("the edit must change the manifest").isNotEqualTo(json);
        Path file = dir.resolve(name);
        SafeTensors.write(file, tensors, Map.of(Adapter.MANIFEST_KEY, edited));
        return file;
    }

    private List<String> listing() {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).toList();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static byte[] bytes(Path p) {
        try {
            return Files.readAllBytes(p);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
