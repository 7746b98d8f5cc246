package dev.arbooth.internal.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13, item 9: the temporary files of writers killed before their move are removed by the next write
 * of the same target once stale (older than {@link AtomicFiles#STALE_AFTER} and not locked); those of a
 * live writer, fresh ones and files of any other name are left alone.
 */
class AtomicFilesStaleTest {
    @TempDir
    Path dir;

    private static final FileTime LONG_AGO = FileTime.from(Instant.now().minusSeconds(3600));

    private Path old(String name) throws IOException {
        Path p = Files.writeString(dir.resolve(name), "left behind");
        Files.setLastModifiedTime(p, LONG_AGO);
        return p;
    }

    private List<String> names() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        }
    }

    @Test
    void staleTemporariesOfTheTargetAreRemovedOthersKept() throws IOException {
        Path target = dir.resolve("dog.safetensors");
        old(".dog.safetensors.123456789.tmp");
        old(".dog.safetensors.18446744073709551615.tmp"); // as earlier versions named them
        old(".dog.safetensors.3w5e11264sgsf.tmp"); // as this version names them
        Path fresh = Files.writeString(dir.resolve(".dog.safetensors.42.tmp"), "a writer started a moment ago");
        old(".cat.safetensors.123.tmp"); // another target's
        old(".dog.safetensors.12_x.tmp"); // not our naming
        old("dog.safetensors.123.tmp"); // not hidden: not ours
        old(".dog.safetensors.123.tmp.bak");
        AtomicFiles.write(target, "new".getBytes(StandardCharsets.UTF_8));
        assertThat(Files.readString(target)).isEqualTo("new");
        assertThat(names())
                .containsExactly(
                        ".cat.safetensors.123.tmp",
                        ".dog.safetensors.123.tmp.bak",
                        ".dog.safetensors.12_x.tmp",
                        fresh.getFileName().toString(),
                        "dog.safetensors",
                        "dog.safetensors.123.tmp");
    }

    @Test
    void aKilledWritersTemporaryIsRemovedAndALiveWritersIsNot() throws Exception {
        Path target = dir.resolve("adapter.safetensors");
        Process child = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        HangingWriter.class.getName(),
                        target.toString())
                .redirectErrorStream(true)
                .start();
        try {
            BufferedReader out =
                    new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
            String line;
            while ((line = out.readLine()) != null && !line.equals(HangingWriter.READY)) {
                // skip anything else the JVM prints
            }
            assertThat(line).isEqualTo(HangingWriter.READY);
            List<String> temporaries = names();
            assertThat(temporaries)
                    .hasSize(1)
                    .allMatch(n -> n.startsWith(".adapter.safetensors.") && n.endsWith(".tmp"));
            Path tmp = dir.resolve(temporaries.get(0));
            Files.setLastModifiedTime(tmp, LONG_AGO); // old, but its writer is alive and holds the lock
            assertThat(AtomicFiles.removeStaleTemporaries(target.toAbsolutePath()))
                    .isZero();
            assertThat(tmp).exists();

            child.destroyForcibly(); // SIGKILL: no cleanup runs in the child
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(tmp).exists(); // what issue 13 found: left behind
            Files.setLastModifiedTime(tmp, LONG_AGO);
            AtomicFiles.write(target, "after".getBytes(StandardCharsets.UTF_8));
            assertThat(names()).containsExactly("adapter.safetensors");
        } finally {
            child.destroyForcibly();
        }
    }

    /** A child JVM that starts an atomic write and never finishes it. */
    public static final class HangingWriter {
        static final String READY = "writing";

        public static void main(String[] args) {
            AtomicFiles.write(Path.of(args[0]), ch -> {
                ch.write(ByteBuffer.wrap(new byte[] {1, 2, 3}));
                System.out.println(READY);
                System.out.flush();
                try {
                    Thread.sleep(TimeUnit.MINUTES.toMillis(5));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
    }
}
