package dev.arbooth.train.testing;

import java.util.SplittableRandom;

/** Seeded test data. */
public final class TestArrays {
    private TestArrays() {}

    /**
     * Normal values, the same for the same seed everywhere.
     *
     * @param n how many
     * @param seed the seed
     * @param sigma the standard deviation
     * @return {@code n} values drawn from N(0, sigma²)
     */
    public static float[] gaussian(int n, long seed, double sigma) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (r.nextGaussian() * sigma);
        }
        return x;
    }
}
