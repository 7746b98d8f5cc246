package dev.arbooth.toyworld.internal;

/**
 * A filled 2-D shape given by a signed distance ({@code < 0} inside) and a bounding box, in the coordinates
 * of the layer it is drawn on. The distance need only be exact near the edge: it sets the antialiasing.
 */
abstract class Shape {
    final double x0;
    final double y0;
    final double x1;
    final double y1;

    Shape(double x0, double y0, double x1, double y1) {
        this.x0 = x0;
        this.y0 = y0;
        this.x1 = x1;
        this.y1 = y1;
    }

    abstract double sd(double x, double y);

    static Shape circle(double cx, double cy, double r) {
        return new Shape(cx - r, cy - r, cx + r, cy + r) {
            @Override
            double sd(double x, double y) {
                double dx = x - cx;
                double dy = y - cy;
                return Math.sqrt(dx * dx + dy * dy) - r;
            }
        };
    }

    /** An axis-aligned ellipse (first-order distance estimate, exact on the axes). */
    static Shape ellipse(double cx, double cy, double rx, double ry) {
        double irx = 1 / rx;
        double iry = 1 / ry;
        double minR = Math.min(rx, ry);
        return new Shape(cx - rx, cy - ry, cx + rx, cy + ry) {
            @Override
            double sd(double x, double y) {
                double px = (x - cx) * irx;
                double py = (y - cy) * iry;
                double k0 = Math.sqrt(px * px + py * py);
                double qx = px * irx;
                double qy = py * iry;
                double k1 = Math.sqrt(qx * qx + qy * qy);
                return k1 == 0 ? -minR : k0 * (k0 - 1) / k1;
            }
        };
    }

    /** A segment from a to b thickened to radius r (round ends). */
    static Shape capsule(double ax, double ay, double bx, double by, double r) {
        double dx = bx - ax;
        double dy = by - ay;
        double len2 = dx * dx + dy * dy;
        return new Shape(Math.min(ax, bx) - r, Math.min(ay, by) - r, Math.max(ax, bx) + r, Math.max(ay, by) + r) {
            @Override
            double sd(double x, double y) {
                double px = x - ax;
                double py = y - ay;
                double h = len2 == 0 ? 0 : (px * dx + py * dy) / len2;
                h = h < 0 ? 0 : (h > 1 ? 1 : h);
                double ex = px - dx * h;
                double ey = py - dy * h;
                return Math.sqrt(ex * ex + ey * ey) - r;
            }
        };
    }

    /** A box with rounded corners of radius {@code rad} (0 for sharp). */
    static Shape box(double bx0, double by0, double bx1, double by1, double rad) {
        double cx = (bx0 + bx1) / 2;
        double cy = (by0 + by1) / 2;
        double hx = (bx1 - bx0) / 2 - rad;
        double hy = (by1 - by0) / 2 - rad;
        return new Shape(bx0, by0, bx1, by1) {
            @Override
            double sd(double x, double y) {
                double qx = Math.abs(x - cx) - hx;
                double qy = Math.abs(y - cy) - hy;
                double ox = Math.max(qx, 0);
                double oy = Math.max(qy, 0);
                return Math.sqrt(ox * ox + oy * oy) + Math.min(Math.max(qx, qy), 0) - rad;
            }
        };
    }

    /** A simple polygon (even-odd rule), vertices as x0, y0, x1, y1, …. */
    static Shape polygon(double... xy) {
        int n = xy.length / 2;
        double minX = Double.POSITIVE_INFINITY;
        double minY = Double.POSITIVE_INFINITY;
        double maxX = Double.NEGATIVE_INFINITY;
        double maxY = Double.NEGATIVE_INFINITY;
        // per edge i (from vertex i to vertex i-1): start, direction, 1/|e|², dx/dy for the crossing test
        double[] e = new double[6 * n];
        for (int i = 0, j = n - 1; i < n; j = i++) {
            double xi = xy[2 * i];
            double yi = xy[2 * i + 1];
            double ex = xy[2 * j] - xi;
            double ey = xy[2 * j + 1] - yi;
            double len2 = ex * ex + ey * ey;
            e[6 * i] = xi;
            e[6 * i + 1] = yi;
            e[6 * i + 2] = ex;
            e[6 * i + 3] = ey;
            e[6 * i + 4] = len2 == 0 ? 0 : 1 / len2;
            e[6 * i + 5] = ey == 0 ? 0 : ex / ey;
            minX = Math.min(minX, xi);
            maxX = Math.max(maxX, xi);
            minY = Math.min(minY, yi);
            maxY = Math.max(maxY, yi);
        }
        return new Shape(minX, minY, maxX, maxY) {
            @Override
            double sd(double x, double y) {
                double d2 = Double.POSITIVE_INFINITY;
                boolean inside = false;
                for (int k = 0; k < e.length; k += 6) {
                    double xi = e[k];
                    double yi = e[k + 1];
                    double ex = e[k + 2];
                    double ey = e[k + 3];
                    double wx = x - xi;
                    double wy = y - yi;
                    double h = (wx * ex + wy * ey) * e[k + 4];
                    h = h < 0 ? 0 : (h > 1 ? 1 : h);
                    double bx = wx - ex * h;
                    double by = wy - ey * h;
                    double q = bx * bx + by * by;
                    if (q < d2) {
                        d2 = q;
                    }
                    if ((yi > y) != (yi + ey > y) && wx < e[k + 5] * wy) {
                        inside = !inside;
                    }
                }
                double d = Math.sqrt(d2);
                return inside ? -d : d;
            }
        };
    }

    /** The outline of an ellipse, {@code t} thick (centred on the ellipse). */
    static Shape ring(double cx, double cy, double rx, double ry, double t) {
        Shape e = ellipse(cx, cy, rx, ry);
        return new Shape(cx - rx - t, cy - ry - t, cx + rx + t, cy + ry + t) {
            @Override
            double sd(double x, double y) {
                return Math.abs(e.sd(x, y)) - t / 2;
            }
        };
    }

    /** This shape cut to a box (sharp edges along the box). */
    Shape clip(double cx0, double cy0, double cx1, double cy1) {
        Shape self = this;
        return new Shape(Math.max(x0, cx0), Math.max(y0, cy0), Math.min(x1, cx1), Math.min(y1, cy1)) {
            @Override
            double sd(double x, double y) {
                double d = self.sd(x, y);
                double b = Math.max(Math.max(cx0 - x, x - cx1), Math.max(cy0 - y, y - cy1));
                return Math.max(d, b);
            }
        };
    }

    /** This shape grown (positive) or shrunk (negative) by {@code by}. */
    Shape grow(double by) {
        Shape self = this;
        return new Shape(x0 - by, y0 - by, x1 + by, y1 + by) {
            @Override
            double sd(double x, double y) {
                return self.sd(x, y) - by;
            }
        };
    }

    /** A four-pointed sparkle star centred at (cx, cy) with outer radius r. */
    static Shape sparkle(double cx, double cy, double r) {
        double q = r * 0.3;
        return polygon(
                cx, cy - r, cx + q, cy - q, cx + r, cy, cx + q, cy + q, cx, cy + r, cx - q, cy + q, cx - r, cy, cx - q,
                cy - q);
    }
}
