package dev.arbooth.runtime.internal;

import dev.arbooth.ArboothException;
import dev.arbooth.internal.io.AtomicFiles;
import dev.arbooth.internal.io.LibraryVersion;
import dev.arbooth.runtime.internal.onnx.OnnxOps;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An on-disk cache of emitted graphs (weightless {@code .onnx} bytes), an optimisation only: any I/O failure
 * falls back to emitting in memory, with one WARN per cache.
 *
 * <p><b>Keys.</b> A caller's graph key names the graph kind and every parameter that shapes the graph
 * (configuration, weight shapes, schedule, scale, rows, prompt lengths...). The full key adds {@link
 * #FORMAT_VERSION} and the library version ({@link #libraryIdentity()}: {@link LibraryVersion}, plus a digest
 * of the code for snapshot builds). Files are named by the SHA-256 of the
 * graph key alone, {@code <sha>.onnx} plus a sidecar {@code <sha>.properties} holding the full key, the
 * length and SHA-256 of the {@code .onnx} bytes and the external weights the graph references; so a file of
 * another library or format version is <em>stale</em> and is rebuilt in place rather than left behind. A
 * file whose sidecar is missing or unreadable, or whose bytes do not match the recorded length and digest
 * (truncated, corrupt, or caught between two writers), is rebuilt too (INFO).
 *
 * <p><b>Concurrency.</b> Each file is written atomically ({@link AtomicFiles}: temporary file, forced, then
 * renamed), the {@code .onnx} before its sidecar, and readers validate the bytes against the sidecar, so
 * concurrent creators, threads or processes, never see or leave a partial graph. Emission is deterministic:
 * two writers of one key write the same bytes.
 *
 * <p><b>Directory.</b> {@link #atDefault()}: the system property {@value #DIRECTORY_PROPERTY} when set
 * ({@code off} or {@code none} disables the cache), else {@code ${user.home}/.cache/arbooth/graphs}.
 * Thread-safe.
 */
public final class GraphCache {
    /** The version of the emitted graphs and of this cache's layout; part of every full key. */
    public static final int FORMAT_VERSION = 1;

    /** The system property naming the cache directory ({@code off} or {@code none}: no cache). */
    public static final String DIRECTORY_PROPERTY = "arbooth.graph.cache";

    private static final Logger LOG = LoggerFactory.getLogger(GraphCache.class);
    private static final String ONNX = ".onnx";
    private static final String SIDECAR = ".properties";
    private static final GraphCache NONE = new GraphCache(null, LibraryVersion.UNPACKAGED);

    private final Path directory;
    private final String libraryVersion;
    private final AtomicInteger emissions = new AtomicInteger();
    private final AtomicInteger hits = new AtomicInteger();
    private final AtomicBoolean warned = new AtomicBoolean();

    private GraphCache(Path directory, String libraryVersion) {
        this.directory = directory;
        this.libraryVersion = Objects.requireNonNull(libraryVersion, "libraryVersion");
    }

    /**
     * A cache in a directory (created on first write).
     *
     * @param directory the directory
     * @return the cache
     */
    public static GraphCache at(Path directory) {
        return new GraphCache(Objects.requireNonNull(directory, "directory"), BuildIdentity.VALUE);
    }

    /** A cache that claims another library version (tests of stale entries). */
    static GraphCache at(Path directory, String libraryVersion) {
        return new GraphCache(Objects.requireNonNull(directory, "directory"), libraryVersion);
    }

    /**
     * No cache: every graph is emitted in memory.
     *
     * @return the shared instance
     */
    public static GraphCache none() {
        return NONE;
    }

    /**
     * The cache in {@link #defaultDirectory()}, or {@link #none()} when that is disabled.
     *
     * @return the cache
     */
    public static GraphCache atDefault() {
        return defaultDirectory().map(GraphCache::at).orElse(NONE);
    }

    /**
     * The default directory: the system property {@value #DIRECTORY_PROPERTY} when set and not blank, else
     * {@code ${user.home}/.cache/arbooth/graphs}.
     *
     * @return the directory, or empty when the property is {@code off} or {@code none}
     */
    public static Optional<Path> defaultDirectory() {
        String p = System.getProperty(DIRECTORY_PROPERTY);
        if (p != null && !p.isBlank()) {
            String v = p.trim();
            String lower = v.toLowerCase(Locale.ROOT);
            if (lower.equals("off") || lower.equals("none")) {
                return Optional.empty();
            }
            return Optional.of(Paths.get(v));
        }
        return Optional.of(Paths.get(System.getProperty("user.home"), ".cache", "arbooth", "graphs"));
    }

    /**
     * The directory.
     *
     * @return the directory, or empty for {@link #none()}
     */
    public Optional<Path> directory() {
        return Optional.ofNullable(directory);
    }

    /**
     * The graph of a key: read from the cache when a valid entry exists, else emitted (and stored when this
     * cache has a directory).
     *
     * @param graphKey the graph kind and every parameter that shapes the graph
     * @param emit emits the graph
     * @return the serialized model and the weights it references
     */
    public Graph graph(String graphKey, Supplier<OnnxOps> emit) {
        Objects.requireNonNull(graphKey, "graphKey");
        if (directory == null) {
            return emit(emit);
        }
        String name = sha256Hex(graphKey.getBytes(StandardCharsets.UTF_8));
        Path onnx = directory.resolve(name + ONNX);
        Path sidecar = directory.resolve(name + SIDECAR);
        String fullKey = fullKey(graphKey);
        try {
            Graph cached = read(onnx, sidecar, fullKey);
            if (cached != null) {
                hits.incrementAndGet();
                LOG.debug("graph cache hit: {}", onnx);
                return cached;
            }
        } catch (IOException e) {
            warn("cannot read " + onnx, e);
            return emit(emit);
        }
        Graph g = emit(emit);
        try {
            AtomicFiles.write(onnx, g.model);
            AtomicFiles.write(sidecar, sidecar(fullKey, g).getBytes(StandardCharsets.ISO_8859_1));
            LOG.debug("graph cache: stored {}", onnx);
        } catch (ArboothException e) {
            warn("cannot write " + onnx, e);
        }
        return g;
    }

    /** The entry, or null when it is missing, stale or corrupt (logged); IOExceptions other than missing. */
    private Graph read(Path onnx, Path sidecar, String fullKey) throws IOException {
        byte[] side;
        byte[] model;
        try {
            side = Files.readAllBytes(sidecar);
            model = Files.readAllBytes(onnx);
        } catch (NoSuchFileException e) {
            LOG.debug("graph cache miss: {}", onnx);
            return null;
        }
        Properties p = new Properties();
        try {
            p.load(new StringReader(new String(side, StandardCharsets.ISO_8859_1)));
        } catch (IllegalArgumentException e) {
            LOG.info("graph cache: unreadable sidecar {}, rebuilding: {}", sidecar, e.getMessage());
            return null;
        }
        String key = p.getProperty("key");
        String length = p.getProperty("length");
        String digest = p.getProperty("sha256");
        String weights = p.getProperty("weights");
        if (key == null || length == null || digest == null || weights == null) {
            LOG.info("graph cache: incomplete sidecar {}, rebuilding", sidecar);
            return null;
        }
        if (!key.equals(fullKey)) {
            LOG.info(
                    "graph cache: stale entry {} (written for {}; now {}), rebuilding",
                    onnx,
                    firstLines(key),
                    firstLines(fullKey));
            return null;
        }
        if (!length.equals(Integer.toString(model.length)) || !digest.equals(sha256Hex(model))) {
            LOG.info(
                    "graph cache: corrupt entry {} ({} bytes, expected {}; or digest mismatch), rebuilding",
                    onnx,
                    model.length,
                    length);
            return null;
        }
        Set<String> used = new LinkedHashSet<>();
        if (!weights.isEmpty()) {
            used.addAll(Arrays.asList(weights.split("\n", -1)));
        }
        return new Graph(model, used);
    }

    private static String firstLines(String fullKey) {
        String[] lines = fullKey.split("\n", 3);
        return lines.length >= 2 ? lines[0] + ", " + lines[1] : fullKey;
    }

    private static String sidecar(String fullKey, Graph g) {
        Properties p = new Properties();
        p.setProperty("key", fullKey);
        p.setProperty("length", Integer.toString(g.model.length));
        p.setProperty("sha256", sha256Hex(g.model));
        p.setProperty("weights", String.join("\n", g.weightsUsed));
        StringWriter w = new StringWriter();
        try {
            p.store(w, "ARBooth graph cache entry");
        } catch (IOException e) {
            throw new IllegalStateException(e); // a StringWriter does not fail
        }
        return w.toString();
    }

    private Graph emit(Supplier<OnnxOps> emit) {
        OnnxOps ops = emit.get();
        emissions.incrementAndGet();
        return new Graph(ops.toModelBytes(), ops.weightsUsed());
    }

    private void warn(String what, Exception e) {
        if (warned.compareAndSet(false, true)) {
            LOG.warn("graph cache in {}: {} ({}); emitting graphs in memory", directory, what, e.toString());
        } else {
            LOG.debug("graph cache in {}: {} ({})", directory, what, e.toString());
        }
    }

    /**
     * The full key of a graph key: format version, library version, then the graph key.
     *
     * @param graphKey the graph key
     * @return the string stored in the sidecar
     */
    public String fullKey(String graphKey) {
        return "arbooth-graph-format=" + FORMAT_VERSION + "\nlibrary=" + libraryVersion + "\n" + graphKey;
    }

    /** The number of graphs this cache has emitted (misses, stale or corrupt entries, or no directory). */
    int emissions() {
        return emissions.get();
    }

    /** The number of graphs read from disk. */
    int hits() {
        return hits.get();
    }

    /**
     * The library version this cache keys its entries with: {@link LibraryVersion#get()}, and for a
     * {@code -SNAPSHOT} or unpackaged build also a digest of the core and runtime code (their jars, or their
     * class files), since a snapshot's version stays the same while its graph emission changes.
     *
     * @return e.g. {@code "1.0.0"} or {@code "0.1.0-SNAPSHOT+3f2a...(16 hex digits)"}
     */
    public static String libraryIdentity() {
        return BuildIdentity.VALUE;
    }

    /** Computed once, on first use of a cache with a directory. */
    private static final class BuildIdentity {
        static final String VALUE = compute();

        private static String compute() {
            String version = LibraryVersion.get();
            if (!version.equals(LibraryVersion.UNPACKAGED) && !version.endsWith("-SNAPSHOT")) {
                return version;
            }
            try {
                MessageDigest md = MessageDigest.getInstance("SHA-256");
                for (Class<?> c : new Class<?>[] {LibraryVersion.class, GraphCache.class}) {
                    digestCode(
                            md,
                            Paths.get(c.getProtectionDomain()
                                    .getCodeSource()
                                    .getLocation()
                                    .toURI()));
                }
                String id =
                        version + "+" + HexFormat.of().formatHex(md.digest()).substring(0, 16);
                LOG.debug("graph cache: library identity {}", id);
                return id;
            } catch (Exception e) {
                // no stable identity: entries of this process are never reused by another one
                String id = version + "+process-" + Long.toHexString(System.nanoTime());
                LOG.debug("graph cache: cannot digest the library code ({}); identity {}", e.toString(), id);
                return id;
            }
        }

        /** A jar's bytes, or a class directory's sorted class files (relative name and content). */
        private static void digestCode(MessageDigest md, Path location) throws IOException {
            if (Files.isRegularFile(location)) {
                md.update(Files.readAllBytes(location));
                return;
            }
            List<Path> classes;
            try (Stream<Path> s = Files.walk(location)) {
                classes =
                        s.filter(p -> p.toString().endsWith(".class")).sorted().toList();
            }
            for (Path p : classes) {
                md.update(location.relativize(p).toString().getBytes(StandardCharsets.UTF_8));
                md.update(Files.readAllBytes(p));
            }
        }
    }

    /**
     * The lowercase hex SHA-256 of bytes.
     *
     * @param bytes the bytes
     * @return 64 hex digits
     */
    public static String sha256Hex(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
        }
    }

    @Override
    public String toString() {
        return directory == null ? "GraphCache[none]" : "GraphCache[" + directory + "]";
    }

    /** An emitted or cached graph: the serialized {@code ModelProto} and the external weights it references. */
    public static final class Graph {
        private final byte[] model;
        private final Set<String> weightsUsed;

        Graph(byte[] model, Set<String> weightsUsed) {
            this.model = model;
            this.weightsUsed = Collections.unmodifiableSet(new LinkedHashSet<>(weightsUsed));
        }

        /**
         * The serialized model (not copied: do not modify).
         *
         * @return the bytes
         */
        public byte[] model() {
            return model;
        }

        /**
         * The names of the external initializers the graph references.
         *
         * @return the names
         */
        public Set<String> weightsUsed() {
            return weightsUsed;
        }
    }
}
