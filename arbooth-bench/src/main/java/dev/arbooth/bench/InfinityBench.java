package dev.arbooth.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.arbooth.config.InfinityConfig;
import dev.arbooth.config.ScaleSchedule;
import dev.arbooth.internal.format.StateDict;
import dev.arbooth.internal.format.TensorSpec;
import dev.arbooth.internal.nn.InfinityForward;
import dev.arbooth.internal.nn.InfinityText;
import dev.arbooth.internal.sampling.BitSamplerOptions;
import dev.arbooth.internal.sampling.NextScaleLoop;
import dev.arbooth.internal.sampling.TeacherForcing;
import dev.arbooth.internal.weights.InfinityPart;
import dev.arbooth.internal.weights.InfinityWeights;
import dev.arbooth.tensor.Tensor;
import dev.arbooth.train.internal.DjlEngine;
import dev.arbooth.train.internal.DjlInfinity;
import dev.arbooth.train.internal.DjlOps;
import dev.arbooth.train.internal.DjlParameters;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Benchmarks the Infinity transformer on DJL: a teacher-forced forward + backward with ARBooth's trainable
 * set (cross-attention and FFN), and KV-cached sampling of one image with CFG (2 rows) and ARBooth's
 * inference settings, for the golden configuration and a mid-size random one; GFLOP/s against a plain
 * 1024³ matmul measured in the same run.
 *
 * <pre>
 * mvn -B -ntp -q install -DskipTests
 * mvn -B -ntp -q -pl arbooth-bench exec:java -Dexec.mainClass=dev.arbooth.bench.InfinityBench -Dexec.args="2"
 * </pre>
 */
public final class InfinityBench {
    private InfinityBench() {}

    /**
     * Runs the benchmark.
     *
     * @param args {@code [threads]} (default 2)
     * @throws Exception on engine failure
     */
    public static void main(String[] args) throws Exception {
        BenchArgs.run("InfinityBench [threads]", args, a -> run(a.optionalInt(0, "threads", 2, 1)));
    }

    private static void run(int threads) throws Exception {
        Engine engine = DjlEngine.pytorch(threads);
        System.out.printf(
                "machine: %d cores, %s %s; DJL PyTorch %s, %d intra-op threads%n",
                Runtime.getRuntime().availableProcessors(),
                System.getProperty("os.name"),
                System.getProperty("os.arch"),
                engine.getVersion(),
                threads);
        double matmul;
        try (NDManager m = engine.newBaseManager()) {
            matmul = MatmulBaseline.gflops(m);
        }
        System.out.printf("reference: matmul 1024^3 fp32 %.1f GFLOP/s%n", matmul);

        InfinityConfig golden = InfinityConfig.goldenSet1();
        run(
                engine,
                "golden set-1 (depth 2, C 128, 0.06M 1:1, L 521)",
                golden,
                ScaleSchedule.official("1.000", "0.06M"),
                matmul,
                2,
                3,
                9);
        InfinityConfig mid = midConfig();
        run(
                engine,
                "mid (depth 8, C 512, 8 heads, 32 bits, 0.25M 1:1, L 2521)",
                mid,
                ScaleSchedule.official("1.000", "0.25M"),
                matmul,
                1,
                1,
                3);
    }

    /** The mid-size benchmark configuration: depth 8, width 512, 8 heads, FFN 2048, 32 bits, Flan-T5-XL text. */
    static InfinityConfig midConfig() {
        return InfinityConfig.goldenSet1().toBuilder()
                .depth(8)
                .blockChunks(8)
                .embedDim(512)
                .numHeads(8)
                .ffnHidden(2048)
                .textChannels(2048)
                .textMaxLength(512)
                .codebookDim(32)
                .build();
    }

    private static void run(
            Engine engine,
            String name,
            InfinityConfig config,
            ScaleSchedule schedule,
            double matmul,
            int trainRows,
            int warmup,
            int runs)
            throws Exception {
        int promptLen = 16;
        try (DjlInfinity model = DjlInfinity.create(config, randomWeights(config, 1))) {
            model.parameters()
                    .train(List.of(new DjlParameters.Group(
                            "ca+ffn",
                            InfinityWeights.parameters(config, InfinityPart.ARBOOTH).stream()
                                    .map(TensorSpec::name)
                                    .toList())));
            // --- teacher-forced forward + backward, trainRows prompts
            int[] lens = new int[trainRows];
            java.util.Arrays.fill(lens, promptLen);
            float[] text = gaussian(trainRows * promptLen * config.textChannels(), 2, 0.5);
            float[] x = TeacherForcing.inputs(
                    schedule,
                    trainRows,
                    config.bitsPerToken(),
                    randomBits(schedule, trainRows, config.bitsPerToken(), 3));
            double tTrain = Timer.median(warmup, runs, () -> {
                try (NDManager sub = model.ops().manager().newSubManager();
                        GradientCollector gc = engine.newGradientCollector()) {
                    DjlOps scope = model.ops().scoped(sub);
                    InfinityText<NDArray> t = model.conditionText(scope, text, lens);
                    InfinityForward<NDArray> f = model.forward(scope, t, x, schedule);
                    NDArray loss = f.logits_BLV().square().mean();
                    gc.backward(loss);
                    loss.getFloat();
                }
            });
            InfinityFlops.Breakdown tf =
                    InfinityFlops.teacherForced(config, schedule, trainRows, trainRows * promptLen);
            double trainFlops = tf.forward() + tf.backward();
            // --- KV-cached sampling of one image with CFG (2 rows), ARBooth inference settings
            float[] prompt = gaussian(promptLen * config.textChannels(), 4, 0.5);
            NextScaleLoop loop = NextScaleLoop.create(
                    schedule, 1, config.bitsPerToken(), BitSamplerOptions.of(4.0, 0.5, 900, 0.97, 5));
            double tSample = Timer.median(warmup, runs, () -> {
                try (DjlInfinity.Stepper stepper = model.stepper(prompt, new int[] {promptLen}, schedule, true)) {
                    loop.run(stepper);
                }
            });
            InfinityFlops.Breakdown inf = InfinityFlops.cached(config, schedule, 2, 2 * promptLen);
            System.out.printf("%s%n", name);
            System.out.printf(
                    "  teacher-forced fwd+bwd, B=%d: %8.1f ms  %7.1f GFLOP  %6.1f GFLOP/s  (%.0f%% of matmul)%n",
                    trainRows,
                    tTrain * 1e3,
                    trainFlops / 1e9,
                    trainFlops / tTrain / 1e9,
                    100 * trainFlops / tTrain / 1e9 / matmul);
            System.out.printf(
                    "  KV-cached sampling, 1 image (CFG, 2 rows): %8.1f ms  %7.1f GFLOP  %6.1f GFLOP/s  (%.0f%% of matmul)"
                            + "  [linear %.1f, attention %.1f GFLOP]%n",
                    tSample * 1e3,
                    inf.forward() / 1e9,
                    inf.forward() / tSample / 1e9,
                    100 * inf.forward() / tSample / 1e9 / matmul,
                    inf.linear() / 1e9,
                    inf.attention() / 1e9);
        }
    }

    static StateDict randomWeights(InfinityConfig config, long seed) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        SplittableRandom rnd = new SplittableRandom(seed);
        for (TensorSpec spec : InfinityWeights.expected(config)) {
            long[] shape = spec.shape();
            int n = Math.toIntExact(Tensor.numel(shape));
            float[] v = new float[n];
            if (!spec.name().endsWith("zero_k_bias")) {
                double std = shape.length == 2 ? 1 / Math.sqrt(shape[1]) : 0.02;
                for (int i = 0; i < n; i++) {
                    v[i] = (float) (nextGaussian(rnd) * std);
                }
            }
            out.put(spec.name(), Tensor.ofFloats(v, shape));
        }
        return StateDict.of(out);
    }

    private static List<long[]> randomBits(ScaleSchedule s, int b, int d, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        List<long[]> bits = new ArrayList<>();
        for (int k = 0; k < s.size(); k++) {
            long[] v = new long[b * s.get(k).tokens() * d];
            for (int i = 0; i < v.length; i++) {
                v[i] = rnd.nextInt(2);
            }
            bits.add(v);
        }
        return bits;
    }

    static float[] gaussian(int n, long seed, double std) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (nextGaussian(rnd) * std);
        }
        return v;
    }

    private static double nextGaussian(SplittableRandom rnd) {
        double u = 1 - rnd.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rnd.nextDouble());
    }
}
