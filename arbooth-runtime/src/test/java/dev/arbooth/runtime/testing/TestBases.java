package dev.arbooth.runtime.testing;

import ai.onnxruntime.OnnxTensorLike;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.arbooth.adapter.Adapter;
import dev.arbooth.base.BaseModel;
import dev.arbooth.config.InfinityConfig;
import dev.arbooth.config.ScaleSchedule;
import dev.arbooth.config.T5Config;
import dev.arbooth.config.VaeConfig;
import dev.arbooth.internal.format.SafeTensors;
import dev.arbooth.internal.format.StateDict;
import dev.arbooth.internal.nn.T5EncoderNet;
import dev.arbooth.internal.weights.T5Weights;
import dev.arbooth.runtime.internal.OrtSessions;
import dev.arbooth.runtime.internal.OrtWeights;
import dev.arbooth.runtime.internal.onnx.OnnxOps;
import dev.arbooth.runtime.internal.onnx.T5Graph;
import dev.arbooth.tensor.Tensor;
import dev.arbooth.testing.Golden;
import dev.arbooth.testing.TestAdapters;
import dev.arbooth.text.testing.TokenizerFixtures;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Test base models: the golden set-1 transformer and VAE (read from {@code ../shared}), a seeded random
 * T5 encoder of the transformer's 256 text channels, and a tiny Unigram {@code tokenizer.json}.
 */
public final class TestBases {
    /** The random T5 encoder's shape: d_model 256 as set 1's transformer expects, 2 layers, 4 heads. */
    public static final T5Config T5 = new T5Config(256, 64, 512, 4, 2, 32, 32, 128, 1e-6, 16);

    private TestBases() {}

    /**
     * Writes the golden set-1 base into {@code dir} and returns its description.
     *
     * @param dir an empty directory
     * @return the base, saved ({@link BaseModel#DESCRIPTOR} written)
     */
    public static BaseModel goldenSet1(Path dir) {
        try {
            Files.copy(
                    Golden.golden("infinity-set1/transformer_weights.safetensors"),
                    dir.resolve("transformer.safetensors"));
            Files.copy(Golden.golden("infinity-set1/vae_weights.safetensors"), dir.resolve("vae.safetensors"));
            Files.writeString(dir.resolve("tokenizer.json"), TokenizerFixtures.UNIGRAM);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        SafeTensors.write(dir.resolve("t5.safetensors"), randomT5(T5, 3));
        BaseModel base = new BaseModel(
                dir,
                "golden set-1 + random T5",
                InfinityConfig.goldenSet1(),
                dir.resolve("transformer.safetensors"),
                VaeConfig.goldenSet1(),
                dir.resolve("vae.safetensors"),
                T5,
                dir.resolve("t5.safetensors"),
                dir.resolve("tokenizer.json"),
                ScaleSchedule.official("1.000", "0.06M"));
        base.save();
        return base;
    }

    /**
     * Seeded random T5 encoder weights: unit norms, N(0, 1) embeddings, N(0, 1/fan_in) matrices.
     *
     * @param config the shape
     * @param seed the seed
     * @return the weights under Hugging Face names
     */
    public static Map<String, Tensor> randomT5(T5Config config, long seed) {
        return T5Weights.seededRandom(config, seed);
    }

    /**
     * An adapter on set 1 (CA/FFN perturbed by N(0, 0.05²)) whose identifier is the fixture tokenizer's
     * one-token word {@code "on"}, with one identifier row.
     *
     * @param seed the noise seed
     * @return the adapter
     */
    public static Adapter adapterOn(long seed) {
        return adapterOn(seed, dev.arbooth.internal.weights.InfinityPart.ARBOOTH);
    }

    /**
     * {@link #adapterOn(long)} over the parameters of some parts ({@code InfinityPart.BLOCKS}: every block
     * parameter, self-attention, AdaLN tables and the CA LayerNorm included; adapter format version 2).
     *
     * @param seed the noise seed
     * @param parts the parts whose parameters the adapter replaces
     * @return the adapter
     */
    public static Adapter adapterOn(long seed, java.util.Set<dev.arbooth.internal.weights.InfinityPart> parts) {
        Adapter p = TestAdapters.perturbedSet1(seed, 0.05, 1, parts);
        return Adapter.builder(InfinityConfig.goldenSet1(), p.baseFingerprint())
                .identifier("on")
                .classWord("dog")
                .tensors(p.tensors())
                .identifierEmbedding(p.identifierEmbedding())
                .build();
    }

    /**
     * Writes a T5 encoder as a self-contained {@code .onnx} file the way an exporter would: ONNX Runtime's own
     * serializer (a session's optimized-model output without graph optimization, weights embedded), inputs
     * {@code input_ids} and an int64 {@code attention_mask}, output {@code last_hidden_state}. Fixed shape
     * {@code (batch, length)} (the emitter tracks static shapes).
     *
     * @param config the encoder's configuration
     * @param checkpoint its weights
     * @param batch B
     * @param length S
     * @param out the file to write
     * @return {@code out}
     */
    public static Path exportT5(T5Config config, StateDict checkpoint, int batch, int length, Path out) {
        try (OrtWeights weights = OrtWeights.create(StateDict.of(T5Weights.bind(config, checkpoint)))) {
            OnnxOps ops = OnnxOps.create("t5_export", weights::shapeOrNull);
            String ids = ops.inputLong(T5Graph.IDS, batch, length);
            String mask = ops.toFloat(ops.inputLong(T5Graph.MASK, batch, length));
            ops.output(T5Graph.OUT, T5EncoderNet.create(config).forward(ops, ids, mask));
            return exportWithOrt(ops, weights, out);
        }
    }

    /**
     * ONNX Runtime writes a graph with its weights into {@code out} (no graph optimization).
     *
     * @param ops the graph
     * @param weights the weights it references
     * @param out the file to write
     * @return {@code out}
     */
    public static Path exportWithOrt(OnnxOps ops, OrtWeights weights, Path out) {
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
            o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.NO_OPT);
            o.setOptimizedModelFilePath(out.toString());
            Map<String, OnnxTensorLike> w = new java.util.HashMap<>(weights.select(ops.weightsUsed()));
            o.addExternalInitializers(w);
            OrtSessions.environment().createSession(ops.toModelBytes(), o).close();
            return out;
        } catch (OrtException e) {
            throw new IllegalStateException(e);
        }
    }
}
