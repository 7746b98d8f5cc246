package dev.arbooth.runtime;

import dev.arbooth.image.PngWriter;
import dev.arbooth.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One generated image with what made it: the prompt, its index among the prompt's images, the seed and,
 * when asked for ({@link dev.arbooth.sampling.SamplingOptions#returnScaleBits()}), the bits sampled at
 * every scale.
 */
public final class GeneratedImage {
    private final String prompt;
    private final int index;
    private final long seed;
    private final Tensor image;
    private final List<long[]> bits;

    GeneratedImage(String prompt, int index, long seed, Tensor image, List<long[]> bits) {
        this.prompt = prompt;
        this.index = index;
        this.seed = seed;
        this.image = Objects.requireNonNull(image, "image");
        this.bits = bits == null ? null : bits.stream().map(long[]::clone).toList();
    }

    /**
     * The prompt (for images sampled from prompt features: {@code "<features i>"}).
     *
     * @return the prompt
     */
    public String prompt() {
        return prompt;
    }

    /**
     * The index of this image among its prompt's images.
     *
     * @return 0 .. imagesPerPrompt-1
     */
    public int index() {
        return index;
    }

    /**
     * The seed of the sampling call.
     *
     * @return the seed
     */
    public long seed() {
        return seed;
    }

    /**
     * The image.
     *
     * @return float32 {@code [3, H, W]} in {@code [-1, 1]}
     */
    public Tensor image() {
        return image;
    }

    /**
     * The bits sampled at every scale, when requested.
     *
     * @return per scale {@code (h_k·w_k·d)} bits in row-major {@code (h, w, d)} order, or empty
     */
    public Optional<List<long[]>> bits() {
        return bits == null
                ? Optional.empty()
                : Optional.of(bits.stream().map(long[]::clone).toList());
    }

    /**
     * The image as 8-bit RGB.
     *
     * @return a new {@code TYPE_INT_RGB} image
     */
    public BufferedImage toBufferedImage() {
        return PngWriter.toBufferedImage(image);
    }

    /**
     * Writes the image as an 8-bit RGB PNG, atomically.
     *
     * @param file the target
     */
    public void writePng(Path file) {
        PngWriter.write(image, file);
    }

    @Override
    public String toString() {
        return "GeneratedImage[" + prompt + " #" + index + ", seed " + seed + ", " + image + "]";
    }
}
