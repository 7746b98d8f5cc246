package dev.arbooth.image;

import static org.assertj.core.api.Assertions.assertThat;

import dev.arbooth.tensor.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13, item 5: PNG text chunks ({@code zTXt}, {@code iTXt}) that inflate to gigabytes are never
 * inflated: the orientation comes from the {@code eXIf} chunk alone, and the pixel decoder skips metadata.
 * Each chunk here inflates to 2.5 GiB, more than a Java array can hold, so any reader that inflated one would
 * fail with an {@link OutOfMemoryError} (as metadata-extractor's PNG reader did).
 */
class PngTextBombTest {
    private static final long BOMB_BYTES = 5L << 29; // 2.5 GiB

    @TempDir
    Path tmp;

    @Test
    void compressedTextChunksAreNeverInflated() throws IOException {
        byte[] png = TestImages.withPngExif(TestImages.png(TestImages.pattern(80, 64)), 6);
        byte[] stream = zlibZeros(BOMB_BYTES);
        byte[] zTxt = concat("Comment\0".getBytes(StandardCharsets.ISO_8859_1), new byte[] {0}, stream);
        byte[] iTxt =
                concat("XML:com.adobe.xmp\0".getBytes(StandardCharsets.ISO_8859_1), new byte[] {1, 0, 0, 0}, stream);
        byte[] bombed = TestImages.insert(
                png, 8 + 25, concat(TestImages.pngChunk("zTXt", zTxt), TestImages.pngChunk("iTXt", iTxt)));
        assertThat(bombed.length).isLessThan(40 << 20);
        ImageLoader loader = ImageLoader.create(ImageOptions.square(32));
        Tensor plain = loader.load(Files.write(tmp.resolve("plain.png"), png));
        Tensor withBombs = loader.load(Files.write(tmp.resolve("bombed.png"), bombed));
        assertThat(withBombs).isEqualTo(plain); // same pixels, same orientation (6: rotated), nothing inflated
        assertThat(Orientation.pngExif(bombed)).isEqualTo(TestImages.exifTiff(6));
    }

    /**
     * A zlib stream inflating to {@code n} zero bytes: one literal 0, then "copy 258 bytes from distance 1"
     * repeated, in one fixed-Huffman block (13 bits per 258 bytes), and a correct Adler-32.
     */
    static byte[] zlibZeros(long n) {
        Bits bits = new Bits();
        bits.out.write(0x78);
        bits.out.write(0x01);
        bits.lsbFirst(1, 1); // BFINAL
        bits.lsbFirst(1, 2); // BTYPE = fixed Huffman
        bits.code(0x30, 8); // literal 0
        long left = n - 1;
        while (left >= 258) {
            bits.code(0xC5, 8); // length code 285: 258 bytes
            bits.code(0, 5); // distance code 0: distance 1
            left -= 258;
        }
        for (; left > 0; left--) {
            bits.code(0x30, 8);
        }
        bits.code(0, 7); // end of block
        bits.flush();
        long b = n % 65521; // Adler-32 of n zeros: a = 1, b = n
        long adler = (b << 16) | 1;
        for (int shift = 24; shift >= 0; shift -= 8) {
            bits.out.write((int) (adler >>> shift) & 0xFF);
        }
        return bits.out.toByteArray();
    }

    private static final class Bits {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        int acc;
        int count;

        void lsbFirst(int value, int n) {
            for (int i = 0; i < n; i++) {
                bit((value >>> i) & 1);
            }
        }

        void code(int value, int n) { // Huffman codes go most significant bit first
            for (int i = n - 1; i >= 0; i--) {
                bit((value >>> i) & 1);
            }
        }

        void bit(int b) {
            acc |= b << count;
            if (++count == 8) {
                out.write(acc);
                acc = 0;
                count = 0;
            }
        }

        void flush() {
            if (count > 0) {
                out.write(acc);
                acc = 0;
                count = 0;
            }
        }
    }

    private static byte[] concat(byte[]... parts) {
        return TestImages.concat(parts);
    }
}
