package dev.arbooth.toyworld.internal;

import dev.arbooth.toyworld.Accessory;

/** Draws what a figure wears, at its anchors. All parts are thick and of strong colours. */
final class Accessories {
    static final int HAT_RED = 0xD21E1E;
    static final int TOP_HAT = 0x141414;
    static final int PINK_RIM = 0xD2327D;
    static final int PINK_LENS = 0xFF8CC8;
    static final int SHIRT = 0xFFD21E;
    static final int SHIRT_HEM = 0xE08C00;
    static final int[] RAINBOW = {0xE62828, 0xF58C1E, 0xFADC28, 0x32B43C, 0x285ADC, 0x8C3CBE};

    private Accessories() {}

    /** The part drawn between the figure's back and front stages (the shirt). */
    static void underHead(Canvas c, Figure f, Accessory a) {
        if (a == Accessory.YELLOW_SHIRT) {
            f.shirt(c, SHIRT, SHIRT_HEM);
        }
    }

    /** The parts drawn over the head and neck. */
    static void overHead(Canvas c, Figure f, Accessory a) {
        double hx = f.hx;
        double hy = f.hy;
        double hr = f.hr;
        switch (a) {
            case RED_HAT: {
                // a round crown on a wide brim (unlike the santa hat's cone and the top hat's tall box)
                c.fill(Shape.ellipse(hx, hy - hr * 0.58, hr * 1.35, hr * 0.22), Rgb.shade(HAT_RED, 0.8));
                c.fill(Shape.ellipse(hx, hy - hr * 0.7, hr * 0.75, hr * 0.62).clip(-2, -2, 2, hy - hr * 0.6), HAT_RED);
                c.fill(
                        Shape.box(hx - hr * 0.74, hy - hr * 0.86, hx + hr * 0.74, hy - hr * 0.66, 0),
                        Rgb.shade(HAT_RED, 0.55));
                break;
            }
            case SANTA_HAT: {
                double tipX = hx - hr * 0.75;
                double tipY = hy - hr * 1.85;
                c.fill(Shape.polygon(hx - hr * 0.9, hy - hr * 0.5, hx + hr * 0.9, hy - hr * 0.5, tipX, tipY), HAT_RED);
                c.fill(
                        Shape.capsule(hx - hr * 0.95, hy - hr * 0.52, hx + hr * 0.95, hy - hr * 0.52, hr * 0.2),
                        Rgb.WHITE);
                c.fill(Shape.circle(tipX, tipY, hr * 0.24), Rgb.WHITE);
                break;
            }
            case BLACK_TOP_HAT: {
                c.fill(Shape.box(hx - hr * 0.58, hy - hr * 1.85, hx + hr * 0.58, hy - hr * 0.6, 0), TOP_HAT);
                c.fill(Shape.box(hx - hr * 0.58, hy - hr * 0.95, hx + hr * 0.58, hy - hr * 0.72, 0), 0x8C1E1E);
                c.fill(Shape.box(hx - hr * 1.0, hy - hr * 0.75, hx + hr * 1.0, hy - hr * 0.55, hr * 0.05), TOP_HAT);
                break;
            }
            case PINK_GLASSES: {
                double[] e = f.eyes;
                double lr = e.length >= 4 ? hr * 0.42 : hr * 0.6;
                if (e.length >= 4) {
                    c.fill(Shape.capsule(e[0], e[1], e[2], e[3], hr * 0.13), PINK_RIM);
                } else {
                    c.fill(Shape.capsule(e[0], e[1], hx - hr * 0.85, e[1] - hr * 0.05, hr * 0.15), PINK_RIM);
                }
                for (int k = 0; k < e.length; k += 2) {
                    c.fill(Shape.circle(e[k], e[k + 1], lr), PINK_RIM);
                    c.fill(Shape.circle(e[k], e[k + 1], lr * 0.62), PINK_LENS);
                }
                break;
            }
            case RAINBOW_SCARF: {
                double ux = f.nbx - f.nax;
                double uy = f.nby - f.nay;
                double len = Math.sqrt(ux * ux + uy * uy);
                double dx = ux / len;
                double dy = uy / len;
                double ex = f.nax - dx * 0.06;
                double ey = f.nay - dy * 0.06;
                double fx = f.nbx + dx * 0.06;
                double fy = f.nby + dy * 0.06;
                Paint bands = (x, y, px) -> {
                    double t = (x - ex) * dx + (y - ey) * dy;
                    int k = (int) Math.floor(t / 0.12);
                    return RAINBOW[Math.floorMod(k, RAINBOW.length)];
                };
                // the hanging end, from the front of the wrap straight down
                double hx0 = ex + (fx - ex) * 0.7;
                double hy0 = ey + (fy - ey) * 0.7;
                Paint hang = (x, y, px) -> RAINBOW[Math.floorMod((int) Math.floor((y - hy0) / 0.12), RAINBOW.length)];
                c.fill(Shape.capsule(hx0, hy0, hx0 + 0.04, hy0 + 0.48, 0.11), hang);
                c.fill(Shape.capsule(ex, ey, fx, fy, 0.14), bands);
                break;
            }
            default:
                break;
        }
    }
}
