package dev.arbooth.toyworld.internal;

import dev.arbooth.toyworld.Colour;
import dev.arbooth.toyworld.Mark;

/** The six classes that wear nothing: teapot, vase, backpack, sneaker, clock, barn. */
final class Things {
    private Things() {}

    private static void torso(Figure f, double cx, double cy, double rx, double ry) {
        f.tcx = cx;
        f.tcy = cy;
        f.trx = rx;
        f.try_ = ry;
    }

    /** A teapot side-on: round body, domed lid with a knob, spout up to the right, ring handle. */
    static final class Teapot extends Figure {
        Teapot(Look l) {
            super(l);
            torso(this, -0.05, 0.4, 0.62 * l.bw, 0.55 * l.bh);
        }

        @Override
        void back(Canvas c) {
            double bx = tcx;
            double by = tcy;
            double rx = trx;
            double ry = try_;
            c.fill(Shape.ring(bx - rx - 0.02, by - 0.02, 0.25, 0.3, 0.11).clip(-2, -2, bx - rx * 0.8, 2), look.primary);
            Shape spout = Shape.polygon(bx + rx * 0.7, by + 0.02, bx + rx * 0.8, by + 0.32, 0.98, -0.22, 0.86, -0.3);
            c.fill(spout, look.primary);
            if (look.mark == Mark.TIP) {
                c.fill(spout.clip(0.5, -2, 2, 2), look.secondary);
            }
            c.fill(Shape.box(bx - 0.38, 0.86, bx + 0.38, 1.0, 0.04), look.shade(0.72));
            Shape body = Shape.ellipse(bx, by, rx, ry);
            body(c, body);
            if (look.mark == Mark.COLLAR) {
                c.fill(body.clip(-2, by - ry * 0.66, 2, by - ry * 0.3), look.secondary);
            }
            double top = by - ry + 0.03;
            int lid = look.markOr(Mark.SPOT, look.shade(0.85));
            c.fill(Shape.ellipse(bx, top, 0.34, 0.15).clip(-2, -2, 2, top), lid);
            c.fill(Shape.box(bx - 0.38, top - 0.03, bx + 0.38, top + 0.05, 0.03), look.shade(0.7));
            c.fill(Shape.circle(bx, top - 0.2, 0.11), lid);
        }
    }

    /** A vase from the front: round belly, narrow neck, flared lip, foot. */
    static final class Vase extends Figure {
        Vase(Look l) {
            super(l);
            torso(this, 0, 0.46, 0.74 * l.bw, 0.5 * l.bh);
        }

        @Override
        void back(Canvas c) {
            double by = tcy;
            double ry = try_;
            double neckTop = by - ry - 0.5 * look.lg;
            double neckW = 0.2 * Math.sqrt(look.bw);
            c.fill(Shape.box(-0.34, 0.86, 0.34, 1.0, 0.03), look.markOr(Mark.TIP, look.shade(0.72)));
            c.fill(Shape.box(-neckW, neckTop, neckW, by - ry * 0.6, 0), look.primary);
            Shape belly = Shape.ellipse(0, by, trx, ry);
            body(c, belly);
            if (look.mark == Mark.TIP) {
                c.fill(belly.clip(-2, by + ry * 0.55, 2, 2), look.secondary);
            }
            if (look.mark == Mark.COLLAR) {
                double mid = (neckTop + by - ry) / 2;
                c.fill(Shape.box(-neckW - 0.05, mid - 0.12, neckW + 0.05, mid + 0.12, 0), look.secondary);
            }
            c.fill(
                    Shape.box(-0.34, neckTop - 0.15, 0.34, neckTop + 0.04, 0.05),
                    look.markOr(Mark.SPOT, look.shade(0.85)));
        }
    }

    /** A backpack from the front: rounded bag, flap with a buckle, front pocket, top handle, side straps. */
    static final class Backpack extends Figure {
        private final double top;

        Backpack(Look l) {
            super(l);
            top = 1 - 1.62 * l.bh;
            torso(this, 0, (top + 1) / 2, 0.6 * l.bw, (1 - top) / 2);
        }

        @Override
        void back(Canvas c) {
            double w = trx;
            int strap = look.shade(0.55);
            for (int side = -1; side <= 1; side += 2) {
                c.fill(
                        Shape.capsule(side * w * 0.8, top + 0.25, side * (w + 0.14), 0.86, 0.08),
                        look.markOr(Mark.TIP, strap));
            }
            c.fill(Shape.ring(0, top, 0.22, 0.18, 0.11).clip(-2, -2, 2, top), look.markOr(Mark.TIP, strap));
            Shape bag = Shape.box(-w, top, w, 1.0, 0.3);
            body(c, bag);
            c.fill(bag.clip(-2, -2, 2, top + 0.45), look.shade(0.82));
            if (look.mark == Mark.COLLAR) {
                c.fill(bag.clip(-2, top + 0.45, 2, top + 0.62), look.secondary);
            }
            c.fill(Shape.box(-0.08, top + 0.34, 0.08, top + 0.52, 0.02), look.shade(0.45));
            c.fill(Shape.box(-0.4 * look.bw, 0.3, 0.4 * look.bw, 0.92, 0.14), look.markOr(Mark.SPOT, look.shade(0.82)));
        }
    }

    /** A high-top sneaker side-on: upper, toe cap, laces, white sole. */
    static final class Sneaker extends Figure {
        Sneaker(Look l) {
            super(l);
            torso(this, 0, 0.3, 0.95, 0.45 * l.bh);
        }

        @Override
        void back(Canvas c) {
            double h = look.bh;
            Shape upper = Shape.polygon(
                    -0.95,
                    0.8,
                    -0.95,
                    1 - 1.25 * h,
                    -0.7,
                    1 - 1.6 * h,
                    -0.35,
                    1 - 1.4 * h,
                    0.05,
                    1 - 0.95 * h,
                    0.6,
                    1 - 0.7 * h,
                    0.93,
                    1 - 0.45 * h,
                    0.98,
                    0.8);
            body(c, upper);
            c.fill(upper.clip(0.55, -2, 2, 2), look.markOr(Mark.TIP, look.shade(0.8)));
            if (look.mark == Mark.SPOT) {
                c.fill(Shape.circle(-0.7, 0.45, 0.24).clip(-0.95, -2, 2, 2), look.secondary);
            }
            if (look.mark == Mark.COLLAR) {
                c.fill(Shape.capsule(-0.86, 1 - 1.2 * h, -0.42, 1 - 1.33 * h, 0.12), look.secondary);
            }
            for (int k = 0; k < 3; k++) {
                double t = k / 2.0;
                double px = -0.28 + 0.4 * t;
                double py = (1 - 1.3 * h) + 0.42 * h * t;
                c.fill(Shape.capsule(px - 0.11, py + 0.06, px + 0.1, py - 0.05, 0.045), 0xF5F5F5);
            }
            int sole = look.colour == Colour.WHITE ? 0x8C8C8C : 0xF0F0F0;
            c.fill(Shape.box(-0.98, 0.74, 0.99, 0.98, 0.1), sole);
        }
    }

    /** An alarm clock from the front: round case, cream face, hands, two bells, legs. */
    static final class Clock extends Figure {
        Clock(Look l) {
            super(l);
            torso(this, 0, 0.2, 0.66 * l.bw, 0.66 * l.bw);
        }

        @Override
        void back(Canvas c) {
            double r = trx;
            double cy = tcy;
            int leg = look.markOr(Mark.TIP, look.shade(0.5));
            c.fill(Shape.capsule(-0.4 * look.bw, 0.75, -0.56 * look.bw, 0.91, 0.09), leg);
            c.fill(Shape.capsule(0.4 * look.bw, 0.75, 0.56 * look.bw, 0.91, 0.09), leg);
            c.fill(Shape.capsule(0, cy - r, 0, cy - r - 0.16, 0.05), look.shade(0.5));
            c.fill(Shape.circle(0, cy - r - 0.18, 0.08), look.shade(0.5));
            double bellY = cy - r * 0.82;
            c.fill(Shape.circle(-0.55 * look.bw, bellY, 0.24), look.markOr(Mark.SPOT, look.primary));
            c.fill(Shape.circle(0.55 * look.bw, bellY, 0.24), look.primary);
            body(c, Shape.circle(0, cy, r));
            if (look.mark == Mark.COLLAR) {
                c.fill(Shape.ring(0, cy, r * 0.86, r * 0.86, 0.17), look.secondary);
            }
            c.fill(Shape.circle(0, cy, r * 0.62), 0xFFF5DC);
            c.fill(Shape.capsule(0, cy, 0, cy - r * 0.55, 0.05), Rgb.INK);
            c.fill(Shape.capsule(0, cy, r * 0.42, cy + r * 0.2, 0.05), Rgb.INK);
            c.fill(Shape.circle(0, cy, 0.07), Rgb.INK);
        }
    }

    /** A barn from the front: gambrel roof, big door with a cross, hay loft window. */
    static final class Barn extends Figure {
        Barn(Look l) {
            super(l);
            torso(this, 0, 0.4, 0.78 * l.bw, 0.6);
        }

        @Override
        void back(Canvas c) {
            double w = trx;
            c.fill(
                    Shape.polygon(-w - 0.12, -0.15, -w * 0.92, -0.58, 0, -0.95, w * 0.92, -0.58, w + 0.12, -0.15),
                    look.markOr(Mark.TIP, Rgb.shade(look.primary, 0.5)));
            body(c, Shape.box(-w, -0.2, w, 1.0, 0));
            if (look.mark == Mark.COLLAR) {
                c.fill(Shape.box(-w, 0.08, w, 0.25, 0), look.secondary);
            }
            int trim = look.colour == Colour.WHITE ? 0xB4B4B4 : 0xF5F5F5;
            c.fill(Shape.box(-0.34, 0.32, 0.34, 1.0, 0), trim);
            c.fill(Shape.box(-0.27, 0.39, 0.27, 1.0, 0), look.markOr(Mark.SPOT, look.shade(0.8)));
            c.fill(Shape.capsule(-0.27, 0.39, 0.27, 0.98, 0.045), trim);
            c.fill(Shape.capsule(0.27, 0.39, -0.27, 0.98, 0.045), trim);
            c.fill(Shape.box(-0.18, -0.44, 0.18, -0.1, 0), trim);
            c.fill(Shape.box(-0.12, -0.38, 0.12, -0.16, 0), look.markOr(Mark.SPOT, 0x3C2A1E));
        }
    }
}
