package dev.arbooth.train.testing;

import dev.arbooth.base.BaseModel;
import dev.arbooth.config.InfinityConfig;
import dev.arbooth.config.ScaleSchedule;
import dev.arbooth.config.T5Config;
import dev.arbooth.config.VaeConfig;
import dev.arbooth.internal.format.SafeTensors;
import dev.arbooth.internal.weights.T5Weights;
import dev.arbooth.tensor.Tensor;
import dev.arbooth.testing.Golden;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A whole base for fit tests: the golden set-1 transformer and VAE (from {@code ../shared}), a seeded random T5
 * encoder of the transformer's 256 text channels, and a small Unigram tokenizer whose vocabulary splits ARBooth's
 * identifier {@code <S*>} into 4 pieces (as a SentencePiece T5 vocabulary does: {@code ▁<}, {@code S}, {@code *},
 * {@code >}), holds {@code sks} as one piece, and deletes {@code #} in its normalizer (so {@code ##} tokenizes to
 * nothing).
 */
public final class FitBases {
    /** Vocabulary after the three special tokens: pieces and log-probabilities. */
    private static final String[][] PIECES = {
        {"\u2581a", "-2.0"},
        {"\u2581photo", "-3.0"},
        {"\u2581of", "-2.5"},
        {"\u2581dog", "-3.5"},
        {"\u2581cat", "-3.5"},
        {"\u2581on", "-3.0"},
        {"\u2581the", "-2.0"},
        {"\u2581beach", "-4.0"},
        {"\u2581sks", "-5.0"},
        {"\u2581<", "-6.0"},
        {"S", "-6.0"},
        {"*", "-6.0"},
        {">", "-6.0"},
        {"\u2581", "-4.0"},
        {"s", "-4.5"},
        {"\u2581in", "-3.0"},
        {"\u2581snow", "-4.0"},
        {"\u2581teddybear", "-4.0"}
    };

    /** The T5 encoder: d_model 256 as set 1 expects, 2 layers, 4 heads, 16 text tokens. */
    public static final T5Config T5 = new T5Config(256, 64, 512, 4, 2, 3 + PIECES.length, 32, 128, 1e-6, 16);

    private FitBases() {}

    /**
     * Writes the base into a directory.
     *
     * @param dir an empty directory
     * @return the base (descriptor written)
     */
    public static BaseModel goldenSet1(Path dir) {
        try {
            Files.createDirectories(dir);
            Files.copy(
                    Golden.golden("infinity-set1/transformer_weights.safetensors"),
                    dir.resolve("transformer.safetensors"));
            Files.copy(Golden.golden("infinity-set1/vae_weights.safetensors"), dir.resolve("vae.safetensors"));
            Files.writeString(dir.resolve("tokenizer.json"), tokenizerJson());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        SafeTensors.write(dir.resolve("t5.safetensors"), randomT5(T5, 3));
        BaseModel base = new BaseModel(
                dir,
                "golden set-1 + random T5 (fit tests)",
                InfinityConfig.goldenSet1(),
                dir.resolve("transformer.safetensors"),
                VaeConfig.goldenSet1(),
                dir.resolve("vae.safetensors"),
                T5,
                dir.resolve("t5.safetensors"),
                dir.resolve("tokenizer.json"),
                ScaleSchedule.official("1.000", "0.06M"));
        base.save();
        return base;
    }

    /**
     * The tokenizer document.
     *
     * @return the {@code tokenizer.json} text
     */
    public static String tokenizerJson() {
        StringBuilder vocab = new StringBuilder("[\"<pad>\", 0.0], [\"</s>\", 0.0], [\"<unk>\", 0.0]");
        for (String[] p : PIECES) {
            vocab.append(", [\"").append(p[0]).append("\", ").append(p[1]).append(']');
        }
        String added =
                "\"added_tokens\": [" + token(0, "<pad>") + "," + token(1, "</s>") + "," + token(2, "<unk>") + "],";
        return "{\"version\": \"1.0\", \"truncation\": null, \"padding\": null, " + added
                + "\"normalizer\": {\"type\": \"Replace\", \"pattern\": {\"String\": \"#\"}, \"content\": \"\"},"
                + "\"pre_tokenizer\": {\"type\": \"Metaspace\", \"replacement\": \"\u2581\", \"prepend_scheme\":"
                + " \"always\", \"split\": true},"
                + "\"post_processor\": {\"type\": \"TemplateProcessing\","
                + " \"single\": [{\"Sequence\": {\"id\": \"A\", \"type_id\": 0}}, {\"SpecialToken\": {\"id\":"
                + " \"</s>\", \"type_id\": 0}}],"
                + " \"pair\": [{\"Sequence\": {\"id\": \"A\", \"type_id\": 0}}, {\"SpecialToken\": {\"id\":"
                + " \"</s>\", \"type_id\": 0}}, {\"Sequence\": {\"id\": \"B\", \"type_id\": 0}}, {\"SpecialToken\":"
                + " {\"id\": \"</s>\", \"type_id\": 0}}],"
                + " \"special_tokens\": {\"</s>\": {\"id\": \"</s>\", \"ids\": [1], \"tokens\": [\"</s>\"]}}},"
                + "\"decoder\": {\"type\": \"Metaspace\", \"replacement\": \"\u2581\", \"prepend_scheme\": \"always\","
                + " \"split\": true},"
                + "\"model\": {\"type\": \"Unigram\", \"unk_id\": 2, \"byte_fallback\": false, \"vocab\": [" + vocab
                + "]}}";
    }

    private static String token(int id, String content) {
        return "{\"id\": " + id + ", \"content\": \"" + content + "\", \"single_word\": false, \"lstrip\": false, "
                + "\"rstrip\": false, \"normalized\": false, \"special\": true}";
    }

    /**
     * Seeded random T5 encoder weights: unit norms, N(0, 1) embeddings, N(0, 1/fan_in) matrices.
     *
     * @param config the shape
     * @param seed the seed
     * @return the weights under Hugging Face names
     */
    public static Map<String, Tensor> randomT5(T5Config config, long seed) {
        return T5Weights.seededRandom(config, seed);
    }

    /**
     * Seeded "photos": smooth colour blobs on a background, 128 × 128 (the set-1 base's image size).
     *
     * @param count how many
     * @param seed the seed
     * @return the images
     */
    public static List<BufferedImage> photos(int count, long seed) {
        List<BufferedImage> out = new ArrayList<>();
        SplittableRandom r = new SplittableRandom(seed);
        for (int n = 0; n < count; n++) {
            BufferedImage img = new BufferedImage(128, 128, BufferedImage.TYPE_INT_RGB);
            int bg = r.nextInt(0x1000000);
            int fg = r.nextInt(0x1000000);
            double cx = 40 + r.nextInt(48);
            double cy = 40 + r.nextInt(48);
            double rad = 20 + r.nextInt(20);
            for (int y = 0; y < 128; y++) {
                for (int x = 0; x < 128; x++) {
                    boolean in = (x - cx) * (x - cx) + (y - cy) * (y - cy) < rad * rad;
                    img.setRGB(x, y, in ? fg : bg);
                }
            }
            out.add(img);
        }
        return out;
    }
}
