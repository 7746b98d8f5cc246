package dev.arbooth.runtime.internal;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.arbooth.ArboothException;
import dev.arbooth.ShapeMismatchException;
import dev.arbooth.config.Scale;
import dev.arbooth.config.ScaleSchedule;
import dev.arbooth.config.VaeConfig;
import dev.arbooth.internal.format.StateDict;
import dev.arbooth.internal.nn.MultiScaleBsq;
import dev.arbooth.internal.sampling.CodeDecoder;
import dev.arbooth.internal.weights.VaeWeights;
import dev.arbooth.runtime.Device;
import dev.arbooth.runtime.internal.onnx.VaeGraphs;
import java.util.Map;
import java.util.Objects;

/**
 * The BSQ VAE on ONNX Runtime: the decoder ({@link CodeDecoder} of the sampling loop) and the encoder to raw
 * features, whose multi-scale bits are computed in Java ({@link MultiScaleBsq}). Graphs come from {@link
 * VaeGraphs}, one session per size, on the {@link SessionFactory}'s device and through its {@link GraphCache};
 * the weights are external initializers. Thread-safe.
 */
public final class OrtVae implements CodeDecoder, AutoCloseable {
    /** The graph kind of the decoder, first line of its cache key. */
    static final String DECODER = "vae.decoder";

    /** The graph kind of the encoder, first line of its cache key. */
    static final String ENCODER = "vae.encoder";

    private final VaeConfig config;
    private final OrtWeights weights;
    private final SessionFactory factory;
    private final ModelSessions sessions;

    private OrtVae(VaeConfig config, OrtWeights weights, SessionFactory factory) {
        this.config = config;
        this.weights = weights;
        this.factory = factory;
        // every component, explicitly (the record's toString is for people)
        String keyPrefix = "config=baseChannels " + config.baseChannels() + ", channelMultipliers "
                + config.channelMultipliers() + ", numResBlocks " + config.numResBlocks() + ", codebookDim "
                + config.codebookDim() + ", patchSize " + config.patchSize() + ", normEps " + config.normEps()
                + "\nweights=" + weights.shapeDigest() + "\n";
        this.sessions = new ModelSessions("OrtVae", "VAE", factory, weights, keyPrefix, true);
    }

    /**
     * Binds a checkpoint strictly (official or plain tensor names, {@link VaeWeights#normalize}).
     *
     * @param config the architecture
     * @param checkpoint the weights (keep the file open while this is open)
     * @param intraOpThreads ONNX Runtime intra-op threads per session ({@code Device.cpu(intraOpThreads)}, no
     *     graph cache)
     * @return the VAE
     * @throws dev.arbooth.WeightBindingException listing every missing, unexpected and misshapen tensor
     */
    public static OrtVae create(VaeConfig config, StateDict checkpoint, int intraOpThreads) {
        return create(config, checkpoint, SessionFactory.cpu(intraOpThreads));
    }

    /**
     * Binds a checkpoint strictly (official or plain tensor names, {@link VaeWeights#normalize}).
     *
     * @param config the architecture
     * @param checkpoint the weights (keep the file open while this is open)
     * @param factory the resolved device and the graph cache
     * @return the VAE
     * @throws dev.arbooth.WeightBindingException listing every missing, unexpected and misshapen tensor
     */
    public static OrtVae create(VaeConfig config, StateDict checkpoint, SessionFactory factory) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(factory, "factory");
        StateDict bound = StateDict.of(VaeWeights.bind(config, VaeWeights.normalize(config, checkpoint)));
        return new OrtVae(config, OrtWeights.create(bound), factory);
    }

    /**
     * Where the sessions run.
     *
     * @return the device, resolved once for the factory
     */
    public Device.Resolved device() {
        return factory.device();
    }

    @Override
    public float[] decode(float[] summedCodes_BdHW, int batch, int d, Scale grid) {
        if (d != config.codebookDim() || summedCodes_BdHW.length != (long) batch * d * grid.h() * grid.w()) {
            throw ShapeMismatchException.of(
                    "summedCodes_BdHW",
                    new long[] {batch, config.codebookDim(), grid.h(), grid.w()},
                    new long[] {summedCodes_BdHW.length});
        }
        OrtSession s = sessions.session(
                DECODER,
                "batch=" + batch + "\nh=" + grid.h() + "\nw=" + grid.w(),
                () -> VaeGraphs.decoder(config, weights::shapeOrNull, batch, grid.h(), grid.w()));
        return run(s, VaeGraphs.CODES, VaeGraphs.IMAGE, summedCodes_BdHW, batch, d, grid.h(), grid.w());
    }

    /**
     * The encoder's raw features.
     *
     * @param image_B3HW images in [-1, 1], row-major
     * @param batch B
     * @param height H, a multiple of the patch size
     * @param width W, a multiple of the patch size
     * @return the features {@code (B, d, H/patch, W/patch)} row-major
     */
    public float[] features(float[] image_B3HW, int batch, int height, int width) {
        if (image_B3HW.length != (long) batch * 3 * height * width) {
            throw ShapeMismatchException.of(
                    "image_B3HW", new long[] {batch, 3, height, width}, new long[] {image_B3HW.length});
        }
        OrtSession s = sessions.session(
                ENCODER,
                "batch=" + batch + "\nheight=" + height + "\nwidth=" + width,
                () -> VaeGraphs.encoder(config, weights::shapeOrNull, batch, height, width));
        return run(s, VaeGraphs.IMAGE, VaeGraphs.FEATURES, image_B3HW, batch, 3, height, width);
    }

    /**
     * Encodes images to the bits of every scale (official {@code vae.encode}).
     *
     * @param image_B3HW images in [-1, 1], row-major
     * @param batch B
     * @param height H
     * @param width W
     * @param schedule the scale schedule, ending at {@code (H/patch, W/patch)}
     * @return the encoding
     */
    public MultiScaleBsq.Encoding encode(float[] image_B3HW, int batch, int height, int width, ScaleSchedule schedule) {
        float[] f = features(image_B3HW, batch, height, width);
        int p = config.patchSize();
        return MultiScaleBsq.create(config.codebookDim()).encode(f, batch, height / p, width / p, schedule);
    }

    private float[] run(OrtSession s, String in, String out, float[] values, long... shape) {
        try (OnnxTensor t = OrtTensors.floats(values, shape);
                OrtSession.Result r = s.run(Map.of(in, t))) {
            return OrtTensors.read(r.get(out).orElseThrow());
        } catch (OrtException e) {
            throw new ArboothException("the VAE graph failed on ONNX Runtime: " + e.getMessage(), e);
        }
    }

    /** Closes the sessions and the weights. Idempotent. */
    @Override
    public void close() {
        sessions.close();
    }
}
