package dev.arbooth.internal.nn;

import dev.arbooth.config.PixelBudget;
import dev.arbooth.config.Scale;
import dev.arbooth.config.ScaleSchedule;
import dev.arbooth.internal.schedule.ScaleSchedules;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * The 2-D rotary position embedding of Infinity's self-attention ({@code rope2d_normalized_by_hw = 2}, the
 * released models' setting): per token, a row and a column position on a reference grid, and the cos/sin
 * rows that rotate the query and key pairs.
 *
 * <h2>Positions</h2>
 *
 * A token at row {@code r}, column {@code c} of a scale of {@code h × w} tokens gets
 *
 * <pre>
 * row_pos = round_half_even(float32(r) * float32(Hf / h))
 * col_pos = round_half_even(float32(c) * float32(Wf / w))
 * </pre>
 *
 * where {@code Hf × Wf} is the <em>reference grid</em> ({@link #referenceGrid(ScaleSchedule)}). The SOS
 * token (scale 0, 1×1) is at (0, 0). Positions must stay below {@link #GRID_SIDE}.
 *
 * <h2>Angles</h2>
 *
 * With {@code half = headDim / 2} and {@code quarter = half / 2}: {@code inv_freq[i] = 1 / 10000^(2i/half)}
 * in float32 ({@link #invFreq(int)}); column {@code j < quarter} of a token's row has the angle {@code
 * row_pos * inv_freq[j]}, column {@code j >= quarter} the angle {@code col_pos * inv_freq[j - quarter]}
 * (float32 products). Column {@code j} rotates the pair {@code (x[2j], x[2j+1])} of a head:
 * {@code (x0, x1) -> (x0 cos - x1 sin, x0 sin + x1 cos)}. The table row of a token is its index in the
 * sequence ({@link ScaleSchedule#offset(int)} + index inside the scale), also under a KV cache.
 *
 * <p>cos and sin are the float32 roundings of the double-precision functions. The official code evaluates
 * them with PyTorch's float32 kernels (SLEEF, 1-ulp accurate), so individual values may differ from it by
 * 1 ulp; the angles themselves are bit-identical.
 */
public final class Rope2d {
    /** Side of the official angle grid ({@code 2048 / 16}): row and column positions are 0..127. */
    public static final int GRID_SIDE = 128;

    /** The RoPE base θ of the official code. */
    public static final double BASE = 10000.0;

    /**
     * Largest |h/w of the final scale − official ratio| for which a custom schedule borrows the official
     * 1M reference grid of that ratio (the tolerance the official table asserts for its own grids).
     */
    public static final double ASPECT_TOLERANCE = 0.01;

    private final ScaleSchedule schedule;
    private final Scale referenceGrid;
    private final int headDim;
    private final int[] rowPos;
    private final int[] colPos;
    private final float[] cos_LH;
    private final float[] sin_LH;

    private Rope2d(ScaleSchedule schedule, Scale referenceGrid, int headDim) {
        this.schedule = Objects.requireNonNull(schedule, "schedule");
        this.referenceGrid = Objects.requireNonNull(referenceGrid, "referenceGrid");
        this.headDim = headDim;
        float[] invFreq = invFreq(headDim);
        if (referenceGrid.h() > GRID_SIDE || referenceGrid.w() > GRID_SIDE) {
            throw new IllegalArgumentException("RoPE reference grid " + referenceGrid + " exceeds the " + GRID_SIDE
                    + "x" + GRID_SIDE + " angle grid of the official model");
        }
        int quarter = headDim / 4;
        int half = headDim / 2;
        // cos/sin of every (position, frequency) on the angle grid, as the official table holds them
        float[] cosPos = new float[GRID_SIDE * quarter];
        float[] sinPos = new float[GRID_SIDE * quarter];
        for (int p = 0; p < GRID_SIDE; p++) {
            for (int i = 0; i < quarter; i++) {
                float angle = (float) p * invFreq[i];
                cosPos[p * quarter + i] = (float) Math.cos(angle);
                sinPos[p * quarter + i] = (float) Math.sin(angle);
            }
        }
        int tokens = schedule.totalTokens();
        rowPos = new int[tokens];
        colPos = new int[tokens];
        cos_LH = new float[tokens * half];
        sin_LH = new float[tokens * half];
        int t = 0;
        for (int k = 0; k < schedule.size(); k++) {
            Scale s = schedule.get(k);
            for (int r = 0; r < s.h(); r++) {
                int row = position(r, s.h(), referenceGrid.h());
                for (int c = 0; c < s.w(); c++) {
                    int col = position(c, s.w(), referenceGrid.w());
                    if (row >= GRID_SIDE || col >= GRID_SIDE) {
                        throw new IllegalArgumentException("RoPE position (" + row + ", " + col + ") of token (" + r
                                + ", " + c + ") of scale " + k + " (" + s + ") is outside the " + GRID_SIDE + "x"
                                + GRID_SIDE + " angle grid (reference grid " + referenceGrid + ")");
                    }
                    rowPos[t] = row;
                    colPos[t] = col;
                    int o = t * half;
                    System.arraycopy(cosPos, row * quarter, cos_LH, o, quarter);
                    System.arraycopy(sinPos, row * quarter, sin_LH, o, quarter);
                    System.arraycopy(cosPos, col * quarter, cos_LH, o + quarter, quarter);
                    System.arraycopy(sinPos, col * quarter, sin_LH, o + quarter, quarter);
                    t++;
                }
            }
        }
    }

    /**
     * The RoPE of a schedule on its default reference grid ({@link #referenceGrid(ScaleSchedule)}).
     *
     * @param schedule the scale schedule
     * @param headDim the attention head dimension, a positive multiple of 4
     * @return the positions and cos/sin rows of every token
     * @throws IllegalArgumentException if the head dimension is invalid or a position leaves the angle grid
     */
    public static Rope2d of(ScaleSchedule schedule, int headDim) {
        return new Rope2d(schedule, referenceGrid(schedule), headDim);
    }

    /**
     * The RoPE of a schedule on an explicit reference grid.
     *
     * @param schedule the scale schedule
     * @param referenceGrid the grid positions are normalised to, at most {@value #GRID_SIDE} per side
     * @param headDim the attention head dimension, a positive multiple of 4
     * @return the positions and cos/sin rows of every token
     * @throws IllegalArgumentException if the head dimension or grid is invalid
     */
    public static Rope2d of(ScaleSchedule schedule, Scale referenceGrid, int headDim) {
        return new Rope2d(schedule, referenceGrid, headDim);
    }

    /**
     * The grid a schedule's positions are normalised to.
     *
     * <ol>
     *   <li>A schedule that starts an official 1M schedule (every official schedule, of any budget, and any
     *       of them cut short): the final grid of that 1M schedule, e.g. 64×64 for 1:1, 72×54 for 1.333.
     *       This is exactly the official behaviour.
     *   <li>Another schedule whose final h/w is within {@value #ASPECT_TOLERANCE} of the nearest official
     *       ratio and whose final grid fits inside that ratio's 1M final grid: that 1M final grid, so a
     *       custom schedule spreads over the positions the official model was trained on.
     *   <li>Otherwise: the schedule's own final grid (its final scale's tokens sit at their integer
     *       indices).
     * </ol>
     *
     * @param schedule the scale schedule
     * @return the reference grid
     */
    public static Scale referenceGrid(ScaleSchedule schedule) {
        Optional<String> official = ScaleSchedules.officialAspectRatioOf(schedule);
        if (official.isPresent()) {
            return ScaleSchedules.lookup(official.get(), PixelBudget.MP_1.label())
                    .schedule()
                    .last();
        }
        String closest = ScaleSchedules.closestAspectRatio(schedule.hDivW());
        Scale ref = ScaleSchedules.lookup(closest, PixelBudget.MP_1.label())
                .schedule()
                .last();
        Scale last = schedule.last();
        if (Math.abs(schedule.hDivW() - Double.parseDouble(closest)) <= ASPECT_TOLERANCE
                && last.h() <= ref.h()
                && last.w() <= ref.w()) {
            return ref;
        }
        return last;
    }

    /**
     * The inverse frequencies, float32 as in the official code: {@code 1 / float32(10000^float32(2i/half))}.
     *
     * @param headDim the attention head dimension, a positive multiple of 4
     * @return {@code headDim / 4} inverse frequencies
     * @throws IllegalArgumentException if {@code headDim} is not a positive multiple of 4
     */
    public static float[] invFreq(int headDim) {
        if (headDim < 4 || headDim % 4 != 0) {
            throw new IllegalArgumentException(
                    "2-D RoPE needs a head dimension that is a positive multiple of 4, got " + headDim);
        }
        int half = headDim / 2;
        float[] inv = new float[half / 2];
        for (int i = 0; i < inv.length; i++) {
            float exponent = (float) (2 * i) / (float) half;
            inv[i] = 1.0f / (float) Math.pow(BASE, exponent);
        }
        return inv;
    }

    /**
     * One coordinate of the position rule: {@code round_half_even(float32(index) * float32(reference /
     * size))}.
     *
     * @param index the row (or column) inside the scale, 0..size-1
     * @param size the scale's height (or width)
     * @param reference the reference grid's height (or width)
     * @return the position on the angle grid
     */
    public static int position(int index, int size, int reference) {
        float ratio = (float) ((double) reference / size);
        return (int) Math.rint((float) index * ratio);
    }

    /**
     * The schedule.
     *
     * @return the scale schedule these rows are for
     */
    public ScaleSchedule schedule() {
        return schedule;
    }

    /**
     * The reference grid positions are normalised to.
     *
     * @return {@code Hf × Wf}
     */
    public Scale referenceGrid() {
        return referenceGrid;
    }

    /**
     * The head dimension.
     *
     * @return hd
     */
    public int headDim() {
        return headDim;
    }

    /**
     * The width of a cos/sin row.
     *
     * @return {@code headDim / 2}, one column per rotated pair
     */
    public int half() {
        return headDim / 2;
    }

    /**
     * The row position of a token.
     *
     * @param token the token index in the sequence, 0..L-1
     * @return its row position on the angle grid
     */
    public int rowPosition(int token) {
        return rowPos[token];
    }

    /**
     * The column position of a token.
     *
     * @param token the token index in the sequence, 0..L-1
     * @return its column position on the angle grid
     */
    public int colPosition(int token) {
        return colPos[token];
    }

    /**
     * The cos rows of all tokens, {@code cos_LH} of shape {@code [L, half]}.
     *
     * @return a copy, row-major
     */
    public float[] cos() {
        return cos_LH.clone();
    }

    /**
     * The sin rows of all tokens, {@code sin_LH} of shape {@code [L, half]}.
     *
     * @return a copy, row-major
     */
    public float[] sin() {
        return sin_LH.clone();
    }

    /**
     * The cos rows of one scale's tokens (the rows a KV-cached step at that scale uses).
     *
     * @param scaleIndex the scale index k
     * @return {@code [h_k * w_k, half]}, rows {@code offset(k)..offset(k+1)-1} of {@link #cos()}
     */
    public float[] cos(int scaleIndex) {
        return rows(cos_LH, scaleIndex);
    }

    /**
     * The sin rows of one scale's tokens (the rows a KV-cached step at that scale uses).
     *
     * @param scaleIndex the scale index k
     * @return {@code [h_k * w_k, half]}, rows {@code offset(k)..offset(k+1)-1} of {@link #sin()}
     */
    public float[] sin(int scaleIndex) {
        return rows(sin_LH, scaleIndex);
    }

    private float[] rows(float[] table, int scaleIndex) {
        Objects.checkIndex(scaleIndex, schedule.size());
        int half = half();
        return Arrays.copyOfRange(table, schedule.offset(scaleIndex) * half, schedule.offset(scaleIndex + 1) * half);
    }

    @Override
    public String toString() {
        return "Rope2d[headDim=" + headDim + ", reference " + referenceGrid + ", " + schedule + "]";
    }
}
