package dev.arbooth.train.internal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import dev.arbooth.ShapeMismatchException;
import dev.arbooth.config.Scale;
import dev.arbooth.config.ScaleSchedule;
import dev.arbooth.internal.sampling.Resize;
import java.util.Arrays;
import java.util.Objects;

/**
 * The multi-scale binary spherical quantizer as the VAE trains it (Infinity's {@code MultiScaleBSQ} with {@code
 * BSQ(new_quant=True)}), on DJL with gradients: the same forward values as the engine-free {@link
 * dev.arbooth.internal.nn.MultiScaleBsq} (up to float rounding of the resizes), plus the straight-through
 * estimator and the quantizer's auxiliary loss.
 *
 * <p>For features {@code f (N, d, H, W)}: {@code residual = f}, {@code z = 0}; per scale {@code k}: {@code r =
 * area(residual → (h_k, w_k))}; {@code x = r / ||r||} over the d channels; {@code ẑ = sign(x) / sqrt(d)};
 * {@code q = x + stopgrad(ẑ − x)} (forward value ẑ, gradient of the identity: the straight-through estimator);
 * {@code q↑ = bilinear(q → (H, W))}; {@code residual −= stopgrad(q↑)}; {@code z += q↑}. The decoder reads {@code z}.
 *
 * <p>The auxiliary loss of a scale is {@code commitment · mean((x − stopgrad(q))²) + entropy · (H_sample −
 * H_codebook) / invT}, with the per-bit soft assignment {@code p = sigmoid(−4 x invT / sqrt(d))}: {@code H_sample}
 * the mean over positions of the summed binary entropies of {@code p} (sharp per position), {@code H_codebook} the
 * summed binary entropies of {@code p} averaged over positions (every bit used both ways). The loss is the mean over
 * scales. Resizes are matrix products with fixed matrices computed from core's {@link Resize} kernels (area down,
 * channels-last trilinear up), so they are differentiable and equal those kernels up to float summation order.
 *
 * <p>Not thread-safe; the matrices live in the given manager.
 */
final class TrainableBsq {
    /** The weights of the quantizer's auxiliary loss (Infinity's defaults: 0.25, 0.1, 100). */
    record Weights(double commitment, double entropy, double inverseTemperature) {
        Weights {
            if (!(commitment >= 0) || !(entropy >= 0) || !(inverseTemperature > 0)) {
                throw new IllegalArgumentException("BSQ loss weights must be >= 0 and invT > 0, got commitment "
                        + commitment + ", entropy " + entropy + ", invT " + inverseTemperature);
            }
        }

        static Weights infinity() {
            return new Weights(0.25, 0.1, 100);
        }
    }

    /** What a forward pass gives: the summed codes for the decoder and the auxiliary loss terms. */
    record Output(NDArray z_NdHW, NDArray aux, NDArray commitment, NDArray entropyPenalty) {}

    private final int d;
    private final int height;
    private final int width;
    private final ScaleSchedule schedule;
    private final Weights weights;
    private final NDArray[] down;
    private final NDArray[] up;

    TrainableBsq(NDManager manager, int d, int height, int width, ScaleSchedule schedule, Weights weights) {
        this.d = d;
        this.height = height;
        this.width = width;
        this.schedule = Objects.requireNonNull(schedule, "schedule");
        this.weights = Objects.requireNonNull(weights, "weights");
        this.down = new NDArray[schedule.size()];
        this.up = new NDArray[schedule.size()];
        int hw = height * width;
        for (int k = 0; k < schedule.size(); k++) {
            Scale s = schedule.get(k);
            if (s.h() > height || s.w() > width) {
                throw new IllegalArgumentException(
                        "Scale " + s + " is larger than the " + height + "x" + width + " latent grid: " + schedule);
            }
            if (s.h() == height && s.w() == width) {
                continue;
            }
            down[k] =
                    owned(manager.create(matrix(Resize.AREA, height, width, s.h(), s.w()), new Shape(hw, s.tokens())));
            up[k] = owned(manager.create(
                    matrix(Resize.TRILINEAR_CHANNELS_LAST, s.h(), s.w(), height, width), new Shape(s.tokens(), hw)));
        }
    }

    /**
     * A copy in memory PyTorch allocated (aligned alike in every run): an array made from Java memory is a view of a
     * buffer whose alignment varies from run to run, and kernels' summation order can follow the alignment (runs
     * were not always bit-identical without this).
     */
    static NDArray owned(NDArray x) {
        NDArray copy = x.duplicate();
        x.close();
        return copy;
    }

    /**
     * The linear map of a resize as an {@code (inH·inW, outH·outW)} matrix: row {@code i} is the resize of the
     * one-hot image {@code i}.
     */
    static float[] matrix(Resize kind, int inH, int inW, int outH, int outW) {
        int in = inH * inW;
        int out = outH * outW;
        float[] eye = new float[in * in];
        for (int i = 0; i < in; i++) {
            eye[i * in + i] = 1f;
        }
        float[] m = new float[in * out];
        kind.apply(eye, in, inH, inW, m, outH, outW);
        return m;
    }

    /**
     * Quantizes features at every scale with the straight-through estimator.
     *
     * @param f_NdHW the encoder's raw features
     * @return the summed codes and the auxiliary loss (mean over scales)
     */
    Output forward(NDArray f_NdHW) {
        long[] s = f_NdHW.getShape().getShape();
        if (s.length != 4 || s[1] != d || s[2] != height || s[3] != width) {
            throw new ShapeMismatchException(
                    "BSQ input: expected (N, " + d + ", " + height + ", " + width + "), got " + Arrays.toString(s));
        }
        long n = s[0];
        int hw = height * width;
        float scale = (float) (1.0 / Math.sqrt(d));
        NDArray residual = f_NdHW;
        NDArray z = null;
        NDArray commitment = null;
        NDArray entropy = null;
        for (int k = 0; k < schedule.size(); k++) {
            Scale sc = schedule.get(k);
            NDArray r = down[k] == null
                    ? residual
                    : residual.reshape(n * d, hw).matMul(down[k]).reshape(n, d, sc.h(), sc.w());
            // sqrt(sum r² + 1e-12), not norm(): the norm's backward is NaN at a zero vector (0/0), even under a max
            // with eps; the floor 1e-6 (inference: 1e-12) bounds the gradient 1/|r| of a vanishing residual and never
            // changes a sign, so the bits equal the inference path's
            NDArray x = r.div(
                    r.square().sum(new int[] {1}, true).add(scalar(r, 1e-12f)).sqrt());
            NDArray zhat = x.gt(0f)
                    .toType(DataType.FLOAT32, false)
                    .mul(scalar(x, 2 * scale))
                    .sub(scalar(x, scale));
            NDArray q = x.add(zhat.sub(x).stopGradient());
            NDArray c = x.sub(q.stopGradient()).square().mean();
            NDArray e = entropyPenalty(x);
            commitment = commitment == null ? c : commitment.add(c);
            entropy = entropy == null ? e : entropy.add(e);
            NDArray qUp = up[k] == null
                    ? q
                    : q.reshape(n * d, sc.tokens()).matMul(up[k]).reshape(n, d, height, width);
            residual = residual.sub(qUp.stopGradient());
            z = z == null ? qUp : z.add(qUp);
        }
        float scales = schedule.size();
        commitment = commitment.div(scalar(commitment, scales));
        entropy = entropy.div(scalar(entropy, scales));
        NDArray aux = commitment
                .mul(scalar(commitment, (float) weights.commitment()))
                .add(entropy.mul(scalar(entropy, (float) (weights.entropy() / weights.inverseTemperature()))));
        return new Output(z, aux, commitment, entropy);
    }

    /** {@code H_sample − H_codebook} of the soft bit assignments of {@code x (N, d, h, w)}. */
    private NDArray entropyPenalty(NDArray x) {
        float k = (float) (-4 * weights.inverseTemperature() / Math.sqrt(d));
        NDArray p = Activation.sigmoid(x.mul(scalar(x, k)));
        NDArray perSample = binaryEntropy(p).sum(new int[] {1}).mean();
        NDArray avg = p.transpose(1, 0, 2, 3).reshape(d, -1).mean(new int[] {1});
        NDArray codebook = binaryEntropy(avg).sum();
        return perSample.sub(codebook);
    }

    private static NDArray binaryEntropy(NDArray p) {
        NDArray q = p.neg().add(scalar(p, 1f));
        return p.mul(p.add(scalar(p, 1e-8f)).log())
                .add(q.mul(q.add(scalar(q, 1e-8f)).log()))
                .neg();
    }

    /**
     * A 0-dim constant in {@code like}'s manager, alive until that manager closes. Never {@code x.mul(float)} and its
     * kin in a trained graph: DJL frees the temporary scalar when the op returns while PyTorch keeps it for the
     * backward pass (see {@code DjlScalarLifetimeTest}).
     */
    private static NDArray scalar(NDArray like, float v) {
        return like.getManager().create(v);
    }
}
