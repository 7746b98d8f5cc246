package dev.arbooth.pretrain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.arbooth.base.BaseModel;
import dev.arbooth.config.ScaleSchedule;
import dev.arbooth.internal.format.SafeTensors;
import dev.arbooth.internal.nn.MultiScaleBsq;
import dev.arbooth.tensor.Tensor;
import dev.arbooth.text.internal.T5Tokenizer;
import dev.arbooth.toyworld.Split;
import dev.arbooth.toyworld.ToyWorld;
import dev.arbooth.train.internal.DjlVae;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pretraining command end to end on the smoke plan (3 VAE steps, 8 cached renders, 3 transformer steps): it
 * writes a base that {@link BaseModel#load} reads and whose VAE round-trips a render, a metrics log and a progress
 * bar; a run stopped after 2 transformer steps and resumed from its checkpoint ends with the same transformer (byte
 * for byte) as an uninterrupted one; a second run of the same seed has the same text side and the same VAE up to
 * float rounding.
 */
@Tag("slow")
class PretrainTest {
    private static String run(ToyBasePlan plan, Path out) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        new Pretrain(plan, out, 100, new PrintStream(bytes, true, StandardCharsets.UTF_8)).run();
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void writesALoadableBaseDeterministicallyAndResumes(@TempDir Path dir) throws Exception {
        ToyBasePlan plan = ToyBasePlan.smoke();
        Path a = dir.resolve("a");
        String progress = run(plan, a);
        assertThat(progress).contains("[vae] 3/3").contains("[transformer] 3/3").contains("ETA");
        BaseModel base = BaseModel.load(a.resolve("base"));
        assertThat(base.infinity()).isEqualTo(plan.infinity());
        assertThat(base.schedule()).isEqualTo(plan.schedule());
        assertThat(Files.readString(a.resolve("base/toybase-manifest.json")))
                .as("the recorded command reproduces the plan's bits and scales too")
                .contains("--bits " + plan.vae().codebookDim() + " --schedule 1,2,4,6,8 --vae-steps");
        List<String> metrics = Files.readAllLines(a.resolve("metrics.jsonl"));
        assertThat(metrics).hasSize(6);
        assertThat(metrics.get(2)).contains("\"phase\": \"vae\"").contains("heldout_psnr_db");
        assertThat(metrics.get(5)).contains("\"phase\": \"transformer\"").contains("ce_scale4");
        try (DjlVae vae = DjlVae.load(base.vaeWeights(), base.vae())) {
            Tensor img =
                    ToyWorld.randomScene(1, Split.TRAIN).render(64).toTensor().reshape(1, 3, 64, 64);
            MultiScaleBsq.Encoding e = vae.encode(img, base.schedule());
            assertThat(vae.decodeBits(e.bits(), 1, base.schedule()).shape()).containsExactly(1, 3, 64, 64);
        }
        try (T5Tokenizer tok = T5Tokenizer.open(base.tokenizer(), 24)) {
            for (long id :
                    tok.encode("a photo of a purple teddybear wearing a rainbow scarf on a cobblestone street")) {
                assertThat(id).as("no unknown word").isNotEqualTo(2L);
            }
        }

        // resume: the same VAE and cache (copied), 2 transformer steps, stop, then the full plan resumes at step 2
        Path b = dir.resolve("b");
        copy(a, b);
        Files.delete(b.resolve("base/transformer.safetensors"));
        Files.delete(b.resolve("checkpoints/transformer.safetensors"));
        run(plan.withBudgets(plan.vaeSteps(), plan.cacheImages(), 2), b);
        Files.delete(b.resolve("base/transformer.safetensors"));
        String resumed = run(plan, b);
        assertThat(resumed).contains("[vae] done earlier").contains("[transformer] resumed at step 2");
        assertThat(Files.readAllBytes(b.resolve("base/transformer.safetensors")))
                .isEqualTo(Files.readAllBytes(a.resolve("base/transformer.safetensors")));

        // a second run of the same seed: the text side is identical; the VAE agrees up to float rounding
        Path c = dir.resolve("c");
        run(plan, c);
        for (String f : List.of("t5.safetensors", "tokenizer.json")) {
            assertThat(Files.readAllBytes(c.resolve("base").resolve(f)))
                    .as(f)
                    .isEqualTo(Files.readAllBytes(a.resolve("base").resolve(f)));
        }
        // the first step's loss (data, initialisation and forward pass, before any update) is reproducible
        List<String> vaeA = vaeMetrics(a);
        List<String> vaeC = vaeMetrics(c);
        assertThat(field(vaeC.get(0), "loss"))
                .isCloseTo(field(vaeA.get(0), "loss"), org.assertj.core.data.Offset.offset(1e-5));
        // an update skipped for a non-finite gradient happens irreproducibly (docs/toy-model.md, "Known defects"); the
        // weights are comparable only between runs that skipped the same steps
        List<Double> skippedA = vaeA.stream().map(l -> field(l, "skipped")).toList();
        List<Double> skippedC = vaeC.stream().map(l -> field(l, "skipped")).toList();
        if (!skippedA.equals(skippedC)) {
            System.out.printf("VAE weights not compared: skipped updates differ (%s vs %s)%n", skippedA, skippedC);
            return;
        }
        long n = 0;
        long off = 0;
        try (SafeTensors x = SafeTensors.open(a.resolve("base/vae.safetensors"));
                SafeTensors y = SafeTensors.open(c.resolve("base/vae.safetensors"))) {
            for (String name : x.names()) {
                if (x.get(name).dtype().isFloatingPoint()) {
                    float[] u = x.get(name).toFloatArray();
                    float[] v = y.get(name).toFloatArray();
                    for (int i = 0; i < u.length; i++) {
                        n++;
                        off += Math.abs(u[i] - v[i]) > 1e-5f ? 1 : 0;
                    }
                }
            }
        }
        // AdamW moves a weight by about +-lr whatever its gradient's size: rounding-level gradient differences near
        // zero can move a few weights the other way (VaeTrainingTest)
        assertThat((double) off / n).as(off + " of " + n).isLessThan(0.02);
    }

    private static List<String> vaeMetrics(Path run) throws java.io.IOException {
        return Files.readAllLines(run.resolve("metrics.jsonl")).stream()
                .filter(l -> l.contains("\"phase\": \"vae\""))
                .toList();
    }

    private static double field(String json, String name) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"" + name + "\": ([-0-9.eE+]+|NaN)")
                .matcher(json);
        assertThat(m.find()).as("%s in %s", name, json).isTrue();
        return Double.parseDouble(m.group(1));
    }

    private static void copy(Path from, Path to) throws java.io.IOException {
        try (var paths = Files.walk(from)) {
            for (Path p : paths.toList()) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t);
                }
            }
        }
    }

    @Test
    void refusesAPlanWhoseScheduleMissesTheLatentGrid() {
        ToyBasePlan p = ToyBasePlan.smoke();
        assertThatThrownBy(() -> new ToyBasePlan(
                        "x",
                        64,
                        p.vae(),
                        1,
                        1,
                        1e-3,
                        ScaleSchedule.of(new int[] {1, 1}, new int[] {4, 4}),
                        p.t5(),
                        p.infinity(),
                        4,
                        4,
                        1,
                        1e-3,
                        0,
                        0,
                        1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("8x8 latent grid");
        assertThatThrownBy(() -> Pretrain.parse(new String[] {"--plan"}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--name value");
    }

    @Test
    void withBitsChangesTheQuantizerAndTheTransformerTogether() {
        ToyBasePlan p = ToyBasePlan.twoHours();
        ToyBasePlan q = p.withBits(2 * p.vae().codebookDim());
        assertThat(q.vae().codebookDim()).isEqualTo(2 * p.vae().codebookDim());
        assertThat(q.infinity().codebookDim()).isEqualTo(q.vae().codebookDim());
        assertThat(q.vae().baseChannels()).isEqualTo(p.vae().baseChannels());
        assertThat(q.infinity().embedDim()).isEqualTo(p.infinity().embedDim());
        assertThat(q.withBits(p.vae().codebookDim())).isEqualTo(p);
    }

    @Test
    void withScheduleChangesOnlyTheScalesAndRefusesOneMissingTheLatentGrid() {
        ToyBasePlan p = ToyBasePlan.twoHours();
        int latent = p.vae().latentSize(p.imageSide());
        ToyBasePlan q = p.withSchedule(1, 2, 3, 4, 5, 6, latent);
        assertThat(q.schedule().size()).isEqualTo(7);
        assertThat(q.schedule().last().h()).isEqualTo(latent);
        assertThat(q.schedule().totalTokens()).isEqualTo(1 + 4 + 9 + 16 + 25 + 36 + latent * latent);
        assertThat(q.withSchedule(1, 2, 4, 6, latent)).isEqualTo(p);
        assertThatThrownBy(() -> p.withSchedule(1, 2, 4)).hasMessageContaining("does not end at the");
    }
}
