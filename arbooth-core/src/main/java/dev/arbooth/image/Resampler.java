package dev.arbooth.image;

/**
 * Scales an image so that it covers the target and centre-crops it, on float arrays, in the sRGB-encoded
 * domain (as PIL, torchvision and OpenCV do).
 *
 * <p>Filter: when shrinking, <b>area averaging</b> — each output pixel is the mean of the source area it
 * covers, partially covered source pixels weighted by their exact fractional coverage (OpenCV's
 * {@code INTER_AREA}, PyTorch's {@code interpolate(mode="area")} for integer ratios). It is antialiased at
 * every ratio in one pass, preserves the mean colour exactly, and copies pixels unchanged at ratio 1. When
 * enlarging (an image smaller than the target but at least {@link ImageOptions#minSide()}), <b>bilinear</b>
 * interpolation with half-pixel centres ({@code align_corners=False}). Both axes use the same scale, so the
 * aspect ratio is kept.
 *
 * <p>Crop: as "resize to whole pixels, {@code L = round(length · scale)}, then crop at
 * {@code floor((L - out) / 2)}" — the weights themselves use the exact scale. The crop is chosen in the
 * displayed frame (after EXIF orientation) and mapped back onto the stored pixels (a mirrored axis takes the
 * opposite margin), so the stored image is resampled once and only the small result is rotated or mirrored,
 * with the same result as rotating first.
 */
final class Resampler {
    private Resampler() {}

    /**
     * Source taps of one axis: output {@code i} is {@code sum_k weights[i*taps + k] * src[start[i] + k]} for
     * {@code k < count[i]}.
     */
    static final class AxisWeights {
        final int taps;
        final int[] start;
        final int[] count;
        final float[] weights;

        private AxisWeights(int outLen, int taps) {
            this.taps = taps;
            this.start = new int[outLen];
            this.count = new int[outLen];
            this.weights = new float[outLen * taps];
        }

        /** The first source index used. */
        int first() {
            int f = Integer.MAX_VALUE;
            for (int s : start) {
                f = Math.min(f, s);
            }
            return f;
        }

        /** One past the last source index used. */
        int end() {
            int e = 0;
            for (int i = 0; i < start.length; i++) {
                e = Math.max(e, start[i] + count[i]);
            }
            return e;
        }

        /**
         * Weights of one axis.
         *
         * @param srcLen source pixels along the axis
         * @param outLen output pixels
         * @param scale output pixels per source pixel
         * @param srcOffset where output pixel 0 begins, in source pixels
         * @return the weights
         */
        static AxisWeights of(int srcLen, int outLen, double scale, double srcOffset) {
            double step = 1.0 / scale;
            if (scale > 1.0) {
                AxisWeights w = new AxisWeights(outLen, 2);
                for (int i = 0; i < outLen; i++) {
                    double centre = srcOffset + (i + 0.5) * step - 0.5;
                    int j0 = (int) Math.floor(centre);
                    float f = (float) (centre - j0);
                    if (j0 < 0 || j0 >= srcLen - 1) {
                        w.start[i] = j0 < 0 ? 0 : srcLen - 1;
                        w.count[i] = 1;
                        w.weights[2 * i] = 1f;
                    } else {
                        w.start[i] = j0;
                        w.count[i] = 2;
                        w.weights[2 * i] = 1f - f;
                        w.weights[2 * i + 1] = f;
                    }
                }
                return w;
            }
            int taps = (int) Math.ceil(step) + 1;
            AxisWeights w = new AxisWeights(outLen, taps);
            float[] tmp = new float[taps];
            for (int i = 0; i < outLen; i++) {
                double a = Math.max(0.0, srcOffset + i * step);
                double b = Math.min(srcLen, srcOffset + (i + 1) * step);
                int j0 = Math.min((int) Math.floor(a), srcLen - 1);
                int j1 = Math.max(j0 + 1, Math.min((int) Math.ceil(b), srcLen));
                double len = b - a;
                int n = 0;
                for (int j = j0; j < j1; j++) {
                    double overlap = Math.min(b, j + 1.0) - Math.max(a, j);
                    tmp[n++] = len > 0 ? (float) (overlap / len) : 1f;
                }
                w.set(i, j0, tmp, n);
            }
            return w;
        }

        private void set(int i, int s, float[] ws, int n) {
            start[i] = s;
            count[i] = n;
            System.arraycopy(ws, 0, weights, i * taps, n);
        }
    }

    /**
     * Scales the displayed image to cover {@code outH × outW} and centre-crops it.
     *
     * @param rows the stored pixels
     * @param orientation how the stored pixels are displayed
     * @param outH target rows
     * @param outW target columns
     * @return displayed-frame planes {@code [3, outH, outW]} (R, G, B) in [0, 1]
     */
    static float[] coverCrop(SrgbRows rows, Orientation orientation, int outH, int outW) {
        int sw = rows.width();
        int sh = rows.height();
        boolean t = orientation.transposes();
        int dw = t ? sh : sw;
        int dh = t ? sw : sh;
        double scale = Math.max((double) outH / dh, (double) outW / dw);
        // 1. the crop in the displayed frame, in output pixels: resized lengths rounded to whole pixels
        long rh = Math.round(dh * scale);
        long rw = Math.round(dw * scale);
        long offY = Math.max(0, (rh - outH) / 2);
        long offX = Math.max(0, (rw - outW) / 2);
        // 2. the same crop seen from the stored frame: a flipped axis takes the other margin, measured on the
        //    exactly scaled length so that the window is the mirror image of the displayed one
        int th = t ? outW : outH;
        int tw = t ? outH : outW;
        double storedOffY = t ? offX : offY;
        double storedOffX = t ? offY : offX;
        if (orientation.flipsStoredY()) {
            storedOffY = Math.max(0.0, sh * scale - th - storedOffY);
        }
        if (orientation.flipsStoredX()) {
            storedOffX = Math.max(0.0, sw * scale - tw - storedOffX);
        }
        // 3. resample the stored pixels once, then orient the small result
        AxisWeights wy = AxisWeights.of(sh, th, scale, storedOffY / scale);
        AxisWeights wx = AxisWeights.of(sw, tw, scale, storedOffX / scale);
        float[] stored = resample(rows, wy, wx);
        return orientation.apply(stored, 3, th, tw);
    }

    /** Separable resampling: rows first (only the source rows and columns that are used), then columns. */
    static float[] resample(SrgbRows rows, AxisWeights wy, AxisWeights wx) {
        int outH = wy.start.length;
        int outW = wx.start.length;
        int y0 = wy.first();
        int nRows = wy.end() - y0;
        int x0 = wx.first();
        int nCols = wx.end() - x0;
        float[] r = new float[nCols];
        float[] g = new float[nCols];
        float[] b = new float[nCols];
        // 1. horizontal pass: [3, nRows, outW]
        int planeMid = nRows * outW;
        float[] mid = new float[3 * planeMid];
        for (int yy = 0; yy < nRows; yy++) {
            rows.read(y0 + yy, x0, nCols, r, g, b);
            int base = yy * outW;
            for (int i = 0; i < outW; i++) {
                int s = wx.start[i] - x0;
                int wOff = i * wx.taps;
                float ar = 0;
                float ag = 0;
                float ab = 0;
                for (int k = 0, n = wx.count[i]; k < n; k++) {
                    float w = wx.weights[wOff + k];
                    ar += w * r[s + k];
                    ag += w * g[s + k];
                    ab += w * b[s + k];
                }
                mid[base + i] = ar;
                mid[planeMid + base + i] = ag;
                mid[2 * planeMid + base + i] = ab;
            }
        }
        // 2. vertical pass: [3, outH, outW]
        int planeOut = outH * outW;
        float[] out = new float[3 * planeOut];
        for (int c = 0; c < 3; c++) {
            int midC = c * planeMid;
            int outC = c * planeOut;
            for (int o = 0; o < outH; o++) {
                int s = wy.start[o] - y0;
                int wOff = o * wy.taps;
                int dst = outC + o * outW;
                for (int k = 0, n = wy.count[o]; k < n; k++) {
                    float w = wy.weights[wOff + k];
                    int src = midC + (s + k) * outW;
                    for (int i = 0; i < outW; i++) {
                        out[dst + i] += w * mid[src + i];
                    }
                }
            }
        }
        return out;
    }
}
