package dev.arbooth.runtime.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtSession;
import dev.arbooth.ArboothException;
import dev.arbooth.internal.format.StateDict;
import dev.arbooth.internal.io.LibraryVersion;
import dev.arbooth.runtime.Device;
import dev.arbooth.runtime.internal.onnx.OnnxOps;
import dev.arbooth.tensor.Tensor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The on-disk graph cache: hits, stale and corrupt entries rebuilt in place, a cache directory that cannot be
 * used, concurrent writers; and the device a session factory resolves once.
 */
class GraphCacheTest {
    private static final String KEY = "test.linear\nconfig=2x3\nrows=4";
    private static OrtWeights weights;

    @TempDir
    Path dir;

    @BeforeAll
    static void weights() {
        float[] w = {1, 2, 3, 4, 5, 6};
        weights = OrtWeights.create(StateDict.of(Map.of("w", Tensor.ofFloats(w, 2, 3))));
    }

    @AfterAll
    static void close() {
        weights.close();
    }

    /** x (4, 3) @ w^T (3, 2): a graph with one external weight. */
    private static Supplier<OnnxOps> emit() {
        return () -> {
            OnnxOps ops = OnnxOps.create("linear", weights::shapeOrNull);
            String x = ops.input("x", 4, 3);
            ops.output("y", ops.linear(x, ops.weight("w"), null));
            return ops;
        };
    }

    private static byte[] emitted() {
        return emit().get().toModelBytes();
    }

    private Path onnxFile() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> onnx = s.filter(p -> p.toString().endsWith(".onnx")).toList();
            assertThat(onnx).hasSize(1);
            return onnx.get(0);
        }
    }

    private Path sidecarFile() throws IOException {
        String name = onnxFile().getFileName().toString();
        return dir.resolve(name.substring(0, name.length() - ".onnx".length()) + ".properties");
    }

    @Test
    void secondCreationReadsTheGraphFromDisk() throws Exception {
        GraphCache first = GraphCache.at(dir);
        GraphCache.Graph a = first.graph(KEY, emit());
        assertThat(first.emissions()).isEqualTo(1);
        assertThat(first.hits()).isZero();
        assertThat(onnxFile().getFileName().toString())
                .isEqualTo(GraphCache.sha256Hex(KEY.getBytes(StandardCharsets.UTF_8)) + ".onnx");
        assertThat(Files.readString(sidecarFile(), StandardCharsets.ISO_8859_1))
                .contains(GraphCache.libraryIdentity())
                .contains("sha256=" + GraphCache.sha256Hex(a.model()));

        GraphCache second = GraphCache.at(dir);
        GraphCache.Graph b = second.graph(KEY, emit());
        assertThat(second.emissions()).isZero();
        assertThat(second.hits()).isEqualTo(1);
        assertThat(b.model()).isEqualTo(a.model()).isEqualTo(emitted());
        assertThat(b.weightsUsed()).containsExactly("w");
        // another key is another file
        second.graph(KEY + "\nguided=true", emit());
        assertThat(second.emissions()).isEqualTo(1);
        // and the cached graph runs
        assertThat(run(b)).containsExactly(run(GraphCache.none().graph(KEY, emit())));
    }

    @Test
    void aTruncatedGraphIsRebuiltAndReplaced() throws Exception {
        GraphCache.at(dir).graph(KEY, emit());
        Path onnx = onnxFile();
        byte[] good = Files.readAllBytes(onnx);
        Files.write(onnx, Arrays.copyOf(good, good.length / 2));
        GraphCache c = GraphCache.at(dir);
        assertThat(c.graph(KEY, emit()).model()).isEqualTo(good);
        assertThat(c.emissions()).isEqualTo(1);
        assertThat(Files.readAllBytes(onnx)).isEqualTo(good);
        GraphCache again = GraphCache.at(dir);
        again.graph(KEY, emit());
        assertThat(again.hits()).isEqualTo(1);
    }

    @Test
    void aCorruptGraphOfTheSameLengthIsRebuilt() throws Exception {
        GraphCache.at(dir).graph(KEY, emit());
        Path onnx = onnxFile();
        byte[] good = Files.readAllBytes(onnx);
        byte[] bad = good.clone();
        bad[bad.length / 2] ^= 0x5a;
        Files.write(onnx, bad);
        GraphCache c = GraphCache.at(dir);
        assertThat(c.graph(KEY, emit()).model()).isEqualTo(good);
        assertThat(c.emissions()).isEqualTo(1);
        assertThat(Files.readAllBytes(onnx)).isEqualTo(good);
    }

    @Test
    void aMissingOrGarbledSidecarIsRebuilt() throws Exception {
        GraphCache.at(dir).graph(KEY, emit());
        Path side = sidecarFile();
        Files.delete(side);
        GraphCache c = GraphCache.at(dir);
        c.graph(KEY, emit());
        assertThat(c.emissions()).isEqualTo(1);
        assertThat(side).exists();
        Files.write(side, new byte[] {(byte) 0xff, '\\', 'u', 'z', 'z', '\n', 0, 1, 2});
        GraphCache d = GraphCache.at(dir);
        assertThat(d.graph(KEY, emit()).model()).isEqualTo(emitted());
        assertThat(d.emissions()).isEqualTo(1);
        GraphCache e = GraphCache.at(dir);
        e.graph(KEY, emit());
        assertThat(e.hits()).isEqualTo(1);
    }

    @Test
    void anEntryOfAnotherLibraryVersionIsStaleAndReplacedInPlace() throws Exception {
        GraphCache old = GraphCache.at(dir, "0.0.1-old");
        old.graph(KEY, emit());
        assertThat(Files.readString(sidecarFile(), StandardCharsets.ISO_8859_1)).contains("0.0.1-old");
        GraphCache now = GraphCache.at(dir);
        assertThat(now.graph(KEY, emit()).model()).isEqualTo(emitted());
        assertThat(now.emissions()).as("stale entry rebuilt").isEqualTo(1);
        assertThat(now.hits()).isZero();
        onnxFile(); // still one file: replaced, not added
        assertThat(Files.readString(sidecarFile(), StandardCharsets.ISO_8859_1)).doesNotContain("0.0.1-old");
        GraphCache again = GraphCache.at(dir);
        again.graph(KEY, emit());
        assertThat(again.hits()).isEqualTo(1);
        // and the old version sees the new entry as stale in turn
        GraphCache back = GraphCache.at(dir, "0.0.1-old");
        back.graph(KEY, emit());
        assertThat(back.emissions()).isEqualTo(1);
    }

    @Test
    void anUnusableDirectoryFallsBackToEmittingInMemory() throws Exception {
        Path file = dir.resolve("not-a-directory");
        Files.writeString(file, "x");
        GraphCache c = GraphCache.at(file.resolve("graphs"));
        GraphCache.Graph g = c.graph(KEY, emit());
        assertThat(g.model()).isEqualTo(emitted());
        assertThat(g.weightsUsed()).containsExactly("w");
        c.graph(KEY, emit()); // warned once; still works
        assertThat(c.emissions()).isEqualTo(2);
        assertThat(c.hits()).isZero();
        assertThat(Files.readString(file)).isEqualTo("x");
    }

    @Test
    void aReadOnlyDirectoryFallsBackToEmittingInMemory() throws Exception {
        Path ro = Files.createDirectory(dir.resolve("ro"));
        boolean readOnly = ro.toFile().setWritable(false, false) && !Files.isWritable(ro);
        try {
            GraphCache c = GraphCache.at(ro);
            assertThat(c.graph(KEY, emit()).model()).isEqualTo(emitted());
            assertThat(c.emissions()).isEqualTo(1);
            if (readOnly) { // not when the tests run as root
                try (Stream<Path> s = Files.list(ro)) {
                    assertThat(s.toList()).isEmpty();
                }
            }
        } finally {
            ro.toFile().setWritable(true, false);
        }
    }

    @Test
    void concurrentCreatorsLeaveAValidEntry() throws Exception {
        int threads = 8;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            for (int round = 0; round < 5; round++) {
                String key = KEY + "\nround=" + round;
                CountDownLatch start = new CountDownLatch(1);
                List<Future<byte[]>> results = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    // a cache per thread, as separate processes would have
                    results.add(pool.submit(() -> {
                        start.await();
                        return GraphCache.at(dir).graph(key, emit()).model();
                    }));
                }
                start.countDown();
                byte[] want = emitted();
                for (Future<byte[]> f : results) {
                    assertThat(f.get()).isEqualTo(want);
                }
                GraphCache after = GraphCache.at(dir);
                after.graph(key, emit());
                assertThat(after.hits()).isEqualTo(1);
            }
            try (Stream<Path> s = Files.list(dir)) {
                assertThat(s.filter(p -> p.getFileName().toString().endsWith(".tmp")))
                        .isEmpty();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void theDefaultDirectoryFollowsTheSystemProperty() {
        String before = System.getProperty(GraphCache.DIRECTORY_PROPERTY);
        try {
            System.clearProperty(GraphCache.DIRECTORY_PROPERTY);
            assertThat(GraphCache.defaultDirectory())
                    .contains(Path.of(System.getProperty("user.home"), ".cache", "arbooth", "graphs"));
            System.setProperty(GraphCache.DIRECTORY_PROPERTY, dir.toString());
            assertThat(GraphCache.atDefault().directory()).contains(dir);
            System.setProperty(GraphCache.DIRECTORY_PROPERTY, "off");
            assertThat(GraphCache.atDefault().directory()).isEmpty();
            assertThat(GraphCache.none().directory()).isEmpty();
        } finally {
            if (before == null) {
                System.clearProperty(GraphCache.DIRECTORY_PROPERTY);
            } else {
                System.setProperty(GraphCache.DIRECTORY_PROPERTY, before);
            }
        }
    }

    @Test
    void aSnapshotIdentityIncludesADigestOfTheCode() {
        String version = LibraryVersion.get();
        String id = GraphCache.libraryIdentity();
        if (version.equals(LibraryVersion.UNPACKAGED) || version.endsWith("-SNAPSHOT")) {
            assertThat(id).matches(java.util.regex.Pattern.quote(version) + "\\+[0-9a-f]{16}");
        } else {
            assertThat(id).isEqualTo(version);
        }
        assertThat(GraphCache.at(dir).fullKey(KEY)).contains("\nlibrary=" + id + "\n");
    }

    @Test
    void theFullKeyNamesFormatAndLibraryVersions() {
        assertThat(GraphCache.at(dir, "9.9").fullKey(KEY))
                .isEqualTo("arbooth-graph-format=" + GraphCache.FORMAT_VERSION + "\nlibrary=9.9\n" + KEY);
    }

    @Test
    void aSessionFactoryResolvesItsDeviceOnce() {
        SessionFactory auto = SessionFactory.create(Device.auto().withCpuThreads(1), GraphCache.at(dir));
        // no usable CUDA on the build machines: auto falls back to the CPU and says why
        assertThat(auto.device().kind()).isEqualTo(Device.Kind.CPU);
        assertThat(auto.device().requested()).isEqualTo(Device.auto().withCpuThreads(1));
        assertThat(auto.device().cpuThreads()).isEqualTo(1);
        assertThat(auto.device().reason()).contains("CUDA");
        assertThat(OrtSessions.concrete(auto.device())).isEqualTo(Device.cpu(1));
        assertThat(OrtSessions.concrete(SessionFactory.cpu(2).device())).isEqualTo(Device.cpu(2));
        try (OrtSession s = auto.session("linear", KEY, emit(), weights)) {
            assertThat(s.getInputNames()).containsExactly("x");
        } catch (ai.onnxruntime.OrtException e) {
            throw new AssertionError(e);
        }
        assertThat(auto.graphCache().emissions()).isEqualTo(1);
        assertThatThrownBy(() -> SessionFactory.create(Device.cuda(0), GraphCache.none()))
                .isInstanceOf(ArboothException.class)
                .hasMessageContaining("Device.cuda(0) cannot be used");
    }

    private static float[] run(GraphCache.Graph g) throws Exception {
        float[] x = {1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 1};
        try (OrtSession s = OrtSessions.create("linear", g.model(), Map.copyOf(weights.select(g.weightsUsed())), 1);
                OnnxTensor t = OrtTensors.floats(x, 4, 3);
                OrtSession.Result r = s.run(Map.of("x", t))) {
            return OrtTensors.read(r.get("y").orElseThrow());
        }
    }
}
