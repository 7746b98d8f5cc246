package dev.arbooth.image;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decodes JPEG and PNG bytes with ImageIO (TwelveMonkeys' JPEG reader where installed: CMYK, YCCK and Adobe
 * JPEGs), checking the header's size against the limits before any pixel is decoded, and refusing truncated
 * or corrupt data instead of returning a partly grey image.
 */
final class Decoder {
    private static final Logger LOG = LoggerFactory.getLogger(Decoder.class);

    private Decoder() {}

    /** Registers ImageIO plugins visible to the context class loader (TwelveMonkeys), once. */
    private static final class Plugins {
        static {
            ImageIO.scanForPlugins();
        }

        static void ensure() {
            // class initialisation does the work
        }
    }

    /** The stored size of an image, from its header. */
    record Header(int width, int height) {}

    /**
     * Decodes the first image.
     *
     * @param bytes the whole file
     * @param format the sniffed format
     * @param source the image's origin, for messages
     * @param options the size limits
     * @return the decoded image, as stored (orientation not applied)
     * @throws dev.arbooth.InvalidImageException if the image is too small, too large, truncated or corrupt
     */
    static BufferedImage decode(byte[] bytes, ImageFormat format, ImageSource source, ImageOptions options) {
        Plugins.ensure();
        ImageReader reader = reader(format, source);
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
            reader.setInput(in, true, true);
            Header header = header(reader, format, source);
            checkLimits(header, source, options);
            List<String> warnings = new ArrayList<>();
            reader.addIIOReadWarningListener((r, warning) -> warnings.add(warning));
            BufferedImage image;
            try {
                image = reader.read(0, reader.getDefaultReadParam());
            } catch (IOException | RuntimeException e) {
                throw source.fail("is truncated or corrupt " + format + " data (" + e.getMessage() + ")", e);
            }
            for (String w : warnings) {
                if (isFatal(w)) {
                    throw source.fail("is truncated or corrupt " + format + " data (" + w + ")");
                }
                LOG.warn("{}: {} decoder warning: {}", source.name(), format, w);
            }
            if (image.getWidth() != header.width() || image.getHeight() != header.height()) {
                throw source.fail("decoded to " + image.getWidth() + "x" + image.getHeight()
                        + " pixels but its header says " + header.width() + "x" + header.height());
            }
            return image;
        } catch (IOException e) {
            throw source.fail("cannot be read as " + format + " (" + e.getMessage() + ")", e);
        } finally {
            reader.dispose();
        }
    }

    private static ImageReader reader(ImageFormat format, ImageSource source) {
        Iterator<ImageReader> readers =
                ImageIO.getImageReadersByFormatName(format == ImageFormat.JPEG ? "jpeg" : "png");
        if (!readers.hasNext()) {
            throw source.fail("is a " + format + " image but no ImageIO reader for " + format + " is installed");
        }
        return readers.next();
    }

    /** Reads the stored size from the header alone (ImageReader.getWidth/getHeight decode no pixels). */
    private static Header header(ImageReader reader, ImageFormat format, ImageSource source) {
        try {
            return new Header(reader.getWidth(0), reader.getHeight(0));
        } catch (IOException | RuntimeException e) {
            throw source.fail("has an unreadable " + format + " header (" + e.getMessage() + ")", e);
        }
    }

    private static void checkLimits(Header header, ImageSource source, ImageOptions options) {
        long pixels = (long) header.width() * header.height();
        if (pixels > options.maxPixels()) {
            throw source.fail("is " + header.width() + "x" + header.height() + " = " + pixels
                    + " pixels, more than the limit of " + options.maxPixels()
                    + " (ImageOptions.maxPixels); refusing to decode a possible decompression bomb");
        }
        int shorter = Math.min(header.width(), header.height());
        if (shorter < options.minSide()) {
            throw source.fail("is " + header.width() + "x" + header.height()
                    + " pixels; its shorter side must be at least " + options.minSide() + " (ImageOptions.minSide)");
        }
    }

    /**
     * Whether a decoder warning means pixels are missing or garbage. libjpeg (inside the JDK and TwelveMonkeys
     * readers) pads a truncated file with grey and only warns; those warnings are fatal here. Extraneous bytes
     * before a marker are harmless and only logged.
     */
    static boolean isFatal(String warning) {
        String w = warning.toLowerCase(Locale.ROOT);
        if (w.contains("extraneous bytes")) {
            return false;
        }
        return w.contains("truncat")
                || w.contains("premature end")
                || w.contains("missing eoi")
                || w.contains("corrupt")
                || w.contains("unexpected end")
                || w.contains("huffman");
    }
}
