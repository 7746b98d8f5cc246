package dev.arbooth.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.arbooth.base.BaseModel;
import dev.arbooth.config.InfinityConfig;
import dev.arbooth.config.ScaleSchedule;
import dev.arbooth.internal.format.StateDict;
import dev.arbooth.internal.nn.AttentionChunks;
import dev.arbooth.internal.nn.InfinityNet;
import dev.arbooth.internal.sampling.BitSamplerOptions;
import dev.arbooth.internal.sampling.NextScaleLoop;
import dev.arbooth.internal.sampling.TeacherForcing;
import dev.arbooth.runtime.internal.OrtInfinity;
import dev.arbooth.runtime.internal.OrtInfinityStepper;
import dev.arbooth.train.Distillation;
import dev.arbooth.train.FitOptions;
import dev.arbooth.train.TeacherKind;
import dev.arbooth.train.internal.ArboothIteration;
import dev.arbooth.train.internal.ClassBatch;
import dev.arbooth.train.internal.DjlEngine;
import dev.arbooth.train.internal.DjlInfinity;
import dev.arbooth.train.internal.DjlOps;
import dev.arbooth.train.internal.SubjectBatch;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Times ARBooth training iterations on DJL ({@code ArboothIteration}, ARBooth's settings: batch 2, CA + FFN tuned,
 * 4 identifier rows, self-correction, drop-path, prior distillation with 2 class samples from the KV-cached teacher,
 * cfg 1, τ 0.5, top-k 900, top-p 0.97) with random weights, and the peak resident memory of the process.
 *
 * <p>Every measurement runs in a child JVM of its own (same class path), so that each peak RSS ({@code VmHWM}) is
 * that configuration's alone: per configuration one child with block-level checkpointing ({@code ckpt}; {@code last}:
 * with only the last block recorded, {@code DjlInfinity.recordedTailBudget(0)}), one with the recorded pass ({@code
 * recorded}), and for the mid configuration one with the attention also recomputed chunk
 * by chunk in the backward ({@code attn}, {@code DjlInfinity.attentionCheckpointBudget(0)}) and one that measures the teacher's sampling on
 * DJL and on ONNX Runtime in one JVM and DJL's step 1 before and after ONNX Runtime ran ({@code ort}). With {@code ortteacher}, the
 * iteration's teacher samples on ONNX Runtime ({@code TeacherKind.KV_CACHED_ONNX_RUNTIME}). Each child
 * also measures DJL's 1024³ matmul rate and the student's forward + backward alone (the rate against the matmul).
 *
 * <pre>
 * java -cp &lt;reactor classes + dependencies&gt; dev.arbooth.bench.TrainBench [threads] [golden|mid|toy|all] [iterations] [modes]
 * </pre>
 */
public final class TrainBench {
    static final String USAGE =
            "TrainBench [threads] [golden|mid|toy|all] [iterations] [modes, e.g. ckpt,last,attn,recorded,ort,ortteacher]";
    private static final List<String> MODES = List.of("ckpt", "last", "attn", "recorded", "ort", "ortteacher");
    private static final String CHILD = "--child";
    private static final int PROMPT_LEN = 8;
    private static final int CLASS_LEN = 6;
    private static final int BATCH = 2;

    private TrainBench() {}

    /**
     * Runs the benchmark.
     *
     * @param args {@code [threads] [golden|mid|all] [iterations] [modes]} (defaults 2, all, 3, all modes); or a
     *     child's arguments
     * @throws Exception on engine failure
     */
    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals(CHILD)) {
            BenchArgs.run(
                    "TrainBench --child golden|mid|toy ckpt|last|attn|recorded|ort|ortteacher threads iterations",
                    args,
                    a -> child(
                            a.choice(1, "case", "golden", "mid", "toy"),
                            a.choice(2, "what", "ckpt", "last", "attn", "recorded", "ort", "ortteacher"),
                            a.requiredInt(3, "threads", 1),
                            a.requiredInt(4, "iterations", 1)));
            return;
        }
        BenchArgs.run(
                USAGE,
                args,
                a -> parent(
                        a.optionalInt(0, "threads", 2, 1),
                        args.length > 1 ? a.choice(1, "configuration", "golden", "mid", "toy", "all") : "all",
                        a.optionalInt(2, "iterations", 3, 1),
                        modes(a.optional(3, String.join(",", MODES)))));
    }

    private static List<String> modes(String list) {
        List<String> out = List.of(list.split(","));
        for (String m : out) {
            if (!MODES.contains(m)) {
                throw new BenchArgs.UsageException(
                        "modes must be a comma-separated list of " + MODES + ", got '" + list + "'");
            }
        }
        return out;
    }

    private record Case(String name, InfinityConfig config, ScaleSchedule schedule) {}

    private static Case caseNamed(String name) {
        if (name.equals("toy")) {
            BaseModel toy = BaseModel.bundled();
            InfinityConfig c = toy.infinity();
            return new Case(
                    "toy (the bundled base's architecture: depth " + c.depth() + ", C " + c.embedDim() + ", "
                            + c.numHeads() + " heads, " + c.bitsPerToken() + " bits, L "
                            + toy.schedule().totalTokens() + ")",
                    c,
                    toy.schedule());
        }
        return name.equals("golden")
                ? new Case(
                        "golden set-1 (depth 2, C 128, 2 heads, 16 bits, 0.06M 1:1, L 521)",
                        InfinityConfig.goldenSet1(),
                        ScaleSchedule.official("1.000", "0.06M"))
                : new Case(
                        "mid (depth 8, C 512, 8 heads, FFN 2048, 32 bits, 0.25M 1:1, L 2521)",
                        InfinityBench.midConfig(),
                        ScaleSchedule.official("1.000", "0.25M"));
    }

    private static void parent(int threads, String which, int iterations, List<String> modes) throws Exception {
        System.out.printf(
                "TrainBench: %d threads, %d measured iterations after 1 warm-up, batch %d; %d cores, load average %s;"
                        + " allocator: %s; children's JVM options %s%n",
                threads,
                iterations,
                BATCH,
                Runtime.getRuntime().availableProcessors(),
                loadAverage(),
                allocator(),
                jvmOptions());
        List<String> cases = which.equals("all") ? List.of("golden", "mid", "toy") : List.of(which);
        for (String c : cases) {
            System.out.println(caseNamed(c).name());
            for (String m : modes) {
                if (m.equals("ckpt") || m.equals("recorded") || m.equals("ortteacher") || c.equals("mid")) {
                    spawn(c, m, threads, m.equals("ort") ? Math.min(iterations, 2) : iterations);
                }
            }
        }
        System.out.printf("load average at the end: %s%n", loadAverage());
    }

    private static void spawn(String caseName, String what, int threads, int iterations) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java));
        cmd.addAll(jvmOptions());
        cmd.addAll(List.of(
                "-cp",
                System.getProperty("java.class.path"),
                TrainBench.class.getName(),
                CHILD,
                caseName,
                what,
                Integer.toString(threads),
                Integer.toString(iterations)));
        Process p = new ProcessBuilder(cmd)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        try (BufferedReader in =
                new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                System.out.println("  " + line);
            }
        }
        int rc = p.waitFor();
        if (rc != 0) {
            throw new IllegalStateException("child " + caseName + " " + what + " failed (exit " + rc + ")");
        }
    }

    // ------------------------------------------------------------------------ child

    private static void child(String caseName, String what, int threads, int iterations) throws Exception {
        Case c = caseNamed(caseName);
        InfinityConfig config = c.config();
        ScaleSchedule schedule = c.schedule();
        Engine engine = DjlEngine.pytorch(threads);
        double matmul = 0;
        for (int r = 0; r < 3; r++) {
            try (NDManager m = engine.newBaseManager()) {
                matmul = Math.max(matmul, MatmulBaseline.gflops(m));
            }
        }
        StateDict weights = InfinityBench.randomWeights(config, 1);
        boolean checkpointing = !what.equals("recorded");
        System.out.printf(
                "[%s, %s] DJL PyTorch %s, %d threads, matmul 1024^3 %.1f GFLOP/s, load average %s%n",
                caseName, what, engine.getVersion(), threads, matmul, loadAverage());
        SubjectBatch subject = subjectBatch(config, schedule);
        ClassBatch classes = classBatch(config);
        FitOptions options = what.equals("ortteacher")
                ? FitOptions.arbooth().toBuilder()
                        .distillation(Distillation.arbooth().withTeacher(TeacherKind.KV_CACHED_ONNX_RUNTIME))
                        .build()
                : FitOptions.arbooth();
        try (DjlInfinity model = DjlInfinity.create(config, weights)
                        .attentionCheckpointBudget(what.equals("attn") ? 0 : 1L << 30)
                        .recordedTailBudget(what.equals("last") ? 0 : DjlInfinity.RECORDED_TAIL_BYTES);
                ArboothIteration it = ArboothIteration.create(model, options, config.textChannels(), schedule)
                        .checkpointing(checkpointing)) {
            if (what.equals("ort")) {
                ortInteraction(c, model, it, subject, classes, weights, threads, iterations);
                return;
            }
            double[] t1 = new double[iterations];
            double[] t2 = new double[iterations];
            for (int i = -1; i < iterations; i++) {
                long seed = 1000 + i;
                double a = Timer.once(() -> it.subjectStep(subject, seed));
                double b = Timer.once(() -> it.priorStep(classes, seed));
                if (i >= 0) {
                    t1[i] = a;
                    t2[i] = b;
                }
                System.out.printf(
                        "  %s: step 1 %.3f s, step 2 %.3f s (peak RSS so far %.2f GB)%n",
                        i < 0 ? "warm-up" : "iteration " + (i + 1), a, b, peakRssKb() / 1e6);
            }
            long rssIteration = peakRssKb();
            // the parts, measured once each, alone on the same (warm) model
            double fwdBwd = Timer.once(() -> studentForwardBackward(model, subject, config, schedule, checkpointing));
            double sampling = Timer.once(() -> it.sampleTeacher(classes, 77));
            double flopsDense = studentFlops(config, schedule, false);
            double flopsCausal = studentFlops(config, schedule, true);
            double s1 = median(t1);
            double s2 = median(t2);
            System.out.printf(
                    "  iteration (median of %d): step 1 %.3f s, step 2 %.3f s, whole %.3f s  [step 1 runs %s s, step 2"
                            + " runs %s s]%n",
                    iterations, s1, s2, s1 + s2, fmt(t1), fmt(t2));
            System.out.printf(
                    "  parts alone (once each): student fwd+bwd (B=%d, %s) %.3f s; teacher sampling (%s, %d class"
                            + " samples, cfg 1) %.3f s; so step 1 ≈ fwd+bwd + optimizer %.3f s, step 2 ≈ sampling +"
                            + " fwd+bwd + optimizer %.3f s%n",
                    BATCH,
                    what.equals("attn")
                            ? "block- and attention-checkpointed"
                            : checkpointing ? "block-checkpointed" : "recorded",
                    fwdBwd,
                    options.distillation().teacher(),
                    BATCH,
                    sampling,
                    s1 - fwdBwd,
                    s2 - fwdBwd - sampling);
            AttentionChunks chunks = InfinityNet.defaultChunks(schedule);
            System.out.printf(
                    "  student fwd+bwd rate: %.1f GFLOP (block-causal attention) in %.3f s = %.1f GFLOP/s = %.0f%% of"
                            + " matmul; counting the dense L x L attention as InfinityBench does (%.1f GFLOP): %.1f"
                            + " GFLOP/s = %.0f%%  [attention chunks %d, peak %d scores per row and head, %.0f%% of"
                            + " L^2 computed]%n",
                    flopsCausal / 1e9,
                    fwdBwd,
                    flopsCausal / fwdBwd / 1e9,
                    100 * flopsCausal / fwdBwd / 1e9 / matmul,
                    flopsDense / 1e9,
                    flopsDense / fwdBwd / 1e9,
                    100 * flopsDense / fwdBwd / 1e9 / matmul,
                    chunks.chunks().size(),
                    chunks.peakScores(),
                    100.0 * chunks.totalScores() / ((double) schedule.totalTokens() * schedule.totalTokens()));
            System.out.printf(
                    "  peak RSS (VmHWM): %.2f GB after the iterations, %.2f GB at the end%n",
                    rssIteration / 1e6, peakRssKb() / 1e6);
        }
    }

    /** Teacher sampling on DJL and on ONNX Runtime in one JVM, and DJL's step 1 before and after ONNX Runtime ran. */
    private static void ortInteraction(
            Case c,
            DjlInfinity model,
            ArboothIteration it,
            SubjectBatch subject,
            ClassBatch classes,
            StateDict weights,
            int threads,
            int iterations)
            throws Exception {
        double[] before = new double[iterations];
        for (int i = -1; i < iterations; i++) {
            long seed = 2000 + i;
            double t = Timer.once(() -> it.subjectStep(subject, seed));
            if (i >= 0) {
                before[i] = t;
            }
        }
        double djl = Timer.once(() -> teacherSamplingDjl(model, classes, c.config(), c.schedule()));
        double ort;
        try (OrtInfinity teacher = OrtInfinity.create(c.config(), weights, threads)) {
            NextScaleLoop loop = teacherLoop(c.config(), c.schedule());
            Timer.Task sample = () -> {
                try (OrtInfinityStepper st =
                        teacher.stepper(classes.text_NCt5(), classes.lens(), c.schedule(), false)) {
                    loop.run(st);
                }
            };
            sample.run();
            ort = Timer.once(sample);
        }
        double[] after = new double[iterations];
        for (int i = 0; i < iterations; i++) {
            long seed = 3000 + i;
            after[i] = Timer.once(() -> it.subjectStep(subject, seed));
        }
        double djlAfter = Timer.once(() -> teacherSamplingDjl(model, classes, c.config(), c.schedule()));
        System.out.printf(
                "  teacher sampling (%d class samples, KV-cached, cfg 1): DJL %.3f s, ONNX Runtime %.3f s (ratio %.2f);"
                        + " DJL again after ONNX Runtime ran %.3f s%n",
                BATCH, djl, ort, ort / djl, djlAfter);
        System.out.printf(
                "  step 1 on DJL before ONNX Runtime ran: %s s (median %.3f); after: %s s (median %.3f), ratio %.2f%n",
                fmt(before), median(before), fmt(after), median(after), median(after) / median(before));
        System.out.printf("  peak RSS (VmHWM): %.2f GB%n", peakRssKb() / 1e6);
    }

    private static void studentForwardBackward(
            DjlInfinity model, SubjectBatch subject, InfinityConfig config, ScaleSchedule schedule, boolean ckpt) {
        float[] x = TeacherForcing.inputs(
                schedule, BATCH, config.bitsPerToken(), randomBits(schedule, config.bitsPerToken(), 9));
        try (NDManager sub = model.ops().manager().newSubManager()) {
            DjlOps scope = model.ops().scoped(sub);
            int[] lens = subject.lens();
            float[] text = subject.text_NCt5();
            model.lossAndGradients(
                    scope,
                    model.conditionText(scope, text, lens),
                    x,
                    schedule,
                    logits -> logits.square().mean(),
                    o -> o,
                    ckpt);
        }
        for (NDArray a : model.parameters().trainableArrays().values()) {
            a.getGradient().subi(a.getGradient());
        }
    }

    private static void teacherSamplingDjl(
            DjlInfinity model, ClassBatch classes, InfinityConfig config, ScaleSchedule schedule) {
        try (DjlInfinity.Stepper st = model.stepper(classes.text_NCt5(), classes.lens(), schedule, false)) {
            teacherLoop(config, schedule).run(st);
        }
    }

    private static NextScaleLoop teacherLoop(InfinityConfig config, ScaleSchedule schedule) {
        Distillation d = Distillation.arbooth();
        return NextScaleLoop.create(
                schedule, BATCH, config.bitsPerToken(), BitSamplerOptions.of(d.cfg(), d.tau(), d.topK(), d.topP(), 5));
    }

    /** Forward + backward FLOPs of the student pass (B rows), block-causal or dense attention counted. */
    private static double studentFlops(InfinityConfig config, ScaleSchedule schedule, boolean blockCausal) {
        InfinityFlops.Breakdown b =
                InfinityFlops.teacherForced(config, schedule, BATCH, BATCH * (PROMPT_LEN + 3), blockCausal);
        return b.forward() + b.backward();
    }

    private static SubjectBatch subjectBatch(InfinityConfig config, ScaleSchedule schedule) {
        int[] lens = new int[BATCH];
        int[] at = new int[BATCH];
        Arrays.fill(lens, PROMPT_LEN);
        Arrays.fill(at, 3); // "a photo of <S*> dog": the placeholder is the 4th token
        float[] text = InfinityBench.gaussian(BATCH * PROMPT_LEN * config.textChannels(), 2, 0.5);
        byte[] bits = new byte[BATCH * schedule.totalTokens() * config.bitsPerToken()];
        SplittableRandom rnd = new SplittableRandom(3);
        for (int i = 0; i < bits.length; i++) {
            bits[i] = (byte) rnd.nextInt(2);
        }
        return new SubjectBatch(text, lens, at, bits);
    }

    private static ClassBatch classBatch(InfinityConfig config) {
        int[] lens = new int[BATCH];
        Arrays.fill(lens, CLASS_LEN);
        return new ClassBatch(InfinityBench.gaussian(BATCH * CLASS_LEN * config.textChannels(), 4, 0.5), lens);
    }

    private static List<long[]> randomBits(ScaleSchedule s, int d, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        List<long[]> bits = new ArrayList<>();
        for (int k = 0; k < s.size(); k++) {
            long[] v = new long[BATCH * s.get(k).tokens() * d];
            for (int i = 0; i < v.length; i++) {
                v[i] = rnd.nextInt(2);
            }
            bits.add(v);
        }
        return bits;
    }

    private static double median(double[] t) {
        double[] s = t.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    private static String fmt(double[] t) {
        StringBuilder b = new StringBuilder();
        for (double v : t) {
            b.append(b.length() == 0 ? "" : ", ").append(String.format("%.3f", v));
        }
        return b.toString();
    }

    /** The parent's own JVM options (heap size, system properties), which every child gets too. */
    private static List<String> jvmOptions() {
        return java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments();
    }

    /**
     * The allocator settings the process started with: {@code LD_PRELOAD} (e.g. jemalloc), {@code MALLOC_CONF} and
     * glibc's {@code MALLOC_*} variables; "glibc defaults" when none is set.
     */
    static String allocator() {
        StringBuilder b = new StringBuilder();
        for (String v : List.of(
                "LD_PRELOAD",
                "MALLOC_CONF",
                "MALLOC_ARENA_MAX",
                "MALLOC_MMAP_MAX_",
                "MALLOC_MMAP_THRESHOLD_",
                "MALLOC_TRIM_THRESHOLD_",
                "GLIBC_TUNABLES")) {
            String value = System.getenv(v);
            if (value != null) {
                b.append(b.length() == 0 ? "" : " ").append(v).append('=').append(value);
            }
        }
        return b.length() == 0 ? "glibc defaults" : b.toString();
    }

    /** The process's peak resident set ({@code VmHWM} of {@code /proc/self/status}), in kB; -1 where unknown. */
    static long peakRssKb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (java.io.IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }
}
