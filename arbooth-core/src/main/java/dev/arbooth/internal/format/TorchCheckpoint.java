package dev.arbooth.internal.format;

import dev.arbooth.FormatException;
import dev.arbooth.internal.pickle.PyDict;
import dev.arbooth.internal.pickle.TensorRef;
import dev.arbooth.internal.pickle.Unpickler;
import dev.arbooth.internal.zip.ZipArchive;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A PyTorch checkpoint written by {@code torch.save} (the zip format of torch 1.6 and later), read without
 * PyTorch and without executing anything.
 *
 * <p>The pickle ({@code <prefix>/data.pkl}) is decoded by a whitelisting interpreter that understands
 * dicts, {@code collections.OrderedDict}, lists, tuples, scalars, strings and tensors
 * ({@code torch._utils._rebuild_tensor_v2}, {@code _rebuild_parameter}, the {@code torch.*Storage}
 * types); any other global (such as {@code os.system}) or opcode is refused with a
 * {@link FormatException}. Opening validates the whole pickle, every tensor's storage record and strided
 * extent, and the {@link PickleLimits}. Storage records stored uncompressed (as torch writes them) are
 * memory-mapped: contiguous tensors are views of the file, strided views (offsets, transposes) are copied
 * to row-major order; compressed records are inflated once.
 *
 * <pre>{@code
 * try (TorchCheckpoint ckpt = TorchCheckpoint.open(Path.of("vae.pth"))) {
 *     StateDict vae = ckpt.stateDict("vae");          // checkpoint = {"vae": state_dict, "step": ...}
 *     Tensor w = vae.get("decoder.conv_in.conv.weight");
 * }
 * }</pre>
 *
 * <p>The pre-1.6 (non-zip) serialization is refused with a message on how to convert it.
 */
public final class TorchCheckpoint implements AutoCloseable {
    /** The first bytes of the legacy format: pickle protocol 2 of the int 0x1950a86a20f9469cfc6c. */
    private static final byte[] LEGACY_MAGIC = {
        (byte) 0x80,
        0x02,
        (byte) 0x8a,
        0x0a,
        0x6c,
        (byte) 0xfc,
        (byte) 0x9c,
        0x46,
        (byte) 0xf9,
        0x20,
        0x6a,
        (byte) 0xa8,
        0x50,
        0x19
    };

    private static final int MAX_KEYS_LISTED = 30;

    private final Path file;
    private final ZipArchive zip;
    private final TorchStorages storages;
    private final Object graph;
    private Object root;
    private volatile boolean closed;

    private TorchCheckpoint(Path file, ZipArchive zip, TorchStorages storages, Object graph) {
        this.file = file;
        this.zip = zip;
        this.storages = storages;
        this.graph = graph;
    }

    /**
     * Opens and validates a checkpoint with the default {@link PickleLimits}.
     *
     * @param file the {@code .pth} / {@code .pt} / {@code .ckpt} file
     * @return the open checkpoint; close it to release the file
     * @throws FormatException if the file is missing, not a torch zip checkpoint (the legacy format gets a
     *     message on how to convert it), malformed, unsafe, or exceeds a limit
     */
    public static TorchCheckpoint open(Path file) {
        return open(file, PickleLimits.defaults());
    }

    /**
     * Opens and validates a checkpoint.
     *
     * @param file the checkpoint file
     * @param limits bounds on the pickle's nesting, object count, memo and expanded size
     * @return the open checkpoint; close it to release the file
     * @throws FormatException if the file is missing, not a torch zip checkpoint, malformed, unsafe, or
     *     exceeds a limit
     */
    public static TorchCheckpoint open(Path file, PickleLimits limits) {
        requireZip(file, head(file));
        ZipArchive zip = ZipArchive.open(file);
        try {
            String prefix = findPrefix(file, zip);
            checkByteOrder(file, zip, prefix);
            ZipArchive.Entry pkl = zip.entry(prefix + "/data.pkl");
            if (pkl.method() != ZipArchive.STORED && pkl.size() > limits.maxCopiedBytes()) {
                throw new FormatException(
                        file,
                        "the compressed pickle '" + pkl.name() + "' inflates to " + pkl.size() + " bytes, more than"
                                + " PickleLimits.maxCopiedBytes (" + limits.maxCopiedBytes() + ")");
            }
            ByteBuffer pickle = zip.read(pkl);
            Object graph = Unpickler.load(file, pkl.name(), pickle, limits);
            TorchStorages storages = new TorchStorages(file, zip, prefix, limits.maxCopiedBytes());
            PickleTree.validate(graph, limits, file, storages);
            return new TorchCheckpoint(file, zip, storages, graph);
        } catch (RuntimeException e) {
            zip.close();
            throw e;
        }
    }

    /**
     * The file this was opened from.
     *
     * @return the path
     */
    public Path file() {
        return file;
    }

    /**
     * The decoded object tree: {@link Map} (dicts and OrderedDicts, insertion order kept; an OrderedDict's
     * attributes such as {@code _metadata} are dropped), {@link List} (lists and tuples alike,
     * unmodifiable), {@link dev.arbooth.tensor.Tensor} (with its stored dtype; bare storages become 1-D
     * tensors), {@link String}, {@link Long}, {@link Double}, {@link Boolean}, read-only
     * {@link ByteBuffer} (Python {@code bytes}) and {@code null}. Dict keys are strings, longs, doubles,
     * booleans, {@code null} or lists (tuples). Objects shared in the pickle are shared in the tree.
     *
     * <p>The tree is built on the first call; it reads every tensor (views, for stored contiguous ones).
     *
     * @return the root object
     * @throws IllegalStateException if the checkpoint is closed
     */
    public synchronized Object root() {
        checkOpen();
        if (root == null) {
            root = PickleTree.convert(graph, storages);
        }
        return root;
    }

    /**
     * The state dict at a path of nested dict keys: {@code stateDict()} for a checkpoint that is a state
     * dict, {@code stateDict("vae")} for {@code {"vae": state_dict, ...}}. Names keep the pickle's insertion
     * order; tensors are read lazily.
     *
     * @param path the keys leading from the root to the state dict (none for the root itself)
     * @return the state dict, valid until this checkpoint is closed
     * @throws FormatException if a key is missing (the message lists the keys available there) or the value
     *     there is not a dict of string keys to tensors
     * @throws IllegalStateException if the checkpoint is closed
     */
    public StateDict stateDict(String... path) {
        checkOpen();
        Object node = graph;
        List<String> where = new ArrayList<>();
        for (String key : path) {
            if (!(node instanceof PyDict d)) {
                throw new FormatException(
                        file,
                        PickleTree.render(where) + " is a " + Unpickler.typeName(node)
                                + ", not a dict, so it has no key '" + key + "'");
            }
            if (!d.items().containsKey(key)) {
                throw new FormatException(
                        file,
                        "no key '" + key + "' in " + (where.isEmpty() ? "the top-level dict" : PickleTree.render(where))
                                + "; available keys: " + listKeys(d));
            }
            node = d.items().get(key);
            where.add(PickleTree.segment(key));
        }
        String at = where.isEmpty() ? "the checkpoint's root" : PickleTree.render(where);
        if (!(node instanceof PyDict d)) {
            throw new FormatException(file, at + " is a " + Unpickler.typeName(node) + ", not a state dict");
        }
        Map<String, TensorRef> tensors = new LinkedHashMap<>();
        for (Map.Entry<Object, Object> e : d.items().entrySet()) {
            if (!(e.getKey() instanceof String name)) {
                throw new FormatException(
                        file, at + " is not a state dict: it has a key of type " + Unpickler.typeName(e.getKey()));
            }
            if (!(e.getValue() instanceof TensorRef t)) {
                List<String> dicts = d.items().entrySet().stream()
                        .filter(x -> x.getValue() instanceof PyDict && x.getKey() instanceof String)
                        .map(x -> (String) x.getKey())
                        .limit(MAX_KEYS_LISTED)
                        .collect(Collectors.toList());
                throw new FormatException(
                        file,
                        at + " is not a state dict: its entry '" + name + "' is a " + Unpickler.typeName(e.getValue())
                                + ", not a tensor; keys: " + listKeys(d)
                                + (dicts.isEmpty()
                                        ? ""
                                        : " (nested dicts: " + String.join(", ", dicts)
                                                + "; pass their key to stateDict(...))"));
            }
            tensors.put(name, t);
        }
        return new TorchStateDict(this, tensors);
    }

    /** Reads a tensor of this checkpoint (for {@link TorchStateDict}). */
    dev.arbooth.tensor.Tensor materialize(TensorRef t) {
        checkOpen();
        return storages.materialize(t);
    }

    void checkOpen() {
        if (closed) {
            throw new IllegalStateException(file + " is closed");
        }
    }

    /** Closes the file. Idempotent; tensors obtained earlier stay readable. */
    @Override
    public void close() {
        closed = true;
        zip.close();
    }

    // ---- format detection ----

    /** The first 16 bytes of a file (fewer if it is shorter). */
    static byte[] head(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return in.readNBytes(16);
        } catch (NoSuchFileException e) {
            throw new FormatException(file, "no such file");
        } catch (IOException e) {
            throw new FormatException(file, "cannot read: " + e.getMessage(), e);
        }
    }

    /** Whether a file starts with a zip local-header (or empty-archive) signature. */
    static boolean isZip(byte[] head) {
        return head.length >= 4
                && head[0] == 'P'
                && head[1] == 'K'
                && ((head[2] == 3 && head[3] == 4) || (head[2] == 5 && head[3] == 6));
    }

    /** Whether a file starts like the legacy (pre-1.6) torch serialization. */
    static boolean isLegacy(byte[] head) {
        if (head.length < LEGACY_MAGIC.length) {
            return false;
        }
        for (int i = 0; i < LEGACY_MAGIC.length; i++) {
            if (head[i] != LEGACY_MAGIC[i]) {
                return false;
            }
        }
        return true;
    }

    /** The message for legacy files. */
    static String legacyMessage() {
        return "this is the legacy (pre-1.6, non-zip) PyTorch serialization, which is not supported: re-save it"
                + " with a recent torch (torch.save(torch.load(path), new_path, _use_new_zipfile_serialization=True))"
                + " or convert it to safetensors";
    }

    private static void requireZip(Path file, byte[] head) {
        if (isZip(head)) {
            return;
        }
        if (isLegacy(head)) {
            throw new FormatException(file, legacyMessage());
        }
        if (head.length > 0 && (head[0] & 0xFF) == 0x80) {
            throw new FormatException(
                    file,
                    "a bare pickle, not a torch.save zip archive (an older torch format?): re-save it with a recent"
                            + " torch (_use_new_zipfile_serialization=True) or convert it to safetensors");
        }
        throw new FormatException(file, "not a PyTorch zip checkpoint: it does not start with a zip signature");
    }

    private static String findPrefix(Path file, ZipArchive zip) {
        List<String> prefixes = new ArrayList<>();
        for (String name : zip.entries().keySet()) {
            int slash = name.indexOf('/');
            if (slash > 0 && name.endsWith("/data.pkl") && slash == name.length() - "/data.pkl".length()) {
                prefixes.add(name.substring(0, slash));
            }
        }
        if (prefixes.isEmpty()) {
            String some = zip.entries().keySet().stream().limit(5).collect(Collectors.joining(", "));
            throw new FormatException(
                    file,
                    "a zip archive without a '<name>/data.pkl' record, so not a torch.save checkpoint (entries: "
                            + (some.isEmpty() ? "none" : some) + ")");
        }
        if (prefixes.size() > 1) {
            throw new FormatException(
                    file, "the archive holds several pickles (" + String.join(", ", prefixes) + "/data.pkl)");
        }
        return prefixes.get(0);
    }

    private static void checkByteOrder(Path file, ZipArchive zip, String prefix) {
        ZipArchive.Entry e = zip.entry(prefix + "/byteorder");
        if (e == null) {
            return; // torch before 2.1 wrote no byteorder record: little-endian
        }
        if (e.size() > 16) {
            throw new FormatException(file, "the byteorder record is " + e.size() + " bytes long");
        }
        ByteBuffer b = zip.read(e);
        byte[] bytes = new byte[b.remaining()];
        b.get(bytes);
        String order = new String(bytes, StandardCharsets.US_ASCII).trim();
        if (!order.equals("little")) {
            throw new FormatException(
                    file, "storages are '" + order + "'-endian; only little-endian checkpoints are supported");
        }
    }

    private static String listKeys(PyDict d) {
        List<String> keys = d.items().keySet().stream()
                .limit(MAX_KEYS_LISTED)
                .map(k -> k instanceof String s ? s : String.valueOf(k))
                .collect(Collectors.toList());
        int more = d.items().size() - keys.size();
        return keys.isEmpty() ? "(none)" : String.join(", ", keys) + (more > 0 ? " ... (" + more + " more)" : "");
    }
}
