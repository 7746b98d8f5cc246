package dev.arbooth.toyworld.internal;

import dev.arbooth.toyworld.Degradation;
import dev.arbooth.toyworld.Probes;
import dev.arbooth.toyworld.Scene;
import dev.arbooth.toyworld.Split;
import dev.arbooth.toyworld.Subject;
import dev.arbooth.toyworld.ToyImage;
import dev.arbooth.toyworld.ToyWorld;
import java.util.ArrayList;
import java.util.List;

/** Measures the probes on fresh renders: per-question accuracy and the trait score's ROC-AUC. */
public final class ProbeValidation {
    /** Validation scenes of the validation command use seeds from here (training uses far larger ones). */
    public static final long VALIDATION_SEED_BASE = 0x2000_0000_0000_0000L;

    private ProbeValidation() {}

    /**
     * Accuracy of each head.
     *
     * @param correct correct answers per head
     * @param total labelled scenes per head (the secondary colour is unlabelled where it does not show)
     */
    public record Accuracy(long[] correct, long[] total) {
        /**
         * The accuracy of one head.
         *
         * @param head index into {@link ProbeNet#HEAD_NAMES}
         * @return correct / total
         */
        public double of(int head) {
            return total[head] == 0 ? Double.NaN : (double) correct[head] / total[head];
        }

        /**
         * The head accuracies as text.
         *
         * @return e.g. {@code class 0.991, context 1.000, …}
         */
        public String summary() {
            StringBuilder sb = new StringBuilder();
            for (int h = 0; h < ProbeNet.HEADS.length; h++) {
                sb.append(h == 0 ? "" : ", ").append(ProbeNet.HEAD_NAMES[h]).append(String.format(" %.3f", of(h)));
            }
            return sb.toString();
        }
    }

    /**
     * Reads {@code n} random scenes and counts correct answers.
     *
     * @param probes the probes
     * @param seedBase scene seeds are {@code seedBase .. seedBase + n − 1}
     * @param n how many scenes
     * @param size the render size
     * @param degradation applied to each render (seeded by the scene seed), or null for clean renders
     * @return the accuracies
     */
    public static Accuracy accuracy(Probes probes, long seedBase, int n, int size, Degradation degradation) {
        long[] correct = new long[ProbeNet.HEADS.length];
        long[] total = new long[ProbeNet.HEADS.length];
        for (int i = 0; i < n; i++) {
            Scene s = ToyWorld.randomScene(seedBase + i, Split.ALL);
            ToyImage img = s.render(size);
            if (degradation != null) {
                img = degradation.apply(img, seedBase + i);
            }
            int[] truth = ProbeTraining.labels(s);
            int[] got = answers(probes.probabilities(img));
            for (int h = 0; h < truth.length; h++) {
                if (truth[h] >= 0) {
                    total[h]++;
                    if (got[h] == truth[h]) {
                        correct[h]++;
                    }
                }
            }
        }
        return new Accuracy(correct, total);
    }

    /**
     * The correct answers for one scene (rendered at 64×64, clean).
     *
     * @param probes the probes
     * @param s the scene
     * @return per-head counts of one scene
     */
    public static Accuracy accuracy(Probes probes, Scene s) {
        long[] correct = new long[ProbeNet.HEADS.length];
        long[] total = new long[ProbeNet.HEADS.length];
        int[] truth = ProbeTraining.labels(s);
        int[] got = answers(probes.probabilities(s.render(64)));
        for (int h = 0; h < truth.length; h++) {
            if (truth[h] >= 0) {
                total[h]++;
                correct[h] += got[h] == truth[h] ? 1 : 0;
            }
        }
        return new Accuracy(correct, total);
    }

    /** The argmax of each head. */
    static int[] answers(double[] p) {
        int[] a = new int[ProbeNet.HEADS.length];
        for (int h = 0, off = 0; h < ProbeNet.HEADS.length; off += ProbeNet.HEADS[h], h++) {
            int best = 0;
            for (int i = 1; i < ProbeNet.HEADS[h]; i++) {
                if (p[off + i] > p[off + best]) {
                    best = i;
                }
            }
            a[h] = best;
        }
        return a;
    }

    /**
     * ROC-AUC of the trait score: the subject's photos against one photo each of {@code negatives} other
     * subjects of its class (ties count half).
     *
     * @param probes the probes
     * @param subject the subject
     * @param positives how many of its photos
     * @param negatives how many other instances
     * @param seed photo and instance seed
     * @param degradation applied to every image, or null
     * @return the AUC in [0, 1]
     */
    public static double traitAuc(
            Probes probes, Subject subject, int positives, int negatives, long seed, Degradation degradation) {
        List<Scene> pos = subject.photos(positives, seed);
        List<Scene> neg = new ArrayList<>();
        for (int i = 0; i < negatives; i++) {
            Subject other = ToyWorld.subject(subject.objectClass(), SplitMix64.mix(seed * 1000 + i + 1));
            neg.add(other.photos(1, seed + i).get(0));
        }
        return auc(scores(probes, pos, subject, degradation, seed), scores(probes, neg, subject, degradation, seed));
    }

    /**
     * Trait scores of scenes against a subject.
     *
     * @param probes the probes
     * @param scenes the scenes
     * @param subject whose traits are looked for
     * @param degradation applied to every render, or null
     * @param seed degradation seed base
     * @return one score per scene
     */
    public static double[] scores(
            Probes probes, List<Scene> scenes, Subject subject, Degradation degradation, long seed) {
        double[] out = new double[scenes.size()];
        for (int i = 0; i < out.length; i++) {
            ToyImage img = scenes.get(i).render(ToyWorld.DEFAULT_SIZE);
            if (degradation != null) {
                img = degradation.apply(img, seed + i);
            }
            out[i] = probes.traitScore(img, subject);
        }
        return out;
    }

    /**
     * ROC-AUC: the probability that a positive scores above a negative, ties counting half.
     *
     * @param pos scores of positives
     * @param neg scores of negatives
     * @return the AUC
     */
    public static double auc(double[] pos, double[] neg) {
        double wins = 0;
        for (double p : pos) {
            for (double q : neg) {
                wins += p > q ? 1 : (p == q ? 0.5 : 0);
            }
        }
        return wins / ((double) pos.length * neg.length);
    }
}
