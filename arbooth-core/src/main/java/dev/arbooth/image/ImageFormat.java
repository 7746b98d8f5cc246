package dev.arbooth.image;

import com.drew.imaging.FileType;
import com.drew.imaging.FileTypeDetector;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Locale;

/** The formats {@link ImageLoader} accepts, recognised by their content (never by the file name). */
enum ImageFormat {
    JPEG,
    PNG;

    /** How an unsupported file is described in messages. */
    static final String SUPPORTED = "supported formats are JPEG and PNG";

    /** Result of sniffing: the accepted format, or a description of what the content is instead. */
    record Sniffed(ImageFormat format, String description) {}

    /**
     * Recognises the format from the leading bytes (magic numbers, via metadata-extractor's detector).
     *
     * @param bytes the whole file
     * @return the format, or a null format and a description such as "a GIF image" or "not an image"
     */
    static Sniffed sniff(byte[] bytes) {
        FileType type;
        try {
            type = FileTypeDetector.detectFileType(new ByteArrayInputStream(bytes));
        } catch (IOException e) {
            throw new UncheckedIOException(e); // cannot happen for an in-memory stream
        }
        switch (type) {
            case Jpeg:
                return new Sniffed(JPEG, "a JPEG image");
            case Png:
                return new Sniffed(PNG, "a PNG image");
            case Unknown:
                return new Sniffed(null, "not a JPEG or PNG image (it starts with " + preview(bytes) + ")");
            default:
                return new Sniffed(null, "a " + type.getName() + " file, not a JPEG or PNG image");
        }
    }

    /** The first bytes as hex and, where printable, as text: {@code 68 65 6c 6c 6f "hello"}. */
    private static String preview(byte[] bytes) {
        int n = Math.min(bytes.length, 8);
        StringBuilder hex = new StringBuilder();
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < n; i++) {
            int b = bytes[i] & 0xFF;
            hex.append(String.format(Locale.ROOT, "%02x ", b));
            text.append(b >= 0x20 && b < 0x7F ? (char) b : '.');
        }
        return "bytes " + hex + "\"" + text + "\"";
    }
}
