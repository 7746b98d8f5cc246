package dev.arbooth.internal.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.arbooth.FormatException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MappedFileTest {
    @TempDir
    Path tmp;

    private Path sample() throws IOException {
        byte[] b = new byte[64];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (i * 7 + 1);
        }
        Path f = tmp.resolve("sample.bin");
        Files.write(f, b);
        return f;
    }

    /** Both modes (whole mapping, and channel + per-range mapping) give the same bytes. */
    @Test
    void readAndSliceAgreeInBothModes() throws IOException {
        Path f = sample();
        long expectedLong = ByteBuffer.wrap(Files.readAllBytes(f), 8, 8)
                .order(ByteOrder.LITTLE_ENDIAN)
                .getLong();
        for (long wholeLimit : new long[] {Integer.MAX_VALUE, 16}) {
            try (MappedFile m = MappedFile.open(f, "missing", "no open", "no read", wholeLimit)) {
                assertThat(m.size()).isEqualTo(64);
                assertThat(m.file()).isEqualTo(f);
                ByteBuffer r = m.read(8, 8);
                assertThat(r.order()).isEqualTo(ByteOrder.LITTLE_ENDIAN);
                assertThat(r.remaining()).isEqualTo(8);
                assertThat(r.getLong(0)).isEqualTo(expectedLong);
                ByteBuffer s = m.slice(10, 20);
                assertThat(s.position()).isZero();
                assertThat(s.remaining()).isEqualTo(20);
                assertThat(s.isReadOnly()).isTrue();
                for (int i = 0; i < 20; i++) {
                    assertThat(s.get(i)).isEqualTo((byte) ((10 + i) * 7 + 1));
                }
            }
        }
    }

    @Test
    void readPastTheEndThroughTheChannelFails() throws IOException {
        try (MappedFile m = MappedFile.open(sample(), "missing", "no open", "no read", 16)) {
            assertThatThrownBy(() -> m.read(60, 8))
                    .isInstanceOf(IOException.class)
                    .hasMessage("unexpected end of file");
        }
    }

    @Test
    void missingFileUsesTheCallersMessage() {
        assertThatThrownBy(() -> MappedFile.open(tmp.resolve("nope"), "no such thing", "x", "y"))
                .isInstanceOf(FormatException.class)
                .hasMessageContaining("no such thing");
    }

    @Test
    void closedFileIsRefusedAndCloseIsIdempotent() throws IOException {
        MappedFile m = MappedFile.open(sample(), "missing", "no open", "no read", 16);
        m.checkOpen();
        m.close();
        m.close();
        assertThatThrownBy(m::checkOpen)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("is closed");
    }
}
