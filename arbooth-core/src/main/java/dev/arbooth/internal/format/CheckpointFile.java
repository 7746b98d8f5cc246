package dev.arbooth.internal.format;

import java.nio.file.Path;

/**
 * A state dict read from a file that stays open (memory-mapped) until closed: a {@link SafeTensors} file
 * or a state dict of a {@link TorchCheckpoint}, as returned by {@link Checkpoints#open(Path, String...)}.
 */
public interface CheckpointFile extends StateDict, AutoCloseable {
    /**
     * The file this was opened from.
     *
     * @return the path
     */
    Path file();

    /** Closes the file. Idempotent; tensors obtained earlier stay readable. */
    @Override
    void close();
}
