package dev.arbooth.train.internal;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.arbooth.train.OptimizerOptions;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * AdamW holds exactly its state between steps: no array made during a step stays attached to its manager. (Results
 * of ops on the state arrays belong to the state's manager; left there, two parameter-sized arrays per parameter
 * and step accumulated until the pretraining VAE was killed for memory after 2 559 steps.)
 */
class AdamWMemoryTest {
    @Test
    void stepsDoNotAccumulateArrays() {
        try (NDManager root = DjlEngine.pytorch(1).newBaseManager();
                AdamW adam = new AdamW(root, OptimizerOptions.arbooth())) {
            NDArray w = root.create(new float[] {0.5f, -1f, 2f, 0.25f}, new Shape(4));
            NDArray g = root.create(new float[] {0.1f, 0.2f, -0.3f, 0.4f}, new Shape(4));
            adam.step(Map.of("w", w), Map.of("w", g));
            int after1 = root.getManagedArrays().size();
            for (int i = 0; i < 20; i++) {
                adam.step(Map.of("w", w), Map.of("w", g));
            }
            assertThat(root.getManagedArrays()).hasSize(after1);
            assertThat(adam.steps("w")).isEqualTo(21);
        }
    }
}
