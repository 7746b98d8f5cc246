package dev.arbooth.config;

import java.util.Arrays;
import java.util.List;

/**
 * A next-scale schedule: the scales from the 1×1 start token to the final token grid, in order.
 *
 * <p>Sequence order is scale-major, row-major inside a scale; {@link #offset(int)} gives where each scale's
 * tokens start in the sequence of {@link #totalTokens()} tokens.
 */
public final class ScaleSchedule {
    private final List<Scale> scales;
    private final int[] offsets;

    private ScaleSchedule(List<Scale> scales) {
        if (scales.isEmpty()) {
            throw new IllegalArgumentException("A scale schedule needs at least one scale");
        }
        this.scales = List.copyOf(scales);
        this.offsets = new int[scales.size() + 1];
        for (int k = 0; k < scales.size(); k++) {
            offsets[k + 1] = Math.addExact(offsets[k], scales.get(k).tokens());
        }
    }

    /**
     * A schedule from its scales.
     *
     * @param scales the scales, coarse to fine
     * @return the schedule
     */
    public static ScaleSchedule of(List<Scale> scales) {
        return new ScaleSchedule(scales);
    }

    /**
     * A schedule from {@code (h, w)} pairs.
     *
     * @param hw pairs {@code {h, w}}, coarse to fine
     * @return the schedule
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
