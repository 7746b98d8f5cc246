package dev.arbooth.toyworld.internal;

import dev.arbooth.toyworld.Pattern;

/**
 * A body's pattern in local object units, anchored at the body's top-left corner so that it sits at the
 * same place on the same object in every pose. Feature sizes are fixed in local units (a stripe is about
 * 3.5 pixels wide at 64×64 and scale 0.32): broad, never a fine texture.
 */
final class PatternPaint implements Paint {
    static final double STRIPE_PERIOD = 0.38;
    static final double STRIPE_WIDTH = 0.13;
    static final double SPOT_GRID = 0.38;
    static final double SPOT_RADIUS = 0.11;
    static final double CHECK = 0.28;

    private final Pattern pattern;
    private final int primary;
    private final int secondary;
    private final double ox;
    private final double oy;
    private final double w;
    private final double h;

    private PatternPaint(Pattern pattern, int primary, int secondary, double ox, double oy, double w, double h) {
        this.pattern = pattern;
        this.primary = primary;
        this.secondary = secondary;
        this.ox = ox;
        this.oy = oy;
        this.w = w;
        this.h = h;
    }

    /** The paint for a body whose bounding box is {@code s}'s. */
    static Paint of(Pattern pattern, int primary, int secondary, Shape s) {
        if (pattern == Pattern.PLAIN) {
            return Paint.solid(primary);
        }
        return new PatternPaint(pattern, primary, secondary, s.x0, s.y0, s.x1 - s.x0, s.y1 - s.y0);
    }

    @Override
    public int at(double x, double y, double px) {
        double lx = x - ox;
        double ly = y - oy;
        double d; // signed distance to the secondary region, negative inside
        switch (pattern) {
            case STRIPES: {
                double f = lx - STRIPE_PERIOD * Math.floor(lx / STRIPE_PERIOD);
                d = Math.abs(f - STRIPE_PERIOD / 2) - STRIPE_WIDTH / 2;
                break;
            }
            case SPOTS: {
                d = Double.POSITIVE_INFINITY;
                int row = (int) Math.floor(ly / SPOT_GRID);
                for (int r = row - 1; r <= row + 1; r++) {
                    double shift = (r & 1) == 0 ? 0.25 * SPOT_GRID : 0.75 * SPOT_GRID;
                    double cy = (r + 0.5) * SPOT_GRID;
                    int col = (int) Math.floor((lx - shift) / SPOT_GRID);
                    for (int q = col; q <= col + 1; q++) {
                        double cx = q * SPOT_GRID + shift;
                        double dx = lx - cx;
                        double dy = ly - cy;
                        d = Math.min(d, Math.sqrt(dx * dx + dy * dy) - SPOT_RADIUS);
                    }
                }
                break;
            }
            case CHECKS: {
                double fx = lx / CHECK;
                double fy = ly / CHECK;
                double cx = Math.floor(fx);
                double cy = Math.floor(fy);
                boolean odd = (((long) cx + (long) cy) & 1L) == 1L;
                // a square of 0.76 of the cell in every other cell: about 29 % of the body
                double ex = Math.abs(fx - cx - 0.5) * CHECK;
                double ey = Math.abs(fy - cy - 0.5) * CHECK;
                d = odd ? Math.max(ex, ey) - 0.38 * CHECK : Double.POSITIVE_INFINITY;
                break;
            }
            case PATCHES: {
                // two blobs, about a third of an elliptic body
                double a = ellipseD(lx, ly, 0.34 * w, 0.38 * h, 0.2 * w, 0.26 * h);
                double b = ellipseD(lx, ly, 0.7 * w, 0.66 * h, 0.14 * w, 0.2 * h);
                d = Math.min(a, b);
                break;
            }
            default:
                return primary;
        }
        double cov = 0.5 - d / px;
        return cov <= 0 ? primary : (cov >= 1 ? secondary : Rgb.mix(primary, secondary, cov));
    }

    private static double ellipseD(double x, double y, double cx, double cy, double rx, double ry) {
        double px = (x - cx) / rx;
        double py = (y - cy) / ry;
        double k0 = Math.sqrt(px * px + py * py);
        double qx = px / rx;
        double qy = py / ry;
        double k1 = Math.sqrt(qx * qx + qy * qy);
        return k1 == 0 ? -Math.min(rx, ry) : k0 * (k0 - 1) / k1;
    }
}
