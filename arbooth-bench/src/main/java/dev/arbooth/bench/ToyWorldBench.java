package dev.arbooth.bench;

import dev.arbooth.toyworld.Probes;
import dev.arbooth.toyworld.Scene;
import dev.arbooth.toyworld.Split;
import dev.arbooth.toyworld.ToyImage;
import dev.arbooth.toyworld.ToyWorld;

/**
 * The toy world's renderer on one thread: random training scenes ({@code ToyWorld.randomScene(seed,
 * Split.TRAIN)}: sampling + drawing) per second at 64×64 and 128×128, and the probes' reading time per image,
 * each per CPU-second of the measuring thread (one core's throughput, even on a shared machine) and per
 * wall-clock second.
 *
 * <p>Usage: {@code ToyWorldBench [scenes per round, default 20000]}. Run with {@code
 * -XX:ActiveProcessorCount=1} to keep the JIT and GC on one core.
 */
public final class ToyWorldBench {
    private ToyWorldBench() {}

    /**
     * Entry point.
     *
     * @param args optional scenes per round
     * @throws Exception never in practice
     */
    public static void main(String[] args) throws Exception {
        BenchArgs.run(
                "ToyWorldBench [scenes per round, default 20000]",
                args,
                a -> run(a.optionalInt(0, "scenes", 20_000, 4)));
    }

    private static void run(int n) throws Exception {
        long[] sink = new long[1];
        for (int size : new int[] {64, 128}) {
            int count = size == 64 ? n : n / 4;
            double[] t = Timer.wallAndCpu(2, 5, () -> {
                for (int i = 0; i < count; i++) {
                    Scene s = ToyWorld.randomScene(i, Split.TRAIN);
                    ToyImage img = s.render(size);
                    sink[0] += img.rgb(size / 2, size / 2);
                }
            });
            System.out.printf(
                    "render %dx%d: %.0f scenes per CPU-second (%.1f us CPU/scene); wall %.0f scenes/s"
                            + " (median of 5 rounds of %d)%n",
                    size, size, count / t[1], t[1] / count * 1e6, count / t[0], count);
        }
        Probes probes = Probes.bundled();
        ToyImage[] imgs = new ToyImage[200];
        for (int i = 0; i < imgs.length; i++) {
            imgs[i] = ToyWorld.randomScene(i).render(64);
        }
        double[] t = Timer.wallAndCpu(1, 5, () -> {
            for (ToyImage img : imgs) {
                sink[0] += probes.read(img).objectClass().ordinal();
            }
        });
        System.out.printf(
                "probes read 64x64: %.2f ms CPU/image; wall %.2f ms/image%n",
                t[1] / imgs.length * 1e3, t[0] / imgs.length * 1e3);
        System.out.println("(checksum " + sink[0] + ")");
    }
}
