package dev.arbooth.toyworld.internal;

import dev.arbooth.toyworld.Context;

/**
 * The fifteen backgrounds, drawn in frame coordinates with a few large elements each (no fine texture);
 * a detail seed moves the horizon and the elements.
 */
final class Backdrops {
    private static final long SALT = 0x6261636B64726F70L;

    private Backdrops() {}

    static void draw(Canvas c, Context ctx, long detailSeed) {
        SplitMix64 r = SplitMix64.of(detailSeed, SALT, ctx.ordinal());
        c.frame();
        switch (ctx) {
            case SNOW:
                snow(c, r);
                break;
            case BEACH:
                beach(c, r);
                break;
            case JUNGLE:
                jungle(c, r);
                break;
            case GREEN_GRASS:
                grass(c, r);
                break;
            case CITY:
                city(c, r);
                break;
            case MOUNTAIN:
                mountain(c, r);
                break;
            case SUNSET:
                sunset(c, r);
                break;
            case WOODEN_FLOOR:
                woodenFloor(c, r);
                break;
            case PINK_FABRIC:
                pinkFabric(c, r);
                break;
            case WATER:
                water(c, r);
                break;
            case COBBLESTONE:
                cobblestone(c, r);
                break;
            case WHITE_RUG:
                whiteRug(c, r);
                break;
            case DIRT_ROAD:
                dirtRoad(c, r);
                break;
            case BLUE_HOUSE:
                blueHouse(c, r);
                break;
            case WHEAT_FIELD:
                wheatField(c, r);
                break;
            default:
                throw new IllegalStateException("no backdrop for " + ctx);
        }
    }

    private static void sky(Canvas c, double h, int top, int bottom) {
        c.gradient(0, h, top, bottom);
    }

    private static void clouds(Canvas c, SplitMix64 r, double h, int n) {
        for (int k = 0; k < n; k++) {
            double x = r.uniform(0.05, 0.95);
            double y = r.uniform(0.08, Math.max(0.1, h - 0.18));
            double s = r.uniform(0.05, 0.08);
            c.fill(Shape.circle(x - s, y + s * 0.3, s), 0xF5F8FC);
            c.fill(Shape.circle(x + s, y + s * 0.3, s * 0.9), 0xF5F8FC);
            c.fill(Shape.circle(x, y - s * 0.2, s * 1.2), 0xFFFFFF);
        }
    }

    private static void snow(Canvas c, SplitMix64 r) {
        double h = r.uniform(0.4, 0.52);
        sky(c, h, 0xA8C4E0, 0xD8E4F0);
        c.gradient(h, 1, 0xEEF3FA, 0xFBFCFE);
        for (int k = 0; k < 2; k++) {
            double x = r.uniform(0.05, 0.95);
            double s = r.uniform(0.08, 0.12);
            c.fill(Shape.polygon(x, h - 3.0 * s, x - s, h - 1.0 * s, x + s, h - 1.0 * s), 0x2E5A3C);
            c.fill(Shape.polygon(x, h - 2.0 * s, x - 1.3 * s, h + 0.2 * s, x + 1.3 * s, h + 0.2 * s), 0x2E5A3C);
            c.fill(Shape.polygon(x, h - 3.0 * s, x - 0.45 * s, h - 2.1 * s, x + 0.45 * s, h - 2.1 * s), 0xFFFFFF);
        }
        for (int k = 0; k < 2; k++) {
            double x = r.uniform(0.0, 1.0);
            c.fill(Shape.ellipse(x, h + r.uniform(0.12, 0.3), r.uniform(0.2, 0.3), 0.07), 0xDCE6F2);
        }
        for (int k = 0; k < 8; k++) {
            c.fill(Shape.circle(r.uniform(0, 1), r.uniform(0, 1), 0.016), 0xFFFFFF);
        }
    }

    private static void beach(Canvas c, SplitMix64 r) {
        double h = r.uniform(0.36, 0.46);
        sky(c, h, 0x4AA0E8, 0x9CD0F4);
        clouds(c, r, h, 1);
        double sea = h + r.uniform(0.1, 0.14);
        c.gradient(h, sea, 0x1464B4, 0x2A8AD2);
        c.gradient(sea, 1, 0xF0D69A, 0xF5E2B2);
        c.fill(Shape.box(0, sea, 1, sea + 0.035, 0), 0xD2B478);
        c.fill(Shape.capsule(-0.1, sea, 1.1, sea, 0.012), 0xFFFFFF);
    }

    private static void jungle(Canvas c, SplitMix64 r) {
        c.gradient(0, 1, 0x1E5A28, 0x143C1A);
        int[] greens = {0x2E8B3C, 0x3CA04B, 0x196428, 0x4CB050};
        for (int k = 0; k < 3; k++) {
            double x = r.uniform(0.05, 0.95);
            c.fill(Shape.capsule(x, -0.05, x + r.uniform(-0.06, 0.06), r.uniform(0.4, 0.8), 0.018), 0x6E7A28);
        }
        for (int k = 0; k < 9; k++) {
            double x = r.uniform(0, 1);
            double y = r.uniform(0, 0.95);
            double rx = r.uniform(0.09, 0.16);
            c.fill(Shape.ellipse(x, y, rx, rx * 0.45), greens[r.nextInt(greens.length)]);
        }
        c.gradient(0.88, 1, 0x3A3A1C, 0x2C2C14);
    }

    private static void grass(Canvas c, SplitMix64 r) {
        double h = r.uniform(0.4, 0.52);
        sky(c, h, 0x4E9EEC, 0xA8D6FA);
        clouds(c, r, h, 2);
        c.gradient(h, 1, 0x5CC444, 0x3E9E2C);
        for (int k = 0; k < 7; k++) {
            double x = r.uniform(0, 1);
            double y = r.uniform(h + 0.05, 1.0);
            double s = 0.035 + 0.03 * (y - h);
            c.fill(
                    Shape.polygon(
                            x - s, y, x - s * 0.6, y - 2.2 * s, x, y - 0.6 * s, x + s * 0.5, y - 2.4 * s, x + s, y),
                    0x2E8A22);
        }
    }

    private static void city(Canvas c, SplitMix64 r) {
        double h = r.uniform(0.62, 0.7);
        sky(c, h, 0x8EAED0, 0xC8D8E8);
        int[] greys = {0x5A6473, 0x6E7887, 0x4B5564, 0x7C8594};
        double x = -r.uniform(0, 0.1);
        while (x < 1) {
            double w = r.uniform(0.14, 0.24);
            double top = r.uniform(0.1, h - 0.2);
            int g = greys[r.nextInt(greys.length)];
            c.fill(Shape.box(x, top, x + w - 0.015, h + 0.01, 0), g);
            for (double wy = top + 0.05; wy < h - 0.06; wy += 0.1) {
                for (double wx = x + 0.035; wx + 0.045 < x + w - 0.02; wx += 0.075) {
                    c.fill(Shape.box(wx, wy, wx + 0.04, wy + 0.05, 0), 0xF0DC78);
                }
            }
            x += w;
        }
        c.gradient(h, h + 0.06, 0xA0A0AA, 0x96969F);
        c.gradient(h + 0.06, 1, 0x55555C, 0x4A4A50);
        for (double dx = r.uniform(0, 0.2) - 0.2; dx < 1; dx += 0.25) {
            c.fill(Shape.box(dx, 0.9, dx + 0.12, 0.93, 0), 0xF0F0F0);
        }
    }

    private static void mountain(Canvas c, SplitMix64 r) {
        double h = r.uniform(0.55, 0.65);
        sky(c, h, 0x6CAEE6, 0xBCDCF5);
        clouds(c, r, 0.35, 1);
        double px = r.uniform(0.3, 0.7);
        double py = r.uniform(0.08, 0.16);
        double sx = r.uniform(0.0, 1.0);
        c.fill(Shape.polygon(sx, h - 0.28, sx - 0.45, h + 0.01, sx + 0.45, h + 0.01), 0x56607E);
        c.fill(Shape.polygon(px, py, px - 0.6, h + 0.01, px + 0.6, h + 0.01), 0x6E7896);
        double f = 0.3;
        c.fill(
                Shape.polygon(
                        px,
                        py,
                        px - 0.6 * f,
                        py + (h - py) * f,
                        px - 0.1 * f,
                        py + (h - py) * f * 0.8,
                        px + 0.15 * f,
                        py + (h - py) * f,
                        px + 0.6 * f,
                        py + (h - py) * f),
                0xF5F8FC);
        c.gradient(h, 1, 0x78B450, 0x5C9A3A);
    }

    private static void sunset(Canvas c, SplitMix64 r) {
        double h = r.uniform(0.55, 0.65);
        int[] bands = {0x4B2878, 0x7E3A8C, 0xC8506E, 0xEE7E44, 0xF6B656};
        for (int k = 0; k < bands.length; k++) {
            c.gradient(h * k / bands.length, h * (k + 1) / bands.length, bands[k], bands[k]);
        }
        double sx = r.uniform(0.15, 0.85);
        c.fill(Shape.circle(sx, h, r.uniform(0.11, 0.15)), 0xFFE678);
        c.gradient(h, 1, 0x46283A, 0x32202C);
        c.fill(Shape.box(0, h, 1, h + 0.03, 0), 0x5A3246);
    }

    private static void woodenFloor(Canvas c, SplitMix64 r) {
        double h = r.uniform(0.38, 0.5);
        c.gradient(0, h, 0xE8D6B8, 0xDCC8A8);
        c.fill(Shape.box(0, h - 0.04, 1, h, 0), 0xB89A72);
        double y = h;
        double bh = 0.075;
        int k = 0;
        while (y < 1) {
            int col = (k & 1) == 0 ? 0xA0643C : 0x8E5834;
            c.fill(Shape.box(0, y, 1, y + bh, 0), col);
            c.fill(Shape.box(0, y + bh - 0.014, 1, y + bh + 0.006, 0), 0x5A3219);
            double sx = r.uniform(0.1, 0.9);
            c.fill(Shape.box(sx, y, sx + 0.02, y + bh, 0), 0x5A3219);
            y += bh;
            bh *= 1.15;
            k++;
        }
    }

    private static void pinkFabric(Canvas c, SplitMix64 r) {
        double dx = r.uniform(0.6, 0.9);
        double dy = Math.sqrt(1 - dx * dx) * (r.chance(0.5) ? 1 : -1);
        double period = r.uniform(0.3, 0.42);
        double phase = r.uniform(0, period);
        c.paintAll((x, y, px) -> {
            double t = (x * dx + y * dy + phase) / period;
            double f = t - Math.floor(t);
            double tri = f < 0.5 ? 2 * f : 2 - 2 * f; // triangle wave in [0, 1]
            return Rgb.mix(0xF7B0CF, 0xD87AA2, tri * tri);
        });
    }

    private static void water(Canvas c, SplitMix64 r) {
        double h = r.uniform(0.3, 0.42);
        sky(c, h, 0x6AB0EA, 0xB4DAF6);
        clouds(c, r, h, 1);
        c.gradient(h, 1, 0x2A7AC8, 0x1E5AA8);
        double phase = r.uniform(0, 1);
        for (double y = h + 0.06; y < 1.02; y += 0.11 + 0.08 * (y - h)) {
            double yy = y;
            Paint p = Paint.solid(0x5AA6EA);
            for (double x = -0.1 + phase * 0.2; x < 1.1; x += 0.2) {
                c.fill(Shape.capsule(x, yy, x + 0.1, yy - 0.015, 0.012), p);
                c.fill(Shape.capsule(x + 0.1, yy - 0.015, x + 0.2, yy, 0.012), p);
            }
        }
    }

    private static void cobblestone(Canvas c, SplitMix64 r) {
        double h = r.uniform(0.36, 0.46);
        c.gradient(0, h, 0xC89E7A, 0xB88E6A);
        double dx0 = r.uniform(0.1, 0.8);
        c.fill(Shape.box(dx0, h - 0.3, dx0 + 0.14, h, 0.02), 0x5A3C28);
        c.gradient(h, 1, 0x505056, 0x46464C);
        double y = h + 0.01;
        double sh = 0.07;
        int row = 0;
        int[] stones = {0xA0A0A6, 0x94949A, 0xAEAEB3};
        while (y < 1) {
            double sw = sh * 1.5;
            double x = (row & 1) == 0 ? -sw / 2 : 0;
            while (x < 1) {
                c.fill(
                        Shape.box(x + 0.008, y + 0.008, x + sw - 0.008, y + sh - 0.008, sh * 0.3),
                        stones[r.nextInt(stones.length)]);
                x += sw;
            }
            y += sh;
            sh *= 1.18;
            row++;
        }
    }

    private static void whiteRug(Canvas c, SplitMix64 r) {
        double h = r.uniform(0.36, 0.46);
        c.gradient(0, h, 0xB8C8D6, 0xC8D4E0);
        c.gradient(h, 1, 0xC89A70, 0xB88A60);
        double x0 = r.uniform(0.0, 0.1);
        double x1 = r.uniform(0.9, 1.0);
        c.fill(Shape.box(x0, h + 0.1, x1, 1.1, 0.05), 0xD2D2D2);
        c.fill(Shape.box(x0 + 0.025, h + 0.125, x1 - 0.025, 1.1, 0.04), 0xFAFAFA);
    }

    private static void dirtRoad(Canvas c, SplitMix64 r) {
        double h = r.uniform(0.36, 0.46);
        sky(c, h, 0x5AA4EC, 0xB0D8F8);
        clouds(c, r, h, 1);
        c.gradient(h, 1, 0x78AE48, 0x5C9436);
        double vx = r.uniform(0.35, 0.65);
        c.fill(Shape.polygon(vx - 0.04, h, vx + 0.04, h, 1.05, 1.0, -0.05, 1.0), 0xA87C4E);
        c.fill(Shape.polygon(vx - 0.01, h, vx + 0.01, h, 0.62, 1.0, 0.38, 1.0), 0x92683E);
    }

    private static void blueHouse(Canvas c, SplitMix64 r) {
        double h = r.uniform(0.55, 0.62);
        sky(c, h, 0x62A8EC, 0xB4DAF8);
        boolean left = r.chance(0.5);
        double x0 = left ? r.uniform(-0.1, 0.05) : r.uniform(0.4, 0.55);
        double x1 = x0 + 0.55;
        double top = h - 0.3;
        c.fill(Shape.polygon(x0 - 0.05, top + 0.01, (x0 + x1) / 2, top - 0.2, x1 + 0.05, top + 0.01), 0x46322D);
        c.fill(Shape.box(x0, top, x1, h + 0.02, 0), 0x3C64C8);
        c.fill(Shape.box(x0 + 0.08, top + 0.07, x0 + 0.18, top + 0.17, 0), 0xF5F5F5);
        c.fill(Shape.box(x1 - 0.18, top + 0.07, x1 - 0.08, top + 0.17, 0), 0xF5F5F5);
        c.fill(Shape.box((x0 + x1) / 2 - 0.05, top + 0.12, (x0 + x1) / 2 + 0.05, h + 0.02, 0), 0xF5F5F5);
        c.gradient(h + 0.02, 1, 0x5CAE48, 0x48963A);
    }

    private static void wheatField(Canvas c, SplitMix64 r) {
        double h = r.uniform(0.4, 0.5);
        sky(c, h, 0x66AEEA, 0xB8DCF6);
        clouds(c, r, h, 1);
        c.fill(Shape.box(0, h - 0.03, 1, h + 0.01, 0), 0x3E6E2E);
        c.gradient(h, 1, 0xE8C456, 0xD8AE3E);
        double y = h + 0.05;
        double gap = 0.06;
        while (y < 1) {
            c.fill(Shape.box(0, y, 1, y + gap * 0.35, 0), 0xBE922E);
            y += gap;
            gap *= 1.3;
        }
    }
}
