package dev.arbooth.internal.nn;

import dev.arbooth.config.ScaleSchedule;
import java.util.Objects;

/**
 * The per-schedule constants of a teacher-forced pass ({@link InfinityNet#teacherForcedTables}): every token's
 * level embedding, the RoPE angles of all {@code L} tokens and the chunks of the block-causal attention. Made
 * once per pass and shared by every block, so that a pass run block by block ({@link InfinityNet#block}) uses
 * the same tables as {@link InfinityNet#forward}.
 *
 * @param <T> the engine's tensor handle
 */
public final class TeacherForcedTables<T> {
    private final ScaleSchedule schedule;
    private final T lvl_LC;
    private final RopeTables<T> angles;
    private final AttentionChunks chunks;

    TeacherForcedTables(ScaleSchedule schedule, T lvl_LC, RopeTables<T> angles, AttentionChunks chunks) {
        this.schedule = Objects.requireNonNull(schedule, "schedule");
        this.lvl_LC = Objects.requireNonNull(lvl_LC, "lvl_LC");
        this.angles = Objects.requireNonNull(angles, "angles");
        this.chunks = Objects.requireNonNull(chunks, "chunks");
        if (chunks.tokens() != schedule.totalTokens()) {
            throw new IllegalArgumentException("attention chunks cover " + chunks.tokens()
                    + " tokens, the schedule has " + schedule.totalTokens());
        }
    }

    /**
     * The schedule.
     *
     * @return the scale schedule
     */
    public ScaleSchedule schedule() {
        return schedule;
    }

    /**
     * The chunks of the block-causal self-attention.
     *
     * @return the chunks
     */
    public AttentionChunks chunks() {
        return chunks;
    }

    T lvl_LC() {
        return lvl_LC;
    }

    RopeTables<T> angles() {
        return angles;
    }
}
