package dev.arbooth.internal.format;

import dev.arbooth.FormatException;
import dev.arbooth.tensor.DType;
import dev.arbooth.tensor.Tensor;
import java.nio.file.Path;
import java.util.Set;

/**
 * Opens a checkpoint as a {@link StateDict}, choosing the reader by content (not by file name): a
 * safetensors file or a PyTorch zip checkpoint ({@code torch.save}).
 *
 * <pre>{@code
 * try (CheckpointFile weights = Checkpoints.open(path)) {
 *     binder.bind(weights);
 * }
 * }</pre>
 */
public final class Checkpoints {
    private Checkpoints() {}

    /** The checkpoint formats recognised by {@link #detect(Path)}. */
    public enum Format {
        /** A safetensors file: one flat state dict. */
        SAFETENSORS,
        /** A PyTorch zip checkpoint written by {@code torch.save}. */
        PYTORCH
    }

    /**
     * Recognises a checkpoint by its first bytes.
     *
     * @param file the file
     * @return its format
     * @throws FormatException if the file is missing or neither format (the legacy PyTorch format gets a
     *     message on how to convert it)
     */
    public static Format detect(Path file) {
        byte[] head = TorchCheckpoint.head(file);
        if (TorchCheckpoint.isZip(head)) {
            return Format.PYTORCH;
        }
        if (SafeTensors.looksLikeSafetensors(file)) {
            return Format.SAFETENSORS;
        }
        if (TorchCheckpoint.isLegacy(head)) {
            throw new FormatException(file, TorchCheckpoint.legacyMessage());
        }
        // The message never shows the file's bytes: it may be any file a descriptor pointed at.
        throw new FormatException(
                file,
                "neither a safetensors file nor a PyTorch zip checkpoint"
                        + (head.length == 0 ? " (the file is empty)" : " (no known signature at its start)"));
    }

    /**
     * Opens a checkpoint's state dict.
     *
     * @param file a safetensors file or a PyTorch zip checkpoint
     * @param dictPath for a PyTorch checkpoint, the keys of the nested dict holding the state dict (e.g.
     *     {@code "vae"}); none for the root. Safetensors files are flat and take none.
     * @return the state dict; close it to release the file
     * @throws FormatException if the file is of neither format, invalid, or has no state dict at
     *     {@code dictPath}
     */
    public static CheckpointFile open(Path file, String... dictPath) {
        if (detect(file) == Format.SAFETENSORS) {
            if (dictPath.length > 0) {
                throw new FormatException(
                        file,
                        "a safetensors file is one flat state dict; it has no nested dict '"
                                + String.join(".", dictPath) + "'");
            }
            return SafeTensors.open(file);
        }
        TorchCheckpoint ckpt = TorchCheckpoint.open(file);
        try {
            return new OwningStateDict(ckpt, ckpt.stateDict(dictPath));
        } catch (RuntimeException e) {
            ckpt.close();
            throw e;
        }
    }

    /** A torch state dict that closes its checkpoint. */
    private static final class OwningStateDict implements CheckpointFile {
        private final TorchCheckpoint owner;
        private final StateDict delegate;

        OwningStateDict(TorchCheckpoint owner, StateDict delegate) {
            this.owner = owner;
            this.delegate = delegate;
        }

        @Override
        public Path file() {
            return owner.file();
        }

        @Override
        public Set<String> names() {
            return delegate.names();
        }

        @Override
        public DType dtype(String name) {
            return delegate.dtype(name);
        }

        @Override
        public long[] shape(String name) {
            return delegate.shape(name);
        }

        @Override
        public Tensor get(String name) {
            return delegate.get(name);
        }

        @Override
        public void close() {
            owner.close();
        }
    }
}
