package dev.arbooth.runtime.internal.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtSession;
import dev.arbooth.ArboothException;
import dev.arbooth.internal.format.StateDict;
import dev.arbooth.runtime.internal.OrtSessions;
import dev.arbooth.runtime.internal.OrtWeights;
import dev.arbooth.tensor.Tensor;
import java.nio.FloatBuffer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The hand-written protobuf encoder: ONNX Runtime loads what it writes and computes it. */
class OnnxGraphTest {
    @Test
    void ortRunsAHandBuiltAddGraphWithAnExternalInitializer() throws Exception {
        OnnxGraph g = OnnxGraph.create("add");
        g.input("x", OnnxGraph.FLOAT, new long[] {2, 3});
        g.externalInitializer("w", OnnxGraph.FLOAT, new long[] {3});
        g.initializer("c", OnnxGraph.FLOAT, new long[] {}, new byte[] {0, 0, (byte) 0x80, 0x3f}); // 1.0f
        g.node("Add", List.of("x", "w"), List.of("y0"));
        g.node("Add", List.of("y0", "c"), List.of("y"));
        g.output("y", OnnxGraph.FLOAT, new long[] {2, 3});
        StateDict sd = StateDict.of(Map.of("w", Tensor.ofFloats(new float[] {10, 20, 30}, 3)));
        try (OrtWeights w = OrtWeights.create(sd);
                OrtSession s = OrtSessions.create("add", g.toModelBytes(), w.select(List.of("w")), 1);
                OnnxTensor x = OnnxTensor.createTensor(
                        OrtSessions.environment(), FloatBuffer.wrap(new float[] {1, 2, 3, 4, 5, 6}), new long[] {2, 3
                        });
                OrtSession.Result r = s.run(Map.of("x", x))) {
            float[] y = new float[6];
            ((OnnxTensor) r.get(0)).getFloatBuffer().get(y);
            assertThat(y).containsExactly(12, 23, 34, 15, 26, 37);
        }
    }

    @Test
    void aGraphOrtRejectsFailsWithTheGraphNamed() {
        OnnxGraph g = OnnxGraph.create("bad");
        g.input("x", OnnxGraph.FLOAT, new long[] {2});
        g.node("NoSuchOp", List.of("x"), List.of("y"));
        g.output("y", OnnxGraph.FLOAT, new long[] {2});
        assertThatThrownBy(() -> OrtSessions.create("bad test", g.toModelBytes(), Map.of(), 1))
                .isInstanceOf(ArboothException.class)
                .hasMessageContaining("bad test");
    }
}
