package dev.arbooth.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.arbooth.adapter.Adapter;
import dev.arbooth.testing.Golden;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PersonalizeTest {
    @Test
    @Tag("slow")
    void theReadmeSampleFitsTheTinyRandomBase(@TempDir Path dir) {
        List<Path> photos = List.of(Golden.vico("fat_dog/00.jpg"), Golden.vico("fat_dog/01.jpg"));
        Adapter a = Personalize.personalize(TinyRandomBaseTest.COMMITTED, photos, "dog", 2, dir.resolve("ck"));
        assertThat(a.identifier()).isEqualTo("sks");
        assertThat(a.identifierEmbedding().shape()).containsExactly(1, 128);
        assertThat(a.manifest().provenance()).containsEntry("seed", "42");
        assertThat(dir.resolve("ck/fit-checkpoint.safetensors")).isRegularFile();
    }
}
