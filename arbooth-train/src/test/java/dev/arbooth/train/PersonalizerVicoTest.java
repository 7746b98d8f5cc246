package dev.arbooth.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.arbooth.adapter.Adapter;
import dev.arbooth.base.BaseModel;
import dev.arbooth.testing.Golden;
import dev.arbooth.train.testing.FitBases;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three real photos (ViCo's brown dog: JPEGs of different sizes, EXIF metadata) through the public API end to end:
 * loading, orientation, resizing and cropping to the base's 128 × 128, VAE encoding, a short fit, an adapter saved
 * and loaded back. Their content is beyond a small random model; this proves the input path.
 */
@Tag("slow")
class PersonalizerVicoTest {
    @TempDir
    Path dir;

    @Test
    void threeVicoPhotosBecomeAnAdapter() {
        BaseModel base = FitBases.goldenSet1(dir.resolve("base"));
        List<Path> photos = List.of(
                Golden.vico("brown_dog/00.jpg"), Golden.vico("brown_dog/01.jpg"), Golden.vico("brown_dog/02.jpg"));
        List<FitProgress> steps = new ArrayList<>();
        Adapter adapter;
        try (Personalizer p = Personalizer.builder(base)
                .options(FitOptions.arbooth().toBuilder().steps(2).build())
                .listener(FitListener.logging().andThen(steps::add))
                .validation(ValidationSamples.every(2, dir.resolve("validation")))
                .build()) {
            adapter = p.fit(FitImages.files(photos), "dog");
        }
        assertThat(steps).hasSize(2);
        assertThat(adapter.classWord()).isEqualTo("dog");
        assertThat(adapter.identifier()).isEqualTo("<S*>");
        assertThat(adapter.manifest().provenance()).containsKeys("images.00.sha256", "images.02.sha256");
        Path file = dir.resolve("dog.arbooth.safetensors");
        adapter.save(file);
        assertThat(Adapter.load(file)).isEqualTo(adapter);
        assertThat(dir.resolve("validation/validation-step-000002.png")).isRegularFile();
    }
}
