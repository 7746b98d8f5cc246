package dev.arbooth.toyworld.internal;

import dev.arbooth.toyworld.Colour;
import dev.arbooth.toyworld.Mark;

/** The four classes that wear accessories: dog, cat, teddybear, duck toy. */
final class Animals {
    private Animals() {}

    /** A dog standing side-on, head up, big snout and floppy ear. */
    static final class Dog extends Figure {
        private final double legLen;
        private final double bcx;
        private final double bcy;
        private final double brx;
        private final double bry;
        private final double lr;

        Dog(Look l) {
            super(l);
            legLen = 0.40 * l.lg;
            brx = 0.56 * l.bw;
            bry = 0.28 * l.bh;
            bcx = -0.15;
            bcy = 1 - legLen - bry * 0.5;
            lr = 0.085 * l.bw;
            hr = 0.30;
            hx = 0.5;
            hy = Math.min(bcy - bry - 0.1, -0.34);
            eyes = new double[] {hx + 0.09, hy - 0.09};
            frontal = false;
            double[] a = lerp(bcx + brx * 0.55, bcy - bry * 0.2, hx - 0.05, hy + 0.15, 0.62);
            double ux = (hx - 0.05) - (bcx + brx * 0.55);
            double uy = (hy + 0.15) - (bcy - bry * 0.2);
            double len = Math.sqrt(ux * ux + uy * uy);
            double px = -uy / len * 0.22;
            double py = ux / len * 0.22;
            nax = a[0] - px;
            nay = a[1] - py;
            nbx = a[0] + px;
            nby = a[1] + py;
            tcx = bcx;
            tcy = bcy;
            trx = brx;
            try_ = bry;
        }

        @Override
        void back(Canvas c) {
            int far = look.shade(0.78);
            double tax = bcx - brx * 0.88;
            double tay = bcy - bry * 0.45;
            double tbx = -0.96;
            double tby = bcy - bry - 0.42 * look.bh;
            c.fill(Shape.capsule(tax, tay, tbx, tby, 0.08), look.primary);
            if (look.mark == Mark.TIP) {
                double[] m = lerp(tax, tay, tbx, tby, 0.4);
                c.fill(Shape.capsule(m[0], m[1], tbx, tby, 0.1), look.secondary);
            }
            c.fill(Shape.capsule(bcx - brx * 0.5, bcy, bcx - brx * 0.5, 1 - lr, lr), far);
            c.fill(Shape.capsule(bcx + brx * 0.8, bcy, bcx + brx * 0.8, 1 - lr, lr), far);
            body(c, Shape.ellipse(bcx, bcy, brx, bry));
            c.fill(Shape.capsule(bcx - brx * 0.72, bcy, bcx - brx * 0.72, 1 - lr, lr), look.primary);
            c.fill(Shape.capsule(bcx + brx * 0.56, bcy, bcx + brx * 0.56, 1 - lr, lr), look.primary);
        }

        @Override
        void shirt(Canvas c, int colour, int hem) {
            double cut = bcx - brx * 0.25;
            Shape torso = Shape.ellipse(bcx, bcy, brx + 0.04, bry + 0.04);
            c.fill(torso.clip(cut, -2, 2, 2), colour);
            c.fill(Shape.capsule(bcx + brx * 0.56, bcy, bcx + brx * 0.56, bcy + bry + 0.1, lr + 0.03), colour);
            c.fill(torso.clip(cut, -2, cut + 0.09, 2), hem);
        }

        @Override
        void front(Canvas c) {
            c.fill(Shape.capsule(bcx + brx * 0.55, bcy - bry * 0.2, hx - 0.05, hy + 0.15, 0.15), look.primary);
            if (look.mark == Mark.COLLAR) {
                c.fill(Shape.capsule(nax, nay, nbx, nby, 0.1), look.secondary);
            }
            c.fill(Shape.circle(hx, hy, hr), look.primary);
            c.fill(Shape.box(hx + 0.02, hy - 0.03, hx + 0.46, hy + 0.2, 0.09), look.primary);
            c.fill(Shape.circle(hx + 0.42, hy + 0.03, 0.07), Rgb.INK);
            c.fill(Shape.ellipse(hx - 0.13, hy + 0.08, 0.11, 0.25), look.shade(0.62));
            if (look.mark == Mark.SPOT) {
                c.fill(Shape.circle(eyes[0], eyes[1], 0.19), look.secondary);
            }
            c.fill(Shape.circle(eyes[0], eyes[1], 0.055), Rgb.INK);
        }
    }

    /** A cat sitting side-on with its face to the viewer, pointed ears and a curled tail. */
    static final class Cat extends Figure {
        private final double bcx;
        private final double bcy;
        private final double brx;
        private final double bry;

        Cat(Look l) {
            super(l);
            brx = 0.48 * l.bw;
            bry = 0.5 * l.bh;
            bcx = 0.0;
            bcy = 1 - bry;
            hr = 0.36;
            hx = 0.32;
            hy = bcy - bry - 0.12 * l.lg;
            eyes = new double[] {hx - hr * 0.38, hy - hr * 0.02, hx + hr * 0.38, hy - hr * 0.02};
            frontal = true;
            nax = hx - hr * 0.6;
            nay = hy + hr * 0.98;
            nbx = hx + hr * 0.6;
            nby = hy + hr * 0.98;
            tcx = bcx;
            tcy = bcy;
            trx = brx;
            try_ = bry;
        }

        @Override
        void back(Canvas c) {
            double ax = bcx - brx * 0.5;
            double bx = bcx - brx - 0.28;
            double cx = -0.88;
            c.fill(Shape.capsule(ax, 0.92, bx, 0.8, 0.085), look.primary);
            c.fill(
                    Shape.capsule(bx, 0.8, cx, 0.3, look.mark == Mark.TIP ? 0.1 : 0.085),
                    look.markOr(Mark.TIP, look.primary));
            c.fill(Shape.capsule(bcx + brx * 0.72, bcy, bcx + brx * 0.72, 0.93, 0.08 * look.bw), look.shade(0.78));
            Shape body = Shape.ellipse(bcx, bcy, brx, bry);
            Paint p = look.body(body);
            c.fill(body, p);
            c.fill(Shape.ellipse(bcx - brx * 0.35, 1 - 0.27, brx * 0.62, 0.27), p);
            c.fill(Shape.capsule(bcx + brx * 0.5, bcy, bcx + brx * 0.5, 0.93, 0.085 * look.bw), look.primary);
        }

        @Override
        void shirt(Canvas c, int colour, int hem) {
            double cut = bcy + bry * 0.35;
            Shape torso = Shape.ellipse(bcx, bcy, brx + 0.04, bry + 0.04);
            c.fill(torso.clip(-2, -2, 2, cut), colour);
            c.fill(torso.clip(-2, cut - 0.09, 2, cut), hem);
        }

        @Override
        void front(Canvas c) {
            if (look.mark == Mark.COLLAR) {
                c.fill(Shape.capsule(nax, nay, nbx, nby, 0.1), look.secondary);
            }
            int ear = look.primary;
            int inner = Rgb.mix(look.primary, 0xE07890, 0.55);
            triangle(
                    c,
                    hx - hr * 0.98,
                    hy - hr * 0.2,
                    hx - hr * 0.78,
                    hy - hr * 1.5,
                    hx - hr * 0.08,
                    hy - hr * 0.8,
                    look.markOr(Mark.SPOT, ear),
                    look.markOr(Mark.SPOT, inner));
            triangle(
                    c,
                    hx + hr * 0.08,
                    hy - hr * 0.8,
                    hx + hr * 0.78,
                    hy - hr * 1.5,
                    hx + hr * 0.98,
                    hy - hr * 0.2,
                    ear,
                    inner);
            c.fill(Shape.circle(hx, hy, hr), look.primary);
            if (look.mark == Mark.SPOT) {
                // the marked ear's colour runs down round the eye below it
                c.fill(Shape.circle(eyes[0], eyes[1], 0.17), look.secondary);
            }
            for (int k = 0; k < eyes.length; k += 2) {
                c.fill(Shape.ellipse(eyes[k], eyes[k + 1], 0.055, 0.08), Rgb.INK);
            }
            c.fill(Shape.ellipse(hx, hy + hr * 0.35, 0.06, 0.045), 0xB4505A);
        }

        private static void triangle(
                Canvas c, double ax, double ay, double bx, double by, double cx, double cy, int fill, int inner) {
            c.fill(Shape.polygon(ax, ay, bx, by, cx, cy), fill);
            double mx = (ax + bx + cx) / 3;
            double my = (ay + by + cy) / 3;
            double s = 0.45;
            c.fill(
                    Shape.polygon(
                            mx + (ax - mx) * s,
                            my + (ay - my) * s + 0.04,
                            mx + (bx - mx) * s,
                            my + (by - my) * s,
                            mx + (cx - mx) * s,
                            my + (cy - my) * s + 0.04),
                    inner);
        }
    }

    /** A teddybear from the front: round head and ears, muzzle, arms and legs with pads. */
    static final class Teddy extends Figure {
        private final double bcy;
        private final double brx;
        private final double bry;

        Teddy(Look l) {
            super(l);
            brx = 0.46 * l.bw;
            bry = 0.4 * l.bh;
            bcy = 0.5;
            hr = 0.4;
            hx = 0;
            hy = bcy - bry - 0.2 * l.lg - 0.1;
            eyes = new double[] {-hr * 0.38, hy - hr * 0.12, hr * 0.38, hy - hr * 0.12};
            frontal = true;
            nax = -0.3;
            nay = hy + hr * 0.98;
            nbx = 0.3;
            nby = hy + hr * 0.98;
            tcx = 0;
            tcy = bcy;
            trx = brx;
            try_ = bry;
        }

        @Override
        void back(Canvas c) {
            int pad = look.markOr(Mark.TIP, Rgb.lighten(look.primary, 0.45));
            for (int side = -1; side <= 1; side += 2) {
                double fx = side * 0.3 * look.bw;
                c.fill(Shape.ellipse(fx, 0.84, 0.23, 0.16), look.primary);
            }
            body(c, Shape.ellipse(0, bcy, brx, bry));
            for (int side = -1; side <= 1; side += 2) {
                double fx = side * 0.3 * look.bw;
                c.fill(Shape.ellipse(fx, 0.87, 0.16, 0.11), pad);
                c.fill(
                        Shape.capsule(side * brx * 0.8, bcy - bry * 0.55, side * (brx + 0.2), bcy + 0.12, 0.14),
                        look.primary);
            }
        }

        @Override
        void shirt(Canvas c, int colour, int hem) {
            double cut = bcy + bry * 0.45;
            Shape torso = Shape.ellipse(0, bcy, brx + 0.04, bry + 0.04);
            c.fill(torso.clip(-2, -2, 2, cut), colour);
            for (int side = -1; side <= 1; side += 2) {
                c.fill(Shape.capsule(side * brx * 0.8, bcy - bry * 0.55, side * (brx + 0.1), bcy - 0.05, 0.17), colour);
            }
            c.fill(torso.clip(-2, cut - 0.09, 2, cut), hem);
        }

        @Override
        void front(Canvas c) {
            if (look.mark == Mark.COLLAR) {
                c.fill(Shape.capsule(nax, nay, nbx, nby, 0.1), look.secondary);
            }
            int inner = look.shade(0.65);
            for (int side = -1; side <= 1; side += 2) {
                c.fill(Shape.circle(side * hr * 0.8, hy - hr * 0.75, 0.16), look.primary);
                c.fill(Shape.circle(side * hr * 0.8, hy - hr * 0.75, 0.08), inner);
            }
            c.fill(Shape.circle(0, hy, hr), look.primary);
            if (look.mark == Mark.SPOT) {
                c.fill(Shape.circle(eyes[2], eyes[3], 0.19), look.secondary);
            }
            c.fill(Shape.ellipse(0, hy + hr * 0.35, 0.18, 0.13), Rgb.lighten(look.primary, 0.45));
            c.fill(Shape.ellipse(0, hy + hr * 0.24, 0.075, 0.055), Rgb.INK);
            for (int k = 0; k < eyes.length; k += 2) {
                c.fill(Shape.circle(eyes[k], eyes[k + 1], 0.06), Rgb.INK);
            }
        }
    }

    /** A rubber duck side-on: round body with a pointed tail, big head, orange beak. */
    static final class Duck extends Figure {
        private final double bcx;
        private final double bcy;
        private final double brx;
        private final double bry;

        Duck(Look l) {
            super(l);
            brx = 0.74 * l.bw;
            bry = 0.42 * l.bh;
            bcx = -0.12;
            bcy = 1 - bry;
            hr = 0.38;
            hx = 0.33;
            hy = bcy - bry - 0.2 * l.lg;
            eyes = new double[] {hx + hr * 0.3, hy - hr * 0.22};
            frontal = false;
            nax = hx - hr * 0.75;
            nay = hy + hr * 0.8;
            nbx = hx + hr * 0.55;
            nby = hy + hr * 0.95;
            tcx = bcx;
            tcy = bcy;
            trx = brx;
            try_ = bry;
        }

        @Override
        void back(Canvas c) {
            c.fill(
                    Shape.polygon(
                            bcx - brx * 0.6,
                            bcy - bry * 0.3,
                            -0.98,
                            bcy - bry * 1.25,
                            bcx - brx * 0.75,
                            bcy + bry * 0.35),
                    look.markOr(Mark.TIP, look.primary));
            body(c, Shape.ellipse(bcx, bcy, brx, bry));
            c.fill(Shape.ellipse(bcx - 0.06, bcy - 0.02, 0.38, 0.19), look.markOr(Mark.TIP, look.shade(0.8)));
        }

        @Override
        void shirt(Canvas c, int colour, int hem) {
            Shape torso = Shape.ellipse(bcx, bcy, brx + 0.04, bry + 0.04);
            double cut = bcx - brx * 0.3;
            c.fill(torso.clip(cut, -2, 2, 2), colour);
            c.fill(torso.clip(cut, -2, cut + 0.09, 2), hem);
        }

        @Override
        void front(Canvas c) {
            c.fill(Shape.circle(hx, hy, hr), look.primary);
            if (look.mark == Mark.COLLAR) {
                c.fill(Shape.capsule(nax, nay, nbx, nby, 0.1), look.secondary);
            }
            if (look.mark == Mark.SPOT) {
                c.fill(Shape.circle(hx - hr * 0.2, hy + hr * 0.2, 0.19), look.secondary);
            }
            int beak = look.colour == Colour.ORANGE ? 0xD23C14 : 0xF58C1E;
            c.fill(Shape.ellipse(hx + hr * 0.95, hy + hr * 0.22, 0.24, 0.11), beak);
            c.fill(Shape.circle(eyes[0], eyes[1], 0.06), Rgb.INK);
        }
    }
}
