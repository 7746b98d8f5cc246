package dev.arbooth.text.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.arbooth.FormatException;
import dev.arbooth.text.testing.TokenizerFixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class T5TokenizerTest {
    private static Path write(Path dir, String name, String json) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, json);
        return p;
    }

    @Test
    void encodesPadsAndMasksLikeT5(@TempDir Path dir) throws IOException {
        try (T5Tokenizer t = T5Tokenizer.open(write(dir, "tokenizer.json", TokenizerFixtures.UNIGRAM), 8)) {
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
        Path file = write(dir, "tokenizer.json", TokenizerFixtures.UNIGRAM);
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
        try (T5Tokenizer t = T5Tokenizer.open(write(dir, "words.json", TokenizerFixtures.WORD_LEVEL), 4)) {
            assertThat(t.encode("a dog")).containsExactly(3, 6, 1);
            assertThat(t.encode("a photo of a dog")).containsExactly(3, 4, 5, 1);
            assertThat(t.encode("a cat")).containsExactly(3, 2, 1);
        }
    }

    @Test
    void closedTokenizerFailsLoudly(@TempDir Path dir) throws IOException {
        T5Tokenizer t = T5Tokenizer.open(write(dir, "tokenizer.json", TokenizerFixtures.UNIGRAM), 8);
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
        Path noPad = write(dir, "nopad.json", TokenizerFixtures.UNIGRAM.replace("<pad>", "<blank>"));
        assertThatThrownBy(() -> T5Tokenizer.open(noPad, 8))
                .isInstanceOf(FormatException.class)
                .hasMessageContaining("nopad.json")
                .hasMessageContaining("<pad>");
        assertThatThrownBy(() -> T5Tokenizer.open(dir, 8)).isInstanceOf(FormatException.class);
    }
}
