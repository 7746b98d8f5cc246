package dev.arbooth.runtime.internal;

import ai.onnxruntime.OnnxTensorLike;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.arbooth.ArboothException;
import dev.arbooth.FormatException;
import dev.arbooth.runtime.Device;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Creates ONNX Runtime sessions for emitted graphs: one process-wide {@link OrtEnvironment}, graph
 * optimizations on ({@code ALL_OPT}), a {@link Device} applied through {@link DeviceBinding} (execution provider,
 * thread counts), and the weights supplied as external initializers (shared, not copied, between sessions on
 * the same {@link OrtWeights}).
 */
public final class OrtSessions {
    private OrtSessions() {}

    /**
     * The process-wide environment, created on first use by {@link #createEnvironment()}.
     *
     * @return the environment
     */
    public static OrtEnvironment environment() {
        return EnvironmentHolder.ENVIRONMENT;
    }

    private static final class EnvironmentHolder {
        static final OrtEnvironment ENVIRONMENT = createEnvironment();
    }

    /** Stack bytes per byte of the process's command line that creating the environment may use (measured ~250). */
    static final long STACK_BYTES_PER_COMMAND_LINE_BYTE = 1024;

    /** The stack of the thread that creates the environment, at least. */
    static final long MIN_INIT_STACK_BYTES = 16L << 20;

    /**
     * Creates ONNX Runtime's environment on a thread of its own whose stack grows with the command line.
     *
     * <p>ONNX Runtime 1.29.0 recurses once per byte of the process's command line ({@code /proc/self/cmdline})
     * while it creates its environment, about 250 stack bytes each: with a JVM's default 1 MiB thread stack a
     * command line over ~4 000 bytes (a long {@code -cp}, as IDEs and {@code java -cp $(…)} produce) overflows
     * the stack and the JVM dies of SIGSEGV without an {@code hs_err} file. 1.28.0 and earlier do not. The
     * environment is created once per process, so creating it on a thread with {@link
     * #initStackBytes(long) enough stack} avoids the crash; later sessions and runs do not recurse (checked by
     * {@code LongCommandLineTest}, which runs a session in a JVM whose command line is over 8 KB).
     *
     * @return the environment
     */
    private static OrtEnvironment createEnvironment() {
        long stack = initStackBytes(commandLineBytes());
        AtomicReference<OrtEnvironment> created = new AtomicReference<>();
        AtomicReference<Throwable> failed = new AtomicReference<>();
        Thread init = new Thread(
                null,
                () -> {
                    try {
                        created.set(OrtEnvironment.getEnvironment());
                    } catch (Throwable t) {
                        failed.set(t);
                    }
                },
                "arbooth-ort-init",
                stack);
        init.setDaemon(true);
        init.start();
        boolean interrupted = false;
        while (true) {
            try {
                init.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (failed.get() != null) {
            throw new ArboothException(
                    "ONNX Runtime failed to start: " + failed.get().getMessage(), failed.get());
        }
        return created.get();
    }

    /**
     * The stack for the thread that creates the environment.
     *
     * @param commandLineBytes the length of the process's command line
     * @return {@link #MIN_INIT_STACK_BYTES} plus {@link #STACK_BYTES_PER_COMMAND_LINE_BYTE} per byte (virtual
     *     memory: only the pages the recursion touches are used)
     */
    static long initStackBytes(long commandLineBytes) {
        return MIN_INIT_STACK_BYTES + STACK_BYTES_PER_COMMAND_LINE_BYTE * Math.max(0, commandLineBytes);
    }

    /** The length of {@code /proc/self/cmdline}, or of the command line Java reports where there is none. */
    private static long commandLineBytes() {
        Path cmdline = Path.of("/proc/self/cmdline");
        try {
            if (Files.isReadable(cmdline)) {
                return Files.readAllBytes(cmdline).length;
            }
        } catch (IOException | RuntimeException e) {
            // fall through to the portable estimate
        }
        return ProcessHandle.current().info().commandLine().map(String::length).orElse(0);
    }

    /** Idle intra-op workers spin this long before they block (ONNX Runtime 1.29 and later). */
    static final int SPIN_MICROS = 50;

    /**
     * The intra-op spinning configuration for an ONNX Runtime version. Every session has its own pool (one per
     * scale step), so workers that spin without bound after their session's run steal the cores from the next
     * session (5x slower golden sampling); never spinning makes every parallel operator wake a blocked worker.
     * ONNX Runtime 1.29 bounds the spin in time ({@code session.intra_op.spin_duration_us}): a worker stays
     * awake across the back-to-back operators of one run and blocks soon after it (measured with {@code
     * SamplingBench}: mid sampling 3–6 % faster, golden 10–15 % faster than never spinning). Older versions
     * ignore that key and would spin without bound, so they get spinning off.
     *
     * @param ortVersion ONNX Runtime's version string, for instance {@code 1.29.0}
     * @return the session config entries to set
     */
    static Map<String, String> spinning(String ortVersion) {
        if (atLeast(ortVersion, 1, 29)) {
            return Map.of(
                    "session.intra_op.allow_spinning",
                    "1",
                    "session.intra_op.spin_duration_us",
                    Integer.toString(SPIN_MICROS));
        }
        return Map.of("session.intra_op.allow_spinning", "0");
    }

    /**
     * What {@link #spinning} gives the ONNX Runtime in use, for benchmark reports.
     *
     * @return for instance {@code bounded, 50 us}
     */
    public static String spinningDescription() {
        Map<String, String> c = spinning(environment().getVersion());
        return c.get("session.intra_op.allow_spinning").equals("1")
                ? "bounded, " + c.get("session.intra_op.spin_duration_us") + " us"
                : "off";
    }

    private static boolean atLeast(String version, int major, int minor) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+)\\.(\\d+)(?:\\..*)?")
                .matcher(version == null ? "" : version.trim());
        if (!m.matches()) {
            return false;
        }
        int ma = Integer.parseInt(m.group(1));
        int mi = Integer.parseInt(m.group(2));
        return ma > major || (ma == major && mi >= minor);
    }

    /**
     * A CPU session on an emitted model ({@code Device.cpu(intraOpThreads)}).
     *
     * @param what what the graph is, for error messages
     * @param model the serialized {@code ModelProto}
     * @param weights the external initializers it references (may be empty)
     * @param intraOpThreads the intra-op thread count, at least 1
     * @return the session
     * @throws ArboothException wrapping ONNX Runtime's error (for instance a graph it rejects)
     */
    public static OrtSession create(
            String what, byte[] model, Map<String, OnnxTensorLike> weights, int intraOpThreads) {
        if (intraOpThreads < 1) {
            throw new IllegalArgumentException("intraOpThreads must be at least 1, got " + intraOpThreads);
        }
        return create(what, model, weights, Device.cpu(intraOpThreads));
    }

    /**
     * A session on an emitted model, on a device applied through {@link DeviceBinding#apply}. Pass a device
     * already {@link #resolve resolved} ({@link #concrete}) so that {@link Device#auto()} is decided once, not
     * per session.
     *
     * @param what what the graph is, for error messages
     * @param model the serialized {@code ModelProto}
     * @param weights the external initializers it references (may be empty)
     * @param device where the session runs
     * @return the session
     * @throws ArboothException wrapping ONNX Runtime's error, or if {@code device} is CUDA and unusable
     */
    public static OrtSession create(String what, byte[] model, Map<String, OnnxTensorLike> weights, Device device) {
        Objects.requireNonNull(device, "device");
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            configure(options, device);
            if (!weights.isEmpty()) {
                options.addExternalInitializers(weights);
            }
            return environment().createSession(model, options);
        } catch (OrtException e) {
            throw new ArboothException("ONNX Runtime rejected the " + what + " graph: " + e.getMessage(), e);
        }
    }

    /** The options every session gets: {@code ALL_OPT}, the device, the spinning policy. */
    private static void configure(OrtSession.SessionOptions options, Device device) throws OrtException {
        options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        DeviceBinding.apply(device, options);
        for (Map.Entry<String, String> e : spinning(environment().getVersion()).entrySet()) {
            options.addConfigEntry(e.getKey(), e.getValue());
        }
    }

    /**
     * A session on an ONNX file made elsewhere (weights inside it or next to it, as ONNX Runtime resolves
     * them), with the same options as the emitted graphs' sessions.
     *
     * @param what what the model is, for error messages
     * @param onnx the {@code .onnx} file
     * @param device where the session runs (resolved, see {@link #concrete})
     * @return the session
     * @throws FormatException naming the file if ONNX Runtime cannot load it
     * @throws ArboothException if {@code device} is CUDA and unusable
     */
    public static OrtSession createFromFile(String what, Path onnx, Device device) {
        Objects.requireNonNull(onnx, "onnx");
        Objects.requireNonNull(device, "device");
        if (!Files.isRegularFile(onnx)) {
            throw new FormatException(onnx, "the " + what + " file does not exist (or is not a regular file)");
        }
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            configure(options, device);
            return environment().createSession(onnx.toString(), options);
        } catch (OrtException e) {
            throw new FormatException(onnx, "ONNX Runtime cannot load this " + what + " model: " + e.getMessage(), e);
        }
    }

    /**
     * A session on an emitted model, on a resolved device.
     *
     * @param what what the graph is, for error messages
     * @param model the serialized {@code ModelProto}
     * @param weights the external initializers it references (may be empty)
     * @param device the resolved device
     * @return the session
     * @throws ArboothException wrapping ONNX Runtime's error
     */
    public static OrtSession create(
            String what, byte[] model, Map<String, OnnxTensorLike> weights, Device.Resolved device) {
        return create(what, model, weights, concrete(device));
    }

    /**
     * Resolves a device once: applies it to throwaway session options (for {@link Device#auto()}, tries CUDA
     * and logs the choice).
     *
     * @param device the device
     * @return what it resolved to
     * @throws ArboothException if {@code device} is CUDA and CUDA cannot be used
     */
    public static Device.Resolved resolve(Device device) {
        Objects.requireNonNull(device, "device");
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            return DeviceBinding.apply(device, options);
        }
    }

    /**
     * The concrete device of a resolution: {@code Device.cuda(id)} or {@code Device.cpu(...)}, with the
     * resolved thread count; never AUTO, so applying it does not decide (or log) again.
     *
     * @param resolved the resolution
     * @return the device to apply to each session
     */
    public static Device concrete(Device.Resolved resolved) {
        Objects.requireNonNull(resolved, "resolved");
        Device d = resolved.isCuda() ? Device.cuda(resolved.cudaDeviceId()) : Device.cpu();
        return resolved.cpuThreads() > 0 ? d.withCpuThreads(resolved.cpuThreads()) : d;
    }
}
