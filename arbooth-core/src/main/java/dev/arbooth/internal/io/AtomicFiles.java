package dev.arbooth.internal.io;

import dev.arbooth.ArboothException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;

/**
 * Writes files atomically: into a temporary file beside the target, forced to disk, then moved over it.
 *
 * <p>The result has the permissions a plain write would give it: a new file gets the process's default mode
 * (0666 less the umask, as {@code open(2)} with {@code O_CREAT} gives), a replaced file keeps the mode it had.
 * The temporary file is created the same way (not with {@link Files#createTempFile}, whose 0600 would survive
 * the rename).
 *
 * <p>The temporary file is named {@code .<target name>.<random>.tmp} and locked while it is written.
 * A writer killed before its move leaves it behind; the next write of the same target removes every such
 * file that is stale: older than {@link #STALE_AFTER} and not locked by a live writer (the operating system
 * drops a dead process's locks). Files of any other name are never touched.
 */
public final class AtomicFiles {
    /** How old an unlocked temporary file of a target must be before a later write of the target removes it. */
    public static final Duration STALE_AFTER = Duration.ofMinutes(1);

    private static final String TMP_SUFFIX = ".tmp";

    private AtomicFiles() {}

    /** Writes the content of a file through a channel. */
    @FunctionalInterface
    public interface ChannelWriter {
        /**
         * Writes the whole content.
         *
         * @param channel the temporary file's channel, positioned at 0
         * @throws IOException on write failure
         */
        void write(FileChannel channel) throws IOException;
    }

    /**
     * Writes {@code target} atomically: readers see either the old file or the complete new one, never a
     * partial file; on failure the temporary file is removed and the target is left untouched.
     *
     * @param target the file to create or replace
     * @param writer writes the content
     * @throws ArboothException wrapping any I/O failure, naming the target
     */
    public static void write(Path target, ChannelWriter writer) {
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        Path tmp = null;
        try {
            Files.createDirectories(dir);
            removeStaleTemporaries(abs); // issue 13, item 9: what killed writers of this target left behind
            tmp = createTemporary(dir, abs.getFileName().toString());
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ch.lock(); // tells later writers this temporary is in use; released when the channel closes
                writer.write(ch);
                ch.force(true);
            }
            keepModeOf(abs, tmp);
            try {
                Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
            }
            tmp = null;
        } catch (IOException e) {
            throw new ArboothException("Failed to write " + target + ": " + e.getMessage(), e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // best effort: the temporary file is hidden and named after the target
                }
            }
        }
    }

    /** A new empty file {@code .<name>.<random>.tmp} in {@code dir}, with the process's default mode. */
    private static Path createTemporary(Path dir, String name) throws IOException {
        for (int attempt = 0; ; attempt++) {
            long r = RANDOM.nextLong() & Long.MAX_VALUE;
            Path tmp = dir.resolve("." + name + "." + Long.toUnsignedString(r, 36) + ".tmp");
            try {
                // CREATE_NEW without file attributes: open(2) applies the umask to 0666
                Files.newByteChannel(tmp, StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW)
                        .close();
                return tmp;
            } catch (FileAlreadyExistsException e) {
                if (attempt >= 100) {
                    throw e;
                }
            }
        }
    }

    /** A replaced file keeps its POSIX permissions, as it would when overwritten in place. */
    private static void keepModeOf(Path target, Path tmp) throws IOException {
        if (!Files.getFileStore(tmp).supportsFileAttributeView(PosixFileAttributeView.class)) {
            return;
        }
        try {
            Set<PosixFilePermission> mode = Files.getPosixFilePermissions(target);
            Files.setPosixFilePermissions(tmp, mode);
        } catch (NoSuchFileException e) {
            // a new file: the default mode it was created with is what a plain write gives
        }
    }

    private static final SecureRandom RANDOM = new SecureRandom();

    /**
     * Removes the stale temporary files of a target: named {@code .<name>.<random>.tmp}, last modified more
     * than {@link #STALE_AFTER} ago, and not locked. Best effort: a file that cannot be examined, locked or
     * deleted is left alone.
     *
     * @param target the absolute target path
     * @return how many files were removed
     */
    static int removeStaleTemporaries(Path target) {
        Path dir = target.getParent();
        String prefix = "." + target.getFileName() + ".";
        FileTime before = FileTime.from(Instant.now().minus(STALE_AFTER));
        int removed = 0;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path p : entries) {
                String name = p.getFileName().toString();
                if (!isTemporaryName(name, prefix)) {
                    continue;
                }
                try {
                    if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)
                            || Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS)
                                            .compareTo(before)
                                    > 0) {
                        continue;
                    }
                    try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
                        FileLock lock = ch.tryLock(); // null: a live writer in another process holds it
                        if (lock != null) {
                            Files.delete(p);
                            removed++;
                        }
                    } catch (OverlappingFileLockException e) {
                        // locked by a writer in this JVM: in use
                    }
                } catch (IOException e) {
                    // best effort: leave it
                }
            }
        } catch (IOException e) {
            // best effort: the write itself reports real problems with the directory
        }
        return removed;
    }

    /**
     * Whether {@code name} is {@code prefix + random + ".tmp"} as {@link #createTemporary} names ours (random:
     * base 36, lower case) or as earlier versions did through {@code Files.createTempFile} (decimal digits).
     */
    private static boolean isTemporaryName(String name, String prefix) {
        if (!name.startsWith(prefix) || !name.endsWith(TMP_SUFFIX)) {
            return false;
        }
        String middle = name.substring(prefix.length(), name.length() - TMP_SUFFIX.length());
        if (middle.isEmpty() || middle.length() > 20) {
            return false;
        }
        for (int i = 0; i < middle.length(); i++) {
            char c = middle.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z'))) {
                return false;
            }
        }
        return true;
    }

    /**
     * Writes bytes atomically.
     *
     * @param target the file to create or replace
     * @param bytes the content
     */
    public static void write(Path target, byte[] bytes) {
        write(target, ch -> {
            java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) {
                ch.write(b);
            }
        });
    }
}
