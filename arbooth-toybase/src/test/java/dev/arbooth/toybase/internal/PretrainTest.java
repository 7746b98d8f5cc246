package dev.arbooth.toybase.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.arbooth.base.BaseModel;
import dev.arbooth.config.ScaleSchedule;
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
 * bar; the same seed gives the same weights byte for byte; a run stopped after 2 transformer steps and resumed from
 * its checkpoint ends with the same transformer as an uninterrupted one.
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
        assertThat(Files.exists(a.resolve("base/toybase-manifest.json"))).isTrue();
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

        Path b = dir.resolve("b");
        run(plan.withBudgets(plan.vaeSteps(), plan.cacheImages(), 2), b);
        Files.delete(b.resolve("base/transformer.safetensors"));
        String resumed = run(plan, b);
        assertThat(resumed).contains("[vae] done earlier").contains("[transformer] resumed at step 2");
        for (String f : List.of("vae.safetensors", "transformer.safetensors", "t5.safetensors", "tokenizer.json")) {
            assertThat(Files.readAllBytes(b.resolve("base").resolve(f)))
                    .as(f)
                    .isEqualTo(Files.readAllBytes(a.resolve("base").resolve(f)));
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
}
