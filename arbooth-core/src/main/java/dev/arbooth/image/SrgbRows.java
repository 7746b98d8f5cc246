package dev.arbooth.image;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorConvertOp;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.ComponentSampleModel;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferByte;
import java.awt.image.DirectColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;

/**
 * Reads a decoded image row by row as sRGB-encoded red, green and blue floats in [0, 1], with any alpha
 * composited over white.
 *
 * <p>Colour handling, in order:
 *
 * <ul>
 *   <li>palette images: the palette's RGB(A) entries are taken as sRGB;
 *   <li>greyscale (with or without alpha, 1 to 16 bits): the grey samples are taken as sRGB-encoded and
 *       replicated to R, G and B. This is what PNG viewers and PIL do; Java2D's own conversion would instead
 *       treat its grey colour space as linear and brighten mid-tones;
 *   <li>sRGB images (8 or 16 bits per sample, packed or interleaved): samples are divided by their maximum;
 *   <li>anything else (an embedded non-sRGB ICC profile, linear RGB, CMYK that a reader left unconverted,
 *       floating-point rasters): converted to sRGB with {@link ColorConvertOp} first.
 * </ul>
 *
 * <p>Transparent pixels are composited over white ({@code c·a + (1 - a)}): white is the neutral background of
 * product and subject photos, and black would darken anti-aliased edges. PNG colour chunks (gAMA, cHRM,
 * iCCP) are not applied by the JDK reader; PNG samples are taken as sRGB.
 */
final class SrgbRows {
    private final Raster raster;
    private final int width;
    private final int height;
    /** Per-band lookup tables from a raw sample to [0, 1]; null for palette images. */
    private final float[][] bandLut;
    /** Palette images: R, G, B already composited over white, per index. */
    private final float[] palR;

    private final float[] palG;
    private final float[] palB;
    private final boolean grey;
    private final boolean hasAlpha;
    private final boolean premultiplied;
    /** Fast path for interleaved 8-bit rasters: the bytes, the per-band offsets and strides; else null. */
    private final byte[] bytes;

    private final int[] byteBandOffsets;
    private final int pixelStride;
    private final int scanlineStride;
    private final int originX;
    private final int originY;
    private int[] samples = new int[0];

    private SrgbRows(BufferedImage image) {
        this.raster = image.getRaster();
        this.width = image.getWidth();
        this.height = image.getHeight();
        ColorModel cm = image.getColorModel();
        if (cm instanceof IndexColorModel icm) {
            int n = icm.getMapSize();
            palR = new float[n];
            palG = new float[n];
            palB = new float[n];
            for (int i = 0; i < n; i++) {
                float a = icm.getAlpha(i) / 255f;
                palR[i] = icm.getRed(i) / 255f * a + (1 - a);
                palG[i] = icm.getGreen(i) / 255f * a + (1 - a);
                palB[i] = icm.getBlue(i) / 255f * a + (1 - a);
            }
            bandLut = null;
            grey = false;
            hasAlpha = false;
            premultiplied = false;
        } else {
            palR = null;
            palG = null;
            palB = null;
            int bands = raster.getNumBands();
            bandLut = new float[bands][];
            for (int b = 0; b < bands; b++) {
                int bits = cm.getComponentSize(b);
                int max = (1 << bits) - 1;
                float[] lut = new float[max + 1];
                for (int v = 0; v <= max; v++) {
                    lut[v] = (float) v / max;
                }
                bandLut[b] = lut;
            }
            grey = cm.getColorSpace().getType() == ColorSpace.TYPE_GRAY;
            hasAlpha = cm.hasAlpha();
            premultiplied = cm.isAlphaPremultiplied();
        }
        if (bandLut != null
                && raster.getDataBuffer() instanceof DataBufferByte db
                && raster.getSampleModel() instanceof ComponentSampleModel sm
                && db.getNumBanks() == 1
                && allEight(cm)) {
            bytes = db.getData();
            int[] offs = sm.getBandOffsets();
            byteBandOffsets = new int[offs.length];
            for (int b = 0; b < offs.length; b++) {
                byteBandOffsets[b] = offs[b] + db.getOffset();
            }
            pixelStride = sm.getPixelStride();
            scanlineStride = sm.getScanlineStride();
            originX = raster.getSampleModelTranslateX();
            originY = raster.getSampleModelTranslateY();
        } else {
            bytes = null;
            byteBandOffsets = null;
            pixelStride = 0;
            scanlineStride = 0;
            originX = 0;
            originY = 0;
        }
    }

    private static boolean allEight(ColorModel cm) {
        for (int b = 0; b < cm.getNumComponents(); b++) {
            if (cm.getComponentSize(b) != 8) {
                return false;
            }
        }
        return true;
    }

    /**
     * Prepares an image for row reading, converting it to sRGB first where its colour model is not one of
     * the directly readable kinds (see the class comment).
     *
     * @param image a decoded image
     * @return the row reader
     */
    static SrgbRows of(BufferedImage image) {
        return new SrgbRows(directlyReadable(image) ? image : toSrgb(image));
    }

    private static boolean directlyReadable(BufferedImage image) {
        ColorModel cm = image.getColorModel();
        if (cm instanceof IndexColorModel) {
            return true;
        }
        if (!(cm instanceof ComponentColorModel || cm instanceof DirectColorModel)) {
            return false;
        }
        int transfer = cm.getTransferType();
        if (transfer != DataBuffer.TYPE_BYTE && transfer != DataBuffer.TYPE_USHORT && transfer != DataBuffer.TYPE_INT) {
            return false;
        }
        for (int b = 0; b < cm.getNumComponents(); b++) {
            if (cm.getComponentSize(b) < 1 || cm.getComponentSize(b) > 16) {
                return false;
            }
        }
        ColorSpace cs = cm.getColorSpace();
        boolean greySpace = cs.getType() == ColorSpace.TYPE_GRAY && cs.getNumComponents() == 1;
        return (cs.isCS_sRGB() || greySpace) && image.getRaster().getNumBands() == cm.getNumComponents();
    }

    private static BufferedImage toSrgb(BufferedImage image) {
        BufferedImage out = new BufferedImage(image.getWidth(), image.getHeight(), BufferedImage.TYPE_INT_ARGB);
        new ColorConvertOp(null).filter(image, out);
        return out;
    }

    /**
     * The image width.
     *
     * @return columns
     */
    int width() {
        return width;
    }

    /**
     * The image height.
     *
     * @return rows
     */
    int height() {
        return height;
    }

    /**
     * Reads part of one row.
     *
     * @param y the row
     * @param x0 the first column
     * @param n the number of columns
     * @param r receives red in [0, 1] at indices 0..n-1
     * @param g receives green
     * @param b receives blue
     */
    void read(int y, int x0, int n, float[] r, float[] g, float[] b) {
        if (bandLut == null) {
            samples = raster.getSamples(x0, y, n, 1, 0, samples.length >= n ? samples : new int[n]);
            for (int i = 0; i < n; i++) {
                int idx = samples[i];
                r[i] = palR[idx];
                g[i] = palG[idx];
                b[i] = palB[idx];
            }
            return;
        }
        int bands = bandLut.length;
        int need = n * bands;
        if (bytes != null) {
            readBytes(y, x0, n, need);
        } else {
            samples = raster.getPixels(x0, y, n, 1, samples.length >= need ? samples : new int[need]);
        }
        float[] l0 = bandLut[0];
        if (grey) {
            float[] la = hasAlpha ? bandLut[1] : null;
            for (int i = 0, s = 0; i < n; i++, s += bands) {
                float v = l0[samples[s]];
                if (la != null) {
                    v = composite(v, la[samples[s + 1]]);
                }
                r[i] = v;
                g[i] = v;
                b[i] = v;
            }
            return;
        }
        float[] l1 = bandLut[1];
        float[] l2 = bandLut[2];
        float[] la = hasAlpha ? bandLut[3] : null;
        for (int i = 0, s = 0; i < n; i++, s += bands) {
            float vr = l0[samples[s]];
            float vg = l1[samples[s + 1]];
            float vb = l2[samples[s + 2]];
            if (la != null) {
                float a = la[samples[s + 3]];
                vr = composite(vr, a);
                vg = composite(vg, a);
                vb = composite(vb, a);
            }
            r[i] = vr;
            g[i] = vg;
            b[i] = vb;
        }
    }

    /** Unpacks interleaved 8-bit samples straight from the data buffer (what getPixels does, faster). */
    private void readBytes(int y, int x0, int n, int need) {
        if (samples.length < need) {
            samples = new int[need];
        }
        int bands = byteBandOffsets.length;
        int rowStart = (y - originY) * scanlineStride + (x0 - originX) * pixelStride;
        for (int b = 0; b < bands; b++) {
            int src = rowStart + byteBandOffsets[b];
            for (int i = 0, s = b; i < n; i++, s += bands, src += pixelStride) {
                samples[s] = bytes[src] & 0xFF;
            }
        }
    }

    /** Composites a colour sample over white. */
    private float composite(float c, float a) {
        return premultiplied ? c + (1 - a) : c * a + (1 - a);
    }
}
