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

    /** Measures the 1024³ matmul rate (median of 9 runs after 3 warm-ups). */
    static double gflops(NDManager manager) throws Exception {
        int n = 1024;
        try (NDManager sub = manager.newSubManager()) {
            NDArray a = sub.randomNormal(new Shape(n, n));
            NDArray b = sub.randomNormal(new Shape(n, n));
            double s = Timer.median(3, 9, () -> {
                try (NDManager scope = sub.newSubManager()) {
                    NDArray c = a.matMul(b);
                    c.attach(scope);
                    c.toFloatArray();
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
