package dev.arbooth.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.arbooth.adapter.Adapter;
import dev.arbooth.adapter.BaseFingerprint;
import dev.arbooth.base.BaseModel;
import dev.arbooth.runtime.GeneratedImage;
import dev.arbooth.runtime.Generator;
import dev.arbooth.sampling.SamplingOptions;
import dev.arbooth.toyworld.ToyWorld;
import dev.arbooth.train.Personalizer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The no-base API on the bundled toy base: {@code Personalizer.fit(images, classWord)} with the base's full preset,
 * then {@code Generator.with(adapter)}, also after the base directory the adapter records has gone (the bundled
 * base is found again, in another cache).
 */
@Tag("slow")
class BundledBaseTest {
    @TempDir
    Path dir;

    private final String previousCache = System.getProperty("arbooth.cache.dir");

    @AfterEach
    void restoreCache() {
        if (previousCache == null) {
            System.clearProperty("arbooth.cache.dir");
        } else {
            System.setProperty("arbooth.cache.dir", previousCache);
        }
    }

    @Test
    void fitAndSampleWithoutNamingABase() throws IOException {
        System.setProperty("arbooth.cache.dir", dir.resolve("cache-1").toString());
        List<Path> photos = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String name = String.format("/dev/arbooth/toyworld/demo/dog1/%02d.png", i);
            try (InputStream in = ToyWorld.class.getResourceAsStream(name)) {
                Path p = dir.resolve("dog-" + i + ".png");
                Files.copy(in, p);
                photos.add(p);
            }
        }
        Adapter adapter = Personalizer.fit(photos, "dog");
        BaseModel bundled = BaseModel.bundled();
        assertThat(adapter.manifest().baseFingerprint())
                .isEqualTo(BaseFingerprint.of(bundled).value());
        assertThat(adapter.classWord()).isEqualTo("dog");

        SamplingOptions options = SamplingOptions.defaults().withSeed(3).withImagesPerPrompt(2);
        List<GeneratedImage> first;
        try (Generator g = Generator.with(adapter)) {
            first = g.sample("a <S*> dog in the snow", options);
        }
        assertThat(first).hasSize(2);

        // the recorded base directory disappears: the bundled base is extracted again elsewhere and used
        deleteTree(dir.resolve("cache-1"));
        System.setProperty("arbooth.cache.dir", dir.resolve("cache-2").toString());
        List<GeneratedImage> again;
        try (Generator g = Generator.with(adapter)) {
            assertThat(g.baseModel().directory()).startsWith(dir.resolve("cache-2"));
            again = g.sample("a <S*> dog in the snow", options);
        }
        for (int i = 0; i < first.size(); i++) {
            assertThat(again.get(i).image().toFloatArray())
                    .isEqualTo(first.get(i).image().toFloatArray());
        }
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
