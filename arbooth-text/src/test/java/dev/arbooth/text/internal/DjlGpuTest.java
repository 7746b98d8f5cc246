package dev.arbooth.text.internal;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.util.cuda.CudaUtils;
import dev.arbooth.text.testing.StandardError;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DjlGpuTest {
    private static final DjlGpu.Probe NO_DRIVER =
            new DjlGpu.Probe(true, 0, Optional.of("CUDA driver version is insufficient, CUDA error 35"));
    private static final DjlGpu.Probe NO_CUDA = new DjlGpu.Probe(false, 0, Optional.empty());
    private static final DjlGpu.Probe TWO_GPUS = new DjlGpu.Probe(true, 2, Optional.empty());

    @Test
    void cpuNativesWithoutAUsableGpuAreNotAlarming() {
        assertThat(DjlGpu.reportFor(NO_DRIVER, false).level()).isEqualTo(DjlGpu.Level.DEBUG);
        assertThat(DjlGpu.reportFor(NO_CUDA, false).level()).isEqualTo(DjlGpu.Level.DEBUG);
    }

    @Test
    void cudaNativesWithoutAUsableGpuWarnWithTheRemedy() {
        DjlGpu.Report r = DjlGpu.reportFor(NO_DRIVER, true);
        assertThat(r.level()).isEqualTo(DjlGpu.Level.WARN);
        assertThat(r.message())
                .contains("driver version is insufficient")
                .contains("runs on the CPU")
                .contains("NVIDIA driver")
                .contains("pytorch-native-cpu");
    }

    @Test
    void anUnusedGpuIsMentionedOnce() {
        DjlGpu.Report r = DjlGpu.reportFor(TWO_GPUS, false);
        assertThat(r.level()).isEqualTo(DjlGpu.Level.INFO);
        assertThat(r.message()).contains("2 GPU(s)").contains("pytorch-native-cu");
        assertThat(DjlGpu.reportFor(TWO_GPUS, true).level()).isEqualTo(DjlGpu.Level.DEBUG);
    }

    /** Once DJL is configured, its device queries print nothing (DJL warned on each where CUDA has no driver). */
    @Test
    void djlDeviceQueriesAreQuietOnceConfigured() {
        DjlOffline.configure();
        String printed = StandardError.capture(() -> {
            for (int i = 0; i < 3; i++) {
                CudaUtils.getGpuCount();
            }
        });
        assertThat(printed).doesNotContain("WARN");
    }
}
