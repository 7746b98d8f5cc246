package dev.arbooth.internal.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.arbooth.FormatException;
import dev.arbooth.tensor.DType;
import dev.arbooth.tensor.Tensor;
import dev.arbooth.testing.Golden;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeTensorsTest {
    @TempDir
    Path tmp;

    @Test
    void readsGoldenTransformerWeights() {
        try (SafeTensors st = Golden.open("infinity-set1/transformer_weights.safetensors")) {
            assertThat(st.names()).contains("head.weight", "cfg_uncond", "block_chunks.1.module.0.sa.mat_qkv.weight");
            Tensor head = st.get("head.weight");
            assertThat(head.dtype()).isEqualTo(DType.F32);
            assertThat(head.shape()).containsExactly(32, 128);
            assertThat(head.toFloatArray()).hasSize(32 * 128);
            Tensor zeros = st.get("block_chunks.0.module.0.sa.zero_k_bias");
            assertThat(zeros.toFloatArray()).containsOnly(0f);
        }
    }

    @Test
    void roundTripsEveryDtypeWithMetadata() throws IOException {
        Map<String, Tensor> in = new LinkedHashMap<>();
        in.put("f32", Tensor.ofFloats(new float[] {1.5f, -2f, 3.25f, 0f, 1e-30f, -0f}, 2, 3));
        in.put("i64", Tensor.ofLongs(new long[] {Long.MIN_VALUE, -1, 0, Long.MAX_VALUE}, 4));
        in.put("i32", Tensor.ofInts(new int[] {7, -7}, 2, 1));
        in.put("f16", raw(DType.F16, new long[] {3}, 0x3C00, 0xC000, 0x0001)); // 1, -2, smallest subnormal
        in.put("bf16", raw(DType.BF16, new long[] {2}, 0x3F80, 0xC0A0)); // 1, -5
        in.put("u8", Tensor.of(DType.U8, new long[] {2}, ByteBuffer.wrap(new byte[] {(byte) 255, 3})));
        in.put("bool", Tensor.of(DType.BOOL, new long[] {2}, ByteBuffer.wrap(new byte[] {1, 0})));
        in.put("scalar", Tensor.ofFloats(new float[] {42f}));
        in.put("empty", Tensor.ofFloats(new float[0], 0, 5));
        Path f = tmp.resolve("all.safetensors");
        SafeTensors.write(f, in, Map.of("format", "pt", "note", "ü"));
        try (SafeTensors st = SafeTensors.open(f)) {
            assertThat(st.metadata()).containsEntry("format", "pt").containsEntry("note", "ü");
            assertThat(st.names()).containsExactly("bf16", "bool", "empty", "f16", "f32", "i32", "i64", "scalar", "u8");
            for (String name : in.keySet()) {
                assertThat(st.get(name)).as(name).isEqualTo(in.get(name));
            }
            assertThat(st.get("f16").toFloatArray()).containsExactly(1f, -2f, 0x1p-24f);
            assertThat(st.get("bf16").toFloatArray()).containsExactly(1f, -5f);
            assertThat(st.get("u8").toLongArray()).containsExactly(255, 3);
            assertThat(st.get("scalar").shape()).isEmpty();
        }
        long headerLen = ByteBuffer.wrap(Files.readAllBytes(f), 0, 8)
                .order(ByteOrder.LITTLE_ENDIAN)
                .getLong();
        assertThat(headerLen % 8).isZero();
        assertThat(Files.list(tmp)).containsExactly(f); // no temporary file left behind
    }

    @Test
    void readsTensorsBeyondTwoGibibytes() throws IOException {
        // A sparse file: a 2.2 GB U8 tensor followed by a small F32 tensor at an offset above 2^31.
        long big = 2_200_000_000L;
        String header = "{\"big\":{\"dtype\":\"U8\",\"shape\":[" + big + "],\"data_offsets\":[0," + big + "]},"
                + "\"tail\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[" + big + "," + (big + 8) + "]}}";
        Path f = tmp.resolve("huge.safetensors");
        byte[] h = header.getBytes(StandardCharsets.US_ASCII);
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            ByteBuffer len =
                    ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length);
            raf.write(len.array());
            raf.write(h);
            raf.setLength(8 + h.length + big + 8);
            raf.seek(8 + h.length + big);
            ByteBuffer tail = ByteBuffer.allocate(8)
                    .order(ByteOrder.LITTLE_ENDIAN)
                    .putFloat(3.5f)
                    .putFloat(-1f);
            raf.write(tail.array());
        }
        try (SafeTensors st = SafeTensors.open(f)) {
            assertThat(st.get("tail").toFloatArray()).containsExactly(3.5f, -1f);
            assertThat(st.shape("big")).containsExactly(big);
            assertThatThrownBy(() -> st.get("big"))
                    .isInstanceOf(FormatException.class)
                    .hasMessageContaining("2 GiB");
        }
    }

    @Test
    void refusesInvalidHeadersWithPreciseMessages() throws IOException {
        assertRefused(new byte[] {1, 2, 3}, "shorter than the 8-byte header length");
        assertRefused(
                withHeader("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 4), "out of bounds");
        assertRefused(
                withHeader("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8), "needs 12 bytes");
        assertRefused(
                withHeader("{\"a\":{\"dtype\":\"Q7\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8),
                "Unsupported tensor dtype 'Q7'");
        assertRefused(
                withHeader(
                        "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}",
                        12),
                "overlap");
        assertRefused(
                withHeader(
                        "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                                + "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}",
                        8),
                "duplicate tensor 'a'");
        assertRefused(
                withHeader("{\"a\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", 8),
                "negative dimension");
        assertRefused(withHeader("[1,2]", 0), "must start with '{'");
        assertRefused(withHeader("{\"a\": ", 0), "malformed safetensors JSON header");
        byte[] hugeHeaderLen = ByteBuffer.allocate(16)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putLong(1L << 40)
                .array();
        assertRefused(hugeHeaderLen, "header length (first 8 bytes) is outside [2, ");
        byte[] truncated = ByteBuffer.allocate(16)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putLong(100)
                .array();
        assertRefused(truncated, "truncated");
        assertThatThrownBy(() -> SafeTensors.open(tmp.resolve("missing.safetensors")))
                .isInstanceOf(FormatException.class)
                .hasMessageContaining("missing.safetensors")
                .hasMessageContaining("no such");
    }

    @Test
    void failedWriteLeavesTargetUntouched() throws IOException {
        Path f = tmp.resolve("keep.safetensors");
        SafeTensors.write(f, Map.of("x", Tensor.ofFloats(new float[] {1f}, 1)));
        byte[] before = Files.readAllBytes(f);
        Map<String, Tensor> bad = new LinkedHashMap<>();
        bad.put("__metadata__", Tensor.ofFloats(new float[] {1f}, 1));
        assertThatThrownBy(() -> SafeTensors.write(f, bad)).isInstanceOf(IllegalArgumentException.class);
        assertThat(Files.readAllBytes(f)).isEqualTo(before);
        assertThat(Files.list(tmp)).containsExactly(f);
    }

    private void assertRefused(byte[] content, String message) throws IOException {
        Path f = Files.createTempFile(tmp, "bad", ".safetensors");
        Files.write(f, content);
        assertThatThrownBy(() -> SafeTensors.open(f).close())
                .isInstanceOf(FormatException.class)
                .hasMessageContaining(f.getFileName().toString())
                .hasMessageContaining(message);
    }

    private static byte[] withHeader(String json, int dataBytes) {
        byte[] h = json.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h);
        return b.array();
    }

    private static Tensor raw(DType dtype, long[] shape, int... shorts) {
        ByteBuffer b = ByteBuffer.allocate(shorts.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (int s : shorts) {
            b.putShort((short) s);
        }
        return Tensor.of(dtype, shape, b.flip());
    }
}
