package dev.arbooth.base;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.arbooth.FormatException;
import dev.arbooth.config.InfinityConfig;
import dev.arbooth.config.T5Config;
import dev.arbooth.config.VaeConfig;
import dev.arbooth.internal.format.Checkpoints;
import dev.arbooth.internal.schedule.ScaleSchedules;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13, item 1: a base descriptor reaches only files inside its own directory, symbolic links resolved,
 * and no message shows the content of a file that is not a recognised checkpoint.
 */
class BaseModelConfinementTest {
    private static final String OUTSIDE_CONTENT = "root:x:0:0:root:/root:/bin/bash\nSHELL=/bin/sh\n";

    @TempDir
    Path tmp;

    private Path dir;
    private Path outside;
    private String descriptor;

    @BeforeEach
    void base() throws IOException {
        dir = Files.createDirectories(tmp.resolve("models/toy"));
        outside = Files.writeString(tmp.resolve("passwd"), OUTSIDE_CONTENT);
        for (String f : new String[] {"transformer.safetensors", "vae.safetensors", "t5.safetensors"}) {
            Files.writeString(dir.resolve(f), "placeholder: descriptors do not open checkpoints");
        }
        Files.writeString(dir.resolve("tokenizer.json"), "{}");
        descriptor = Files.readString(new BaseModel(
                        dir,
                        "toy",
                        InfinityConfig.goldenSet1(),
                        dir.resolve("transformer.safetensors"),
                        VaeConfig.goldenSet1(),
                        dir.resolve("vae.safetensors"),
                        new T5Config(256, 32, 512, 8, 2, 100, 32, 128, 1e-6, 16),
                        dir.resolve("t5.safetensors"),
                        dir.resolve("tokenizer.json"),
                        ScaleSchedules.official("1.000", "0.06M"))
                .save());
    }

    /** Loads the base with the VAE checkpoint's path replaced by {@code path}. */
    private BaseModel loadWithVae(String path) throws IOException {
        Files.writeString(
                dir.resolve(BaseModel.DESCRIPTOR),
                descriptor.replace("\"vae.safetensors\"", "\"" + path.replace("\\", "\\\\") + "\""));
        return BaseModel.load(dir);
    }

    private void refused(String path, String why) {
        assertThatThrownBy(() -> loadWithVae(path))
                .as(path)
                .isInstanceOf(FormatException.class)
                .hasMessageStartingWith(dir.resolve(BaseModel.DESCRIPTOR) + ": ")
                .hasMessageContaining(why)
                .hasMessageNotContaining("root:x")
                .hasMessageNotContaining("SHELL=");
    }

    @Test
    void relativePathsThatClimbOutAreRefused() {
        refused("../../passwd", "leaves the base-model directory");
        refused("sub/../../../passwd", "leaves the base-model directory");
        refused("..", "leaves the base-model directory");
        refused(".", "leaves the base-model directory");
    }

    @Test
    void absolutePathsAreRefused() {
        refused(outside.toString(), "is an absolute path");
        refused("/proc/self/environ", "is an absolute path");
        refused("/etc/passwd", "is an absolute path");
    }

    @Test
    void symbolicLinksLeadingOutAreRefusedAndThoseStayingInAreFollowed() throws IOException {
        Files.createSymbolicLink(dir.resolve("vae-link.safetensors"), outside);
        refused("vae-link.safetensors", "symbolic link that leads outside");
        Files.createSymbolicLink(dir.resolve("escape"), tmp);
        refused("escape/passwd", "symbolic link that leads outside");
        Files.createDirectories(dir.resolve("weights"));
        Files.createSymbolicLink(dir.resolve("weights/vae.safetensors"), dir.resolve("vae.safetensors"));
        assertThat(loadWithVae("weights/vae.safetensors").vaeWeights())
                .isEqualTo(dir.resolve("weights/vae.safetensors"));
        assertThat(loadWithVae("./weights/../vae.safetensors").vaeWeights()).isEqualTo(dir.resolve("vae.safetensors"));
    }

    @Test
    void aBaseDirectoryReachedThroughALinkStillWorks() throws IOException {
        Path link = Files.createSymbolicLink(tmp.resolve("toy-link"), dir);
        Files.writeString(dir.resolve(BaseModel.DESCRIPTOR), descriptor);
        assertThat(BaseModel.load(link).vaeWeights()).isEqualTo(link.resolve("vae.safetensors"));
    }

    @Test
    void aDescriptorThatIsALinkOutsideIsRefused() throws IOException {
        Path elsewhere = Files.writeString(tmp.resolve("elsewhere.json"), descriptor);
        Files.delete(dir.resolve(BaseModel.DESCRIPTOR));
        Files.createSymbolicLink(dir.resolve(BaseModel.DESCRIPTOR), elsewhere);
        assertThatThrownBy(() -> BaseModel.load(dir))
                .isInstanceOf(FormatException.class)
                .hasMessageContaining("symbolic link that leads outside");
    }

    @Test
    void missingFilesDirectoriesAndDevicesAreRefused() throws IOException {
        refused("nothing.safetensors", "which does not exist");
        Files.createDirectories(dir.resolve("folder"));
        refused("folder", "is not a regular file");
        refused("bad\u0000name", "is not a valid path");
    }

    @Test
    void refusalsOfUnrecognisedFilesNeverShowTheirBytes() {
        // a file a descriptor could name, that is no checkpoint: the message says what it is not, not what it holds
        assertThatThrownBy(() -> Checkpoints.open(outside))
                .isInstanceOf(FormatException.class)
                .hasMessageContaining("neither a safetensors file nor a PyTorch zip checkpoint")
                .hasMessageNotContaining("726f6f74") // "root" in hex
                .hasMessageNotContaining("root");
    }
}
