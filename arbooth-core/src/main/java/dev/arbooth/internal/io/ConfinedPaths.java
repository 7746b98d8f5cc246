package dev.arbooth.internal.io;

import dev.arbooth.FormatException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Resolves paths that a file names (a base descriptor's checkpoints and tokenizer) so that they cannot leave
 * the directory the file describes: the path must be relative, must stay inside the directory once
 * normalized ({@code ..} cannot climb out), and must still be inside it once every symbolic link is resolved
 * (the directory's own real path included, so a base directory reached through a link works). The target
 * must be a regular file. Messages name the describing file and the path as written there, escaped and
 * truncated; they never show the content of the file the path leads to.
 */
public final class ConfinedPaths {
    private static final int MAX_SHOWN = 120;

    private ConfinedPaths() {}

    /**
     * Resolves a relative path written in {@code descriptor} against {@code directory}.
     *
     * @param descriptor the file the path was read from (named in messages)
     * @param directory the directory the path must stay in
     * @param relative the path as written in the descriptor
     * @param what what the path is, for messages (e.g. {@code "the referenced file"})
     * @return {@code directory.resolve(relative).normalize()}, whose real path lies inside the directory's
     * @throws FormatException naming the descriptor if the path is empty, invalid, absolute, leaves the
     *     directory (lexically or through a symbolic link), does not exist or is not a regular file
     */
    public static Path resolve(Path descriptor, Path directory, String relative, String what) {
        if (relative == null || relative.isEmpty()) {
            throw new FormatException(descriptor, what + " has an empty path");
        }
        String shown = show(relative);
        Path rel;
        try {
            rel = directory.getFileSystem().getPath(relative);
        } catch (InvalidPathException e) {
            throw new FormatException(descriptor, what + " '" + shown + "' is not a valid path");
        }
        if (rel.isAbsolute() || rel.getRoot() != null) {
            throw new FormatException(
                    descriptor,
                    what + " '" + shown + "' is an absolute path; a base model may only name files inside its"
                            + " own directory, by a relative path");
        }
        Path dir = directory.toAbsolutePath().normalize();
        Path lexical = dir.resolve(rel).normalize();
        if (!lexical.startsWith(dir) || lexical.equals(dir)) {
            throw new FormatException(
                    descriptor,
                    what + " '" + shown + "' leaves the base-model directory; a base model may only name files"
                            + " inside its own directory");
        }
        Path realDir;
        Path real;
        try {
            realDir = dir.toRealPath();
        } catch (IOException e) {
            throw new FormatException(descriptor, "cannot resolve the base-model directory " + dir, e);
        }
        try {
            real = lexical.toRealPath();
        } catch (NoSuchFileException e) {
            throw new FormatException(
                    descriptor,
                    what + " '" + shown + "', which does not exist (" + lexical
                            + "; or a symbolic link on the way is broken)");
        } catch (IOException e) {
            throw new FormatException(descriptor, what + " '" + shown + "' cannot be resolved (" + lexical + ")");
        }
        if (!real.startsWith(realDir)) {
            throw new FormatException(
                    descriptor,
                    what + " '" + shown + "' is or passes through a symbolic link that leads outside the"
                            + " base-model directory; a base model may only reach files inside its own directory");
        }
        if (!Files.isRegularFile(real)) {
            throw new FormatException(descriptor, what + " '" + shown + "' is not a regular file (" + lexical + ")");
        }
        return lexical;
    }

    /**
     * Checks that a file inside a directory, once symbolic links are resolved, is still inside it (the
     * descriptor itself may be a link within the directory, but not one leading out).
     *
     * @param file a file directly named inside {@code directory}
     * @param directory the directory
     * @throws FormatException naming the file if its real path lies outside the directory's
     */
    public static void requireInside(Path file, Path directory) {
        Path real;
        Path realDir;
        try {
            real = file.toRealPath();
            realDir = directory.toRealPath();
        } catch (IOException e) {
            return; // a missing file is reported by the reader that opens it
        }
        if (!real.startsWith(realDir)) {
            throw new FormatException(
                    file,
                    "is a symbolic link that leads outside its directory " + directory
                            + "; a base model may only reach files inside its own directory");
        }
    }

    /** The path as written, control characters escaped, at most about {@value #MAX_SHOWN} characters. */
    private static String show(String s) {
        StringBuilder sb = new StringBuilder();
        int i = 0;
        for (; i < s.length() && i < MAX_SHOWN; i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7F) {
                sb.append(String.format("\\x%02x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return i < s.length() ? sb.append("...").toString() : sb.toString();
    }
}
