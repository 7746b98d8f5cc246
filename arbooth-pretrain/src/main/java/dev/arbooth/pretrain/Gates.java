package dev.arbooth.pretrain;

import dev.arbooth.base.BaseModel;
import dev.arbooth.image.PngWriter;
import dev.arbooth.internal.io.AtomicFiles;
import dev.arbooth.internal.nn.MultiScaleBsq;
import dev.arbooth.runtime.GeneratedImage;
import dev.arbooth.runtime.Generator;
import dev.arbooth.sampling.SamplingOptions;
import dev.arbooth.tensor.Tensor;
import dev.arbooth.toyworld.Caption;
import dev.arbooth.toyworld.Combination;
import dev.arbooth.toyworld.ProbeReading;
import dev.arbooth.toyworld.Probes;
import dev.arbooth.toyworld.Scene;
import dev.arbooth.toyworld.Split;
import dev.arbooth.toyworld.ToyImage;
import dev.arbooth.toyworld.ToyWorld;
import dev.arbooth.train.internal.DjlVae;
import dev.arbooth.train.internal.VaeTraining;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Measures the toy base's quality gates (issue 12, {@code docs/toy-model.md}) and writes {@code gates.json} with
 * pictures:
 *
 * <ol>
 *   <li><b>VAE</b>: held-out renders (random scenes of seeds no pretraining step draws, every combination) through
 *       the inference path ({@link DjlVae}: encoder, multi-scale BSQ bits, decoder): mean PSNR, and the probes'
 *       accuracy on the round trips (class, colour, context, accessory), with the probes on the originals beside;
 *   <li><b>prompt fidelity</b>: one sample per held-out caption combination ({@link Split#HELD_OUT}: class × colour
 *       × context × accessory never drawn in pretraining), from the ONNX Runtime {@link Generator} with {@link
 *       SamplingOptions#defaults()} (CFG and τ at the defaults), read by the probes;
 *   <li><b>sampling time</b>: wall time per image over those samples (batches of {@code --batch} prompts, after a
 *       warm-up batch).
 * </ol>
 *
 * <pre>
 * java -cp … dev.arbooth.pretrain.Gates --base DIR [--out DIR] [--renders 200] [--samples 200] [--batch 20]
 *     [--cfg 4] [--tau 0.5] [--first 0] [--seed N]
 * </pre>
 *
 * <p>{@code --first K} starts the fidelity samples at the K-th combination of the fixed shuffle and {@code --seed}
 * changes the samples' seeds: with {@code --first 200} the samples use the 307 held-out combinations the gate's 200
 * do not, a validation set for choosing sampling settings without reading the gate's own samples.
 */
public final class Gates {
    private static final long SEED = 0x6A7E5L;

    private Gates() {}

    /**
     * Runs the measurements.
     *
     * @param args see the class description
     * @throws Exception on any failure
     */
    public static void main(String[] args) throws Exception {
        Map<String, String> a = Pretrain.parse(args);
        if (!a.containsKey("base")) {
            throw new IllegalArgumentException("--base DIR is required (a base-model directory)");
        }
        BaseModel base = BaseModel.load(Path.of(a.get("base")));
        Path out = Path.of(a.getOrDefault("out", "target/gates"));
        int renders = Integer.parseInt(a.getOrDefault("renders", "200"));
        int samples = Integer.parseInt(a.getOrDefault("samples", "200"));
        int batch = Integer.parseInt(a.getOrDefault("batch", "20"));
        SamplingOptions sampling = SamplingOptions.defaults()
                .withCfg(Double.parseDouble(a.getOrDefault("cfg", String.valueOf(SamplingOptions.DEFAULT_CFG))))
                .withTau(Double.parseDouble(a.getOrDefault("tau", String.valueOf(SamplingOptions.DEFAULT_TAU))));
        Files.createDirectories(out);
        Probes probes = Probes.bundled();
        StringBuilder json = new StringBuilder("{\n");
        json.append(String.format(Locale.ROOT, "  \"base\": \"%s\",\n", base.name()));
        int first = Integer.parseInt(a.getOrDefault("first", "0"));
        long seed = Long.parseLong(a.getOrDefault("seed", String.valueOf(SEED)));
        vae(base, probes, renders, out, json);
        fidelity(base, probes, samples, batch, first, seed, sampling, out, json);
        json.append("  \"measured_at\": \"").append(java.time.Instant.now()).append("\"\n}\n");
        AtomicFiles.write(out.resolve("gates.json"), json.toString().getBytes(StandardCharsets.UTF_8));
        System.out.print(json);
        System.out.println("written: " + out.resolve("gates.json"));
    }

    private static void vae(BaseModel base, Probes probes, int n, Path out, StringBuilder json) {
        List<Scene> scenes = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            scenes.add(ToyWorld.randomScene(Pretrain.mix(SEED, 1, i), Split.ALL));
        }
        int side = base.vae().patchSize() * base.schedule().last().h();
        int per = 3 * side * side;
        float[] orig = new float[n * per];
        float[] rec = new float[n * per];
        try (DjlVae vae = DjlVae.load(base.vaeWeights(), base.vae())) {
            int chunk = 25;
            for (int s = 0; s < n; s += chunk) {
                int m = Math.min(chunk, n - s);
                float[] x = new float[m * per];
                for (int i = 0; i < m; i++) {
                    System.arraycopy(scenes.get(s + i).render(side).toTensor().toFloatArray(), 0, x, i * per, per);
                }
                Tensor images = Tensor.ofFloats(x, m, 3, side, side);
                MultiScaleBsq.Encoding e = vae.encode(images, base.schedule());
                Tensor y = vae.decode(Tensor.ofFloats(e.quantized_NdHW(), m, e.d(), e.height(), e.width()));
                System.arraycopy(x, 0, orig, s * per, m * per);
                System.arraycopy(y.toFloatArray(), 0, rec, s * per, m * per);
            }
        }
        Tensor o = Tensor.ofFloats(orig, n, 3, side, side);
        Tensor r = Tensor.ofFloats(rec, n, 3, side, side);
        double psnr = VaeTraining.psnr(o, r);
        int[] okRound = new int[4];
        int[] okOrig = new int[4];
        for (int i = 0; i < n; i++) {
            Scene sc = scenes.get(i);
            count(okRound, probes.read(ToyImage.fromTensor(slice(rec, i, side))), sc);
            count(okOrig, probes.read(ToyImage.fromTensor(slice(orig, i, side))), sc);
        }
        int show = Math.min(16, n);
        float[] grid = new float[2 * show * per];
        System.arraycopy(orig, 0, grid, 0, show * per);
        System.arraycopy(rec, 0, grid, show * per, show * per);
        PngWriter.writeGrid(Tensor.ofFloats(grid, 2L * show, 3, side, side), show, out.resolve("vae-roundtrip.png"));
        json.append(String.format(
                Locale.ROOT,
                "  \"vae\": {\"renders\": %d, \"psnr_db\": %.2f, \"probe_roundtrip\": %s, \"probe_original\": %s},\n",
                n,
                psnr,
                accuracies(okRound, n),
                accuracies(okOrig, n)));
        System.out.printf(
                Locale.ROOT,
                "[vae] %d held-out renders: PSNR %.2f dB; probes on round trips %s%n",
                n,
                psnr,
                accuracies(okRound, n));
    }

    private static void fidelity(
            BaseModel base,
            Probes probes,
            int n,
            int batch,
            int first,
            long seed,
            SamplingOptions sampling,
            Path out,
            StringBuilder json) {
        List<Combination> held = new ArrayList<>(Combination.of(Split.HELD_OUT));
        // a fixed shuffle, then as many as asked (cycling if there are fewer combinations)
        SplittableRandom r = new SplittableRandom(SEED);
        for (int i = held.size() - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            Combination t = held.get(i);
            held.set(i, held.get(j));
            held.set(j, t);
        }
        List<Caption> captions = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            captions.add(held.get((first + i) % held.size()).caption());
        }
        int[] ok = new int[4];
        int all = 0;
        List<Tensor> shown = new ArrayList<>();
        long nanos = 0;
        int timed = 0;
        try (Generator g = Generator.base(base)) {
            SamplingOptions opt = sampling.withSeed(seed);
            g.sample(captions.get(0).text(), opt); // warm-up
            for (int s = 0; s < n; s += batch) {
                List<String> prompts = new ArrayList<>();
                for (int i = s; i < Math.min(n, s + batch); i++) {
                    prompts.add(captions.get(i).text());
                }
                long t0 = System.nanoTime();
                List<GeneratedImage> imgs = g.sample(prompts, opt.withSeed(seed + s));
                nanos += System.nanoTime() - t0;
                timed += imgs.size();
                for (int i = 0; i < imgs.size(); i++) {
                    Caption c = captions.get(s + i);
                    ProbeReading p = probes.read(ToyImage.fromTensor(imgs.get(i).image()));
                    ok[0] += p.objectClass() == c.objectClass() ? 1 : 0;
                    ok[1] += c.colour().map(x -> x == p.colour()).orElse(true) ? 1 : 0;
                    ok[2] += c.context().map(x -> x == p.context()).orElse(true) ? 1 : 0;
                    ok[3] += p.accessory() == c.accessory() ? 1 : 0;
                    all += p.agreesWith(c) ? 1 : 0;
                    if (shown.size() < 40) {
                        shown.add(imgs.get(i).image());
                    }
                }
            }
        }
        writeGrid(shown, 8, out.resolve("heldout-samples.png"));
        StringBuilder list = new StringBuilder();
        for (int i = 0; i < shown.size(); i++) {
            list.append(i).append('\t').append(captions.get(i).text()).append('\n');
        }
        AtomicFiles.write(out.resolve("heldout-samples.txt"), list.toString().getBytes(StandardCharsets.UTF_8));
        double msPerImage = nanos / 1e6 / timed;
        json.append(String.format(
                Locale.ROOT,
                "  \"prompt_fidelity\": {\"samples\": %d, \"held_out_combinations\": %d, \"first\": %d,"
                        + " \"seed\": %d, \"cfg\": %s, \"tau\": %s, \"accuracy\": %s, \"all_named_agree\": %.3f},\n",
                n,
                held.size(),
                first,
                seed,
                sampling.cfg().get(0),
                sampling.tau().get(0),
                accuracies(ok, n),
                all / (double) n));
        json.append(String.format(
                Locale.ROOT,
                "  \"sampling\": {\"ms_per_image\": %.1f, \"batch\": %d, \"engine\": \"ONNX Runtime (CPU)\"},\n",
                msPerImage,
                batch));
        System.out.printf(
                Locale.ROOT,
                "[fidelity] %d samples of %d held-out combinations: %s; %.1f ms per image%n",
                n,
                held.size(),
                accuracies(ok, n),
                msPerImage);
    }

    private static void count(int[] ok, ProbeReading p, Scene sc) {
        ok[0] += p.objectClass() == sc.objectClass() ? 1 : 0;
        ok[1] += p.colour() == sc.colour() ? 1 : 0;
        ok[2] += p.context() == sc.context() ? 1 : 0;
        ok[3] += p.accessory() == sc.accessory() ? 1 : 0;
    }

    private static String accuracies(int[] ok, int n) {
        return String.format(
                Locale.ROOT,
                "{\"class\": %.3f, \"colour\": %.3f, \"context\": %.3f, \"accessory\": %.3f}",
                ok[0] / (double) n,
                ok[1] / (double) n,
                ok[2] / (double) n,
                ok[3] / (double) n);
    }

    private static Tensor slice(float[] batch_N3HW, int i, int side) {
        int per = 3 * side * side;
        float[] v = new float[per];
        System.arraycopy(batch_N3HW, i * per, v, 0, per);
        return Tensor.ofFloats(v, 3, side, side);
    }

    private static void writeGrid(List<Tensor> images, int columns, Path target) {
        long[] s = images.get(0).shape();
        int per = Math.toIntExact(Tensor.numel(s));
        float[] v = new float[images.size() * per];
        for (int i = 0; i < images.size(); i++) {
            System.arraycopy(images.get(i).toFloatArray(), 0, v, i * per, per);
        }
        long[] shape = s.length == 4 ? s : new long[] {1, s[0], s[1], s[2]};
        PngWriter.writeGrid(Tensor.ofFloats(v, images.size(), shape[1], shape[2], shape[3]), columns, target);
    }
}
