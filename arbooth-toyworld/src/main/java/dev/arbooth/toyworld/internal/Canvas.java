package dev.arbooth.toyworld.internal;

import java.util.Arrays;

/**
 * A square RGB raster with one background and one object layer. Shapes are drawn with analytic
 * antialiasing (coverage from the signed distance at the pixel centre, one sample per pixel), in frame
 * coordinates ([0, 1]², y down) on the background, or in an object's local coordinates (x ∈ [-1, 1] towards
 * the way it faces, y ∈ [-1, 1] down, ground at y = 1) on the object layer. {@link #compositeObject} outlines
 * the object layer's silhouette in dark ink and lays it over the background.
 */
final class Canvas {
    final int n;
    final int[] bg;
    private final int[] ob;
    private final float[] oa;
    private final float[] tmp;

    // layer transform: u = tx + sx·x, v = ty + sy·y
    private double tx;
    private double ty;
    private double sx;
    private double sy;
    private boolean objectLayer;

    Canvas(int n) {
        this.n = n;
        this.bg = new int[n * n];
        this.ob = new int[n * n];
        this.oa = new float[n * n];
        this.tmp = new float[n * n];
        frame();
    }

    /** Draw on the background in frame coordinates. */
    void frame() {
        tx = 0;
        ty = 0;
        sx = 1;
        sy = 1;
        objectLayer = false;
    }

    /** Draw on the object layer in the local coordinates of an object in this pose. */
    void object(boolean mirrored, double centreX, double baseY, double scale) {
        tx = centreX;
        ty = baseY - scale;
        sx = mirrored ? -scale : scale;
        sy = scale;
        objectLayer = true;
    }

    /** Draw on the background, in the local coordinates of an object in this pose (puddles, drops). */
    void aroundObject(boolean mirrored, double centreX, double baseY, double scale) {
        object(mirrored, centreX, baseY, scale);
        objectLayer = false;
    }

    /** Local x of a frame u, in the current transform. */
    double localX(double u) {
        return (u - tx) / sx;
    }

    /** Local y of a frame v, in the current transform. */
    double localY(double v) {
        return (v - ty) / sy;
    }

    void fill(Shape s, int rgb) {
        fill(s, Paint.solid(rgb), 1.0);
    }

    void fill(Shape s, Paint p) {
        fill(s, p, 1.0);
    }

    /** Fills a shape with a paint at opacity {@code alpha}. */
    void fill(Shape s, Paint p, double alpha) {
        double ua = tx + sx * s.x0;
        double ub = tx + sx * s.x1;
        double va = ty + sy * s.y0;
        double vb = ty + sy * s.y1;
        int i0 = Math.max(0, (int) Math.floor(Math.min(ua, ub) * n - 1.5));
        int i1 = Math.min(n - 1, (int) Math.ceil(Math.max(ua, ub) * n + 0.5));
        int j0 = Math.max(0, (int) Math.floor(Math.min(va, vb) * n - 1.5));
        int j1 = Math.min(n - 1, (int) Math.ceil(Math.max(va, vb) * n + 0.5));
        double px = 1.0 / (Math.abs(sx) * n); // local units per pixel
        double ipx = Math.abs(sx) * n;
        boolean solid = p instanceof Paint.Solid;
        int solidRgb = solid ? ((Paint.Solid) p).rgb() : 0;
        double invN = 1.0 / n;
        double isx = 1.0 / sx;
        double isy = 1.0 / sy;
        for (int j = j0; j <= j1; j++) {
            double y = ((j + 0.5) * invN - ty) * isy;
            int row = j * n;
            for (int i = i0; i <= i1; i++) {
                double x = ((i + 0.5) * invN - tx) * isx;
                double cov = 0.5 - s.sd(x, y) * ipx;
                if (cov <= 0) {
                    continue;
                }
                if (cov > 1) {
                    cov = 1;
                }
                cov *= alpha;
                int c = solid ? solidRgb : p.at(x, y, px);
                int k = row + i;
                if (objectLayer) {
                    float a = oa[k];
                    if (a == 0) {
                        ob[k] = c;
                        oa[k] = (float) cov;
                    } else {
                        ob[k] = Rgb.mix(ob[k], c, cov);
                        oa[k] = (float) (a + cov * (1 - a));
                    }
                } else {
                    bg[k] = Rgb.mix(bg[k], c, cov);
                }
            }
        }
    }

    /** Multiplies the background under a shape by {@code factor} (shadows). */
    void darken(Shape s, double factor) {
        boolean saved = objectLayer;
        objectLayer = false;
        double ua = tx + sx * s.x0;
        double ub = tx + sx * s.x1;
        double va = ty + sy * s.y0;
        double vb = ty + sy * s.y1;
        int i0 = Math.max(0, (int) Math.floor(Math.min(ua, ub) * n - 1.5));
        int i1 = Math.min(n - 1, (int) Math.ceil(Math.max(ua, ub) * n + 0.5));
        int j0 = Math.max(0, (int) Math.floor(Math.min(va, vb) * n - 1.5));
        int j1 = Math.min(n - 1, (int) Math.ceil(Math.max(va, vb) * n + 0.5));
        double ipx = Math.abs(sx) * n;
        double invN = 1.0 / n;
        double isx = 1.0 / sx;
        double isy = 1.0 / sy;
        for (int j = j0; j <= j1; j++) {
            double y = ((j + 0.5) * invN - ty) * isy;
            for (int i = i0; i <= i1; i++) {
                double x = ((i + 0.5) * invN - tx) * isx;
                double cov = 0.5 - s.sd(x, y) * ipx;
                if (cov <= 0) {
                    continue;
                }
                int k = j * n + i;
                bg[k] = Rgb.mix(bg[k], Rgb.scale(bg[k], factor), Math.min(cov, 1));
            }
        }
        objectLayer = saved;
    }

    /** Fills rows {@code [v0, v1)} of the background with a vertical gradient from c0 to c1. */
    void gradient(double v0, double v1, int c0, int c1) {
        int j0 = Math.max(0, (int) Math.round(v0 * n));
        int j1 = Math.min(n, (int) Math.round(v1 * n));
        for (int j = j0; j < j1; j++) {
            double t = j1 - j0 <= 1 ? 0 : (double) (j - j0) / (j1 - j0 - 1);
            int c = Rgb.mix(c0, c1, t);
            Arrays.fill(bg, j * n, j * n + n, c);
        }
    }

    /** Paints every background pixel with a per-pixel paint in frame coordinates. */
    void paintAll(Paint p) {
        double px = 1.0 / n;
        for (int j = 0; j < n; j++) {
            double v = (j + 0.5) / n;
            for (int i = 0; i < n; i++) {
                bg[j * n + i] = p.at((i + 0.5) / n, v, px);
            }
        }
    }

    /**
     * Outlines the object layer's silhouette with {@code ink} ({@code radius} pixels: a max filter of the
     * coverage), lays the layer over the background and clears it.
     */
    void compositeObject(int ink, int radius) {
        // separable max filter of the coverage: rows into tmp, then columns in place
        for (int j = 0; j < n; j++) {
            int row = j * n;
            for (int i = 0; i < n; i++) {
                float m = 0;
                int a = Math.max(0, i - radius);
                int b = Math.min(n - 1, i + radius);
                for (int q = a; q <= b; q++) {
                    m = Math.max(m, oa[row + q]);
                }
                tmp[row + i] = m;
            }
        }
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                float m = 0;
                int a = Math.max(0, j - radius);
                int b = Math.min(n - 1, j + radius);
                for (int q = a; q <= b; q++) {
                    m = Math.max(m, tmp[q * n + i]);
                }
                int k = j * n + i;
                if (m > 0) {
                    int c = Rgb.mix(bg[k], ink, m);
                    float a0 = oa[k];
                    bg[k] = a0 > 0 ? Rgb.mix(c, ob[k], a0) : c;
                }
            }
        }
        Arrays.fill(oa, 0f);
    }

    /** Whether the object layer covers the pixel (for tests and statistics, before compositing). */
    float objectCoverage(int i, int j) {
        return oa[j * n + i];
    }
}
