package dev.arbooth.bench;

import dev.arbooth.config.InfinityConfig;
import dev.arbooth.config.ScaleSchedule;
import dev.arbooth.train.Distillation;
import dev.arbooth.train.FitOptions;
import dev.arbooth.train.TeacherKind;
import dev.arbooth.train.internal.ArboothIteration;
import dev.arbooth.train.internal.ClassBatch;
import dev.arbooth.train.internal.DjlEngine;
import dev.arbooth.train.internal.DjlInfinity;
import dev.arbooth.train.internal.StepLosses;

/**
 * What each teacher of prior distillation costs ({@link TeacherKind}): the teacher's sampling of ARBooth's 2 class
 * images (top-k 900, top-p 0.97, τ 0.5, cfg 1) with ARBooth's teacher (no KV cache, each scale alone) and with the
 * KV-cached one, and the distillation loss of the first prior step while student and teacher still have the same
 * weights and drop-path is off (the teacher's bias: zero for a teacher whose context matches the student's),
 * and the whole prior step (teacher sampling, student forward and backward, AdamW). Golden-size and mid
 * configuration (random weights), DJL on CPU with the given intra-op thread count.
 *
 * <pre>
 * mvn -B -ntp -q -pl arbooth-bench -am package -DskipTests
 * mvn -B -ntp -q -pl arbooth-bench exec:exec -Dexec.executable=java \
 *     -Dexec.args="-cp %classpath dev.arbooth.bench.TeacherBench 1 3 all"
 * </pre>
 */
public final class TeacherBench {
    private TeacherBench() {}

    /**
     * Runs the benchmark.
     *
     * @param args {@code [threads [runs [all|golden|mid]]]}
     * @throws Exception if a run fails
     */
    public static void main(String[] args) throws Exception {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        String which = args.length > 2 ? args[2] : "all";
        DjlEngine.pytorch(threads);
        if (!which.equals("mid")) {
            run(
                    "golden (depth 2, C 128, 16 bits, 0.06M, L 521)",
                    InfinityConfig.goldenSet1(),
                    ScaleSchedule.official("1.000", "0.06M"),
                    runs,
                    true);
        }
        if (!which.equals("golden")) {
            // sampling only: the prior step adds the student's forward and backward, the same for both teachers
            run(
                    "mid (depth 8, C 512, 8 heads, 32 bits, 0.25M 1:1, L 2521)",
                    InfinityBench.midConfig(),
                    ScaleSchedule.official("1.000", "0.25M"),
                    runs,
                    false);
        }
    }

    private static void run(String name, InfinityConfig config, ScaleSchedule schedule, int runs, boolean whole)
            throws Exception {
        int[] lens = {5, 5};
        float[] text = InfinityBench.gaussian(10 * config.textChannels(), 3, 0.5);
        ClassBatch batch = new ClassBatch(text, lens);
        for (TeacherKind kind : TeacherKind.values()) {
            FitOptions o = FitOptions.arbooth().toBuilder()
                    .distillation(Distillation.arbooth().withTeacher(kind))
                    .dropPath(0) // the student's drop-path masks would move its logits off the teacher's
                    .build();
            try (DjlInfinity model = DjlInfinity.create(config, InfinityBench.randomWeights(config, 1));
                    ArboothIteration it = ArboothIteration.create(model, o, config.textChannels(), schedule)) {
                long[] seed = {0};
                double sample = Timer.median(whole ? 1 : 0, runs, () -> it.sampleTeacher(batch, seed[0]++));
                if (!whole) {
                    System.out.printf("%s | %s | teacher sampling %.3f s (median of %d)%n", name, kind, sample, runs);
                    continue;
                }
                StepLosses[] first = new StepLosses[1];
                double step = Timer.once(() -> first[0] = it.priorStep(batch, 99));
                System.out.printf(
                        "%s | %s | teacher sampling %.3f s (median of %d) | whole prior step %.3f s"
                                + " | first-step KL at equal weights %.3g%n",
                        name, kind, sample, runs, step, first[0].loss());
            }
        }
    }
}
