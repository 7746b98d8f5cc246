package dev.arbooth.examples;

import dev.arbooth.adapter.Adapter;
import dev.arbooth.base.BaseModel;
import dev.arbooth.runtime.GeneratedImage;
import dev.arbooth.runtime.Generator;
import dev.arbooth.sampling.SamplingOptions;
import dev.arbooth.toyworld.Caption;
import dev.arbooth.toyworld.ProbeReading;
import dev.arbooth.toyworld.Probes;
import dev.arbooth.toyworld.Subject;
import dev.arbooth.toyworld.ToyImage;
import dev.arbooth.toyworld.ToyWorld;
import dev.arbooth.train.FitImages;
import dev.arbooth.train.FitOptions;
import dev.arbooth.train.LoraOptions;
import dev.arbooth.train.Personalizer;
import dev.arbooth.train.ScaleWeights;
import dev.arbooth.train.Tuning;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/**
 * The main job: personalizes the bundled base on a subject's photos, samples a list of prompts with and without the
 * subject, reads every sample with the toy world's probes and writes a PNG grid and an HTML report.
 *
 * <pre>
 * scripts/demo.sh                                              # the demo subject dog1, the default prompts
 * scripts/demo.sh --images DIR --class dog [--prompts FILE] [--out DIR]
 * </pre>
 *
 * <p>Options: {@code --subject NAME} (a demo subject of the toy world: dog1, dog2, cat1, cat2, teddybear1,
 * teddybear2; default dog1), {@code --images DIR} (own photos, PNG or JPEG, resized to the base's resolution) with
 * {@code --class WORD}, {@code --prompts FILE} (one prompt per line, {@code {class}} replaced by the class word,
 * {@code {identifier}} by the fit's identifier, {@code #} comments), {@code --out DIR} (default {@code target/demo}),
 * {@code --steps N}, {@code --lr X}, {@code --batch B}, {@code --tuning T} (a {@link Tuning}, e.g. {@code
 * identifier-only}) and {@code --lora R}, {@code --distill-uncond true|false}, {@code --scale-weights W1,W2,...} (a
 * weight per scale of the cross-entropy, the last one repeated for later scales; {@link ScaleWeights#of}) (default:
 * the base's preset), {@code --base DIR} (a base-model directory
 * instead of the bundled base), {@code --per-prompt K} images per prompt (default 4), {@code --seed S}.
 *
 * <p>The class prompt without the identifier is always added: its samples before and after the fit show whether the
 * class kept its meaning (language drift). The output directory is built beside the target and moved into place at
 * the end, so an interrupted run leaves no half-written report.
 */
public final class Demo {
    /**
     * The prompts of the main job, in the spirit of ARBooth's demo; {@code {class}} is the class word, {@code
     * {identifier}} the fit's identifier.
     */
    public static final List<String> DEFAULT_PROMPTS = List.of(
            "a {identifier} {class}",
            "a {identifier} {class} in the snow",
            "a {identifier} {class} on the beach",
            "a {identifier} {class} in the jungle",
            "a {identifier} {class} with a city in the background",
            "a {identifier} {class} with a mountain in the background",
            "a {identifier} {class} on a cobblestone street",
            "a {identifier} {class} floating on top of water",
            "a {identifier} {class} wearing a santa hat",
            "a {identifier} {class} wearing pink glasses",
            "a {identifier} {class} wearing a rainbow scarf",
            "a purple {identifier} {class}",
            "a shiny {identifier} {class}",
            "a {identifier} {class} wearing a red hat on the beach");

    private static final String USAGE =
            "usage: scripts/demo.sh [--subject dog1] [--images DIR --class WORD] [--prompts FILE]"
                    + " [--out DIR] [--steps N] [--lr X] [--batch B] [--tuning T] [--lora R] [--distill-uncond B] [--scale-weights W,..] [--base DIR] [--per-prompt K]"
                    + " [--seed S]";

    private Demo() {}

    /**
     * The job's settings.
     *
     * @param subject the demo subject (when no images are given)
     * @param images a directory of own photos, or null
     * @param classWord the class word (from the demo subject when null)
     * @param prompts a prompt file, or null for {@link #DEFAULT_PROMPTS}
     * @param out the output directory
     * @param steps fit steps, or null for the preset's
     * @param learningRate the fit's learning rate, or null for the preset's
     * @param batch the fit's batch size, or null for the preset's
     * @param base a base-model directory, or null for the bundled base
     * @param tuning what the fit trains ({@link Tuning}), or null for the preset's
     * @param loraRank LoRA rank on the tuned linear layers, or null for dense tuning (the preset's)
     * @param distillUnconditional whether prior distillation also distils the unconditional branch ({@link
     *     dev.arbooth.train.Distillation#withUnconditional}), or null for the preset's
     * @param scaleWeights the cross-entropy's scale weights ({@link ScaleWeights#of}), or null for the preset's
     * @param perPrompt images per prompt
     * @param seed the seed of the fit and the samples
     */
    public record Settings(
            String subject,
            Path images,
            String classWord,
            Path prompts,
            Path out,
            Integer steps,
            Double learningRate,
            Integer batch,
            Path base,
            Tuning tuning,
            Integer loraRank,
            Boolean distillUnconditional,
            List<Double> scaleWeights,
            int perPrompt,
            long seed) {
        /**
         * Parses command-line arguments.
         *
         * @param args {@code --name value} pairs
         * @return the settings
         * @throws IllegalArgumentException on an unknown or incomplete argument
         */
        public static Settings parse(String[] args) {
            Map<String, String> a = new LinkedHashMap<>();
            for (int i = 0; i < args.length; i++) {
                String k = args[i];
                if (!k.startsWith("--") || i + 1 >= args.length) {
                    throw new IllegalArgumentException("expected --name value pairs, got '" + k + "'");
                }
                a.put(k.substring(2), args[++i]);
            }
            for (String k : a.keySet()) {
                if (!List.of(
                                "subject",
                                "images",
                                "class",
                                "prompts",
                                "out",
                                "steps",
                                "lr",
                                "batch",
                                "base",
                                "tuning",
                                "lora",
                                "distill-uncond",
                                "scale-weights",
                                "per-prompt",
                                "seed")
                        .contains(k)) {
                    throw new IllegalArgumentException("unknown option --" + k);
                }
            }
            if (a.containsKey("images") && !a.containsKey("class")) {
                throw new IllegalArgumentException("--images needs --class (the subject's class word, e.g. dog)");
            }
            return new Settings(
                    a.getOrDefault("subject", "dog1"),
                    a.containsKey("images") ? Path.of(a.get("images")) : null,
                    a.get("class"),
                    a.containsKey("prompts") ? Path.of(a.get("prompts")) : null,
                    Path.of(a.getOrDefault("out", "target/demo")),
                    a.containsKey("steps") ? Integer.valueOf(a.get("steps")) : null,
                    a.containsKey("lr") ? Double.valueOf(a.get("lr")) : null,
                    a.containsKey("batch") ? Integer.valueOf(a.get("batch")) : null,
                    a.containsKey("base") ? Path.of(a.get("base")) : null,
                    a.containsKey("tuning") ? parseTuning(a.get("tuning")) : null,
                    a.containsKey("lora") ? Integer.valueOf(a.get("lora")) : null,
                    a.containsKey("distill-uncond") ? parseBoolean("distill-uncond", a.get("distill-uncond")) : null,
                    a.containsKey("scale-weights") ? parseWeights(a.get("scale-weights")) : null,
                    Integer.parseInt(a.getOrDefault("per-prompt", "4")),
                    Long.parseLong(a.getOrDefault("seed", "0")));
        }
    }

    private static Boolean parseBoolean(String option, String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "true", "on", "yes" -> Boolean.TRUE;
            case "false", "off", "no" -> Boolean.FALSE;
            default -> throw new IllegalArgumentException("--" + option + " takes true or false, got '" + value + "'");
        };
    }

    private static List<Double> parseWeights(String list) {
        List<Double> out = new ArrayList<>();
        for (String w : list.split(",", -1)) {
            try {
                out.add(Double.valueOf(w.strip()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(
                        "--scale-weights takes comma-separated numbers (e.g. 0,0,1), got '" + list + "'", e);
            }
        }
        ScaleWeights.of(out); // each finite and at least 0, or a message naming the weight
        return List.copyOf(out);
    }

    private static Tuning parseTuning(String name) {
        for (Tuning t : Tuning.values()) {
            if (t.name().replace('_', '-').equalsIgnoreCase(name)) {
                return t;
            }
        }
        List<String> names = new ArrayList<>();
        for (Tuning t : Tuning.values()) {
            names.add(t.name().replace('_', '-').toLowerCase(Locale.ROOT));
        }
        throw new IllegalArgumentException("unknown --tuning '" + name + "'; one of " + names);
    }

    /** One prompt's samples and their probe readings. */
    record PromptResult(
            String prompt,
            boolean personalized,
            List<BufferedImage> images,
            List<ProbeReading> readings,
            List<Double> traitScores,
            List<float[]> features,
            Caption caption,
            double fidelity) {}

    /**
     * Runs the job.
     *
     * @param args see the class description
     */
    public static void main(String[] args) {
        if (args.length == 1 && (args[0].equals("--help") || args[0].equals("-h"))) {
            System.out.println(USAGE);
            return;
        }
        Settings s;
        try {
            s = Settings.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("demo: " + e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
            return;
        }
        Path report = run(s);
        System.out.println("report: " + report.toAbsolutePath());
    }

    /**
     * Runs the job.
     *
     * @param s the settings
     * @return the HTML report's path
     */
    public static Path run(Settings s) {
        long start = System.nanoTime();
        Map<String, Double> timings = new LinkedHashMap<>();

        // ---- inputs
        Subject subject = null;
        List<BufferedImage> inputs = new ArrayList<>();
        List<String> inputNotes = new ArrayList<>();
        String classWord;
        FitImages fitImages;
        if (s.images() == null) {
            subject = ToyWorld.demoSubjects().get(s.subject());
            if (subject == null) {
                throw new IllegalArgumentException("unknown demo subject '" + s.subject() + "'; one of "
                        + ToyWorld.demoSubjects().keySet());
            }
            classWord = subject.objectClass().word();
            for (int i = 0; i < ToyWorld.DEMO_PHOTO_COUNT; i++) {
                inputs.add(demoPhoto(s.subject(), i));
            }
            fitImages = FitImages.images(inputs);
            inputNotes.add("demo subject " + s.subject() + " of the toy world (" + inputs.size() + " photos, "
                    + subject.colour().word() + " " + classWord + "; uncaptioned traits " + subject.traits() + ")");
        } else {
            classWord = s.classWord();
            List<Path> files = photos(s.images());
            for (Path f : files) {
                BufferedImage b = read(f);
                inputs.add(b);
                inputNotes.add(f.getFileName() + ": " + b.getWidth() + "×" + b.getHeight());
            }
            fitImages = FitImages.files(files);
        }
        List<String> templates = prompts(s.prompts(), classWord); // read and checked before the fit

        // ---- base and fit
        long t = System.nanoTime();
        BaseModel base = s.base() == null ? BaseModel.bundled() : BaseModel.load(s.base());
        timings.put(s.base() == null ? "load the bundled base" : "load the base", seconds(t));
        int side = base.vae().patchSize() * base.schedule().last().h();
        if (s.images() != null) {
            inputNotes.add(0, "own photos, resized to the base's " + side + "×" + side + " by the personalizer");
        }
        Adapter adapter;
        t = System.nanoTime();
        Personalizer.Builder builder = Personalizer.builder(base).seed(s.seed()).listener(new ProgressBar("fit"));
        if (s.steps() != null) {
            builder.steps(s.steps());
        }
        if (s.learningRate() != null
                || s.batch() != null
                || s.tuning() != null
                || s.loraRank() != null
                || s.distillUnconditional() != null
                || s.scaleWeights() != null) {
            FitOptions preset; // the base's preset as the personalizer resolves it (identifier rows included)
            try (Personalizer probe = Personalizer.on(base)) {
                preset = probe.options();
            }
            FitOptions.Builder b = preset.toBuilder();
            if (s.learningRate() != null) {
                b.optimizer(preset.optimizer().withLearningRate(s.learningRate()));
            }
            if (s.batch() != null) {
                b.batchSize(s.batch());
            }
            if (s.tuning() != null) {
                b.tuning(s.tuning());
            }
            if (s.loraRank() != null) {
                b.lora(LoraOptions.rank(s.loraRank()));
            }
            if (s.distillUnconditional() != null) {
                b.distillation(preset.distillation().withUnconditional(s.distillUnconditional()));
            }
            if (s.scaleWeights() != null) {
                b.scaleWeights(ScaleWeights.of(s.scaleWeights()));
            }
            builder.options(b.build());
        }
        FitOptions options;
        try (Personalizer p = builder.build()) {
            options = p.options();
            adapter = p.fit(fitImages, classWord);
        }
        double fitSeconds = seconds(t);
        timings.put("fit (" + options.steps() + " steps, including encoding the photos)", fitSeconds);
        String identifier = options.identifier();
        List<String> prompts = new ArrayList<>();
        for (String p : templates) {
            prompts.add(p.replace(FitOptions.IDENTIFIER_SLOT, identifier));
        }
        String classPrompt = options.classPrompt(classWord); // the prompt prior distillation kept (last)
        prompts.remove(classPrompt);
        prompts.add(classPrompt);

        // ---- samples with the adapter and, for comparison, from the base
        Probes probes = Probes.bundled();
        SamplingOptions sampling = SamplingOptions.defaults().withSeed(s.seed()).withImagesPerPrompt(s.perPrompt());
        List<PromptResult> results = new ArrayList<>();
        List<PromptResult> baseResults = new ArrayList<>();
        int sampled = 0;
        double sampleSeconds = 0;
        ProgressBar bar = new ProgressBar("sample");
        int total = 2 * prompts.size();
        try (Generator g = Generator.with(adapter)) {
            for (String prompt : prompts) {
                t = System.nanoTime();
                List<GeneratedImage> imgs = g.sample(prompt, sampling);
                sampleSeconds += seconds(t);
                sampled += imgs.size();
                results.add(score(prompt, prompt.contains(identifier), imgs, identifier, probes, subject));
                bar.show(results.size(), total, "");
            }
        }
        try (Generator g = Generator.base(base)) {
            for (String prompt : prompts) {
                String plain = withoutIdentifier(prompt, identifier);
                t = System.nanoTime();
                List<GeneratedImage> imgs = g.sample(plain, sampling);
                sampleSeconds += seconds(t);
                sampled += imgs.size();
                baseResults.add(score(plain, false, imgs, identifier, probes, subject));
                bar.show(results.size() + baseResults.size(), total, "");
            }
        }
        bar.done();
        timings.put(
                "sampling " + sampled + " images (" + 2 * prompts.size() + " prompts × " + s.perPrompt()
                        + ", ONNX Runtime)",
                sampleSeconds);
        timings.put("per image", sampleSeconds / sampled);

        // ---- write
        Map<String, Double> summary = summary(results, baseResults, identifier, subject != null);
        timings.put("whole job", seconds(start));
        Path staging = DemoReport.stagingDir(s.out());
        try {
            Files.createDirectories(staging.resolve("images"));
            for (int i = 0; i < inputs.size(); i++) {
                ImageIO.write(
                        DemoReport.upscale(inputs.get(i), side),
                        "png",
                        staging.resolve("images/input-" + i + ".png").toFile());
            }
            for (int r = 0; r < results.size(); r++) {
                DemoReport.writeRow(staging, "p" + r, results.get(r));
                DemoReport.writeRow(staging, "b" + r, baseResults.get(r));
            }
            ImageIO.write(
                    DemoReport.grid(results, baseResults),
                    "png",
                    staging.resolve("grid.png").toFile());
            adapter.save(staging.resolve("adapter.arbooth.safetensors"));
            Files.writeString(
                    staging.resolve("report.html"),
                    DemoReport.html(
                            s,
                            classWord,
                            identifier,
                            options,
                            inputNotes,
                            inputs.size(),
                            results,
                            baseResults,
                            summary,
                            timings,
                            adapter),
                    StandardCharsets.UTF_8);
            Files.writeString(
                    staging.resolve("summary.json"), DemoReport.json(summary, timings), StandardCharsets.UTF_8);
            DemoReport.replace(staging, s.out());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the report into " + s.out(), e);
        } finally {
            DemoReport.deleteQuietly(staging);
        }
        return s.out().resolve("report.html");
    }

    // ------------------------------------------------------------------------------------------ scoring

    private static PromptResult score(
            String prompt,
            boolean personalized,
            List<GeneratedImage> imgs,
            String identifier,
            Probes probes,
            Subject subject) {
        Caption caption;
        try {
            caption = Caption.parse(prompt, identifier);
        } catch (RuntimeException e) {
            caption = null; // not in the toy grammar: no fidelity figure for this prompt
        }
        List<BufferedImage> images = new ArrayList<>();
        List<ProbeReading> readings = new ArrayList<>();
        List<Double> traits = new ArrayList<>();
        List<float[]> features = new ArrayList<>();
        int agree = 0;
        for (GeneratedImage g : imgs) {
            images.add(g.toBufferedImage());
            ToyImage toy = ToyImage.fromTensor(g.image());
            Probes.Look look = probes.look(toy); // the reading and the features of one pass
            ProbeReading p = look.reading();
            readings.add(p);
            features.add(look.features());
            if (subject != null) {
                traits.add(probes.traitScore(toy, subject));
            }
            if (caption != null && agrees(p, caption)) {
                agree++;
            }
        }
        return new PromptResult(
                prompt,
                personalized,
                images,
                readings,
                traits,
                features,
                caption,
                caption == null ? Double.NaN : agree / (double) imgs.size());
    }

    /**
     * Whether a reading agrees with what the prompt names: class, colour and context where named, accessory and
     * property (none named means none). A colour is not required for a personalized prompt that names none (the
     * subject has its own).
     */
    static boolean agrees(ProbeReading p, Caption c) {
        return p.objectClass() == c.objectClass()
                && c.colour().map(x -> x == p.colour()).orElse(true)
                && c.context().map(x -> x == p.context()).orElse(true)
                && p.accessory() == c.accessory()
                && p.property() == c.property();
    }

    private static Map<String, Double> summary(
            List<PromptResult> with, List<PromptResult> base, String identifier, boolean traits) {
        Map<String, Double> m = new LinkedHashMap<>();
        double fidWith = 0;
        double fidBase = 0;
        int nf = 0;
        double trWith = 0;
        int nt = 0;
        for (int i = 0; i < with.size(); i++) {
            PromptResult r = with.get(i);
            if (!r.personalized()) {
                continue;
            }
            if (!Double.isNaN(r.fidelity()) && !Double.isNaN(base.get(i).fidelity())) {
                fidWith += r.fidelity();
                fidBase += base.get(i).fidelity();
                nf++;
            }
            for (double d : r.traitScores()) {
                trWith += d;
                nt++;
            }
        }
        if (nf > 0) {
            m.put("prompt_fidelity_personalized", fidWith / nf);
            m.put("prompt_fidelity_base_same_prompts_without_identifier", fidBase / nf);
        }
        int cls = 0; // the class prompt: the first without the identifier
        while (cls < with.size() && with.get(cls).personalized()) {
            cls++;
        }
        boolean hasClass = cls < with.size();
        if (traits) {
            m.put("trait_score_with_identifier", trWith / nt);
            if (hasClass) {
                m.put("trait_score_class_prompt_after_fit", mean(with.get(cls).traitScores()));
                m.put("trait_score_class_prompt_base", mean(base.get(cls).traitScores()));
            }
        }
        if (hasClass) {
            List<float[]> after = with.get(cls).features();
            List<float[]> before = base.get(cls).features();
            m.put("class_prompt_similarity_after_fit_to_base_same_seeds", pairedSimilarity(after, before));
            if (before.size() > 1) {
                m.put("class_prompt_similarity_base_other_seeds", otherSeedSimilarity(before));
            }
        }
        return m;
    }

    /**
     * Language drift of the class prompt: the mean cosine similarity of the probes' features between the samples
     * after the fit and the base's samples of the same prompt and seeds (1: the same pictures).
     */
    static double pairedSimilarity(List<float[]> after, List<float[]> before) {
        double s = 0;
        for (int j = 0; j < after.size(); j++) {
            s += Probes.similarity(after.get(j), before.get(j));
        }
        return s / after.size();
    }

    /**
     * The scale for {@link #pairedSimilarity}: the same between the base's samples of different seeds (one minus
     * their {@linkplain Probes#diversityOf diversity}).
     */
    static double otherSeedSimilarity(List<float[]> before) {
        return 1 - Probes.diversityOf(before);
    }

    private static double mean(List<Double> v) {
        return v.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    }

    // ------------------------------------------------------------------------------------------ inputs

    private static List<String> prompts(Path file, String classWord) {
        List<String> raw;
        if (file == null) {
            raw = DEFAULT_PROMPTS;
        } else {
            try {
                raw = Files.readAllLines(file, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read the prompt file " + file + ": " + e.getMessage());
            }
        }
        List<String> out = new ArrayList<>();
        for (String line : raw) {
            String p = line.strip();
            if (p.isEmpty() || p.startsWith("#")) {
                continue;
            }
            out.add(p.replace("{class}", classWord));
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("the prompt file " + file + " holds no prompt");
        }
        return out;
    }

    private static List<Path> photos(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("--images " + dir + " is not a directory");
        }
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> files = s.filter(p ->
                            p.getFileName().toString().toLowerCase(Locale.ROOT).matches(".*\\.(png|jpe?g)"))
                    .sorted(Comparator.comparing(Path::toString))
                    .toList();
            if (files.isEmpty()) {
                throw new IllegalArgumentException("--images " + dir + " holds no .png, .jpg or .jpeg file");
            }
            return files;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }

    private static BufferedImage read(Path f) {
        try {
            BufferedImage b = ImageIO.read(f.toFile());
            if (b == null) {
                throw new IllegalArgumentException(f + " is not an image ImageIO can read (PNG or JPEG expected)");
            }
            return b;
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the image " + f + ": " + e.getMessage());
        }
    }

    private static BufferedImage demoPhoto(String subject, int i) {
        String name = String.format(Locale.ROOT, "/dev/arbooth/toyworld/demo/%s/%02d.png", subject, i);
        try (InputStream in = ToyWorld.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("the toy world's demo photo " + name + " is missing");
            }
            return ImageIO.read(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String withoutIdentifier(String prompt, String identifier) {
        return prompt.replace(identifier + " ", "")
                .replace(" " + identifier, "")
                .replace(identifier, "")
                .strip();
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }
}
