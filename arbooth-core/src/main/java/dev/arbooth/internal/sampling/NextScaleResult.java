package dev.arbooth.internal.sampling;

import dev.arbooth.config.ScaleSchedule;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What a {@link NextScaleLoop} run produced: the sampled bits of every scale and the summed codes, the VAE
 * decoder's input. Immutable (accessors return copies).
 */
public final class NextScaleResult {
    private final ScaleSchedule schedule;
    private final int batch;
    private final int d;
    private final List<long[]> bits_BhwD;
    private final float[] summedCodes_BdHW;

    NextScaleResult(ScaleSchedule schedule, int batch, int d, List<long[]> bits_BhwD, float[] summedCodes_BdHW) {
        this.schedule = Objects.requireNonNull(schedule, "schedule");
        this.batch = batch;
        this.d = d;
        this.bits_BhwD = List.copyOf(bits_BhwD);
        this.summedCodes_BdHW = summedCodes_BdHW.clone();
    }

    /**
     * The schedule.
     *
     * @return the scale schedule sampled
     */
    public ScaleSchedule schedule() {
        return schedule;
    }

    /**
     * The batch size.
     *
     * @return B
     */
    public int batch() {
        return batch;
    }

    /**
     * Bits per token.
     *
     * @return d
     */
    public int bitsPerToken() {
        return d;
    }

    /**
     * The bits of one scale.
     *
     * @param k the scale index
     * @return a copy, {@code (B, h_k, w_k, d)} in {0, 1}
     */
    public long[] bits(int k) {
        return bits_BhwD.get(k).clone();
    }

    /**
     * The bits of every scale.
     *
     * @return copies, S arrays of {@code (B, h_k, w_k, d)}
     */
    public List<long[]> bits() {
        List<long[]> out = new ArrayList<>(bits_BhwD.size());
        for (long[] b : bits_BhwD) {
            out.add(b.clone());
        }
        return out;
    }

    /**
     * The summed codes.
     *
     * @return a copy, {@code (B, d, H, W)} at the final scale
     */
    public float[] summedCodes() {
        return summedCodes_BdHW.clone();
    }

    /**
     * Decodes the summed codes to images.
     *
     * @param decoder the VAE decoder
     * @return the images {@code (B, 3, H', W')} in {@code [-1, 1]}
     */
    public float[] decode(CodeDecoder decoder) {
        return decoder.decode(summedCodes_BdHW.clone(), batch, d, schedule.last());
    }
}
