package dev.arbooth.train.internal;

import dev.arbooth.FormatException;
import dev.arbooth.internal.format.SafeTensors;
import dev.arbooth.tensor.Tensor;
import dev.arbooth.train.CheckpointMismatchException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A fit's checkpoint: one safetensors file ({@value #FILE_NAME} in the checkpoint directory) holding everything a
 * bit-exact resume needs (the iteration's {@code snapshot()}: trained tensors, LoRA factors, AdamW state) and, in
 * its {@code __metadata__}, the completed step count, the fit's {@link FitIdentity} part by part and the last
 * step's losses. Written atomically (temporary file, forced, renamed), so a process killed while writing leaves the
 * previous checkpoint intact; read tensors are copied onto the heap, so the file may be replaced while training.
 *
 * @param step the steps completed
 * @param identity the fit
 * @param subjectLoss the last step's subject loss (NaN at step 0)
 * @param priorLoss the last step's prior loss (NaN if none)
 * @param tensors the snapshot
 */
public record FitCheckpoint(
        int step, FitIdentity identity, double subjectLoss, double priorLoss, Map<String, Tensor> tensors) {
    /** The checkpoint's file name inside the directory. */
    public static final String FILE_NAME = "fit-checkpoint.safetensors";

    /** The format version written. */
    public static final int FORMAT = 1;

    private static final String PREFIX = "arbooth.fit.";

    /**
     * Copies the tensor map.
     *
     * @param step at least 0
     * @param identity not null
     * @param subjectLoss any
     * @param priorLoss any
     * @param tensors not null
     */
    public FitCheckpoint {
        if (step < 0) {
            throw new IllegalArgumentException("step must be at least 0, got " + step);
        }
        java.util.Objects.requireNonNull(identity, "identity");
        tensors = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
    }

    /**
     * The checkpoint file of a directory.
     *
     * @param directory the checkpoint directory
     * @return the file
     */
    public static Path file(Path directory) {
        return directory.resolve(FILE_NAME);
    }

    /**
     * Writes this checkpoint atomically into a directory (created if needed).
     *
     * @param directory the checkpoint directory
     * @return the file written
     */
    public Path write(Path directory) {
        try {
            Files.createDirectories(directory);
        } catch (java.io.IOException e) {
            throw new dev.arbooth.ArboothException(
                    "Cannot create the checkpoint directory " + directory + ": " + e.getMessage(), e);
        }
        Map<String, String> meta = new TreeMap<>();
        meta.put(PREFIX + "format", Integer.toString(FORMAT));
        meta.put(PREFIX + "step", Integer.toString(step));
        meta.put(PREFIX + "fingerprint", identity.digest());
        meta.put(PREFIX + "base", identity.base());
        meta.put(PREFIX + "options", identity.options());
        meta.put(PREFIX + "class_word", identity.classWord());
        meta.put(PREFIX + "images", String.join(",", identity.images()));
        meta.put(PREFIX + "loss.subject", Double.toString(subjectLoss));
        meta.put(PREFIX + "loss.prior", Double.toString(priorLoss));
        meta.put(PREFIX + "library_version", dev.arbooth.internal.io.LibraryVersion.get());
        Path file = file(directory);
        SafeTensors.write(file, tensors, meta);
        return file;
    }

    /**
     * Reads the checkpoint of a directory, if there is one.
     *
     * @param directory the checkpoint directory
     * @return the checkpoint, or null if the directory holds none
     * @throws FormatException if the file is not a fit checkpoint of a format this library reads
     */
    public static FitCheckpoint read(Path directory) {
        Path file = file(directory);
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try (SafeTensors st = SafeTensors.open(file)) {
            Map<String, String> meta = st.metadata();
            String format = meta.get(PREFIX + "format");
            if (format == null) {
                throw new FormatException(file, "not an ARBooth fit checkpoint (no '" + PREFIX + "format' metadata)");
            }
            if (!format.equals(Integer.toString(FORMAT))) {
                throw new FormatException(
                        file,
                        "fit checkpoint format " + format + " is not supported (this library reads " + FORMAT + ")");
            }
            String images = field(file, meta, "images");
            FitIdentity identity = new FitIdentity(
                    field(file, meta, "base"),
                    field(file, meta, "options"),
                    field(file, meta, "class_word"),
                    images.isEmpty() ? List.of() : Arrays.asList(images.split(",")));
            if (!identity.digest().equals(field(file, meta, "fingerprint"))) {
                throw new FormatException(file, "the fit checkpoint's fingerprint does not match its parts (edited?)");
            }
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            for (String name : st.names()) {
                tensors.put(name, copy(st.get(name)));
            }
            try {
                return new FitCheckpoint(
                        Integer.parseInt(field(file, meta, "step")),
                        identity,
                        Double.parseDouble(field(file, meta, "loss.subject")),
                        Double.parseDouble(field(file, meta, "loss.prior")),
                        tensors);
            } catch (IllegalArgumentException e) {
                throw new FormatException(file, "malformed fit checkpoint metadata: " + e.getMessage(), e);
            }
        }
    }

    /**
     * Checks that this checkpoint belongs to a fit.
     *
     * @param directory where it was read from (for the message)
     * @param fit the fit about to run
     * @throws CheckpointMismatchException naming what differs
     */
    public void requireSameFit(Path directory, FitIdentity fit) {
        List<String> diff = new ArrayList<>(fit.differences(identity));
        if (!diff.isEmpty()) {
            throw new CheckpointMismatchException(
                    file(directory),
                    "The checkpoint directory " + directory + " holds the checkpoint of another fit (step " + step
                            + "): " + String.join("; ", diff) + ". Choose another directory or delete "
                            + file(directory) + " to start over.");
        }
    }

    private static String field(Path file, Map<String, String> meta, String key) {
        String v = meta.get(PREFIX + key);
        if (v == null) {
            throw new FormatException(file, "fit checkpoint lacks the metadata '" + PREFIX + key + "'");
        }
        return v;
    }

    private static Tensor copy(Tensor t) {
        ByteBuffer src = t.data();
        ByteBuffer dst = ByteBuffer.allocate(src.remaining()).order(ByteOrder.LITTLE_ENDIAN);
        dst.put(src).flip();
        return Tensor.of(t.dtype(), t.shape(), dst);
    }
}
