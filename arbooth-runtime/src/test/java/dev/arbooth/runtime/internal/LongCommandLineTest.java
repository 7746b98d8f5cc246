package dev.arbooth.runtime.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.arbooth.base.BaseModel;
import dev.arbooth.runtime.Device;
import dev.arbooth.runtime.GeneratedImage;
import dev.arbooth.runtime.Generator;
import dev.arbooth.runtime.testing.TestBases;
import dev.arbooth.sampling.SamplingOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ONNX Runtime 1.29.0 overflows a default thread stack while creating its environment in a process whose command
 * line is longer than about 4 000 bytes (SIGSEGV, no {@code hs_err} file). A child JVM with a command line over 8 KB
 * must create sessions and sample an image.
 */
@Tag("slow")
class LongCommandLineTest {
    static final String MARKER = "sampled ";

    @Test
    void sessionsRunInAJvmWithACommandLineOver8Kb(@TempDir Path dir) throws IOException, InterruptedException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> command = new ArrayList<>(List.of(
                java.toString(),
                "-Xmx1g",
                "-XX:ActiveProcessorCount=1",
                "-Darbooth.padding=" + "x".repeat(9000),
                "-cp",
                System.getProperty("java.class.path")));
        for (String p : List.of("arbooth.shared.dir", "arbooth.graph.cache", "java.awt.headless")) {
            if (System.getProperty(p) != null) {
                command.add("-D" + p + "=" + System.getProperty(p));
            }
        }
        command.add(Child.class.getName());
        command.add(dir.toString());
        int length = command.stream()
                .mapToInt(s -> s.getBytes(StandardCharsets.UTF_8).length + 1)
                .sum();
        assertThat(length).isGreaterThan(8192);

        Path log = dir.resolve("child.log");
        Process child = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        boolean finished = child.waitFor(5, TimeUnit.MINUTES);
        if (!finished) {
            child.destroyForcibly();
        }
        String output = Files.readString(log);
        assertThat(finished).as("child finished; output:%n%s", output).isTrue();
        assertThat(child.exitValue())
                .as("child exit code (139 = SIGSEGV); output:%n%s", output)
                .isZero();
        assertThat(output).contains(MARKER + "1 image");
    }

    /** The child: the golden set-1 base, one image through {@link Generator}. */
    public static final class Child {
        private Child() {}

        /**
         * Samples one image.
         *
         * @param args a scratch directory
         */
        public static void main(String[] args) throws IOException {
            Path base = Files.createDirectories(Path.of(args[0], "base"));
            TestBases.goldenSet1(base);
            try (Generator generator = Generator.base(BaseModel.load(base), Device.cpu(1))) {
                List<GeneratedImage> images = generator.sample("a dog on the beach", SamplingOptions.defaults());
                System.out.println(MARKER + images.size() + " image");
            }
        }
    }
}
