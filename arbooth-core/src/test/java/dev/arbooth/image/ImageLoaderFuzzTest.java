package dev.arbooth.image;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.arbooth.testing.FuzzSupport;
import dev.arbooth.testing.Golden;
import java.awt.Image;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Fuzz target of {@link ImageLoader} (JPEG and PNG, with EXIF orientation). The pixel limit is 1 MP so that
 * a run spends its time on parsing, not on decoding large valid images; the other limits are the defaults.
 */
@Tag("slow") // the first fuzz class of a JVM starts Jazzer's agent (5-10 s)
class ImageLoaderFuzzTest {
    private static final ImageLoader LOADER =
            ImageLoader.create(ImageOptions.square(16).withMinSide(1).withMaxPixels(1L << 20));

    @TempDir
    static java.nio.file.Path tmp;

    @MethodSource("seeds")
    @FuzzTest(maxDuration = "5s")
    void image(byte[] data) {
        FuzzSupport.read(tmp, ".img", data, file -> LOADER.load(file));
    }

    /** A ViCo photo, scaled down, as JPEG and PNG, each also with an EXIF orientation. */
    static Stream<byte[]> seeds() throws IOException {
        BufferedImage photo = ImageIO.read(Golden.vico("alarm_clock/1.jpeg").toFile());
        BufferedImage small = new BufferedImage(24, 20, BufferedImage.TYPE_INT_RGB);
        small.getGraphics().drawImage(photo.getScaledInstance(24, 20, Image.SCALE_AREA_AVERAGING), 0, 0, null);
        byte[] jpeg = TestImages.jpeg(small);
        byte[] png = TestImages.png(small);
        return Stream.of(jpeg, png, TestImages.withExifOrientation(jpeg, 6), TestImages.withPngExif(png, 8));
    }
}
