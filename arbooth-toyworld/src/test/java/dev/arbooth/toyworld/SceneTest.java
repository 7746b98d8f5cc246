package dev.arbooth.toyworld;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SceneTest {
    @Test
    void randomScenesAreCaptionedConsistentlyAndCoverTheVocabulary() {
        Set<ObjectClass> classes = EnumSet.noneOf(ObjectClass.class);
        Set<Colour> colours = EnumSet.noneOf(Colour.class);
        Set<Context> contexts = EnumSet.noneOf(Context.class);
        Set<Accessory> accessories = EnumSet.noneOf(Accessory.class);
        Set<Property> properties = EnumSet.noneOf(Property.class);
        int namedColour = 0;
        for (long seed = 0; seed < 2000; seed++) {
            Scene s = ToyWorld.randomScene(seed);
            Caption c = s.caption();
            // the text names exactly what the caption record says, and the scene shows it
            assertThat(Caption.parse(c.text())).isEqualTo(c);
            assertThat(c.objectClass()).isEqualTo(s.objectClass());
            assertThat(c.accessory()).isEqualTo(s.accessory());
            assertThat(c.property()).isEqualTo(s.property());
            c.colour().ifPresent(col -> assertThat(col).isEqualTo(s.colour()));
            c.context().ifPresent(ctx -> assertThat(ctx).isEqualTo(s.context()));
            namedColour += c.colour().isPresent() ? 1 : 0;
            classes.add(s.objectClass());
            colours.add(s.colour());
            contexts.add(s.context());
            accessories.add(s.accessory());
            properties.add(s.property());
        }
        assertThat(classes).hasSize(ObjectClass.values().length);
        assertThat(colours).hasSize(Colour.values().length);
        assertThat(contexts).hasSize(Context.values().length);
        assertThat(accessories).hasSize(Accessory.values().length);
        assertThat(properties).hasSize(Property.values().length);
        assertThat(namedColour / 2000.0).isBetween(0.75, 0.85); // 0.8 expected; ±0.05 ≈ 5.6 σ
    }

    @Test
    void sameSeedSameSceneOtherSeedOtherScene() {
        assertThat(ToyWorld.randomScene(7)).isEqualTo(ToyWorld.randomScene(7));
        assertThat(ToyWorld.randomScene(7)).isNotEqualTo(ToyWorld.randomScene(8));
        assertThat(ToyWorld.randomScene(7, Split.TRAIN)).isEqualTo(ToyWorld.randomScene(7, Split.TRAIN));
    }

    @Test
    void aCaptionThatDisagreesWithTheSceneIsRefused() {
        Scene s = ToyWorld.scene("a red dog in the snow", 1);
        assertThat(s.colour()).isEqualTo(Colour.RED);
        assertThat(s.context()).isEqualTo(Context.SNOW);
        assertThatThrownBy(() -> s.withCaption(Caption.parse("a blue dog")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("does not describe the scene");
        assertThatThrownBy(() -> s.withCaption(Caption.parse("a cat"))).isInstanceOf(IllegalArgumentException.class);
        assertThat(s.withCaption(Caption.parse("a photo of a dog")).caption().text())
                .isEqualTo("a photo of a dog");
    }

    @Test
    void scenesAskedForByCaptionShowWhatIsAsked() {
        for (long seed = 0; seed < 50; seed++) {
            Scene s = ToyWorld.scene("a wet purple cat wearing a black top hat on a cobblestone street", seed);
            assertThat(s.objectClass()).isEqualTo(ObjectClass.CAT);
            assertThat(s.colour()).isEqualTo(Colour.PURPLE);
            assertThat(s.property()).isEqualTo(Property.WET);
            assertThat(s.accessory()).isEqualTo(Accessory.BLACK_TOP_HAT);
            assertThat(s.context()).isEqualTo(Context.COBBLESTONE);
        }
        Set<Colour> free = EnumSet.noneOf(Colour.class);
        for (long seed = 0; seed < 200; seed++) {
            Scene s = ToyWorld.scene("a vase", seed);
            free.add(s.colour());
            assertThat(s.accessory()).isEqualTo(Accessory.NONE);
            assertThat(s.property()).isEqualTo(Property.NONE);
        }
        assertThat(free).hasSize(Colour.values().length);
    }

    @Test
    void theHeldOutSplitIsStableAboutOneInTenAndNeverDrawnForTraining() {
        List<Combination> all = Combination.all();
        assertThat(all).hasSize(4 * 10 * 15 * 7 + 6 * 10 * 15);
        List<Combination> held = Combination.of(Split.HELD_OUT);
        List<Combination> train = Combination.of(Split.TRAIN);
        assertThat(held.size() + train.size()).isEqualTo(all.size());
        assertThat((double) held.size() / all.size()).isBetween(0.08, 0.12);
        // pinned: the split is a function of the words alone and must never move
        assertThat(held.size()).isEqualTo(HELD_OUT_COUNT);
        assertThat(new Combination(ObjectClass.DOG, Colour.RED, Context.SNOW, Accessory.SANTA_HAT).heldOut())
                .isEqualTo(DOG_RED_SNOW_SANTA_HELD_OUT);
        Set<Combination> heldSet = new HashSet<>(held);
        for (long seed = 0; seed < 3000; seed++) {
            assertThat(heldSet)
                    .doesNotContain(ToyWorld.randomScene(seed, Split.TRAIN).combination());
            assertThat(heldSet)
                    .contains(ToyWorld.randomScene(seed, Split.HELD_OUT).combination());
        }
        // every single word still occurs in training, with every other word of another slot
        for (ObjectClass c : ObjectClass.values()) {
            for (Context ctx : Context.values()) {
                assertThat(train).anyMatch(k -> k.objectClass() == c && k.context() == ctx);
            }
            for (Colour col : Colour.values()) {
                assertThat(train).anyMatch(k -> k.objectClass() == c && k.colour() == col);
            }
        }
    }

    static final int HELD_OUT_COUNT = 507;
    static final boolean DOG_RED_SNOW_SANTA_HELD_OUT = false;

    @Test
    void renderSizeIsChecked() {
        Scene s = ToyWorld.randomScene(3);
        assertThatThrownBy(() -> s.render(31))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("[32, 1024]")
                .hasMessageContaining("31");
        assertThatThrownBy(() -> s.render(2048)).isInstanceOf(IllegalArgumentException.class);
        assertThat(s.render(32).size()).isEqualTo(32);
        assertThat(s.render(128).size()).isEqualTo(128);
    }

    @Test
    void posesStayInTheFrame() {
        assertThatThrownBy(() -> new Pose(false, 0.2, 0.9, 0.35))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("outside the frame");
        assertThatThrownBy(() -> new Pose(false, 0.5, 0.9, 0.1)).isInstanceOf(IllegalArgumentException.class);
    }
}
