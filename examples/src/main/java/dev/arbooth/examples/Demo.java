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
import dev.arbooth.train.FitListener;
import dev.arbooth.train.FitOptions;
import dev.arbooth.train.FitProgress;
import dev.arbooth.train.LoraOptions;
import dev.arbooth.train.Personalizer;
import dev.arbooth.train.Tuning;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
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
 * identifier-only}) and {@code --lora R} (default: the base's preset), {@code --base DIR} (a base-model directory
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
            "a photo of a {identifier} {class}",
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

    private static final int UPSCALE = 4;

    private static final String USAGE =
            "usage: scripts/demo.sh [--subject dog1] [--images DIR --class WORD] [--prompts FILE]"
                    + " [--out DIR] [--steps N] [--lr X] [--batch B] [--tuning T] [--lora R] [--base DIR] [--per-prompt K]"
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
                    Integer.parseInt(a.getOrDefault("per-prompt", "4")),
                    Long.parseLong(a.getOrDefault("seed", "0")));
        }
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
        if (s.learningRate() != null || s.batch() != null || s.tuning() != null || s.loraRank() != null) {
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
        Path staging = stagingDir(s.out());
        try {
            Files.createDirectories(staging.resolve("images"));
            for (int i = 0; i < inputs.size(); i++) {
                ImageIO.write(
                        upscale(inputs.get(i), side),
                        "png",
                        staging.resolve("images/input-" + i + ".png").toFile());
            }
            for (int r = 0; r < results.size(); r++) {
                writeRow(staging, "p" + r, results.get(r));
                writeRow(staging, "b" + r, baseResults.get(r));
            }
            ImageIO.write(
                    grid(results, baseResults),
                    "png",
                    staging.resolve("grid.png").toFile());
            adapter.save(staging.resolve("adapter.arbooth.safetensors"));
            Files.writeString(
                    staging.resolve("report.html"),
                    html(
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
            Files.writeString(staging.resolve("summary.json"), json(summary, timings), StandardCharsets.UTF_8);
            replace(staging, s.out());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the report into " + s.out(), e);
        } finally {
            deleteQuietly(staging);
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
        int agree = 0;
        for (GeneratedImage g : imgs) {
            images.add(g.toBufferedImage());
            ToyImage toy = ToyImage.fromTensor(g.image());
            ProbeReading p = probes.read(toy);
            readings.add(p);
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
                caption,
                caption == null ? Double.NaN : agree / (double) imgs.size());
    }

    /**
     * Whether a reading agrees with what the prompt names: class, colour and context where named, accessory and
     * property (none named means none). A colour is not required for a personalized prompt that names none (the
     * subject has its own).
     */
    private static boolean agrees(ProbeReading p, Caption c) {
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
        if (traits) {
            m.put("trait_score_with_identifier", trWith / nt);
            for (int i = 0; i < with.size(); i++) {
                if (!with.get(i).personalized()) {
                    m.put("trait_score_class_prompt_after_fit", mean(with.get(i).traitScores()));
                    m.put("trait_score_class_prompt_base", mean(base.get(i).traitScores()));
                    break;
                }
            }
        }
        return m;
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
        String classPrompt = "a photo of a " + classWord;
        out.remove(classPrompt);
        out.add(classPrompt);
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

    // ------------------------------------------------------------------------------------------ output

    private static Path stagingDir(Path out) {
        Path parent = out.toAbsolutePath().getParent();
        try {
            Files.createDirectories(parent);
            return Files.createTempDirectory(parent, "." + out.getFileName() + ".tmp-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a staging directory beside " + out, e);
        }
    }

    /** Moves the finished staging directory to {@code out}, replacing an earlier report. */
    private static void replace(Path staging, Path out) throws IOException {
        Path old = null;
        if (Files.exists(out)) {
            old = out.resolveSibling("." + out.getFileName() + ".old-" + System.nanoTime());
            Files.move(out, old, StandardCopyOption.ATOMIC_MOVE);
        }
        Files.move(staging, out, StandardCopyOption.ATOMIC_MOVE);
        if (old != null) {
            deleteQuietly(old);
        }
    }

    private static void deleteQuietly(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort
        }
    }

    private static void writeRow(Path dir, String tag, PromptResult r) throws IOException {
        for (int k = 0; k < r.images().size(); k++) {
            ImageIO.write(
                    upscale(r.images().get(k), r.images().get(k).getWidth()),
                    "png",
                    dir.resolve("images/" + tag + "-" + k + ".png").toFile());
        }
    }

    private static BufferedImage upscale(BufferedImage in, int side) {
        int s = side * UPSCALE;
        BufferedImage out = new BufferedImage(s, s, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR);
        g.drawImage(in, 0, 0, s, s, null);
        g.dispose();
        return out;
    }

    /** One row per prompt: the personalized samples, a gap, the base's samples of the prompt without identifier. */
    private static BufferedImage grid(List<PromptResult> with, List<PromptResult> base) {
        int side = with.get(0).images().get(0).getWidth() * 2;
        int k = with.get(0).images().size();
        int gap = side / 4;
        BufferedImage out = new BufferedImage(2 * k * side + gap, with.size() * side, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR);
        g.setColor(java.awt.Color.WHITE);
        g.fillRect(0, 0, out.getWidth(), out.getHeight());
        for (int r = 0; r < with.size(); r++) {
            for (int c = 0; c < k; c++) {
                g.drawImage(with.get(r).images().get(c), c * side, r * side, side, side, null);
                g.drawImage(base.get(r).images().get(c), k * side + gap + c * side, r * side, side, side, null);
            }
        }
        g.dispose();
        return out;
    }

    private static String html(
            Settings s,
            String classWord,
            String identifier,
            FitOptions options,
            List<String> inputNotes,
            int inputs,
            List<PromptResult> with,
            List<PromptResult> base,
            Map<String, Double> summary,
            Map<String, Double> timings,
            Adapter adapter) {
        StringBuilder h = new StringBuilder();
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>ARBooth demo: ")
                .append(esc(classWord))
                .append("</title>\n<style>body{font-family:sans-serif;margin:2em;max-width:1400px}"
                        + "img{image-rendering:pixelated;margin:2px;width:128px;height:128px}"
                        + "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;"
                        + "vertical-align:top;font-size:13px}.ok{color:#080}.no{color:#b00}</style></head><body>\n");
        h.append("<h1>ARBooth demo: <code>")
                .append(esc(identifier))
                .append("</code> ")
                .append(esc(classWord))
                .append("</h1>\n");
        h.append("<p>Personalized the bundled toy base on ")
                .append(inputs)
                .append(" photo(s); ")
                .append(with.size())
                .append(" prompts sampled with the adapter (left) and, for comparison, the base model on the same "
                        + "prompts without the identifier (right). Grid: <a href=\"grid.png\">grid.png</a>; adapter: "
                        + "<a href=\"adapter.arbooth.safetensors\">adapter.arbooth.safetensors</a>.</p>\n");
        h.append("<h2>Inputs</h2>\n<ul>");
        for (String n : inputNotes) {
            h.append("<li>").append(esc(n)).append("</li>");
        }
        h.append("</ul><p>");
        for (int i = 0; i < inputs; i++) {
            h.append("<img src=\"images/input-")
                    .append(i)
                    .append(".png\" alt=\"input ")
                    .append(i)
                    .append("\">");
        }
        h.append("</p>\n<h2>Summary (probes of the toy world)</h2>\n<table>");
        summary.forEach((k, v) -> h.append("<tr><th>")
                .append(esc(k.replace('_', ' ')))
                .append("</th><td>")
                .append(String.format(Locale.ROOT, "%.3f", v))
                .append("</td></tr>"));
        h.append("</table>\n<p>Trait score: the probes' belief (0–1) that an image shows the subject's uncaptioned "
                + "traits (pattern, secondary colour, build, mark); prompt fidelity: share of samples whose class, "
                + "colour, context, accessory and property agree with what the prompt names.</p>\n");
        h.append("<h2>Samples</h2>\n<table><tr><th>prompt</th><th>with the adapter</th><th>probes</th>"
                + "<th>base model, prompt without identifier</th><th>probes</th></tr>\n");
        for (int r = 0; r < with.size(); r++) {
            PromptResult a = with.get(r);
            PromptResult b = base.get(r);
            h.append("<tr><td><code>").append(esc(a.prompt())).append("</code></td><td>");
            images(h, "p" + r, a.images().size());
            h.append("</td><td>")
                    .append(probeCell(a))
                    .append("</td><td><code>")
                    .append(esc(b.prompt()))
                    .append("</code><br>");
            images(h, "b" + r, b.images().size());
            h.append("</td><td>").append(probeCell(b)).append("</td></tr>\n");
        }
        h.append("</table>\n<h2>Timings</h2>\n<table>");
        timings.forEach((k, v) -> h.append("<tr><th>")
                .append(esc(k))
                .append("</th><td>")
                .append(
                        k.equals("per image")
                                ? String.format(Locale.ROOT, "%.1f ms", v * 1000)
                                : String.format(Locale.ROOT, "%.1f s", v))
                .append("</td></tr>"));
        h.append("</table>\n<h2>Options</h2>\n<pre>")
                .append(esc(options.toString().replace(", ", ",\n  ")))
                .append("</pre>\n<p>Seed ")
                .append(s.seed())
                .append(", ")
                .append(s.perPrompt())
                .append(" images per prompt, sampling at the SDK's defaults (CFG ")
                .append(SamplingOptions.DEFAULT_CFG)
                .append(", τ ")
                .append(SamplingOptions.DEFAULT_TAU)
                .append(").</p>\n<h2>Adapter manifest</h2>\n<pre>")
                .append(esc(adapter.manifest().toString().replace(", ", ",\n  ")))
                .append("</pre>\n</body></html>\n");
        return h.toString();
    }

    private static void images(StringBuilder h, String tag, int n) {
        for (int k = 0; k < n; k++) {
            h.append("<img src=\"images/")
                    .append(tag)
                    .append('-')
                    .append(k)
                    .append(".png\" alt=\"")
                    .append(tag)
                    .append(' ')
                    .append(k)
                    .append("\">");
        }
    }

    private static String probeCell(PromptResult r) {
        StringBuilder c = new StringBuilder();
        for (int k = 0; k < r.readings().size(); k++) {
            ProbeReading p = r.readings().get(k);
            boolean ok = r.caption() != null && agrees(p, r.caption());
            c.append(r.caption() == null ? "" : ok ? "<span class=ok>✓</span> " : "<span class=no>✗</span> ")
                    .append(esc(p.colour().word() + " " + p.objectClass().word()))
                    .append(
                            p.accessory().phrase().isEmpty()
                                    ? ""
                                    : ", " + esc(p.accessory().phrase()))
                    .append(", ")
                    .append(esc(p.context().phrase()));
            if (!r.traitScores().isEmpty()) {
                c.append(String.format(
                        Locale.ROOT, " — traits %.2f", r.traitScores().get(k)));
            }
            c.append("<br>");
        }
        if (!Double.isNaN(r.fidelity())) {
            c.append(String.format(Locale.ROOT, "<b>fidelity %.2f</b>", r.fidelity()));
        }
        return c.toString();
    }

    private static String json(Map<String, Double> summary, Map<String, Double> timings) {
        StringBuilder j = new StringBuilder("{\n  \"summary\": {");
        String sep = "";
        for (Map.Entry<String, Double> e : summary.entrySet()) {
            j.append(sep)
                    .append("\n    \"")
                    .append(e.getKey())
                    .append("\": ")
                    .append(String.format(Locale.ROOT, "%.4f", e.getValue()));
            sep = ",";
        }
        j.append("\n  },\n  \"timings_s\": {");
        sep = "";
        for (Map.Entry<String, Double> e : timings.entrySet()) {
            j.append(sep)
                    .append("\n    \"")
                    .append(e.getKey().replace("\"", "'"))
                    .append("\": ")
                    .append(String.format(Locale.ROOT, "%.4f", e.getValue()));
            sep = ",";
        }
        return j.append("\n  }\n}\n").toString();
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    /** A one-line progress bar on the console (a line every 10 % when the output is not a terminal). */
    static final class ProgressBar implements FitListener {
        private final String label;
        private final boolean terminal = System.console() != null;
        private int lastDecile = -1;

        ProgressBar(String label) {
            this.label = label;
        }

        @Override
        public void onStep(FitProgress p) {
            Duration eta = p.eta();
            show(
                    p.step(),
                    p.steps(),
                    String.format(
                            Locale.ROOT,
                            "loss %.4f prior %.4f | %.2f steps/s | ETA %d:%02d",
                            p.subjectLoss(),
                            p.priorLoss(),
                            p.stepsPerSecond(),
                            eta.toMinutes(),
                            eta.toSecondsPart()));
            if (p.step() == p.steps()) {
                done();
            }
        }

        void show(int done, int total, String tail) {
            int width = 24;
            int filled = (int) ((long) width * done / total);
            String line = String.format(
                    Locale.ROOT,
                    "[%s] %d/%d [%s%s] %5.1f%% %s",
                    label,
                    done,
                    total,
                    "#".repeat(filled),
                    ".".repeat(width - filled),
                    100.0 * done / total,
                    tail);
            if (terminal) {
                System.out.print("\r" + line);
                System.out.flush();
            } else {
                int decile = 10 * done / total;
                if (decile != lastDecile) {
                    lastDecile = decile;
                    System.out.println(line);
                }
            }
        }

        void done() {
            if (terminal) {
                System.out.println();
            }
        }
    }
}
