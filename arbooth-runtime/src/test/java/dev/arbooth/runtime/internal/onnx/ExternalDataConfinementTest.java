package dev.arbooth.runtime.internal.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnxruntime.OrtSession;
import dev.arbooth.FormatException;
import dev.arbooth.runtime.Device;
import dev.arbooth.runtime.internal.OrtSessions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13, item 1, for the one file a base names that ONNX Runtime opens itself (a T5 encoder {@code .onnx}):
 * its external-data locations cannot reach outside the model's own directory. ONNX Runtime (1.29) enforces
 * this; the test pins it, so that an upgrade that dropped the check would be noticed.
 */
class ExternalDataConfinementTest {
    @TempDir
    Path tmp;

    /** An Identity model whose one initializer {@code w} (4 floats) lives in external data at {@code location}. */
    static byte[] model(String location) {
        ProtoWriter t = new ProtoWriter();
        t.int64(1, 4); // dims
        t.int64(2, OnnxGraph.FLOAT);
        t.string(8, "w");
        t.message(13, new ProtoWriter().string(1, "location").string(2, location));
        t.message(13, new ProtoWriter().string(1, "offset").string(2, "0"));
        t.message(13, new ProtoWriter().string(1, "length").string(2, "16"));
        t.int64(14, 1); // data_location = EXTERNAL
        ProtoWriter node =
                new ProtoWriter().string(1, "w").string(2, "y").string(3, "id").string(4, "Identity");
        ProtoWriter shape = new ProtoWriter().message(1, new ProtoWriter().int64(1, 4));
        ProtoWriter type = new ProtoWriter()
                .message(1, new ProtoWriter().int64(1, OnnxGraph.FLOAT).message(2, shape));
        ProtoWriter output = new ProtoWriter().string(1, "y").message(2, type);
        ProtoWriter graph =
                new ProtoWriter().message(1, node).string(2, "g").message(5, t).message(12, output);
        ProtoWriter opset = new ProtoWriter().string(1, "").int64(2, OnnxGraph.OPSET);
        return new ProtoWriter()
                .int64(1, OnnxGraph.IR_VERSION)
                .message(7, graph)
                .message(8, opset)
                .toByteArray();
    }

    private Path modelIn(Path dir, String location) throws IOException {
        return Files.write(dir.resolve("encoder.onnx"), model(location));
    }

    @Test
    void externalDataInsideTheModelDirectoryLoads() throws Exception {
        Path base = Files.createDirectories(tmp.resolve("base"));
        Files.write(base.resolve("weights.bin"), new byte[16]);
        try (OrtSession s = OrtSessions.createFromFile("T5 encoder", modelIn(base, "weights.bin"), Device.cpu(1))) {
            assertThat(s.getOutputNames()).containsExactly("y");
        }
    }

    @Test
    void externalDataOutsideTheModelDirectoryIsRefused() throws IOException {
        Path base = Files.createDirectories(tmp.resolve("base"));
        Path outside = Files.write(tmp.resolve("outside.bin"), new byte[16]);
        Files.createSymbolicLink(base.resolve("link.bin"), outside);
        for (String location : new String[] {"../outside.bin", outside.toString(), "link.bin"}) {
            Path m = modelIn(base, location);
            assertThatThrownBy(() -> OrtSessions.createFromFile("T5 encoder", m, Device.cpu(1))
                            .close())
                    .as(location)
                    .isInstanceOf(FormatException.class)
                    .hasMessageStartingWith(m + ": ")
                    .hasMessageContaining("External data path");
        }
    }
}
