package dev.arbooth.internal.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Files written atomically get the permissions a plain write gives (the umask), not a temporary file's 0600. */
class AtomicFilesPermissionsTest {
    @TempDir
    Path dir;

    @BeforeEach
    void posixOnly() throws IOException {
        assumeTrue(
                Files.getFileStore(dir).supportsFileAttributeView(PosixFileAttributeView.class), "POSIX file system");
    }

    @Test
    void newFileGetsTheModeOfAPlainWrite() throws IOException {
        Path plain = Files.write(dir.resolve("plain.bin"), new byte[] {1, 2, 3});
        Path atomic = dir.resolve("atomic.bin");

        AtomicFiles.write(atomic, new byte[] {1, 2, 3});

        assertThat(Files.getPosixFilePermissions(atomic)).isEqualTo(Files.getPosixFilePermissions(plain));
        assertThat(Files.readAllBytes(atomic)).containsExactly(1, 2, 3);
        assertNoTemporaries();
    }

    @Test
    void replacedFileKeepsItsMode() throws IOException {
        Path target = Files.writeString(dir.resolve("report.json"), "old");
        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-r-----"));

        AtomicFiles.write(target, "new".getBytes(StandardCharsets.UTF_8));

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(target)))
                .isEqualTo("rw-r-----");
        assertThat(Files.readString(target)).isEqualTo("new");
        assertNoTemporaries();
    }

    private void assertNoTemporaries() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));
        }
    }
}
