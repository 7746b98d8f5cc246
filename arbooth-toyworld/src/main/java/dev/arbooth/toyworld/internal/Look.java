package dev.arbooth.toyworld.internal;

import dev.arbooth.toyworld.Build;
import dev.arbooth.toyworld.Colour;
import dev.arbooth.toyworld.Mark;
import dev.arbooth.toyworld.Pattern;
import dev.arbooth.toyworld.Property;
import dev.arbooth.toyworld.Scene;

/** The colours and traits a figure is drawn with, after the property has adjusted the main colour. */
final class Look {
    final int primary;
    final int secondary;
    final Pattern pattern;
    final Mark mark;
    final double bw; // body width factor
    final double bh; // body height factor
    final double lg; // leg / neck length factor
    final Colour colour;

    Look(Scene s) {
        int p = s.colour().rgb();
        if (s.property() == Property.SHINY) {
            p = Rgb.lighten(p, 0.10);
        } else if (s.property() == Property.WET) {
            p = Rgb.mix(Rgb.scale(p, 0.74), 0x1E3C78, 0.12);
        }
        this.primary = p;
        Colour sec = s.traits().secondary();
        int q = sec == s.colour() ? (s.colour() == Colour.BLACK ? 0x6E6E6E : Rgb.shade(p, 0.55)) : sec.rgb();
        if (s.property() == Property.WET && sec != s.colour()) {
            q = Rgb.mix(Rgb.scale(q, 0.74), 0x1E3C78, 0.12);
        }
        this.secondary = q;
        this.pattern = s.traits().pattern();
        this.mark = s.traits().mark();
        Build b = s.traits().build();
        this.bw = b == Build.SLIM ? 0.8 : (b == Build.STOCKY ? 1.22 : 1.0);
        this.bh = b == Build.SLIM ? 0.86 : (b == Build.STOCKY ? 1.14 : 1.0);
        this.lg = b == Build.SLIM ? 1.35 : (b == Build.STOCKY ? 0.68 : 1.0);
        this.colour = s.colour();
    }

    int shade(double f) {
        return Rgb.shade(primary, f);
    }

    Paint body(Shape bodyShape) {
        return PatternPaint.of(pattern, primary, secondary, bodyShape);
    }

    /** The secondary colour where the mark is {@code m}, else {@code otherwise}. */
    int markOr(Mark m, int otherwise) {
        return mark == m ? secondary : otherwise;
    }
}
