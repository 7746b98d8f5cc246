package dev.arbooth.adapter;

import dev.arbooth.ArboothException;
import dev.arbooth.FormatException;
import dev.arbooth.ShapeMismatchException;
import dev.arbooth.config.InfinityConfig;
import dev.arbooth.internal.format.SafeTensors;
import dev.arbooth.internal.weights.InfinityPart;
import dev.arbooth.internal.weights.InfinityTensor;
import dev.arbooth.internal.weights.InfinityWeights;
import dev.arbooth.tensor.Tensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * A personalization of a base Infinity model: immutable, thread-safe, and saved as one file.
 *
 * <p>It holds:
 * <ul>
 *   <li>replacement tensors under their official names: exactly what was trained (LoRA fused), each shaped as
 *       in the base; they replace the base's tensors of the same names, the rest of the base is used as is.
 *       ARBooth's default tuning gives the cross-attention and FFN weights and biases of every block ({@code
 *       ca.mat_q.weight/bias}, {@code ca.mat_kv.weight}, {@code ca.v_bias}, {@code ca.proj.weight/bias}, {@code
 *       ffn.fc1.weight/bias}, {@code ffn.fc2.weight/bias}); wider tunings add the blocks' self-attention ({@code
 *       sa.mat_qkv.weight}, {@code sa.q_bias}, {@code sa.v_bias}, {@code sa.proj.weight/bias}, {@code
 *       sa.scale_mul_1H11}), their AdaLN tables ({@code ada_gss}, or {@code ada_lin.1.weight/bias} without shared
 *       AdaLN) and the LayerNorm before the cross-attention ({@code ca_norm.weight/bias}). Every <em>parameter</em>
 *       of a block may be replaced; not the always-zero {@code zero_k_bias} buffers,
 *       and no model-level tensor (text path, inputs, shared AdaLN, head), which no tuning trains;
 *   <li>the identifier embedding {@code identifierEmbedding_PC} of shape (P, Ct5): the P learned rows that
 *       replace the identifier token's row of the text encoder's output (ARBooth's {@code special_token});
 *   <li>the {@link AdapterManifest}: format version, the base's {@link BaseFingerprint} and configuration,
 *       identifier, class word, library version and provenance.
 * </ul>
 *
 * <p><b>File format</b> (versions 1 and 2): a single safetensors file, written atomically: the replacement tensors
 * under their official names, the identifier embedding as {@value #IDENTIFIER_EMBEDDING_NAME}, and the
 * manifest's JSON in the header's {@code __metadata__} under {@value #MANIFEST_KEY}. One file rather than a
 * directory because it is replaced atomically by one rename (a directory cannot be), it can be memory-mapped
 * on load, and any safetensors reader can inspect it. {@link #load(Path)} maps the file: the tensors are
 * views of it, so the file should not be modified in place while the adapter is in use ({@link #save} never
 * does: it writes a new file and renames it over the old one).
 *
 * <p><b>Versions.</b> The layout is the same in both; they differ in which tensors a file may hold. Version 1
 * holds only the cross-attention and FFN tensors of the blocks (ARBooth's selective tuning); version 2 any block
 * parameter. The {@link Builder} writes the oldest version that holds the adapter's tensors, so a CA/FFN adapter
 * stays readable by libraries that read only version 1, and a wider one is refused by them with a version
 * message rather than a tensor error. Both versions are read.
 *
 * <pre>{@code
 * Adapter a = Adapter.builder(InfinityConfig.infinity2b(), fingerprint)
 *         .identifier("sks").classWord("dog")
 *         .identifierEmbedding(rows_PC)
 *         .tensors(trainedCaFfn)
 *         .provenance("seed", "42")
 *         .build();
 * a.save(Path.of("dog.arbooth.safetensors"));
 * Adapter b = Adapter.load(Path.of("dog.arbooth.safetensors"));   // equals(a)
 * }</pre>
 */
public final class Adapter {
    /** The tensor name of the identifier embedding in an adapter file (ARBooth's parameter name). */
    public static final String IDENTIFIER_EMBEDDING_NAME = "special_token";

    /** The {@code __metadata__} key holding the manifest JSON in an adapter file. */
    public static final String MANIFEST_KEY = "arbooth.adapter.manifest";

    private final AdapterManifest manifest;
    private final Map<String, Tensor> tensors;
    private final Tensor identifierEmbedding;

    private Adapter(AdapterManifest manifest, Map<String, Tensor> tensors, Tensor identifierEmbedding) {
        this.manifest = manifest;
        this.tensors = tensors;
        this.identifierEmbedding = identifierEmbedding;
    }

    /**
     * Creates an adapter, validating the tensors against the manifest's base configuration.
     *
     * @param manifest the manifest
     * @param tensors replacement tensors by official name: each must be a block parameter the manifest's format
     *     version may hold (see the class comment), floating-point, and shaped as in the base (may be
     *     empty)
     * @param identifierEmbedding_PC the identifier rows (P, Ct5): floating-point, P at least 1, Ct5 the base's
     *     {@link InfinityConfig#textChannels()}
     * @return the adapter
     * @throws IllegalArgumentException if a tensor name is not replaceable (every such name with the reason: no
     *     tensor of the base, a buffer, a model-level tensor, or beyond the manifest's format version) or a tensor
     *     is not floating-point
     * @throws ShapeMismatchException if a shape differs from the base configuration's
     */
    public static Adapter of(AdapterManifest manifest, Map<String, Tensor> tensors, Tensor identifierEmbedding_PC) {
        Objects.requireNonNull(manifest, "manifest");
        Objects.requireNonNull(tensors, "tensors");
        Objects.requireNonNull(identifierEmbedding_PC, "identifierEmbedding_PC");
        InfinityConfig config = manifest.baseConfig();
        // Each tensor is checked by its own name, in O(1): a manifest whose configuration claims a million
        // blocks costs nothing until something asks for all of them (InfinityWeights.adapterTensors).
        Map<String, long[]> allowed = new LinkedHashMap<>();
        List<String> refused = new ArrayList<>();
        for (String name : new TreeMap<>(tensors).keySet()) {
            String why = notReplaceable(config, manifest.formatVersion(), name);
            if (why == null) {
                allowed.put(name, InfinityWeights.find(config, name).shape(config));
            } else {
                refused.add("'" + name + "' " + why);
            }
        }
        if (!refused.isEmpty()) {
            throw new IllegalArgumentException("Adapter tensor(s) not replaceable on the base " + describe(config)
                    + ": " + String.join("; ", refused));
        }
        TreeMap<String, Tensor> sorted = new TreeMap<>();
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            Tensor t = Objects.requireNonNull(e.getValue(), e.getKey());
            requireFloating("adapter tensor '" + e.getKey() + "'", t);
            long[] expected = allowed.get(e.getKey());
            if (!Arrays.equals(expected, t.shape())) {
                throw ShapeMismatchException.of(
                        "adapter tensor '" + e.getKey() + "' (base " + describe(config) + ")", expected, t.shape());
            }
            sorted.put(e.getKey(), t);
        }
        requireFloating("identifier embedding", identifierEmbedding_PC);
        long[] s = identifierEmbedding_PC.shape();
        if (s.length != 2 || s[0] < 1 || s[1] != config.textChannels()) {
            throw new ShapeMismatchException("identifier embedding must be (P, Ct5) with P >= 1 rows and Ct5 = "
                    + config.textChannels() + " (the base's text channels), got " + Arrays.toString(s));
        }
        return new Adapter(manifest, Collections.unmodifiableMap(sorted), identifierEmbedding_PC);
    }

    /**
     * The parts whose parameters an adapter of a format version may replace: {@link InfinityPart#ARBOOTH} in
     * version 1, {@link InfinityPart#BLOCKS} from version 2 on.
     *
     * @param formatVersion a supported format version
     * @return the parts
     */
    static Set<InfinityPart> replaceableParts(int formatVersion) {
        return formatVersion == 1 ? InfinityPart.ARBOOTH : InfinityPart.BLOCKS;
    }

    /**
     * The oldest format version that holds some tensors (1 when all are cross-attention or FFN tensors, else 2).
     *
     * @param config the base configuration
     * @param names official tensor names, each replaceable in the current version
     * @return the version
     */
    static int oldestVersionFor(InfinityConfig config, Iterable<String> names) {
        for (String name : names) {
            InfinityTensor t = InfinityWeights.find(config, name);
            if (t != null && !InfinityPart.ARBOOTH.contains(t.part())) {
                return AdapterManifest.CURRENT_FORMAT_VERSION;
            }
        }
        return 1;
    }

    /**
     * Why a name cannot be an adapter tensor of a format version on a base, or {@code null} if it can: found
     * from the name alone (the weight table), so a manifest whose configuration claims a million blocks costs
     * nothing.
     */
    private static String notReplaceable(InfinityConfig config, int formatVersion, String name) {
        InfinityTensor t = InfinityWeights.find(config, name);
        String blockParameters = "the block parameters " + InfinityWeights.partSuffixes(InfinityPart.BLOCKS)
                + " under a block prefix such as '" + InfinityWeights.blockPrefix(config, 0) + "'";
        if (t == null) {
            int block = InfinityWeights.blockOf(config, name);
            if (block >= 0) {
                return "is no tensor of block " + block + " of this base; an adapter may replace " + blockParameters;
            }
            return "is no tensor name of this base; an adapter may replace " + blockParameters;
        }
        if (t.isBuffer()) {
            return "is an always-zero buffer of the base, not a parameter: no adapter replaces it";
        }
        if (!t.perBlock()) {
            return "is a model-level tensor (" + t.part() + "), which no tuning trains; an adapter may replace "
                    + blockParameters;
        }
        if (!replaceableParts(formatVersion).contains(t.part())) {
            return "(" + t.part() + ") needs adapter format version " + AdapterManifest.CURRENT_FORMAT_VERSION
                    + "; format version " + formatVersion + " holds only the cross-attention and FFN tensors ("
                    + InfinityWeights.partSuffixes(InfinityPart.ARBOOTH) + ")";
        }
        return null;
    }

    /**
     * A builder for a new adapter (in the oldest format version that holds its tensors).
     *
     * @param baseConfig the base's configuration
     * @param baseFingerprint the base's fingerprint
     * @return a builder
     */
    public static Builder builder(InfinityConfig baseConfig, BaseFingerprint baseFingerprint) {
        return new Builder(baseConfig, baseFingerprint);
    }

    private static void requireFloating(String what, Tensor t) {
        if (!t.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException(what + " must be floating-point, got " + t);
        }
    }

    private static String describe(InfinityConfig c) {
        return "depth " + c.depth() + ", width " + c.embedDim() + ", FFN " + c.ffnHidden() + ", Ct5 "
                + c.textChannels();
    }

    // ----------------------------------------------------------------------------------------- accessors

    /**
     * The manifest.
     *
     * @return the manifest
     */
    public AdapterManifest manifest() {
        return manifest;
    }

    /**
     * The replacement tensors.
     *
     * @return an unmodifiable map from official name to tensor, sorted by name
     */
    public Map<String, Tensor> tensors() {
        return tensors;
    }

    /**
     * The identifier embedding.
     *
     * @return the (P, Ct5) rows that replace the identifier token's text row
     */
    public Tensor identifierEmbedding() {
        return identifierEmbedding;
    }

    /**
     * The identifier token.
     *
     * @return the manifest's identifier
     */
    public String identifier() {
        return manifest.identifier();
    }

    /**
     * The class word.
     *
     * @return the manifest's class word
     */
    public String classWord() {
        return manifest.classWord();
    }

    /**
     * The base configuration.
     *
     * @return the manifest's base configuration
     */
    public InfinityConfig baseConfig() {
        return manifest.baseConfig();
    }

    /**
     * The fingerprint of the base the adapter was trained on.
     *
     * @return the manifest's base fingerprint
     */
    public BaseFingerprint baseFingerprint() {
        return manifest.fingerprint();
    }

    /**
     * Checks that this adapter belongs on a base.
     *
     * @param base the fingerprint of the base it is about to be bound to
     * @throws IncompatibleAdapterException naming both fingerprints when they differ
     */
    public void checkCompatible(BaseFingerprint base) {
        Objects.requireNonNull(base, "base");
        if (!base.value().equals(manifest.baseFingerprint())) {
            throw new IncompatibleAdapterException("Adapter for '" + identifier() + " " + classWord()
                    + "' was trained on base " + manifest.baseFingerprint() + " but is being bound to base "
                    + base.value() + "; load the base it was trained on (its configuration: "
                    + manifest.baseConfig().toJson() + ")");
        }
    }

    // ----------------------------------------------------------------------------------------- files

    /**
     * Saves this adapter atomically: readers of {@code file} see the old file or the complete new one;
     * on failure no partial file is left and the target is untouched.
     *
     * @param file the target file (conventionally {@code *.safetensors})
     * @throws ArboothException if writing fails
     */
    public void save(Path file) {
        Map<String, Tensor> all = new TreeMap<>(tensors);
        all.put(IDENTIFIER_EMBEDDING_NAME, identifierEmbedding);
        SafeTensors.write(file, all, Map.of(MANIFEST_KEY, manifest.toJson()));
    }

    /**
     * Loads an adapter saved by {@link #save(Path)}, memory-mapped.
     *
     * @param file the adapter file
     * @return the adapter
     * @throws FormatException naming the file if it is missing, not a safetensors file, has no or a
     *     malformed manifest, an unsupported format version, lacks the identifier embedding, or holds a
     *     tensor that is not replaceable (naming it and why) or not shaped per the manifest's base configuration
     *     (naming it, the expected and the actual shape)
     */
    public static Adapter load(Path file) {
        try (SafeTensors st = SafeTensors.open(file)) {
            String json = st.metadata().get(MANIFEST_KEY);
            if (json == null) {
                throw new FormatException(
                        file,
                        "not an ARBooth adapter: the safetensors header has no '" + MANIFEST_KEY
                                + "' entry in __metadata__ (a base checkpoint or another model's file?)");
            }
            AdapterManifest manifest = AdapterManifest.fromJson(file, json);
            if (!st.names().contains(IDENTIFIER_EMBEDDING_NAME)) {
                throw new FormatException(
                        file,
                        "adapter lacks the identifier embedding '" + IDENTIFIER_EMBEDDING_NAME + "' (P, "
                                + manifest.baseConfig().textChannels() + ")");
            }
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            for (String name : st.names()) {
                if (!name.equals(IDENTIFIER_EMBEDDING_NAME)) {
                    tensors.put(name, st.get(name));
                }
            }
            try {
                return of(manifest, tensors, st.get(IDENTIFIER_EMBEDDING_NAME));
            } catch (IllegalArgumentException | ShapeMismatchException e) {
                throw new FormatException(file, "invalid adapter: " + e.getMessage(), e);
            }
        }
    }

    // ----------------------------------------------------------------------------------------- value

    /**
     * Compares manifests and every tensor byte.
     *
     * @param o the other object
     * @return whether {@code o} is an adapter with an equal manifest, equal tensors and an equal identifier
     *     embedding
     */
    @Override
    public boolean equals(Object o) {
        return o instanceof Adapter a
                && manifest.equals(a.manifest)
                && tensors.equals(a.tensors)
                && identifierEmbedding.equals(a.identifierEmbedding);
    }

    @Override
    public int hashCode() {
        return Objects.hash(manifest, tensors, identifierEmbedding);
    }

    @Override
    public String toString() {
        return "Adapter[" + identifier() + " " + classWord() + ", " + tensors.size() + " tensors, identifier rows "
                + identifierEmbedding.dim(0) + ", base " + manifest.baseFingerprint() + "]";
    }

    /**
     * Builds an {@link Adapter} in the oldest format version that holds its tensors (see the class comment);
     * {@link #build()} validates everything.
     */
    public static final class Builder {
        private final InfinityConfig baseConfig;
        private final BaseFingerprint baseFingerprint;
        private final Map<String, Tensor> tensors = new TreeMap<>();
        private final Map<String, String> provenance = new TreeMap<>();
        private String identifier;
        private String classWord;
        private Tensor identifierEmbedding;

        private Builder(InfinityConfig baseConfig, BaseFingerprint baseFingerprint) {
            this.baseConfig = Objects.requireNonNull(baseConfig, "baseConfig");
            this.baseFingerprint = Objects.requireNonNull(baseFingerprint, "baseFingerprint");
        }

        /**
         * Sets the identifier token.
         *
         * @param v e.g. {@code "sks"}
         * @return this builder
         */
        public Builder identifier(String v) {
            identifier = v;
            return this;
        }

        /**
         * Sets the class word.
         *
         * @param v e.g. {@code "dog"}
         * @return this builder
         */
        public Builder classWord(String v) {
            classWord = v;
            return this;
        }

        /**
         * Sets the identifier embedding.
         *
         * @param rows_PC the (P, Ct5) rows
         * @return this builder
         */
        public Builder identifierEmbedding(Tensor rows_PC) {
            identifierEmbedding = rows_PC;
            return this;
        }

        /**
         * Adds or replaces one replacement tensor.
         *
         * @param name its official name
         * @param t the tensor
         * @return this builder
         */
        public Builder tensor(String name, Tensor t) {
            tensors.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(t, name));
            return this;
        }

        /**
         * Adds or replaces replacement tensors.
         *
         * @param ts tensors by official name
         * @return this builder
         */
        public Builder tensors(Map<String, Tensor> ts) {
            ts.forEach(this::tensor);
            return this;
        }

        /**
         * Adds or replaces one provenance entry.
         *
         * @param key the key (e.g. {@code "seed"})
         * @param value the value
         * @return this builder
         */
        public Builder provenance(String key, String value) {
            provenance.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, key));
            return this;
        }

        /**
         * Builds and validates.
         *
         * @return the adapter
         * @throws IllegalArgumentException if the identifier, class word or identifier embedding is unset or a
         *     rule of {@link AdapterManifest} or {@link Adapter#of} is broken
         * @throws ShapeMismatchException if a shape differs from the base configuration's
         */
        public Adapter build() {
            if (identifierEmbedding == null) {
                throw new IllegalArgumentException("identifierEmbedding is not set");
            }
            if (identifier == null || classWord == null) {
                throw new IllegalArgumentException("identifier and classWord must be set");
            }
            AdapterManifest m = AdapterManifest.create(baseFingerprint, baseConfig, identifier, classWord, provenance);
            // the oldest format version that holds these tensors (names it cannot place are refused by of())
            return of(
                    m.withFormatVersion(oldestVersionFor(baseConfig, tensors.keySet())), tensors, identifierEmbedding);
        }
    }
}
