package dev.arbooth.toyworld.internal;

/**
 * The probes' network: a small convolutional net with one linear head per question, in plain Java
 * (float32, fixed loop order, single-threaded: the same outputs on every JVM).
 *
 * <pre>
 * x_3×64×64 ─conv 5×5/2 (16)─ReLU─maxpool 2─► 16×16×16 ─conv 3×3 (32)─ReLU─maxpool 2─► 32×8×8
 *           ─conv 3×3 (64)─ReLU─► a3_64×8×8 ─┬ maxpool 2 ─► 1024 (64×4×4: where)
 *                                            ├ global max ─► 64 (whether, anywhere)
 *                                            └ global mean ─► 64 (how much)
 *           features_1152 ─┬──────────────── linear ─┬─► logits_67
 *                          └ linear─ReLU─► hidden_128 ─ linear ─┘ (summed)
 * </pre>
 *
 * The 67 logits are nine softmax groups ({@link #HEADS}): class 10, context 15, accessory 7, colour 10,
 * property 3, pattern 5, secondary colour 10, build 3, mark 4. Inputs are RGB in [-1, 1], 64×64.
 */
public final class ProbeNet {
    /** Input side. */
    public static final int SIZE = 64;
    /** Feature width (the diversity measure's space). */
    public static final int FEATURES = 1152;
    /** Hidden units between the features and the heads. */
    public static final int HIDDEN = 128;
    /** Head names, in logit order. */
    public static final String[] HEAD_NAMES = {
        "class", "context", "accessory", "colour", "property", "pattern", "secondary", "build", "mark"
    };
    /** Head sizes, in logit order. */
    public static final int[] HEADS = {10, 15, 7, 10, 3, 5, 10, 3, 4};
    /** Total logits. */
    public static final int LOGITS = 67;

    static final int C1 = 16;
    static final int C2 = 32;
    static final int C3 = 64;

    // parameters: conv weights [out][in][k][k], biases, head weights [LOGITS][FEATURES]
    final float[] w1 = new float[C1 * 3 * 25];
    final float[] b1 = new float[C1];
    final float[] w2 = new float[C2 * C1 * 9];
    final float[] b2 = new float[C2];
    final float[] w3 = new float[C3 * C2 * 9];
    final float[] b3 = new float[C3];
    final float[] wf = new float[HIDDEN * FEATURES];
    final float[] bf = new float[HIDDEN];
    final float[] wh = new float[LOGITS * HIDDEN];
    final float[] bh = new float[LOGITS];
    final float[] wd = new float[LOGITS * FEATURES];

    /** The parameter arrays in a fixed order (for saving, loading and optimizers). */
    float[][] parameters() {
        return new float[][] {w1, b1, w2, b2, w3, b3, wf, bf, wh, bh, wd};
    }

    /** Names of {@link #parameters()}, in order. */
    static final String[] PARAMETER_NAMES = {
        "conv1.weight",
        "conv1.bias",
        "conv2.weight",
        "conv2.bias",
        "conv3.weight",
        "conv3.bias",
        "hidden.weight",
        "hidden.bias",
        "head.weight",
        "head.bias",
        "direct.weight"
    };

    /** Shapes of {@link #parameters()}, in order. */
    static final long[][] PARAMETER_SHAPES = {
        {C1, 3, 5, 5},
        {C1},
        {C2, C1, 3, 3},
        {C2},
        {C3, C2, 3, 3},
        {C3},
        {HIDDEN, FEATURES},
        {HIDDEN},
        {LOGITS, HIDDEN},
        {LOGITS},
        {LOGITS, FEATURES}
    };

    /** He-normal initialisation from a seed; biases zero. */
    void initialise(long seed) {
        SplitMix64 r = SplitMix64.of(seed, 0x494E4954L);
        fill(w1, Math.sqrt(2.0 / (3 * 25)), r);
        fill(w2, Math.sqrt(2.0 / (C1 * 9)), r);
        fill(w3, Math.sqrt(2.0 / (C2 * 9)), r);
        fill(wf, Math.sqrt(2.0 / FEATURES), r);
        fill(wh, Math.sqrt(0.5 / HIDDEN), r);
        fill(wd, Math.sqrt(0.5 / FEATURES), r);
    }

    private static void fill(float[] w, double std, SplitMix64 r) {
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) (r.gaussian() * std);
        }
    }

    /** Activations of one forward pass, kept for the backward pass. */
    public static final class Pass {
        final float[] x = new float[3 * SIZE * SIZE];
        final float[] a1 = new float[C1 * 32 * 32];
        final float[] p1 = new float[C1 * 16 * 16];
        final int[] i1 = new int[C1 * 16 * 16];
        final float[] a2 = new float[C2 * 16 * 16];
        final float[] p2 = new float[C2 * 8 * 8];
        final int[] i2 = new int[C2 * 8 * 8];
        final float[] a3 = new float[C3 * 8 * 8];
        final float[] f = new float[FEATURES];
        final int[] i3 = new int[C3 * 16];
        final int[] imax = new int[C3];
        final float[] h = new float[HIDDEN];
        final float[] logits = new float[LOGITS];

        /**
         * The input buffer to fill before {@link #forward}.
         *
         * @return 3·64·64 values, channel-major, in [-1, 1]
         */
        public float[] input() {
            return x;
        }

        /**
         * The pooled features after {@link #forward}.
         *
         * @return a copy of the 1152 features
         */
        public float[] features() {
            return f.clone();
        }

        /**
         * The per-head softmax probabilities after {@link #forward}.
         *
         * @return 67 probabilities
         */
        public double[] probabilities() {
            double[] p = new double[LOGITS];
            for (int h = 0, off = 0; h < HEADS.length; off += HEADS[h], h++) {
                softmax(logits, off, HEADS[h], p);
            }
            return p;
        }
    }

    /**
     * Runs the network on the pass's input, filling its other fields.
     *
     * @param p the pass
     */
    public void forward(Pass p) {
        conv(p.x, 3, SIZE, w1, b1, C1, 5, 2, 2, p.a1, 32);
        relu(p.a1);
        pool(p.a1, C1, 32, p.p1, p.i1);
        conv(p.p1, C1, 16, w2, b2, C2, 3, 1, 1, p.a2, 16);
        relu(p.a2);
        pool(p.a2, C2, 16, p.p2, p.i2);
        conv(p.p2, C2, 8, w3, b3, C3, 3, 1, 1, p.a3, 8);
        relu(p.a3);
        pool(p.a3, C3, 8, p.f, p.i3);
        for (int c = 0; c < C3; c++) {
            int base = c * 64;
            int best = base;
            float sum = 0;
            for (int q = base; q < base + 64; q++) {
                if (p.a3[q] > p.a3[best]) {
                    best = q;
                }
                sum += p.a3[q];
            }
            p.imax[c] = best;
            p.f[C3 * 16 + c] = p.a3[best];
            p.f[C3 * 17 + c] = sum / 64;
        }
        for (int o = 0; o < HIDDEN; o++) {
            float s = bf[o];
            int row = o * FEATURES;
            for (int k = 0; k < FEATURES; k++) {
                s += wf[row + k] * p.f[k];
            }
            p.h[o] = s > 0 ? s : 0;
        }
        for (int o = 0; o < LOGITS; o++) {
            float s = bh[o];
            int row = o * HIDDEN;
            for (int k = 0; k < HIDDEN; k++) {
                s += wh[row + k] * p.h[k];
            }
            int drow = o * FEATURES;
            for (int k = 0; k < FEATURES; k++) {
                s += wd[drow + k] * p.f[k];
            }
            p.logits[o] = s;
        }
    }

    /**
     * The side of one phase plane of a padded input: the input, padded by {@code pad}, split into {@code s²}
     * phases (rows and columns by their remainder mod s), each {@code side} wide and {@code side + 1} high.
     * A stride-s convolution then reads each phase with stride 1 along one contiguous run per kernel tap.
     */
    static int phaseSide(int n, int k, int s, int pad, int m) {
        int kk = (k + s - 1) / s;
        return Math.max((n + 2 * pad + s - 1) / s, m + kk - 1);
    }

    /** Copies {@code in} (cin × n × n) into the phase layout (cin × s × s × (side + 1) × side), zero padded. */
    static float[] phases(float[] in, int cin, int n, int s, int pad, int side) {
        int ph = (side + 1) * side;
        float[] out = new float[cin * s * s * ph];
        for (int c = 0; c < cin; c++) {
            for (int y = 0; y < n; y++) {
                int py = (y + pad) % s;
                int ry = (y + pad) / s;
                for (int x = 0; x < n; x++) {
                    int px = (x + pad) % s;
                    int rx = (x + pad) / s;
                    out[((c * s + py) * s + px) * ph + ry * side + rx] = in[(c * n + y) * n + x];
                }
            }
        }
        return out;
    }

    /**
     * A convolution with zero padding: {@code out[co][oy][ox] = b[co] + Σ w[co][ci][ky][kx] ·
     * in[ci][oy·s + ky − pad][ox·s + kx − pad]}. Computed on a "wide" output of {@code side} columns (the
     * extra ones discarded) so that every kernel tap is one contiguous multiply-add run.
     */
    static void conv(
            float[] in, int cin, int n, float[] w, float[] b, int cout, int k, int s, int pad, float[] out, int m) {
        int side = phaseSide(n, k, s, pad, m);
        int ph = (side + 1) * side;
        float[] p = phases(in, cin, n, s, pad, side);
        int run = m * side;
        float[] wide = new float[run];
        for (int co = 0; co < cout; co++) {
            java.util.Arrays.fill(wide, 0f);
            for (int ci = 0; ci < cin; ci++) {
                int wb = (co * cin + ci) * k * k;
                for (int ky = 0; ky < k; ky++) {
                    for (int kx = 0; kx < k; kx++) {
                        float wv = w[wb + ky * k + kx];
                        int src = ((ci * s + ky % s) * s + kx % s) * ph + (ky / s) * side + kx / s;
                        for (int q = 0; q < run; q++) {
                            wide[q] += wv * p[src + q];
                        }
                    }
                }
            }
            int ob = co * m * m;
            for (int oy = 0; oy < m; oy++) {
                for (int ox = 0; ox < m; ox++) {
                    out[ob + oy * m + ox] = wide[oy * side + ox] + b[co];
                }
            }
        }
    }

    /**
     * The gradients of {@link #conv}: {@code dW += Σ dOut · in}, {@code dB += Σ dOut}, and, if {@code dIn} is
     * not null, {@code dIn += Σ w · dOut}.
     */
    static void convBackward(
            float[] in,
            int cin,
            int n,
            float[] w,
            int cout,
            int k,
            int s,
            int pad,
            float[] dOut,
            int m,
            float[] dW,
            float[] dB,
            float[] dIn) {
        int side = phaseSide(n, k, s, pad, m);
        int ph = (side + 1) * side;
        float[] p = phases(in, cin, n, s, pad, side);
        float[] dp = dIn == null ? null : new float[p.length];
        int run = m * side;
        float[] wide = new float[run];
        for (int co = 0; co < cout; co++) {
            int ob = co * m * m;
            float sb = 0;
            for (int oy = 0; oy < m; oy++) {
                for (int ox = 0; ox < m; ox++) {
                    float d = dOut[ob + oy * m + ox];
                    wide[oy * side + ox] = d;
                    sb += d;
                }
            }
            dB[co] += sb;
            for (int ci = 0; ci < cin; ci++) {
                int wb = (co * cin + ci) * k * k;
                for (int ky = 0; ky < k; ky++) {
                    for (int kx = 0; kx < k; kx++) {
                        int src = ((ci * s + ky % s) * s + kx % s) * ph + (ky / s) * side + kx / s;
                        float g = 0;
                        for (int q = 0; q < run; q++) {
                            g += wide[q] * p[src + q];
                        }
                        dW[wb + ky * k + kx] += g;
                        if (dp != null) {
                            float wv = w[wb + ky * k + kx];
                            for (int q = 0; q < run; q++) {
                                dp[src + q] += wv * wide[q];
                            }
                        }
                    }
                }
            }
        }
        if (dIn != null) {
            for (int c = 0; c < cin; c++) {
                for (int y = 0; y < n; y++) {
                    int py = (y + pad) % s;
                    int ry = (y + pad) / s;
                    for (int x = 0; x < n; x++) {
                        int px = (x + pad) % s;
                        int rx = (x + pad) / s;
                        dIn[(c * n + y) * n + x] += dp[((c * s + py) * s + px) * ph + ry * side + rx];
                    }
                }
            }
        }
    }

    static void relu(float[] a) {
        for (int i = 0; i < a.length; i++) {
            if (a[i] < 0) {
                a[i] = 0;
            }
        }
    }

    /** 2×2 max pooling per channel; {@code idx} records the winning input index. */
    static void pool(float[] in, int c, int n, float[] out, int[] idx) {
        int m = n / 2;
        for (int ch = 0; ch < c; ch++) {
            int ib = ch * n * n;
            int ob = ch * m * m;
            for (int y = 0; y < m; y++) {
                for (int x = 0; x < m; x++) {
                    int q = ib + 2 * y * n + 2 * x;
                    int best = q;
                    if (in[q + 1] > in[best]) {
                        best = q + 1;
                    }
                    if (in[q + n] > in[best]) {
                        best = q + n;
                    }
                    if (in[q + n + 1] > in[best]) {
                        best = q + n + 1;
                    }
                    out[ob + y * m + x] = in[best];
                    idx[ob + y * m + x] = best;
                }
            }
        }
    }

    /** Softmax of one head's logits into {@code out[from .. from + size)}. */
    static void softmax(float[] logits, int from, int size, double[] out) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < size; i++) {
            max = Math.max(max, logits[from + i]);
        }
        double sum = 0;
        for (int i = 0; i < size; i++) {
            out[from + i] = StrictMath.exp(logits[from + i] - max);
            sum += out[from + i];
        }
        for (int i = 0; i < size; i++) {
            out[from + i] /= sum;
        }
    }

    /** Offset of head {@code h} in the logits. */
    static int offset(int h) {
        int o = 0;
        for (int i = 0; i < h; i++) {
            o += HEADS[i];
        }
        return o;
    }
}
