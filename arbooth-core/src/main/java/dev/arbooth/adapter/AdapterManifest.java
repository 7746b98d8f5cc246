package dev.arbooth.adapter;

import com.google.gson.JsonObject;
import dev.arbooth.FormatException;
import dev.arbooth.config.InfinityConfig;
import dev.arbooth.internal.io.LibraryVersion;
import dev.arbooth.internal.json.ConfigJson;
import dev.arbooth.internal.json.StrictJson;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * What an {@link Adapter} says about itself: the format version, the base it was trained on, the
 * identifier and class word, and free-form provenance.
 *
 * <p>Stored as JSON (keys {@code format_version, base_fingerprint, base_config, identifier, class_word,
 * library_version, provenance}; {@code base_config} is the object of {@link InfinityConfig#toJson()},
 * {@code provenance} an object of strings).
 *
 * <pre>{@code
 * AdapterManifest m = AdapterManifest.create(fingerprint, InfinityConfig.infinity2b(), "sks", "dog",
 *         Map.of("seed", "42", "steps", "500"));
 * m.formatVersion();   // AdapterManifest.CURRENT_FORMAT_VERSION
 * }</pre>
 *
 * @param formatVersion version of the adapter format, 1 to {@link #CURRENT_FORMAT_VERSION}
 * @param baseFingerprint the {@link BaseFingerprint} (as text) of the base checkpoint the adapter was
 *     trained on
 * @param baseConfig the configuration of that base; the adapter's tensor shapes follow from it
 * @param identifier the rare token that names the subject in prompts (e.g. {@code "sks"}): non-blank, no
 *     whitespace
 * @param classWord the subject's class (e.g. {@code "dog"}): non-blank
 * @param libraryVersion the version of the library that created the adapter: non-blank
 * @param provenance free-form strings (training options, seed, data fingerprint, ...), copied into an
 *     unmodifiable map sorted by key
 */
public record AdapterManifest(
        int formatVersion,
        String baseFingerprint,
        InfinityConfig baseConfig,
        String identifier,
        String classWord,
        String libraryVersion,
        Map<String, String> provenance) {

    /**
     * The newest format version this library writes: 2, whose files may hold any block parameter (version 1: the
     * cross-attention and FFN tensors only; see {@link Adapter}).
     */
    public static final int CURRENT_FORMAT_VERSION = 2;

    /** The format versions this library reads. */
    public static final List<Integer> SUPPORTED_FORMAT_VERSIONS = List.of(1, 2);

    /**
     * Provenance key of the base-model directory (absolute) an adapter was trained on; a hint for finding the base
     * again, never trusted over the base fingerprint.
     */
    public static final String BASE_DIRECTORY_PROVENANCE = "base.directory";

    private static final Set<String> JSON_FIELDS = Set.of(
            "format_version",
            "base_fingerprint",
            "base_config",
            "identifier",
            "class_word",
            "library_version",
            "provenance");

    /**
     * Validates the manifest and copies the provenance.
     *
     * @param formatVersion one of {@link #SUPPORTED_FORMAT_VERSIONS}
     * @param baseFingerprint a fingerprint in the form {@link BaseFingerprint#parse(String)} accepts
     * @param baseConfig not null
     * @param identifier non-blank, without whitespace
     * @param classWord non-blank
     * @param libraryVersion non-blank
     * @param provenance not null; keys non-blank, values not null
     * @throws IllegalArgumentException naming the first violated rule
     */
    public AdapterManifest {
        if (!SUPPORTED_FORMAT_VERSIONS.contains(formatVersion)) {
            throw new IllegalArgumentException("Adapter format version " + formatVersion
                    + " is not supported; this library reads versions " + SUPPORTED_FORMAT_VERSIONS);
        }
        Objects.requireNonNull(baseFingerprint, "baseFingerprint");
        BaseFingerprint.parse(baseFingerprint);
        Objects.requireNonNull(baseConfig, "baseConfig");
        Objects.requireNonNull(identifier, "identifier");
        if (identifier.isBlank() || identifier.codePoints().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException(
                    "identifier must be one non-blank word without whitespace (e.g. \"sks\"), got \"" + identifier
                            + "\"");
        }
        Objects.requireNonNull(classWord, "classWord");
        if (classWord.isBlank()) {
            throw new IllegalArgumentException("classWord must not be blank (e.g. \"dog\")");
        }
        Objects.requireNonNull(libraryVersion, "libraryVersion");
        if (libraryVersion.isBlank()) {
            throw new IllegalArgumentException("libraryVersion must not be blank");
        }
        Objects.requireNonNull(provenance, "provenance");
        TreeMap<String, String> copy = new TreeMap<>();
        for (Map.Entry<String, String> e : provenance.entrySet()) {
            if (e.getKey() == null || e.getKey().isBlank()) {
                throw new IllegalArgumentException("provenance keys must not be blank, got " + provenance.keySet());
            }
            if (e.getValue() == null) {
                throw new IllegalArgumentException("provenance value of '" + e.getKey() + "' is null");
            }
            copy.put(e.getKey(), e.getValue());
        }
        provenance = Collections.unmodifiableMap(copy);
    }

    /**
     * A manifest in the current format, stamped with this library's version.
     *
     * @param baseFingerprint the base the adapter was trained on
     * @param baseConfig that base's configuration
     * @param identifier the identifier token
     * @param classWord the class word
     * @param provenance free-form provenance
     * @return the manifest
     */
    public static AdapterManifest create(
            BaseFingerprint baseFingerprint,
            InfinityConfig baseConfig,
            String identifier,
            String classWord,
            Map<String, String> provenance) {
        return new AdapterManifest(
                CURRENT_FORMAT_VERSION,
                baseFingerprint.value(),
                baseConfig,
                identifier,
                classWord,
                LibraryVersion.get(),
                provenance);
    }

    /**
     * The base fingerprint as a value.
     *
     * @return the parsed {@link #baseFingerprint()}
     */
    public BaseFingerprint fingerprint() {
        return BaseFingerprint.parse(baseFingerprint);
    }

    /**
     * The same manifest in another format version (the builder writes the oldest that holds the tensors).
     *
     * @param version a supported version
     * @return a new manifest
     */
    AdapterManifest withFormatVersion(int version) {
        return new AdapterManifest(
                version, baseFingerprint, baseConfig, identifier, classWord, libraryVersion, provenance);
    }

    /**
     * The same manifest with one more provenance entry (replacing an entry of the same key).
     *
     * @param key the key
     * @param value the value
     * @return a new manifest
     */
    public AdapterManifest withProvenance(String key, String value) {
        TreeMap<String, String> p = new TreeMap<>(provenance);
        p.put(key, value);
        return new AdapterManifest(
                formatVersion, baseFingerprint, baseConfig, identifier, classWord, libraryVersion, p);
    }

    // ----------------------------------------------------------------------------------------- JSON

    /**
     * This manifest as compact JSON.
     *
     * @return the JSON text
     */
    public String toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("format_version", formatVersion);
        o.addProperty("base_fingerprint", baseFingerprint);
        o.add("base_config", ConfigJson.INFINITY.write(baseConfig));
        o.addProperty("identifier", identifier);
        o.addProperty("class_word", classWord);
        o.addProperty("library_version", libraryVersion);
        JsonObject p = new JsonObject();
        provenance.forEach(p::addProperty);
        o.add("provenance", p);
        return o.toString();
    }

    /**
     * Reads a manifest written by {@link #toJson()}. The format version is checked first, so that a file
     * of a newer format gets a message about the version rather than about its fields.
     *
     * @param file the file the JSON came from, for messages (may be {@code null})
     * @param json the JSON text
     * @return the manifest
     * @throws FormatException if the JSON is malformed, of an unsupported format version, lacks a field,
     *     has an unknown one, or a value breaks a rule of the record
     */
    public static AdapterManifest fromJson(Path file, String json) {
        StrictJson o = StrictJson.parseDocument(file, "adapter manifest", json);
        if (!o.has("format_version")) {
            throw o.error("lacks 'format_version'");
        }
        int version = o.integer("format_version");
        if (!SUPPORTED_FORMAT_VERSIONS.contains(version)) {
            throw new FormatException(
                    file,
                    "adapter format version " + version + " is not supported: this library (" + LibraryVersion.get()
                            + ") reads versions " + SUPPORTED_FORMAT_VERSIONS
                            + (version > CURRENT_FORMAT_VERSION
                                    ? "; the adapter was written by a newer library, upgrade to read it"
                                    : ""));
        }
        o.requireExactly(JSON_FIELDS);
        InfinityConfig baseConfig = ConfigJson.INFINITY.read(o.object("base_config"));
        Map<String, String> provenance = o.strings("provenance");
        String fingerprint = o.string("base_fingerprint");
        String identifier = o.string("identifier");
        String classWord = o.string("class_word");
        String libraryVersion = o.string("library_version");
        return o.build(
                "AdapterManifest",
                () -> new AdapterManifest(
                        version, fingerprint, baseConfig, identifier, classWord, libraryVersion, provenance));
    }
}
