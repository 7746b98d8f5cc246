package dev.arbooth.testing;

import dev.arbooth.adapter.Adapter;
import dev.arbooth.adapter.BaseFingerprint;
import dev.arbooth.config.InfinityConfig;
import dev.arbooth.internal.format.SafeTensors;
import dev.arbooth.internal.format.TensorSpec;
import dev.arbooth.internal.weights.InfinityPart;
import dev.arbooth.internal.weights.InfinityWeights;
import dev.arbooth.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Adapters for tests, built from the golden set-1 transformer weights ({@code
 * infinity-set1/transformer_weights.safetensors}, {@link InfinityConfig#goldenSet1()}): every replaceable
 * CA/FFN tensor plus seeded Gaussian noise, and seeded Gaussian identifier rows. Deterministic: the same
 * arguments give a bit-identical adapter on every JVM ({@link SplittableRandom#nextGaussian()}).
 *
 * <pre>{@code
 * Adapter a = TestAdapters.perturbedSet1(7);
 * Map<String, Tensor> merged = TestAdapters.set1WeightsWith(a);   // base with the adapter's tensors swapped in
 * }</pre>
 */
public final class TestAdapters {
    /** The golden set-1 transformer weights, relative to {@code shared/golden}. */
    public static final String SET1_WEIGHTS = "infinity-set1/transformer_weights.safetensors";

    /** Default standard deviation of the noise added to the CA/FFN tensors. */
    public static final double DEFAULT_NOISE_STD = 0.02;

    /** Default number of identifier rows (P), as in {@code arbooth-train-set1}. */
    public static final int DEFAULT_IDENTIFIER_ROWS = 4;

    /** Standard deviation of the identifier rows (that of the golden "T5" features). */
    public static final double IDENTIFIER_STD = 0.5;

    private TestAdapters() {}

    /** The golden set-1 transformer weights, read into memory, in official order. */
    public static Map<String, Tensor> set1Weights() {
        try (SafeTensors st = Golden.open(SET1_WEIGHTS)) {
            return InfinityWeights.bind(InfinityConfig.goldenSet1(), st);
        }
    }

    /** The fingerprint of the golden set-1 transformer weights. */
    public static BaseFingerprint set1Fingerprint() {
        try (SafeTensors st = Golden.open(SET1_WEIGHTS)) {
            return BaseFingerprint.of(InfinityConfig.goldenSet1(), st.toMap());
        }
    }

    /** {@link #perturbedSet1(long, double, int)} with the default noise and 4 identifier rows. */
    public static Adapter perturbedSet1(long seed) {
        return perturbedSet1(seed, DEFAULT_NOISE_STD, DEFAULT_IDENTIFIER_ROWS);
    }

    /**
     * An adapter on the golden set-1 base: every replaceable tensor ({@link InfinityWeights#adapterTensors}),
     * in that order, is the base tensor plus N(0, noiseStd²) noise; then P identifier rows N(0, 0.5²);
     * identifier {@code "sks"}, class word {@code "dog"}, provenance {@code fixture, seed, noise_std}.
     *
     * @param seed the noise seed
     * @param noiseStd standard deviation of the CA/FFN noise (0 gives the base tensors)
     * @param identifierRows P
     * @return the adapter, fingerprinted with {@link #set1Fingerprint()}
     */
    public static Adapter perturbedSet1(long seed, double noiseStd, int identifierRows) {
        return perturbedSet1(seed, noiseStd, identifierRows, InfinityPart.ARBOOTH);
    }

    /**
     * {@link #perturbedSet1(long, double, int)} over the parameters of some parts instead of ARBooth's CA/FFN
     * ({@link InfinityWeights#parameters}, in official order; with {@link InfinityPart#BLOCKS} every block
     * parameter: self-attention, AdaLN tables, the CA LayerNorm too, which needs adapter format version 2).
     *
     * @param seed the noise seed
     * @param noiseStd standard deviation of the noise
     * @param identifierRows P
     * @param parts the parts whose parameters the adapter replaces
     * @return the adapter
     */
    public static Adapter perturbedSet1(long seed, double noiseStd, int identifierRows, Set<InfinityPart> parts) {
        InfinityConfig config = InfinityConfig.goldenSet1();
        Map<String, Tensor> base = set1Weights();
        SplittableRandom random = new SplittableRandom(seed);
        Adapter.Builder b = Adapter.builder(config, set1Fingerprint())
                .identifier("sks")
                .classWord("dog")
                .provenance("fixture", "TestAdapters.perturbedSet1")
                .provenance("seed", Long.toString(seed))
                .provenance("noise_std", Double.toString(noiseStd));
        for (TensorSpec spec : InfinityWeights.parameters(config, parts)) {
            float[] v = base.get(spec.name()).toFloatArray();
            for (int i = 0; i < v.length; i++) {
                v[i] += (float) (noiseStd * random.nextGaussian());
            }
            b.tensor(spec.name(), Tensor.ofFloats(v, spec.shape()));
        }
        float[] rows = new float[identifierRows * config.textChannels()];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = (float) (IDENTIFIER_STD * random.nextGaussian());
        }
        return b.identifierEmbedding(Tensor.ofFloats(rows, identifierRows, config.textChannels()))
                .build();
    }

    /**
     * The set-1 base weights with an adapter's tensors swapped in: what an engine binding the adapter must
     * compute with (the reference for contract tests).
     *
     * @param adapter an adapter on set 1
     * @return all transformer tensors, in official order
     */
    public static Map<String, Tensor> set1WeightsWith(Adapter adapter) {
        Map<String, Tensor> merged = new LinkedHashMap<>(set1Weights());
        adapter.tensors().forEach((name, t) -> {
            if (merged.replace(name, t) == null) {
                throw new AssertionError("adapter tensor " + name + " is not in the set-1 base");
            }
        });
        return merged;
    }
}
