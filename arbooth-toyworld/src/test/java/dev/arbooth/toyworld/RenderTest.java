package dev.arbooth.toyworld;

import static org.assertj.core.api.Assertions.assertThat;

import dev.arbooth.toyworld.internal.Renderer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class RenderTest {
    static String sha256(ToyImage img) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(img.bytes()));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * Pinned hashes: the same scene gives the same bytes on every JVM and machine. A change to the renderer
     * that moves a pixel must update these on purpose (and re-train the probes and re-ship the demo photos).
     */
    @Test
    void rendersArePinned() {
        assertThat(sha256(ToyWorld.randomScene(1).render(64))).isEqualTo(HASH_SCENE1_64);
        assertThat(sha256(ToyWorld.randomScene(2).render(64))).isEqualTo(HASH_SCENE2_64);
        assertThat(sha256(ToyWorld.randomScene(3, Split.HELD_OUT).render(128))).isEqualTo(HASH_HELDOUT3_128);
        assertThat(sha256(ToyWorld.scene("a shiny pink cat wearing pink glasses in the snow", 4)
                        .render(64)))
                .isEqualTo(HASH_SHINY_CAT_64);
        assertThat(sha256(
                        ToyWorld.demoSubjects().get("dog1").photos(1, 9).get(0).render(64)))
                .isEqualTo(HASH_DOG1_PHOTO_64);
        assertThat(sha256(scene(
                                ObjectClass.CAT,
                                Colour.YELLOW,
                                Property.NONE,
                                Accessory.NONE,
                                Context.WHITE_RUG,
                                new Traits(Pattern.STRIPES, Colour.BLUE, Build.SLIM, Mark.SPOT))
                        .render(64)))
                .isEqualTo(HASH_CAT_EAR_SPOT_64);
    }

    static final String HASH_SCENE1_64 = "323973900f27bdd69e3d8ca9b3f708167d96e0c87c7b4d9ed5172c393c595c4c";
    static final String HASH_SCENE2_64 = "d0c78edf175b951e1f821a9b863ed0a0d73a4f5b7872af1c73a30261f42e4705";
    static final String HASH_HELDOUT3_128 = "6e14c11a10859706254f3212aaa136c21ad2169b0a361589adba11d1a9039fa1";
    static final String HASH_SHINY_CAT_64 = "450e5c3b59ce5405d1b1f7e0eef975c8656a631e7012d8aaa5e4333a57cd277e";
    static final String HASH_DOG1_PHOTO_64 = "80d39e6c00d0afe4199a36847726a1186b55e217826cdc0da2196e3a2edc7173";
    static final String HASH_CAT_EAR_SPOT_64 = "9aeb3ab9356e7f94da4b090a5c40b51a6ce44f8fa8aaa0341c7151dae5301a64";

    @Test
    void renderingIsRepeatableAndSeedsMatter() {
        Scene s = ToyWorld.randomScene(11);
        assertThat(s.render(64)).isEqualTo(s.render(64));
        assertThat(ToyWorld.randomScene(12).render(64)).isNotEqualTo(s.render(64));
    }

    /** Objects are large: the object's bounding box averages well over a third of the frame. */
    @Test
    void objectsAreLargeAndBold() {
        int n = 64;
        double sumBox = 0;
        double minBox = 1;
        int scenes = 300;
        for (long seed = 0; seed < scenes; seed++) {
            float[] cov = new float[n * n];
            Renderer.render(ToyWorld.randomScene(seed), n, cov);
            int x0 = n;
            int x1 = -1;
            int y0 = n;
            int y1 = -1;
            for (int j = 0; j < n; j++) {
                for (int i = 0; i < n; i++) {
                    if (cov[j * n + i] > 0.5f) {
                        x0 = Math.min(x0, i);
                        x1 = Math.max(x1, i);
                        y0 = Math.min(y0, j);
                        y1 = Math.max(y1, j);
                    }
                }
            }
            double box = (x1 - x0 + 1) * (double) (y1 - y0 + 1) / (n * n);
            sumBox += box;
            minBox = Math.min(minBox, box);
        }
        assertThat(sumBox / scenes).isGreaterThan(0.39);
        assertThat(minBox).isGreaterThan(0.22);
    }

    /** Every vocabulary entry is drawn and changes the image where expected. */
    @Test
    void everyWordIsDrawn() {
        Traits plain = new Traits(Pattern.PLAIN, Colour.WHITE, Build.REGULAR, Mark.NONE);
        for (ObjectClass c : ObjectClass.values()) {
            for (Colour col : Colour.values()) {
                Scene s = scene(c, col, Property.NONE, Accessory.NONE, Context.GREEN_GRASS, plain);
                // the main colour covers a good share of the frame
                assertThat(share(s.render(64), col.rgb(), 12))
                        .as("%s %s", c, col)
                        .isGreaterThan(0.08);
            }
        }
        Scene base = scene(ObjectClass.DOG, Colour.BROWN, Property.NONE, Accessory.NONE, Context.SNOW, plain);
        for (Context ctx : Context.values()) {
            Scene s = new Scene(
                    ObjectClass.DOG,
                    Colour.BROWN,
                    Property.NONE,
                    Accessory.NONE,
                    ctx,
                    plain,
                    base.pose(),
                    1,
                    Caption.of(ObjectClass.DOG).withContext(ctx));
            if (ctx != Context.SNOW) {
                assertThat(diff(s.render(64), base.render(64))).as("%s", ctx).isGreaterThan(0.2);
            }
        }
        for (ObjectClass c : ObjectClass.values()) {
            if (!c.wearsAccessories()) {
                continue;
            }
            Scene bare = scene(c, Colour.GREEN, Property.NONE, Accessory.NONE, Context.WOODEN_FLOOR, plain);
            for (Accessory a : Accessory.values()) {
                if (a != Accessory.NONE) {
                    Scene worn = scene(c, Colour.GREEN, Property.NONE, a, Context.WOODEN_FLOOR, plain);
                    assertThat(diff(worn.render(64), bare.render(64)))
                            .as("%s %s", c, a)
                            .isGreaterThan(0.015);
                }
            }
        }
        for (Property p : new Property[] {Property.SHINY, Property.WET}) {
            Scene bare =
                    scene(ObjectClass.VASE, Colour.BLUE, Property.NONE, Accessory.NONE, Context.PINK_FABRIC, plain);
            Scene prop = scene(ObjectClass.VASE, Colour.BLUE, p, Accessory.NONE, Context.PINK_FABRIC, plain);
            assertThat(diff(prop.render(64), bare.render(64))).as("%s", p).isGreaterThan(0.03);
        }
        for (Pattern pt : Pattern.values()) {
            for (Mark m : Mark.values()) {
                for (ObjectClass c : ObjectClass.values()) {
                    Traits t = new Traits(pt, Colour.BLUE, Build.REGULAR, m);
                    Scene s = scene(c, Colour.YELLOW, Property.NONE, Accessory.NONE, Context.WHITE_RUG, t);
                    boolean shows = pt != Pattern.PLAIN || m != Mark.NONE;
                    double blue = share(s.render(64), Colour.BLUE.rgb(), 12);
                    assertThat(blue > 0.004).as("%s %s on a %s", pt, m, c).isEqualTo(shows);
                    if (pt == Pattern.PLAIN && m != Mark.NONE) {
                        // a mark alone is a clear patch: at least 0.7 % of the frame (29 pixels at 64×64)
                        assertThat(blue).as("%s alone on a %s", m, c).isGreaterThan(0.007);
                    }
                }
            }
        }
        for (Build b : Build.values()) {
            Traits t = new Traits(Pattern.PLAIN, Colour.RED, b, Mark.NONE);
            Traits r = new Traits(Pattern.PLAIN, Colour.RED, Build.REGULAR, Mark.NONE);
            for (ObjectClass c : ObjectClass.values()) {
                Scene s = scene(c, Colour.BLUE, Property.NONE, Accessory.NONE, Context.BEACH, t);
                Scene reg = scene(c, Colour.BLUE, Property.NONE, Accessory.NONE, Context.BEACH, r);
                assertThat(diff(s.render(64), reg.render(64)) > 0.01)
                        .as("%s %s", c, b)
                        .isEqualTo(b != Build.REGULAR);
            }
        }
    }

    static Scene scene(ObjectClass c, Colour col, Property p, Accessory a, Context ctx, Traits t) {
        Caption cap =
                Caption.of(c).withColour(col).withProperty(p).withAccessory(a).withContext(ctx);
        return new Scene(c, col, p, a, ctx, t, Pose.centred(), 5, cap);
    }

    /** Share of pixels within {@code tol} (per channel) of a colour. */
    static double share(ToyImage img, int rgb, int tol) {
        int n = img.size();
        int hits = 0;
        for (int y = 0; y < n; y++) {
            for (int x = 0; x < n; x++) {
                int c = img.rgb(x, y);
                if (Math.abs(((c >> 16) & 255) - ((rgb >> 16) & 255)) <= tol
                        && Math.abs(((c >> 8) & 255) - ((rgb >> 8) & 255)) <= tol
                        && Math.abs((c & 255) - (rgb & 255)) <= tol) {
                    hits++;
                }
            }
        }
        return (double) hits / (n * n);
    }

    /** Share of pixels that differ by more than 24 in some channel. */
    static double diff(ToyImage a, ToyImage b) {
        int n = a.size();
        int d = 0;
        for (int y = 0; y < n; y++) {
            for (int x = 0; x < n; x++) {
                int p = a.rgb(x, y);
                int q = b.rgb(x, y);
                if (Math.abs(((p >> 16) & 255) - ((q >> 16) & 255)) > 24
                        || Math.abs(((p >> 8) & 255) - ((q >> 8) & 255)) > 24
                        || Math.abs((p & 255) - (q & 255)) > 24) {
                    d++;
                }
            }
        }
        return (double) d / (n * n);
    }
}
