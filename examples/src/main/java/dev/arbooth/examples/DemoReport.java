package dev.arbooth.examples;

import dev.arbooth.adapter.Adapter;
import dev.arbooth.examples.Demo.PromptResult;
import dev.arbooth.examples.Demo.Settings;
import dev.arbooth.sampling.SamplingOptions;
import dev.arbooth.toyworld.ProbeReading;
import dev.arbooth.train.FitOptions;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/** The main job's output: the grid, the HTML report, the summary, written into a staging directory moved into place. */
final class DemoReport {
    /** Pixel upscaling of the images in the grid and the report. */
    static final int UPSCALE = 4;

    private DemoReport() {}

    static Path stagingDir(Path out) {
        Path parent = out.toAbsolutePath().getParent();
        try {
            Files.createDirectories(parent);
            return Files.createTempDirectory(parent, "." + out.getFileName() + ".tmp-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a staging directory beside " + out, e);
        }
    }

    /** Moves the finished staging directory to {@code out}, replacing an earlier report. */
    static void replace(Path staging, Path out) throws IOException {
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

    static void deleteQuietly(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort
        }
    }

    static void writeRow(Path dir, String tag, PromptResult r) throws IOException {
        for (int k = 0; k < r.images().size(); k++) {
            ImageIO.write(
                    upscale(r.images().get(k), r.images().get(k).getWidth()),
                    "png",
                    dir.resolve("images/" + tag + "-" + k + ".png").toFile());
        }
    }

    static BufferedImage upscale(BufferedImage in, int side) {
        int s = side * UPSCALE;
        BufferedImage out = new BufferedImage(s, s, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR);
        g.drawImage(in, 0, 0, s, s, null);
        g.dispose();
        return out;
    }

    /** One row per prompt: the personalized samples, a gap, the base's samples of the prompt without identifier. */
    static BufferedImage grid(List<PromptResult> with, List<PromptResult> base) {
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

    static String html(
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
                + "colour, context, accessory and property agree with what the prompt names; class-prompt "
                + "similarity: the mean cosine similarity of the probes' features between the class prompt's samples "
                + "after the fit and the base's samples of the same prompt and seeds (1: the same pictures; the base's "
                + "samples of other seeds give the scale of unrelated pictures of the class), the measure of language "
                + "drift.</p>\n");
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

    static void images(StringBuilder h, String tag, int n) {
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

    static String probeCell(PromptResult r) {
        StringBuilder c = new StringBuilder();
        for (int k = 0; k < r.readings().size(); k++) {
            ProbeReading p = r.readings().get(k);
            boolean ok = r.caption() != null && Demo.agrees(p, r.caption());
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

    static String json(Map<String, Double> summary, Map<String, Double> timings) {
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

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
