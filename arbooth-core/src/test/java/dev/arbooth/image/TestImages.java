package dev.arbooth.image;

import java.awt.image.BufferedImage;
import java.awt.image.DataBuffer;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.zip.CRC32;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/** Builds test images and files: encodings via ImageIO, EXIF segments, PNG chunks, CMYK JPEGs. */
final class TestImages {
    private TestImages() {}

    /** A smooth, asymmetric colour pattern (every corner differs), TYPE_INT_RGB. */
    static BufferedImage pattern(int w, int h) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int r = (int) Math.round(255.0 * x / (w - 1));
                int g = (int) Math.round(255.0 * y / (h - 1));
                int b = (int) Math.round(127.5 + 127.5 * Math.sin(0.15 * x + 0.07 * y * y / h));
                img.setRGB(x, y, (r << 16) | (g << 8) | b);
            }
        }
        return img;
    }

    static byte[] png(BufferedImage img) {
        return encode(img, "png");
    }

    static byte[] encode(BufferedImage img, String format) {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(img, format, bos)) {
                throw new IllegalStateException("no writer for " + format + " and image type " + img.getType());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bos.toByteArray();
    }

    /** A JPEG (JDK writer, quality 0.95, baseline, JFIF APP0). */
    static byte[] jpeg(BufferedImage img) {
        return writeJpeg(new IIOImage(img, null, null));
    }

    private static byte[] writeJpeg(IIOImage image) {
        ImageWriter writer = jdkJpegWriter();
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (ImageOutputStream out = ImageIO.createImageOutputStream(bos)) {
            writer.setOutput(out);
            ImageWriteParam p = writer.getDefaultWriteParam();
            p.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            p.setCompressionQuality(0.95f);
            writer.write(null, image, p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            writer.dispose();
        }
        return bos.toByteArray();
    }

    private static ImageWriter jdkJpegWriter() {
        for (Iterator<ImageWriter> it = ImageIO.getImageWritersByFormatName("jpeg"); it.hasNext(); ) {
            ImageWriter w = it.next();
            if (w.getClass().getName().startsWith("com.sun.")) {
                return w;
            }
        }
        throw new IllegalStateException("JDK JPEG writer not found");
    }

    /** Decodes with the JDK's own reader (not TwelveMonkeys): an independent reference decoder. */
    static BufferedImage jdkRead(byte[] bytes, String format) {
        for (Iterator<ImageReader> it = ImageIO.getImageReadersByFormatName(format); it.hasNext(); ) {
            ImageReader r = it.next();
            if (!r.getClass().getName().startsWith("com.sun.")) {
                continue;
            }
            try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
                r.setInput(in, true, true);
                return r.read(0);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } finally {
                r.dispose();
            }
        }
        throw new IllegalStateException("JDK " + format + " reader not found");
    }

    /** A TIFF block (big-endian) with one IFD0 entry: Orientation (0x0112, SHORT) = value. */
    static byte[] exifTiff(int orientation) {
        ByteBuffer b = ByteBuffer.allocate(8 + 2 + 12 + 4); // big-endian by default
        b.put((byte) 'M').put((byte) 'M').putShort((short) 42).putInt(8);
        b.putShort((short) 1);
        b.putShort((short) 0x0112)
                .putShort((short) 3)
                .putInt(1)
                .putShort((short) orientation)
                .putShort((short) 0);
        b.putInt(0);
        return b.array();
    }

    /** Inserts an APP1 "Exif" segment with the given orientation right after the JFIF APP0 segment. */
    static byte[] withExifOrientation(byte[] jpeg, int orientation) {
        byte[] tiff = exifTiff(orientation);
        byte[] payload = concat("Exif\0\0".getBytes(StandardCharsets.ISO_8859_1), tiff);
        byte[] segment = concat(
                new byte[] {(byte) 0xFF, (byte) 0xE1, (byte) ((payload.length + 2) >> 8), (byte) (payload.length + 2)},
                payload);
        int at = 2;
        if ((jpeg[2] & 0xFF) == 0xFF && (jpeg[3] & 0xFF) == 0xE0) {
            at = 4 + (((jpeg[4] & 0xFF) << 8) | (jpeg[5] & 0xFF));
        }
        return insert(jpeg, at, segment);
    }

    /** Inserts an APP2 "ICC_PROFILE" segment (one chunk, under 64 KiB) right after the JFIF APP0 segment. */
    static byte[] withIccProfile(byte[] jpeg, byte[] profile) {
        byte[] header = "ICC_PROFILE\0".getBytes(StandardCharsets.ISO_8859_1);
        int len = 2 + header.length + 2 + profile.length;
        byte[] segment = concat(
                new byte[] {(byte) 0xFF, (byte) 0xE2, (byte) (len >> 8), (byte) len},
                header,
                new byte[] {1, 1},
                profile);
        int at = 4 + (((jpeg[4] & 0xFF) << 8) | (jpeg[5] & 0xFF));
        return insert(jpeg, at, segment);
    }

    /** Inserts an Adobe APP14 segment (transform 0: CMYK, 2: YCCK) right after SOI. */
    static byte[] withAdobeMarker(byte[] jpeg, int transform) {
        byte[] app14 = {(byte) 0xFF, (byte) 0xEE, 0, 14, 'A', 'd', 'o', 'b', 'e', 0, 100, 0, 0, 0, 0, (byte) transform};
        return insert(jpeg, 2, app14);
    }

    /**
     * An Adobe-style 4-channel JPEG of two halves: left ink {@code leftInk} (C, M, Y, K in 0..255), right no
     * ink (white). Stored inverted as Photoshop does; {@code ycck} stores YCbCr of the CMY inks plus inverted K.
     */
    static byte[] cmykJpeg(int w, int h, int[] leftInk, boolean ycck) {
        WritableRaster r = Raster.createInterleavedRaster(DataBuffer.TYPE_BYTE, w, h, 4, null);
        int[] px = new int[4];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int[] ink = x < w / 2 ? leftInk : new int[4];
                if (ycck) {
                    double c = ink[0];
                    double m = ink[1];
                    double yy = ink[2];
                    px[0] = clamp(0.299 * c + 0.587 * m + 0.114 * yy);
                    px[1] = clamp(128 - 0.168736 * c - 0.331264 * m + 0.5 * yy);
                    px[2] = clamp(128 + 0.5 * c - 0.418688 * m - 0.081312 * yy);
                } else {
                    px[0] = 255 - ink[0];
                    px[1] = 255 - ink[1];
                    px[2] = 255 - ink[2];
                }
                px[3] = 255 - ink[3];
                r.setPixel(x, y, px);
            }
        }
        return withAdobeMarker(writeJpeg(new IIOImage(r, null, null)), ycck ? 2 : 0);
    }

    private static int clamp(double v) {
        return (int) Math.max(0, Math.min(255, Math.round(v)));
    }

    /** Inserts an eXIf chunk with the given orientation right after IHDR. */
    static byte[] withPngExif(byte[] png, int orientation) {
        return insert(png, 8 + 25, pngChunk("eXIf", exifTiff(orientation)));
    }

    /** One PNG chunk: length, type, data, CRC-32 of type and data. */
    static byte[] pngChunk(String type, byte[] data) {
        byte[] t = type.getBytes(StandardCharsets.ISO_8859_1);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        return ByteBuffer.allocate(12 + data.length)
                .putInt(data.length)
                .put(t)
                .put(data)
                .putInt((int) crc.getValue())
                .array();
    }

    /** A PNG whose IHDR claims {@code w × h} 8-bit RGB but whose IDAT holds only a few bytes. */
    static byte[] pngClaiming(int w, int h) {
        byte[] ihdr = ByteBuffer.allocate(13)
                .putInt(w)
                .putInt(h)
                .put((byte) 8)
                .put((byte) 2)
                .put((byte) 0)
                .put((byte) 0)
                .put((byte) 0)
                .array();
        byte[] idat = {0x78, (byte) 0x9C, 0x63, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01}; // zlib of one zero byte
        return concat(
                new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'},
                pngChunk("IHDR", ihdr),
                pngChunk("IDAT", idat),
                pngChunk("IEND", new byte[0]));
    }

    static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    static byte[] insert(byte[] data, int at, byte[] extra) {
        byte[] out = new byte[data.length + extra.length];
        System.arraycopy(data, 0, out, 0, at);
        System.arraycopy(extra, 0, out, at, extra.length);
        System.arraycopy(data, at, out, at + extra.length, data.length - at);
        return out;
    }

    /** The channel means of a [3,H,W] float array. */
    static double[] channelMeans(float[] chw) {
        int plane = chw.length / 3;
        double[] m = new double[3];
        for (int c = 0; c < 3; c++) {
            double s = 0;
            for (int i = 0; i < plane; i++) {
                s += chw[c * plane + i];
            }
            m[c] = s / plane;
        }
        return m;
    }
}
