package dev.arbooth.train.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.arbooth.FormatException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class T5TokenizerTest {
    private static final String ADDED =
            "\"added_tokens\": [" + token(0, "<pad>") + "," + token(1, "</s>") + "," + token(2, "<unk>") + "],";

    private static String token(int id, String content) {
        return "{\"id\": " + id + ", \"content\": \"" + content + "\", \"single_word\": false, \"lstrip\": false, "
                + "\"rstrip\": false, \"normalized\": false, \"special\": true}";
    }

    /** A T5-like SentencePiece Unigram tokenizer: Metaspace pre-tokenizer, post-processor "$A </s>". */
    static final String UNIGRAM = "{\"version\": \"1.0\", \"truncation\": null, \"padding\": null, " + ADDED
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
    static final String WORD_LEVEL = "{\"version\": \"1.0\", \"truncation\": null, \"padding\": null, " + ADDED
            + "\"normalizer\": null, \"pre_tokenizer\": {\"type\": \"Whitespace\"}, \"post_processor\": null,"
            + " \"decoder\": null, \"model\": {\"type\": \"WordLevel\", \"unk_token\": \"<unk>\", \"vocab\": {"
            + "\"<pad>\": 0, \"</s>\": 1, \"<unk>\": 2, \"a\": 3, \"photo\": 4, \"of\": 5, \"dog\": 6}}}";

    private static Path write(Path dir, String name, String json) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, json);
        return p;
    }

    @Test
    void encodesPadsAndMasksLikeT5(@TempDir Path dir) throws IOException {
        try (T5Tokenizer t = T5Tokenizer.open(write(dir, "tokenizer.json", UNIGRAM), 8)) {
            assertThat(t.eosId()).isEqualTo(1);
            assertThat(t.padId()).isEqualTo(0);
            assertThat(t.encode("a photo of a dog")).containsExactly(3, 4, 5, 3, 6, 1);
            // subword split and unknown piece
            assertThat(t.encode("dogs")).containsExactly(6, 8, 1);
            assertThat(t.encode("a zebra")).containsExactly(3, 7, 2, 1);
            assertThat(t.encode("")).containsExactly(1);

            TokenBatch b = t.encode(List.of("a dog", "a photo of the cat", "cat"), T5Tokenizer.Padding.LONGEST);
            assertThat(b.batchSize()).isEqualTo(3);
            assertThat(b.sequenceLength()).isEqualTo(6);
            assertThat(b.lengths()).containsExactly(3, 6, 2);
            assertThat(b.ids().shape()).containsExactly(3, 6);
            assertThat(b.ids().toLongArray()).containsExactly(3, 6, 1, 0, 0, 0, 3, 4, 5, 11, 9, 1, 9, 1, 0, 0, 0, 0);
            assertThat(b.mask().toLongArray()).containsExactly(1, 1, 1, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0);
            assertThat(b.rowIds(1)).containsExactly(3, 4, 5, 11, 9, 1);

            TokenBatch full = t.encode(List.of("a dog"), T5Tokenizer.Padding.MAX_LENGTH);
            assertThat(full.ids().toLongArray()).containsExactly(3, 6, 1, 0, 0, 0, 0, 0);
            assertThat(full.mask().toLongArray()).containsExactly(1, 1, 1, 0, 0, 0, 0, 0);
        }
    }

    @Test
    void truncationKeepsTheEndToken(@TempDir Path dir) throws IOException {
        Path file = write(dir, "tokenizer.json", UNIGRAM);
        String longPrompt = "a photo of a dog on the beach a photo of a cat";
        try (T5Tokenizer t = T5Tokenizer.open(file, 5)) {
            assertThat(t.encode(longPrompt)).containsExactly(3, 4, 5, 3, 1);
            TokenBatch b = t.encode(List.of(longPrompt, "cat"), T5Tokenizer.Padding.MAX_LENGTH);
            assertThat(b.lengths()).containsExactly(5, 2);
            assertThat(b.ids().toLongArray()).containsExactly(3, 4, 5, 3, 1, 9, 1, 0, 0, 0);
        }
        try (T5Tokenizer t = T5Tokenizer.open(file, 1)) {
            assertThat(t.encode(longPrompt)).containsExactly(1);
        }
    }

    @Test
    void appendsTheEndTokenWhenThePostProcessorDoesNot(@TempDir Path dir) throws IOException {
        try (T5Tokenizer t = T5Tokenizer.open(write(dir, "words.json", WORD_LEVEL), 4)) {
            assertThat(t.encode("a dog")).containsExactly(3, 6, 1);
            assertThat(t.encode("a photo of a dog")).containsExactly(3, 4, 5, 1);
            assertThat(t.encode("a cat")).containsExactly(3, 2, 1);
        }
    }

    @Test
    void closedTokenizerFailsLoudly(@TempDir Path dir) throws IOException {
        T5Tokenizer t = T5Tokenizer.open(write(dir, "tokenizer.json", UNIGRAM), 8);
        t.close();
        t.close();
        assertThatThrownBy(() -> t.encode("a dog")).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void missingOrInvalidFilesGiveClearErrors(@TempDir Path dir) throws IOException {
        assertThatThrownBy(() -> T5Tokenizer.open(dir.resolve("absent.json"), 8))
                .isInstanceOf(FormatException.class)
                .hasMessageContaining("absent.json")
                .hasMessageContaining("not found");
        Path broken = write(dir, "broken.json", "{\"model\": ");
        assertThatThrownBy(() -> T5Tokenizer.open(broken, 8))
                .isInstanceOf(FormatException.class)
                .hasMessageContaining("broken.json")
                .hasMessageContaining("not a valid");
        Path noPad = write(dir, "nopad.json", UNIGRAM.replace("<pad>", "<blank>"));
        assertThatThrownBy(() -> T5Tokenizer.open(noPad, 8))
                .isInstanceOf(FormatException.class)
                .hasMessageContaining("nopad.json")
                .hasMessageContaining("<pad>");
        assertThatThrownBy(() -> T5Tokenizer.open(dir, 8)).isInstanceOf(FormatException.class);
    }
}
