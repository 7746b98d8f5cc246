package dev.arbooth.text.testing;

/** Tiny valid {@code tokenizer.json} documents for tests (no real T5 tokenizer ships with the goldens). */
public final class TokenizerFixtures {
    private TokenizerFixtures() {}

    private static final String ADDED =
            "\"added_tokens\": [" + token(0, "<pad>") + "," + token(1, "</s>") + "," + token(2, "<unk>") + "],";

    private static String token(int id, String content) {
        return "{\"id\": " + id + ", \"content\": \"" + content + "\", \"single_word\": false, \"lstrip\": false, "
                + "\"rstrip\": false, \"normalized\": false, \"special\": true}";
    }

    /** A T5-like SentencePiece Unigram tokenizer: Metaspace pre-tokenizer, post-processor "$A </s>". */
    public static final String UNIGRAM = "{\"version\": \"1.0\", \"truncation\": null, \"padding\": null, " + ADDED
            + "\"normalizer\": null,"
            + "\"pre_tokenizer\": {\"type\": \"Metaspace\", \"replacement\": \"\u2581\", \"prepend_scheme\": \"always\","
            + " \"split\": true},"
            + "\"post_processor\": {\"type\": \"TemplateProcessing\","
            + " \"single\": [{\"Sequence\": {\"id\": \"A\", \"type_id\": 0}}, {\"SpecialToken\": {\"id\": \"</s>\","
            + " \"type_id\": 0}}],"
            + " \"pair\": [{\"Sequence\": {\"id\": \"A\", \"type_id\": 0}}, {\"SpecialToken\": {\"id\": \"</s>\","
            + " \"type_id\": 0}}, {\"Sequence\": {\"id\": \"B\", \"type_id\": 0}}, {\"SpecialToken\": {\"id\":"
            + " \"</s>\", \"type_id\": 0}}],"
            + " \"special_tokens\": {\"</s>\": {\"id\": \"</s>\", \"ids\": [1], \"tokens\": [\"</s>\"]}}},"
            + "\"decoder\": {\"type\": \"Metaspace\", \"replacement\": \"\u2581\", \"prepend_scheme\": \"always\","
            + " \"split\": true},"
            + "\"model\": {\"type\": \"Unigram\", \"unk_id\": 2, \"byte_fallback\": false, \"vocab\": ["
            + "[\"<pad>\", 0.0], [\"</s>\", 0.0], [\"<unk>\", 0.0], [\"\u2581a\", -2.0], [\"\u2581photo\", -3.0],"
            + " [\"\u2581of\", -2.5], [\"\u2581dog\", -3.5], [\"\u2581\", -4.0], [\"s\", -4.5], [\"\u2581cat\", -3.5],"
            + " [\"\u2581on\", -3.0], [\"\u2581the\", -2.0], [\"\u2581beach\", -4.0]]}}";

    /** A word-level tokenizer without post-processor: the </s> must be appended by T5Tokenizer. */
    public static final String WORD_LEVEL = "{\"version\": \"1.0\", \"truncation\": null, \"padding\": null, " + ADDED
            + "\"normalizer\": null, \"pre_tokenizer\": {\"type\": \"Whitespace\"}, \"post_processor\": null,"
            + " \"decoder\": null, \"model\": {\"type\": \"WordLevel\", \"unk_token\": \"<unk>\", \"vocab\": {"
            + "\"<pad>\": 0, \"</s>\": 1, \"<unk>\": 2, \"a\": 3, \"photo\": 4, \"of\": 5, \"dog\": 6}}}";
}
