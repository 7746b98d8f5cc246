package dev.arbooth.toyworld.internal.tools;

import dev.arbooth.toyworld.Accessory;
import dev.arbooth.toyworld.Build;
import dev.arbooth.toyworld.Caption;
import dev.arbooth.toyworld.Colour;
import dev.arbooth.toyworld.Context;
import dev.arbooth.toyworld.Mark;
import dev.arbooth.toyworld.ObjectClass;
import dev.arbooth.toyworld.Pattern;
import dev.arbooth.toyworld.Pose;
import dev.arbooth.toyworld.Property;
import dev.arbooth.toyworld.Scene;
import dev.arbooth.toyworld.ToyImage;
import dev.arbooth.toyworld.Traits;
import dev.arbooth.toyworld.internal.Grid;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes the contact sheet of {@code docs/toy-world.md}: every class × colour (rows: classes; columns:
 * colours), then every context, accessory, property, pattern, build and mark.
 *
 * <p>Usage: {@code ContactSheet [target.png [size]]}, default {@code docs/toy-world-sheet.png}, 64.
 */
public final class ContactSheet {
    private ContactSheet() {}

    /**
     * Entry point.
     *
     * @param args optional target path and tile size
     */
    public static void main(String[] args) {
        Path target = Paths.get(args.length > 0 ? args[0] : "docs/toy-world-sheet.png");
        int size = args.length > 1 ? Integer.parseInt(args[1]) : 64;
        Grid.write(tiles(size), 15, 2, target);
        System.out.println("wrote " + target.toAbsolutePath());
    }

    /** The tiles, 15 per row. */
    static List<ToyImage> tiles(int size) {
        List<ToyImage> out = new ArrayList<>();
        Traits plain = new Traits(Pattern.PLAIN, Colour.WHITE, Build.REGULAR, Mark.NONE);
        Context[] rowContexts = Context.values();
        for (ObjectClass c : ObjectClass.values()) {
            for (Colour col : Colour.values()) {
                Context ctx = rowContexts[(c.ordinal() + col.ordinal()) % rowContexts.length];
                out.add(scene(c, col, Property.NONE, Accessory.NONE, ctx, plain, col.ordinal())
                        .render(size));
            }
            for (int k = Colour.values().length; k < 15; k++) {
                out.add(null);
            }
        }
        for (Context ctx : Context.values()) {
            out.add(scene(ObjectClass.DOG, Colour.BROWN, Property.NONE, Accessory.NONE, ctx, plain, 1)
                    .render(size));
        }
        ObjectClass[] wearers = {ObjectClass.DOG, ObjectClass.CAT, ObjectClass.TEDDYBEAR, ObjectClass.DUCK_TOY};
        for (Accessory a : Accessory.values()) {
            if (a == Accessory.NONE) {
                continue;
            }
            for (int w = 0; w < 2; w++) {
                ObjectClass c = wearers[(a.ordinal() + w) % wearers.length];
                out.add(scene(c, Colour.ORANGE, Property.NONE, a, Context.GREEN_GRASS, plain, w)
                        .render(size));
            }
        }
        out.add(null);
        out.add(null);
        out.add(null);
        for (Property p : new Property[] {Property.SHINY, Property.WET}) {
            for (ObjectClass c : new ObjectClass[] {ObjectClass.TEAPOT, ObjectClass.DOG, ObjectClass.VASE}) {
                out.add(scene(c, Colour.RED, p, Accessory.NONE, Context.WOODEN_FLOOR, plain, 2)
                        .render(size));
            }
        }
        for (Pattern pt : Pattern.values()) {
            Traits t = new Traits(pt, Colour.BLACK, Build.REGULAR, Mark.NONE);
            out.add(scene(ObjectClass.CAT, Colour.WHITE, Property.NONE, Accessory.NONE, Context.BLUE_HOUSE, t, 3)
                    .render(size));
        }
        for (int k = 0; k < 4; k++) {
            out.add(null);
        }
        for (Build b : Build.values()) {
            Traits t = new Traits(Pattern.SPOTS, Colour.BROWN, b, Mark.COLLAR);
            out.add(scene(ObjectClass.DOG, Colour.YELLOW, Property.NONE, Accessory.NONE, Context.WHITE_RUG, t, 4)
                    .render(size));
        }
        for (Mark m : Mark.values()) {
            for (ObjectClass c : new ObjectClass[] {ObjectClass.TEDDYBEAR, ObjectClass.TEAPOT}) {
                Traits t = new Traits(Pattern.PLAIN, Colour.BLUE, Build.REGULAR, m);
                out.add(scene(c, Colour.PINK, Property.NONE, Accessory.NONE, Context.WHEAT_FIELD, t, 5)
                        .render(size));
            }
        }
        return out;
    }

    private static Scene scene(ObjectClass c, Colour col, Property p, Accessory a, Context ctx, Traits t, long detail) {
        Caption cap =
                Caption.of(c).withColour(col).withProperty(p).withAccessory(a).withContext(ctx);
        return new Scene(c, col, p, a, ctx, t, Pose.centred(), detail, cap);
    }
}
