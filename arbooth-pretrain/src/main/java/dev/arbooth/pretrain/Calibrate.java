package dev.arbooth.pretrain;

import dev.arbooth.config.InfinityConfig;
import dev.arbooth.config.VaeConfig;
import dev.arbooth.internal.format.StateDict;
import dev.arbooth.tensor.Tensor;
import dev.arbooth.toyworld.Split;
import dev.arbooth.toyworld.ToyWorld;
import dev.arbooth.train.FitOptions;
import dev.arbooth.train.OptimizerOptions;
import dev.arbooth.train.ScaleWeights;
import dev.arbooth.train.internal.ArboothIteration;
import dev.arbooth.train.internal.DjlEngine;
import dev.arbooth.train.internal.DjlInfinity;
import dev.arbooth.train.internal.SubjectBatch;
import dev.arbooth.train.internal.VaeTraining;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Throughput of candidate sizes for the 2-hour plan: VAE training images/s and transformer pretraining steps/s
 * (batch 32, 121 tokens, random bits and text rows of a typical caption length), each timed over a few steps after
 * one warm-up step. Not a benchmark of record: the figures are scaled by the machine's load when measured (printed).
 *
 * <pre>java -cp … dev.arbooth.pretrain.Calibrate [--vae-steps 4] [--transformer-steps 4] [--threads 2] [--only vae|transformer]</pre>
 */
public final class Calibrate {
    private Calibrate() {}

    /**
     * Prints one line per candidate.
     *
     * @param args see the class description
     */
    public static void main(String[] args) {
        Map<String, String> a = Pretrain.parse(args);
        int vaeSteps = Integer.parseInt(a.getOrDefault("vae-steps", "4"));
        int trSteps = Integer.parseInt(a.getOrDefault("transformer-steps", "4"));
        DjlEngine.pytorch(Integer.parseInt(a.getOrDefault("threads", "2")));
        System.out.println("load average at start: " + loadAverage());
        ToyBasePlan plan = ToyBasePlan.twoHours();
        Map<String, VaeConfig> vaes = new java.util.LinkedHashMap<>();
        vaes.put("V-S base32 (1,1,1,1)", new VaeConfig(32, List.of(1, 1, 1, 1), 1, 16, 8, 1e-6));
        vaes.put("V-M base32 (1,1,2,2)", new VaeConfig(32, List.of(1, 1, 2, 2), 1, 16, 8, 1e-6));
        vaes.put("V-L base48 (1,1,2,2)", new VaeConfig(48, List.of(1, 1, 2, 2), 1, 16, 8, 1e-6));
        Pretrain renderer = new Pretrain(plan, java.nio.file.Path.of("target"), 1, System.out);
        int batch = 16;
        String only = a.getOrDefault("only", "all");
        if (only.equals("transformer")) {
            vaes.clear();
        }
        for (Map.Entry<String, VaeConfig> e : vaes.entrySet()) {
            try (VaeTraining t =
                    VaeTraining.create(e.getValue(), 64, plan.schedule(), VaeTraining.Options.defaults(1))) {
                List<dev.arbooth.toyworld.Scene> scenes = new ArrayList<>();
                for (int i = 0; i < batch; i++) {
                    scenes.add(ToyWorld.randomScene(i, Split.TRAIN));
                }
                Tensor images = renderer.render(scenes);
                t.step(images);
                long t0 = System.nanoTime();
                for (int s = 0; s < vaeSteps; s++) {
                    t.step(images);
                }
                double secs = (System.nanoTime() - t0) / 1e9;
                System.out.printf(
                        Locale.ROOT,
                        "VAE %s: %d params, batch %d: %.2f s/step, %.1f images/s (load %s)%n",
                        e.getKey(),
                        e.getValue().parameterCount(),
                        batch,
                        secs / vaeSteps,
                        batch * vaeSteps / secs,
                        loadAverage());
            }
        }
        int[][] sizes = only.equals("vae") ? new int[0][] : new int[][] {{96, 3, 2}, {128, 4, 2}, {192, 4, 3}};
        int tb = 32;
        for (int[] sz : sizes) {
            InfinityConfig c = ToyBasePlan.transformer(sz[0], sz[1], sz[2], 16);
            FitOptions o = FitOptions.arbooth().toBuilder()
                    .scaleWeights(ScaleWeights.uniform())
                    .selfCorrection(0.1)
                    .dropPath(0)
                    .conditionDropout(0.1)
                    .optimizer(new OptimizerOptions(8e-4, 0.9, 0.97, 1e-8, 0))
                    .seed(1)
                    .build();
            try (DjlInfinity m = DjlInfinity.create(c, StateDict.of(InfinityInit.weights(c, 1)));
                    ArboothIteration it = ArboothIteration.pretraining(m, o, plan.schedule())) {
                SplittableRandom r = new SplittableRandom(3);
                int l = plan.schedule().totalTokens();
                byte[] bits = new byte[tb * l * 16];
                for (int i = 0; i < bits.length; i++) {
                    bits[i] = (byte) r.nextInt(2);
                }
                int[] lens = new int[tb];
                Arrays.fill(lens, 12);
                int[] none = new int[tb];
                Arrays.fill(none, SubjectBatch.NO_IDENTIFIER);
                float[] text = new float[tb * 12 * 128];
                for (int i = 0; i < text.length; i++) {
                    text[i] = (float) r.nextGaussian();
                }
                SubjectBatch b = new SubjectBatch(text, lens, none, bits);
                it.subjectStep(b, 0);
                long t0 = System.nanoTime();
                for (int s = 0; s < trSteps; s++) {
                    it.subjectStep(b, s + 1);
                }
                double secs = (System.nanoTime() - t0) / 1e9;
                System.out.printf(
                        Locale.ROOT,
                        "Transformer C %d depth %d heads %d: %d params, batch %d: %.2f s/step, %.2f steps/s (load %s)%n",
                        sz[0],
                        sz[1],
                        sz[2],
                        c.parameterCount(),
                        tb,
                        secs / trSteps,
                        trSteps / secs,
                        loadAverage());
            }
        }
    }

    private static String loadAverage() {
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg"))
                    .trim();
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }
}
