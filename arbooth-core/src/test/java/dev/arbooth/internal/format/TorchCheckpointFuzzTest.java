package dev.arbooth.internal.format;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.arbooth.testing.FuzzSupport;
import dev.arbooth.testing.Golden;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Fuzz target of the PyTorch {@code .pth} reader ({@link TorchCheckpoint}): open, read the root tree and
 * every tensor of the root state dict. A copy budget of 256 MiB keeps each run small; the default limits
 * apply otherwise.
 */
@Tag("slow") // the first fuzz class of a JVM starts Jazzer's agent (5-10 s)
class TorchCheckpointFuzzTest {
    private static final PickleLimits LIMITS = PickleLimits.defaults().withMaxCopiedBytes(256L << 20);

    @TempDir
    static Path tmp;

    @MethodSource("seeds")
    @FuzzTest(maxDuration = "5s")
    void pth(byte[] data) {
        FuzzSupport.read(tmp, ".pth", data, file -> {
            try (TorchCheckpoint ckpt = TorchCheckpoint.open(file, LIMITS)) {
                ckpt.root();
                StateDict sd = ckpt.stateDict();
                for (String name : sd.names()) {
                    FuzzSupport.touch(sd.get(name).data());
                }
            }
        });
    }

    /** The small golden checkpoints as torch wrote them, and one re-zipped with DEFLATED records. */
    static Stream<byte[]> seeds() throws IOException {
        Path zoo = Golden.golden("pth/dtype_zoo.pth");
        return Stream.of(
                Files.readAllBytes(zoo), Files.readAllBytes(Golden.golden("pth/legacy_format.pth")), deflated(zoo));
    }

    /** The same archive with every record DEFLATED (as a zip tool would re-pack it). */
    static byte[] deflated(Path pth) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (ZipFile in = new ZipFile(pth.toFile());
                ZipOutputStream out = new ZipOutputStream(bos)) {
            for (Enumeration<? extends ZipEntry> e = in.entries(); e.hasMoreElements(); ) {
                ZipEntry entry = e.nextElement();
                out.putNextEntry(new ZipEntry(entry.getName()));
                out.write(in.getInputStream(entry).readAllBytes());
            }
        }
        return bos.toByteArray();
    }
}
