package dev.arbooth.bench;

import java.util.Arrays;

/** Times a task: warm-up runs, then the median of measured runs. */
final class Timer {
    private Timer() {}

    /** A task that may throw. */
    @FunctionalInterface
    interface Task {
        void run() throws Exception;
    }

    /**
     * Wall time of one run.
     *
     * @return seconds
     */
    static double once(Task task) throws Exception {
        long start = System.nanoTime();
        task.run();
        return (System.nanoTime() - start) / 1e9;
    }

    /**
     * Median wall time of {@code runs} runs after {@code warmup} runs.
     *
     * @return seconds
     */
    static double median(int warmup, int runs, Task task) throws Exception {
        for (int i = 0; i < warmup; i++) {
            task.run();
        }
        double[] t = new double[runs];
        for (int i = 0; i < runs; i++) {
            long start = System.nanoTime();
            task.run();
            t[i] = (System.nanoTime() - start) / 1e9;
        }
        Arrays.sort(t);
        return t[runs / 2];
    }
}
