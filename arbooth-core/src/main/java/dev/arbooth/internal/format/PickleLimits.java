package dev.arbooth.internal.format;

/**
 * Bounds on what a checkpoint's pickle may build, so that a hostile file (a "pickle bomb") fails with a
 * {@link dev.arbooth.FormatException} instead of exhausting the heap or the stack.
 *
 * <p>The defaults admit state dicts of millions of tensors; real checkpoints nest fewer than ten levels.
 *
 * @param maxDepth the deepest nesting of containers (lists, dicts, tuples) accepted
 * @param maxObjects the most values the pickle may create (every pushed value and mark counts)
 * @param maxMemoEntries the largest memo index accepted ({@code BINPUT}, {@code LONG_BINPUT}, {@code MEMOIZE})
 * @param maxExpandedNodes the most nodes the decoded tree may have when shared containers are counted once per
 *     reference (guards against a small DAG of shared lists that expands exponentially)
 */
public record PickleLimits(int maxDepth, long maxObjects, long maxMemoEntries, long maxExpandedNodes) {
    /**
     * Validates the limits.
     *
     * @param maxDepth the deepest nesting of containers, 1 to 1000
     * @param maxObjects the most values the pickle may create, at least 1
     * @param maxMemoEntries the largest memo index accepted, at least 1
     * @param maxExpandedNodes the most nodes of the expanded tree, at least 1
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
    }

    /**
     * The default limits: depth 256, 20 million objects, 20 million memo entries, 20 million tree nodes.
     *
     * @return the defaults
     */
    public static PickleLimits defaults() {
        return new PickleLimits(256, 20_000_000L, 20_000_000L, 20_000_000L);
    }
}
