package dev.arbooth.toybase;

import dev.arbooth.ArboothException;
import dev.arbooth.base.BaseModel;
import dev.arbooth.base.BundledBaseProvider;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The SDK's bundled base model, trained by the project on the toy world (architecture, training command and quality
 * figures: {@code docs/toy-model.md}; the same facts travel in {@link #manifest()}).
 *
 * <p>The weights are resources of this jar. {@link #load()} copies them once into a cache directory, verifying each
 * file's SHA-256 against the jar's {@value #CHECKSUMS} list, and loads that directory with {@link BaseModel#load}: the
 * bundled base goes through exactly the code path of any base-model directory (same descriptor, same checkpoints,
 * same fingerprint). The cache directory is named by the checksum list's own hash, so a new version of the weights
 * never reuses an old copy; it is written atomically (a temporary directory moved into place), so a crash midway
 * leaves no half-copied base behind.
 *
 * <p>Cache location: the system property {@value #CACHE_PROPERTY}, else the environment variable {@value
 * #CACHE_ENV}, else {@code $XDG_CACHE_HOME/arbooth}, else {@code ~/.cache/arbooth}.
 *
 * <pre>{@code
 * BaseModel base = ToyBase.load();         // or BaseModel.bundled()
 * }</pre>
 *
 * <p>Also the {@link BundledBaseProvider} of this module (public constructor for {@link java.util.ServiceLoader}).
 */
public final class ToyBase implements BundledBaseProvider {
    /** The base's name, as in its descriptor. */
    public static final String NAME = "arbooth-toybase";

    /** The system property naming the cache root. */
    public static final String CACHE_PROPERTY = "arbooth.cache.dir";

    /** The environment variable naming the cache root (when the property is not set). */
    public static final String CACHE_ENV = "ARBOOTH_CACHE_DIR";

    /** The checksum list among the resources ({@code sha256sum} format: hex digest, two spaces, file name). */
    public static final String CHECKSUMS = "SHA256SUMS";

    /** The manifest among the resources: configurations, training command, steps, seed, data, gate figures. */
    public static final String MANIFEST = "toybase-manifest.json";

    private static final String RESOURCES = "base/";

    /** For {@link java.util.ServiceLoader}; use the static {@link #load()} directly. */
    public ToyBase() {}

    @Override
    public String name() {
        return NAME;
    }

    /**
     * Loads the bundled base from the default cache (see the class description), extracting it first if needed.
     *
     * @return the base model
     * @throws ArboothException if the resources are missing or corrupt, or the cache cannot be written
     */
    @Override
    public BaseModel load() {
        return load(defaultCacheRoot());
    }

    /**
     * Loads the bundled base, extracting it under the given cache root if it is not there yet.
     *
     * @param cacheRoot the directory holding cached bases (created if missing)
     * @return the base model
     * @throws ArboothException if the resources are missing or corrupt, or the cache cannot be written
     */
    public static BaseModel load(Path cacheRoot) {
        return BaseModel.load(directory(cacheRoot));
    }

    /**
     * The default cache root (see the class description).
     *
     * @return the directory (not created)
     */
    public static Path defaultCacheRoot() {
        String p = System.getProperty(CACHE_PROPERTY);
        if (p != null && !p.isBlank()) {
            return Path.of(p);
        }
        String e = System.getenv(CACHE_ENV);
        if (e != null && !e.isBlank()) {
            return Path.of(e);
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isBlank()) {
            return Path.of(xdg, "arbooth");
        }
        return Path.of(System.getProperty("user.home"), ".cache", "arbooth");
    }

    /**
     * The manifest of the bundled weights (JSON text): configurations, the exact training command, steps, seed,
     * data description and the quality-gate figures.
     *
     * @return the manifest
     * @throws ArboothException if the resource is missing
     */
    public static String manifest() {
        return new String(resource(MANIFEST), StandardCharsets.UTF_8);
    }

    /**
     * The base's directory under the cache root, extracted and verified if it is not there yet.
     *
     * @param cacheRoot the cache root
     * @return the directory holding the base's descriptor and checkpoints
     */
    static Path directory(Path cacheRoot) {
        byte[] sums = resource(CHECKSUMS);
        Map<String, String> expected = parseChecksums(sums);
        String id = HexFormat.of().formatHex(sha256(sums)).substring(0, 16);
        Path target = cacheRoot.resolve(NAME + "-" + id);
        if (Files.isDirectory(target) && verified(target, expected)) {
            return target;
        }
        try {
            Files.createDirectories(cacheRoot);
            Path tmp = Files.createTempDirectory(cacheRoot, "." + NAME + "-" + id + ".tmp-");
            try {
                for (Map.Entry<String, String> f : expected.entrySet()) {
                    extract(f.getKey(), f.getValue(), tmp.resolve(f.getKey()));
                }
                if (Files.isDirectory(target)) {
                    // present but not verified (an older, damaged copy): replace it
                    deleteTree(target);
                }
                try {
                    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
                } catch (FileAlreadyExistsException | java.nio.file.DirectoryNotEmptyException raced) {
                    // another process extracted it meanwhile
                    if (!verified(target, expected)) {
                        throw new ArboothException(
                                "The cached toy base at " + target + " is corrupt and in use by another process");
                    }
                } catch (AtomicMoveNotSupportedException e) {
                    throw new ArboothException("Cannot move the extracted toy base into place atomically at " + target
                            + " (the cache root must be one file system): " + e.getMessage());
                }
            } finally {
                if (Files.exists(tmp)) {
                    deleteTree(tmp);
                }
            }
        } catch (IOException e) {
            throw new ArboothException(
                    "Cannot extract the bundled toy base into " + cacheRoot + " (set -D" + CACHE_PROPERTY + " or "
                            + CACHE_ENV + " to a writable directory): " + e.getMessage(),
                    e);
        }
        return target;
    }

    private static void extract(String name, String sha, Path file) throws IOException {
        MessageDigest md = newSha256();
        try (InputStream in = open(name);
                OutputStream out = Files.newOutputStream(file)) {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
                out.write(buf, 0, n);
            }
        }
        String got = HexFormat.of().formatHex(md.digest());
        if (!got.equals(sha)) {
            throw new ArboothException("The bundled toy base's resource " + RESOURCES + name
                    + " is corrupt: SHA-256 " + got + ", expected " + sha + " (from " + CHECKSUMS
                    + "); the arbooth-toybase jar is damaged");
        }
    }

    private static boolean verified(Path dir, Map<String, String> expected) {
        try {
            for (Map.Entry<String, String> f : expected.entrySet()) {
                Path file = dir.resolve(f.getKey());
                if (!Files.isRegularFile(file)) {
                    return false;
                }
                MessageDigest md = newSha256();
                try (InputStream in = Files.newInputStream(file)) {
                    byte[] buf = new byte[1 << 16];
                    for (int n; (n = in.read(buf)) > 0; ) {
                        md.update(buf, 0, n);
                    }
                }
                if (!HexFormat.of().formatHex(md.digest()).equals(f.getValue())) {
                    return false;
                }
            }
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** File name to lowercase hex SHA-256, in the list's order. */
    static Map<String, String> parseChecksums(byte[] text) {
        Map<String, String> out = new LinkedHashMap<>();
        String[] lines = new String(text, StandardCharsets.UTF_8).split("\n");
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty()) {
                continue;
            }
            String[] parts = line.split("\\s+\\*?", 2);
            if (parts.length != 2
                    || !parts[0].matches("[0-9a-f]{64}")
                    || !parts[1].matches("[A-Za-z0-9._-]+")
                    || out.put(parts[1], parts[0]) != null) {
                throw new ArboothException("The bundled toy base's " + CHECKSUMS + " line " + (i + 1)
                        + " is not '<64 hex digits>  <file name>' or repeats a file: '" + line + "'");
            }
        }
        if (!out.containsKey(BaseModel.DESCRIPTOR)) {
            throw new ArboothException(
                    "The bundled toy base's " + CHECKSUMS + " does not list " + BaseModel.DESCRIPTOR);
        }
        return out;
    }

    private static InputStream open(String name) {
        InputStream in = ToyBase.class.getResourceAsStream(RESOURCES + name);
        if (in == null) {
            throw new ArboothException(
                    "The bundled toy base's resource " + RESOURCES + name + " is missing from the arbooth-toybase jar");
        }
        return in;
    }

    private static byte[] resource(String name) {
        try (InputStream in = open(name)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] sha256(byte[] bytes) {
        return newSha256().digest(bytes);
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JDK", e);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        List<Path> all = new ArrayList<>();
        try (Stream<Path> s = Files.walk(dir)) {
            s.forEach(all::add);
        }
        all.sort(Comparator.reverseOrder());
        for (Path p : all) {
            Files.deleteIfExists(p);
        }
    }
}
