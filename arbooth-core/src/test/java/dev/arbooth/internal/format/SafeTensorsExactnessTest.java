package dev.arbooth.internal.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.arbooth.FormatException;
import dev.arbooth.tensor.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13, item 8: the header length, the data offsets and the file size must agree exactly, and the header
 * must start with {@code '{'} for {@link SafeTensors#open} and {@link Checkpoints#open} alike.
 */
class SafeTensorsExactnessTest {
    @TempDir
    Path tmp;

    /** A valid file of two tensors, as bytes (header padded with spaces to a multiple of 8 by the writer). */
    private byte[] valid() throws IOException {
        Path f = tmp.resolve("valid.safetensors");
        SafeTensors.write(
                f,
                Map.of(
                        "a", Tensor.ofFloats(new float[] {1, 2, 3}, 3),
                        "b", Tensor.ofFloats(new float[] {4, 5}, 2)));
        try (SafeTensors st = SafeTensors.open(f)) {
            assertThat(st.get("b").toFloatArray()).containsExactly(4, 5);
        }
        return Files.readAllBytes(f);
    }

    private static long headerLength(byte[] b) {
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
    }

    private static byte[] withHeaderLength(byte[] b, long length) {
        byte[] c = b.clone();
        ByteBuffer.wrap(c).order(ByteOrder.LITTLE_ENDIAN).putLong(0, length);
        return c;
    }

    private Path write(String name, byte[] bytes) throws IOException {
        return Files.write(tmp.resolve(name), bytes);
    }

    @Test
    void aHeaderLengthMovedIntoThePaddingIsRefusedNotReadShifted() throws IOException {
        byte[] ok = valid();
        long len = headerLength(ok);
        assertThat(new String(ok, (int) (8 + len - 1), 1, StandardCharsets.US_ASCII))
                .isEqualTo(" "); // padding
        for (long delta : new long[] {-1, -2, +1}) {
            Path f = write("shifted" + delta + ".safetensors", withHeaderLength(ok, len + delta));
            assertThatThrownBy(() -> SafeTensors.open(f).close())
                    .as("header length %+d", delta)
                    .isInstanceOf(FormatException.class)
                    .hasMessageStartingWith(f + ": ");
        }
        Path f = write("lower.safetensors", withHeaderLength(ok, len - 1));
        assertThatThrownBy(() -> SafeTensors.open(f).close())
                .hasMessageContaining("the header length, the data offsets and the file size disagree");
    }

    @Test
    void trailingBytesAndGapsAreRefused() throws IOException {
        byte[] ok = valid();
        byte[] longer = java.util.Arrays.copyOf(ok, ok.length + 4);
        Path f = write("trailing.safetensors", longer);
        assertThatThrownBy(() -> SafeTensors.open(f).close())
                .isInstanceOf(FormatException.class)
                .hasMessageContaining("cover 20 bytes of data but the file has 24");
        String gap = "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}";
        Path g = write("gap.safetensors", file(gap, 8));
        assertThatThrownBy(() -> SafeTensors.open(g).close())
                .isInstanceOf(FormatException.class)
                .hasMessageContaining("tensor 'a' starts at data offset 4");
        String hole = "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}";
        Path h = write("hole.safetensors", file(hole, 12));
        assertThatThrownBy(() -> SafeTensors.open(h).close())
                .isInstanceOf(FormatException.class)
                .hasMessageContaining("the previous tensor 'a' ends at 4");
        String empty = "{\"e\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}";
        try (SafeTensors st = SafeTensors.open(write("empty.safetensors", file(empty, 4)))) {
            assertThat(st.get("e").numel()).isZero(); // empty tensors take no bytes and are fine anywhere on the tiling
        }
    }

    @Test
    void oneRuleForWhatMayPrecedeTheJsonHeader() throws IOException {
        String json = "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}";
        assertThat(SafeTensors.open(write("plain.safetensors", file(json, 4))).names())
                .containsExactly("a");
        for (String prefix : new String[] {"\uFEFF", " ", "\n", "\t"}) {
            Path f = write("prefixed.safetensors", file(prefix + json, 4));
            assertThat(SafeTensors.looksLikeSafetensors(f)).isFalse();
            assertThatThrownBy(() -> SafeTensors.open(f).close())
                    .isInstanceOf(FormatException.class)
                    .hasMessageContaining("must start with '{'");
            assertThatThrownBy(() -> Checkpoints.open(f).close()).isInstanceOf(FormatException.class);
        }
        // trailing JSON whitespace (the writer's padding) stays valid for both
        Path padded = write("padded.safetensors", file(json + "  \n ", 4));
        assertThat(SafeTensors.looksLikeSafetensors(padded)).isTrue();
        try (CheckpointFile c = Checkpoints.open(padded)) {
            assertThat(c.names()).containsExactly("a");
        }
    }

    private static byte[] file(String header, int dataBytes) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(8 + h.length + dataBytes)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putLong(h.length)
                .put(h)
                .array();
    }
}
