package dev.arbooth.runtime.internal;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.arbooth.ArboothException;
import dev.arbooth.FormatException;
import dev.arbooth.config.T5Config;
import dev.arbooth.internal.format.SafeTensors;
import dev.arbooth.internal.format.StateDict;
import dev.arbooth.internal.weights.T5Weights;
import dev.arbooth.runtime.internal.onnx.OnnxOps;
import dev.arbooth.runtime.internal.onnx.T5Graph;
import dev.arbooth.runtime.testing.TestBases;
import dev.arbooth.tensor.Tensor;
import dev.arbooth.testing.Golden;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A T5 encoder {@code .onnx} file made elsewhere ({@link OrtT5#external}). The files here are written by ONNX
 * Runtime's own serializer (a session's optimized-model output, weights embedded), from the set-1 encoder with a
 * float or an int64 attention mask, as exporters produce them.
 */
class ExternalT5Test {
    private static final OrtWeights NO_WEIGHTS = OrtWeights.create(StateDict.of(Map.of()));

    @TempDir
    Path dir;

    @Test
    void goldenLastHiddenStateThroughExportedFiles() throws Exception {
        T5Config config = T5Config.goldenSet1();
        try (SafeTensors model = Golden.open("t5-set1/model.safetensors");
                SafeTensors golden = Golden.open("t5-set1/golden.safetensors");
                OrtWeights weights = OrtWeights.create(StateDict.of(T5Weights.bind(config, model)))) {
            Tensor ids = golden.get("input_ids");
            int b = Math.toIntExact(ids.shape()[0]);
            int s = Math.toIntExact(ids.shape()[1]);
            Path floatMask = TestBases.exportWithOrt(
                    T5Graph.emit(config, weights::shapeOrNull, b, s), weights, dir.resolve("f.onnx"));
            Path longMask = TestBases.exportT5(config, model, b, s, dir.resolve("l.onnx"));
            float[] want = golden.get("last_hidden_state").toFloatArray();
            for (Path file : new Path[] {floatMask, longMask}) {
                try (OrtT5 t5 = OrtT5.external(config, file, SessionFactory.cpu(1))) {
                    float[] out = t5.encode(
                            ids.toLongArray(), golden.get("attention_mask").toLongArray(), b, s);
                    OrtGoldenTest.assertT5Close("external T5 " + file.getFileName(), out, want);
                    // a fixed-shape export refuses other shapes with a message, before ONNX Runtime does
                    assertThatThrownBy(() -> t5.encode(new long[b * (s + 1)], new long[b * (s + 1)], b, s + 1))
                            .isInstanceOf(ArboothException.class)
                            .hasMessageContaining(file.toString())
                            .hasMessageContaining("fixed shape [" + b + ", " + s + "]")
                            .hasMessageContaining("dynamic");
                }
            }
            // the base's configuration must agree with the file's width
            T5Config wider = new T5Config(
                    config.dModel() * 2,
                    config.dKv(),
                    config.dFf(),
                    config.numHeads(),
                    config.numLayers(),
                    config.vocabSize(),
                    config.relativeAttentionNumBuckets(),
                    config.relativeAttentionMaxDistance(),
                    config.layerNormEpsilon(),
                    config.textMaxLength());
            assertThatThrownBy(() -> OrtT5.external(wider, floatMask, SessionFactory.cpu(1)))
                    .isInstanceOf(FormatException.class)
                    .hasMessageContaining(floatMask.toString())
                    .hasMessageContaining("has " + config.dModel() + " channels")
                    .hasMessageContaining("d_model " + 2 * config.dModel());
        }
    }

    @Test
    void refusesFilesThatAreNoT5EncoderExport() throws Exception {
        T5Config config = T5Config.goldenSet1();
        OnnxOps other = OnnxOps.create("other", name -> null);
        other.output(T5Graph.OUT, other.toFloat(other.inputLong("tokens", 1, 4)));
        Path wrongInputs = TestBases.exportWithOrt(other, NO_WEIGHTS, dir.resolve("other.onnx"));
        assertThatThrownBy(() -> OrtT5.external(config, wrongInputs, SessionFactory.cpu(1)))
                .isInstanceOf(FormatException.class)
                .hasMessageContaining(wrongInputs.toString())
                .hasMessageContaining("inputs are [tokens]")
                .hasMessageContaining("[attention_mask, input_ids]");

        OnnxOps floatIds = OnnxOps.create("float_ids", name -> null);
        String x = floatIds.input(T5Graph.IDS, 1, 4);
        floatIds.output(T5Graph.OUT, floatIds.reshape(floatIds.add(x, floatIds.input(T5Graph.MASK, 1, 4)), 1, 4, 1));
        Path badType = TestBases.exportWithOrt(floatIds, NO_WEIGHTS, dir.resolve("float.onnx"));
        assertThatThrownBy(() -> OrtT5.external(config, badType, SessionFactory.cpu(1)))
                .isInstanceOf(FormatException.class)
                .hasMessageContaining(badType.toString())
                .hasMessageContaining("input_ids is FLOAT [1, 4], expected one of [INT32, INT64] of rank 2");

        Path text = Files.writeString(dir.resolve("notes.onnx"), "not a model", StandardCharsets.UTF_8);
        assertThatThrownBy(() -> OrtT5.external(config, text, SessionFactory.cpu(1)))
                .isInstanceOf(FormatException.class)
                .hasMessageContaining(text.toString())
                .hasMessageContaining("ONNX Runtime cannot load this T5 encoder model");

        Path missing = dir.resolve("missing.onnx");
        assertThatThrownBy(() -> OrtT5.external(config, missing, SessionFactory.cpu(1)))
                .isInstanceOf(FormatException.class)
                .hasMessageContaining(missing.toString())
                .hasMessageContaining("does not exist");
    }
}
