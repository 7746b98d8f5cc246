package dev.arbooth.runtime.internal;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import dev.arbooth.ArboothException;
import dev.arbooth.runtime.Device;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies a {@link Device} to ONNX Runtime session options: CUDA → {@code addCUDA(n)}; CPU threads →
 * {@code setIntraOpNumThreads}; inter-op threads always 1. {@link Device.Kind#CUDA} fails with an {@link
 * ArboothException} that says what is missing and how to fix it; {@link Device.Kind#AUTO} falls back to the
 * CPU and logs why (INFO). A failed {@code addCUDA} leaves the options usable (the CPU provider stays).
 */
public final class DeviceBinding {
    private static final Logger LOG = LoggerFactory.getLogger(Device.class);

    /** The GPU build of ONNX Runtime, the documented drop-in replacement of the CPU artifact. */
    public static final String GPU_ARTIFACT = "com.microsoft.onnxruntime:onnxruntime_gpu";

    /** The operations on session options that a device needs (ONNX Runtime's, or a test double). */
    public interface Target {
        /**
         * Whether the ONNX Runtime build on the class path has the CUDA provider (not whether it works).
         *
         * @return whether CUDA is among the available providers
         */
        boolean cudaProviderBuilt();

        /**
         * The ONNX Runtime version, for messages.
         *
         * @return e.g. {@code "1.29.0"}
         */
        String runtimeVersion();

        /**
         * Appends the CUDA execution provider.
         *
         * @param deviceId the GPU ordinal
         * @throws OrtException if the provider or its libraries cannot be loaded
         */
        void addCuda(int deviceId) throws OrtException;

        /**
         * Sets the intra-op thread count.
         *
         * @param threads at least 1
         * @throws OrtException on failure
         */
        void setIntraOpThreads(int threads) throws OrtException;

        /**
         * Sets the inter-op thread count.
         *
         * @param threads at least 1
         * @throws OrtException on failure
         */
        void setInterOpThreads(int threads) throws OrtException;

        /**
         * Where to look for the CUDA libraries when the provider fails to load.
         *
         * @return {@link CudaLibraries#searchDirectories()} by default
         */
        default List<Path> libraryDirectories() {
            return CudaLibraries.searchDirectories();
        }
    }

    private DeviceBinding() {}

    /**
     * Applies a device to session options.
     *
     * @param device the device
     * @param options the options of the session about to be created
     * @return what the device resolved to
     * @throws ArboothException if {@code device} is CUDA and CUDA cannot be used, or ONNX Runtime rejects a
     *     thread count
     */
    public static Device.Resolved apply(Device device, OrtSession.SessionOptions options) {
        Objects.requireNonNull(options, "options");
        return apply(device, new OrtTarget(options));
    }

    /**
     * The intra-op thread count of devices that leave it to ONNX Runtime: the system property {@value
     * Device#THREADS_PROPERTY} when set (tests set 1), else 0 (ONNX Runtime's default).
     */
    static int defaultThreads() {
        String v = System.getProperty(Device.THREADS_PROPERTY);
        if (v == null || v.isBlank()) {
            return 0;
        }
        try {
            int n = Integer.parseInt(v.strip());
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new ArboothException(
                "System property " + Device.THREADS_PROPERTY + " must be a positive integer, got '" + v + "'");
    }

    /**
     * Applies a device through a {@link Target}.
     *
     * @param device the device
     * @param target the options
     * @return what the device resolved to
     * @throws ArboothException as {@link #apply(Device, OrtSession.SessionOptions)}
     */
    public static Device.Resolved apply(Device device, Target target) {
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(target, "target");
        int threads = device.cpuThreads() > 0 ? device.cpuThreads() : defaultThreads();
        try {
            target.setInterOpThreads(1);
            if (threads > 0) {
                target.setIntraOpThreads(threads);
            }
        } catch (OrtException e) {
            throw new ArboothException(
                    "ONNX Runtime rejected the thread settings of " + device + ": " + e.getMessage(), e);
        }
        switch (device.kind()) {
            case CPU -> {
                return new Device.Resolved(device, Device.Kind.CPU, -1, threads, "CPU requested");
            }
            case CUDA -> {
                String failure = tryCuda(device.cudaDeviceId(), target);
                if (failure != null) {
                    throw new ArboothException("Device.cuda(" + device.cudaDeviceId() + ") cannot be used: " + failure
                            + ". Or use Device.cpu() / Device.auto() (falls back to the CPU).");
                }
                return new Device.Resolved(device, Device.Kind.CUDA, device.cudaDeviceId(), threads, "CUDA requested");
            }
            default -> {
                String failure = tryCuda(device.cudaDeviceId(), target);
                if (failure == null) {
                    String reason = "the CUDA provider of ONNX Runtime " + target.runtimeVersion() + " loaded";
                    LOG.info("Device.auto(): using CUDA device {} ({})", device.cudaDeviceId(), reason);
                    return new Device.Resolved(device, Device.Kind.CUDA, device.cudaDeviceId(), threads, reason);
                }
                String reason = "CUDA unavailable: " + failure;
                LOG.info(
                        "Device.auto(): using the CPU with {} ({})",
                        threads == 0 ? "ONNX Runtime's default intra-op threads" : threads + " intra-op threads",
                        reason);
                return new Device.Resolved(device, Device.Kind.CPU, -1, threads, reason);
            }
        }
    }

    /** Tries the CUDA provider; returns null on success, else what is wrong and how to fix it. */
    private static String tryCuda(int deviceId, Target target) {
        boolean built = target.cudaProviderBuilt();
        String ortMessage;
        try {
            target.addCuda(deviceId);
            return null;
        } catch (OrtException e) {
            ortMessage = e.getMessage();
        }
        String version = target.runtimeVersion();
        List<String> required = CudaLibraries.required();
        if (!built) {
            return "the ONNX Runtime " + version + " on the class path is the CPU-only build (artifact"
                    + " com.microsoft.onnxruntime:onnxruntime; ONNX Runtime says: " + ortMessage
                    + "). Replace it with " + GPU_ARTIFACT + ":" + version + " and install CUDA 12 and cuDNN 9 ("
                    + String.join(", ", required) + ") on the library path";
        }
        List<Path> dirs = target.libraryDirectories();
        List<String> missing = CudaLibraries.missing(required, dirs);
        String found = missing.isEmpty()
                ? "all of " + required + " were found in " + dirs
                        + ", so check the NVIDIA driver (nvidia-smi), the GPU ordinal and that these are CUDA 12 /"
                        + " cuDNN 9 builds"
                : "not found: " + String.join(", ", missing) + " (searched " + dirs + ")";
        return "the CUDA provider of ONNX Runtime " + version + " failed to load (ONNX Runtime says: " + ortMessage
                + "); it needs CUDA 12 and cuDNN 9 libraries on the library path ("
                + (CudaLibraries.isWindows() ? "PATH" : "LD_LIBRARY_PATH") + "): " + found
                + ". Install CUDA 12 and cuDNN 9 and add their library directories to the library path";
    }

    /** The real session options. */
    private static final class OrtTarget implements Target {
        private final OrtSession.SessionOptions options;

        OrtTarget(OrtSession.SessionOptions options) {
            this.options = options;
        }

        @Override
        public boolean cudaProviderBuilt() {
            return OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA);
        }

        @Override
        public String runtimeVersion() {
            return OrtSessions.environment().getVersion();
        }

        @Override
        public void addCuda(int deviceId) throws OrtException {
            options.addCUDA(deviceId);
        }

        @Override
        public void setIntraOpThreads(int threads) throws OrtException {
            options.setIntraOpNumThreads(threads);
        }

        @Override
        public void setInterOpThreads(int threads) throws OrtException {
            options.setInterOpNumThreads(threads);
        }
    }
}
