package dev.arbooth.internal.sampling;

import dev.arbooth.ShapeMismatchException;
import dev.arbooth.config.Scale;
import dev.arbooth.config.ScaleSchedule;
import java.util.Arrays;
import java.util.Objects;

/**
 * The running code sum of next-scale prediction (official {@code autoregressive_infer_cfg}, step 5, and
 * {@code BitwiseSelfCorrection.flip_requant}) and the next-scale input derived from it.
 *
 * <p>Feed the scales in order, {@code k = 0..S-1}: {@link #addCodes} (or {@link #addBits}) adds
 * {@code trilinear(codes_k → final size)} to the sum, or the codes themselves at the last scale; after
 * scale {@code k < S-1}, {@link #nextInput(float[], int, int)} gives the input of scale {@code k+1}:
 * the sum resized to scale {@code k+1} and flattened row-major to tokens {@code (B, h*w, d)}. After the
 * last scale {@link #summedCodes()} is the VAE decoder's input.
 *
 * <p>Which resizes: official Infinity uses trilinear for both steps, in training and inference; ARBooth's
 * own inference ({@code infinity_final.py}) resizes the sum to the next scale with {@link Resize#AREA}.
 * PyTorch's trilinear rounds differently (by an ulp) for the channels-last tensors of official inference
 * and the contiguous ones of training, hence the factories: {@link #create(ScaleSchedule, int, int)}
 * (official inference, {@link Resize#TRILINEAR_CHANNELS_LAST} for both steps),
 * {@link #create(ScaleSchedule, int, int, Resize)} (chosen next-input resize, e.g. ARBooth's AREA),
 * {@link #forTraining} (official teacher forcing, {@link Resize#TRILINEAR} for both steps), and the general
 * {@link #create(ScaleSchedule, int, int, Resize, Resize)}.
 *
 * <p>Layouts: codes {@code codes_BdHW} are {@code (B, d, h_k, w_k)}, bits {@code bits_BhwD} are
 * {@code (B, h_k, w_k, d)}, the sum is {@code (B, d, H, W)} with {@code (H, W)} the last scale, next inputs
 * are {@code (B, h*w, d)}. All buffers are allocated once at creation; {@link #reset()} makes the
 * accumulator reusable for another generation or training step. Not thread-safe.
 */
public final class CodeAccumulator {
    private final ScaleSchedule schedule;
    private final int batch;
    private final int d;
    private final Resize sumResize;
    private final Resize nextInputResize;
    private final int finalH;
    private final int finalW;
    private final float[] summed_BdHW;
    private final float[] codes_BdHW;
    private int added;

    private CodeAccumulator(ScaleSchedule schedule, int batch, int d, Resize sumResize, Resize nextInputResize) {
        this.schedule = Objects.requireNonNull(schedule, "schedule");
        this.sumResize = Objects.requireNonNull(sumResize, "sumResize");
        this.nextInputResize = Objects.requireNonNull(nextInputResize, "nextInputResize");
        if (batch < 1 || d < 1) {
            throw new IllegalArgumentException("batch and d must be at least 1, got batch=" + batch + ", d=" + d);
        }
        this.batch = batch;
        this.d = d;
        this.finalH = schedule.last().h();
        this.finalW = schedule.last().w();
        this.summed_BdHW = new float[Math.multiplyExact(Math.multiplyExact(batch, d), finalH * finalW)];
        int maxTokens = schedule.scales().stream().mapToInt(Scale::tokens).max().orElseThrow();
        this.codes_BdHW = new float[Math.multiplyExact(Math.multiplyExact(batch, d), maxTokens)];
    }

    /**
     * An accumulator computing what official inference computes ({@link Resize#TRILINEAR_CHANNELS_LAST} for the
     * sum and the next-scale input).
     *
     * @param schedule the scale schedule
     * @param batch B, the rows of one guidance half (not 2B)
     * @param d bits per token
     * @return an empty accumulator
     */
    public static CodeAccumulator create(ScaleSchedule schedule, int batch, int d) {
        return create(schedule, batch, d, Resize.TRILINEAR_CHANNELS_LAST);
    }

    /**
     * An inference accumulator with a chosen next-scale input resize ({@link Resize#AREA} for ARBooth's
     * inference); the sum is accumulated with {@link Resize#TRILINEAR_CHANNELS_LAST}.
     *
     * @param schedule the scale schedule
     * @param batch B
     * @param d bits per token
     * @param nextInputResize how the sum is resized to the next scale
     * @return an empty accumulator
     */
    public static CodeAccumulator create(ScaleSchedule schedule, int batch, int d, Resize nextInputResize) {
        return create(schedule, batch, d, Resize.TRILINEAR_CHANNELS_LAST, nextInputResize);
    }

    /**
     * An accumulator computing what official teacher forcing ({@code flip_requant}) computes
     * ({@link Resize#TRILINEAR} for the sum and the next-scale input).
     *
     * @param schedule the scale schedule
     * @param batch B
     * @param d bits per token
     * @return an empty accumulator
     */
    public static CodeAccumulator forTraining(ScaleSchedule schedule, int batch, int d) {
        return create(schedule, batch, d, Resize.TRILINEAR, Resize.TRILINEAR);
    }

    /**
     * An accumulator with both resizes chosen.
     *
     * @param schedule the scale schedule
     * @param batch B
     * @param d bits per token
     * @param sumResize how codes are resized to the final size before being added (a trilinear constant in
     *     every official code path)
     * @param nextInputResize how the sum is resized to the next scale
     * @return an empty accumulator
     */
    public static CodeAccumulator create(
            ScaleSchedule schedule, int batch, int d, Resize sumResize, Resize nextInputResize) {
        return new CodeAccumulator(schedule, batch, d, sumResize, nextInputResize);
    }

    /** Empties the sum; the next scale to add is 0 again. */
    public void reset() {
        Arrays.fill(summed_BdHW, 0f);
        added = 0;
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
     * The batch size B.
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
     * The resize used to bring each scale's codes to the final size.
     *
     * @return the sum resize
     */
    public Resize sumResize() {
        return sumResize;
    }

    /**
     * The resize used for the next-scale input.
     *
     * @return a trilinear constant (official) or {@link Resize#AREA} (ARBooth inference)
     */
    public Resize nextInputResize() {
        return nextInputResize;
    }

    /**
     * How many scales were added since creation or {@link #reset()}; also the index of the next scale.
     *
     * @return 0..S
     */
    public int scalesAdded() {
        return added;
    }

    /**
     * Whether every scale was added.
     *
     * @return {@code scalesAdded() == S}
     */
    public boolean complete() {
        return added == schedule.size();
    }

    /**
     * Adds the codes of scale {@link #scalesAdded()}.
     *
     * @param codes_BdHW {@code (B, d, h_k, w_k)}; exactly that many elements, or more (the prefix is used)
     * @throws IllegalStateException if every scale was already added
     * @throws ShapeMismatchException if the array is too short
     */
    public void addCodes(float[] codes_BdHW) {
        if (complete()) {
            throw new IllegalStateException("All " + schedule.size() + " scales were already added; reset() first");
        }
        Scale s = schedule.get(added);
        int n = batch * d * s.tokens();
        if (codes_BdHW.length < n) {
            throw new ShapeMismatchException("codes_BdHW of scale " + added + " (" + s + "): needs " + n
                    + " elements for (B,d,h,w) = (" + batch + "," + d + "," + s.h() + "," + s.w() + ") but has "
                    + codes_BdHW.length);
        }
        if (added == schedule.size() - 1) {
            if (s.h() != finalH || s.w() != finalW) {
                throw new IllegalStateException("last scale " + s + " differs from the final size");
            }
            for (int i = 0; i < n; i++) {
                summed_BdHW[i] += codes_BdHW[i];
            }
        } else {
            sumResize.accumulate(codes_BdHW, batch * d, s.h(), s.w(), summed_BdHW, finalH, finalW);
        }
        added++;
    }

    /**
     * Converts the bits of scale {@link #scalesAdded()} to codes ({@link BitCodes}) and adds them.
     *
     * @param bits_BhwD {@code (B, h_k, w_k, d)} in {0, 1}
     * @throws IllegalStateException if every scale was already added
     */
    public void addBits(long[] bits_BhwD) {
        if (complete()) {
            throw new IllegalStateException("All " + schedule.size() + " scales were already added; reset() first");
        }
        Scale s = schedule.get(added);
        BitCodes.toCodes(bits_BhwD, batch, s.h(), s.w(), d, codes_BdHW);
        addCodes(codes_BdHW);
    }

    /**
     * Writes the input of the next scale {@code k+1 = }{@link #scalesAdded()}: the sum resized to that scale
     * with {@link #nextInputResize()}, in token layout, at {@code dst_BLd[(b*dstTokens + tokenOffset + t)*d + c]}.
     *
     * @param dst_BLd {@code (B, dstTokens, d)}
     * @param dstTokens tokens per batch row of {@code dst_BLd} (e.g. {@code h*w}, or {@code L-1} when
     *     filling a teacher-forcing input)
     * @param tokenOffset where the scale's tokens start in each row
     * @throws IllegalStateException unless {@code 1 <= scalesAdded() < S}
     */
    public void nextInput(float[] dst_BLd, int dstTokens, int tokenOffset) {
        if (added < 1 || added >= schedule.size()) {
            throw new IllegalStateException("A next-scale input exists after scales 0..S-2 were added; " + added
                    + " of " + schedule.size() + " are added");
        }
        Scale next = schedule.get(added);
        nextInputResize.toTokens(
                summed_BdHW, batch, d, finalH, finalW, dst_BLd, dstTokens, tokenOffset, next.h(), next.w());
    }

    /**
     * The input of the next scale in a new array.
     *
     * @return {@code (B, h*w, d)} of scale {@link #scalesAdded()}
     * @see #nextInput(float[], int, int)
     */
    public float[] nextInput() {
        if (added < 1 || added >= schedule.size()) {
            throw new IllegalStateException("A next-scale input exists after scales 0..S-2 were added; " + added
                    + " of " + schedule.size() + " are added");
        }
        int tokens = schedule.get(added).tokens();
        float[] out = new float[batch * tokens * d];
        nextInput(out, tokens, 0);
        return out;
    }

    /**
     * Copies the current sum.
     *
     * @param dst_BdHW receives {@code (B, d, H, W)}
     */
    public void summedCodes(float[] dst_BdHW) {
        if (dst_BdHW.length < summed_BdHW.length) {
            throw new ShapeMismatchException("dst_BdHW: needs " + summed_BdHW.length + " elements for (B,d,H,W) = ("
                    + batch + "," + d + "," + finalH + "," + finalW + ") but has " + dst_BdHW.length);
        }
        System.arraycopy(summed_BdHW, 0, dst_BdHW, 0, summed_BdHW.length);
    }

    /**
     * The current sum in a new array; after the last scale this is the VAE decoder input.
     *
     * @return {@code (B, d, H, W)}
     */
    public float[] summedCodes() {
        return summed_BdHW.clone();
    }
}
