package dev.arbooth.internal.sampling;

/**
 * A small, portable, seeded pseudo-random generator: xoshiro256** (Blackman and Vigna, 2018) with its state
 * filled by SplitMix64. The same {@code (seed, stream)} gives the same sequence on every JVM and platform;
 * nothing here depends on {@link java.util.Random}, {@link java.util.SplittableRandom} or PyTorch's generator,
 * whose algorithms are not part of their contracts.
 *
 * <p>Seeding procedure, exactly: let {@code mix64(z)} be the SplitMix64 finaliser
 * {@code z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L; z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL; z ^ (z >>> 31)}
 * and {@code GAMMA = 0x9E3779B97F4A7C15L}. The SplitMix64 state starts at
 * {@code x = seed ^ mix64(stream * GAMMA + GAMMA)} (wrapping arithmetic); the four xoshiro words are the
 * next four SplitMix64 outputs {@code x += GAMMA; s[i] = mix64(x)}. {@link #nextLong()} is the xoshiro256**
 * output {@code rotl(s1 * 5, 7) * 9} followed by the standard state update, and {@link #nextDouble()} is
 * {@code (nextLong() >>> 11) * 2^-53}, uniform on {@code [0, 1)}.
 *
 * <p>Instances are mutable and not thread-safe; use one per thread (or per batch row, see {@link BitSampler}).
 */
public final class SeededRandom {
    private static final long GAMMA = 0x9E3779B97F4A7C15L;

    private final long seed;
    private final long stream;
    private long s0;
    private long s1;
    private long s2;
    private long s3;

    private SeededRandom(long seed, long stream) {
        this.seed = seed;
        this.stream = stream;
        reset();
    }

    /**
     * A generator for stream 0 of a seed.
     *
     * @param seed any 64-bit seed
     * @return a generator positioned at the start of its sequence
     */
    public static SeededRandom of(long seed) {
        return new SeededRandom(seed, 0);
    }

    /**
     * A generator for one of the independent streams of a seed (e.g. one per batch row).
     *
     * @param seed any 64-bit seed
     * @param stream the stream index
     * @return a generator positioned at the start of its sequence
     */
    public static SeededRandom of(long seed, long stream) {
        return new SeededRandom(seed, stream);
    }

    /**
     * A generator from a raw xoshiro256** state, for checking the core against the published reference
     * vector; {@link #reset()} on it reseeds from seed 0.
     */
    static SeededRandom ofState(long s0, long s1, long s2, long s3) {
        SeededRandom r = new SeededRandom(0, 0);
        r.s0 = s0;
        r.s1 = s1;
        r.s2 = s2;
        r.s3 = s3;
        return r;
    }

    /**
     * The SplitMix64 finaliser (a bijection of 64-bit values), as used by the seeding procedure.
     *
     * @param z the input
     * @return the mixed value
     */
    static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Returns to the start of this generator's sequence (the state right after seeding). */
    public void reset() {
        long x = seed ^ mix64(stream * GAMMA + GAMMA);
        x += GAMMA;
        s0 = mix64(x);
        x += GAMMA;
        s1 = mix64(x);
        x += GAMMA;
        s2 = mix64(x);
        x += GAMMA;
        s3 = mix64(x);
    }

    /**
     * The seed this generator was created with.
     *
     * @return the seed
     */
    public long seed() {
        return seed;
    }

    /**
     * The stream this generator was created with.
     *
     * @return the stream index
     */
    public long stream() {
        return stream;
    }

    /**
     * The next 64 random bits.
     *
     * @return a uniformly distributed long
     */
    public long nextLong() {
        long result = Long.rotateLeft(s1 * 5, 7) * 9;
        long t = s1 << 17;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= t;
        s3 = Long.rotateLeft(s3, 45);
        return result;
    }

    /**
     * The next uniform double: the top 53 bits of {@link #nextLong()} times {@code 2^-53}.
     *
     * @return a value in {@code [0, 1)}
     */
    public double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }
}
