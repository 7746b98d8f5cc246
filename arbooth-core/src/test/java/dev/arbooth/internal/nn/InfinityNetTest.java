package dev.arbooth.internal.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.arbooth.config.InfinityConfig;
import dev.arbooth.config.ScaleSchedule;
import org.junit.jupiter.api.Test;

class InfinityNetTest {
    private static final float X = Float.NEGATIVE_INFINITY;

    @Test
    void textBiasKeepsEveryRowOnItsOwnTokens() {
        assertThat(InfinityNet.textBias(new int[] {2, 1, 3}))
                .containsExactly(0, 0, X, X, X, X, X, X, 0, X, X, X, X, X, X, 0, 0, 0);
        assertThatThrownBy(() -> InfinityNet.textBias(new int[] {2, 0}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("[2, 0]");
    }

    @Test
    void blockCausalBiasOpensWholeScales() {
        ScaleSchedule s = ScaleSchedule.of(new int[] {1, 1}, new int[] {1, 2});
        assertThat(InfinityNet.blockCausalBias(s)).containsExactly(0, X, X, 0, 0, 0, 0, 0, 0);
    }

    @Test
    void theChunksBiasIsTheBlockCausalBiasHoweverTheScalesAreCut() {
        ScaleSchedule s = ScaleSchedule.of(new int[] {1, 1}, new int[] {2, 2}, new int[] {3, 3});
        for (long budget : new long[] {1, 20, Long.MAX_VALUE}) {
            AttentionChunks chunks = AttentionChunks.blockCausal(s, budget);
            assertThat(chunks.bias()).as("budget %d", budget).containsExactly(InfinityNet.blockCausalBias(s));
        }
        assertThat(AttentionChunks.blockCausal(s, 20).chunks()).hasSizeGreaterThan(s.size());
    }

    @Test
    void rejectsVariantsItDoesNotImplement() {
        InfinityConfig noCos =
                InfinityConfig.goldenSet1().toBuilder().cosAttn(false).build();
        assertThatThrownBy(() -> InfinityNet.of(noCos))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cosAttn");
        assertThat(InfinityNet.of(InfinityConfig.goldenSet1()).config()).isEqualTo(InfinityConfig.goldenSet1());
    }
}
