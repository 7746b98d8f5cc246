package dev.arbooth.internal.sampling;

import dev.arbooth.ShapeMismatchException;
import dev.arbooth.config.Scale;
import dev.arbooth.config.ScaleSchedule;
import java.util.List;

/**
 * Teacher-forcing inputs and targets of the training forward (official
 * {@code BitwiseSelfCorrection.flip_requant} with bit-flip noise disabled).
 *
 * <p>From the ground-truth bits of every scale: {@code cum = 0}; for {@code k = 0..S-2},
 * {@code cum += TRILINEAR(codes_k → final size)} and the input of scale {@code k+1} is
 * {@code TRILINEAR(cum → scale k+1)} flattened row-major. {@code x_BLd} concatenates the inputs of scales
 * {@code 1..S-1}: {@code (B, L-1, d)} (scale 0's input is the SOS vector, not a code). The trilinear
 * resizes round as PyTorch does for these contiguous tensors ({@link CodeAccumulator#forTraining}). The targets
 * {@code gt_BLd} concatenate the bits of all scales in sequence order: {@code (B, L, d)}.
 *
 * <p>Bits of scale {@code k} are {@code (B, h_k, w_k, d)} row-major, values 0 or 1.
 */
public final class TeacherForcing {
    private TeacherForcing() {}

    /**
     * The teacher-forcing input {@code x_BLC_wo_prefix} in a new array.
     *
     * @param schedule the scale schedule (S scales, L tokens)
     * @param batch B
     * @param d bits per token
     * @param bits_BhwD the bits of each scale, S arrays of {@code (B, h_k, w_k, d)}
     * @return {@code (B, L-1, d)}
     */
    public static float[] inputs(ScaleSchedule schedule, int batch, int d, List<long[]> bits_BhwD) {
        CodeAccumulator acc = CodeAccumulator.forTraining(schedule, batch, d);
        float[] out = new float[Math.multiplyExact(Math.multiplyExact(batch, schedule.totalTokens() - 1), d)];
        inputs(acc, bits_BhwD, out);
        return out;
    }

    /**
     * Writes the teacher-forcing input into a caller-owned buffer, reusing an accumulator (which is reset
     * first and left complete). {@link CodeAccumulator#forTraining} gives the official input; an inference
     * accumulator gives what inference would feed for these bits ({@link Resize#AREA}: ARBooth's inference).
     *
     * @param accumulator gives the schedule, B, d and the next-input resize
     * @param bits_BhwD the bits of each scale, S arrays of {@code (B, h_k, w_k, d)}
     * @param x_BLd receives {@code (B, L-1, d)}
     */
    public static void inputs(CodeAccumulator accumulator, List<long[]> bits_BhwD, float[] x_BLd) {
        ScaleSchedule schedule = accumulator.schedule();
        int batch = accumulator.batch();
        int d = accumulator.bitsPerToken();
        checkScales(schedule, bits_BhwD);
        int tokens = schedule.totalTokens() - 1;
        long n = (long) batch * tokens * d;
        if (x_BLd.length != n) {
            throw ShapeMismatchException.of("x_BLd", new long[] {batch, tokens, d}, new long[] {x_BLd.length});
        }
        accumulator.reset();
        for (int k = 0; k < schedule.size() - 1; k++) {
            accumulator.addBits(bits_BhwD.get(k));
            accumulator.nextInput(x_BLd, tokens, schedule.offset(k + 1) - 1);
        }
        accumulator.addBits(bits_BhwD.get(schedule.size() - 1));
    }

    /**
     * The training targets {@code gt_BL} in a new array.
     *
     * @param schedule the scale schedule
     * @param batch B
     * @param d bits per token
     * @param bits_BhwD the bits of each scale, S arrays of {@code (B, h_k, w_k, d)}
     * @return {@code (B, L, d)}
     */
    public static long[] targets(ScaleSchedule schedule, int batch, int d, List<long[]> bits_BhwD) {
        long[] out = new long[Math.multiplyExact(Math.multiplyExact(batch, schedule.totalTokens()), d)];
        targets(schedule, batch, d, bits_BhwD, out);
        return out;
    }

    /**
     * Writes the training targets into a caller-owned buffer.
     *
     * @param schedule the scale schedule
     * @param batch B
     * @param d bits per token
     * @param bits_BhwD the bits of each scale, S arrays of {@code (B, h_k, w_k, d)}
     * @param gt_BLd receives {@code (B, L, d)}
     */
    public static void targets(ScaleSchedule schedule, int batch, int d, List<long[]> bits_BhwD, long[] gt_BLd) {
        checkScales(schedule, bits_BhwD);
        int total = schedule.totalTokens();
        if (gt_BLd.length != (long) batch * total * d) {
            throw ShapeMismatchException.of("gt_BLd", new long[] {batch, total, d}, new long[] {gt_BLd.length});
        }
        for (int k = 0; k < schedule.size(); k++) {
            Scale s = schedule.get(k);
            long[] bits = bits_BhwD.get(k);
            int per = s.tokens() * d;
            if (bits.length != (long) batch * per) {
                throw ShapeMismatchException.of(
                        "bits_BhwD[" + k + "]", new long[] {batch, s.h(), s.w(), d}, new long[] {bits.length});
            }
            for (int b = 0; b < batch; b++) {
                System.arraycopy(bits, b * per, gt_BLd, (b * total + schedule.offset(k)) * d, per);
            }
        }
    }

    private static void checkScales(ScaleSchedule schedule, List<long[]> bits_BhwD) {
        if (bits_BhwD.size() != schedule.size()) {
            throw new ShapeMismatchException(
                    "bits_BhwD: expected one array per scale (" + schedule.size() + ") but got " + bits_BhwD.size());
        }
    }
}
