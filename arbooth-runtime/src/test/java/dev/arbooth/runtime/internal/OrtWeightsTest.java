package dev.arbooth.runtime.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxTensorLike;
import dev.arbooth.ArboothException;
import dev.arbooth.internal.format.SafeTensors;
import dev.arbooth.internal.format.StateDict;
import dev.arbooth.tensor.DType;
import dev.arbooth.tensor.Tensor;
import dev.arbooth.testing.Golden;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** External-initializer tensors: float32 mapped tensors wrapped without a copy, F16/BF16 widened once. */
class OrtWeightsTest {
    @Test
    void mappedFloat32SafetensorsAreWrappedWithoutACopy() {
        try (SafeTensors st = Golden.open("infinity-set1/transformer_weights.safetensors");
                OrtWeights w = OrtWeights.create(st)) {
            long floats =
                    st.names().stream().filter(n -> st.dtype(n) == DType.F32).count();
            assertThat(floats).isPositive();
            assertThat(st.get("pos_start").data().isDirect()).isTrue();
            assertThat(w.copiedCount()).as("tensors copied").isZero();
            assertThat(w.size()).isEqualTo((int) floats);
            float[] got =
                    OrtTensors.read((OnnxTensor) w.select(List.of("pos_start")).get("pos_start"));
            assertThat(got).containsExactly(st.get("pos_start").toFloatArray());
        }
    }

    @Test
    void halfPrecisionIsWidenedAndIntegersAreSkipped() {
        // 1.5, -2, 0.25 in F16 and BF16
        ByteBuffer f16 = ByteBuffer.allocate(6).order(ByteOrder.LITTLE_ENDIAN);
        f16.putShort((short) 0x3E00)
                .putShort((short) 0xC000)
                .putShort((short) 0x3400)
                .flip();
        ByteBuffer bf16 = ByteBuffer.allocate(6).order(ByteOrder.LITTLE_ENDIAN);
        bf16.putShort((short) 0x3FC0)
                .putShort((short) 0xC000)
                .putShort((short) 0x3E80)
                .flip();
        StateDict sd = StateDict.of(Map.of(
                "h", Tensor.of(DType.F16, new long[] {3}, f16),
                "b", Tensor.of(DType.BF16, new long[] {3}, bf16),
                "i", Tensor.ofLongs(new long[] {1, 2}, 2),
                "f", Tensor.ofFloats(new float[] {1, 2}, 2)));
        OrtWeights w = OrtWeights.create(sd);
        try {
            Map<String, OnnxTensorLike> m = w.select(List.of("h", "b", "f"));
            assertThat(OrtTensors.read((OnnxTensor) m.get("h"))).containsExactly(1.5f, -2f, 0.25f);
            assertThat(OrtTensors.read((OnnxTensor) m.get("b"))).containsExactly(1.5f, -2f, 0.25f);
            assertThat(w.copiedCount()).isEqualTo(3); // heap float32 is copied into a direct buffer too
            assertThat(w.shapeOrNull("i")).isNull();
            assertThat(w.shapeOrNull("h")).containsExactly(3);
            assertThatThrownBy(() -> w.select(List.of("i")))
                    .isInstanceOf(ArboothException.class)
                    .hasMessageContaining("'i'");
        } finally {
            w.close();
        }
        w.close();
        assertThatThrownBy(() -> w.select(List.of("h"))).isInstanceOf(IllegalStateException.class);
    }
}
