package dev.arbooth.internal.format;

/**
 * Bounds on what a PyTorch checkpoint may make this reader build, so that a hostile file (a "pickle bomb", a
 * compressed record that claims gigabytes, views that expand a few elements into gigabytes) fails with a
 * {@link dev.arbooth.FormatException} before the allocation, instead of exhausting the heap or the stack.
 *
 * <p>The defaults admit real checkpoints with a wide margin: the pickle of a {@code torch.save}d Infinity-8B
 * training checkpoint (862 parameters plus AdamW's two moments: 2 586 tensors) creates 70 462 values, a
 * seventieth of {@link #DEFAULT_MAX_OBJECTS}; torch stores records uncompressed and tensors contiguous, so
 * they are views of the file and copy nothing. See {@code docs/security.md}.
 *
 * @param maxDepth the deepest nesting of containers (lists, dicts, tuples) accepted
 * @param maxObjects the most values the pickle may create (every pushed value and mark counts)
 * @param maxMemoEntries the largest memo index accepted ({@code BINPUT}, {@code LONG_BINPUT}, {@code MEMOIZE})
 * @param maxExpandedNodes the most nodes the decoded tree may have when shared containers are counted once per
 *     reference (guards against a small DAG of shared lists that expands exponentially)
 * @param maxCopiedBytes the most bytes of tensor data one open checkpoint may hold on the heap, over its
 *     lifetime: inflated DEFLATED records (each inflated once and kept), row-major copies of strided views, and
 *     the inflated pickle itself. Stored records and contiguous tensors are views of the file and cost nothing.
 */
public record PickleLimits(
        int maxDepth, long maxObjects, long maxMemoEntries, long maxExpandedNodes, long maxCopiedBytes) {

    /** The default {@link #maxObjects()} and {@link #maxMemoEntries()}: 5 million. */
    public static final long DEFAULT_MAX_OBJECTS = 5_000_000L;

    /** The default {@link #maxExpandedNodes()}: 20 million. */
    public static final long DEFAULT_MAX_EXPANDED_NODES = 20_000_000L;

    /** The cap of the default {@link #maxCopiedBytes()}: 8 GiB. */
    public static final long MAX_DEFAULT_COPIED_BYTES = 8L << 30;

    /**
     * Validates the limits.
     *
     * @param maxDepth the deepest nesting of containers, 1 to 1000
     * @param maxObjects the most values the pickle may create, at least 1
     * @param maxMemoEntries the largest memo index accepted, at least 1
     * @param maxExpandedNodes the most nodes of the expanded tree, at least 1
     * @param maxCopiedBytes the most bytes of tensor data held on the heap, at least 0
     * @throws IllegalArgumentException if a limit is not positive or the depth exceeds 1000
     */
    public PickleLimits {
        if (maxDepth < 1 || maxDepth > 1_000) {
            throw new IllegalArgumentException("maxDepth must be in [1, 1000], got " + maxDepth);
        }
        if (maxObjects < 1 || maxMemoEntries < 1 || maxExpandedNodes < 1) {
            throw new IllegalArgumentException(
                    "limits must be positive: " + maxObjects + ", " + maxMemoEntries + ", " + maxExpandedNodes);
        }
        if (maxMemoEntries > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("maxMemoEntries must fit a Java array, got " + maxMemoEntries);
        }
        if (maxCopiedBytes < 0) {
            throw new IllegalArgumentException("maxCopiedBytes must be at least 0, got " + maxCopiedBytes);
        }
    }

    /**
     * Limits with the default {@link #maxCopiedBytes()}.
     *
     * @param maxDepth the deepest nesting of containers, 1 to 1000
     * @param maxObjects the most values the pickle may create, at least 1
     * @param maxMemoEntries the largest memo index accepted, at least 1
     * @param maxExpandedNodes the most nodes of the expanded tree, at least 1
     */
    public PickleLimits(int maxDepth, long maxObjects, long maxMemoEntries, long maxExpandedNodes) {
        this(maxDepth, maxObjects, maxMemoEntries, maxExpandedNodes, defaultMaxCopiedBytes());
    }

    /**
     * The default limits: depth 256, 5 million objects, 5 million memo entries, 20 million tree nodes, and
     * copies up to half the JVM's maximum heap, at most 8 GiB.
     *
     * @return the defaults
     */
    public static PickleLimits defaults() {
        return new PickleLimits(256, DEFAULT_MAX_OBJECTS, DEFAULT_MAX_OBJECTS, DEFAULT_MAX_EXPANDED_NODES);
    }

    /**
     * The same limits with another copy budget.
     *
     * @param bytes the most bytes of tensor data one open checkpoint may hold on the heap
     * @return new limits
     */
    public PickleLimits withMaxCopiedBytes(long bytes) {
        return new PickleLimits(maxDepth, maxObjects, maxMemoEntries, maxExpandedNodes, bytes);
    }

    /**
     * The same limits with another object budget (values created and memo entries).
     *
     * @param objects the most values the pickle may create and the largest memo index (at most 2^31 - 9)
     * @return new limits
     */
    public PickleLimits withMaxObjects(long objects) {
        return new PickleLimits(
                maxDepth, objects, Math.min(objects, Integer.MAX_VALUE - 8), maxExpandedNodes, maxCopiedBytes);
    }

    /** Half the maximum heap, at most {@link #MAX_DEFAULT_COPIED_BYTES}. */
    private static long defaultMaxCopiedBytes() {
        return Math.min(MAX_DEFAULT_COPIED_BYTES, Runtime.getRuntime().maxMemory() / 2);
    }
}
