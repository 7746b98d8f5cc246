package dev.arbooth.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.arbooth.adapter.Adapter;
import dev.arbooth.base.BaseModel;
import dev.arbooth.train.testing.FitBases;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PersonalizerSmokeTest {
    @TempDir
    Path dir;

    @Test
    void twoSteps() {
        BaseModel base = FitBases.goldenSet1(dir.resolve("base"));
        List<FitProgress> events = new ArrayList<>();
        FitOptions options = FitOptions.arbooth().toBuilder().steps(2).build();
        long t0 = System.nanoTime();
        try (Personalizer p = Personalizer.builder(base)
                .options(options)
                .listener(FitListener.logging().andThen(events::add))
                .checkpoints(dir.resolve("ck"), 1)
                .build()) {
            Adapter a = p.fit(FitImages.images(FitBases.photos(3, 1)), "dog");
            System.out.println(a + " " + a.manifest().provenance());
        }
        System.out.printf("2 steps in %.2f s%n", (System.nanoTime() - t0) / 1e9);
        assertThat(events).hasSize(2);
    }
}
