package dev.arbooth.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtSession;
import dev.arbooth.config.InfinityConfig;
import dev.arbooth.config.ScaleSchedule;
import dev.arbooth.config.ScaleSchedules;
import dev.arbooth.format.StateDict;
import dev.arbooth.runtime.internal.OrtInfinity;
import dev.arbooth.runtime.internal.OrtInfinityStepper;
import dev.arbooth.runtime.internal.OrtSessions;
import dev.arbooth.runtime.internal.OrtTensors;
import dev.arbooth.runtime.internal.onnx.OnnxOps;
import dev.arbooth.sampling.BitSamplerOptions;
import dev.arbooth.sampling.NextScaleLoop;
import dev.arbooth.sampling.NextScaleResult;
import dev.arbooth.train.internal.DjlEngine;
import dev.arbooth.train.internal.DjlInfinity;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Sampling latency of one image (CFG, 2 rows, KV cache, ARBooth's inference settings) on ONNX Runtime and on
 * DJL eager, measured in one run on the same machine with the same thread count, for the golden configuration
 * and the mid-size random one; each engine's achieved GFLOP/s against its own 1024³ matmul. The engines are
 * measured one after the other (per case: DJL's warm-ups and runs, then ONNX Runtime's) so their thread pools
 * never compete; the matmul references are the best of three measurements per engine. Also checks that both engines sample identical bits for the same weights, prompt
 * features and seed.
 *
 * <pre>
 * mvn -B -ntp -q install -DskipTests
 * mvn -B -ntp -q -pl arbooth-bench exec:java -Dexec.mainClass=dev.arbooth.bench.SamplingBench -Dexec.args="2"
 * </pre>
 *
 * <p>With {@code -Dbench.profile=true} it also prints, per case, the ONNX Runtime time of the prologue and of
 * each scale's step.
 */
public final class SamplingBench {
    private static final int PROMPT_LEN = 16;

    private SamplingBench() {}

    /** One configuration to measure. */
    private record Case(String name, InfinityConfig config, ScaleSchedule schedule, int warmup, int runs) {}

    /**
     * Runs the benchmark.
     *
     * @param args {@code [threads [which]]}: threads default 2; which is {@code all} (default), {@code golden}, {@code mid}, {@code ort},
     *     {@code golden-ort} or {@code mid-ort} (ONNX Runtime only, for profiling)
     * @throws Exception on engine failure
     */
    public static void main(String[] args) throws Exception {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        String which = args.length > 1 ? args[1] : "all";
        InfinityConfig golden = InfinityConfig.goldenSet1();
        InfinityConfig mid = InfinityBench.midConfig();
        List<Case> cases = new ArrayList<>();
        if (!which.startsWith("mid")) {
            cases.add(new Case(
                    "golden set-1 (depth 2, C 128, 0.06M 1:1, L 521)",
                    golden,
                    ScaleSchedules.official("1.000", "0.06M"),
                    3,
                    15));
        }
        if (!which.startsWith("golden")) {
            cases.add(new Case(
                    "mid (depth 8, C 512, 8 heads, 32 bits, 0.25M 1:1, L 2521)",
                    mid,
                    ScaleSchedules.official("1.000", "0.25M"),
                    1,
                    5));
        }
        System.out.printf(
                "machine: %d cores, %s %s, Java %s; %d intra-op threads per engine%n",
                Runtime.getRuntime().availableProcessors(),
                System.getProperty("os.name"),
                System.getProperty("os.arch"),
                System.getProperty("java.version"),
                threads);

        Engine engine = which.endsWith("ort") ? null : DjlEngine.pytorch(threads);
        System.out.printf(
                "engines: ONNX Runtime %s (intra-op spinning off); %s%n",
                ortVersion(), engine == null ? "DJL not run" : "DJL PyTorch " + engine.getVersion());
        // matmul references, each engine alone, best of 3 rounds of (3 warm-ups, median of 9)
        double ortMatmul = 0;
        double djlMatmul = 0;
        for (int r = 0; r < 3; r++) {
            ortMatmul = Math.max(ortMatmul, ortMatmul(threads));
            if (engine != null) {
                try (NDManager m = engine.newBaseManager()) {
                    djlMatmul = Math.max(djlMatmul, MatmulBaseline.gflops(m));
                }
            }
        }
        System.out.printf(
                "reference matmul 1024^3 fp32: ONNX Runtime %.1f GFLOP/s, DJL %.1f GFLOP/s%n", ortMatmul, djlMatmul);
        for (Case c : cases) {
            // both models open; each engine's runs follow the other's, never overlapping
            try (OrtInfinity ortModel = OrtInfinity.create(c.config(), weights(c), threads);
                    DjlInfinity djlModel = engine == null ? null : DjlInfinity.create(c.config(), weights(c))) {
                float[] prompt = prompt(c);
                NextScaleLoop loop = loop(c);
                NextScaleResult[] ortLast = new NextScaleResult[1];
                NextScaleResult[] djlLast = new NextScaleResult[1];
                Timer.Task ortRun = () -> {
                    try (OrtInfinityStepper st = ortModel.stepper(prompt, new int[] {PROMPT_LEN}, c.schedule(), true)) {
                        ortLast[0] = loop.run(st);
                    }
                };
                Timer.Task djlRun = () -> {
                    try (DjlInfinity.Stepper st =
                            djlModel.stepper(prompt, new int[] {PROMPT_LEN}, c.schedule(), true)) {
                        djlLast[0] = loop.run(st);
                    }
                };
                // DJL first, then ONNX Runtime: the engines never run at the same time
                double[] djl = new double[c.runs()];
                if (engine != null) {
                    for (int i = 0; i < c.warmup(); i++) {
                        djlRun.run();
                    }
                    for (int i = 0; i < c.runs(); i++) {
                        djl[i] = Timer.once(djlRun);
                    }
                }
                for (int i = 0; i < c.warmup(); i++) {
                    ortRun.run();
                }
                double[] ort = new double[c.runs()];
                for (int i = 0; i < c.runs(); i++) {
                    ort[i] = Timer.once(ortRun);
                }
                if (PROFILE) {
                    profile(c, prompt, loop, (p, s) -> ortModel.stepper(p, new int[] {PROMPT_LEN}, s, true));
                }
                System.out.println(c.name());
                report("ONNX Runtime", c, ort, ortMatmul);
                if (engine == null) {
                    continue;
                }
                report("DJL eager", c, djl, djlMatmul);
                boolean same = ortLast[0].bits().size() == djlLast[0].bits().size();
                for (int k = 0; same && k < ortLast[0].bits().size(); k++) {
                    same = Arrays.equals(
                            ortLast[0].bits().get(k), djlLast[0].bits().get(k));
                }
                System.out.printf(
                        "  ONNX Runtime / DJL time: %.2f (medians), %.2f (best); sampled bits identical: %s%n",
                        median(ort) / median(djl), min(ort) / min(djl), same);
            }
        }
    }

    private static double median(double[] t) {
        double[] s = t.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    private static double min(double[] t) {
        return Arrays.stream(t).min().orElseThrow();
    }

    private static void report(String engine, Case c, double[] t, double matmul) {
        double flops = InfinityFlops.cached(c.config(), c.schedule(), 2, 2 * PROMPT_LEN)
                .forward();
        System.out.printf(
                "  %-12s median %9.1f ms, best %9.1f ms (%d runs)  %6.1f GFLOP  %6.1f GFLOP/s (best)  %.0f%% of its"
                        + " matmul%n",
                engine,
                median(t) * 1e3,
                min(t) * 1e3,
                t.length,
                flops / 1e9,
                flops / min(t) / 1e9,
                100 * flops / min(t) / 1e9 / matmul);
    }

    private static StateDict weights(Case c) {
        return InfinityBench.randomWeights(c.config(), 1);
    }

    private static float[] prompt(Case c) {
        return InfinityBench.gaussian(PROMPT_LEN * c.config().textChannels(), 4, 0.5);
    }

    private static NextScaleLoop loop(Case c) {
        return NextScaleLoop.create(
                c.schedule(), 1, c.config().bitsPerToken(), BitSamplerOptions.of(4.0, 0.5, 900, 0.97, 5));
    }

    private static final boolean PROFILE = Boolean.getBoolean("bench.profile");

    /** Opens a stepper. */
    @FunctionalInterface
    private interface StepperFactory {
        OrtInfinityStepper open(float[] prompt, ScaleSchedule schedule);
    }

    /** Prints where one sampling run spends its time: prologue, each step's engine call, the rest. */
    private static void profile(Case c, float[] prompt, NextScaleLoop loop, StepperFactory f) {
        long t0 = System.nanoTime();
        long[] engine = new long[c.schedule().size()];
        try (OrtInfinityStepper stepper = f.open(prompt, c.schedule())) {
            long t1 = System.nanoTime();
            loop.run((k, x) -> {
                long s = System.nanoTime();
                float[] out = stepper.step(k, x);
                engine[k] = System.nanoTime() - s;
                return out;
            });
            long t2 = System.nanoTime();
            long sum = Arrays.stream(engine).sum();
            System.out.printf(
                    "    profile: prologue %.1f ms, steps %.1f ms, loop rest %.1f ms; per step ms %s%n",
                    (t1 - t0) / 1e6,
                    sum / 1e6,
                    (t2 - t1 - sum) / 1e6,
                    Arrays.toString(Arrays.stream(engine)
                            .mapToObj(v -> String.format("%.1f", v / 1e6))
                            .toArray()));
        }
    }

    /** The 1024³ matmul rate on ONNX Runtime: a one-node MatMul graph, same session options as the model's. */
    static double ortMatmul(int threads) throws Exception {
        int n = 1024;
        OnnxOps ops = OnnxOps.create("matmul", name -> null);
        String a = ops.input("a", n, n);
        String b = ops.input("b", n, n);
        ops.output("c", ops.matmul(a, b));
        float[] va = InfinityBench.gaussian(n * n, 7, 1);
        float[] vb = InfinityBench.gaussian(n * n, 8, 1);
        try (OrtSession s = OrtSessions.create("matmul", ops.toModelBytes(), Map.of(), threads);
                OnnxTensor ta = OrtTensors.floats(va, n, n);
                OnnxTensor tb = OrtTensors.floats(vb, n, n)) {
            double sec = Timer.median(3, 9, () -> {
                try (OrtSession.Result r = s.run(Map.of("a", ta, "b", tb))) {
                    OrtTensors.read(r.get(0));
                }
            });
            return 2.0 * n * n * n / sec / 1e9;
        }
    }

    private static String ortVersion() {
        try {
            return OrtSessions.environment().getVersion();
        } catch (RuntimeException e) {
            return "?";
        }
    }
}
