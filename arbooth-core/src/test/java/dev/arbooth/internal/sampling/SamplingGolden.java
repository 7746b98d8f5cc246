package dev.arbooth.internal.sampling;

import dev.arbooth.config.ScaleSchedule;
import dev.arbooth.internal.format.SafeTensors;
import java.util.ArrayList;
import java.util.List;

/** Reads the per-scale golden tensors of {@code infinity-set1} used by the sampling tests. */
final class SamplingGolden {
    static final int D = 16;

    private SamplingGolden() {}

    /** The schedule stored in tf_inputs ({@code scale_schedule}, rows (t, h, w)). */
    static ScaleSchedule schedule(SafeTensors tfInputs) {
        return dev.arbooth.testing.Golden.schedule(tfInputs);
    }

    static List<long[]> perScaleLongs(SafeTensors st, String prefix, int scales) {
        List<long[]> out = new ArrayList<>();
        for (int k = 0; k < scales; k++) {
            out.add(st.get(prefix + k).toLongArray());
        }
        return out;
    }

    /** (B, d, H, W) to (B, H*W, d). */
    static float[] toTokens(float[] x_BdHW, int batch, int d, int hw) {
        float[] out = new float[x_BdHW.length];
        for (int b = 0; b < batch; b++) {
            for (int c = 0; c < d; c++) {
                for (int p = 0; p < hw; p++) {
                    out[(b * hw + p) * d + c] = x_BdHW[(b * d + c) * hw + p];
                }
            }
        }
        return out;
    }

    /** Max distance in ulps (of the expected value) between two arrays. */
    static double maxUlps(float[] expected, float[] actual) {
        double m = 0;
        for (int i = 0; i < expected.length; i++) {
            m = Math.max(m, Math.abs((double) expected[i] - actual[i]) / Math.ulp(expected[i]));
        }
        return m;
    }
}
