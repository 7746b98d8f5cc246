package dev.arbooth.train.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * What makes two fits the same fit (so that one may resume the other's checkpoint): the base's fingerprint, every
 * option (seed included), the class word and the fingerprints of the prepared images, in order.
 *
 * @param base the base's fingerprint text
 * @param options the options' canonical text ({@code FitOptions.toString()}: a record's components in order)
 * @param classWord the class word
 * @param images per image, {@code sha256:} of its prepared float32 {@code [3, H, W]} bytes
 */
public record FitIdentity(String base, String options, String classWord, List<String> images) {
    /**
     * Validates and copies.
     *
     * @param base not null
     * @param options not null
     * @param classWord not null
     * @param images not null
     */
    public FitIdentity {
        Objects.requireNonNull(base, "base");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(classWord, "classWord");
        images = List.copyOf(images);
    }

    /**
     * One digest of all parts.
     *
     * @return {@code sha256:} and 64 hex digits
     */
    public String digest() {
        MessageDigest md = sha256();
        for (String s : parts()) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            md.update((byte) (b.length >>> 24));
            md.update((byte) (b.length >>> 16));
            md.update((byte) (b.length >>> 8));
            md.update((byte) b.length);
            md.update(b);
        }
        return "sha256:" + HexFormat.of().formatHex(md.digest());
    }

    private List<String> parts() {
        List<String> p = new ArrayList<>(List.of("arbooth-fit/1", base, options, classWord));
        p.addAll(images);
        return p;
    }

    /**
     * What differs from another fit, in words.
     *
     * @param other the other fit
     * @return the differing parts (empty if the fits are the same)
     */
    public List<String> differences(FitIdentity other) {
        List<String> out = new ArrayList<>();
        if (!base.equals(other.base)) {
            out.add("the base (" + other.base + " there, " + base + " here)");
        }
        if (!options.equals(other.options)) {
            out.add("the options (there: " + other.options + "; here: " + options + ")");
        }
        if (!classWord.equals(other.classWord)) {
            out.add("the class word ('" + other.classWord + "' there, '" + classWord + "' here)");
        }
        if (!images.equals(other.images)) {
            out.add("the images (" + other.images.size() + " there, " + images.size() + " here; fingerprints "
                    + other.images + " there, " + images + " here)");
        }
        return out;
    }

    /**
     * The SHA-256 of bytes, as {@code sha256:} text.
     *
     * @param bytes the bytes
     * @return the fingerprint
     */
    public static String sha256(byte[] bytes) {
        return "sha256:" + HexFormat.of().formatHex(sha256().digest(bytes));
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
