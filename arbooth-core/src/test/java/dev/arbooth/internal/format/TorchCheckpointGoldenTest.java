package dev.arbooth.internal.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.arbooth.FormatException;
import dev.arbooth.tensor.DType;
import dev.arbooth.tensor.Tensor;
import dev.arbooth.testing.Golden;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Reads the checkpoints real PyTorch wrote ({@code shared/golden/pth}) and compares with the goldens. */
class TorchCheckpointGoldenTest {
    private static final Map<String, DType> TORCH_DTYPES = Map.of(
            "float32", DType.F32,
            "float16", DType.F16,
            "bfloat16", DType.BF16,
            "float64", DType.F64,
            "int64", DType.I64,
            "int32", DType.I32,
            "int16", DType.I16,
            "int8", DType.I8,
            "uint8", DType.U8,
            "bool", DType.BOOL);

    @Test
    void dtypeZooEqualsExpectedJsonExactly() throws IOException {
        JsonObject expected = JsonParser.parseString(
                        Files.readString(Golden.golden("pth/dtype_zoo.expected.json"), StandardCharsets.UTF_8))
                .getAsJsonObject();
        try (TorchCheckpoint ckpt = TorchCheckpoint.open(Golden.golden("pth/dtype_zoo.pth"))) {
            Map<Object, Object> root = map(ckpt.root());
            assertThat(root.keySet())
                    .containsExactly(
                            "f32",
                            "f16",
                            "bf16",
                            "i64",
                            "i32",
                            "u8",
                            "bool",
                            "scalar",
                            "empty",
                            "base",
                            "view_offset",
                            "view_transposed",
                            "nested");
            assertThat(expected.keySet()).hasSize(13);
            for (Map.Entry<String, JsonElement> e : expected.entrySet()) {
                Tensor t = e.getKey().equals("nested.list[0]")
                        ? (Tensor) list(map(root.get("nested")).get("list")).get(0)
                        : (Tensor) root.get(e.getKey());
                JsonObject x = e.getValue().getAsJsonObject();
                assertThat(t.dtype())
                        .as(e.getKey())
                        .isEqualTo(TORCH_DTYPES.get(x.get("dtype").getAsString()));
                long[] shape = new long[x.getAsJsonArray("shape").size()];
                for (int i = 0; i < shape.length; i++) {
                    shape[i] = x.getAsJsonArray("shape").get(i).getAsLong();
                }
                assertThat(t.shape()).as(e.getKey()).isEqualTo(shape);
                var values = x.getAsJsonArray("values");
                assertThat(t.numel()).as(e.getKey()).isEqualTo(values.size());
                if (t.dtype() == DType.BOOL) {
                    long[] got = t.toLongArray();
                    for (int i = 0; i < got.length; i++) {
                        assertThat(got[i]).isEqualTo(values.get(i).getAsBoolean() ? 1L : 0L);
                    }
                } else {
                    double[] got = t.toDoubleArray();
                    double[] want = new double[values.size()];
                    for (int i = 0; i < want.length; i++) {
                        want[i] = values.get(i).getAsDouble();
                    }
                    assertThat(got).as(e.getKey()).containsExactly(want); // exact: no tolerance
                }
            }
            // The nested dict of mixed Python values: {"list": [t, 1, "two", 3.0, None, True], "tuple": (t, (1, 2))}.
            Map<Object, Object> nested = map(root.get("nested"));
            assertThat(nested.keySet()).containsExactly("list", "tuple");
            List<Object> list = list(nested.get("list"));
            assertThat(list).hasSize(6);
            assertThat(list.subList(1, 6)).containsExactly(1L, "two", 3.0, null, true);
            List<Object> tuple = list(nested.get("tuple"));
            assertThat(tuple).hasSize(2);
            assertThat(((Tensor) tuple.get(0)).toFloatArray())
                    .containsExactly(0f); // its record data/11 is 4 zero bytes
            assertThat(tuple.get(1)).isEqualTo(List.of(1L, 2L));
            // Contiguous tensors (also the offset view) are views of the mapped file; the transpose is a copy.
            assertThat(((Tensor) root.get("view_offset")).data().isDirect()).isTrue();
            assertThat(((Tensor) root.get("f32")).data().isDirect()).isTrue();
            assertThat(((Tensor) root.get("view_transposed")).data().isDirect()).isFalse();
            assertThat(ckpt.root()).isSameAs(root);
        }
    }

    @Test
    void transformerWeightsEqualSafetensorsBitForBit() {
        try (TorchCheckpoint ckpt = TorchCheckpoint.open(Golden.golden("pth/transformer_weights.pth"));
                SafeTensors st = Golden.open("infinity-set1/transformer_weights.safetensors")) {
            StateDict sd = ckpt.stateDict();
            assertThat(sd.names()).containsExactlyInAnyOrderElementsOf(st.names());
            assertThat(sd.names().iterator().next()).isEqualTo("block_chunks.0.module.0.ada_gss");
            for (String name : st.names()) {
                assertThat(sd.dtype(name)).as(name).isEqualTo(st.dtype(name));
                assertThat(sd.shape(name)).as(name).isEqualTo(st.shape(name));
                assertThat(sd.get(name)).as(name).isEqualTo(st.get(name));
            }
        }
    }

    @Test
    void vaeCheckpointSharesStoragesAndEqualsSafetensors() {
        try (TorchCheckpoint ckpt = TorchCheckpoint.open(Golden.golden("pth/vae_checkpoint.pth"));
                SafeTensors st = Golden.open("infinity-set1/vae_weights.safetensors")) {
            StateDict vae = ckpt.stateDict("vae");
            StateDict ema = ckpt.stateDict("ema");
            assertThat(vae.names()).containsExactlyInAnyOrderElementsOf(st.names());
            assertThat(ema.names()).containsExactlyElementsOf(vae.names());
            for (String name : st.names()) {
                Tensor t = vae.get(name);
                assertThat(t).as(name).isEqualTo(st.get(name));
                assertThat(ema.get(name)).as(name).isEqualTo(t);
            }
            Map<Object, Object> root = map(ckpt.root());
            assertThat(root.keySet()).containsExactly("vae", "ema", "step");
            assertThat(root.get("step")).isEqualTo(12345L);
            assertThat(root.get("ema")).isSameAs(root.get("vae")); // shared in the pickle, shared in the tree

            assertThatThrownBy(ckpt::stateDict)
                    .isInstanceOf(FormatException.class)
                    .hasMessageContaining("vae_checkpoint.pth")
                    .hasMessageContaining("not a state dict")
                    .hasMessageContaining("keys: vae, ema, step")
                    .hasMessageContaining("nested dicts: vae, ema");
            assertThatThrownBy(() -> ckpt.stateDict("model"))
                    .isInstanceOf(FormatException.class)
                    .hasMessageContaining("no key 'model' in the top-level dict; available keys: vae, ema, step");
            assertThatThrownBy(() -> ckpt.stateDict("step"))
                    .isInstanceOf(FormatException.class)
                    .hasMessageContaining("['step'] is a int, not a state dict");
            assertThatThrownBy(() -> ckpt.stateDict("vae", "x"))
                    .isInstanceOf(FormatException.class)
                    .hasMessageContaining("no key 'x' in ['vae']");
        }
    }

    @Test
    void vaeCheckpointWithPlainKeysLoads() {
        try (CheckpointFile plain = Checkpoints.open(Golden.golden("pth/vae_checkpoint_plain_keys.pth"), "vae");
                SafeTensors st = Golden.open("infinity-set1/vae_weights.safetensors")) {
            assertThat(plain.names()).hasSameSizeAs(st.names()).contains("decoder.conv_in.weight");
            assertThat(plain.get("decoder.conv_in.weight")).isEqualTo(st.get("decoder.conv_in.conv.weight"));
            assertThat(plain.file()).endsWith(Path.of("vae_checkpoint_plain_keys.pth"));
        }
    }

    @Test
    void legacyFormatIsRefusedWithAHowTo() {
        Path legacy = Golden.golden("pth/legacy_format.pth");
        for (Runnable open : List.<Runnable>of(() -> TorchCheckpoint.open(legacy), () -> Checkpoints.open(legacy))) {
            assertThatThrownBy(open::run)
                    .isInstanceOf(FormatException.class)
                    .hasMessageContaining("legacy_format.pth")
                    .hasMessageContaining("legacy (pre-1.6, non-zip)")
                    .hasMessageContaining("_use_new_zipfile_serialization=True")
                    .hasMessageContaining("safetensors");
        }
    }

    @Test
    void checkpointsChoosesTheReaderByContent() {
        Path sft = Golden.golden("infinity-set1/vae_weights.safetensors");
        Path pth = Golden.golden("pth/vae_checkpoint.pth");
        assertThat(Checkpoints.detect(sft)).isEqualTo(Checkpoints.Format.SAFETENSORS);
        assertThat(Checkpoints.detect(pth)).isEqualTo(Checkpoints.Format.PYTORCH);
        try (CheckpointFile a = Checkpoints.open(sft);
                CheckpointFile b = Checkpoints.open(pth, "vae")) {
            assertThat(a).isInstanceOf(SafeTensors.class);
            assertThat(b.names()).containsExactlyInAnyOrderElementsOf(a.names());
            String name = "decoder.conv_in.conv.weight";
            assertThat(b.get(name)).isEqualTo(a.get(name));
            assertThat(Arrays.equals(b.shape(name), a.shape(name))).isTrue();
        }
        assertThatThrownBy(() -> Checkpoints.open(sft, "vae"))
                .isInstanceOf(FormatException.class)
                .hasMessageContaining("no nested dict 'vae'");
        assertThatThrownBy(() -> Checkpoints.open(Golden.golden("pth/README.md")))
                .isInstanceOf(FormatException.class)
                .hasMessageContaining("README.md")
                .hasMessageContaining("neither a safetensors file nor a PyTorch zip checkpoint");
    }

    @Test
    void useAfterCloseFailsButTensorsStayReadable() {
        TorchCheckpoint ckpt = TorchCheckpoint.open(Golden.golden("pth/transformer_weights.pth"));
        StateDict sd = ckpt.stateDict();
        Tensor head = sd.get("head.weight");
        ckpt.close();
        ckpt.close(); // idempotent
        assertThat(head.toFloatArray()).hasSize(32 * 128);
        assertThatThrownBy(() -> sd.get("head.weight")).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(ckpt::root).isInstanceOf(IllegalStateException.class);
    }

    @SuppressWarnings("unchecked")
    private static Map<Object, Object> map(Object o) {
        return (Map<Object, Object>) o;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object o) {
        return (List<Object>) o;
    }
}
