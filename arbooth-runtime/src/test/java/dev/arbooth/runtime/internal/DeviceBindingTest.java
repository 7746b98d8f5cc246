package dev.arbooth.runtime.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import dev.arbooth.ArboothException;
import dev.arbooth.runtime.Device;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * On this machine ONNX Runtime is the CPU-only {@code onnxruntime} artifact and there is no GPU: the real
 * session options show the documented CUDA failure and the CPU fallback; a recording target checks the
 * calls made and the GPU-build message.
 */
class DeviceBindingTest {
    @TempDir
    Path dir;

    @Test
    void thisMachineHasTheCpuOnlyBuild() {
        assertThat(OrtEnvironment.getAvailableProviders()).doesNotContain(OrtProvider.CUDA);
    }

    @Test
    void cudaFailsWithTheDocumentedMessageOnTheCpuBuild() throws OrtException {
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            assertThatThrownBy(() -> DeviceBinding.apply(Device.cuda(0), options))
                    .isExactlyInstanceOf(ArboothException.class)
                    .hasMessageStartingWith("Device.cuda(0) cannot be used: ")
                    .hasMessageContaining("CPU-only build")
                    .hasMessageContaining("com.microsoft.onnxruntime:onnxruntime_gpu:" + version())
                    .hasMessageContaining("CUDA 12 and cuDNN 9")
                    .hasMessageContaining("libcublasLt.so.12")
                    .hasMessageContaining("Failed to find CUDA shared provider")
                    .hasMessageContaining("Device.auto()");
            // the options stay usable after the failure
            assertThat(DeviceBinding.apply(Device.cpu(1), options).kind()).isEqualTo(Device.Kind.CPU);
        }
    }

    @Test
    void autoFallsBackToTheCpuAndLogsWhy() throws OrtException {
        String log;
        Device.Resolved r;
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
            try {
                r = DeviceBinding.apply(Device.auto().withCpuThreads(1), options);
            } finally {
                System.setErr(err);
            }
            log = captured.toString(StandardCharsets.UTF_8);
        }
        assertThat(r.kind()).isEqualTo(Device.Kind.CPU);
        assertThat(r.isCuda()).isFalse();
        assertThat(r.cudaDeviceId()).isEqualTo(-1);
        assertThat(r.cpuThreads()).isEqualTo(1);
        assertThat(r.requested()).isEqualTo(Device.auto().withCpuThreads(1));
        assertThat(r.reason())
                .startsWith("CUDA unavailable: ")
                .contains("CPU-only build")
                .contains("onnxruntime_gpu");
        assertThat(log)
                .contains("INFO")
                .contains("Device.auto(): using the CPU with 1 intra-op threads (CUDA unavailable: ")
                .contains("onnxruntime_gpu");
    }

    @Test
    void cpuThreadsAreAppliedToRealOptions() throws OrtException {
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            Device.Resolved r = DeviceBinding.apply(Device.cpu(3), options);
            assertThat(r).isEqualTo(new Device.Resolved(Device.cpu(3), Device.Kind.CPU, -1, 3, "CPU requested"));
        }
    }

    /** Runs with {@link Device#THREADS_PROPERTY} set to a value (null: unset), restoring it after. */
    private static void withThreadsProperty(String value, Runnable body) {
        String saved = System.getProperty(Device.THREADS_PROPERTY);
        try {
            if (value == null) {
                System.clearProperty(Device.THREADS_PROPERTY);
            } else {
                System.setProperty(Device.THREADS_PROPERTY, value);
            }
            body.run();
        } finally {
            if (saved == null) {
                System.clearProperty(Device.THREADS_PROPERTY);
            } else {
                System.setProperty(Device.THREADS_PROPERTY, saved);
            }
        }
    }

    @Test
    void cpuSetsIntraOpThreadsAndOneInterOpThread() {
        withThreadsProperty(null, () -> {
            Recording t = new Recording(false, null);
            DeviceBinding.apply(Device.cpu(3), t);
            assertThat(t.calls).containsExactly("interOp 1", "intraOp 3");
            Recording d = new Recording(false, null);
            DeviceBinding.apply(Device.cpu(), d);
            assertThat(d.calls).as("default threads: ONNX Runtime's").containsExactly("interOp 1");
        });
        withThreadsProperty("2", () -> {
            Recording d = new Recording(false, null);
            DeviceBinding.apply(Device.cpu(), d);
            assertThat(d.calls).as("default threads from the property").containsExactly("interOp 1", "intraOp 2");
            Recording t = new Recording(false, null);
            DeviceBinding.apply(Device.cpu(3), t);
            assertThat(t.calls).as("explicit threads win").containsExactly("interOp 1", "intraOp 3");
        });
    }

    @Test
    void cudaAndAutoUseTheGpuWhenItLoads() {
        withThreadsProperty(null, DeviceBindingTest::cudaAndAutoOnTheGpu);
    }

    private static void cudaAndAutoOnTheGpu() {
        Recording t = new Recording(true, null);
        Device.Resolved r = DeviceBinding.apply(Device.cuda(2), t);
        assertThat(t.calls).containsExactly("interOp 1", "cuda 2");
        assertThat(r.kind()).isEqualTo(Device.Kind.CUDA);
        assertThat(r.cudaDeviceId()).isEqualTo(2);
        Recording a = new Recording(true, null);
        Device.Resolved ra = DeviceBinding.apply(Device.auto(), a);
        assertThat(ra.isCuda()).isTrue();
        assertThat(ra.cudaDeviceId()).isZero();
        assertThat(ra.reason()).contains("CUDA provider").contains("loaded");
    }

    @Test
    void gpuBuildWithoutCudaLibrariesNamesTheMissingOnes() {
        Recording t = new Recording(true, "Failed to load shared library");
        assertThatThrownBy(() -> DeviceBinding.apply(Device.cuda(0), t))
                .isInstanceOf(ArboothException.class)
                .hasMessageContaining("the CUDA provider of ONNX Runtime 9.9.9 failed to load")
                .hasMessageContaining("Failed to load shared library")
                .hasMessageContaining("CUDA 12 and cuDNN 9")
                .hasMessageContaining("not found: ")
                .hasMessageContaining("libcublasLt.so.12");
        Device.Resolved r = DeviceBinding.apply(Device.auto(), new Recording(true, "Failed to load shared library"));
        assertThat(r.kind()).isEqualTo(Device.Kind.CPU);
        assertThat(r.reason()).contains("libcudnn.so.9");
    }

    @Test
    void gpuBuildWithEveryLibraryPresentPointsAtTheDriver() throws Exception {
        Path libs = Files.createDirectories(dir.resolve("cuda"));
        for (String lib : CudaLibraries.required()) {
            Files.createFile(libs.resolve(lib));
        }
        Recording t = new Recording(true, "CUDA failure 100: no CUDA-capable device is detected");
        t.dirs = List.of(libs);
        assertThatThrownBy(() -> DeviceBinding.apply(Device.cuda(0), t))
                .hasMessageContaining("no CUDA-capable device")
                .hasMessageContaining("were found in [" + libs + "]")
                .hasMessageContaining("nvidia-smi");
    }

    @Test
    void libraryLookFindsFilesInTheGivenDirectories() throws Exception {
        Path a = Files.createDirectories(dir.resolve("a"));
        Path b = Files.createDirectories(dir.resolve("b"));
        Files.createFile(a.resolve("libcudart.so.12"));
        Files.createFile(b.resolve("libcublasLt.so.12"));
        assertThat(CudaLibraries.missing(CudaLibraries.LINUX, List.of(a, b)))
                .containsExactly("libcublas.so.12", "libcufft.so.11", "libcurand.so.10", "libcudnn.so.9");
        assertThat(CudaLibraries.missing(List.of("libcudart.so.12"), List.of(a)))
                .isEmpty();
        assertThat(CudaLibraries.searchDirectories()).allMatch(Files::isDirectory);
    }

    private static String version() {
        return OrtEnvironment.getEnvironment().getVersion();
    }

    /** Records the calls; CUDA fails with {@code cudaError} when it is not null. */
    private static final class Recording implements DeviceBinding.Target {
        final List<String> calls = new ArrayList<>();
        List<Path> dirs = List.of();
        private final boolean built;
        private final String cudaError;

        Recording(boolean built, String cudaError) {
            this.built = built;
            this.cudaError = cudaError;
        }

        @Override
        public boolean cudaProviderBuilt() {
            return built;
        }

        @Override
        public String runtimeVersion() {
            return "9.9.9";
        }

        @Override
        public void addCuda(int deviceId) throws OrtException {
            if (!built || cudaError != null) {
                throw new OrtException(cudaError == null ? "Failed to find CUDA shared provider" : cudaError);
            }
            calls.add("cuda " + deviceId);
        }

        @Override
        public void setIntraOpThreads(int threads) {
            calls.add("intraOp " + threads);
        }

        @Override
        public void setInterOpThreads(int threads) {
            calls.add("interOp " + threads);
        }

        @Override
        public List<Path> libraryDirectories() {
            return dirs; // not this machine's directories, whatever it has installed
        }
    }
}
