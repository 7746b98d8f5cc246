package dev.arbooth.toyworld;

import dev.arbooth.toyworld.internal.SplitMix64;

/**
 * A stand-in for a small VAE's round trip, used to check that the probes still read degraded images:
 * area down-sampling by {@code factor}, bilinear up-sampling back (blur), a per-image colour shift (one
 * Gaussian offset per channel, σ = {@code colourShift}) and per-pixel colour noise (σ = {@code noise}), in
 * units of the full 8-bit range. Seeded and deterministic.
 *
 * @param factor the down-sampling factor, 1 (no blur) to 16; the image side must be a multiple of it
 * @param noise per-pixel, per-channel Gaussian noise, σ in [0, 1] units, at least 0
 * @param colourShift per-image, per-channel Gaussian offset, σ in [0, 1] units, at least 0
 */
public record Degradation(int factor, double noise, double colourShift) {
    /**
     * Validates the parameters.
     *
     * @param factor the down-sampling factor, 1 to 16
     * @param noise the per-pixel noise σ, at least 0
     * @param colourShift the per-image colour offset σ, at least 0
     * @throws IllegalArgumentException naming the offending value
     */
    public Degradation {
        if (factor < 1 || factor > 16) {
            throw new IllegalArgumentException("Degradation factor must be in [1, 16], got " + factor);
        }
        if (!(noise >= 0) || !(colourShift >= 0)) {
            throw new IllegalArgumentException(
                    "Degradation noise and colourShift must be at least 0, got " + noise + ", " + colourShift);
        }
    }

    /**
     * The degradation the probes are validated under: a 4× down/up-sampling (64×64 keeps 16×16 of detail),
     * noise σ 0.03, colour shift σ 0.03 (about 19 dB PSNR on average, close to the 18 dB the trial's small
     * VAE reached; see {@code docs/toy-world.md}).
     *
     * @return the preset
     */
    public static Degradation vaeLike() {
        return new Degradation(4, 0.03, 0.03);
    }

    /**
     * Degrades an image.
     *
     * @param image the image; its side must be a multiple of {@link #factor}
     * @param seed the noise seed
     * @return the degraded image, same size
     * @throws IllegalArgumentException if the side is not a multiple of the factor
     */
    public ToyImage apply(ToyImage image, long seed) {
        int n = image.size();
        if (n % factor != 0) {
            throw new IllegalArgumentException(
                    "Image side " + n + " is not a multiple of the degradation factor " + factor);
        }
        byte[] src = image.bytes();
        int m = n / factor;
        double[] small = new double[m * m * 3];
        double inv = 1.0 / (factor * factor * 255.0);
        for (int y = 0; y < n; y++) {
            for (int x = 0; x < n; x++) {
                int s = 3 * ((y / factor) * m + x / factor);
                int k = 3 * (y * n + x);
                for (int c = 0; c < 3; c++) {
                    small[s + c] += (src[k + c] & 0xFF) * inv;
                }
            }
        }
        SplitMix64 r = SplitMix64.of(seed, 0x44454752414445L);
        double[] shift = {r.gaussian() * colourShift, r.gaussian() * colourShift, r.gaussian() * colourShift};
        byte[] out = new byte[n * n * 3];
        for (int y = 0; y < n; y++) {
            double sy = Math.min(Math.max((y + 0.5) / factor - 0.5, 0), m - 1);
            int y0 = (int) sy;
            int y1 = Math.min(y0 + 1, m - 1);
            double fy = sy - y0;
            for (int x = 0; x < n; x++) {
                double sx = Math.min(Math.max((x + 0.5) / factor - 0.5, 0), m - 1);
                int x0 = (int) sx;
                int x1 = Math.min(x0 + 1, m - 1);
                double fx = sx - x0;
                for (int c = 0; c < 3; c++) {
                    double a = small[3 * (y0 * m + x0) + c] * (1 - fx) + small[3 * (y0 * m + x1) + c] * fx;
                    double b = small[3 * (y1 * m + x0) + c] * (1 - fx) + small[3 * (y1 * m + x1) + c] * fx;
                    double v = a * (1 - fy) + b * fy + shift[c] + (noise > 0 ? noise(r) * noise : 0);
                    v = Math.min(1, Math.max(0, v));
                    out[3 * (y * n + x) + c] = (byte) Math.round(v * 255);
                }
            }
        }
        return ToyImage.of(n, out);
    }

    /** Zero mean, unit variance: the sum of four uniforms, centred and scaled (Irwin–Hall). */
    private static double noise(SplitMix64 r) {
        return (r.nextDouble() + r.nextDouble() + r.nextDouble() + r.nextDouble() - 2.0) * 1.7320508075688772;
    }
}
