package dev.arbooth.image;

import static org.assertj.core.api.Assertions.assertThat;

import dev.arbooth.tensor.Tensor;
import dev.arbooth.testing.Golden;
import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.color.ICC_Profile;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.WritableRaster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * PNG and JPEG variants, EXIF orientation and the geometry of cover-resize and centre crop, each against a
 * value computed in the test. At target size equal to the image size the loader must copy pixels exactly.
 */
class ImageLoaderFormatsTest {
    private static final float EXACT = 1e-6f;

    @TempDir
    Path dir;

    private static ImageLoader loader(int h, int w) {
        return ImageLoader.create(ImageOptions.of(h, w).withMinSide(4));
    }

    private Path file(String name, byte[] bytes) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, bytes);
        return p;
    }

    /** Pixel (x, y) of channel c of a [3,H,W] tensor. */
    private static float at(float[] chw, int h, int w, int c, int x, int y) {
        return chw[c * h * w + y * w + x];
    }

    @Test
    void rgbPngAtItsOwnSizeIsCopiedExactly() throws IOException {
        BufferedImage img = TestImages.pattern(40, 24);
        float[] t = loader(24, 40).load(file("rgb.png", TestImages.png(img))).toFloatArray();
        for (int y = 0; y < 24; y++) {
            for (int x = 0; x < 40; x++) {
                int rgb = img.getRGB(x, y);
                for (int c = 0; c < 3; c++) {
                    float want = ((rgb >> (16 - 8 * c)) & 0xFF) / 255f * 2 - 1;
                    assertThat(at(t, 24, 40, c, x, y)).isCloseTo(want, org.assertj.core.data.Offset.offset(EXACT));
                }
            }
        }
    }

    @Test
    void greyPngIsTakenAsSrgbEncodedAndReplicated() throws IOException {
        BufferedImage img = new BufferedImage(16, 16, BufferedImage.TYPE_BYTE_GRAY);
        WritableRaster r = img.getRaster();
        for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 16; x++) {
                r.setSample(x, y, 0, y * 16 + x);
            }
        }
        float[] t = loader(16, 16).load(file("grey.png", TestImages.png(img))).toFloatArray();
        for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 16; x++) {
                float want = (y * 16 + x) / 255f * 2 - 1; // 128 stays 128: no linear-grey brightening
                for (int c = 0; c < 3; c++) {
                    assertThat(Math.abs(at(t, 16, 16, c, x, y) - want)).isLessThan(EXACT);
                }
            }
        }
    }

    @Test
    void sixteenBitGreyAndRgbPngsKeepTheirPrecision() throws IOException {
        BufferedImage grey = new BufferedImage(8, 8, BufferedImage.TYPE_USHORT_GRAY);
        ComponentColorModel cm = new ComponentColorModel(
                ColorSpace.getInstance(ColorSpace.CS_sRGB), false, false, Transparency.OPAQUE, DataBuffer.TYPE_USHORT);
        BufferedImage rgb = new BufferedImage(cm, cm.createCompatibleWritableRaster(8, 8), false, null);
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 8; x++) {
                int v = 1000 * (y * 8 + x) + 7; // not a multiple of 257: 8 bits would lose it
                grey.getRaster().setSample(x, y, 0, v);
                rgb.getRaster().setPixel(x, y, new int[] {v, 65535 - v, v / 2});
            }
        }
        byte[] greyPng = TestImages.png(grey);
        byte[] rgbPng = TestImages.png(rgb);
        assertThat(greyPng[24]).as("grey PNG bit depth").isEqualTo((byte) 16);
        assertThat(rgbPng[24]).as("RGB PNG bit depth").isEqualTo((byte) 16);
        float[] tg = loader(8, 8).load(file("grey16.png", greyPng)).toFloatArray();
        float[] tr = loader(8, 8).load(file("rgb16.png", rgbPng)).toFloatArray();
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 8; x++) {
                int v = 1000 * (y * 8 + x) + 7;
                float g = v / 65535f * 2 - 1;
                assertThat(Math.abs(at(tg, 8, 8, 1, x, y) - g)).isLessThan(EXACT);
                assertThat(Math.abs(at(tr, 8, 8, 0, x, y) - g)).isLessThan(EXACT);
                assertThat(Math.abs(at(tr, 8, 8, 1, x, y) - ((65535 - v) / 65535f * 2 - 1)))
                        .isLessThan(EXACT);
                assertThat(Math.abs(at(tr, 8, 8, 2, x, y) - ((v / 2) / 65535f * 2 - 1)))
                        .isLessThan(EXACT);
            }
        }
    }

    @Test
    void palettePngWithTransparentEntryIsCompositedOverWhite() throws IOException {
        byte[] r = {(byte) 255, 0, 0, 10};
        byte[] g = {0, (byte) 255, 0, 20};
        byte[] b = {0, 0, (byte) 255, 30};
        byte[] a = {(byte) 255, (byte) 255, (byte) 128, 0};
        IndexColorModel icm = new IndexColorModel(2, 4, r, g, b, a);
        BufferedImage img = new BufferedImage(8, 8, BufferedImage.TYPE_BYTE_BINARY, icm);
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 8; x++) {
                img.getRaster().setSample(x, y, 0, (x + y) % 4);
            }
        }
        byte[] png = TestImages.png(img);
        assertThat(png[25]).as("PNG colour type: palette").isEqualTo((byte) 3);
        float[] t = loader(8, 8).load(file("palette.png", png)).toFloatArray();
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 8; x++) {
                int i = (x + y) % 4;
                float alpha = (a[i] & 0xFF) / 255f;
                float[] want = {(r[i] & 0xFF) / 255f, (g[i] & 0xFF) / 255f, (b[i] & 0xFF) / 255f};
                for (int c = 0; c < 3; c++) {
                    float composited = want[c] * alpha + (1 - alpha);
                    assertThat(Math.abs(at(t, 8, 8, c, x, y) - (composited * 2 - 1)))
                            .isLessThan(EXACT);
                }
            }
        }
    }

    @Test
    void rgbaAndGreyAlphaPngsAreCompositedOverWhite() throws IOException {
        BufferedImage rgba = new BufferedImage(8, 8, BufferedImage.TYPE_INT_ARGB);
        ComponentColorModel ga = new ComponentColorModel(
                ColorSpace.getInstance(ColorSpace.CS_GRAY),
                true,
                false,
                Transparency.TRANSLUCENT,
                DataBuffer.TYPE_BYTE);
        BufferedImage greyAlpha = new BufferedImage(ga, ga.createCompatibleWritableRaster(8, 8), false, null);
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 8; x++) {
                int alpha = x * 36; // 0 (transparent) .. 252
                rgba.setRGB(x, y, (alpha << 24) | 0xC81E0A); // (200, 30, 10)
                greyAlpha.getRaster().setPixel(x, y, new int[] {40, alpha});
            }
        }
        byte[] rgbaPng = TestImages.png(rgba);
        byte[] gaPng = TestImages.png(greyAlpha);
        assertThat(rgbaPng[25]).as("PNG colour type: RGBA").isEqualTo((byte) 6);
        assertThat(gaPng[25]).as("PNG colour type: grey + alpha").isEqualTo((byte) 4);
        float[] t = loader(8, 8).load(file("rgba.png", rgbaPng)).toFloatArray();
        float[] tg = loader(8, 8).load(file("greyalpha.png", gaPng)).toFloatArray();
        int[] colour = {200, 30, 10};
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 8; x++) {
                float alpha = x * 36 / 255f;
                for (int c = 0; c < 3; c++) {
                    float want = (colour[c] / 255f * alpha + 1 - alpha) * 2 - 1;
                    assertThat(Math.abs(at(t, 8, 8, c, x, y) - want)).isLessThan(EXACT);
                    float wantGrey = (40 / 255f * alpha + 1 - alpha) * 2 - 1;
                    assertThat(Math.abs(at(tg, 8, 8, c, x, y) - wantGrey)).isLessThan(EXACT);
                }
            }
        }
        // fully transparent column 0 is white
        assertThat(at(t, 8, 8, 0, 0, 3)).isEqualTo(1f);
    }

    @Test
    void greyJpegMatchesTheJdkDecoder() throws IOException {
        BufferedImage img = new BufferedImage(32, 32, BufferedImage.TYPE_BYTE_GRAY);
        img.getGraphics().drawImage(TestImages.pattern(32, 32), 0, 0, null);
        byte[] jpeg = TestImages.jpeg(img);
        BufferedImage ref = TestImages.jdkRead(jpeg, "jpeg");
        float[] t = loader(32, 32).load(file("grey.jpg", jpeg)).toFloatArray();
        for (int y = 0; y < 32; y++) {
            for (int x = 0; x < 32; x++) {
                float want = ref.getRaster().getSample(x, y, 0) / 255f * 2 - 1;
                for (int c = 0; c < 3; c++) {
                    assertThat(Math.abs(at(t, 32, 32, c, x, y) - want)).isLessThan(EXACT);
                }
            }
        }
    }

    @ParameterizedTest(name = "ycck={0}")
    @ValueSource(booleans = {false, true})
    void adobeCmykAndYcckJpegsAreConvertedToRgb(boolean ycck) throws IOException {
        // left half: magenta + yellow ink (red), right half: no ink (white)
        byte[] jpeg = TestImages.cmykJpeg(64, 64, new int[] {0, 255, 255, 0}, ycck);
        float[] t =
                loader(64, 64).load(file(ycck ? "ycck.jpg" : "cmyk.jpg", jpeg)).toFloatArray();
        // red: R high, G and B low (the exact shade depends on the CMYK profile)
        assertThat(at(t, 64, 64, 0, 10, 32)).isGreaterThan(0.7f);
        assertThat(at(t, 64, 64, 1, 10, 32)).isLessThan(-0.6f);
        assertThat(at(t, 64, 64, 2, 10, 32)).isLessThan(-0.6f);
        for (int c = 0; c < 3; c++) {
            assertThat(at(t, 64, 64, c, 50, 32)).as("white, channel " + c).isGreaterThan(0.95f);
        }
    }

    /** sRGB encoding of a linear value (IEC 61966-2-1), computed here independently. */
    private static double srgbEncode(double linear) {
        return linear <= 0.0031308 ? 12.92 * linear : 1.055 * Math.pow(linear, 1 / 2.4) - 0.055;
    }

    @Test
    void embeddedNonSrgbIccProfileIsConvertedToSrgb() throws IOException {
        BufferedImage flat = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 64; x++) {
                flat.setRGB(x, y, 0x808080);
            }
        }
        byte[] jpeg = TestImages.jpeg(flat);
        byte[] profile = ICC_Profile.getInstance(ColorSpace.CS_LINEAR_RGB).getData();
        byte[] withIcc = TestImages.withIccProfile(jpeg, profile);
        float want = (float) (2 * srgbEncode(128 / 255.0) - 1); // 0.4706: linear 128 is a light grey in sRGB
        float[] t = loader(64, 64).load(file("linear-icc.jpg", withIcc)).toFloatArray();
        float[] plain = loader(64, 64).load(file("plain.jpg", jpeg)).toFloatArray();
        for (int c = 0; c < 3; c++) {
            assertThat(Math.abs(at(t, 64, 64, c, 20, 20) - want)).isLessThan(0.01f);
            assertThat(Math.abs(at(plain, 64, 64, c, 20, 20) - (2 * 128 / 255f - 1)))
                    .isLessThan(0.01f);
        }
    }

    @Test
    void decodedImagesInOtherColourSpacesAreConverted() {
        ComponentColorModel linear = new ComponentColorModel(
                ColorSpace.getInstance(ColorSpace.CS_LINEAR_RGB),
                false,
                false,
                Transparency.OPAQUE,
                DataBuffer.TYPE_BYTE);
        BufferedImage img = new BufferedImage(linear, linear.createCompatibleWritableRaster(16, 16), false, null);
        for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 16; x++) {
                img.getRaster().setPixel(x, y, new int[] {128, 0, 255});
            }
        }
        float[] t = loader(16, 16).fromImage(img).toFloatArray();
        assertThat(Math.abs(at(t, 16, 16, 0, 3, 3) - (2 * srgbEncode(128 / 255.0) - 1)))
                .isLessThan(0.01);
        assertThat(at(t, 16, 16, 1, 3, 3)).isCloseTo(-1f, org.assertj.core.data.Offset.offset(0.01f));
        assertThat(at(t, 16, 16, 2, 3, 3)).isCloseTo(1f, org.assertj.core.data.Offset.offset(0.01f));
    }

    /**
     * EXIF orientation, all eight values, in a JPEG APP1 segment and a PNG eXIf chunk: the stored image is
     * built from the displayed one with the EXIF definitions ("row 0 is the visual right side, column 0 the
     * visual top", ...), and must load exactly as the displayed image written without orientation. The
     * target is non-square with an odd crop margin, so the crop offset's side matters.
     */
    @ParameterizedTest(name = "orientation {0}")
    @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8})
    void exifOrientationGivesTheSameTensorAsThePreRotatedImage(int orientation) throws IOException {
        BufferedImage displayed = TestImages.pattern(100, 70);
        BufferedImage stored = toStored(displayed, orientation);
        byte[] storedPng = TestImages.withPngExif(TestImages.png(stored), orientation);
        byte[] jpeg = TestImages.jpeg(stored);
        byte[] storedJpeg = TestImages.withExifOrientation(jpeg, orientation);
        // JPEG is lossy: compare with the displayed form of the pixels the JPEG actually holds
        BufferedImage decodedDisplayed = toDisplayed(TestImages.jdkRead(jpeg, "jpeg"), orientation);
        // 30x50: scale 0.5 -> 35x50, odd margin of 5 rows; 50x30: scale 5/7 -> 50x71, odd margin of 41 columns
        for (int[] target : new int[][] {{30, 50}, {50, 30}}) {
            ImageLoader loader = loader(target[0], target[1]);
            String what = "orientation " + orientation + ", target " + target[0] + "x" + target[1];
            float[] want = loader.load(file("displayed.png", TestImages.png(displayed)))
                    .toFloatArray();
            float[] got = loader.load(file("stored.png", storedPng)).toFloatArray();
            assertThat(Golden.maxAbsDiff(got, want)).as("PNG eXIf, " + what).isLessThan(1e-6);

            float[] wantJpeg = loader.load(file("decoded.png", TestImages.png(decodedDisplayed)))
                    .toFloatArray();
            float[] gotJpeg = loader.load(file("stored.jpg", storedJpeg)).toFloatArray();
            assertThat(Golden.maxAbsDiff(gotJpeg, wantJpeg))
                    .as("JPEG APP1, " + what)
                    .isLessThan(1e-6);
            if (orientation != 1) {
                // the orientation did something: without the tag the tensor differs
                float[] plain = loader.load(file("plain.jpg", jpeg)).toFloatArray();
                assertThat(Golden.maxAbsDiff(plain, wantJpeg))
                        .as("untagged, " + what)
                        .isGreaterThan(0.1);
            }
        }
    }

    /**
     * Where stored pixel (x, y) is displayed, from the EXIF definitions of the 0th row and 0th column
     * ({@code dw}, {@code dh}: displayed size).
     */
    private static int[] displayedPosition(int orientation, int x, int y, int dw, int dh) {
        return switch (orientation) {
            case 1 -> new int[] {x, y}; // row 0 top, column 0 left
            case 2 -> new int[] {dw - 1 - x, y}; // row 0 top, column 0 right
            case 3 -> new int[] {dw - 1 - x, dh - 1 - y}; // row 0 bottom, column 0 right
            case 4 -> new int[] {x, dh - 1 - y}; // row 0 bottom, column 0 left
            case 5 -> new int[] {y, x}; // row 0 left, column 0 top
            case 6 -> new int[] {dw - 1 - y, x}; // row 0 right, column 0 top
            case 7 -> new int[] {dw - 1 - y, dh - 1 - x}; // row 0 right, column 0 bottom
            case 8 -> new int[] {y, dh - 1 - x}; // row 0 left, column 0 bottom
            default -> throw new IllegalArgumentException("orientation " + orientation);
        };
    }

    private static BufferedImage toStored(BufferedImage displayed, int orientation) {
        int dw = displayed.getWidth();
        int dh = displayed.getHeight();
        boolean transposed = orientation >= 5;
        int sw = transposed ? dh : dw;
        int sh = transposed ? dw : dh;
        BufferedImage out = new BufferedImage(sw, sh, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < sh; y++) {
            for (int x = 0; x < sw; x++) {
                int[] d = displayedPosition(orientation, x, y, dw, dh);
                out.setRGB(x, y, displayed.getRGB(d[0], d[1]));
            }
        }
        return out;
    }

    private static BufferedImage toDisplayed(BufferedImage stored, int orientation) {
        boolean transposed = orientation >= 5;
        int dw = transposed ? stored.getHeight() : stored.getWidth();
        int dh = transposed ? stored.getWidth() : stored.getHeight();
        BufferedImage out = new BufferedImage(dw, dh, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < stored.getHeight(); y++) {
            for (int x = 0; x < stored.getWidth(); x++) {
                int[] d = displayedPosition(orientation, x, y, dw, dh);
                out.setRGB(d[0], d[1], stored.getRGB(x, y));
            }
        }
        return out;
    }

    @Test
    void nonSquareTargetCoversAndCropsTheCentre() throws IOException {
        // 120x60 image, target 20 rows x 30 cols: scale max(20/60, 30/120) = 1/3 -> 40x20, crop columns 5..34
        BufferedImage img = TestImages.pattern(120, 60);
        float[] t = loader(20, 30).load(file("wide.png", TestImages.png(img))).toFloatArray();
        assertThat(t).hasSize(3 * 20 * 30);
        for (int y = 0; y < 20; y++) {
            for (int x = 0; x < 30; x++) {
                for (int c = 0; c < 3; c++) {
                    // output pixel = mean of the 3x3 source block at ((x + 5) * 3, y * 3)
                    double s = 0;
                    for (int dy = 0; dy < 3; dy++) {
                        for (int dx = 0; dx < 3; dx++) {
                            int rgb = img.getRGB((x + 5) * 3 + dx, y * 3 + dy);
                            s += ((rgb >> (16 - 8 * c)) & 0xFF) / 255.0;
                        }
                    }
                    double want = s / 9 * 2 - 1;
                    assertThat(Math.abs(at(t, 20, 30, c, x, y) - want)).isLessThan(1e-5);
                }
            }
        }
    }

    @Test
    void streamsAndBatchesGiveTheSameTensors() throws IOException {
        Path a = file("a.png", TestImages.png(TestImages.pattern(64, 48)));
        Path b = file("b.jpg", TestImages.jpeg(TestImages.pattern(48, 64)));
        ImageLoader loader = loader(32, 32);
        Tensor batch = loader.loadAll(List.of(a, b));
        assertThat(batch.shape()).containsExactly(2, 3, 32, 32);
        float[] all = batch.toFloatArray();
        float[] ta = loader.load(a).toFloatArray();
        float[] tb;
        try (ByteArrayInputStream in = new ByteArrayInputStream(Files.readAllBytes(b))) {
            tb = loader.load(in, "b.jpg").toFloatArray();
        }
        assertThat(java.util.Arrays.copyOfRange(all, 0, ta.length)).containsExactly(ta);
        assertThat(java.util.Arrays.copyOfRange(all, ta.length, all.length)).containsExactly(tb);
        assertThat(Golden.maxAbsDiff(ta, tb)).isGreaterThan(0.1);
    }

    @Test
    void fromImageMatchesLoadingTheEncodedImage() throws IOException {
        BufferedImage img = TestImages.pattern(70, 50);
        ImageLoader loader = loader(25, 25);
        float[] direct = loader.fromImage(img).toFloatArray();
        float[] viaPng = loader.load(file("x.png", TestImages.png(img))).toFloatArray();
        assertThat(Golden.maxAbsDiff(direct, viaPng)).isLessThan(1e-6);
    }

    @Test
    void smallImagesAboveTheMinimumAreEnlargedBilinearly() throws IOException {
        // a horizontal ramp stays a ramp: bilinear, not nearest neighbour (which would repeat pixel pairs)
        BufferedImage img = new BufferedImage(16, 16, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 16; x++) {
                img.getRaster().setSample(x, y, 0, 40 + 10 * x);
            }
        }
        float[] t = loader(32, 32).load(file("small.png", TestImages.png(img))).toFloatArray();
        for (int x = 1; x < 31; x++) {
            // output centre x maps to source (x + 0.5) / 2 - 0.5
            double src = (x + 0.5) / 2 - 0.5;
            double want = (40 + 10 * src) / 255.0 * 2 - 1;
            assertThat(Math.abs(at(t, 32, 32, 0, x, 7) - want)).as("x=" + x).isLessThan(1e-5);
        }
    }
}
