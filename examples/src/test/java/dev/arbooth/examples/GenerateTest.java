package dev.arbooth.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.arbooth.runtime.testing.TestBases;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GenerateTest {
    @Test
    void writesTheRequestedImages(@TempDir Path dir) throws IOException {
        Path base = Files.createDirectory(dir.resolve("base"));
        TestBases.goldenSet1(base);
        Path out = dir.resolve("out");
        Generate.main(new String[] {base.toString(), out.toString(), "a dog on the beach", "", "3", "2", "1"});
        for (int i = 0; i < 2; i++) {
            BufferedImage img = ImageIO.read(out.resolve("image-" + i + ".png").toFile());
            assertThat(img.getWidth()).isEqualTo(128);
            assertThat(img.getHeight()).isEqualTo(128);
        }
    }
}
