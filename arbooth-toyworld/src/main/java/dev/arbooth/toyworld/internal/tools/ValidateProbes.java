package dev.arbooth.toyworld.internal.tools;

import dev.arbooth.internal.io.AtomicFiles;
import dev.arbooth.toyworld.Accessory;
import dev.arbooth.toyworld.Caption;
import dev.arbooth.toyworld.Context;
import dev.arbooth.toyworld.Degradation;
import dev.arbooth.toyworld.ObjectClass;
import dev.arbooth.toyworld.Probes;
import dev.arbooth.toyworld.Scene;
import dev.arbooth.toyworld.Split;
import dev.arbooth.toyworld.Subject;
import dev.arbooth.toyworld.ToyImage;
import dev.arbooth.toyworld.ToyWorld;
import dev.arbooth.toyworld.internal.ProbeNet;
import dev.arbooth.toyworld.internal.ProbeValidation;
import dev.arbooth.toyworld.internal.ProbeValidation.Accuracy;
import dev.arbooth.toyworld.internal.SplitMix64;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The probes' large validation on fresh seeds; writes the figures into {@code docs/toy-world.md} between
 * the markers {@code <!-- validation:begin -->} and {@code <!-- validation:end -->}.
 *
 * <p>Usage: {@code ValidateProbes [doc [scenes]]}, defaults {@code docs/toy-world.md}, 3000.
 */
public final class ValidateProbes {
    private static final String BEGIN = "<!-- validation:begin -->";
    private static final String END = "<!-- validation:end -->";

    private ValidateProbes() {}

    /**
     * Entry point.
     *
     * @param args optional markdown file and number of scenes
     */
    public static void main(String[] args) {
        Path doc = Paths.get(args.length > 0 ? args[0] : "docs/toy-world.md");
        int n = args.length > 1 ? Integer.parseInt(args[1]) : 3000;
        long t0 = System.nanoTime();
        Probes probes = Probes.bundled();
        long base = ProbeValidation.VALIDATION_SEED_BASE;
        Degradation vae = Degradation.vaeLike();
        StringBuilder md = new StringBuilder();
        md.append("Command: `ValidateProbes docs/toy-world.md ")
                .append(n)
                .append("` (see Commands). Scene seeds ")
                .append("from 2^61 (training uses seeds from 2^62), all combinations (`Split.ALL`) unless noted.\n\n");
        java.util.Map<String, String> prov = probes.provenance();
        md.append(String.format(
                Locale.ROOT,
                "Run %s on %s %s (%d processors visible), Java %s. Weights: %s steps of %s, seed %s, trained %s in %s"
                        + " min on %s thread(s) (`Probes.provenance()`).%n%n",
                java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MINUTES),
                System.getProperty("os.name"),
                System.getProperty("os.arch"),
                Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"),
                prov.get("steps"),
                prov.get("batch"),
                prov.get("seed"),
                prov.get("trained_at"),
                prov.get("training_minutes"),
                prov.get("threads")));
        md.append("| images | ");
        for (String h : ProbeNet.HEAD_NAMES) {
            md.append(h).append(" | ");
        }
        md.append('\n').append("|---|");
        for (int h = 0; h < ProbeNet.HEAD_NAMES.length; h++) {
            md.append("---|");
        }
        md.append('\n');
        row(md, n + " clean 64×64", ProbeValidation.accuracy(probes, base, n, 64, null));
        row(md, n + " degraded 64×64 (`Degradation.vaeLike()`)", ProbeValidation.accuracy(probes, base, n, 64, vae));
        row(md, n / 3 + " clean 128×128", ProbeValidation.accuracy(probes, base + n, n / 3, 128, null));
        row(
                md,
                n / 3 + " degraded 128×128 (factor 8, else as vaeLike)",
                ProbeValidation.accuracy(probes, base + n, n / 3, 128, new Degradation(8, 0.03, 0.03)));
        row(md, n / 3 + " clean 64×64, held-out combinations only", heldOut(probes, base + 2L * n, n / 3));
        md.append("\n(The secondary colour is scored only where it shows: a pattern or mark in a colour other "
                + "than the main one.)\n\n");
        md.append("Trait score ROC-AUC: each subject's 20 photos against one photo each of 100 other subjects of "
                + "its class; \"recontextualised\" uses 20 scenes of the subject asked for by random evaluation "
                + "captions instead (other colour, accessory, property, any of the 11 ViCo contexts).\n\n");
        md.append("| subjects | photos, clean | photos, degraded | recontextualised, clean |\n|---|---|---|---|\n");
        for (ObjectClass c : ObjectClass.values()) {
            double[] a = {1, 1, 1};
            double[] m = {0, 0, 0};
            int k = c.wearsAccessories() ? 6 : 2;
            for (int i = 0; i < k; i++) {
                // subject seeds from 6 000 000, photo seeds from 29: not the subjects (5 000 000…, 17…) on
                // which the trait score's form was chosen
                Subject s = ToyWorld.subject(c, 6_000_000L + 100L * c.ordinal() + i);
                double[] v = {
                    ProbeValidation.traitAuc(probes, s, 20, 100, 29 + i, null),
                    ProbeValidation.traitAuc(probes, s, 20, 100, 29 + i, vae),
                    recontextualisedAuc(probes, s, 29 + i)
                };
                for (int j = 0; j < 3; j++) {
                    a[j] = Math.min(a[j], v[j]);
                    m[j] += v[j] / k;
                }
            }
            md.append(String.format(
                    Locale.ROOT,
                    "| %d %s | mean %.3f, min %.3f | mean %.3f, min %.3f | mean %.3f, min %.3f |%n",
                    k,
                    c.word(),
                    m[0],
                    a[0],
                    m[1],
                    a[1],
                    m[2],
                    a[2]));
        }
        md.append("\nDiversity (mean pairwise `1 − cos` of the probe features), 24 images each: ");
        md.append(String.format(
                Locale.ROOT,
                "random scenes %.3f; one subject's photos %.3f; one subject, one caption (\"a dog in the snow\") %.3f; "
                        + "one scene rendered 24 times 0.000.%n",
                probes.diversity(images(i -> ToyWorld.randomScene(base + 9000 + i))),
                probes.diversity(images(
                        i -> ToyWorld.demoSubjects().get("dog1").photos(24, 5).get(i))),
                probes.diversity(images(
                        i -> ToyWorld.demoSubjects().get("dog1").scene(Caption.parse("a dog in the snow"), i)))));
        double psnr = 0;
        for (int i = 0; i < 200; i++) {
            ToyImage img = ToyWorld.randomScene(base + 20_000 + i).render(64);
            psnr += psnr(img, vae.apply(img, i)) / 200;
        }
        md.append(String.format(
                Locale.ROOT, "%n`Degradation.vaeLike()` costs %.1f dB PSNR on average (200 renders).%n", psnr));
        md.append(String.format(Locale.ROOT, "%nValidation took %.1f min.%n", (System.nanoTime() - t0) / 60e9));
        String text = md.toString();
        System.out.println(text);
        write(doc, text);
    }

    private static Accuracy heldOut(Probes probes, long base, int n) {
        long[] correct = new long[ProbeNet.HEADS.length];
        long[] total = new long[ProbeNet.HEADS.length];
        for (int i = 0; i < n; i++) {
            Scene s = ToyWorld.randomScene(base + i, Split.HELD_OUT);
            Accuracy one = ProbeValidation.accuracy(probes, s);
            for (int h = 0; h < correct.length; h++) {
                correct[h] += one.correct()[h];
                total[h] += one.total()[h];
            }
        }
        return new Accuracy(correct, total);
    }

    private static double recontextualisedAuc(Probes probes, Subject s, long seed) {
        List<Scene> pos = new ArrayList<>();
        SplitMix64 r = SplitMix64.of(seed, 0x52454354L);
        Context[] vico = java.util.Arrays.copyOf(Context.values(), 11);
        for (int i = 0; i < 20; i++) {
            Caption c = Caption.of(s.objectClass())
                    .withContext(vico[r.nextInt(vico.length)])
                    .withColour(r.chance(0.5) ? dev.arbooth.toyworld.Colour.values()[r.nextInt(10)] : null);
            if (s.objectClass().wearsAccessories() && r.chance(0.5)) {
                c = c.withAccessory(Accessory.values()[1 + r.nextInt(6)]);
            }
            if (r.chance(0.3)) {
                c = c.withProperty(
                        r.chance(0.5) ? dev.arbooth.toyworld.Property.SHINY : dev.arbooth.toyworld.Property.WET);
            }
            pos.add(s.scene(c, seed * 100 + i));
        }
        List<Scene> neg = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            Subject other = ToyWorld.subject(s.objectClass(), SplitMix64.mix(seed * 1000 + i + 1));
            neg.add(other.scene(Caption.of(s.objectClass()), seed + i));
        }
        return ProbeValidation.auc(
                ProbeValidation.scores(probes, pos, s, null, seed), ProbeValidation.scores(probes, neg, s, null, seed));
    }

    private static List<ToyImage> images(java.util.function.IntFunction<Scene> f) {
        List<ToyImage> out = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            out.add(f.apply(i).render(64));
        }
        return out;
    }

    private static double psnr(ToyImage a, ToyImage b) {
        byte[] x = a.bytes();
        byte[] y = b.bytes();
        double se = 0;
        for (int i = 0; i < x.length; i++) {
            double d = (x[i] & 0xFF) - (y[i] & 0xFF);
            se += d * d;
        }
        return 10 * Math.log10(255.0 * 255.0 / (se / x.length));
    }

    private static void row(StringBuilder md, String what, Accuracy a) {
        md.append("| ").append(what).append(" | ");
        for (int h = 0; h < ProbeNet.HEADS.length; h++) {
            md.append(String.format(Locale.ROOT, "%.1f %%", 100 * a.of(h))).append(" | ");
        }
        md.append('\n');
    }

    private static void write(Path doc, String section) {
        try {
            String old = Files.readString(doc, StandardCharsets.UTF_8);
            int i = old.indexOf(BEGIN);
            int j = old.indexOf(END);
            if (i < 0 || j < i) {
                throw new IllegalStateException(doc + " has no " + BEGIN + " … " + END + " section");
            }
            String updated = old.substring(0, i + BEGIN.length()) + "\n" + section + old.substring(j);
            AtomicFiles.write(doc, updated.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot update " + doc, e);
        }
    }
}
