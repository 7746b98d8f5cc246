package dev.arbooth.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class BenchArgsTest {
    private static BenchArgs of(String... args) {
        return new BenchArgs(StepProfile.USAGE, args);
    }

    @Test
    void missingArgumentsNameWhatIsMissing() {
        assertThatThrownBy(() -> of().choice(0, "model", "golden", "mid"))
                .isInstanceOf(BenchArgs.UsageException.class)
                .hasMessageContaining("missing argument 1 (model)")
                .hasMessageContaining("golden, mid");
        assertThatThrownBy(() -> of("mid").requiredInt(1, "k (scale index)", 0))
                .isInstanceOf(BenchArgs.UsageException.class)
                .hasMessageContaining("missing argument 2 (k (scale index))");
    }

    @Test
    void malformedArgumentsSayWhatWasExpected() {
        assertThatThrownBy(() -> of("big").choice(0, "model", "golden", "mid"))
                .hasMessageContaining("model must be one of [golden, mid], got 'big'");
        assertThatThrownBy(() -> of("mid", "x").requiredInt(1, "k", 0)).hasMessageContaining("k must be an integer");
        assertThatThrownBy(() -> of("mid", "3", "0").optionalInt(2, "threads", 2, 1))
                .hasMessageContaining("threads must be at least 1, got 0");
    }

    @Test
    void wellFormedArgumentsAndDefaults() {
        BenchArgs a = of("mid", "9");
        assertThat(a.choice(0, "model", "golden", "mid")).isEqualTo("mid");
        assertThat(a.requiredInt(1, "k", 0)).isEqualTo(9);
        assertThat(a.optionalInt(2, "threads", 2, 1)).isEqualTo(2);
        assertThat(a.optional(3, null)).isNull();
    }

    @Test
    void stepProfileWithoutArgumentsPrintsTheUsageLine() throws Exception {
        ProcessBuilder pb = new ProcessBuilder(
                        java(), "-cp", System.getProperty("java.class.path"), StepProfile.class.getName())
                .redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(p.waitFor()).isEqualTo(2);
        assertThat(out).contains("usage: " + StepProfile.USAGE).doesNotContain("Exception");
    }

    private static String java() {
        return java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java")
                .toString();
    }
}
