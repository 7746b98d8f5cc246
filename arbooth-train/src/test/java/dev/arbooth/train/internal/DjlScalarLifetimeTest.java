package dev.arbooth.train.internal;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.arbooth.internal.format.StateDict;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Scalars that PyTorch keeps for the backward pass must outlive it. DJL's {@code x.mul(float)} creates the scalar
 * as a view of a direct buffer and closes it when the op returns; a garbage collection between forward and
 * backward then frees that memory and the gradient reads whatever reuses it (seen as NaN losses or differing
 * losses after a few training steps). Here the collection is forced and the freed memory refilled with NaN.
 */
class DjlScalarLifetimeTest {
    @Test
    void gradientsOfScalarOpsSurviveAGarbageCollectionBeforeBackward() throws InterruptedException {
        try (NDManager root = DjlEngine.pytorch(1).newBaseManager();
                DjlOps ops = DjlOps.create(root, StateDict.of(Map.of()))) {
            for (int round = 0; round < 3; round++) {
                try (NDManager sub = root.newSubManager()) {
                    DjlOps scope = ops.scoped(sub);
                    NDArray x = sub.create(new float[] {0.5f, -1f, 2f, 0.25f}, new Shape(4));
                    x.setRequiresGradient(true);
                    float[] grad;
                    try (GradientCollector gc = root.getEngine().newGradientCollector()) {
                        NDArray y = scope.mulScalar(scope.mulScalar(x, 3f), 7f);
                        NDArray loss = y.sum();
                        churn();
                        gc.backward(loss);
                        grad = x.getGradient().toFloatArray();
                    }
                    assertThat(grad).as("round %d", round).containsOnly(21f);
                }
            }
        }
    }

    /** Collects garbage (freeing unreachable direct buffers) and refills freed native memory with NaN. */
    private static void churn() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(20);
        }
        List<ByteBuffer> fill = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            ByteBuffer b = ByteBuffer.allocateDirect(4).order(ByteOrder.nativeOrder());
            b.putFloat(0, Float.NaN);
            fill.add(b);
        }
        assertThat(fill).hasSize(2000);
    }
}
