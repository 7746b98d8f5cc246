package dev.arbooth.toyworld;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class CaptionTest {
    @Test
    void printsTheIssueExamples() {
        assertThat(Caption.of(ObjectClass.DOG)
                        .withColour(Colour.PURPLE)
                        .withContext(Context.BEACH)
                        .withPhotoOf(true)
                        .text())
                .isEqualTo("a photo of a purple dog on the beach");
        assertThat(Caption.of(ObjectClass.CAT)
                        .withAccessory(Accessory.SANTA_HAT)
                        .text())
                .isEqualTo("a cat wearing a santa hat");
        assertThat(Caption.of(ObjectClass.TEAPOT).withContext(Context.MOUNTAIN).text())
                .isEqualTo("a teapot with a mountain in the background");
    }

    @Test
    void usesAnBeforeVowelsAndPutsTheIdentifierBeforeTheClassWord() {
        Caption c = Caption.of(ObjectClass.DUCK_TOY).withColour(Colour.ORANGE).withContext(Context.WATER);
        assertThat(c.text()).isEqualTo("an orange duck toy floating on top of water");
        assertThat(c.withProperty(Property.WET).text("sks"))
                .isEqualTo("a wet orange sks duck toy floating on top of water");
        assertThat(Caption.of(ObjectClass.DOG).text("sks")).isEqualTo("a sks dog");
    }

    @Test
    void parsesWhatItPrints() {
        for (Combination k : Combination.all()) {
            for (Property p : Property.values()) {
                Caption c = k.caption().withProperty(p).withPhotoOf(p == Property.SHINY);
                assertThat(Caption.parse(c.text())).isEqualTo(c);
                assertThat(Caption.parse(c.text("sks"), "sks")).isEqualTo(c);
            }
        }
    }

    @Test
    void parsesTheVicoPromptsAndArboothsTrainingPrompt() {
        assertThat(Caption.parse("a photo of sks dog", "sks"))
                .isEqualTo(Caption.of(ObjectClass.DOG).withPhotoOf(true));
        assertThat(Caption.parse("A  red   vase"))
                .isEqualTo(Caption.of(ObjectClass.VASE).withColour(Colour.RED));
        assertThat(Caption.parse("a shiny teapot").property()).isEqualTo(Property.SHINY);
        assertThat(Caption.parse("a cat wearing pink glasses").accessory()).isEqualTo(Accessory.PINK_GLASSES);
        assertThat(Caption.parse("a teddybear wearing a rainbow scarf in the jungle"))
                .isEqualTo(new Caption(
                        ObjectClass.TEDDYBEAR,
                        Optional.empty(),
                        Property.NONE,
                        Accessory.RAINBOW_SCARF,
                        Optional.of(Context.JUNGLE),
                        false));
    }

    @Test
    void unknownWordsAreNamedWithTheirSlot() {
        assertThatThrownBy(() -> Caption.parse("a photo of a dragon on the beach"))
                .isInstanceOf(UnknownWordException.class)
                .hasMessageContaining("class 'dragon'")
                .hasMessageContaining("teddybear")
                .satisfies(e -> assertThat(((UnknownWordException) e).slot()).isEqualTo("class"));
        assertThatThrownBy(() -> Caption.parse("a grey dog"))
                .isInstanceOf(UnknownWordException.class)
                .hasMessageContaining("colour 'grey'")
                .hasMessageContaining("purple");
        assertThatThrownBy(() -> Caption.parse("a dog on the moon"))
                .isInstanceOf(UnknownWordException.class)
                .hasMessageContaining("context 'on the moon'")
                .hasMessageContaining("in the snow");
        assertThatThrownBy(() -> Caption.parse("a dog wearing a monocle"))
                .isInstanceOf(UnknownWordException.class)
                .hasMessageContaining("accessory 'a monocle'");
        assertThatThrownBy(() -> Caption.parse("the dog")).isInstanceOf(UnknownWordException.class);
        assertThatThrownBy(() -> Caption.parse("a sks dog")).isInstanceOf(UnknownWordException.class);
        assertThatThrownBy(() -> ObjectClass.fromWord("horse"))
                .isInstanceOf(UnknownWordException.class)
                .hasMessageContaining("horse");
        assertThatThrownBy(() -> Colour.fromWord("teal")).isInstanceOf(UnknownWordException.class);
        assertThatThrownBy(() -> Context.fromPhrase("in space")).isInstanceOf(UnknownWordException.class);
        assertThatThrownBy(() -> Accessory.fromPhrase("a crown")).isInstanceOf(UnknownWordException.class);
        assertThatThrownBy(() -> Property.fromWord("dry")).isInstanceOf(UnknownWordException.class);
    }

    @Test
    void thingsWearNothing() {
        assertThatThrownBy(() -> Caption.parse("a teapot wearing a santa hat"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("teapot cannot wear a santa hat");
        assertThatThrownBy(() -> new Combination(ObjectClass.BARN, Colour.RED, Context.SNOW, Accessory.RED_HAT))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
