package dev.arbooth.train.internal;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;

class DjlEngineTest {
    @Test
    void loadsBundledLibtorchOfflineAndComputes() {
        assertThat(System.getenv("PYTORCH_VERSION")).isNull();
        assertThat(System.getenv("DJL_OFFLINE")).isEqualTo("true");
        assertThat(System.getenv("OPT_OUT_TRACKING")).isEqualTo("true");
        Engine engine = DjlEngine.pytorch(1);
        assertThat(engine.getEngineName()).isEqualTo("PyTorch");
        assertThat(engine.getVersion()).startsWith("2.7.1");
        try (NDManager m = engine.newBaseManager()) {
            NDArray a = m.create(new float[] {1, 2, 3, 4}, new ai.djl.ndarray.types.Shape(2, 2));
            NDArray b = m.create(new float[] {5, 6, 7, 8}, new ai.djl.ndarray.types.Shape(2, 2));
            assertThat(a.matMul(b).toFloatArray()).containsExactly(19f, 22f, 43f, 50f);
        }
    }
}
