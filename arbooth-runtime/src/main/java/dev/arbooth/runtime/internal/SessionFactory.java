package dev.arbooth.runtime.internal;

import ai.onnxruntime.OnnxTensorLike;
import ai.onnxruntime.OrtSession;
import dev.arbooth.runtime.Device;
import dev.arbooth.runtime.internal.onnx.OnnxOps;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * How the models create their sessions: a {@link Device} resolved once ({@link OrtSessions#resolve}, so
 * {@link Device#auto()} decides and logs once per factory, not per session) and a {@link GraphCache} for the
 * emitted graphs. One factory is meant to be shared by every model of a generator (transformer, adapters,
 * VAE, T5). Immutable and thread-safe.
 */
public final class SessionFactory {
    private final Device.Resolved device;
    private final Device concrete;
    private final GraphCache cache;

    private SessionFactory(Device.Resolved device, GraphCache cache) {
        this.device = Objects.requireNonNull(device, "device");
        this.cache = Objects.requireNonNull(cache, "cache");
        this.concrete = OrtSessions.concrete(device);
    }

    /**
     * Resolves a device now and uses a graph cache.
     *
     * @param device the device ({@link Device#auto()} tries CUDA here, once)
     * @param cache the graph cache ({@link GraphCache#none()} for none)
     * @return the factory
     * @throws dev.arbooth.ArboothException if {@code device} is CUDA and CUDA cannot be used
     */
    public static SessionFactory create(Device device, GraphCache cache) {
        return new SessionFactory(OrtSessions.resolve(device), cache);
    }

    /**
     * A factory on a device resolved earlier.
     *
     * @param device the resolution
     * @param cache the graph cache
     * @return the factory
     */
    public static SessionFactory of(Device.Resolved device, GraphCache cache) {
        return new SessionFactory(device, cache);
    }

    /**
     * The CPU with a thread count and no graph cache (tests, benchmarks).
     *
     * @param intraOpThreads at least 1
     * @return the factory
     * @throws IllegalArgumentException if {@code intraOpThreads} is less than 1
     */
    public static SessionFactory cpu(int intraOpThreads) {
        return create(Device.cpu(intraOpThreads), GraphCache.none());
    }

    /**
     * What the device resolved to.
     *
     * @return the resolution
     */
    public Device.Resolved device() {
        return device;
    }

    /**
     * The graph cache.
     *
     * @return the cache
     */
    public GraphCache graphCache() {
        return cache;
    }

    /**
     * A session on a graph, read from the cache or emitted.
     *
     * @param what what the graph is, for error messages
     * @param graphKey the graph kind and every parameter that shapes it (see {@link GraphCache})
     * @param emit emits the graph on a cache miss
     * @param weights the weights whose tensors the graph references
     * @return the session
     * @throws dev.arbooth.ArboothException if ONNX Runtime rejects the graph or a weight is missing
     */
    public OrtSession session(String what, String graphKey, Supplier<OnnxOps> emit, OrtWeights weights) {
        GraphCache.Graph g = cache.graph(graphKey, emit);
        Map<String, OnnxTensorLike> w = new HashMap<>(weights.select(g.weightsUsed()));
        return OrtSessions.create(what, g.model(), w, concrete);
    }

    /**
     * A session on an ONNX file made elsewhere (not cached: the file is the model).
     *
     * @param what what the model is, for error messages
     * @param onnx the {@code .onnx} file
     * @return the session
     * @throws dev.arbooth.FormatException naming the file if ONNX Runtime cannot load it
     */
    public OrtSession fileSession(String what, Path onnx) {
        return OrtSessions.createFromFile(what, onnx, concrete);
    }

    @Override
    public String toString() {
        return "SessionFactory[" + device.kind() + (device.isCuda() ? ":" + device.cudaDeviceId() : "") + ", " + cache
                + "]";
    }
}
