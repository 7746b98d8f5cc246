package dev.arbooth.toyworld;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SubjectTest {
    @TempDir
    Path dir;

    /** Words that would give a trait away: patterns, builds, marks and their synonyms. */
    static final List<String> TRAIT_WORDS = List.of(
            "plain", "spot", "stripe", "patch", "check", "slim", "regular", "stocky", "collar", "tip", "mark",
            "pattern", "thin", "fat");

    @Test
    void traitsAreNeverNamedByCaptions() {
        for (long seed = 0; seed < 60; seed++) {
            Subject s = ToyWorld.subject(seed);
            for (Scene photo : s.photos(4, seed)) {
                String text = photo.caption().text();
                assertThat(text).isEqualTo("a photo of a " + s.objectClass().word());
                assertNoTrait(text, s);
            }
            Caption request =
                    Caption.of(s.objectClass()).withContext(Context.SNOW).withProperty(Property.SHINY);
            Scene asked = s.scene(request, seed);
            assertThat(asked.traits()).isEqualTo(s.traits());
            assertNoTrait(asked.caption().text(), s);
        }
        for (long seed = 0; seed < 2000; seed++) {
            String text = ToyWorld.randomScene(seed).caption().text();
            for (String w : TRAIT_WORDS) {
                assertThat(text).doesNotContain(w);
            }
        }
    }

    private static void assertNoTrait(String text, Subject s) {
        for (String w : TRAIT_WORDS) {
            assertThat(text).doesNotContain(w);
        }
        assertThat(text).doesNotContain(s.traits().secondary().word());
        assertThat(text.toLowerCase(Locale.ROOT)).doesNotContain(s.colour().word());
    }

    @Test
    void subjectsShowAllTheirTraitsAndKeepThemInEveryPhoto() {
        for (long seed = 0; seed < 200; seed++) {
            Subject s = ToyWorld.subject(seed);
            assertThat(s.traits().mark()).isNotEqualTo(Mark.NONE);
            assertThat(s.traits().secondary()).isNotEqualTo(s.colour());
            assertThat(ToyWorld.subject(seed)).isEqualTo(s);
        }
        Subject dog = ToyWorld.subject(ObjectClass.DOG, 5);
        List<Scene> photos = dog.photos(12, 3);
        Set<Context> contexts = new HashSet<>();
        Set<Boolean> facing = new HashSet<>();
        Set<Pose> poses = new HashSet<>();
        for (Scene p : photos) {
            assertThat(p.objectClass()).isEqualTo(ObjectClass.DOG);
            assertThat(p.colour()).isEqualTo(dog.colour());
            assertThat(p.traits()).isEqualTo(dog.traits());
            assertThat(p.accessory()).isEqualTo(Accessory.NONE);
            assertThat(p.context().forSubjectPhoto()).isTrue();
            contexts.add(p.context());
            facing.add(p.pose().mirrored());
            poses.add(p.pose());
        }
        assertThat(contexts).hasSize(4);
        assertThat(facing).hasSize(2);
        assertThat(poses).hasSize(12);
        assertThat(dog.photos(12, 3)).isEqualTo(photos);
        assertThat(dog.photos(0, 3)).isEmpty();
    }

    @Test
    void aSubjectCanBeAskedForInAnyCaptionOfItsClass() {
        Subject cat = ToyWorld.demoSubjects().get("cat1");
        Scene s = cat.scene(Caption.parse("a purple cat wearing a rainbow scarf in the jungle"), 2);
        assertThat(s.colour()).isEqualTo(Colour.PURPLE);
        assertThat(s.accessory()).isEqualTo(Accessory.RAINBOW_SCARF);
        assertThat(s.context()).isEqualTo(Context.JUNGLE);
        assertThat(s.traits()).isEqualTo(cat.traits());
        assertThat(cat.scene(Caption.parse("a cat"), 2).colour()).isEqualTo(cat.colour());
        assertThatThrownBy(() -> cat.scene(Caption.parse("a dog"), 2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("this subject is a cat");
    }

    @Test
    void negativeCountsAreRefused() {
        assertThatThrownBy(() -> ToyWorld.subject(1).photos(-1, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("-1");
    }

    @Test
    void theDemoSubjectsAreTwoDogsTwoCatsTwoTeddybearsAllDifferent() {
        Map<String, Subject> demo = ToyWorld.demoSubjects();
        assertThat(demo.keySet()).containsExactly("dog1", "dog2", "cat1", "cat2", "teddybear1", "teddybear2");
        Set<Traits> traits = new HashSet<>();
        for (Subject s : demo.values()) {
            traits.add(s.traits());
        }
        assertThat(traits).hasSize(6);
        for (ObjectClass c : List.of(ObjectClass.DOG, ObjectClass.CAT, ObjectClass.TEDDYBEAR)) {
            List<Subject> two =
                    demo.values().stream().filter(s -> s.objectClass() == c).toList();
            assertThat(two).hasSize(2);
            assertThat(two.get(0).traits().shared(two.get(1).traits())).isLessThanOrEqualTo(1);
            assertThat(two.get(0).colour()).isNotEqualTo(two.get(1).colour());
        }
    }

    /** The shipped PNGs are exactly what the renderer draws today. */
    @Test
    void theShippedDemoPhotosMatchTheRenderer() throws IOException {
        for (Map.Entry<String, Subject> e : ToyWorld.demoSubjects().entrySet()) {
            List<Scene> photos = e.getValue().photos(ToyWorld.DEMO_PHOTO_COUNT, ToyWorld.DEMO_PHOTO_SEED);
            for (int i = 0; i < photos.size(); i++) {
                String resource = "/dev/arbooth/toyworld/demo/" + e.getKey() + "/" + String.format("%02d.png", i);
                Path file = dir.resolve(e.getKey() + i + ".png");
                try (InputStream in = SubjectTest.class.getResourceAsStream(resource)) {
                    assertThat(in).as(resource).isNotNull();
                    Files.copy(in, file);
                }
                assertThat(ToyImage.readPng(file))
                        .as(resource)
                        .isEqualTo(photos.get(i).render(ToyWorld.DEFAULT_SIZE));
            }
        }
    }
}
