package dev.arbooth.internal.sampling;

import dev.arbooth.config.Scale;

/**
 * Turns the summed codes of a finished generation into images: the VAE decoder, implemented by an engine.
 */
@FunctionalInterface
public interface CodeDecoder {
    /**
     * Decodes summed codes.
     *
     * @param summedCodes_BdHW the code sum {@code (B, d, H, W)} row-major at the final scale
     * @param batch B
     * @param d bits (channels) per code
     * @param grid the final scale {@code H × W}
     * @return the images {@code (B, 3, H', W')} row-major in {@code [-1, 1]}
     */
    float[] decode(float[] summedCodes_BdHW, int batch, int d, Scale grid);
}
