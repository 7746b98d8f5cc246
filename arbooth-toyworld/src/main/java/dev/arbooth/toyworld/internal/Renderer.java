package dev.arbooth.toyworld.internal;

import dev.arbooth.toyworld.Context;
import dev.arbooth.toyworld.Pose;
import dev.arbooth.toyworld.Property;
import dev.arbooth.toyworld.Scene;

/**
 * Draws a {@link Scene}: background, shadow or puddle, the figure with its pattern, marks and accessories on
 * the object layer, a dark outline around the silhouette, then water, sparkles or drops in front. Pure
 * function of the scene and the size: plain double arithmetic in a fixed order and no transcendental
 * functions, so every JVM gives the same pixels.
 */
public final class Renderer {
    /** The outline's colour. */
    public static final int INK = Rgb.INK;

    private Renderer() {}

    /**
     * Renders a scene.
     *
     * @param s the scene
     * @param size the side in pixels (checked by the caller)
     * @return packed {@code 0xRRGGBB} pixels, rows top to bottom
     */
    public static int[] render(Scene s, int size) {
        return render(s, size, null);
    }

    /**
     * Renders a scene and reports the object's coverage.
     *
     * @param s the scene
     * @param size the side in pixels
     * @param coverage if not null, receives the object layer's coverage in [0, 1] per pixel (before the
     *     outline), {@code size × size} values
     * @return packed {@code 0xRRGGBB} pixels, rows top to bottom
     */
    public static int[] render(Scene s, int size, float[] coverage) {
        Canvas c = new Canvas(size);
        Backdrops.draw(c, s.context(), s.detailSeed());
        Pose p = s.pose();
        double scale = p.scale() * Figure.fill(s.objectClass());
        boolean water = s.context() == Context.WATER;
        c.aroundObject(p.mirrored(), p.centreX(), p.baseY(), scale);
        if (!water) {
            c.darken(Shape.ellipse(0, 1.0, 0.95, 0.1), 0.7);
            if (s.property() == Property.WET) {
                Effects.puddle(c);
            }
        }
        c.object(p.mirrored(), p.centreX(), p.baseY(), scale);
        Look look = new Look(s);
        Figure f = Figure.of(s.objectClass(), look);
        f.back(c);
        Accessories.underHead(c, f, s.accessory());
        f.front(c);
        if (s.property() == Property.SHINY) {
            Effects.highlight(c, f);
        }
        Accessories.overHead(c, f, s.accessory());
        if (coverage != null) {
            for (int j = 0; j < size; j++) {
                for (int i = 0; i < size; i++) {
                    coverage[j * size + i] = c.objectCoverage(i, j);
                }
            }
        }
        c.compositeObject(INK, Math.max(1, (int) Math.round(size / 56.0)));
        if (water) {
            c.frame();
            double v = p.baseY() - 0.4 * scale;
            c.fill(Shape.box(-0.1, v, 1.1, 1.1, 0), Paint.solid(0x2468B8), 0.72);
            c.fill(Shape.capsule(p.centreX() - 1.15 * scale, v, p.centreX() + 1.15 * scale, v, 0.016), 0xA8D4F6);
        }
        c.aroundObject(p.mirrored(), p.centreX(), p.baseY(), scale);
        if (s.property() == Property.SHINY) {
            Effects.sparkles(c);
        } else if (s.property() == Property.WET) {
            Effects.drops(c);
        }
        return c.bg;
    }
}
