package dev.arbooth.internal.nn;

import dev.arbooth.config.ScaleSchedule;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * How the block-causal self-attention of the teacher-forced forward is computed in pieces ({@link
 * Ops#blockCausalAttention}): chunk {@code c} runs the queries {@code [queryStart, queryEnd)} against the keys
 * {@code [0, keyEnd)}. Every chunk lies inside one scale, whose tokens all see exactly the tokens of their own
 * and earlier scales, so a chunk needs no mask: the {@code (L, L)} score matrix and the {@code (L, L)} bias are
 * never formed. A scale whose score block {@code n_k · offset(k+1)} exceeds the budget is split into near-equal
 * query ranges, so no chunk holds more than {@code maxScoresPerHead} scores per row and head (unless one query
 * row alone is longer).
 *
 * @param chunks the chunks in query order, covering {@code [0, L)} without gaps
 * @param tokens L
 */
public record AttentionChunks(List<Chunk> chunks, int tokens) {
    /**
     * One piece of the block-causal attention.
     *
     * @param queryStart the first query token
     * @param queryEnd one past the last query token
     * @param keyEnd one past the last key every query of the chunk sees
     */
    public record Chunk(int queryStart, int queryEnd, int keyEnd) {
        /**
         * Validates.
         *
         * @param queryStart at least 0
         * @param queryEnd above {@code queryStart}
         * @param keyEnd at least {@code queryEnd} (a query sees itself)
         */
        public Chunk {
            if (queryStart < 0 || queryEnd <= queryStart || keyEnd < queryEnd) {
                throw new IllegalArgumentException("attention chunk needs 0 <= queryStart < queryEnd <= keyEnd, got "
                        + queryStart + ", " + queryEnd + ", " + keyEnd);
            }
        }

        /**
         * The scores of this chunk per row and head.
         *
         * @return {@code (queryEnd - queryStart) · keyEnd}
         */
        public long scores() {
            return (long) (queryEnd - queryStart) * keyEnd;
        }
    }

    /**
     * Validates and copies.
     *
     * @param chunks contiguous from token 0 to {@code tokens}
     * @param tokens L, at least 1
     */
    public AttentionChunks {
        chunks = List.copyOf(chunks);
        int next = 0;
        for (Chunk c : chunks) {
            Objects.requireNonNull(c, "chunk");
            if (c.queryStart() != next || c.keyEnd() > tokens) {
                throw new IllegalArgumentException("attention chunks must cover tokens 0.." + tokens
                        + " contiguously with keys inside it, got " + chunks);
            }
            next = c.queryEnd();
        }
        if (next != tokens || tokens < 1) {
            throw new IllegalArgumentException(
                    "attention chunks must cover tokens 0.." + tokens + ", they end at " + next);
        }
    }

    /**
     * The chunks of a schedule: scale by scale, a scale split into near-equal query ranges where its scores
     * per row and head would exceed {@code maxScoresPerHead}.
     *
     * @param schedule the scale schedule
     * @param maxScoresPerHead the budget of one chunk's scores per row and head, at least 1
     * @return the chunks
     */
    public static AttentionChunks blockCausal(ScaleSchedule schedule, long maxScoresPerHead) {
        if (maxScoresPerHead < 1) {
            throw new IllegalArgumentException("maxScoresPerHead must be at least 1, got " + maxScoresPerHead);
        }
        List<Chunk> out = new ArrayList<>();
        for (int k = 0; k < schedule.size(); k++) {
            int start = schedule.offset(k);
            int end = schedule.offset(k + 1);
            int n = end - start;
            long pieces = Math.max(1, Math.min(n, ((long) n * end + maxScoresPerHead - 1) / maxScoresPerHead));
            for (long p = 0; p < pieces; p++) {
                int a = start + (int) (n * p / pieces);
                int b = start + (int) (n * (p + 1) / pieces);
                out.add(new Chunk(a, b, end));
            }
        }
        return new AttentionChunks(out, schedule.totalTokens());
    }

    /**
     * The scores the chunks compute per row and head (the block-causal area; the dense form computes
     * {@code L²}).
     *
     * @return the sum of every chunk's scores
     */
    public long totalScores() {
        long s = 0;
        for (Chunk c : chunks) {
            s += c.scores();
        }
        return s;
    }

    /**
     * The chunks as one additive {@code (L, L)} bias: row {@code i} is 0 on the keys its chunk sees and {@code −∞}
     * on the rest (for an engine that attends in one masked dense pass where the scores are small).
     *
     * @return {@code (L, L)} row-major, 0 or -inf
     */
    public float[] bias() {
        float[] bias_LL = new float[Math.multiplyExact(tokens, tokens)];
        for (Chunk c : chunks) {
            for (int i = c.queryStart(); i < c.queryEnd(); i++) {
                Arrays.fill(bias_LL, i * tokens + c.keyEnd(), (i + 1) * tokens, Float.NEGATIVE_INFINITY);
            }
        }
        return bias_LL;
    }

    /**
     * The largest chunk's scores per row and head: what one chunk's score or probability tensor holds.
     *
     * @return the maximum of the chunks' scores
     */
    public long peakScores() {
        long m = 0;
        for (Chunk c : chunks) {
            m = Math.max(m, c.scores());
        }
        return m;
    }
}
