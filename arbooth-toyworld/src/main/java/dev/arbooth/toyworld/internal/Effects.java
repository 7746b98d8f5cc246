package dev.arbooth.toyworld.internal;

/** The visible side of the properties: highlights and sparkles for shiny, a puddle and drops for wet. */
final class Effects {
    static final int SPARKLE_RIM = 0xF0B428;
    static final int DROP = 0x8CD2FF;
    static final int DROP_RIM = 0x2864B4;
    static final int PUDDLE = 0x6EB4E6;

    private static final double[] SPARKLES = {0.78, -0.78, 0.2, -0.86, -0.42, 0.15, 0.98, 0.05, 0.13};
    private static final double[] DROPS = {-0.78, -0.72, 0.82, -0.88, -0.2, -1.0, 0.98, -0.25, -0.98, 0.05};

    private Effects() {}

    /** Broad white highlights on the body (object layer). */
    static void highlight(Canvas c, Figure f) {
        double x = f.tcx - f.trx * 0.38;
        double y = f.tcy - f.try_ * 0.5;
        c.fill(Shape.ellipse(x, y, f.trx * 0.34, f.try_ * 0.17), Paint.solid(Rgb.WHITE), 0.85);
        c.fill(Shape.circle(x + f.trx * 0.45, y - f.try_ * 0.05, f.try_ * 0.09), Paint.solid(Rgb.WHITE), 0.85);
    }

    /** Sparkles around the object (background, in the object's local coordinates, after compositing). */
    static void sparkles(Canvas c) {
        for (int k = 0; k < SPARKLES.length; k += 3) {
            double x = SPARKLES[k];
            double y = SPARKLES[k + 1];
            double r = SPARKLES[k + 2];
            c.fill(Shape.sparkle(x, y, r * 1.25), SPARKLE_RIM);
            c.fill(Shape.sparkle(x, y, r), Rgb.WHITE);
        }
    }

    /** A puddle under the object (background, before compositing). */
    static void puddle(Canvas c) {
        c.fill(Shape.ellipse(0, 1.0, 1.08, 0.14), DROP_RIM);
        c.fill(Shape.ellipse(0, 1.0, 1.0, 0.1), PUDDLE);
    }

    /** Falling drops around the object (background, after compositing). */
    static void drops(Canvas c) {
        for (int k = 0; k < DROPS.length; k += 2) {
            drop(c, DROPS[k], DROPS[k + 1], 0.1, DROP_RIM);
            drop(c, DROPS[k], DROPS[k + 1], 0.07, DROP);
        }
    }

    private static void drop(Canvas c, double x, double y, double r, int rgb) {
        c.fill(Shape.circle(x, y, r), rgb);
        c.fill(Shape.polygon(x - r * 0.92, y - r * 0.35, x, y - r * 2.4, x + r * 0.92, y - r * 0.35), rgb);
    }
}
