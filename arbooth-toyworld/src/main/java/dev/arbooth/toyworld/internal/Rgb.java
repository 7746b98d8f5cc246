package dev.arbooth.toyworld.internal;

/** Packed {@code 0xRRGGBB} colour arithmetic, rounded the same way everywhere. */
final class Rgb {
    static final int WHITE = 0xFFFFFF;
    static final int INK = 0x161616;

    private Rgb() {}

    static int r(int c) {
        return (c >>> 16) & 0xFF;
    }

    static int g(int c) {
        return (c >>> 8) & 0xFF;
    }

    static int b(int c) {
        return c & 0xFF;
    }

    static int of(int r, int g, int b) {
        return (clamp(r) << 16) | (clamp(g) << 8) | clamp(b);
    }

    static int clamp(int v) {
        return v < 0 ? 0 : Math.min(v, 255);
    }

    /**
     * {@code a + (b - a)·t} per channel in 8-bit fixed point ({@code t} quantised to 1/256, rounded half
     * up); {@code t} in [0, 1].
     */
    static int mix(int a, int b, double t) {
        if (t <= 0) {
            return a;
        }
        if (t >= 1) {
            return b;
        }
        int w = (int) (t * 256 + 0.5);
        int ra = (a >>> 16) & 0xFF;
        int ga = (a >>> 8) & 0xFF;
        int ba = a & 0xFF;
        int r = ra + ((((b >>> 16) & 0xFF) - ra) * w + 128 >> 8);
        int g = ga + ((((b >>> 8) & 0xFF) - ga) * w + 128 >> 8);
        int bl = ba + (((b & 0xFF) - ba) * w + 128 >> 8);
        return (r << 16) | (g << 8) | bl;
    }

    /** Every channel times {@code f}, clamped. */
    static int scale(int c, double f) {
        return of((int) (r(c) * f + 0.5), (int) (g(c) * f + 0.5), (int) (b(c) * f + 0.5));
    }

    /** A darker shade for shading: towards black by {@code 1 - f}, never below a visible dark grey. */
    static int shade(int c, double f) {
        int s = scale(c, f);
        return luma(s) < 24 ? mix(s, 0x303030, 0.6) : s;
    }

    /** Towards white by {@code t}. */
    static int lighten(int c, double t) {
        return mix(c, WHITE, t);
    }

    /** Rec. 601 luma in [0, 255]. */
    static int luma(int c) {
        return (299 * r(c) + 587 * g(c) + 114 * b(c)) / 1000;
    }
}
