package dev.arbooth.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.arbooth.base.BaseModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The committed {@code tiny-random-base} is exactly what {@link TinyRandomBase} writes, and it loads. */
class TinyRandomBaseTest {
    static final Path COMMITTED = Path.of("tiny-random-base");

    @Test
    void committedFilesAreReproducibleFromTheSeed(@TempDir Path dir) throws IOException {
        TinyRandomBase.write(dir);
        List<String> names;
        try (Stream<Path> files = Files.list(dir)) {
            names = files.map(p -> p.getFileName().toString()).sorted().toList();
        }
        try (Stream<Path> files = Files.list(COMMITTED)) {
            assertThat(files.map(p -> p.getFileName().toString()).sorted()).containsExactlyElementsOf(names);
        }
        for (String name : names) {
            assertThat(Files.readAllBytes(COMMITTED.resolve(name)))
                    .as("%s (regenerate with TinyRandomBase.main)", name)
                    .isEqualTo(Files.readAllBytes(dir.resolve(name)));
        }
    }

    @Test
    void loadsAsACompleteBase() {
        BaseModel base = BaseModel.load(COMMITTED);
        assertThat(base.infinity()).isEqualTo(TinyRandomBase.INFINITY);
        assertThat(base.vae()).isEqualTo(TinyRandomBase.VAE);
        assertThat(base.textEncoder()).isEqualTo(TinyRandomBase.T5);
    }
}
