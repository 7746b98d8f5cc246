package dev.arbooth.train.internal;

import ai.djl.engine.Engine;
import ai.djl.engine.StandardCapabilities;
import dev.arbooth.ArboothException;
import dev.arbooth.text.internal.DjlGpu;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Obtains DJL's PyTorch engine in a network-free configuration.
 *
 * <p>DJL must never reach the network: before the engine is first touched this sets DJL's offline switch
 * and telemetry opt-out as system properties (unless the caller set them), so that an application that
 * forgot the {@code DJL_OFFLINE} / {@code OPT_OUT_TRACKING} environment variables is still safe. The
 * PyTorch natives are the application's dependency (our build and examples use {@code pytorch-native-cpu}); {@code PYTORCH_VERSION} must stay unset
 * (any other value makes DJL try to download natives), which is checked here. The GPU is probed once and
 * reported once ({@link DjlGpu}) instead of DJL's warning on every device query.
 */
public final class DjlEngine {
    private static final Logger LOG = LoggerFactory.getLogger(DjlEngine.class);
    private static final String ENGINE = "PyTorch";

    private static boolean gpuReported;

    /** DJL's system property for PyTorch's intra-op thread count. */
    private static final String THREADS_PROPERTY = "ai.djl.pytorch.num_threads";

    private DjlEngine() {}

    /**
     * The intra-op thread count PyTorch runs with: {@code ai.djl.pytorch.num_threads} as the caller or {@link
     * #pytorch} set it, else the available processors (libtorch's own default). Other engines that share the cores
     * with it in one process (the ONNX Runtime teacher of prior distillation) use the same count.
     *
     * @return at least 1
     */
    public static int intraOpThreads() {
        return Math.max(
                1, Integer.getInteger(THREADS_PROPERTY, Runtime.getRuntime().availableProcessors()));
    }

    /**
     * The PyTorch engine, configured offline on first use with libtorch's own default intra-op thread count, the
     * available processors (what a fit, the VAE and the text encoder use unless the application set {@code
     * ai.djl.pytorch.num_threads} or loaded the engine first; the tests set 1).
     *
     * @return the engine
     * @throws ArboothException as {@link #pytorch(int)}
     */
    public static Engine pytorch() {
        return pytorch(Runtime.getRuntime().availableProcessors());
    }

    /**
     * The PyTorch engine, configured offline with the given intra-op thread count on first use.
     *
     * @param intraOpThreads threads used inside one operator (1 in tests); applied only if the engine is
     *     not yet loaded and the caller has not set {@code ai.djl.pytorch.num_threads}
     * @return the engine
     * @throws ArboothException if {@code PYTORCH_VERSION} is set or the natives cannot be loaded
     */
    public static synchronized Engine pytorch(int intraOpThreads) {
        if (intraOpThreads < 1) {
            throw new IllegalArgumentException("intraOpThreads must be at least 1, got " + intraOpThreads);
        }
        String pinned = System.getenv("PYTORCH_VERSION");
        if (pinned != null && !pinned.isEmpty()) {
            throw new ArboothException("PYTORCH_VERSION=" + pinned + " is set: DJL would try to download that "
                    + "libtorch; unset it to use the bundled pytorch-native-cpu natives");
        }
        dev.arbooth.text.internal.DjlOffline.configure();
        dev.arbooth.text.internal.DjlOffline.setIfAbsent(THREADS_PROPERTY, Integer.toString(intraOpThreads));
        dev.arbooth.text.internal.DjlOffline.setIfAbsent("ai.djl.pytorch.num_interop_threads", "1");
        DjlGpu.Probe gpu = DjlGpu.probeOnce();
        try {
            Engine engine = Engine.getEngine(ENGINE);
            if (!gpuReported) {
                gpuReported = true;
                LOG.debug("DJL {} engine {} ready", ENGINE, engine.getVersion());
                DjlGpu.report(gpu, engine.hasCapability(StandardCapabilities.CUDA));
            }
            return engine;
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            throw new ArboothException(
                    "Cannot load DJL's " + ENGINE + " engine offline: the application must put PyTorch natives on"
                            + " the class path, for instance ai.djl.pytorch:pytorch-native-cpu with classifier"
                            + " linux-x86_64, osx-aarch64, linux-aarch64 or win-x86_64 (versions from arbooth-bom; see"
                            + " the README, 'Choosing the PyTorch natives'): " + e.getMessage(),
                    e);
        }
    }
}
