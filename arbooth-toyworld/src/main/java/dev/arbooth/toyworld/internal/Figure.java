package dev.arbooth.toyworld.internal;

import dev.arbooth.toyworld.ObjectClass;

/**
 * How one class is drawn, in local object coordinates (x ∈ [-1, 1] towards the way it faces, y ∈ [-1, 1]
 * down, ground at y = 1). Drawing runs in two stages so that worn things sit between them: {@link #back}
 * (body, legs, tail, pattern and body marks), then a shirt, then {@link #front} (neck, head, face), then
 * scarf, glasses and hats, placed by the anchors the figure sets.
 */
abstract class Figure {
    // anchors for accessories and highlights, set by the constructor
    double hx;
    double hy;
    double hr; // head centre and radius
    double[] eyes = new double[0]; // x0, y0, x1, y1, …
    boolean frontal; // face turned to the viewer (hats get a frontal brim)
    double nax;
    double nay;
    double nbx;
    double nby; // the collar line across the neck, from back to front
    double tcx;
    double tcy;
    double trx;
    double try_; // the torso (or main body) ellipse

    final Look look;

    Figure(Look look) {
        this.look = look;
    }

    abstract void back(Canvas c);

    void front(Canvas c) {}

    /** A shirt over the torso (classes that wear accessories override this). */
    void shirt(Canvas c, int colour, int hem) {}

    /**
     * How much larger than its pose's scale a class is drawn, so that narrow figures fill their frame about
     * as much as wide ones (a dog or a barn already spans most of its box).
     */
    static double fill(ObjectClass cls) {
        switch (cls) {
            case CAT:
            case TEDDYBEAR:
            case CLOCK:
                return 1.08;
            case VASE:
                return 1.12;
            case DUCK_TOY:
            case TEAPOT:
                return 1.04;
            default:
                return 1.0;
        }
    }

    static Figure of(ObjectClass cls, Look look) {
        switch (cls) {
            case DOG:
                return new Animals.Dog(look);
            case CAT:
                return new Animals.Cat(look);
            case TEDDYBEAR:
                return new Animals.Teddy(look);
            case DUCK_TOY:
                return new Animals.Duck(look);
            case TEAPOT:
                return new Things.Teapot(look);
            case VASE:
                return new Things.Vase(look);
            case BACKPACK:
                return new Things.Backpack(look);
            case SNEAKER:
                return new Things.Sneaker(look);
            case CLOCK:
                return new Things.Clock(look);
            case BARN:
                return new Things.Barn(look);
            default:
                throw new IllegalStateException("no figure for " + cls);
        }
    }

    /** Fills the main body with the pattern. */
    void body(Canvas c, Shape s) {
        c.fill(s, look.body(s));
    }

    /** A point at fraction t from a to b, as {x, y}. */
    static double[] lerp(double ax, double ay, double bx, double by, double t) {
        return new double[] {ax + (bx - ax) * t, ay + (by - ay) * t};
    }
}
