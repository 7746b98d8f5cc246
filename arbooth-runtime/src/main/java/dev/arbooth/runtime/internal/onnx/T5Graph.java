package dev.arbooth.runtime.internal.onnx;

import dev.arbooth.config.T5Config;
import dev.arbooth.internal.nn.T5EncoderNet;
import java.util.function.Function;

/**
 * The ONNX graph of the T5 encoder ({@link T5EncoderNet}) for a static batch and padded length: inputs
 * {@value #IDS} int64 {@code (B, S)} and {@value #MASK} float32 {@code (B, S)} (1 for real tokens, 0 for
 * padding), output {@value #OUT} {@code (B, S, D)}.
 */
public final class T5Graph {
    /** Input: token ids. */
    public static final String IDS = "input_ids";

    /** Input: the attention mask as float32. */
    public static final String MASK = "attention_mask";

    /** Output: the encoder's hidden states. */
    public static final String OUT = "last_hidden_state";

    private T5Graph() {}

    /**
     * Emits the encoder.
     *
     * @param config the architecture
     * @param weightShapes the checkpoint's weight shapes by name
     * @param batch B
     * @param length S
     * @return the graph builder
     */
    public static OnnxOps emit(T5Config config, Function<String, long[]> weightShapes, int batch, int length) {
        OnnxOps ops = OnnxOps.create("t5_encoder", weightShapes);
        String ids = ops.inputLong(IDS, batch, length);
        String mask = ops.input(MASK, batch, length);
        ops.output(OUT, T5EncoderNet.create(config).forward(ops, ids, mask));
        return ops;
    }
}
