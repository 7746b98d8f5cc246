package dev.arbooth.examples;

import dev.arbooth.base.BaseModel;
import dev.arbooth.config.InfinityConfig;
import dev.arbooth.config.ScaleSchedule;
import dev.arbooth.config.T5Config;
import dev.arbooth.config.VaeConfig;
import dev.arbooth.internal.format.SafeTensors;
import dev.arbooth.internal.format.TensorSpec;
import dev.arbooth.internal.weights.InfinityWeights;
import dev.arbooth.internal.weights.VaeWeights;
import dev.arbooth.runtime.testing.TestBases;
import dev.arbooth.tensor.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Collectors;

/**
 * Writes {@code examples/tiny-random-base}: a complete base with seeded random weights (transformer, VAE, T5
 * encoder) and a word-level {@code tokenizer.json} of the ViCo prompt words, so that {@link Generate} runs before
 * the bundled toy base model exists. Its images are noise. {@link TinyRandomBaseTest} checks that the committed
 * files are exactly what this writes; regenerate with {@code main} (argument: the directory).
 */
public final class TinyRandomBase {
    static final long SEED = 20261202L;

    /** Depth 2, C 64, 1 head, FFN 256, Ct5 128, 16 text tokens, d 16. */
    static final InfinityConfig INFINITY = InfinityConfig.goldenSet1().toBuilder()
            .embedDim(64)
            .numHeads(1)
            .ffnHidden(256)
            .textChannels(128)
            .build();

    /** Base 32, multipliers (1, 1, 1, 1), 1 ResnetBlock per level, d 16, stride 8. */
    static final VaeConfig VAE = new VaeConfig(32, List.of(1, 1, 1, 1), 1, 16, 8, 1e-6);

    /** The tokenizer's words after the special tokens: ViCo's prompt words, class words and the identifier. */
    static final List<String> WORDS = List.of(
            ("a among an and around autumn background beach beautiful black blue chef city cobblestone crowded dirt distant dream eiffel fabric field firefighter floating floor forest from galaxy glasses grass green hat house in interior it japanese jungle landscape leaves living luxurious milk mirror modern monocle moon mountain movie new ocean of on outfit pink police purple rainbow red road room rug santa scarf shiny shirt sidewalk skyscrapers snow street sunflowers sunset the theater top tower tree water wearing wet wheat white with wizard wooden yellow york photo dog cat teddybear teddy bear duck toy teapot vase backpack sneaker barn sunglasses clock alarm statue monster brown fat sks")
                    .split(" "));

    /** 3 special tokens plus the words. */
    static final T5Config T5 = new T5Config(128, 32, 128, 4, 1, 3 + WORDS.size(), 32, 128, 1e-6, 16);

    private TinyRandomBase() {}

    /**
     * Regenerates the base.
     *
     * @param args the directory to write ({@code examples/tiny-random-base})
     */
    public static void main(String[] args) {
        write(Path.of(args[0]));
    }

    /**
     * Writes the base into {@code dir} (created if needed).
     *
     * @param dir the directory
     * @return the base
     */
    public static BaseModel write(Path dir) {
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("tokenizer.json"), tokenizerJson());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        SafeTensors.write(dir.resolve("transformer.safetensors"), random(InfinityWeights.expected(INFINITY), SEED));
        SafeTensors.write(dir.resolve("vae.safetensors"), random(VaeWeights.expected(VAE), SEED + 1));
        SafeTensors.write(dir.resolve("t5.safetensors"), TestBases.randomT5(T5, SEED + 2));
        BaseModel base = new BaseModel(
                dir,
                "tiny random base (seeded random weights; images are noise)",
                INFINITY,
                dir.resolve("transformer.safetensors"),
                VAE,
                dir.resolve("vae.safetensors"),
                T5,
                dir.resolve("t5.safetensors"),
                dir.resolve("tokenizer.json"),
                ScaleSchedule.official("1.000", "0.06M"));
        base.save();
        return base;
    }

    /** Norms 1, biases 0, matrices N(0, 1/fan_in), the VAE's quantizer masks 2^(d-1-i). */
    private static Map<String, Tensor> random(List<TensorSpec> specs, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (TensorSpec spec : specs) {
            long[] shape = spec.shape();
            int n = Math.toIntExact(Tensor.numel(shape));
            if (VaeWeights.isBuffer(spec.name())) {
                long[] mask = new long[n];
                for (int i = 0; i < n; i++) {
                    mask[i] = 1L << (n - 1 - i);
                }
                out.put(spec.name(), Tensor.ofLongs(mask, shape));
                continue;
            }
            float[] v = new float[n];
            String name = spec.name();
            if (shape.length == 1) {
                boolean norm = name.contains("norm") && name.endsWith("weight");
                java.util.Arrays.fill(v, norm ? 1f : 0f);
            } else {
                long fanIn = n / shape[0];
                double std = 1.0 / Math.sqrt(fanIn);
                for (int i = 0; i < n; i++) {
                    v[i] = (float) (std * r.nextGaussian());
                }
            }
            out.put(name, Tensor.ofFloats(v, shape));
        }
        return out;
    }

    /** A word-level tokenizer (whitespace pre-tokenizer; {@code </s>} appended by the SDK's T5 tokenizer). */
    static String tokenizerJson() {
        StringBuilder vocab = new StringBuilder("\"<pad>\": 0, \"</s>\": 1, \"<unk>\": 2");
        for (int i = 0; i < WORDS.size(); i++) {
            vocab.append(", \"").append(WORDS.get(i)).append("\": ").append(3 + i);
        }
        String added = List.of("<pad>", "</s>", "<unk>").stream()
                .map(t -> "{\"id\": " + List.of("<pad>", "</s>", "<unk>").indexOf(t) + ", \"content\": \"" + t
                        + "\", \"single_word\": false, \"lstrip\": false, \"rstrip\": false, \"normalized\": false,"
                        + " \"special\": true}")
                .collect(Collectors.joining(", "));
        return "{\"version\": \"1.0\", \"truncation\": null, \"padding\": null, \"added_tokens\": [" + added + "],"
                + " \"normalizer\": {\"type\": \"Lowercase\"}, \"pre_tokenizer\": {\"type\": \"Whitespace\"},"
                + " \"post_processor\": null, \"decoder\": null, \"model\": {\"type\": \"WordLevel\","
                + " \"unk_token\": \"<unk>\", \"vocab\": {" + vocab + "}}}\n";
    }
}
