package dev.arbooth.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtSession;
import dev.arbooth.config.InfinityConfig;
import dev.arbooth.config.ScaleSchedule;
import dev.arbooth.internal.format.StateDict;
import dev.arbooth.internal.sampling.BitSamplerOptions;
import dev.arbooth.internal.sampling.NextScaleLoop;
import dev.arbooth.internal.sampling.NextScaleResult;
import dev.arbooth.runtime.internal.OrtInfinity;
import dev.arbooth.runtime.internal.OrtInfinityStepper;
import dev.arbooth.runtime.internal.OrtSessions;
import dev.arbooth.runtime.internal.OrtTensors;
import dev.arbooth.runtime.internal.onnx.OnnxOps;
import dev.arbooth.train.internal.DjlEngine;
import dev.arbooth.train.internal.DjlInfinity;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Sampling latency of one image (CFG, 2 rows, KV cache, ARBooth's inference settings) on ONNX Runtime and on
 * DJL eager, measured in one run on the same machine with the same thread count, for the golden configuration
 * and the mid-size random one; each engine's achieved GFLOP/s against its own 1024³ matmul. Also checks that
 * both engines sample identical bits for the same weights, prompt features and seed.
 *
 * <p>Each engine is measured in a fresh JVM of its own (a child process of this one, same class path and
 * environment), never at the same time as the other: in one process, running ONNX Runtime between DJL's runs
 * made DJL's mid sampling 1.3–2x slower (its kernel time — page faults on the large attention-score tensors —
 * grew 2–3x; measured with a probe, see {@code docs/benchmarks.md}), which would flatter ONNX Runtime. The children
 * alternate (round 1: DJL then ONNX Runtime, round 2: ONNX Runtime then DJL, ...), so the machine's drift
 * affects both; the ratio is reported per round and of the medians over all rounds.
 *
 * <pre>
 * mvn -B -ntp -q install -DskipTests
 * mvn -B -ntp -q -pl arbooth-bench exec:exec -Dexec.executable=java \
 *     -Dexec.args="-cp %classpath dev.arbooth.bench.SamplingBench 2"
 * </pre>
 *
 * <p>With {@code -Dbench.profile=true} the ONNX Runtime children also print the time of the prologue and of
 * each scale's step.
 */
public final class SamplingBench {
    private static final int PROMPT_LEN = 16;
    private static final String RESULT = "RESULT ";

    private SamplingBench() {}

    /** One configuration to measure. */
    private record Case(String name, InfinityConfig config, ScaleSchedule schedule, int warmup, int runs) {}

    /** What one child measured. */
    private record Measured(String engine, double matmul, double[] seconds, String bitsDigest) {}

    /**
     * Runs the benchmark.
     *
     * @param args {@code [threads [which [rounds]]]}: threads default 2; which is {@code all} (default),
     *     {@code golden}, {@code mid}, {@code ort}, {@code golden-ort} or {@code mid-ort} (ONNX Runtime only, for
     *     profiling); rounds (default 3) is the number of DJL + ONNX Runtime child pairs per configuration
     * @throws Exception on engine failure
     */
    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("--child")) {
            child(args[1], args[2], Integer.parseInt(args[3]));
            return;
        }
        BenchArgs.run(
                "SamplingBench [threads [all|golden|mid|ort|golden-ort|mid-ort [rounds]]]",
                args,
                a -> run(
                        a.optionalInt(0, "threads", 2, 1),
                        args.length > 1
                                ? a.choice(1, "which", "all", "golden", "mid", "ort", "golden-ort", "mid-ort")
                                : "all",
                        a.optionalInt(2, "rounds", 3, 1)));
    }

    private static void run(int threads, String which, int rounds) throws Exception {
        boolean djlToo = !which.endsWith("ort");
        System.out.printf(
                "machine: %d cores, %s %s, Java %s; %d intra-op threads per engine; engines: ONNX Runtime %s"
                        + " (intra-op spinning: %s), %s; each engine in its own JVM, %d rounds%n",
                Runtime.getRuntime().availableProcessors(),
                System.getProperty("os.name"),
                System.getProperty("os.arch"),
                System.getProperty("java.version"),
                threads,
                ortVersion(),
                OrtSessions.spinningDescription(),
                djlToo ? "DJL PyTorch" : "DJL not run",
                rounds);
        for (String name : cases(which)) {
            Case c = caseNamed(name);
            List<Measured> djl = new ArrayList<>();
            List<Measured> ort = new ArrayList<>();
            double[] roundRatio = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                Measured o;
                Measured d = null;
                if (djlToo && r % 2 == 0) {
                    d = spawn("djl", name, threads);
                    o = spawn("ort", name, threads);
                } else {
                    o = spawn("ort", name, threads);
                    d = djlToo ? spawn("djl", name, threads) : null;
                }
                ort.add(o);
                if (d != null) {
                    djl.add(d);
                    roundRatio[r] = median(o.seconds()) / median(d.seconds());
                }
            }
            System.out.println(c.name());
            double ortMedian = report("ONNX Runtime", c, ort);
            if (!djlToo) {
                continue;
            }
            double djlMedian = report("DJL eager", c, djl);
            boolean same =
                    djl.stream().map(Measured::bitsDigest).allMatch(ort.get(0).bitsDigest()::equals)
                            && ort.stream()
                                    .map(Measured::bitsDigest)
                                    .allMatch(ort.get(0).bitsDigest()::equals);
            System.out.printf(
                    "  ONNX Runtime / DJL time: %.2f (medians over all rounds); per round %s (worst %.2f);"
                            + " sampled bits identical in every child: %s%n",
                    ortMedian / djlMedian,
                    Arrays.toString(Arrays.stream(roundRatio)
                            .map(v -> Math.round(v * 100) / 100.0)
                            .toArray()),
                    Arrays.stream(roundRatio).max().orElseThrow(),
                    same);
        }
    }

    private static List<String> cases(String which) {
        List<String> out = new ArrayList<>();
        if (!which.startsWith("mid")) {
            out.add("golden");
        }
        if (!which.startsWith("golden")) {
            out.add("mid");
        }
        return out;
    }

    private static Case caseNamed(String name) {
        return switch (name) {
            case "golden" -> new Case(
                    "golden set-1 (depth 2, C 128, 0.06M 1:1, L 521)",
                    InfinityConfig.goldenSet1(),
                    ScaleSchedule.official("1.000", "0.06M"),
                    3,
                    15);
            case "mid" -> new Case(
                    "mid (depth 8, C 512, 8 heads, 32 bits, 0.25M 1:1, L 2521)",
                    InfinityBench.midConfig(),
                    ScaleSchedule.official("1.000", "0.25M"),
                    2,
                    3);
            default -> throw new IllegalArgumentException("unknown case " + name);
        };
    }

    /** Runs one engine on one case in a fresh JVM (same class path, environment and bench properties). */
    private static Measured spawn(String engine, String caseName, int threads) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path")));
        if (PROFILE) {
            cmd.add("-Dbench.profile=true");
        }
        cmd.addAll(List.of(SamplingBench.class.getName(), "--child", engine, caseName, Integer.toString(threads)));
        Process p = new ProcessBuilder(cmd)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        Measured result = null;
        try (BufferedReader in =
                new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (line.startsWith(RESULT)) {
                    result = parse(line.substring(RESULT.length()));
                } else {
                    System.out.println(line);
                }
            }
        }
        int rc = p.waitFor();
        if (rc != 0 || result == null) {
            throw new IllegalStateException(engine + " child for " + caseName + " failed (exit " + rc + ")");
        }
        return result;
    }

    private static Measured parse(String line) {
        String[] f = line.split(" ");
        double[] t =
                Arrays.stream(f[2].split(",")).mapToDouble(Double::parseDouble).toArray();
        return new Measured(f[0], Double.parseDouble(f[1]), t, f[3]);
    }

    /** A child: one engine, one case; prints {@code RESULT engine matmul seconds,... bitsDigest}. */
    private static void child(String engineName, String caseName, int threads) throws Exception {
        Case c = caseNamed(caseName);
        float[] prompt = InfinityBench.gaussian(PROMPT_LEN * c.config().textChannels(), 4, 0.5);
        NextScaleLoop loop = NextScaleLoop.create(
                c.schedule(), 1, c.config().bitsPerToken(), BitSamplerOptions.of(4.0, 0.5, 900, 0.97, 5));
        StateDict weights = InfinityBench.randomWeights(c.config(), 1);
        NextScaleResult[] last = new NextScaleResult[1];
        double matmul = 0;
        double[] t = new double[c.runs()];
        String version;
        if (engineName.equals("djl")) {
            Engine engine = DjlEngine.pytorch(threads);
            version = "DJL PyTorch " + engine.getVersion();
            for (int r = 0; r < 3; r++) {
                try (NDManager m = engine.newBaseManager()) {
                    matmul = Math.max(matmul, MatmulBaseline.gflops(m));
                }
            }
            try (DjlInfinity model = DjlInfinity.create(c.config(), weights)) {
                Timer.Task run = () -> {
                    try (DjlInfinity.Stepper st = model.stepper(prompt, new int[] {PROMPT_LEN}, c.schedule(), true)) {
                        last[0] = loop.run(st);
                    }
                };
                measure(c, run, t);
            }
        } else {
            version = "ONNX Runtime " + ortVersion();
            for (int r = 0; r < 3; r++) {
                matmul = Math.max(matmul, ortMatmul(threads));
            }
            try (OrtInfinity model = OrtInfinity.create(c.config(), weights, threads)) {
                Timer.Task run = () -> {
                    try (OrtInfinityStepper st = model.stepper(prompt, new int[] {PROMPT_LEN}, c.schedule(), true)) {
                        last[0] = loop.run(st);
                    }
                };
                measure(c, run, t);
                if (PROFILE) {
                    profile(c, prompt, loop, (p, s) -> model.stepper(p, new int[] {PROMPT_LEN}, s, true));
                }
            }
        }
        System.out.printf(
                "    %s child (%s): matmul %.1f GFLOP/s, runs %s ms%n",
                engineName,
                version,
                matmul,
                Arrays.toString(
                        Arrays.stream(t).mapToLong(v -> Math.round(v * 1e3)).toArray()));
        System.out.println(RESULT + engineName + " " + matmul + " "
                + String.join(",", Arrays.stream(t).mapToObj(Double::toString).toList()) + " " + digest(last[0]));
    }

    private static void measure(Case c, Timer.Task run, double[] t) throws Exception {
        for (int i = 0; i < c.warmup(); i++) {
            run.run();
        }
        for (int i = 0; i < t.length; i++) {
            t[i] = Timer.once(run);
        }
    }

    private static String digest(NextScaleResult result) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        ByteBuffer b = ByteBuffer.allocate(8);
        for (long[] scale : result.bits()) {
            for (long v : scale) {
                md.update(b.clear().putLong(v).array());
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static double median(double[] t) {
        double[] s = t.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    private static double min(double[] t) {
        return Arrays.stream(t).min().orElseThrow();
    }

    /** Prints one engine's times over all its children; returns the median. */
    private static double report(String engine, Case c, List<Measured> children) {
        double[] t = children.stream()
                .flatMapToDouble(m -> Arrays.stream(m.seconds()))
                .toArray();
        double matmul = children.stream().mapToDouble(Measured::matmul).max().orElseThrow();
        double flops = InfinityFlops.cached(c.config(), c.schedule(), 2, 2 * PROMPT_LEN)
                .forward();
        System.out.printf(
                "  %-12s median %9.1f ms, best %9.1f ms (%d runs in %d JVMs)  %6.1f GFLOP  %6.1f / %6.1f GFLOP/s"
                        + " (median / best) = %.0f%% / %.0f%% of its matmul (%.1f GFLOP/s, best child)%n",
                engine,
                median(t) * 1e3,
                min(t) * 1e3,
                t.length,
                children.size(),
                flops / 1e9,
                flops / median(t) / 1e9,
                flops / min(t) / 1e9,
                100 * flops / median(t) / 1e9 / matmul,
                100 * flops / min(t) / 1e9 / matmul,
                matmul);
        return median(t);
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
