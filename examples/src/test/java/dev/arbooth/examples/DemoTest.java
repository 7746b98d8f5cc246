package dev.arbooth.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.arbooth.testing.Golden;
import dev.arbooth.toyworld.Probes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The main job in a reduced form (few steps, few prompts, one image each) on the bundled base, as CI runs it. */
class DemoTest {
    @TempDir
    Path dir;

    @Test
    void classPromptSimilarityIsTheMeanPairedCosine() {
        // unit-length vectors, as the probes' features are
        float[] a = {1, 0, 0};
        float[] b = {0, 1, 0};
        float[] c = {1, 0, 0};
        assertThat(Probes.similarity(a, c)).isEqualTo(1.0);
        assertThat(Probes.similarity(a, b)).isEqualTo(0.0);
        // pairs (a, c) and (b, a): 1 and 0; pairs by seed, not every pair
        assertThat(Demo.pairedSimilarity(List.of(a, b), List.of(c, a))).isEqualTo(0.5);
        // other seeds of the base: (a, b), (a, c), (b, c) → (0 + 1 + 0) / 3
        assertThat(Demo.otherSeedSimilarity(List.of(a, b, c))).isCloseTo(1.0 / 3, within(1e-12));
    }

    @Test
    @Tag("slow")
    void theMainJobWritesAReportNamingEveryPromptWithAnImageEach() throws IOException {
        Path prompts = Files.writeString(
                dir.resolve("prompts.txt"),
                "# a reduced list\na <S*> {class} in the snow\na <S*> {class} wearing a santa hat\n\na purple <S*> {class}\n");
        Path out = dir.resolve("out");
        Path report = Demo.run(Demo.Settings.parse(new String[] {
            "--subject",
            "dog1",
            "--prompts",
            prompts.toString(),
            "--out",
            out.toString(),
            "--steps",
            "2",
            "--per-prompt",
            "1"
        }));
        assertThat(report).isEqualTo(out.resolve("report.html")).isRegularFile();
        String html = Files.readString(report, StandardCharsets.UTF_8);
        List<String> expected = List.of(
                "a &lt;S*&gt; dog in the snow",
                "a &lt;S*&gt; dog wearing a santa hat",
                "a purple &lt;S*&gt; dog",
                "a dog");
        for (int i = 0; i < expected.size(); i++) {
            assertThat(html).contains("<code>" + expected.get(i) + "</code>");
            assertThat(out.resolve("images/p" + i + "-0.png")).isRegularFile();
            assertThat(out.resolve("images/b" + i + "-0.png")).isRegularFile();
        }
        Matcher m = Pattern.compile("<img src=\"(images/[^\"]+)\"").matcher(html);
        int images = 0;
        while (m.find()) {
            assertThat(out.resolve(m.group(1)))
                    .as("every image the report shows exists")
                    .isRegularFile();
            images++;
        }
        assertThat(images).isEqualTo(5 + 2 * expected.size()); // 5 demo photos, then 2 samples per prompt
        assertThat(out.resolve("grid.png")).isRegularFile();
        assertThat(out.resolve("adapter.arbooth.safetensors")).isRegularFile();
        assertThat(Files.readString(out.resolve("summary.json")))
                .contains("trait_score_with_identifier")
                .contains("class_prompt_similarity_after_fit_to_base_same_seeds");
        try (var s = Files.list(dir)) {
            assertThat(s.map(p -> p.getFileName().toString()))
                    .as("no staging directory left")
                    .noneMatch(n -> n.contains(".tmp-"));
        }
    }

    @Test
    void ownPhotosNeedAClassWordAndAnExistingDirectory() {
        assertThatThrownBy(() -> Demo.Settings.parse(new String[] {"--images", "x"}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--class");
        assertThatThrownBy(() -> Demo.Settings.parse(new String[] {"--colour", "x"}))
                .hasMessageContaining("unknown option --colour");
        Path missing = dir.resolve("nowhere");
        assertThatThrownBy(() -> Demo.run(Demo.Settings.parse(new String[] {
                    "--images",
                    missing.toString(),
                    "--class",
                    "dog",
                    "--out",
                    dir.resolve("o").toString()
                })))
                .hasMessageContaining("is not a directory");
        assertThat(dir.resolve("o")).doesNotExist();
    }

    @Test
    void presetOverridesAreParsed() {
        Demo.Settings s =
                Demo.Settings.parse(new String[] {"--tuning", "identifier-only", "--lora", "4", "--batch", "3"});
        assertThat(s.tuning()).isEqualTo(dev.arbooth.train.Tuning.IDENTIFIER_ONLY);
        assertThat(s.loraRank()).isEqualTo(4);
        assertThat(s.batch()).isEqualTo(3);
        assertThat(s.base()).isNull();
        assertThat(s.distillUnconditional()).isNull();
        assertThat(Demo.Settings.parse(new String[] {"--distill-uncond", "false"})
                        .distillUnconditional())
                .isFalse();
        assertThat(s.scaleWeights()).isNull();
        assertThat(Demo.Settings.parse(new String[] {"--scale-weights", "0, 0.5,1"})
                        .scaleWeights())
                .containsExactly(0.0, 0.5, 1.0);
        assertThatThrownBy(() -> Demo.Settings.parse(new String[] {"--scale-weights", "1,x"}))
                .hasMessageContaining("--scale-weights takes comma-separated numbers")
                .hasMessageContaining("'1,x'");
        assertThatThrownBy(() -> Demo.Settings.parse(new String[] {"--scale-weights", "1,-2"}))
                .hasMessageContaining("the weight of scale 1 must be finite and at least 0, got -2.0");
        assertThatThrownBy(() -> Demo.Settings.parse(new String[] {"--distill-uncond", "maybe"}))
                .hasMessageContaining("--distill-uncond takes true or false, got 'maybe'");
        assertThatThrownBy(() -> Demo.Settings.parse(new String[] {"--tuning", "everything"}))
                .hasMessageContaining("unknown --tuning 'everything'")
                .hasMessageContaining("identifier-only");
    }

    @Test
    @Tag("slow")
    void ownPhotosAreResizedAndTheReportSaysSo() throws IOException {
        Path photos = Files.createDirectories(dir.resolve("photos"));
        for (String f : List.of("00.jpg", "01.jpg")) {
            Files.copy(Golden.vico("fat_dog/" + f), photos.resolve(f));
        }
        Path prompts = Files.writeString(dir.resolve("p.txt"), "a {identifier} {class} on the beach\n");
        Path out = dir.resolve("own");
        Path report = Demo.run(Demo.Settings.parse(new String[] {
            "--images",
            photos.toString(),
            "--class",
            "dog",
            "--prompts",
            prompts.toString(),
            "--out",
            out.toString(),
            "--steps",
            "1",
            "--per-prompt",
            "1"
        }));
        String html = Files.readString(report, StandardCharsets.UTF_8);
        assertThat(html).contains("own photos, resized to the base's ").contains("00.jpg: ");
        assertThat(html).contains("<code>a &lt;S*&gt; dog on the beach</code>");
        assertThat(Files.readString(out.resolve("summary.json"))).doesNotContain("trait_score");
    }
}
