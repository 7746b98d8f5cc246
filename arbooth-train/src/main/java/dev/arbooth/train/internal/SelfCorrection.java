package dev.arbooth.train.internal;

import dev.arbooth.config.ScaleSchedule;
import dev.arbooth.internal.sampling.TeacherForcing;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Bitwise self-correction on the teacher-forcing input (Infinity's {@code BitwiseSelfCorrection.flip_requant}
 * with noise): scale by scale, a share of the bits is flipped, {@code share = randint(0, 100·strength) / 100} drawn
 * once per scale for the batch and each bit flipped with that probability; the running code sum, and so the inputs
 * of every following scale, are derived from the flipped codes with core's next-scale math ({@link
 * TeacherForcing}).
 *
 * <p>Deviation from Infinity: there the targets of the following scales are re-quantised from the VAE's continuous
 * features minus the flipped sum (so they "correct" the flips); a batch here holds bits only, so the targets stay
 * the ground-truth bits. With strength 0 the input is exactly the official one.
 */
final class SelfCorrection {
    private SelfCorrection() {}

    /**
     * The teacher-forcing input with self-correction noise.
     *
     * @param schedule the scale schedule
     * @param batch B
     * @param d bits per token
     * @param bits_BhwD the ground-truth bits of every scale
     * @param strength the largest flipped share, in [0, 1); 0 turns the noise off
     * @param rng the step's generator for the flips
     * @return {@code (B, L-1, d)}
     */
    static float[] inputs(
            ScaleSchedule schedule, int batch, int d, List<long[]> bits_BhwD, double strength, SplittableRandom rng) {
        if (strength <= 0) {
            return TeacherForcing.inputs(schedule, batch, d, bits_BhwD);
        }
        int steps = (int) Math.floor(100 * strength + 1e-9);
        List<long[]> flipped = new ArrayList<>(bits_BhwD.size());
        for (int k = 0; k < bits_BhwD.size(); k++) {
            long[] bits = bits_BhwD.get(k).clone();
            // the last scale's bits feed no input
            if (k < bits_BhwD.size() - 1) {
                double share = rng.nextInt(steps + 1) * 0.01;
                if (share > 0) {
                    for (int i = 0; i < bits.length; i++) {
                        if (rng.nextDouble() < share) {
                            bits[i] = 1 - bits[i];
                        }
                    }
                }
            }
            flipped.add(bits);
        }
        return TeacherForcing.inputs(schedule, batch, d, flipped);
    }
}
