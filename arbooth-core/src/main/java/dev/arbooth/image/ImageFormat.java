package dev.arbooth.image;

import com.drew.imaging.FileType;
import com.drew.imaging.FileTypeDetector;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

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
                return new Sniffed(null, "not a JPEG or PNG image (no known signature at its start)");
            default:
                return new Sniffed(null, "a " + type.getName() + " file, not a JPEG or PNG image");
        }
    }
}
