package dev.arbooth.pretrain;

import ai.djl.ndarray.NDManager;
import dev.arbooth.base.BaseModel;
import dev.arbooth.config.ScaleSchedule;
import dev.arbooth.image.PngWriter;
import dev.arbooth.internal.format.SafeTensors;
import dev.arbooth.internal.format.StateDict;
import dev.arbooth.internal.format.TensorSpec;
import dev.arbooth.internal.io.AtomicFiles;
import dev.arbooth.internal.nn.MultiScaleBsq;
import dev.arbooth.internal.weights.InfinityWeights;
import dev.arbooth.tensor.DType;
import dev.arbooth.tensor.Tensor;
import dev.arbooth.text.TextFeatures;
import dev.arbooth.text.internal.T5Tokenizer;
import dev.arbooth.toyworld.Scene;
import dev.arbooth.toyworld.Split;
import dev.arbooth.toyworld.ToyWorld;
import dev.arbooth.train.FitOptions;
import dev.arbooth.train.OptimizerOptions;
import dev.arbooth.train.ScaleWeights;
import dev.arbooth.train.internal.ArboothIteration;
import dev.arbooth.train.internal.DjlEngine;
import dev.arbooth.train.internal.DjlInfinity;
import dev.arbooth.train.internal.DjlT5;
import dev.arbooth.train.internal.DjlVae;
import dev.arbooth.train.internal.StepLosses;
import dev.arbooth.train.internal.SubjectBatch;
import dev.arbooth.train.internal.VaeTraining;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Collectors;

/**
 * The pretraining command of the toy base: three phases, each resumable, deterministic for the plan's seed.
 *
 * <ol>
 *   <li><b>VAE</b> ({@link VaeTraining}) on toy-world renders drawn on the fly (training split; the scene of image
 *       {@code i} of step {@code s} is a pure function of seed, s and i), held-out PSNR on 32 renders of other seeds
 *       every few percent; writes {@code base/vae.safetensors} and {@code vae-heldout.png} (originals above, round
 *       trips below).
 *   <li><b>Bits cache</b>: {@code cacheImages} training renders encoded once by the trained VAE ({@link DjlVae},
 *       the inference code path) into chunk files {@code bits/chunk-NNNNN.safetensors} (U8 bits {@code (n, L, d)},
 *       the captions in the metadata), each written atomically; existing chunks are kept.
 *   <li><b>Transformer</b>: {@link ArboothIteration#pretraining} (teacher-forced bitwise CE over all scales,
 *       uniform scale weights, bitwise self-correction, condition dropout) on random batches of the cache, with the
 *       captions' features from the frozen seeded-random T5 ({@link ToyText}); writes {@code
 *       base/transformer.safetensors}.
 * </ol>
 *
 * Checkpoints ({@code checkpoints/vae.safetensors}, {@code checkpoints/transformer.safetensors}: weights, AdamW
 * state and the step) are written atomically every {@code --checkpoint-minutes} and at the end of a phase; starting
 * the same command again resumes where the last checkpoint left off (a finished phase is skipped). The metrics go to
 * {@code metrics.jsonl}, the progress bar to standard output. At the end {@code base/} is a complete base directory
 * ({@link BaseModel#load}) with {@code toybase-manifest.json}.
 *
 * <pre>
 * java -cp … dev.arbooth.pretrain.Pretrain [--out DIR] [--plan two-hours|smoke] [--seed N]
 *     [--bits D] [--schedule 1,2,4,6,8] [--vae-steps N] [--cache N] [--transformer-steps N]
 *     [--checkpoint-minutes M] [--threads T]
 * </pre>
 */
public final class Pretrain {
    private static final long TAG_VAE = 1;
    private static final long TAG_HELD_OUT = 2;
    private static final long TAG_CACHE = 3;
    private static final long TAG_BATCH = 4;
    private static final long TAG_STEP = 5;
    private static final int HELD_OUT = 32;
    private static final int CHUNK = 1024;

    private final ToyBasePlan plan;
    private final Path out;
    private final Path base;
    private final double checkpointMinutes;
    private final PrintStream log;
    private final GracefulStop stop;

    Pretrain(ToyBasePlan plan, Path out, double checkpointMinutes, PrintStream log) {
        this(plan, out, checkpointMinutes, log, GracefulStop.never());
    }

    Pretrain(ToyBasePlan plan, Path out, double checkpointMinutes, PrintStream log, GracefulStop stop) {
        this.plan = plan;
        this.out = out;
        this.base = out.resolve("base");
        this.checkpointMinutes = checkpointMinutes;
        this.log = log;
        this.stop = stop;
    }

    /**
     * Runs (or resumes) the pretraining.
     *
     * @param args see the class description
     */
    public static void main(String[] args) {
        Map<String, String> a = parse(args);
        ToyBasePlan plan =
                switch (a.getOrDefault("plan", "two-hours")) {
                    case "two-hours" -> ToyBasePlan.twoHours();
                    case "smoke" -> ToyBasePlan.smoke();
                    default -> throw new IllegalArgumentException(
                            "unknown --plan " + a.get("plan") + " (two-hours or smoke)");
                };
        plan = plan.withBudgets(
                Integer.parseInt(a.getOrDefault("vae-steps", Integer.toString(plan.vaeSteps()))),
                Integer.parseInt(a.getOrDefault("cache", Integer.toString(plan.cacheImages()))),
                Integer.parseInt(a.getOrDefault("transformer-steps", Integer.toString(plan.transformerSteps()))));
        if (a.containsKey("bits")) {
            plan = plan.withBits(Integer.parseInt(a.get("bits")));
        }
        if (a.containsKey("schedule")) {
            plan = plan.withSchedule(Arrays.stream(a.get("schedule").split(","))
                    .mapToInt(x -> Integer.parseInt(x.strip()))
                    .toArray());
        }
        plan = plan.withSeed(Long.parseLong(a.getOrDefault("seed", Long.toString(plan.seed()))));
        DjlEngine.pytorch(Integer.parseInt(a.getOrDefault("threads", "2")));
        Path out = Path.of(a.getOrDefault("out", "target/pretrain"));
        // SIGTERM / Ctrl-C: stop at the next step boundary with a checkpoint instead of exiting mid-backward
        GracefulStop stop = GracefulStop.onShutdown(Duration.ofMinutes(2), System.out);
        try {
            new Pretrain(plan, out, Double.parseDouble(a.getOrDefault("checkpoint-minutes", "3")), System.out, stop)
                    .run();
        } finally {
            stop.finished();
        }
    }

    static Map<String, String> parse(String[] args) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected --name value pairs, got '" + args[i] + "'");
            }
            m.put(args[i].substring(2), args[++i]);
        }
        return m;
    }

    /** Runs every unfinished phase and writes the base descriptor and manifest. */
    BaseModel run() {
        try {
            Files.createDirectories(base);
            Files.createDirectories(out.resolve("checkpoints"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        log.println("toy base pretraining: plan " + plan.name() + ", seed " + plan.seed() + ", out " + out);
        try (MetricsLog metrics = new MetricsLog(out.resolve("metrics.jsonl"))) {
            writeText();
            trainVae(metrics);
            cacheBits();
            trainTransformer(metrics);
        }
        BaseModel model = new BaseModel(
                base,
                "toy base (" + plan.name() + ", seed " + plan.seed() + ")",
                plan.infinity(),
                base.resolve("transformer.safetensors"),
                plan.vae(),
                base.resolve("vae.safetensors"),
                plan.t5(),
                base.resolve("t5.safetensors"),
                base.resolve("tokenizer.json"),
                plan.schedule());
        model.save();
        writeManifest();
        log.println("base written: " + base.toAbsolutePath());
        return model;
    }

    /** A mix of the seed and indices (SplitMix64 finaliser over a running combination). */
    static long mix(long seed, long... parts) {
        long h = seed;
        for (long p : parts) {
            h = splitMix(h ^ splitMix(p + 0x9E3779B97F4A7C15L));
        }
        return h;
    }

    private static long splitMix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Renders scenes into one {@code (n, 3, side, side)} tensor. */
    Tensor render(List<Scene> scenes) {
        int side = plan.imageSide();
        int per = 3 * side * side;
        float[] v = new float[scenes.size() * per];
        for (int i = 0; i < scenes.size(); i++) {
            float[] img = scenes.get(i).render(side).toTensor().toFloatArray();
            System.arraycopy(img, 0, v, i * per, per);
        }
        return Tensor.ofFloats(v, scenes.size(), 3, side, side);
    }

    private List<Scene> scenes(long tag, long group, int n, Split split) {
        List<Scene> s = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            s.add(ToyWorld.randomScene(mix(plan.seed(), tag, group, i), split));
        }
        return s;
    }

    // ------------------------------------------------------------------------------------------ text

    private void writeText() {
        Path tok = base.resolve("tokenizer.json");
        if (!Files.exists(tok)) {
            AtomicFiles.write(tok, ToyText.tokenizerJson().getBytes(StandardCharsets.UTF_8));
        }
        Path t5 = base.resolve("t5.safetensors");
        if (!Files.exists(t5)) {
            SafeTensors.write(t5, ToyText.randomT5(plan.t5(), mix(plan.seed(), 6)));
        }
    }

    // ------------------------------------------------------------------------------------------ VAE

    /**
     * The learning-rate schedule of both phases, a pure function of the step (so a resumed run follows it exactly):
     * constant for the first 60 % of the steps, then a cosine down to 5 % of the rate at the last step.
     *
     * @param step the 0-based step about to be taken
     * @param total the phase's steps
     * @return the factor of the plan's rate
     */
    static double learningRateScale(long step, long total) {
        double start = 0.6 * total;
        if (step < start) {
            return 1;
        }
        double t = Math.min(1, (step - start) / Math.max(1, total - 1 - start));
        return 0.05 + 0.95 * 0.5 * (1 + Math.cos(Math.PI * t));
    }

    private void trainVae(MetricsLog metrics) {
        Path done = base.resolve("vae.safetensors");
        if (Files.exists(done)) {
            log.println("[vae] done earlier: " + done);
            return;
        }
        Path ck = out.resolve("checkpoints/vae.safetensors");
        VaeTraining.Options o = VaeTraining.Options.defaults(mix(plan.seed(), TAG_VAE, -1));
        o = new VaeTraining.Options(
                o.optimizer().withLearningRate(plan.vaeLearningRate()),
                o.l1(),
                o.mse(),
                o.commitment(),
                o.entropy(),
                o.inverseTemperature(),
                o.gradClip(),
                o.seed());
        Tensor heldOut = render(scenes(TAG_HELD_OUT, 0, HELD_OUT, Split.ALL));
        try (VaeTraining t = VaeTraining.create(plan.vae(), plan.imageSide(), plan.schedule(), o)) {
            if (Files.exists(ck)) {
                t.restore(read(ck));
                log.println("[vae] resumed at step " + t.steps() + " from " + ck);
            }
            int total = plan.vaeSteps();
            int evalEvery = Math.max(1, total / 40);
            Progress p = new Progress("vae", t.steps(), total, log, 30);
            long lastCheckpoint = System.nanoTime();
            double psnr = Double.NaN;
            while (t.steps() < total) {
                long s = t.steps();
                t.learningRateScale(learningRateScale(s, total));
                VaeTraining.Losses l = t.step(render(scenes(TAG_VAE, s, plan.vaeBatch(), Split.TRAIN)));
                long stepDone = t.steps();
                Map<String, Double> m = new LinkedHashMap<>();
                m.put("loss", (double) l.total());
                m.put("l1", (double) l.l1());
                m.put("mse", (double) l.mse());
                m.put("commitment", (double) l.commitment());
                m.put("entropy_penalty", (double) l.entropyPenalty());
                m.put("grad_norm", (double) l.gradNorm());
                m.put("skipped", l.skipped() ? 1.0 : 0.0);
                if (stepDone % evalEvery == 0 || stepDone == total) {
                    psnr = heldOutPsnr(t, heldOut);
                    m.put("heldout_psnr_db", psnr);
                }
                m.put("elapsed_s", p.elapsedSeconds());
                metrics.write("vae", stepDone, m);
                p.update(
                        stepDone,
                        String.format(
                                Locale.ROOT,
                                "loss %.4f l1 %.4f mse %.4f psnr %.2f dB",
                                l.total(),
                                l.l1(),
                                l.mse(),
                                psnr));
                if ((System.nanoTime() - lastCheckpoint) / 6e10 >= checkpointMinutes || stepDone == total) {
                    SafeTensors.write(ck, t.snapshot());
                    lastCheckpoint = System.nanoTime();
                }
                stop.atBoundary("vae step " + stepDone, () -> SafeTensors.write(ck, t.snapshot()));
            }
            Tensor rec = t.reconstruct(heldOut);
            PngWriter.writeGrid(stack(heldOut, rec, 16), 16, out.resolve("vae-heldout.png"));
            SafeTensors.write(done, t.stateDict());
            log.println(
                    String.format(Locale.ROOT, "[vae] done: held-out PSNR %.2f dB", VaeTraining.psnr(heldOut, rec)));
        }
    }

    private static double heldOutPsnr(VaeTraining t, Tensor heldOut) {
        return VaeTraining.psnr(heldOut, t.reconstruct(heldOut));
    }

    /** The first {@code n} originals, then their reconstructions. */
    private static Tensor stack(Tensor a, Tensor b, int n) {
        long[] s = a.shape();
        int per = Math.toIntExact(s[1] * s[2] * s[3]);
        float[] x = a.toFloatArray();
        float[] y = b.toFloatArray();
        float[] v = new float[2 * n * per];
        System.arraycopy(x, 0, v, 0, n * per);
        System.arraycopy(y, 0, v, n * per, n * per);
        return Tensor.ofFloats(v, 2L * n, s[1], s[2], s[3]);
    }

    // ------------------------------------------------------------------------------------------ bits

    private Path chunk(int c) {
        return out.resolve("bits").resolve(String.format(Locale.ROOT, "chunk-%05d.safetensors", c));
    }

    private int chunks() {
        return (plan.cacheImages() + CHUNK - 1) / CHUNK;
    }

    private void cacheBits() {
        int chunks = chunks();
        ScaleSchedule schedule = plan.schedule();
        int l = schedule.totalTokens();
        int d = plan.vae().codebookDim();
        Progress p = new Progress("bits", 0, plan.cacheImages(), log, 30);
        try (DjlVae vae = DjlVae.load(base.resolve("vae.safetensors"), plan.vae())) {
            for (int c = 0; c < chunks; c++) {
                int first = c * CHUNK;
                int n = Math.min(CHUNK, plan.cacheImages() - first);
                if (Files.exists(chunk(c))) {
                    p.update(first + n, "chunk " + c + " cached earlier");
                    continue;
                }
                byte[] bits = new byte[n * l * d];
                List<String> captions = new ArrayList<>(n);
                for (int b0 = 0; b0 < n; b0 += 32) {
                    int nb = Math.min(32, n - b0);
                    List<Scene> scenes = new ArrayList<>(nb);
                    for (int i = 0; i < nb; i++) {
                        scenes.add(ToyWorld.randomScene(mix(plan.seed(), TAG_CACHE, first + b0 + i), Split.TRAIN));
                    }
                    MultiScaleBsq.Encoding e = vae.encode(render(scenes), schedule);
                    for (int k = 0; k < schedule.size(); k++) {
                        long[] scale = e.bits().get(k);
                        int per = schedule.get(k).tokens() * d;
                        for (int i = 0; i < nb; i++) {
                            int dst = ((b0 + i) * l + schedule.offset(k)) * d;
                            for (int j = 0; j < per; j++) {
                                bits[dst + j] = (byte) scale[i * per + j];
                            }
                        }
                    }
                    scenes.forEach(s -> captions.add(s.caption().text()));
                    p.update(first + b0 + nb, "chunk " + c);
                    // a chunk is written whole or not at all: a stop here loses only this chunk's encodings
                    stop.atBoundary("bits chunk " + c + " (redone on resume)", () -> {});
                }
                Files.createDirectories(chunk(c).getParent());
                SafeTensors.write(
                        chunk(c),
                        Map.of("bits", Tensor.of(DType.U8, new long[] {n, l, d}, ByteBuffer.wrap(bits))),
                        Map.of("captions", String.join("\n", captions)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ------------------------------------------------------------------------------------------ transformer

    private void trainTransformer(MetricsLog metrics) {
        Path done = base.resolve("transformer.safetensors");
        if (Files.exists(done)) {
            log.println("[transformer] done earlier: " + done);
            return;
        }
        ScaleSchedule schedule = plan.schedule();
        int l = schedule.totalTokens();
        int d = plan.vae().codebookDim();
        int n = plan.cacheImages();
        byte[] bits = new byte[n * l * d];
        String[] captions = new String[n];
        for (int c = 0; c < chunks(); c++) {
            try (SafeTensors f = SafeTensors.open(chunk(c))) {
                ByteBuffer b = f.get("bits").data();
                b.get(bits, c * CHUNK * l * d, b.remaining());
                String[] cs = f.metadata().get("captions").split("\n", -1);
                System.arraycopy(cs, 0, captions, c * CHUNK, cs.length);
            }
        }
        FitOptions options = FitOptions.arbooth().toBuilder()
                .scaleWeights(ScaleWeights.uniform())
                .selfCorrection(plan.selfCorrection())
                .dropPath(0)
                .conditionDropout(plan.conditionDropout())
                .optimizer(new OptimizerOptions(plan.transformerLearningRate(), 0.9, 0.97, 1e-8, 0.0))
                .seed(plan.seed())
                .build();
        Path ck = out.resolve("checkpoints/transformer.safetensors");
        try (NDManager textManager = DjlEngine.pytorch(1).newBaseManager();
                T5Tokenizer tokenizer = T5Tokenizer.open(
                        base.resolve("tokenizer.json"), plan.t5().textMaxLength());
                DjlT5 t5 = DjlT5.create(textManager, plan.t5(), StateDict.of(read(base.resolve("t5.safetensors"))));
                DjlInfinity model = DjlInfinity.create(
                        plan.infinity(), StateDict.of(InfinityInit.weights(plan.infinity(), mix(plan.seed(), 7))));
                ArboothIteration it = ArboothIteration.pretraining(model, options, schedule)) {
            Map<String, float[]> textCache = new HashMap<>();
            long start = 0;
            if (Files.exists(ck)) {
                Map<String, Tensor> snap = new LinkedHashMap<>(read(ck));
                start = snap.remove("steps").toLongArray()[0];
                it.restore(snap);
                log.println("[transformer] resumed at step " + start + " from " + ck);
            }
            int total = plan.transformerSteps();
            int batch = plan.transformerBatch();
            Progress p = new Progress("transformer", start, total, log, 30);
            long lastCheckpoint = System.nanoTime();
            double ema = Double.NaN;
            for (long s = start; s < total; s++) {
                SplittableRandom r = new SplittableRandom(mix(plan.seed(), TAG_BATCH, s));
                int[] lens = new int[batch];
                int[] none = new int[batch];
                Arrays.fill(none, SubjectBatch.NO_IDENTIFIER);
                byte[] gt = new byte[batch * l * d];
                List<float[]> rows = new ArrayList<>(batch);
                int totalRows = 0;
                for (int i = 0; i < batch; i++) {
                    int idx = r.nextInt(n);
                    System.arraycopy(bits, idx * l * d, gt, i * l * d, l * d);
                    float[] f = textCache.computeIfAbsent(captions[idx], cap -> encode(tokenizer, t5, cap));
                    rows.add(f);
                    lens[i] = f.length / plan.t5().dModel();
                    totalRows += lens[i];
                }
                float[] text = new float[totalRows * plan.t5().dModel()];
                int at = 0;
                for (float[] f : rows) {
                    System.arraycopy(f, 0, text, at, f.length);
                    at += f.length;
                }
                it.learningRateScale(learningRateScale(s, plan.transformerSteps()));
                StepLosses loss = it.subjectStep(new SubjectBatch(text, lens, none, gt), mix(plan.seed(), TAG_STEP, s));
                ema = Double.isNaN(ema) ? loss.loss() : 0.98 * ema + 0.02 * loss.loss();
                long stepDone = s + 1;
                Map<String, Double> m = new LinkedHashMap<>();
                m.put("loss", (double) loss.loss());
                m.put("loss_ema", ema);
                float[] perScale = loss.perScale();
                for (int k = 0; k < perScale.length; k++) {
                    m.put("ce_scale" + k, (double) perScale[k]);
                }
                m.put("elapsed_s", p.elapsedSeconds());
                metrics.write("transformer", stepDone, m);
                p.update(
                        stepDone,
                        String.format(
                                Locale.ROOT,
                                "loss %.4f (ema %.4f) last-scale CE %.4f",
                                loss.loss(),
                                ema,
                                perScale[perScale.length - 1]));
                if ((System.nanoTime() - lastCheckpoint) / 6e10 >= checkpointMinutes || stepDone == total) {
                    writeCheckpoint(ck, it, stepDone);
                    lastCheckpoint = System.nanoTime();
                }
                stop.atBoundary("transformer step " + stepDone, () -> writeCheckpoint(ck, it, stepDone));
            }
            List<String> keys = InfinityWeights.expected(plan.infinity()).stream()
                    .map(TensorSpec::name)
                    .toList();
            SafeTensors.write(done, model.parameters().snapshot(keys));
        }
    }

    /** The transformer's checkpoint: weights and AdamW state of the iteration, and the steps done. */
    private static void writeCheckpoint(Path ck, ArboothIteration it, long stepsDone) {
        Map<String, Tensor> snap = new LinkedHashMap<>(it.snapshot());
        snap.put("steps", Tensor.ofLongs(new long[] {stepsDone}, 1));
        SafeTensors.write(ck, snap);
    }

    /** The frozen encoder's compact rows of one caption, {@code (len, Ct5)} row-major. */
    private static float[] encode(T5Tokenizer tokenizer, DjlT5 t5, String caption) {
        TextFeatures f = t5.compactFeatures(tokenizer.encode(List.of(caption), T5Tokenizer.Padding.LONGEST));
        return f.kvCompact().toFloatArray();
    }

    private static Map<String, Tensor> read(Path file) {
        Map<String, Tensor> m = new LinkedHashMap<>();
        try (SafeTensors f = SafeTensors.open(file)) {
            for (String name : f.names()) {
                Tensor t = f.get(name);
                m.put(
                        name,
                        t.dtype().isFloatingPoint()
                                ? Tensor.ofFloats(t.toFloatArray(), t.shape())
                                : Tensor.ofLongs(t.toLongArray(), t.shape()));
            }
        }
        return m;
    }

    // ------------------------------------------------------------------------------------------ manifest

    /**
     * The schedule as {@code --schedule} takes it: the square scales' sides. A scale that is not square (only a plan
     * built in code can have one; {@code --schedule} takes squares) is written {@code HxW}, so the record stays true
     * though that command would not reproduce it.
     */
    private static String sides(ScaleSchedule schedule) {
        return schedule.scales().stream()
                .map(s -> s.h() == s.w() ? Integer.toString(s.h()) : s.h() + "x" + s.w())
                .collect(Collectors.joining(","));
    }

    private void writeManifest() {
        String json = "{\n"
                + "  \"format\": 1,\n"
                + "  \"plan\": \"" + plan.name() + "\",\n"
                + "  \"seed\": " + plan.seed() + ",\n"
                + "  \"command\": \"scripts/pretrain-toybase.sh --plan " + plan.name() + " --seed " + plan.seed()
                + " --bits " + plan.vae().codebookDim() + " --schedule " + sides(plan.schedule())
                + " --vae-steps " + plan.vaeSteps() + " --cache " + plan.cacheImages() + " --transformer-steps "
                + plan.transformerSteps() + "\",\n"
                + "  \"vae\": {\"steps\": " + plan.vaeSteps() + ", \"batch\": " + plan.vaeBatch() + ", \"lr\": "
                + plan.vaeLearningRate() + ", \"loss\": \"L1 + MSE + BSQ commitment 0.25 + entropy 0.1 (invT 100)\"},\n"
                + "  \"bits_cache\": {\"images\": " + plan.cacheImages() + "},\n"
                + "  \"transformer\": {\"steps\": " + plan.transformerSteps() + ", \"batch\": "
                + plan.transformerBatch() + ", \"lr\": " + plan.transformerLearningRate() + ", \"self_correction\": "
                + plan.selfCorrection() + ", \"condition_dropout\": " + plan.conditionDropout() + "},\n"
                + "  \"text_encoder\": \"frozen, seeded random weights (ToyText.randomT5)\",\n"
                + "  \"data\": \"arbooth-toyworld renders, 64x64, Split.TRAIN (held-out caption combinations never"
                + " drawn), scenes seeded by (seed, phase, step, index)\",\n"
                + "  \"gates\": null\n"
                + "}\n";
        AtomicFiles.write(base.resolve("toybase-manifest.json"), json.getBytes(StandardCharsets.UTF_8));
    }
}
