package dev.arbooth.config;

import dev.arbooth.internal.schedule.ScaleSchedules;
import java.util.Arrays;
import java.util.List;

/**
 * A next-scale schedule: the scales from the 1×1 start token to the final token grid, in order.
 *
 * <p>Sequence order is scale-major, row-major inside a scale; {@link #offset(int)} gives where each scale's
 * tokens start in the sequence of {@link #totalTokens()} tokens.
 *
 * <p>Every schedule, official or custom, satisfies two rules, checked by {@link #of(List)}:
 *
 * <ul>
 *   <li>the first scale is 1×1: token 0 is the start-of-sequence token (the pooled text vector plus
 *       {@code pos_start}), a single vector, never a code;
 *   <li>scales never shrink: {@code h} and {@code w} are each non-decreasing from one scale to the next (a
 *       scale may repeat its predecessor's size). The running code sum lives at the final scale, so the
 *       final scale is the largest in both directions.
 * </ul>
 *
 * <p>Every entry of the official table ({@link #official(double, PixelBudget)}) satisfies them. How many scales a
 * model accepts is the model's business ({@link InfinityConfig#requireCompatible(ScaleSchedule)}).
 *
 * <pre>{@code
 * ScaleSchedule s = ScaleSchedule.official(1.0, PixelBudget.MP_0_06);   // 1x1 ... 16x16, 521 tokens
 * ScaleSchedule t = ScaleSchedule.official("0.750", "1M");              // 3:4 landscape, final grid 54x72
 * ScaleSchedule c = ScaleSchedule.of(new int[] {1, 1}, new int[] {2, 2}, new int[] {4, 4});  // custom
 * }</pre>
 */
public final class ScaleSchedule {
    private final List<Scale> scales;
    private final int[] offsets;

    private ScaleSchedule(List<Scale> scales) {
        if (scales.isEmpty()) {
            throw new IllegalArgumentException("A scale schedule needs at least one scale");
        }
        Scale first = scales.get(0);
        if (first.h() != 1 || first.w() != 1) {
            throw new IllegalArgumentException("A scale schedule must start with the 1x1 scale (the start-of-sequence"
                    + " token), got " + first + " in " + scales);
        }
        for (int k = 1; k < scales.size(); k++) {
            Scale prev = scales.get(k - 1);
            Scale cur = scales.get(k);
            if (cur.h() < prev.h() || cur.w() < prev.w()) {
                throw new IllegalArgumentException("Scale " + k + " (" + cur + ") is smaller than scale " + (k - 1)
                        + " (" + prev + "); heights and widths must not decrease, in " + scales);
            }
        }
        this.scales = List.copyOf(scales);
        this.offsets = new int[scales.size() + 1];
        for (int k = 0; k < scales.size(); k++) {
            offsets[k + 1] = Math.addExact(offsets[k], scales.get(k).tokens());
        }
    }

    /**
     * The official schedule (Infinity's {@code dynamic_resolution_h_w} table) for the aspect ratio nearest to
     * {@code hDivW}, chosen as the official code chooses it.
     *
     * @param hDivW the wanted height / width, positive and finite
     * @param budget the pixel budget
     * @return the schedule
     * @throws IllegalArgumentException if {@code hDivW} is not positive and finite
     */
    public static ScaleSchedule official(double hDivW, PixelBudget budget) {
        return ScaleSchedules.official(hDivW, budget);
    }

    /**
     * The official schedule with exactly these keys of the official table.
     *
     * @param aspectRatio an official aspect-ratio key such as {@code "1.000"}, {@code "1.333"} or {@code "0.750"}
     * @param budget a budget label: {@code "0.06M"}, {@code "0.25M"}, {@code "0.60M"} or {@code "1M"}
     * @return the schedule
     * @throws IllegalArgumentException if either key is not in the table
     */
    public static ScaleSchedule official(String aspectRatio, String budget) {
        return ScaleSchedules.official(aspectRatio, budget);
    }

    /**
     * A schedule from its scales.
     *
     * @param scales the scales, coarse to fine
     * @return the schedule
     * @throws IllegalArgumentException if the list is empty, does not start with 1×1, or shrinks somewhere
     */
    public static ScaleSchedule of(List<Scale> scales) {
        return new ScaleSchedule(scales);
    }

    /**
     * A schedule from {@code (h, w)} pairs.
     *
     * @param hw pairs {@code {h, w}}, coarse to fine
     * @return the schedule
     * @throws IllegalArgumentException if a pair is not of length 2 or the schedule breaks a rule of {@link
     *     #of(List)}
     */
    public static ScaleSchedule of(int[]... hw) {
        return new ScaleSchedule(Arrays.stream(hw)
                .map(p -> {
                    if (p.length != 2) {
                        throw new IllegalArgumentException("Expected {h, w} pairs, got " + Arrays.toString(p));
                    }
                    return new Scale(p[0], p[1]);
                })
                .toList());
    }

    /**
     * The scales.
     *
     * @return the scales, coarse to fine
     */
    public List<Scale> scales() {
        return scales;
    }

    /**
     * The number of scales.
     *
     * @return S
     */
    public int size() {
        return scales.size();
    }

    /**
     * One scale.
     *
     * @param k the scale index
     * @return the scale
     */
    public Scale get(int k) {
        return scales.get(k);
    }

    /**
     * The final (largest) scale, the size of the code sum handed to the VAE decoder.
     *
     * @return the last scale
     */
    public Scale last() {
        return scales.get(scales.size() - 1);
    }

    /**
     * Where scale {@code k}'s tokens start in the sequence.
     *
     * @param k the scale index, 0..S (S gives {@link #totalTokens()})
     * @return the token offset
     */
    public int offset(int k) {
        return offsets[k];
    }

    /**
     * All token offsets.
     *
     * @return S+1 offsets, the last being the total token count
     */
    public int[] offsets() {
        return offsets.clone();
    }

    /**
     * The total number of tokens L.
     *
     * @return the sum of the scales' token counts
     */
    public int totalTokens() {
        return offsets[offsets.length - 1];
    }

    /**
     * The scale index of every token.
     *
     * @return an array of length L
     */
    public int[] scaleIndexPerToken() {
        int[] out = new int[totalTokens()];
        for (int k = 0; k < size(); k++) {
            Arrays.fill(out, offsets[k], offsets[k + 1], k);
        }
        return out;
    }

    /**
     * The first {@code n} scales, the schedule of a generation stopped early.
     *
     * @param n how many scales to keep, 1..S
     * @return the prefix schedule
     * @throws IllegalArgumentException if {@code n} is out of range
     */
    public ScaleSchedule prefix(int n) {
        if (n < 1 || n > scales.size()) {
            throw new IllegalArgumentException("Prefix length must be in 1.." + scales.size() + ", got " + n);
        }
        return n == scales.size() ? this : new ScaleSchedule(scales.subList(0, n));
    }

    /**
     * Whether this schedule's scales are the first scales of {@code other} (every official schedule is a
     * prefix of the 1M schedule of its aspect ratio).
     *
     * @param other a schedule at least as long as this one
     * @return whether {@code other} starts with exactly this schedule's scales
     */
    public boolean isPrefixOf(ScaleSchedule other) {
        return other.scales.size() >= scales.size()
                && other.scales.subList(0, scales.size()).equals(scales);
    }

    /**
     * The aspect ratio of the final scale.
     *
     * @return {@code h / w} of {@link #last()}
     */
    public double hDivW() {
        return (double) last().h() / last().w();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ScaleSchedule s && scales.equals(s.scales);
    }

    @Override
    public int hashCode() {
        return scales.hashCode();
    }

    @Override
    public String toString() {
        return "ScaleSchedule" + scales;
    }
}
