package dev.arbooth.runtime.internal.onnx;

import dev.arbooth.runtime.Device;
import dev.arbooth.runtime.internal.OrtSessions;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExtDataProbeTest {
    static byte[] model(String location) {
        ProtoWriter t = new ProtoWriter();
        t.int64(1, 4);
        t.int64(2, 1);
        t.string(8, "w");
        t.message(13, new ProtoWriter().string(1, "location").string(2, location));
        t.message(13, new ProtoWriter().string(1, "offset").string(2, "0"));
        t.message(13, new ProtoWriter().string(1, "length").string(2, "16"));
        t.int64(14, 1);
        ProtoWriter n =
                new ProtoWriter().string(1, "w").string(2, "y").string(3, "id").string(4, "Identity");
        ProtoWriter dim = new ProtoWriter().int64(1, 4);
        ProtoWriter shape = new ProtoWriter().message(1, dim);
        ProtoWriter tt = new ProtoWriter().int64(1, 1).message(2, shape);
        ProtoWriter type = new ProtoWriter().message(1, tt);
        ProtoWriter vi = new ProtoWriter().string(1, "y").message(2, type);
        ProtoWriter g =
                new ProtoWriter().message(1, n).string(2, "g").message(5, t).message(12, vi);
        ProtoWriter opset = new ProtoWriter().string(1, "").int64(2, 17);
        return new ProtoWriter().int64(1, 8).message(7, g).message(8, opset).toByteArray();
    }

    @Test
    void probe(@TempDir Path dir) throws Exception {
        Path inner = Files.createDirectories(dir.resolve("base"));
        Files.write(dir.resolve("outside.bin"), new byte[16]);
        Files.write(inner.resolve("inside.bin"), new byte[16]);
        for (String loc : new String[] {
            "inside.bin", "../outside.bin", dir.resolve("outside.bin").toString(), "link.bin"
        }) {
            if (loc.equals("link.bin")) Files.createSymbolicLink(inner.resolve("link.bin"), dir.resolve("outside.bin"));
            Path m = inner.resolve("m.onnx");
            Files.write(m, model(loc));
            try (var s = OrtSessions.createFromFile("probe", m, Device.cpu(1))) {
                System.out.println("PROBE " + loc + " -> loaded " + s.getOutputNames());
            } catch (Exception e) {
                System.out.println("PROBE " + loc + " -> " + e);
            }
        }
    }
}
