package dev.arbooth.runtime.internal.onnx;

import dev.arbooth.config.VaeConfig;
import dev.arbooth.internal.nn.BsqVaeNet;
import java.util.function.Function;

/**
 * ONNX graphs of the BSQ VAE ({@link BsqVaeNet}) for static sizes: the decoder ({@value #CODES} {@code (B, d,
 * h, w)} to {@value #IMAGE} {@code (B, 3, h·patch, w·patch)} in [-1, 1]) and the encoder ({@value #IMAGE} to
 * raw {@value #FEATURES} {@code (B, d, H/patch, W/patch)}; the multi-scale quantizer runs in Java).
 */
public final class VaeGraphs {
    /** Decoder input: summed codes. */
    public static final String CODES = "codes_BdHW";

    /** Decoder output / encoder input: images. */
    public static final String IMAGE = "image_B3HW";

    /** Encoder output: raw features. */
    public static final String FEATURES = "features_BdHW";

    private VaeGraphs() {}

    /**
     * Emits the decoder.
     *
     * @param config the architecture
     * @param weightShapes the checkpoint's weight shapes by official name
     * @param batch B
     * @param h code rows
     * @param w code columns
     * @return the graph builder
     */
    public static OnnxOps decoder(VaeConfig config, Function<String, long[]> weightShapes, int batch, int h, int w) {
        OnnxOps ops = OnnxOps.create("vae_decoder", weightShapes);
        String codes = ops.input(CODES, batch, config.codebookDim(), h, w);
        ops.output(IMAGE, BsqVaeNet.of(config).decode(ops, codes));
        return ops;
    }

    /**
     * Emits the encoder.
     *
     * @param config the architecture
     * @param weightShapes the checkpoint's weight shapes by official name
     * @param batch B
     * @param height image rows
     * @param width image columns
     * @return the graph builder
     */
    public static OnnxOps encoder(
            VaeConfig config, Function<String, long[]> weightShapes, int batch, int height, int width) {
        OnnxOps ops = OnnxOps.create("vae_encoder", weightShapes);
        String image = ops.input(IMAGE, batch, 3, height, width);
        ops.output(FEATURES, BsqVaeNet.of(config).encode(ops, image));
        return ops;
    }
}
