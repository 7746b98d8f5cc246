package dev.arbooth.testing;

import dev.arbooth.ArboothException;
import dev.arbooth.FormatException;
import dev.arbooth.InvalidImageException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Shared by the fuzz targets of the readers ({@code *FuzzTest}, see {@code docs/security.md}): each input is
 * written to a fresh file (mapped readers never see a file rewritten under them), and every exception must
 * be ours, naming the file.
 */
public final class FuzzSupport {
    private FuzzSupport() {}

    /** What a target does with the file holding one input. */
    @FunctionalInterface
    public interface FileTarget {
        /**
         * Reads the file.
         *
         * @param file the input's file
         */
        void accept(Path file);
    }

    /**
     * Runs a reader on one input: an {@link ArboothException} is the expected way to refuse it (a {@link
     * FormatException} or {@link InvalidImageException} must name the file); anything else escapes and is a
     * finding.
     *
     * @param dir a directory for the input file
     * @param suffix the file name's suffix
     * @param data the input
     * @param target the reader
     */
    public static void read(Path dir, String suffix, byte[] data, FileTarget target) {
        Path file;
        try {
            file = Files.createTempFile(dir, "input", suffix);
            Files.write(file, data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            target.accept(file);
        } catch (FormatException e) { // InvalidImageException included
            if (!e.getMessage().contains(file.getFileName().toString())) {
                throw new AssertionError("a refusal that does not name the file: " + e.getMessage(), e);
            }
        } catch (ArboothException e) {
            // refused: ours, with a message
        } finally {
            try {
                Files.deleteIfExists(file); // a mapping of it stays valid until it is collected
            } catch (IOException ignored) {
                // the temporary directory is removed with the test
            }
        }
    }

    /**
     * Reads every byte of a buffer (so that a bad view fails here, not later).
     *
     * @param b the buffer
     * @return a checksum, to keep the reads
     */
    public static long touch(java.nio.ByteBuffer b) {
        long sum = 0;
        for (int i = b.position(); i < b.limit(); i++) {
            sum += b.get(i);
        }
        return sum;
    }
}
