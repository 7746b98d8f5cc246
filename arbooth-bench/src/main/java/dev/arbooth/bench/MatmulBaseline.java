package dev.arbooth.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.arbooth.train.internal.DjlEngine;

/**
 * The reference rate: a plain 1024³ float32 matmul on DJL's PyTorch engine, in GFLOP/s. Every benchmark
 * reports its achieved GFLOP/s against this number measured in the same run.
 */
public final class MatmulBaseline {
    private MatmulBaseline() {}

    /**
     * Measures the 1024³ matmul rate: the median of 31 runs after 15 warm-ups (about a second; shorter
     * measurements swung 3x on the 2-core machine while its intra-op threads and the allocator warmed up).
     */
    static double gflops(NDManager manager) throws Exception {
        int n = 1024;
        try (NDManager sub = manager.newSubManager()) {
            NDArray a = sub.randomNormal(new Shape(n, n));
            NDArray b = sub.randomNormal(new Shape(n, n));
            double s = Timer.median(15, 31, () -> {
                try (NDManager scope = sub.newSubManager()) {
                    NDArray c = a.matMul(b);
                    c.attach(scope);
                    // one element, not the whole product: copying 4 MiB into a new Java array took a third of
                    // the time and swung with the garbage collector (52-153 GFLOP/s on one quiet machine)
                    c.getFloat(0, 0);
                }
            });
            return 2.0 * n * n * n / s / 1e9;
        }
    }

    /**
     * Prints the rate.
     *
     * @param args {@code [threads]} (default 2)
     * @throws Exception on engine failure
     */
    public static void main(String[] args) throws Exception {
        BenchArgs.run("MatmulBaseline [threads]", args, a -> print(a.optionalInt(0, "threads", 2, 1)));
    }

    private static void print(int threads) throws Exception {
        try (NDManager m = DjlEngine.pytorch(threads).newBaseManager()) {
            System.out.printf("matmul 1024^3 fp32, %d threads: %.1f GFLOP/s%n", threads, gflops(m));
        }
    }
}
