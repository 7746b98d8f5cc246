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

    /**
     * Median wall time and median CPU time of the calling thread, measured on the same {@code runs} runs after
     * {@code warmup} runs. CPU time is what one core spends on a single-threaded task whatever else shares the
     * machine; on a loaded machine wall time also counts the time the thread waited for a core.
     *
     * @return {wall seconds, CPU seconds}
     * @throws UnsupportedOperationException if the JVM cannot measure thread CPU time
     */
    static double[] wallAndCpu(int warmup, int runs, Task task) throws Exception {
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        if (!mx.isCurrentThreadCpuTimeSupported()) {
            throw new UnsupportedOperationException("this JVM cannot measure thread CPU time");
        }
        for (int i = 0; i < warmup; i++) {
            task.run();
        }
        double[] wall = new double[runs];
        double[] cpu = new double[runs];
        for (int i = 0; i < runs; i++) {
            long c0 = mx.getCurrentThreadCpuTime();
            long w0 = System.nanoTime();
            task.run();
            wall[i] = (System.nanoTime() - w0) / 1e9;
            cpu[i] = (mx.getCurrentThreadCpuTime() - c0) / 1e9;
        }
        Arrays.sort(wall);
        Arrays.sort(cpu);
        return new double[] {wall[runs / 2], cpu[runs / 2]};
    }
}
