package dev.arbooth.internal.io;

import dev.arbooth.FormatException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A read-only file mapped into memory: whole (and its channel closed at once) when it is at most 2 GiB,
 * otherwise through its open channel, range by range on demand.
 *
 * <p>The callers (the safetensors and zip readers) name their own error messages; bounds are theirs to
 * check before {@link #read} and {@link #slice}.
 */
public final class MappedFile implements AutoCloseable {
    private final Path file;
    private final long size;
    private final MappedByteBuffer whole; // null when the file is mapped range by range
    private final FileChannel channel; // open only when whole == null
    private volatile boolean closed;

    private MappedFile(Path file, long size, MappedByteBuffer whole, FileChannel channel) {
        this.file = file;
        this.size = size;
        this.whole = whole;
        this.channel = channel;
    }

    /**
     * Opens a file and maps it whole if it is at most 2 GiB.
     *
     * @param file the file
     * @param missing the message when the file does not exist
     * @param cannotOpen the message prefix, before {@code ": "} and the cause, when it cannot be opened
     * @param cannotRead the message prefix, before {@code ": "} and the cause, when its size or mapping fails
     * @return the open file; close it to release the channel of files above 2 GiB
     * @throws FormatException with one of those messages
     */
    public static MappedFile open(Path file, String missing, String cannotOpen, String cannotRead) {
        return open(file, missing, cannotOpen, cannotRead, Integer.MAX_VALUE);
    }

    /** As {@link #open(Path, String, String, String)}, mapping whole only files up to {@code wholeLimit}. */
    static MappedFile open(Path file, String missing, String cannotOpen, String cannotRead, long wholeLimit) {
        FileChannel ch;
        try {
            ch = FileChannel.open(file, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new FormatException(file, missing);
        } catch (IOException e) {
            throw new FormatException(file, cannotOpen + ": " + e.getMessage(), e);
        }
        boolean keepChannel = false;
        try {
            long size = ch.size();
            MappedByteBuffer whole = null;
            if (size <= wholeLimit) {
                whole = ch.map(FileChannel.MapMode.READ_ONLY, 0, size);
            } else {
                keepChannel = true;
            }
            return new MappedFile(file, size, whole, keepChannel ? ch : null);
        } catch (IOException e) {
            throw new FormatException(file, cannotRead + ": " + e.getMessage(), e);
        } finally {
            if (!keepChannel) {
                try {
                    ch.close();
                } catch (IOException ignored) {
                    // the mapping stays valid after the channel is closed
                }
            }
        }
    }

    /**
     * The file.
     *
     * @return the path
     */
    public Path file() {
        return file;
    }

    /**
     * The file's size.
     *
     * @return the size in bytes when it was opened
     */
    public long size() {
        return size;
    }

    /**
     * Bytes of the file as a little-endian buffer: a view of the mapping, or a heap copy read through the
     * channel for files above 2 GiB (for small reads, where a mapping per call would cost more).
     *
     * @param offset the first byte; the caller checks {@code [offset, offset + length)} lies in the file
     * @param length the number of bytes
     * @return a buffer of exactly {@code length} bytes at position 0
     * @throws IOException if reading through the channel fails or meets the end of the file
     */
    public ByteBuffer read(long offset, int length) throws IOException {
        if (whole != null) {
            return view(offset, length).order(ByteOrder.LITTLE_ENDIAN);
        }
        ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        readFully(channel, b, offset);
        return b.flip();
    }

    /**
     * Fills a buffer from a channel at a position, however many reads that takes.
     *
     * @param ch the channel
     * @param buf filled from its position to its limit
     * @param position the file position of the first byte
     * @throws IOException if a read fails or the end of the file comes first ({@code unexpected end of file})
     */
    public static void readFully(FileChannel ch, ByteBuffer buf, long position) throws IOException {
        long pos = position;
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos);
            if (n < 0) {
                throw new IOException("unexpected end of file");
            }
            pos += n;
        }
    }

    /**
     * Bytes of the file without a copy: a view of the whole mapping, or a mapping of just this range for
     * files above 2 GiB. The buffer has the default (big-endian) order; set the order you read in.
     *
     * @param offset the first byte; the caller checks {@code [offset, offset + length)} lies in the file
     * @param length the number of bytes, below 2 GiB
     * @return a read-only buffer of exactly {@code length} bytes at position 0
     * @throws IOException if mapping the range fails
     */
    public ByteBuffer slice(long offset, long length) throws IOException {
        if (whole != null) {
            return view(offset, length);
        }
        return channel.map(FileChannel.MapMode.READ_ONLY, offset, length);
    }

    private ByteBuffer view(long offset, long length) {
        return whole.duplicate()
                .position((int) offset)
                .limit((int) (offset + length))
                .slice();
    }

    /**
     * Throws if {@link #close()} was called.
     *
     * @throws IllegalStateException naming the file if it is closed
     */
    public void checkOpen() {
        if (closed) {
            throw new IllegalStateException(file + " is closed");
        }
    }

    /** Closes the file. Idempotent; buffers obtained earlier stay readable. */
    @Override
    public void close() {
        closed = true;
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // nothing useful to do
            }
        }
    }
}
