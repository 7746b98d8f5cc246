package dev.arbooth.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ImageOptionsTest {
    @Test
    void defaultsAndWithers() {
        ImageOptions d = ImageOptions.defaults();
        assertThat(d).isEqualTo(new ImageOptions(256, 256, 64, 64L << 20));
        ImageOptions o = d.withSize(512, 768).withMinSide(32).withMaxPixels(1_000_000);
        assertThat(o).isEqualTo(new ImageOptions(512, 768, 32, 1_000_000));
        assertThat(o.shape()).containsExactly(3, 512, 768);
        assertThat(ImageOptions.square(128)).isEqualTo(ImageOptions.of(128, 128));
        assertThat(d).isEqualTo(ImageOptions.defaults()); // withers do not mutate
    }

    @Test
    void invalidValuesAreRefusedWithTheValue() {
        assertThatThrownBy(() -> ImageOptions.of(0, 256))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("0x256");
        assertThatThrownBy(() -> ImageOptions.defaults().withMinSide(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("minSide");
        assertThatThrownBy(() -> ImageOptions.defaults().withMaxPixels(4095))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxPixels")
                .hasMessageContaining("4096");
        assertThatThrownBy(() -> ImageOptions.defaults().withMaxPixels(ImageOptions.MAX_PIXELS_CEILING + 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(String.valueOf(ImageOptions.MAX_PIXELS_CEILING));
    }
}
