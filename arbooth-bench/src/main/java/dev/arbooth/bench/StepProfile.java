package dev.arbooth.bench;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxTensorLike;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.arbooth.config.InfinityConfig;
import dev.arbooth.config.ScaleSchedule;
import dev.arbooth.runtime.internal.OrtSessions;
import dev.arbooth.runtime.internal.OrtTensors;
import dev.arbooth.runtime.internal.OrtWeights;
import dev.arbooth.runtime.internal.onnx.InfinityGraphs;
import dev.arbooth.runtime.internal.onnx.OnnxOps;
import java.util.HashMap;
import java.util.Map;

/**
 * Times one Infinity step graph on ONNX Runtime in isolation (random inputs), optionally with ONNX Runtime's
 * profiler on, to see which operators dominate a step.
 *
 * <pre>
 * java -cp ... dev.arbooth.bench.StepProfile golden|mid k [threads] [profilePrefix]
 * </pre>
 */
public final class StepProfile {
    private StepProfile() {}

    /**
     * Runs it.
     *
     * @param args {@code golden|mid k [threads] [profilePrefix]}
     * @throws Exception on engine failure
     */
    public static void main(String[] args) throws Exception {
        BenchArgs.run(USAGE, args, StepProfile::profile);
    }

    static final String USAGE = "StepProfile golden|mid k [threads] [profilePrefix]";

    private static void profile(BenchArgs a) throws Exception {
        boolean isMid = a.choice(0, "model", "golden", "mid").equals("mid");
        int k = a.requiredInt(1, "k (scale index)", 0);
        int threads = a.optionalInt(2, "threads", 2, 1);
        String profilePrefix = a.optional(3, null);
        InfinityConfig golden = InfinityConfig.goldenSet1();
        InfinityConfig config = isMid ? InfinityBench.midConfig() : golden;
        ScaleSchedule schedule = ScaleSchedule.official("1.000", isMid ? "0.25M" : "0.06M");
        try (OrtWeights w = OrtWeights.create(InfinityBench.randomWeights(config, 1))) {
            OnnxOps ops = InfinityGraphs.step(config, w::shapeOrNull, schedule, k, 2, 1);
            System.out.printf("step %d: %d nodes%n", k, ops.graph().nodeCount());
            Map<String, OnnxTensorLike> weights = new HashMap<>(w.select(ops.weightsUsed()));
            OrtSession s;
            try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
                o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
                o.setIntraOpNumThreads(threads);
                o.setInterOpNumThreads(1);
                for (String key : System.getProperties().stringPropertyNames()) {
                    if (key.startsWith("ort.")) {
                        o.addConfigEntry(key.substring(4), System.getProperty(key));
                    }
                }
                if (Boolean.getBoolean("inline")) {
                    for (Map.Entry<String, OnnxTensorLike> e : weights.entrySet()) {
                        o.addInitializer(e.getKey(), (OnnxTensor) e.getValue());
                    }
                } else {
                    o.addExternalInitializers(weights);
                }
                if (profilePrefix != null) {
                    o.enableProfiling(profilePrefix);
                }
                s = OrtSessions.environment().createSession(ops.toModelBytes(), o);
            }
            Map<String, OnnxTensor> in = new HashMap<>();
            int seed = 11;
            for (Map.Entry<String, NodeInfo> e : s.getInputInfo().entrySet()) {
                long[] shape = ((TensorInfo) e.getValue().getInfo()).getShape().clone();
                long n = 1;
                for (int i = 0; i < shape.length; i++) {
                    if (shape[i] < 0) {
                        shape[i] = 32;
                    }
                    n *= shape[i];
                }
                float[] v = InfinityBench.gaussian(Math.toIntExact(n), seed++, 0.5);
                if (e.getKey().equals(InfinityGraphs.TEXT_BIAS)) {
                    java.util.Arrays.fill(v, 0f);
                }
                in.put(e.getKey(), OrtTensors.floats(v, shape));
            }
            double t = Timer.median(3, 15, () -> {
                try (OrtSession.Result r = s.run(in)) {
                    r.get(0);
                }
            });
            System.out.printf("step %d: %.2f ms%n", k, t * 1e3);
            if (profilePrefix != null) {
                System.out.println("profile: " + s.endProfiling());
            }
            s.close();
            for (OnnxTensor x : in.values()) {
                x.close();
            }
        }
    }
}
