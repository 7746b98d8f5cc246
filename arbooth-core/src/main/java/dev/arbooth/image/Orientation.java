package dev.arbooth.image;

import com.drew.imaging.ImageProcessingException;
import com.drew.imaging.jpeg.JpegMetadataReader;
import com.drew.lang.ByteArrayReader;
import com.drew.metadata.Metadata;
import com.drew.metadata.exif.ExifDirectoryBase;
import com.drew.metadata.exif.ExifIFD0Directory;
import com.drew.metadata.exif.ExifReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The EXIF orientation (tag 0x0112): how the stored pixels must be transformed for display. Values 5 to 8
 * transpose the image (the displayed width is the stored height).
 */
enum Orientation {
    /** 1: as stored. */
    NORMAL(false, false, false),
    /** 2: mirrored left-right. */
    MIRROR_HORIZONTAL(false, true, false),
    /** 3: rotated 180°. */
    ROTATE_180(false, true, true),
    /** 4: mirrored top-bottom. */
    MIRROR_VERTICAL(false, false, true),
    /** 5: transposed (mirrored along the main diagonal). */
    TRANSPOSE(true, false, false),
    /** 6: rotated 90° clockwise for display. */
    ROTATE_90_CW(true, false, true),
    /** 7: transversed (mirrored along the anti-diagonal). */
    TRANSVERSE(true, true, true),
    /** 8: rotated 90° counter-clockwise (270° clockwise) for display. */
    ROTATE_90_CCW(true, true, false);

    private static final Logger LOG = LoggerFactory.getLogger(Orientation.class);

    private final boolean transposes;
    private final boolean flipsStoredX;
    private final boolean flipsStoredY;

    /**
     * @param transposes whether the stored x axis is displayed vertically
     * @param flipsStoredX whether the stored x axis runs backwards along the displayed axis it maps to
     * @param flipsStoredY whether the stored y axis runs backwards along the displayed axis it maps to
     */
    Orientation(boolean transposes, boolean flipsStoredX, boolean flipsStoredY) {
        this.transposes = transposes;
        this.flipsStoredX = flipsStoredX;
        this.flipsStoredY = flipsStoredY;
    }

    /**
     * Whether the stored columns run backwards on display.
     *
     * @return true when stored x = (its displayed axis' length - 1 - displayed coordinate)
     */
    boolean flipsStoredX() {
        return flipsStoredX;
    }

    /**
     * Whether the stored rows run backwards on display.
     *
     * @return true when stored y = (its displayed axis' length - 1 - displayed coordinate)
     */
    boolean flipsStoredY() {
        return flipsStoredY;
    }

    /**
     * Whether display swaps the axes.
     *
     * @return true for EXIF values 5 to 8
     */
    boolean transposes() {
        return transposes;
    }

    /**
     * The orientation of an EXIF tag value.
     *
     * @param exifValue 1 to 8
     * @return the orientation
     */
    static Orientation ofExif(int exifValue) {
        if (exifValue < 1 || exifValue > 8) {
            throw new IllegalArgumentException("EXIF orientation must be 1..8, got " + exifValue);
        }
        return values()[exifValue - 1];
    }

    /**
     * Reads the orientation from a JPEG's APP1 Exif segment or a PNG's eXIf chunk (with metadata-extractor).
     * A missing tag means {@link #NORMAL}; an unreadable Exif block or an out-of-range value is logged and
     * treated as {@link #NORMAL}, since the pixels themselves are fine.
     *
     * @param bytes the whole file
     * @param format its format
     * @param name the file's name, for the log
     * @return the orientation
     */
    static Orientation read(byte[] bytes, ImageFormat format, String name) {
        Metadata metadata;
        try {
            if (format == ImageFormat.JPEG) {
                // APP1 segments only; each JPEG segment is at most 64 KiB
                metadata = JpegMetadataReader.readMetadata(new ByteArrayInputStream(bytes), List.of(new ExifReader()));
            } else {
                // Only the eXIf chunk is read: text chunks (zTXt, iTXt) are never inflated, so a few kilobytes
                // of compressed text cannot claim gigabytes of heap (metadata-extractor's PngMetadataReader
                // inflates every one of them).
                byte[] exif = pngExif(bytes);
                if (exif == null) {
                    return NORMAL;
                }
                metadata = new Metadata();
                new ExifReader().extract(new ByteArrayReader(exif), metadata);
            }
        } catch (ImageProcessingException | IOException | RuntimeException e) {
            LOG.warn("{}: unreadable EXIF metadata ({}); assuming orientation 1 (as stored)", name, e.toString());
            return NORMAL;
        }
        for (ExifIFD0Directory dir : metadata.getDirectoriesOfType(ExifIFD0Directory.class)) {
            Integer value = dir.getInteger(ExifDirectoryBase.TAG_ORIENTATION);
            if (value != null) {
                if (value < 1 || value > 8) {
                    LOG.warn("{}: invalid EXIF orientation {}; assuming 1 (as stored)", name, value);
                    return NORMAL;
                }
                return ofExif(value);
            }
        }
        return NORMAL;
    }

    /**
     * The payload of a PNG's {@code eXIf} chunk, found by walking the chunk headers (lengths checked against
     * the file, no chunk inflated or copied but that one).
     *
     * @param png the whole file, starting with the 8-byte PNG signature
     * @return the Exif (TIFF) bytes, or {@code null} if there is no complete {@code eXIf} chunk before
     *     {@code IEND}
     */
    static byte[] pngExif(byte[] png) {
        long pos = 8; // after the signature
        while (pos <= png.length - 12L) {
            long length = readU32(png, (int) pos);
            int type = (int) readU32(png, (int) pos + 4);
            if (length > png.length - pos - 12) {
                return null; // truncated: the decoder reports it
            }
            if (type == EXIF_CHUNK) {
                return java.util.Arrays.copyOfRange(png, (int) pos + 8, (int) (pos + 8 + length));
            }
            if (type == IEND_CHUNK) {
                return null;
            }
            pos += 12 + length;
        }
        return null;
    }

    private static final int EXIF_CHUNK = 0x65584966; // "eXIf"
    private static final int IEND_CHUNK = 0x49454e44; // "IEND"

    private static long readU32(byte[] b, int at) {
        return ((b[at] & 0xFFL) << 24) | ((b[at + 1] & 0xFFL) << 16) | ((b[at + 2] & 0xFFL) << 8) | (b[at + 3] & 0xFFL);
    }

    /**
     * Applies this orientation to planar channels.
     *
     * @param stored_CHW {@code channels} planes of {@code h × w}, as stored
     * @param channels the number of planes
     * @param h stored rows
     * @param w stored columns
     * @return the displayed planes: {@code h × w}, or {@code w × h} when {@link #transposes()}
     */
    float[] apply(float[] stored_CHW, int channels, int h, int w) {
        if (this == NORMAL) {
            return stored_CHW;
        }
        int dh = transposes ? w : h;
        int dw = transposes ? h : w;
        int plane = h * w;
        float[] out = new float[stored_CHW.length];
        for (int c = 0; c < channels; c++) {
            int base = c * plane;
            for (int y = 0; y < dh; y++) {
                int row = base + y * dw;
                for (int x = 0; x < dw; x++) {
                    // displayed (x, y) is stored (sx, sy)
                    int sx;
                    int sy;
                    switch (this) {
                        case MIRROR_HORIZONTAL -> {
                            sx = w - 1 - x;
                            sy = y;
                        }
                        case ROTATE_180 -> {
                            sx = w - 1 - x;
                            sy = h - 1 - y;
                        }
                        case MIRROR_VERTICAL -> {
                            sx = x;
                            sy = h - 1 - y;
                        }
                        case TRANSPOSE -> {
                            sx = y;
                            sy = x;
                        }
                        case ROTATE_90_CW -> {
                            sx = y;
                            sy = h - 1 - x;
                        }
                        case TRANSVERSE -> {
                            sx = w - 1 - y;
                            sy = h - 1 - x;
                        }
                        case ROTATE_90_CCW -> {
                            sx = w - 1 - y;
                            sy = x;
                        }
                        default -> throw new AssertionError(this);
                    }
                    out[row + x] = stored_CHW[base + sy * w + sx];
                }
            }
        }
        return out;
    }
}
