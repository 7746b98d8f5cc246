package dev.arbooth.internal.weights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.arbooth.ShapeMismatchException;
import dev.arbooth.tensor.Tensor;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LoraFuseTest {
    @Test
    void smallCaseByHand() {
        // W (2, 3), A (1, 3), B (2, 1), scale 2: W + 2 B A
        Tensor w = Tensor.ofFloats(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor a = Tensor.ofFloats(new float[] {1, 0, -1}, 1, 3);
        Tensor b = Tensor.ofFloats(new float[] {0.5f, -1}, 2, 1);
        Tensor fused = LoraFuse.fuse("l", w, a, b, 2);
        assertThat(fused.shape()).containsExactly(2, 3);
        assertThat(fused.toFloatArray()).containsExactly(2, 2, 2, 2, 5, 8);
    }

    @Test
    void everyElementIsTheExactValueRoundedOnce() {
        SplittableRandom random = new SplittableRandom(4);
        int out = 7, in = 5, r = 4;
        float[] w = gaussian(random, out * in);
        float[] a = gaussian(random, r * in);
        float[] b = gaussian(random, out * r);
        double scale = 8.0 / r;
        float[] fused = LoraFuse.fuse(
                        "l", Tensor.ofFloats(w, out, in), Tensor.ofFloats(a, r, in), Tensor.ofFloats(b, out, r), scale)
                .toFloatArray();
        for (int o = 0; o < out; o++) {
            for (int i = 0; i < in; i++) {
                BigDecimal sum = BigDecimal.ZERO;
                for (int j = 0; j < r; j++) {
                    sum = sum.add(new BigDecimal(b[o * r + j]).multiply(new BigDecimal(a[j * in + i])));
                }
                double exact = new BigDecimal(w[o * in + i])
                        .add(new BigDecimal(scale).multiply(sum))
                        .round(MathContext.DECIMAL128)
                        .doubleValue();
                float got = fused[o * in + i];
                // within half an ulp of float32 plus the double rounding of r products (far below an ulp)
                assertThat(Math.abs(got - exact)).as("[%d,%d]", o, i).isLessThanOrEqualTo(0.5 * Math.ulp(got) * 1.001);
            }
        }
    }

    @Test
    void shapesAndScaleAreChecked() {
        Tensor w = Tensor.ofFloats(new float[6], 2, 3);
        assertThatThrownBy(() -> LoraFuse.fuse(
                        "ca.proj", w, Tensor.ofFloats(new float[4], 1, 4), Tensor.ofFloats(new float[2], 2, 1), 1))
                .isInstanceOf(ShapeMismatchException.class)
                .hasMessageContaining("LoRA A of ca.proj");
        assertThatThrownBy(() -> LoraFuse.fuse(
                        "ca.proj", w, Tensor.ofFloats(new float[6], 2, 3), Tensor.ofFloats(new float[2], 2, 1), 1))
                .isInstanceOf(ShapeMismatchException.class)
                .hasMessageContaining("LoRA B of ca.proj")
                .hasMessageContaining("[2, 2]");
        assertThatThrownBy(() -> LoraFuse.fuse(
                        "ca.proj",
                        w,
                        Tensor.ofFloats(new float[3], 1, 3),
                        Tensor.ofFloats(new float[2], 2, 1),
                        Double.NaN))
                .hasMessageContaining("finite");
    }

    private static float[] gaussian(SplittableRandom random, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) random.nextGaussian();
        }
        return v;
    }
}
