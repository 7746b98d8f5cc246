package dev.arbooth.toyworld;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.arbooth.InvalidImageException;
import dev.arbooth.ShapeMismatchException;
import dev.arbooth.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ToyImageTest {
    @TempDir
    Path dir;

    @Test
    void tensorAndPngRoundTripsAreExact() {
        ToyImage img = ToyWorld.randomScene(21).render(64);
        Tensor t = img.toTensor();
        assertThat(t.shape()).containsExactly(3, 64, 64);
        assertThat(ToyImage.fromTensor(t)).isEqualTo(img);
        assertThat(ToyImage.fromTensor(t.reshape(1, 3, 64, 64))).isEqualTo(img);
        Path png = dir.resolve("a.png");
        img.writePng(png);
        assertThat(ToyImage.readPng(png)).isEqualTo(img);
        byte[] all = new byte[3 * 256];
        for (int v = 0; v < 256; v++) {
            all[3 * v] = (byte) v;
            all[3 * v + 1] = (byte) (255 - v);
            all[3 * v + 2] = (byte) (v * 7);
        }
        ToyImage ramp = ToyImage.of(16, all);
        assertThat(ToyImage.fromTensor(ramp.toTensor())).isEqualTo(ramp);
    }

    @Test
    void badImagesAreRefused() throws IOException {
        assertThatThrownBy(() -> ToyImage.of(4, new byte[5]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("48");
        assertThatThrownBy(() -> ToyImage.fromTensor(Tensor.ofFloats(new float[3 * 4 * 5], 3, 4, 5)))
                .isInstanceOf(ShapeMismatchException.class);
        Path junk = dir.resolve("junk.png");
        Files.writeString(junk, "not a png");
        assertThatThrownBy(() -> ToyImage.readPng(junk))
                .isInstanceOf(InvalidImageException.class)
                .hasMessageContaining("junk.png");
        float[] nan = new float[3 * 4 * 4];
        nan[5] = Float.NaN;
        assertThatThrownBy(() -> ToyImage.fromTensor(Tensor.ofFloats(nan, 3, 4, 4)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("NaN");
    }
}
