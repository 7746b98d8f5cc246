package dev.arbooth.toyworld.internal;

/**
 * SplitMix64 (Steele, Lea and Flood 2014): a tiny, fully specified generator, so that the same seed gives the
 * same numbers on every JVM. Not thread-safe; make one per task.
 */
public final class SplitMix64 {
    private static final long GAMMA = 0x9E3779B97F4A7C15L;

    private long state;

    /**
     * Creates a generator.
     *
     * @param seed any value
     */
    public SplitMix64(long seed) {
        this.state = seed;
    }

    /**
     * Makes a generator for one of several independent streams derived from a seed.
     *
     * @param seed the parent seed
     * @param salts stream identifiers, e.g. a purpose constant and an index
     * @return a generator whose seed mixes all inputs
     */
    public static SplitMix64 of(long seed, long... salts) {
        long s = mix(seed);
        for (long salt : salts) {
            s = mix(s ^ mix(salt + GAMMA));
        }
        return new SplitMix64(s);
    }

    /**
     * The SplitMix64 finaliser: a bijective 64-bit mix.
     *
     * @param z any value
     * @return its mix
     */
    public static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /**
     * The next 64 random bits.
     *
     * @return a uniformly distributed long
     */
    public long nextLong() {
        state += GAMMA;
        return mix(state);
    }

    /**
     * A uniform integer in {@code [0, bound)}, without modulo bias (rejection on the top range).
     *
     * @param bound the exclusive upper bound, positive
     * @return the integer
     */
    public int nextInt(int bound) {
        if (bound <= 0) {
            throw new IllegalArgumentException("bound must be positive, got " + bound);
        }
        while (true) {
            long r = nextLong() >>> 1; // 63 uniform bits
            long v = r % bound;
            if (r - v + (bound - 1) >= 0) { // reject the incomplete last block (no overflow)
                return (int) v;
            }
        }
    }

    /**
     * A uniform double in {@code [0, 1)} with 53 random bits.
     *
     * @return the double
     */
    public double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /**
     * A uniform double in {@code [lo, hi)}.
     *
     * @param lo lower bound
     * @param hi upper bound
     * @return the double
     */
    public double uniform(double lo, double hi) {
        return lo + (hi - lo) * nextDouble();
    }

    /**
     * True with probability {@code p}.
     *
     * @param p the probability
     * @return the draw
     */
    public boolean chance(double p) {
        return nextDouble() < p;
    }

    /**
     * A standard normal draw (Box–Muller with {@link StrictMath}, so results match across JVMs).
     *
     * @return the draw
     */
    public double gaussian() {
        double u1 = 1.0 - nextDouble();
        double u2 = nextDouble();
        return StrictMath.sqrt(-2.0 * StrictMath.log(u1)) * StrictMath.cos(2.0 * StrictMath.PI * u2);
    }

    /**
     * A uniformly chosen element.
     *
     * @param <T> the element type
     * @param values the choices, at least one
     * @return one of them
     */
    @SafeVarargs
    public final <T> T pick(T... values) {
        return values[nextInt(values.length)];
    }
}
