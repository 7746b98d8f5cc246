package dev.arbooth.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.arbooth.tensor.Tensor;
import org.junit.jupiter.api.Test;

class TextFeaturesTest {
    @Test
    void repeatEachCopiesEveryPromptsRowsPromptMajor() {
        // prompt 0: rows [1 2], [3 4]; prompt 1: row [5 6]
        TextFeatures f = TextFeatures.of(Tensor.ofFloats(new float[] {1, 2, 3, 4, 5, 6}, 3, 2), new int[] {2, 1});
        TextFeatures r = f.repeatEach(3);
        assertThat(r.lengths()).containsExactly(2, 2, 2, 1, 1, 1);
        assertThat(r.kvCompact().shape()).containsExactly(9, 2);
        assertThat(r.kvCompact().toFloatArray()).containsExactly(1, 2, 3, 4, 1, 2, 3, 4, 1, 2, 3, 4, 5, 6, 5, 6, 5, 6);
        assertThat(f.repeatEach(1)).isSameAs(f);
        TextFeatures part = f.imageRows(3, 2, 3); // image 2 of prompt 0, images 0 and 1 of prompt 1
        assertThat(part.lengths()).containsExactly(2, 1, 1);
        assertThat(part.kvCompact().toFloatArray()).containsExactly(1, 2, 3, 4, 5, 6, 5, 6);
        assertThatThrownBy(() -> f.imageRows(3, 5, 2)).hasMessageContaining("out of range");
        assertThatThrownBy(() -> f.repeatEach(0)).hasMessageContaining("at least 1");
    }
}
