package dev.arbooth.train.internal;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.util.cuda.CudaUtils;
import dev.arbooth.text.testing.StandardError;
import org.junit.jupiter.api.Test;

/** After the engine is up, DJL's device queries print nothing (DJL warned on each where CUDA has no driver). */
class DjlEngineQuietTest {
    @Test
    void deviceQueriesAreQuiet() {
        DjlEngine.pytorch(1);
        String printed = StandardError.capture(() -> {
            for (int i = 0; i < 3; i++) {
                CudaUtils.getGpuCount();
                Engine.getEngine("PyTorch").defaultDevice();
            }
        });
        assertThat(printed).doesNotContain("WARN");
    }
}
