package dev.arbooth.text.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.arbooth.ArboothException;
import dev.arbooth.ShapeMismatchException;
import dev.arbooth.tensor.Tensor;
import dev.arbooth.text.TextFeatures;
import dev.arbooth.text.testing.TokenizerFixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdentifierRowsTest {
    @Test
    void findsAndReplacesEveryOccurrence(@TempDir Path dir) throws IOException {
        Path json = dir.resolve("tokenizer.json");
        Files.writeString(json, TokenizerFixtures.UNIGRAM);
        try (T5Tokenizer tok = T5Tokenizer.open(json, 16)) {
            // "on" plays the identifier: one token; "a dog" a two-token identifier
            long[] id = tok.encodeWord("on");
            assertThat(id).hasSize(1);
            TokenBatch batch = tok.encode(List.of("a dog on the beach on", "a cat"), T5Tokenizer.Padding.LONGEST);
            assertThat(IdentifierRows.positions(batch, id)).isDeepEqualTo(new int[][] {{2, 5}, {}});
            assertThat(IdentifierRows.positions(batch, tok.encodeWord("a dog"))).isDeepEqualTo(new int[][] {{0}, {}});

            int[] lens = batch.lengths(); // 7 and 3 (with </s>)
            int d = 4;
            int n = lens[0] + lens[1];
            float[] rows = new float[n * d];
            for (int i = 0; i < rows.length; i++) {
                rows[i] = i;
            }
            TextFeatures f = TextFeatures.of(Tensor.ofFloats(rows, n, d), lens);
            Tensor emb = Tensor.ofFloats(new float[] {-1, -2, -3, -4}, 1, d);
            float[] out =
                    IdentifierRows.replace(batch, f, id, emb, false).kvCompact().toFloatArray();
            for (int r = 0; r < n; r++) {
                for (int c = 0; c < d; c++) {
                    float want = (r == 2 || r == 5) ? -(c + 1) : r * d + c;
                    assertThat(out[r * d + c]).as("row %d col %d", r, c).isEqualTo(want);
                }
            }
            assertThatThrownBy(() -> IdentifierRows.replace(batch, f, id, emb, true))
                    .isInstanceOf(ArboothException.class)
                    .hasMessageContaining("prompt 1 does not contain the identifier");
            assertThatThrownBy(() -> IdentifierRows.replace(batch, f, id, Tensor.ofFloats(new float[8], 2, d), false))
                    .isInstanceOf(ShapeMismatchException.class);
        }
    }
}
