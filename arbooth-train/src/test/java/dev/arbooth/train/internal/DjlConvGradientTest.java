package dev.arbooth.train.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.arbooth.internal.format.StateDict;
import dev.arbooth.tensor.Tensor;
import dev.arbooth.train.testing.TestArrays;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The gradients of {@link DjlOps#conv2d} by the adjoint identities of a linear map: with {@code y = conv(x, w)} (no
 * bias) and any upstream gradient {@code u}, the input gradient satisfies {@code ⟨dx, x⟩ = ⟨y, u⟩} and the weight
 * gradient {@code ⟨dw, w⟩ = ⟨y, u⟩}. Checked on the bundled VAE's convolution shapes and on few output channels,
 * where libtorch 2.7.1's CPU backward alone gets the input gradient wrong (3 channels: ⟨dx, x⟩ off by 10–90 %); the
 * inner products are accumulated in double, the tolerance is 1e-4 of ⟨y, u⟩'s scale.
 */
class DjlConvGradientTest {
    private NDManager manager;
    private DjlOps ops;

    @BeforeEach
    void setUp() {
        manager = DjlEngine.pytorch(1).newBaseManager();
        ops = DjlOps.create(manager, StateDict.of(Map.of("unused", Tensor.ofFloats(new float[] {0}, 1))));
    }

    @AfterEach
    void tearDown() {
        ops.close();
    }

    @ParameterizedTest(name = "{0} -> {1} channels, kernel {2}, stride {3}, padding {4}, {5}x{5}")
    @CsvSource({
        // the decoder's last convolution (the case libtorch gets wrong), then other few-channel cases
        "32, 3, 3, 1, 1, 32",
        "32, 4, 3, 1, 1, 16",
        "32, 8, 1, 1, 0, 16",
        "64, 15, 3, 1, 1, 8",
        // the encoder's first convolution, a down-sampling one, a wide one, a 1x1 one
        "3, 32, 3, 1, 1, 32",
        "32, 32, 3, 2, 1, 16",
        "64, 64, 3, 1, 1, 8",
        "64, 32, 1, 1, 0, 8"
    })
    void inputAndWeightGradientsSatisfyTheAdjointIdentities(
            int in, int out, int kernel, int stride, int padding, int side) {
        int n = 2;
        float[] xs = TestArrays.gaussian(n * in * side * side, 1, 1);
        float[] ws = TestArrays.gaussian(out * in * kernel * kernel, 2, 1);
        try (NDManager sub = manager.newSubManager()) {
            DjlOps s = ops.scoped(sub);
            NDArray x = s.constant(xs, n, in, side, side);
            NDArray w = s.constant(ws, out, in, kernel, kernel);
            NDArray bias = s.constant(new float[out], out);
            x.setRequiresGradient(true);
            w.setRequiresGradient(true);
            NDArray y;
            NDArray u;
            try (GradientCollector gc = manager.getEngine().newGradientCollector()) {
                y = s.conv2d(x, w, bias, stride, padding);
                long[] ys = s.shape(y);
                assertThat(ys).containsExactly(n, out, (side + 2L * padding - kernel) / stride + 1, ys[3]);
                u = s.constant(TestArrays.gaussian(Math.toIntExact(y.size()), 3, 1), ys);
                gc.backward(y.mul(u).sum());
            }
            double yu = dot(y.toFloatArray(), u.toFloatArray());
            double scale = Math.sqrt(dot(y.toFloatArray(), y.toFloatArray()) * dot(u.toFloatArray(), u.toFloatArray()));
            float[] dx = x.getGradient().toFloatArray();
            float[] dw = w.getGradient().toFloatArray();
            for (float v : dx) {
                assertThat(v).as("input gradient finite").isFinite();
            }
            assertThat(dot(dx, xs)).as("<dx, x> = <y, u>").isCloseTo(yu, within(1e-4 * scale));
            assertThat(dot(dw, ws)).as("<dw, w> = <y, u>").isCloseTo(yu, within(1e-4 * scale));
        }
    }

    private static double dot(float[] a, float[] b) {
        assertThat(a).hasSameSizeAs(b);
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (double) a[i] * b[i];
        }
        return s;
    }
}
