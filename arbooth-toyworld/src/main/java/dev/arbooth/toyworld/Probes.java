package dev.arbooth.toyworld;

import dev.arbooth.toyworld.internal.ProbeInput;
import dev.arbooth.toyworld.internal.ProbeNet;
import dev.arbooth.toyworld.internal.ProbeWeights;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Reads toy-world images back: class, context, accessory, colour, property and traits, a subject's trait
 * score, and the diversity of a set of images. A small convolutional network trained by the project's own
 * code on fresh renders, half of them degraded like a small VAE's round trip ({@link Degradation}); its
 * weights ship with the module, with their training command, seed and validation figures in {@link
 * #provenance()} (and in {@code docs/toy-world.md}).
 *
 * <p>Images of any size are resampled to 64×64 first (area averaging). Immutable and thread-safe; the same
 * image gives the same answers on every JVM.
 */
public final class Probes {
    private static volatile Probes bundled;

    private final ProbeNet net;
    private final Map<String, String> provenance;

    private Probes(ProbeNet net, Map<String, String> provenance) {
        this.net = net;
        this.provenance = Collections.unmodifiableMap(provenance);
    }

    /**
     * The probes shipped with the module (loaded once).
     *
     * @return the bundled probes
     * @throws dev.arbooth.FormatException if the weights resource is missing or invalid
     */
    public static Probes bundled() {
        Probes p = bundled;
        if (p == null) {
            synchronized (Probes.class) {
                p = bundled;
                if (p == null) {
                    ProbeWeights.Loaded l = ProbeWeights.loadBundled();
                    p = new Probes(l.net(), l.metadata());
                    bundled = p;
                }
            }
        }
        return p;
    }

    /**
     * Probes with other weights (e.g. retrained ones).
     *
     * @param weights a safetensors file written by the probe trainer
     * @return the probes
     * @throws dev.arbooth.FormatException if a tensor is missing, extra or misshapen
     */
    public static Probes load(Path weights) {
        ProbeWeights.Loaded l = ProbeWeights.load(weights);
        return new Probes(l.net(), l.metadata());
    }

    /**
     * Where the weights come from: training command, seed, options, validation figures.
     *
     * @return the metadata stored with the weights
     */
    public Map<String, String> provenance() {
        return provenance;
    }

    /**
     * Reads an image.
     *
     * @param image the image, any size (64×64 or larger recommended)
     * @return the most probable answers
     */
    public ProbeReading read(ToyImage image) {
        return readingOf(probabilities(image));
    }

    /**
     * What one pass of the network over an image gives: {@link #read} and {@link #features} together, for the
     * price of one of them.
     *
     * @param reading the most probable answers ({@link #read})
     * @param features the unit-length feature vector ({@link #features})
     */
    public record Look(ProbeReading reading, float[] features) {
        /**
         * Validates.
         *
         * @param reading not null
         * @param features not null
         */
        public Look {
            Objects.requireNonNull(reading, "reading");
            Objects.requireNonNull(features, "features");
        }
    }

    /**
     * Reads an image and takes its feature vector in one pass of the network.
     *
     * @param image the image
     * @return what {@link #read} and {@link #features} return for it
     */
    public Look look(ToyImage image) {
        ProbeNet.Pass pass = pass(image);
        return new Look(readingOf(pass.probabilities()), unitLength(pass.features()));
    }

    private static ProbeReading readingOf(double[] p) {
        Traits traits = new Traits(
                Pattern.values()[argmax(p, 5)],
                Colour.values()[argmax(p, 6)],
                Build.values()[argmax(p, 7)],
                Mark.values()[argmax(p, 8)]);
        return new ProbeReading(
                ObjectClass.values()[argmax(p, 0)],
                Colour.values()[argmax(p, 3)],
                Property.values()[argmax(p, 4)],
                Accessory.values()[argmax(p, 2)],
                Context.values()[argmax(p, 1)],
                traits);
    }

    /**
     * How fully an image shows a subject's distinctive traits: for each of pattern, secondary colour, build
     * and mark the probability the network gives the subject's value, averaged over the image and its mirror
     * image (subjects are photographed facing either way), then the geometric mean of the four. In [0, 1]: 1
     * when all four traits certainly show, near 0 when any one is certainly missing (a soft "all traits
     * present", which separates a subject from other instances of its class better than the arithmetic mean,
     * see {@code docs/toy-world.md}).
     *
     * @param image the image
     * @param subject the subject
     * @return the trait score in [0, 1]
     */
    public double traitScore(ToyImage image, Subject subject) {
        return traitScore(image, subject.traits());
    }

    /**
     * The share of some traits an image shows (see {@link #traitScore(ToyImage, Subject)}).
     *
     * @param image the image
     * @param traits the traits looked for
     * @return the score in [0, 1]
     */
    public double traitScore(ToyImage image, Traits traits) {
        double[] p = probabilities(image);
        double[] q = probabilities(mirrored(image));
        int[] at = {
            offset(5) + traits.pattern().ordinal(),
            offset(6) + traits.secondary().ordinal(),
            offset(7) + traits.build().ordinal(),
            offset(8) + traits.mark().ordinal()
        };
        double logSum = 0;
        for (int i : at) {
            logSum += StrictMath.log(Math.max(0.5 * (p[i] + q[i]), 1e-9));
        }
        return Math.min(1.0, StrictMath.exp(logSum / at.length));
    }

    /** The image mirrored left to right. */
    private static ToyImage mirrored(ToyImage image) {
        int n = image.size();
        byte[] in = image.bytes();
        byte[] out = new byte[in.length];
        for (int y = 0; y < n; y++) {
            for (int x = 0; x < n; x++) {
                System.arraycopy(in, (y * n + (n - 1 - x)) * 3, out, (y * n + x) * 3, 3);
            }
        }
        return ToyImage.of(n, out);
    }

    /**
     * The network's feature vector of an image: the 1152 pooled activations of its last convolution (2×2
     * max pooling, global max and global mean), scaled to unit length (the space of {@link #diversity}).
     *
     * @param image the image
     * @return 1152 values with unit L2 norm (all zero if every activation is zero)
     */
    public float[] features(ToyImage image) {
        return unitLength(pass(image).features());
    }

    private static float[] unitLength(float[] f) {
        double s = 0;
        for (float v : f) {
            s += (double) v * v;
        }
        if (s > 0) {
            float inv = (float) (1 / Math.sqrt(s));
            for (int i = 0; i < f.length; i++) {
                f[i] *= inv;
            }
        }
        return f;
    }

    /**
     * The diversity of a set of images: the mean over all pairs of the cosine distance {@code 1 − cos}
     * between their {@linkplain #features feature vectors}. 0 for identical images; renders of different
     * random scenes score about 0.5 (see {@code docs/toy-world.md}); a collapsed generator scores near 0.
     *
     * @param images at least two images
     * @return the mean pairwise cosine distance, in [0, 1] (features are non-negative)
     * @throws IllegalArgumentException if fewer than two images are given
     */
    public double diversity(List<ToyImage> images) {
        Objects.requireNonNull(images, "images");
        if (images.size() < 2) {
            throw new IllegalArgumentException("Diversity needs at least two images, got " + images.size());
        }
        List<float[]> f = new ArrayList<>(images.size());
        for (ToyImage image : images) {
            f.add(features(image));
        }
        return diversityOf(f);
    }

    /**
     * {@link #diversity} of images whose {@linkplain #features feature vectors} are already at hand: the mean over all
     * pairs of {@code 1 − }{@link #similarity}.
     *
     * @param features at least two feature vectors of unit length
     * @return the mean pairwise cosine distance
     * @throws IllegalArgumentException if fewer than two are given
     */
    public static double diversityOf(List<float[]> features) {
        Objects.requireNonNull(features, "features");
        if (features.size() < 2) {
            throw new IllegalArgumentException("Diversity needs at least two images, got " + features.size());
        }
        double sum = 0;
        long pairs = 0;
        for (int i = 0; i < features.size(); i++) {
            for (int j = i + 1; j < features.size(); j++) {
                sum += 1 - similarity(features.get(i), features.get(j));
                pairs++;
            }
        }
        return sum / pairs;
    }

    /**
     * The cosine similarity of two {@linkplain #features feature vectors} (their dot product: both have unit
     * length).
     *
     * @param a a feature vector
     * @param b another of the same length
     * @return the similarity, in [0, 1] (features are non-negative)
     */
    public static double similarity(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("feature vectors of " + a.length + " and " + b.length + " values");
        }
        double dot = 0;
        for (int k = 0; k < a.length; k++) {
            dot += (double) a[k] * b[k];
        }
        return dot;
    }

    /**
     * The probabilities of all answers, head by head in the order class (10), context (15), accessory (7),
     * colour (10), property (3), pattern (5), secondary colour (10), build (3), mark (4), each in the
     * declaration order of its enum.
     *
     * @param image the image
     * @return 67 probabilities; each head's sum to 1
     */
    public double[] probabilities(ToyImage image) {
        return pass(image).probabilities();
    }

    private ProbeNet.Pass pass(ToyImage image) {
        Objects.requireNonNull(image, "image");
        ProbeNet.Pass pass = new ProbeNet.Pass();
        ProbeInput.fill(image, pass.input());
        net.forward(pass);
        return pass;
    }

    private static int offset(int head) {
        int o = 0;
        for (int i = 0; i < head; i++) {
            o += ProbeNet.HEADS[i];
        }
        return o;
    }

    private static int argmax(double[] p, int head) {
        int o = offset(head);
        int best = 0;
        for (int i = 1; i < ProbeNet.HEADS[head]; i++) {
            if (p[o + i] > p[o + best]) {
                best = i;
            }
        }
        return best;
    }
}
