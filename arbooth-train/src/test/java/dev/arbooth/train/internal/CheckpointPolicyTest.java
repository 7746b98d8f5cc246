package dev.arbooth.train.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.arbooth.base.BaseModel;
import dev.arbooth.config.InfinityConfig;
import dev.arbooth.config.ScaleSchedule;
import org.junit.jupiter.api.Test;

/**
 * The rule that picks block checkpointing ({@link ArboothIteration#checkpointed}): the estimate of a recorded pass
 * ({@link DjlInfinity#recordedPassBytes}) against {@link ArboothIteration#RECORDED_PASS_BUDGET}.
 */
class CheckpointPolicyTest {
    /** The mid configuration of the benchmarks (depth 8, C 512, 8 heads, FFN 2048, 32 bits; 0.25M 1:1, L 2521). */
    private static final InfinityConfig MID = InfinityConfig.goldenSet1().toBuilder()
            .depth(8)
            .blockChunks(8)
            .embedDim(512)
            .numHeads(8)
            .ffnHidden(2048)
            .textChannels(2048)
            .textMaxLength(512)
            .codebookDim(32)
            .build();

    @Test
    void infinitySizedPassesAreCheckpointedSmallOnesRecorded() {
        ScaleSchedule mid = ScaleSchedule.official("1.000", "0.25M");
        long midBytes = DjlInfinity.recordedPassBytes(MID, 2, mid);
        assertThat(midBytes).isGreaterThan(ArboothIteration.RECORDED_PASS_BUDGET);
        // the figures the Javadoc states: the fused attention keeps no scores, the composed one scores and
        // probabilities
        if (FusedAttention.shared().isPresent()) {
            assertThat(midBytes / 1e9).isBetween(1.95, 2.05);
        } else {
            assertThat(midBytes / 1e9).isBetween(6.0, 6.15);
        }

        BaseModel toy = BaseModel.bundled();
        long toyFit = DjlInfinity.recordedPassBytes(toy.infinity(), 2, toy.schedule());
        long toyPretraining = DjlInfinity.recordedPassBytes(toy.infinity(), 32, toy.schedule());
        assertThat(toyFit / 1e6).isBetween(15.0, 25.0);
        assertThat(toyPretraining).isLessThan(ArboothIteration.RECORDED_PASS_BUDGET);

        ScaleSchedule golden = ScaleSchedule.official("1.000", "0.06M");
        assertThat(DjlInfinity.recordedPassBytes(InfinityConfig.goldenSet1(), 2, golden))
                .isLessThan(ArboothIteration.RECORDED_PASS_BUDGET);
        // linear in the rows
        assertThat(DjlInfinity.recordedPassBytes(MID, 4, mid)).isEqualTo(2 * midBytes);
    }
}
