package dev.arbooth.internal.nn;

/**
 * The relative position buckets of a bidirectional T5 encoder (Hugging Face {@code
 * T5Attention._relative_position_bucket} with {@code bidirectional=True}), computed without an engine.
 *
 * <p>For query position {@code i} and key position {@code j}, {@code r = j - i} (positive: the key is to the
 * right). Half of the buckets hold keys to the right, half keys to the left (and {@code r = 0}); within each
 * half the first {@code maxExact = numBuckets / 4} distances get a bucket each, larger distances share
 * logarithmically wider buckets up to {@code maxDistance}, beyond which all fall in the last bucket:
 *
 * <pre>
 * nb = numBuckets / 2;  bucket = r &gt; 0 ? nb : 0;  n = |r|;  maxExact = nb / 2
 * n &lt; maxExact:  bucket += n
 * otherwise:     bucket += min(nb - 1, maxExact + (long) (log(n / maxExact) / log(maxDistance / maxExact)
 *                                                         * (nb - maxExact)))
 * </pre>
 *
 * The logarithmic part is evaluated in float32 as the official code does ({@code log} of a float32 tensor,
 * divided by the float64 {@code math.log} constant rounded to float32, times the bucket count, truncated).
 */
public final class T5RelativePosition {
    private T5RelativePosition() {}

    /**
     * The bucket of one relative position.
     *
     * @param relativePosition {@code key - query}, of magnitude at most {@code 2^24}
     * @param numBuckets the bucket count (even, at least 4)
     * @param maxDistance the distance from which the last bucket is used (greater than {@code numBuckets / 4})
     * @return the bucket, in {@code [0, numBuckets)}
     */
    public static int bucket(int relativePosition, int numBuckets, int maxDistance) {
        if (Math.abs((long) relativePosition) > (1 << 24)) {
            throw new IllegalArgumentException("relative position " + relativePosition + " is out of range");
        }
        int nb = numBuckets / 2;
        int bucket = relativePosition > 0 ? nb : 0;
        int n = Math.abs(relativePosition);
        int maxExact = nb / 2;
        if (n < maxExact) {
            return bucket + n;
        }
        float ratio = (float) n / (float) maxExact;
        float logRatio = (float) Math.log(ratio);
        float logRange = (float) Math.log((double) maxDistance / maxExact);
        float scaled = logRatio / logRange * (float) (nb - maxExact);
        long large = maxExact + (long) scaled;
        return bucket + (int) Math.min(large, nb - 1);
    }

    /**
     * The bucket table of a square self-attention.
     *
     * @param length the sequence length S (queries and keys)
     * @param numBuckets the bucket count
     * @param maxDistance the distance from which the last bucket is used
     * @return {@code bucket_SS} row-major: element {@code i * S + j} is {@code bucket(j - i)}
     */
    public static long[] buckets(int length, int numBuckets, int maxDistance) {
        if (length < 1) {
            throw new IllegalArgumentException("length must be at least 1, got " + length);
        }
        long[] byOffset = new long[2 * length - 1]; // index r + S - 1
        for (int r = -(length - 1); r < length; r++) {
            byOffset[r + length - 1] = bucket(r, numBuckets, maxDistance);
        }
        long[] out = new long[Math.multiplyExact(length, length)];
        for (int i = 0; i < length; i++) {
            System.arraycopy(byOffset, length - 1 - i, out, i * length, length);
        }
        return out;
    }
}
