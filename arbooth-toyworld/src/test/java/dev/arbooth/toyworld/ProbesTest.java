package dev.arbooth.toyworld;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.arbooth.toyworld.internal.ProbeNet;
import dev.arbooth.toyworld.internal.ProbeValidation;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The bundled probes on fresh seeds (never used in training, whose scene seeds start at 2^62). The larger
 * validation (thousands of scenes, more subjects) is {@code ValidateProbes}, figures in docs/toy-world.md.
 */
class ProbesTest {
    static final Probes PROBES = Probes.bundled();

    /** Held-out subjects: generated here only, never shipped, never trained on. */
    static final List<Subject> HELD_OUT = List.of(
            ToyWorld.subject(ObjectClass.DOG, 424_242),
            ToyWorld.subject(ObjectClass.CAT, 434_343),
            ToyWorld.subject(ObjectClass.TEDDYBEAR, 444_444));

    @Test
    @Tag("slow")
    void readsClassContextAccessoryAndColourOfFreshRenders() {
        int n = 300;
        ProbeValidation.Accuracy clean = ProbeValidation.accuracy(PROBES, 700_000, n, 64, null);
        ProbeValidation.Accuracy degraded = ProbeValidation.accuracy(PROBES, 700_000, n, 64, Degradation.vaeLike());
        ProbeValidation.Accuracy big = ProbeValidation.accuracy(PROBES, 800_000, 100, 128, null);
        System.out.println("clean 64:    " + clean.summary());
        System.out.println("degraded 64: " + degraded.summary());
        System.out.println("clean 128:   " + big.summary());
        // the bar on clean renders: 95 % for class, context, accessory, colour
        for (int head = 0; head < 4; head++) {
            assertThat(clean.of(head)).as(ProbeNet.HEAD_NAMES[head]).isGreaterThanOrEqualTo(0.95);
            assertThat(big.of(head)).as("128: " + ProbeNet.HEAD_NAMES[head]).isGreaterThanOrEqualTo(0.9);
            assertThat(degraded.of(head))
                    .as("degraded: " + ProbeNet.HEAD_NAMES[head])
                    .isGreaterThanOrEqualTo(0.85);
        }
        assertThat(clean.of(4)).as("property").isGreaterThanOrEqualTo(0.95);
    }

    @Test
    @Tag("slow")
    void traitScoreSeparatesHeldOutSubjectsFromOtherInstancesOfTheirClass() {
        for (Subject s : HELD_OUT) {
            double auc = ProbeValidation.traitAuc(PROBES, s, 20, 100, 91, null);
            double aucDegraded = ProbeValidation.traitAuc(PROBES, s, 20, 100, 91, Degradation.vaeLike());
            System.out.printf("%s: trait AUC %.3f clean, %.3f degraded%n", s, auc, aucDegraded);
            assertThat(auc).as("%s", s).isGreaterThanOrEqualTo(0.95);
        }
    }

    @Test
    void traitScoreIsAShareInUnitInterval() {
        Subject s = HELD_OUT.get(0);
        ToyImage own = s.photos(1, 5).get(0).render(64);
        double score = PROBES.traitScore(own, s);
        assertThat(score).isBetween(0.0, 1.0);
        Traits opposite = new Traits(
                s.traits().pattern() == Pattern.PLAIN ? Pattern.STRIPES : Pattern.PLAIN,
                s.traits().secondary() == Colour.GREEN ? Colour.RED : Colour.GREEN,
                s.traits().build() == Build.SLIM ? Build.STOCKY : Build.SLIM,
                s.traits().mark() == Mark.NONE ? Mark.COLLAR : Mark.NONE);
        assertThat(PROBES.traitScore(own, opposite)).isLessThan(score);
    }

    @Test
    void readingsAgreeWithTheCaptionsTheyWereMadeFor() {
        int agree = 0;
        int n = 60;
        for (long seed = 0; seed < n; seed++) {
            Scene s = ToyWorld.randomScene(900_000 + seed, Split.HELD_OUT);
            if (PROBES.read(s.render(64)).agreesWith(s.caption())) {
                agree++;
            }
        }
        assertThat(agree).isGreaterThanOrEqualTo(n * 8 / 10);
        ProbeReading r = PROBES.read(ToyWorld.scene("a red dog in the snow", 3).render(64));
        assertThat(r.agreesWith(Caption.parse("a blue dog"))).isFalse();
    }

    @Test
    void diversitySeesCollapse() {
        List<ToyImage> varied = new ArrayList<>();
        List<ToyImage> oneSubject = new ArrayList<>();
        List<ToyImage> same = new ArrayList<>();
        Subject s = HELD_OUT.get(1);
        for (long seed = 0; seed < 12; seed++) {
            varied.add(ToyWorld.randomScene(950_000 + seed).render(64));
            oneSubject.add(s.scene(Caption.parse("a cat in the snow"), seed).render(64));
            same.add(ToyWorld.randomScene(950_000).render(64));
        }
        double dv = PROBES.diversity(varied);
        double ds = PROBES.diversity(oneSubject);
        assertThat(PROBES.diversity(same)).isCloseTo(0.0, org.assertj.core.data.Offset.offset(1e-6));
        assertThat(ds).isGreaterThan(0.0);
        assertThat(dv).isGreaterThan(1.4 * ds);
        assertThat(dv).isLessThanOrEqualTo(1.0);
        assertThatThrownBy(() -> PROBES.diversity(List.of(same.get(0))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least two");
    }

    @Test
    void oneLookIsTheReadingAndTheFeaturesOfItsImage() {
        for (int seed = 0; seed < 4; seed++) {
            ToyImage img = ToyWorld.randomScene(960_000 + seed).render(64);
            Probes.Look look = PROBES.look(img);
            assertThat(look.reading()).isEqualTo(PROBES.read(img));
            assertThat(look.features()).containsExactly(PROBES.features(img));
        }
    }

    @Test
    void probesAreDeterministicAndCarryTheirProvenance() {
        ToyImage img = ToyWorld.randomScene(5).render(64);
        assertThat(PROBES.probabilities(img)).containsExactly(PROBES.probabilities(img));
        assertThat(PROBES.features(img)).hasSize(1152);
        assertThat(PROBES.provenance()).containsKeys("command", "seed", "steps", "validation_clean_64_1000");
    }
}
