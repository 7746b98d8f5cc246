package dev.arbooth.train.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import dev.arbooth.internal.format.StateDict;
import dev.arbooth.tensor.Tensor;
import dev.arbooth.train.testing.TestArrays;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The fused GELU ({@link FusedGelu}: PyTorch's {@code gelu(x, approximate="tanh")} through TorchScript) against its
 * definition and against the composed form it replaces in {@link DjlOps#geluTanh}, values and gradients.
 */
class FusedGeluTest {
    private static final int N = 4096;

    private NDManager manager;
    private DjlOps ops;
    private FusedGelu fused;

    @BeforeEach
    void setUp() {
        manager = DjlEngine.pytorch(1).newBaseManager();
        ops = DjlOps.create(manager, StateDict.of(Map.of("unused", Tensor.ofFloats(new float[] {0}, 1))));
        fused = FusedGelu.shared()
                .orElseThrow(() -> new AssertionError(
                        "the fused GELU did not load (or -D" + FusedGelu.PROPERTY + "=composed is set)"));
    }

    @AfterEach
    void tearDown() {
        ops.close();
    }

    @Test
    void valuesMatchTheDefinitionAndTheComposedForm() {
        float[] v = inputs();
        NDArray x = ops.constant(v, N);
        float[] got = fused.apply(x, manager).toFloatArray();
        float[] composed = ops.composedGeluTanh(x).toFloatArray();
        for (int i = 0; i < N; i++) {
            double a = v[i];
            double e = 0.5 * a * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (a + 0.044715 * a * a * a)));
            assertThat((double) got[i]).as("x = %s", a).isCloseTo(e, within(1e-6 * (1 + Math.abs(e))));
            assertThat(got[i]).as("x = %s, composed", a).isCloseTo(composed[i], within(2e-6f * (1 + Math.abs(got[i]))));
        }
    }

    @Test
    void gradientsMatchTheDerivativeAndTheComposedForm() {
        float[] v = inputs();
        float[] upstream = TestArrays.gaussian(N, 7, 1);
        float[][] grads = new float[2][];
        for (int mode = 0; mode < 2; mode++) {
            try (NDManager sub = manager.newSubManager()) {
                DjlOps s = ops.scoped(sub);
                NDArray x = s.constant(v, N);
                x.setRequiresGradient(true);
                try (GradientCollector gc = manager.getEngine().newGradientCollector()) {
                    NDArray y = mode == 0 ? fused.apply(x, sub) : s.composedGeluTanh(x);
                    gc.backward(y.mul(s.constant(upstream, N)).sum());
                }
                grads[mode] = x.getGradient().toFloatArray();
            }
        }
        double k = Math.sqrt(2 / Math.PI);
        for (int i = 0; i < N; i++) {
            double a = v[i];
            double t = Math.tanh(k * (a + 0.044715 * a * a * a));
            double d = 0.5 * (1 + t) + 0.5 * a * (1 - t * t) * k * (1 + 3 * 0.044715 * a * a);
            double want = upstream[i] * d;
            assertThat((double) grads[0][i])
                    .as("d/dx at x = %s", a)
                    .isCloseTo(want, within(1e-5 * (1 + Math.abs(want))));
            assertThat(grads[0][i])
                    .as("d/dx at x = %s against the composed form", a)
                    .isCloseTo(grads[1][i], within(1e-5f * (1 + Math.abs(grads[1][i]))));
        }
    }

    @Test
    void geluTanhTakesTheFusedOperation() {
        NDArray x = ops.constant(inputs(), N);
        assertThat(ops.geluTanh(x).toFloatArray())
                .containsExactly(fused.apply(x, manager).toFloatArray());
    }

    @Test
    void outsideAGradientCollectorNothingIsRecorded() {
        NDArray x = ops.constant(inputs(), N);
        x.setRequiresGradient(true);
        assertThat(JniUtils.requiresGrad((PtNDArray) fused.apply(x, manager))).isFalse();
    }

    @Test
    void theModeIsFusedOrComposedAndNothingElse() {
        assertThat(FusedGelu.load("composed")).isEmpty();
        assertThat(FusedGelu.load("fused")).isPresent();
        assertThatThrownBy(() -> FusedGelu.load("exact"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("arbooth.gelu")
                .hasMessageContaining("exact");
    }

    /** Gaussian values with spread 3, and the edges: 0, ±12 (saturated) and ±1e-3. */
    private static float[] inputs() {
        float[] v = TestArrays.gaussian(N, 11, 1);
        for (int i = 0; i < N; i++) {
            v[i] *= 3f;
        }
        v[0] = 0f;
        v[1] = 12f;
        v[2] = -12f;
        v[3] = 1e-3f;
        v[4] = -1e-3f;
        return v;
    }
}
