package dev.arbooth.pretrain;

import dev.arbooth.config.T5Config;
import dev.arbooth.internal.weights.T5Weights;
import dev.arbooth.tensor.Tensor;
import dev.arbooth.toyworld.Accessory;
import dev.arbooth.toyworld.Colour;
import dev.arbooth.toyworld.Context;
import dev.arbooth.toyworld.ObjectClass;
import dev.arbooth.toyworld.Property;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The toy base's text side: a word-level vocabulary covering the toy world's captions and ViCo's prompt words, its
 * {@code tokenizer.json} (Hugging Face WordLevel, lower-casing, whitespace pre-tokenizer; DJL's tokenizers read it),
 * and the seeded random weights of the frozen T5-architecture encoder.
 *
 * <p>Why random: the transformer conditions on the encoder's features, never on the words themselves; a frozen random
 * encoder maps every caption to distinct, stable features, which is all that cross-attention needs to learn the
 * mapping (the earlier trial on this machine followed prompts with frozen random word embeddings). T5 is frozen in
 * Infinity too.
 */
public final class ToyText {
    /** ViCo's prompt words and other words the SDK's prompts use (as in the tiny random base), plus "sks". */
    static final String VICO_WORDS = "a among an and around autumn background beach beautiful black blue chef city"
            + " cobblestone crowded dirt distant dream eiffel fabric field firefighter floating floor forest from galaxy"
            + " glasses grass green hat house in interior it japanese jungle landscape leaves living luxurious milk mirror"
            + " modern monocle moon mountain movie new ocean of on outfit pink police purple rainbow red road room rug"
            + " santa scarf shiny shirt sidewalk skyscrapers snow street sunflowers sunset the theater top tower tree"
            + " water wearing wet wheat white with wizard wooden yellow york photo dog cat teddybear teddy bear duck toy"
            + " teapot vase backpack sneaker barn sunglasses clock alarm statue monster brown fat sks";

    /** The special tokens, ids 0, 1, 2. */
    static final List<String> SPECIAL = List.of("<pad>", "</s>", "<unk>");

    private ToyText() {}

    /**
     * Every word of the vocabulary after the special tokens: the toy world's class words, colours, properties,
     * context and accessory phrases, the caption grammar's words, then ViCo's words; each once, in that order.
     *
     * @return the words
     */
    public static List<String> words() {
        Set<String> w = new LinkedHashSet<>();
        addWords(w, "a photo of wearing");
        ObjectClass.words().forEach(s -> addWords(w, s));
        Colour.words().forEach(s -> addWords(w, s));
        Property.words().forEach(s -> addWords(w, s));
        Context.phrases().forEach(s -> addWords(w, s));
        Accessory.phrases().forEach(s -> addWords(w, s));
        addWords(w, VICO_WORDS);
        return List.copyOf(w);
    }

    private static void addWords(Set<String> into, String text) {
        for (String s : text.toLowerCase(java.util.Locale.ROOT).split("\\s+")) {
            if (!s.isEmpty()) {
                into.add(s);
            }
        }
    }

    /**
     * The vocabulary size: the special tokens and {@link #words()}.
     *
     * @return the size
     */
    public static int vocabSize() {
        return SPECIAL.size() + words().size();
    }

    /**
     * The {@code tokenizer.json} text.
     *
     * @return a WordLevel tokenizer ({@code </s>} is appended by the SDK's T5 tokenizer)
     */
    public static String tokenizerJson() {
        List<String> all = new ArrayList<>(SPECIAL);
        all.addAll(words());
        StringBuilder vocab = new StringBuilder();
        for (int i = 0; i < all.size(); i++) {
            vocab.append(i == 0 ? "" : ", ")
                    .append('"')
                    .append(all.get(i))
                    .append("\": ")
                    .append(i);
        }
        StringBuilder added = new StringBuilder();
        for (int i = 0; i < SPECIAL.size(); i++) {
            added.append(i == 0 ? "" : ", ")
                    .append("{\"id\": ")
                    .append(i)
                    .append(", \"content\": \"")
                    .append(SPECIAL.get(i))
                    .append("\", \"single_word\": false, \"lstrip\": false, \"rstrip\": false, \"normalized\": false,"
                            + " \"special\": true}");
        }
        return "{\"version\": \"1.0\", \"truncation\": null, \"padding\": null, \"added_tokens\": [" + added + "],"
                + " \"normalizer\": {\"type\": \"Lowercase\"}, \"pre_tokenizer\": {\"type\": \"Whitespace\"},"
                + " \"post_processor\": null, \"decoder\": null, \"model\": {\"type\": \"WordLevel\","
                + " \"unk_token\": \"<unk>\", \"vocab\": {" + vocab + "}}}\n";
    }

    /**
     * Seeded random T5 encoder weights: RMSNorm weights 1, the shared embedding N(0, 1), relative attention bias
     * N(0, 0.1²), matrices N(0, 1/fan_in) (the embedding table stored once, as {@code shared.weight}).
     *
     * @param config the encoder's shape
     * @param seed the seed
     * @return the weights under Hugging Face names
     */
    public static Map<String, Tensor> randomT5(T5Config config, long seed) {
        return T5Weights.seededRandom(config, seed);
    }
}
