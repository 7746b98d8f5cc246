package dev.arbooth.testing;

import dev.arbooth.config.ScaleSchedule;
import dev.arbooth.internal.format.SafeTensors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * Locates {@code ../shared} (the golden tensors and the ViCo photos). Tests that need it fail, never
 * skip, when it is missing: the build sets {@code arbooth.shared.dir}; otherwise {@code ../shared} is
 * searched upwards from the working directory.
 */
public final class Golden {
    private Golden() {}

    /** The {@code shared/} directory beside the project. */
    public static Path shared() {
        String prop = System.getProperty("arbooth.shared.dir");
        if (prop != null && Files.isDirectory(Paths.get(prop, "golden"))) {
            return Paths.get(prop).toAbsolutePath().normalize();
        }
        for (Path dir = Paths.get("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolveSibling("shared");
            if (Files.isDirectory(candidate.resolve("golden"))) {
                return candidate.normalize();
            }
        }
        throw new AssertionError("../shared (golden tensors, ViCo photos) not found: arbooth.shared.dir=" + prop
                + ", working directory " + Paths.get("").toAbsolutePath());
    }

    /** A file under {@code shared/golden/}, which must exist. */
    public static Path golden(String relative) {
        Path p = shared().resolve("golden").resolve(relative);
        if (!Files.exists(p)) {
            throw new AssertionError("golden file missing: " + p);
        }
        return p;
    }

    /** A file under {@code shared/vico/}, which must exist. */
    public static Path vico(String relative) {
        Path p = shared().resolve("vico").resolve(relative);
        if (!Files.exists(p)) {
            throw new AssertionError("ViCo file missing: " + p);
        }
        return p;
    }

    /** Opens a golden safetensors file, e.g. {@code infinity-set1/tf_inputs.safetensors}. */
    public static SafeTensors open(String relative) {
        return SafeTensors.open(golden(relative));
    }

    /** How many positions of two equal-length arrays differ (sampled bits against the golden ones). */
    public static long mismatches(long[] expected, long[] actual) {
        if (expected.length != actual.length) {
            throw new AssertionError("length " + expected.length + " != " + actual.length);
        }
        long n = 0;
        for (int i = 0; i < expected.length; i++) {
            if (expected[i] != actual[i]) {
                n++;
            }
        }
        return n;
    }

    /** Max abs difference of two equal-length arrays. */
    public static double maxAbsDiff(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new AssertionError("length " + a.length + " != " + b.length);
        }
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            double d = Math.abs((double) a[i] - b[i]);
            if (Double.isNaN(d)) {
                return Double.NaN;
            }
            m = Math.max(m, d);
        }
        return m;
    }

    /**
     * The scale schedule stored in {@code tf_inputs} ({@code scale_schedule}, rows (t, h, w); images have
     * t = 1 at every scale, which is checked).
     */
    public static ScaleSchedule schedule(SafeTensors tfInputs) {
        long[] rows = tfInputs.get("scale_schedule").toLongArray();
        int[][] hw = new int[rows.length / 3][];
        for (int k = 0; k < hw.length; k++) {
            if (rows[3 * k] != 1) {
                throw new AssertionError("time axis of scale " + k + " is " + rows[3 * k] + ", expected 1");
            }
            hw[k] = new int[] {(int) rows[3 * k + 1], (int) rows[3 * k + 2]};
        }
        return ScaleSchedule.of(hw);
    }
}
