package dev.arbooth.toyworld.internal.tools;

import dev.arbooth.toyworld.Degradation;
import dev.arbooth.toyworld.Probes;
import dev.arbooth.toyworld.internal.ProbeNet;
import dev.arbooth.toyworld.internal.ProbeTraining;
import dev.arbooth.toyworld.internal.ProbeValidation;
import dev.arbooth.toyworld.internal.ProbeWeights;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Trains the probes and writes the weights resource with its provenance.
 *
 * <p>Usage: {@code TrainProbes [target [steps [batch [seed]]]]}; defaults: {@code
 * arbooth-toyworld/src/main/resources/dev/arbooth/toyworld/probes.safetensors} and {@link
 * ProbeTraining.Options#shipped()}. System properties: {@code threads} (default 2; the weights do not depend on
 * it), {@code checkpoint} (default {@code arbooth-toyworld/target/probes-training.ckpt}: the training state,
 * written atomically; a rerun with the same options resumes from it) and {@code checkpointEvery} (steps,
 * default 100).
 */
public final class TrainProbes {
    /** What the weights are, as stored in their metadata. */
    public static final String WHAT = "ARBooth toy-world probes (ProbeNet: conv 5x5/2 16, conv 3x3 32, conv 3x3 64;"
            + " features 1152 = 2x2 max pool + global max + global mean;"
            + " logits = linear(features) + linear(relu(linear 128 (features))))";

    private TrainProbes() {}

    /**
     * Entry point.
     *
     * @param args optional target, steps, batch, seed
     */
    public static void main(String[] args) {
        ProbeTraining.Options d = ProbeTraining.Options.shipped();
        Path target = Paths.get(
                args.length > 0
                        ? args[0]
                        : "arbooth-toyworld/src/main/resources/dev/arbooth/toyworld/probes.safetensors");
        ProbeTraining.Options o = new ProbeTraining.Options(
                args.length > 1 ? Integer.parseInt(args[1]) : d.steps(),
                args.length > 2 ? Integer.parseInt(args[2]) : d.batch(),
                d.learningRate(),
                d.weightDecay(),
                args.length > 3 ? Long.parseLong(args[3]) : d.seed());
        long t0 = System.nanoTime();
        int threads = Integer.getInteger("threads", 2);
        Path checkpoint = Paths.get(System.getProperty("checkpoint", "arbooth-toyworld/target/probes-training.ckpt"));
        int every = Integer.getInteger("checkpointEvery", 100);
        ProbeNet net = ProbeTraining.train(o, threads, line -> System.out.println(line), checkpoint, every);
        double minutes = (System.nanoTime() - t0) / 60e9;
        ProbeWeights.roundToHalf(net);
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("what", WHAT);
        meta.put(
                "command",
                "java -cp <arbooth-toyworld and arbooth-core classes> dev.arbooth.toyworld.internal.tools.TrainProbes "
                        + target + " " + o.steps() + " " + o.batch() + " " + o.seed());
        meta.put("steps", Integer.toString(o.steps()));
        meta.put("batch", Integer.toString(o.batch()));
        meta.put("learning_rate", Double.toString(o.learningRate()));
        meta.put("weight_decay", Double.toString(o.weightDecay()));
        meta.put("seed", Long.toString(o.seed()));
        meta.put(
                "training_scene_seeds", "0x4000000000000000 + seed * 1e9 + step * batch + i (never a validation seed)");
        meta.put("training_minutes", String.format("%.1f", minutes));
        meta.put("threads", Integer.toString(threads));
        meta.put("trained_at", Instant.now().toString());
        ProbeWeights.save(net, meta, target);
        Probes probes = Probes.load(target);
        long base = ProbeValidation.VALIDATION_SEED_BASE;
        String clean = ProbeValidation.accuracy(probes, base, 1000, 64, null).summary();
        String degraded = ProbeValidation.accuracy(probes, base, 1000, 64, Degradation.vaeLike())
                .summary();
        meta.put("validation_clean_64_1000", clean);
        meta.put("validation_degraded_64_1000", degraded);
        ProbeWeights.save(net, meta, target);
        System.out.println("clean:    " + clean);
        System.out.println("degraded: " + degraded);
        System.out.println("wrote " + target.toAbsolutePath() + String.format(" (%.1f min)", minutes));
    }
}
