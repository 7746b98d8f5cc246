package dev.arbooth.toybase;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.arbooth.ArboothException;
import dev.arbooth.adapter.BaseFingerprint;
import dev.arbooth.base.BaseModel;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ToyBaseTest {
    /** The resources as they lie in the source tree: a plain base-model directory. */
    private static final Path SOURCE_DIR = Path.of("src/main/resources/dev/arbooth/toybase/base");

    @TempDir
    Path cache;

    @Test
    void bundledBaseLoadsThroughBaseModelExactlyAsItsDirectory() {
        BaseModel bundled = ToyBase.load(cache);
        BaseModel plain = BaseModel.load(SOURCE_DIR);
        assertThat(bundled.name()).isEqualTo(ToyBase.NAME).isEqualTo(plain.name());
        assertThat(bundled.infinity()).isEqualTo(plain.infinity());
        assertThat(bundled.vae()).isEqualTo(plain.vae());
        assertThat(bundled.textEncoder()).isEqualTo(plain.textEncoder());
        assertThat(bundled.schedule()).isEqualTo(plain.schedule());
        assertThat(bundled.directory()).startsWith(cache);
        assertThat(fingerprint(bundled)).isEqualTo(fingerprint(plain));
    }

    @Test
    void serviceLoaderFindsTheToyBase() {
        String previousCache = System.getProperty(ToyBase.CACHE_PROPERTY);
        System.setProperty(ToyBase.CACHE_PROPERTY, cache.toString());
        try {
            BaseModel b = BaseModel.bundled();
            assertThat(b.name()).isEqualTo(ToyBase.NAME);
            assertThat(b.directory()).startsWith(cache);
        } finally {
            restore(ToyBase.CACHE_PROPERTY, previousCache);
        }
    }

    @Test
    void aSecondLoadReusesTheCacheAndADamagedCopyIsReplaced() throws IOException {
        Path dir = ToyBase.load(cache).directory();
        Path vae = dir.resolve("vae.safetensors");
        long modified = Files.getLastModifiedTime(vae).toMillis();
        assertThat(ToyBase.load(cache).directory()).isEqualTo(dir);
        assertThat(Files.getLastModifiedTime(vae).toMillis()).isEqualTo(modified);

        byte[] bytes = Files.readAllBytes(vae);
        bytes[bytes.length - 1] ^= 1;
        Files.write(vae, bytes);
        BaseModel again = ToyBase.load(cache);
        assertThat(Files.readAllBytes(again.vaeWeights()))
                .isEqualTo(Files.readAllBytes(SOURCE_DIR.resolve("vae.safetensors")));
        try (Stream<Path> s = Files.list(cache)) {
            assertThat(s.map(p -> p.getFileName().toString()))
                    .as("no temporaries left")
                    .containsExactly(dir.getFileName().toString());
        }
    }

    @Test
    void checksumListsAreParsedStrictly() {
        String sha = "0".repeat(64);
        assertThat(ToyBase.parseChecksums(bytes(sha + "  arbooth-base.json\n" + sha + "  vae.safetensors\n")))
                .containsOnlyKeys("arbooth-base.json", "vae.safetensors");
        assertThatThrownBy(() -> ToyBase.parseChecksums(bytes("xyz  arbooth-base.json\n")))
                .isInstanceOf(ArboothException.class)
                .hasMessageContaining("line 1");
        assertThatThrownBy(() -> ToyBase.parseChecksums(bytes(sha + "  ../evil\n")))
                .isInstanceOf(ArboothException.class);
        assertThatThrownBy(() -> ToyBase.parseChecksums(bytes(sha + "  vae.safetensors\n")))
                .hasMessageContaining("does not list arbooth-base.json");
        assertThatThrownBy(() ->
                        ToyBase.parseChecksums(bytes(sha + "  arbooth-base.json\n" + sha + "  arbooth-base.json\n")))
                .hasMessageContaining("repeats");
    }

    @Test
    void theManifestNamesTheTrainingCommandAndSeed() {
        assertThat(ToyBase.manifest()).contains("seed").contains("pretrain-toybase.sh");
    }

    @Test
    void anUnwritableCacheIsAClearError() throws IOException {
        Path file = Files.writeString(cache.resolve("not-a-dir"), "x");
        assertThatThrownBy(() -> ToyBase.load(file))
                .isInstanceOf(ArboothException.class)
                .hasMessageContaining(ToyBase.CACHE_PROPERTY);
    }

    private static BaseFingerprint fingerprint(BaseModel b) {
        return BaseFingerprint.of(b);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static void restore(String key, String previous) {
        if (previous == null) {
            System.clearProperty(key);
        } else {
            System.setProperty(key, previous);
        }
    }
}
