package dev.arbooth.runtime.testing;

import dev.arbooth.adapter.Adapter;
import dev.arbooth.config.InfinityConfig;
import dev.arbooth.config.ScaleSchedules;
import dev.arbooth.config.T5Config;
import dev.arbooth.config.T5Weights;
import dev.arbooth.config.VaeConfig;
import dev.arbooth.format.SafeTensors;
import dev.arbooth.format.TensorSpec;
import dev.arbooth.model.BaseModel;
import dev.arbooth.tensor.Tensor;
import dev.arbooth.testing.Golden;
import dev.arbooth.testing.TestAdapters;
import dev.arbooth.text.testing.TokenizerFixtures;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Test base models: the golden set-1 transformer and VAE (read from {@code ../shared}), a seeded random
 * T5 encoder of the transformer's 256 text channels, and a tiny Unigram {@code tokenizer.json}.
 */
public final class TestBases {
    /** The random T5 encoder's shape: d_model 256 as set 1's transformer expects, 2 layers, 4 heads. */
    public static final T5Config T5 = new T5Config(256, 64, 512, 4, 2, 32, 32, 128, 1e-6, 16);

    private TestBases() {}

    /**
     * Writes the golden set-1 base into {@code dir} and returns its description.
     *
     * @param dir an empty directory
     * @return the base, saved ({@link BaseModel#DESCRIPTOR} written)
     */
    public static BaseModel goldenSet1(Path dir) {
        try {
            Files.copy(
                    Golden.golden("infinity-set1/transformer_weights.safetensors"),
                    dir.resolve("transformer.safetensors"));
            Files.copy(Golden.golden("infinity-set1/vae_weights.safetensors"), dir.resolve("vae.safetensors"));
            Files.writeString(dir.resolve("tokenizer.json"), TokenizerFixtures.UNIGRAM);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        SafeTensors.write(dir.resolve("t5.safetensors"), randomT5(T5, 3));
        BaseModel base = new BaseModel(
                dir,
                "golden set-1 + random T5",
                InfinityConfig.goldenSet1(),
                dir.resolve("transformer.safetensors"),
                VaeConfig.goldenSet1(),
                dir.resolve("vae.safetensors"),
                T5,
                dir.resolve("t5.safetensors"),
                dir.resolve("tokenizer.json"),
                ScaleSchedules.official("1.000", "0.06M"));
        base.save();
        return base;
    }

    /**
     * Seeded random T5 encoder weights: unit norms, N(0, 1) embeddings, N(0, 1/fan_in) matrices.
     *
     * @param config the shape
     * @param seed the seed
     * @return the weights under Hugging Face names
     */
    public static Map<String, Tensor> randomT5(T5Config config, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (TensorSpec spec : T5Weights.expected(config)) {
            if (spec.name().equals(T5Weights.EMBED_TOKENS)) {
                continue; // tied to shared.weight: store the table once
            }
            long[] shape = spec.shape();
            float[] v = new float[Math.toIntExact(Tensor.numel(shape))];
            boolean norm = shape.length == 1;
            double std = spec.name().contains("embed") || spec.name().startsWith("shared")
                    ? 1.0
                    : spec.name().contains("relative_attention_bias") ? 0.1 : 1.0 / Math.sqrt(shape[shape.length - 1]);
            for (int i = 0; i < v.length; i++) {
                v[i] = norm ? 1f : (float) (std * r.nextGaussian());
            }
            out.put(spec.name(), Tensor.ofFloats(v, shape));
        }
        return out;
    }

    /**
     * An adapter on set 1 (CA/FFN perturbed by N(0, 0.05²)) whose identifier is the fixture tokenizer's
     * one-token word {@code "on"}, with one identifier row.
     *
     * @param seed the noise seed
     * @return the adapter
     */
    public static Adapter adapterOn(long seed) {
        Adapter p = TestAdapters.perturbedSet1(seed, 0.05, 1);
        return Adapter.builder(InfinityConfig.goldenSet1(), p.baseFingerprint())
                .identifier("on")
                .classWord("dog")
                .tensors(p.tensors())
                .identifierEmbedding(p.identifierEmbedding())
                .build();
    }
}
