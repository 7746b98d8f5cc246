package dev.arbooth.runtime;

import java.util.Objects;

/**
 * Where ONNX Runtime sessions run: a CUDA GPU, the CPU, or whichever of the two works.
 *
 * <ul>
 *   <li>{@link #cuda(int)}: the CUDA execution provider on one GPU, or a clear {@link
 *       dev.arbooth.ArboothException} when it cannot be used (the message names what is missing: the
 *       {@code onnxruntime_gpu} artifact, or CUDA 12 / cuDNN 9 libraries such as {@code libcublasLt.so.12});
 *   <li>{@link #cpu()} / {@link #cpu(int)}: the CPU provider with ONNX Runtime's default or a given number
 *       of intra-op threads;
 *   <li>{@link #auto()}: CUDA device 0 when it can be used, otherwise the CPU; the choice and its reason
 *       are logged (SLF4J, INFO) and returned as {@link Resolved}.
 * </ul>
 *
 * <p>Inter-op parallelism is always 1 (the graphs run sequentially); the intra-op thread count is set when
 * one is given. On a machine shared with another engine (e.g. DJL during training), size the pool
 * explicitly: two pools competing for the same cores can cost 2x.
 *
 * <p><b>GPU setup.</b> This library depends on {@code com.microsoft.onnxruntime:onnxruntime}, the CPU
 * build. For CUDA, replace it with {@code com.microsoft.onnxruntime:onnxruntime_gpu} of the same version
 * (a drop-in) and install CUDA 12 and cuDNN 9 with their libraries on the library path ({@code
 * LD_LIBRARY_PATH} on Linux, {@code PATH} on Windows).
 *
 * <pre>{@code
 * Device d = Device.auto();          // CUDA:0 if usable, else CPU
 * Device c = Device.cpu(4);          // 4 intra-op threads
 * Device g = Device.cuda(1);         // second GPU, or fail with instructions
 * }</pre>
 */
public final class Device {
    /** The kind of device requested. */
    public enum Kind {
        /** CUDA when usable, else CPU. */
        AUTO,
        /** The CUDA execution provider. */
        CUDA,
        /** The CPU execution provider. */
        CPU
    }

    private final Kind kind;
    private final int cudaDeviceId;
    /**
     * The system property that sets the intra-op thread count of {@link #auto()} and {@link #cpu()} (which otherwise
     * leave it to ONNX Runtime: one per physical core), e.g. {@code -Darbooth.cpu.threads=1} in tests.
     */
    public static final String THREADS_PROPERTY = "arbooth.cpu.threads";

    private final int cpuThreads;

    private Device(Kind kind, int cudaDeviceId, int cpuThreads) {
        if (cudaDeviceId < 0) {
            throw new IllegalArgumentException("CUDA device id must be at least 0, got " + cudaDeviceId);
        }
        if (cpuThreads < 0) {
            throw new IllegalArgumentException(
                    "CPU thread count must be at least 1 (or 0 for ONNX Runtime's default), got " + cpuThreads);
        }
        this.kind = kind;
        this.cudaDeviceId = cudaDeviceId;
        this.cpuThreads = cpuThreads;
    }

    /**
     * CUDA device 0 when the CUDA provider can be used, otherwise the CPU with ONNX Runtime's default
     * thread count; logs the choice and why.
     *
     * @return the device
     */
    public static Device auto() {
        return new Device(Kind.AUTO, 0, 0);
    }

    /**
     * One CUDA GPU; using it fails with instructions when CUDA is unavailable.
     *
     * @param deviceId the CUDA device ordinal, at least 0
     * @return the device
     * @throws IllegalArgumentException if {@code deviceId} is negative
     */
    public static Device cuda(int deviceId) {
        return new Device(Kind.CUDA, deviceId, 0);
    }

    /**
     * The CPU with ONNX Runtime's default intra-op thread count (one per physical core).
     *
     * @return the device
     */
    public static Device cpu() {
        return new Device(Kind.CPU, 0, 0);
    }

    /**
     * The CPU with a given intra-op thread count.
     *
     * @param threads at least 1
     * @return the device
     * @throws IllegalArgumentException if {@code threads} is less than 1
     */
    public static Device cpu(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("Device.cpu(threads) needs at least 1 thread, got " + threads
                    + " (use Device.cpu() for ONNX Runtime's default)");
        }
        return new Device(Kind.CPU, 0, threads);
    }

    /**
     * The same device with a given intra-op thread count for the CPU work (for {@link Kind#AUTO} and
     * {@link Kind#CPU}; with CUDA it bounds the CPU threads of operators that run on the CPU).
     *
     * @param threads at least 1
     * @return a new device
     * @throws IllegalArgumentException if {@code threads} is less than 1
     */
    public Device withCpuThreads(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("CPU thread count must be at least 1, got " + threads);
        }
        return new Device(kind, cudaDeviceId, threads);
    }

    /**
     * The kind requested.
     *
     * @return AUTO, CUDA or CPU
     */
    public Kind kind() {
        return kind;
    }

    /**
     * The CUDA device ordinal tried (for {@link Kind#CUDA} and {@link Kind#AUTO}).
     *
     * @return the ordinal; 0 for AUTO and CPU
     */
    public int cudaDeviceId() {
        return cudaDeviceId;
    }

    /**
     * The intra-op thread count.
     *
     * @return the count, or 0 for ONNX Runtime's default
     */
    public int cpuThreads() {
        return cpuThreads;
    }

    /**
     * Compares kind, device ordinal and thread count.
     *
     * @param o the other object
     * @return whether {@code o} is the same device request
     */
    @Override
    public boolean equals(Object o) {
        return o instanceof Device d && kind == d.kind && cudaDeviceId == d.cudaDeviceId && cpuThreads == d.cpuThreads;
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, cudaDeviceId, cpuThreads);
    }

    /**
     * A short description.
     *
     * @return e.g. {@code "auto"}, {@code "cuda:1"}, {@code "cpu"}, {@code "cpu(3 threads)"}
     */
    @Override
    public String toString() {
        String threads = cpuThreads == 0 ? "" : "(" + cpuThreads + " threads)";
        return switch (kind) {
            case AUTO -> "auto" + threads;
            case CUDA -> "cuda:" + cudaDeviceId + threads;
            case CPU -> "cpu" + threads;
        };
    }

    /**
     * What a {@link Device} resolved to when applied to a session.
     *
     * @param requested the device asked for
     * @param kind {@link Kind#CUDA} or {@link Kind#CPU}, never AUTO
     * @param cudaDeviceId the GPU ordinal when {@code kind} is CUDA, else -1
     * @param cpuThreads the intra-op thread count set, or 0 for ONNX Runtime's default
     * @param reason why this was chosen (for AUTO: why CUDA was or was not used)
     */
    public record Resolved(Device requested, Kind kind, int cudaDeviceId, int cpuThreads, String reason) {
        /**
         * Validates the resolution.
         *
         * @param requested not null
         * @param kind CUDA or CPU
         * @param cudaDeviceId at least 0 for CUDA, -1 for CPU
         * @param cpuThreads at least 0
         * @param reason not null
         */
        public Resolved {
            Objects.requireNonNull(requested, "requested");
            Objects.requireNonNull(reason, "reason");
            if (kind != Kind.CUDA && kind != Kind.CPU) {
                throw new IllegalArgumentException("A device resolves to CUDA or CPU, not " + kind);
            }
            if (kind == Kind.CUDA ? cudaDeviceId < 0 : cudaDeviceId != -1) {
                throw new IllegalArgumentException("cudaDeviceId " + cudaDeviceId + " does not fit kind " + kind);
            }
            if (cpuThreads < 0) {
                throw new IllegalArgumentException("cpuThreads must be at least 0, got " + cpuThreads);
            }
        }

        /**
         * Whether sessions run on a GPU.
         *
         * @return {@code kind() == CUDA}
         */
        public boolean isCuda() {
            return kind == Kind.CUDA;
        }
    }
}
