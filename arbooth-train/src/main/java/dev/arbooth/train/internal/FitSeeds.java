package dev.arbooth.train.internal;

/**
 * The seeds of a fit's random choices, each a pure function of (fit seed, index, purpose): a step's batch, its
 * prompts and the seed handed to the iteration depend on nothing else, so a fit resumed at step k makes the same
 * choices as an uninterrupted one without storing any generator state. Mixing is SplitMix64's finaliser applied to
 * each input in turn.
 */
public final class FitSeeds {
    /** The seed of {@code ArboothIteration}'s own draws at a step (self-correction, drop-path, teacher, ...). */
    public static final long ITERATION = 0x1;

    /** The shuffle of the images in one epoch (a pass over every image). */
    public static final long EPOCH = 0x2;

    /** The prompt template of one batch row. */
    public static final long PROMPT = 0x3;

    private FitSeeds() {}

    /**
     * A seed for one purpose at one index.
     *
     * @param seed the fit's seed
     * @param index the step, epoch or row index
     * @param purpose one of this class's constants
     * @return the derived seed
     */
    public static long of(long seed, long index, long purpose) {
        return mix(mix(mix(seed) ^ index) ^ (purpose * 0x9E3779B97F4A7C15L));
    }

    private static long mix(long z) {
        z += 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /**
     * The images of a step's batch: row {@code r} of step {@code s} takes position {@code s·B + r} of an endless
     * sequence of epochs, each a seeded shuffle of all images, so every image is used equally often.
     *
     * @param seed the fit's seed
     * @param step the step index (0-based)
     * @param batch B
     * @param images N
     * @return the image index of each row
     */
    public static int[] batchImages(long seed, int step, int batch, int images) {
        int[] out = new int[batch];
        long cachedEpoch = -1;
        int[] perm = null;
        for (int r = 0; r < batch; r++) {
            long pos = (long) step * batch + r;
            long epoch = pos / images;
            if (epoch != cachedEpoch) {
                perm = permutation(images, of(seed, epoch, EPOCH));
                cachedEpoch = epoch;
            }
            out[r] = perm[(int) (pos % images)];
        }
        return out;
    }

    /**
     * The prompt template of each row of a step's batch.
     *
     * @param seed the fit's seed
     * @param step the step index
     * @param batch B
     * @param templates the template count
     * @return the template index of each row
     */
    public static int[] batchPrompts(long seed, int step, int batch, int templates) {
        int[] out = new int[batch];
        for (int r = 0; r < batch; r++) {
            long pos = (long) step * batch + r;
            out[r] = templates == 1 ? 0 : new java.util.SplittableRandom(of(seed, pos, PROMPT)).nextInt(templates);
        }
        return out;
    }

    private static int[] permutation(int n, long seed) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }
}
