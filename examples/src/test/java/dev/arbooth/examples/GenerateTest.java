package dev.arbooth.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GenerateTest {
    @Test
    @Tag("slow")
    void writesTheRequestedImagesOnTheTinyRandomBase(@TempDir Path dir) throws IOException {
        Path out = dir.resolve("out");
        Generate.Options o = Generate.parse(
                "--base", TinyRandomBaseTest.COMMITTED.toString(),
                "--out", out.toString(),
                "--prompt", "a photo of a sks dog on the beach",
                "--seed", "3",
                "--images", "2",
                "--threads", "1");
        List<Path> files = Generate.run(o);
        assertThat(files).containsExactly(out.resolve("image-0.png"), out.resolve("image-1.png"));
        int side = 8 * 16; // the VAE's stride times the last scale's 16x16 tokens (0.06M schedule)
        for (Path f : files) {
            BufferedImage img = ImageIO.read(f.toFile());
            assertThat(img.getWidth()).isEqualTo(side);
            assertThat(img.getHeight()).isEqualTo(side);
        }
    }

    @Test
    void optionsAreNamedAndChecked() {
        Generate.Options o = Generate.parse("--prompt", "", "--base", "b", "--out", "o");
        assertThat(o.prompt()).isEmpty();
        assertThat(o.adapter()).isNull();
        assertThat(o.seed()).isZero();
        assertThat(o.images()).isEqualTo(1);
        assertThatThrownBy(() -> Generate.parse("--base", "b", "--out", "o")).hasMessage("missing --prompt");
        assertThatThrownBy(() -> Generate.parse("--base", "b", "--out", "o", "--prompt", "p", "--seeds", "1"))
                .hasMessage("unknown option '--seeds'");
        assertThatThrownBy(() -> Generate.parse("--base", "b", "--out", "o", "--prompt", "p", "--images", "0"))
                .hasMessageContaining("--images must be between 1");
        assertThatThrownBy(() -> Generate.parse("--base", "b", "--out", "o", "--prompt"))
                .hasMessage("--prompt needs a value");
        assertThatThrownBy(() -> Generate.parse("--base", "b", "--base", "c")).hasMessage("--base is given twice");
    }
}
