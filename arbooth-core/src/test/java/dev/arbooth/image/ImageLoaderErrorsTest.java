package dev.arbooth.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.arbooth.InvalidImageException;
import dev.arbooth.testing.Golden;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Every refusal is an {@link InvalidImageException} that names the file and says what was expected. */
class ImageLoaderErrorsTest {
    @TempDir
    Path dir;

    private final ImageLoader loader = ImageLoader.square(64);

    private Path file(String name, byte[] bytes) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, bytes);
        return p;
    }

    private InvalidImageException refused(Path p) {
        Throwable t = org.assertj.core.api.Assertions.catchThrowable(() -> loader.load(p));
        assertThat(t).isInstanceOf(InvalidImageException.class);
        InvalidImageException e = (InvalidImageException) t;
        assertThat(e.file()).contains(p);
        assertThat(e.getMessage()).startsWith(p.toString() + ": ");
        return e;
    }

    @Test
    void missingFile() {
        assertThat(refused(dir.resolve("nope.jpg")).getMessage()).contains("not found");
    }

    @Test
    void directory() throws IOException {
        Path d = Files.createDirectory(dir.resolve("photos.jpg"));
        assertThat(refused(d).getMessage()).contains("is a directory");
    }

    @Test
    void zeroByteFile() throws IOException {
        assertThat(refused(file("empty.jpg", new byte[0])).getMessage())
                .contains("empty (0 bytes)")
                .contains("JPEG or PNG");
    }

    @Test
    void textFileNamedPngIsRecognisedByContent() throws IOException {
        Path p = file("notes.png", "hello, this is not an image\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(refused(p).getMessage())
                .contains("not a JPEG or PNG image")
                .doesNotContain("hello") // never echoes the content of a file it does not recognise
                .contains("supported formats are JPEG and PNG");
    }

    @Test
    void otherImageFormatsAreNamed() throws IOException {
        Path gif = file("anim.png", TestImages.encode(TestImages.pattern(80, 80), "gif"));
        assertThat(refused(gif).getMessage()).contains("GIF").contains("supported formats are JPEG and PNG");
        Path bmp = file("pic.jpg", TestImages.encode(TestImages.pattern(80, 80), "bmp"));
        assertThat(refused(bmp).getMessage()).contains("BMP").contains("supported formats are JPEG and PNG");
    }

    @Test
    void jpegNamedPngIsLoadedByContent() throws IOException {
        Path p = file("actually-a-jpeg.png", TestImages.jpeg(TestImages.pattern(80, 80)));
        assertThat(loader.load(p).shape()).containsExactly(3, 64, 64);
    }

    @Test
    void truncatedVicoJpegIsRefusedNotGreyPadded() throws IOException {
        for (String photo : List.of("black_cat/00.jpg", "red_teapot/1.jpeg")) { // baseline, progressive
            byte[] all = Files.readAllBytes(Golden.vico(photo));
            Path half = file("half-" + photo.replace('/', '-'), Arrays.copyOf(all, all.length / 2));
            assertThat(refused(half).getMessage()).contains("truncated or corrupt JPEG");
            // cutting only the EOI marker is caught as well
            Path noEoi = file("no-eoi.jpg", Arrays.copyOf(all, all.length - 2));
            assertThat(refused(noEoi).getMessage()).contains("truncated or corrupt JPEG");
        }
    }

    @Test
    void truncatedPngIsRefused() throws IOException {
        byte[] png = TestImages.png(TestImages.pattern(200, 200));
        Path half = file("half.png", Arrays.copyOf(png, png.length / 2));
        assertThat(refused(half).getMessage()).contains("truncated or corrupt PNG");
    }

    @Test
    void headerOnlyJpegIsRefused() throws IOException {
        byte[] jpeg = TestImages.jpeg(TestImages.pattern(80, 80));
        Path p = file("header.jpg", Arrays.copyOf(jpeg, 40));
        assertThat(refused(p).getMessage()).containsAnyOf("truncated or corrupt JPEG", "unreadable JPEG header");
    }

    @Test
    @Timeout(5)
    void decompressionBombIsRefusedFromTheHeaderBeforeDecoding() throws IOException {
        byte[] bomb = TestImages.pngClaiming(30000, 30000);
        assertThat(bomb.length).isLessThan(100);
        Path p = file("bomb.png", bomb);
        long t0 = System.nanoTime();
        InvalidImageException e = refused(p);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertThat(e.getMessage())
                .contains("30000x30000 = 900000000 pixels")
                .contains("limit of " + ImageOptions.DEFAULT_MAX_PIXELS)
                .contains("maxPixels");
        assertThat(ms).as("refused from the header, without decoding").isLessThan(1000);
    }

    @Test
    void pixelLimitIsConfigurable() throws IOException {
        Path p = file("ok.png", TestImages.png(TestImages.pattern(100, 80)));
        ImageLoader strict = ImageLoader.create(ImageOptions.square(64).withMaxPixels(7999));
        assertThatThrownBy(() -> strict.load(p))
                .isInstanceOf(InvalidImageException.class)
                .hasMessageContaining("100x80 = 8000 pixels, more than the limit of 7999");
        assertThat(ImageLoader.create(ImageOptions.square(64).withMaxPixels(8000))
                        .load(p)
                        .shape())
                .containsExactly(3, 64, 64);
    }

    @Test
    void tooSmallImageIsRefusedWithTheConfiguredMinimum() throws IOException {
        Path p = file("thumb.jpg", TestImages.jpeg(TestImages.pattern(120, 63)));
        assertThat(refused(p).getMessage())
                .contains("120x63 pixels")
                .contains("at least 64")
                .contains("minSide");
        ImageLoader lenient = ImageLoader.create(ImageOptions.square(64).withMinSide(63));
        assertThat(lenient.load(p).shape()).containsExactly(3, 64, 64);
    }

    @Test
    void streamErrorsNameTheStream() {
        assertThatThrownBy(() -> loader.load(new ByteArrayInputStream(new byte[] {1, 2, 3}), "upload #7"))
                .isInstanceOf(InvalidImageException.class)
                .hasMessageStartingWith("upload #7: ")
                .hasMessageContaining("not a JPEG or PNG image");
    }

    @Test
    void loadAllNamesTheFirstBadFile() throws IOException {
        Path good = file("good.png", TestImages.png(TestImages.pattern(80, 80)));
        Path bad = file("bad.png", new byte[0]);
        assertThatThrownBy(() -> loader.loadAll(List.of(good, bad)))
                .isInstanceOf(InvalidImageException.class)
                .hasMessageStartingWith(bad + ": ");
        assertThatThrownBy(() -> loader.loadAll(List.of())).isInstanceOf(IllegalArgumentException.class);
    }
}
