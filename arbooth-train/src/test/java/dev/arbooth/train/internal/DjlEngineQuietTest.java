package dev.arbooth.train.internal;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.util.cuda.CudaUtils;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** After the engine is up, DJL's device queries print nothing (DJL warned on each where CUDA has no driver). */
class DjlEngineQuietTest {
    @Test
    void deviceQueriesAreQuiet() {
        DjlEngine.pytorch(1);
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            for (int i = 0; i < 3; i++) {
                CudaUtils.getGpuCount();
                Engine.getEngine("PyTorch").defaultDevice();
            }
        } finally {
            System.setErr(err);
        }
        assertThat(captured.toString(StandardCharsets.UTF_8)).doesNotContain("WARN");
    }
}
