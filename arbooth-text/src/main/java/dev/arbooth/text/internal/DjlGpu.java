package dev.arbooth.text.internal;

import ai.djl.util.cuda.CudaLibrary;
import ai.djl.util.cuda.CudaUtils;
import java.lang.reflect.Field;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Probes the GPU once for DJL and reports the outcome once, in words that say what to do.
 *
 * <p>DJL's {@code CudaUtils} loads the CUDA runtime ({@code libcudart}) wherever one is installed and logs
 * {@code WARN Failed to detect GPU count: CUDA driver version is insufficient} on <em>every</em> device query
 * when there is no usable driver, which on a CPU-only machine with a CUDA toolkit is 14 warnings in a test run
 * and more in an application, none of them about anything the user asked for. This class turns DJL's own
 * logging of that query off (its {@code logging} switch, the one DJL's own {@code CudaUtils.main} uses) before
 * any DJL component first asks (the tokenizers' native loader asks too, see {@link DjlOffline#configure()}), probes once, and logs a single message of its own: nothing alarming for a CPU user,
 * one warning with a remedy for a user whose PyTorch natives are a CUDA build that cannot use a GPU.
 */
public final class DjlGpu {
    private static final Logger LOG = LoggerFactory.getLogger(DjlGpu.class);

    private DjlGpu() {}

    /**
     * What one probe found.
     *
     * @param cudaRuntimeFound whether DJL loaded a CUDA runtime library
     * @param gpuCount the GPUs it reports (0 on error)
     * @param error the CUDA error, if the query failed
     */
    public record Probe(boolean cudaRuntimeFound, int gpuCount, Optional<String> error) {}

    /** How a finding is reported. */
    enum Level {
        DEBUG,
        INFO,
        WARN
    }

    /** A finding's report: its level and its text. */
    record Report(Level level, String message) {}

    private static volatile Probe probe;

    /**
     * Silences DJL's per-query CUDA warnings and probes the GPU (once per process).
     *
     * @return what the probe found
     */
    public static synchronized Probe probeOnce() {
        if (probe == null) {
            silenceDjl();
            probe = probe();
        }
        return probe;
    }

    /**
     * Logs what the probe found, given which natives the engine loaded (called once, after the engine is up).
     *
     * @param found the probe
     * @param engineUsesCuda whether the loaded PyTorch natives are a CUDA build
     */
    public static void report(Probe found, boolean engineUsesCuda) {
        Report r = reportFor(found, engineUsesCuda);
        switch (r.level()) {
            case WARN -> LOG.warn(r.message());
            case INFO -> LOG.info(r.message());
            default -> LOG.debug(r.message());
        }
    }

    /**
     * The one report for a probe: a CPU build on a machine without a usable GPU is normal (debug); a GPU that a
     * CPU build leaves unused is worth knowing (info); a CUDA build without a usable GPU trains on the CPU,
     * which the user did not intend (warning, with the remedy).
     *
     * @param found the probe
     * @param engineUsesCuda whether the loaded PyTorch natives are a CUDA build
     * @return the report
     */
    static Report reportFor(Probe found, boolean engineUsesCuda) {
        String why = found.error().map(e -> " (" + e + ")").orElse("");
        if (found.gpuCount() > 0) {
            return engineUsesCuda
                    ? new Report(Level.DEBUG, "DJL PyTorch runs on " + found.gpuCount() + " GPU(s)")
                    : new Report(
                            Level.INFO,
                            found.gpuCount() + " GPU(s) present, but the PyTorch natives on the class path are the CPU"
                                    + " build: training runs on the CPU. To train on the GPU, depend on a CUDA build of"
                                    + " ai.djl.pytorch:pytorch-native-cu* instead of pytorch-native-cpu (see the README,"
                                    + " 'Choosing the PyTorch natives')");
        }
        if (engineUsesCuda) {
            return new Report(
                    Level.WARN,
                    "The PyTorch natives are a CUDA build but no GPU can be used" + why + ": training runs on the CPU."
                            + " Install or update the NVIDIA driver for this CUDA version, or depend on"
                            + " ai.djl.pytorch:pytorch-native-cpu instead");
        }
        return new Report(
                Level.DEBUG,
                found.cudaRuntimeFound()
                        ? "CUDA runtime found but no usable GPU" + why + "; the CPU natives are in use"
                        : "No CUDA runtime; the CPU natives are in use");
    }

    private static Probe probe() {
        CudaLibrary lib = cudaLibrary().orElse(null);
        if (lib == null) {
            return new Probe(false, 0, Optional.empty());
        }
        try {
            int[] count = new int[1];
            int code = lib.cudaGetDeviceCount(count);
            if (code == 0) {
                return new Probe(true, count[0], Optional.empty());
            }
            return new Probe(true, 0, Optional.of(lib.cudaGetErrorString(code) + ", CUDA error " + code));
        } catch (RuntimeException | LinkageError e) {
            return new Probe(true, 0, Optional.of(String.valueOf(e.getMessage())));
        }
    }

    /** DJL's loaded CUDA runtime, if any ({@code CudaUtils.LIB}). */
    private static Optional<CudaLibrary> cudaLibrary() {
        try {
            Field f = CudaUtils.class.getDeclaredField("LIB");
            f.setAccessible(true);
            return Optional.ofNullable((CudaLibrary) f.get(null));
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            LOG.debug("Cannot read DJL's CUDA runtime handle: {}", e.toString());
            return Optional.empty();
        }
    }

    /** Turns DJL's per-query CUDA logging off ({@code CudaUtils.logging}); a no-op where DJL lacks it. */
    private static void silenceDjl() {
        try {
            Field f = CudaUtils.class.getDeclaredField("logging");
            f.setAccessible(true);
            f.setBoolean(null, false);
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            LOG.debug("Cannot turn DJL's CUDA query logging off: {}", e.toString());
        }
    }
}
