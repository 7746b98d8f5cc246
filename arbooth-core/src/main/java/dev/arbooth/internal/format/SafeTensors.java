package dev.arbooth.internal.format;

import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.gson.stream.JsonWriter;
import dev.arbooth.ArboothException;
import dev.arbooth.FormatException;
import dev.arbooth.internal.io.AtomicFiles;
import dev.arbooth.internal.io.MappedFile;
import dev.arbooth.tensor.DType;
import dev.arbooth.tensor.Tensor;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A memory-mapped <a href="https://github.com/huggingface/safetensors">safetensors</a> file.
 *
 * <p>Opening validates the whole header (size limit; the JSON object starting right after the 8-byte length,
 * with no byte-order mark or leading whitespace; dtypes, shapes, {@code dtype × shape = byte length}; the
 * tensors tiling the data section exactly, from offset 0 to the end of the file, as the format requires) and
 * reports the first problem with the file name.
 * Tensors are views of the mapping; files larger than 2 GiB are mapped tensor by tensor.
 *
 * <pre>{@code
 * try (SafeTensors st = SafeTensors.open(path)) {
 *     Tensor w = st.get("head.weight");
 * }
 * }</pre>
 */
public final class SafeTensors implements CheckpointFile {
    /** The default upper bound of the JSON header, as in the reference implementation (100 MB). */
    public static final long DEFAULT_MAX_HEADER_BYTES = 100_000_000L;

    private static final String METADATA_KEY = "__metadata__";

    private final Path file;
    private final Map<String, Entry> entries;
    private final Map<String, String> metadata;
    private final long dataStart;
    private final MappedFile mapped;

    private record Entry(String name, DType dtype, long[] shape, long begin, long end) {}

    private SafeTensors(
            Path file, Map<String, Entry> entries, Map<String, String> metadata, long dataStart, MappedFile mapped) {
        this.file = file;
        this.entries = entries;
        this.metadata = metadata;
        this.dataStart = dataStart;
        this.mapped = mapped;
    }

    /**
     * Opens and validates a safetensors file.
     *
     * @param file the file
     * @return the open file; close it to release the channel
     * @throws FormatException if the file is missing, truncated or its header is invalid
     */
    public static SafeTensors open(Path file) {
        return open(file, DEFAULT_MAX_HEADER_BYTES);
    }

    /**
     * Opens and validates a safetensors file with a custom header-size limit.
     *
     * @param file the file
     * @param maxHeaderBytes the largest JSON header accepted
     * @return the open file
     * @throws FormatException if the file is missing, truncated or its header is invalid
     */
    public static SafeTensors open(Path file, long maxHeaderBytes) {
        MappedFile mapped = MappedFile.open(
                file, "no such safetensors file", "cannot open safetensors file", "cannot read safetensors file");
        boolean opened = false;
        try {
            long size = mapped.size();
            if (size < 8) {
                throw new FormatException(
                        file, "not a safetensors file: " + size + " bytes, shorter than the 8-byte header length");
            }
            long headerLen = mapped.read(0, 8).getLong(0);
            // The length's value is not shown: the first 8 bytes of a file that is no safetensors file at all
            // (any file a descriptor names) must not be echoed, even as a number.
            if (headerLen < 2 || headerLen > maxHeaderBytes) {
                throw new FormatException(
                        file,
                        "not a safetensors file, or a corrupt one: the header length (first 8 bytes) is outside [2, "
                                + maxHeaderBytes + "]");
            }
            if (headerLen > size - 8) {
                throw new FormatException(
                        file,
                        "not a safetensors file, or a truncated one: the header length (first 8 bytes) exceeds the "
                                + (size - 8) + " bytes after it");
            }
            if (!startsLikeHeader(mapped.read(8, 1).get(0))) {
                throw new FormatException(
                        file,
                        "not a safetensors file: the JSON header must start with '{' right after the 8-byte length"
                                + " (no byte-order mark, no leading whitespace)");
            }
            ByteBuffer headerBuf = mapped.read(8, (int) headerLen);
            String json = StandardCharsets.UTF_8.newDecoder().decode(headerBuf).toString();
            long dataStart = 8 + headerLen;
            long dataSize = size - dataStart;
            Map<String, String> metadata = new LinkedHashMap<>();
            Map<String, Entry> entries = parseHeader(file, json, dataSize, metadata);
            SafeTensors st = new SafeTensors(
                    file,
                    Collections.unmodifiableMap(entries),
                    Collections.unmodifiableMap(metadata),
                    dataStart,
                    mapped);
            opened = true;
            return st;
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new FormatException(file, "safetensors header is not valid UTF-8", e);
        } catch (IOException e) {
            throw new FormatException(file, "cannot read safetensors file: " + e.getMessage(), e);
        } finally {
            if (!opened) {
                mapped.close();
            }
        }
    }

    private static Map<String, Entry> parseHeader(Path file, String json, long dataSize, Map<String, String> metadata) {
        Map<String, Entry> entries = new LinkedHashMap<>();
        try (JsonReader r = new JsonReader(new StringReader(json))) {
            if (r.peek() != JsonToken.BEGIN_OBJECT) {
                throw new FormatException(file, "safetensors header is not a JSON object");
            }
            r.beginObject();
            boolean sawMetadata = false;
            while (r.hasNext()) {
                String name = r.nextName();
                if (name.equals(METADATA_KEY)) {
                    if (sawMetadata) {
                        throw new FormatException(file, "duplicate __metadata__ in safetensors header");
                    }
                    sawMetadata = true;
                    readMetadata(file, r, metadata);
                    continue;
                }
                if (entries.containsKey(name)) {
                    throw new FormatException(file, "duplicate tensor '" + name + "' in safetensors header");
                }
                entries.put(name, readEntry(file, r, name, dataSize));
            }
            r.endObject();
            if (r.peek() != JsonToken.END_DOCUMENT) {
                throw new FormatException(file, "trailing data after the safetensors JSON header");
            }
        } catch (IOException | IllegalStateException | NumberFormatException e) {
            throw new FormatException(file, "malformed safetensors JSON header: " + e.getMessage(), e);
        }
        // As the format requires: the tensors tile the data section exactly, in offset order, from 0 to the end
        // of the file (no gap, no overlap, no trailing bytes). A header length off by any amount shifts the
        // data section and is caught here.
        List<Entry> byOffset = new ArrayList<>(entries.values());
        byOffset.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long expected = 0;
        Entry prev = null;
        for (Entry e : byOffset) {
            if (e.begin() < expected) {
                throw new FormatException(
                        file,
                        "tensors '" + prev.name() + "' [" + prev.begin() + ", " + prev.end() + ") and '" + e.name()
                                + "' [" + e.begin() + ", " + e.end() + ") overlap");
            }
            if (e.begin() > expected) {
                throw new FormatException(
                        file,
                        "tensor '" + e.name() + "' starts at data offset " + e.begin() + " but the previous tensor"
                                + (prev == null ? "s end at 0" : " '" + prev.name() + "' ends at " + expected)
                                + ": the data section must be tiled without gaps");
            }
            expected = e.end();
            prev = e;
        }
        if (expected != dataSize) {
            throw new FormatException(
                    file,
                    "the tensors cover " + expected + " bytes of data but the file has " + dataSize
                            + " after its header: the header length, the data offsets and the file size disagree"
                            + " (a corrupt header length, trailing bytes or a truncated file)");
        }
        return entries;
    }

    private static void readMetadata(Path file, JsonReader r, Map<String, String> metadata) throws IOException {
        if (r.peek() != JsonToken.BEGIN_OBJECT) {
            throw new FormatException(file, "__metadata__ must be an object of strings");
        }
        r.beginObject();
        while (r.hasNext()) {
            String k = r.nextName();
            if (r.peek() != JsonToken.STRING) {
                throw new FormatException(file, "__metadata__ value of '" + k + "' is not a string");
            }
            metadata.put(k, r.nextString());
        }
        r.endObject();
    }

    private static Entry readEntry(Path file, JsonReader r, String name, long dataSize) throws IOException {
        if (r.peek() != JsonToken.BEGIN_OBJECT) {
            throw new FormatException(file, "header entry of tensor '" + name + "' is not an object");
        }
        String dtypeName = null;
        long[] shape = null;
        long[] offsets = null;
        r.beginObject();
        while (r.hasNext()) {
            String key = r.nextName();
            switch (key) {
                case "dtype" -> dtypeName = r.nextString();
                case "shape" -> shape = readLongArray(r);
                case "data_offsets" -> offsets = readLongArray(r);
                default -> throw new FormatException(
                        file, "tensor '" + name + "' has an unknown header field '" + key + "'");
            }
        }
        r.endObject();
        if (dtypeName == null || shape == null || offsets == null) {
            throw new FormatException(
                    file,
                    "tensor '" + name + "' lacks "
                            + (dtypeName == null ? "dtype" : shape == null ? "shape" : "data_offsets"));
        }
        DType dtype;
        try {
            dtype = DType.fromSafetensorsName(dtypeName);
        } catch (ArboothException e) {
            throw new FormatException(file, "tensor '" + name + "': " + e.getMessage());
        }
        if (offsets.length != 2) {
            throw new FormatException(
                    file, "tensor '" + name + "': data_offsets must be [begin, end], got " + Arrays.toString(offsets));
        }
        long begin = offsets[0];
        long end = offsets[1];
        if (begin < 0 || end < begin || end > dataSize) {
            throw new FormatException(
                    file,
                    "tensor '" + name + "': data_offsets " + Arrays.toString(offsets) + " out of bounds of the "
                            + dataSize + "-byte data section");
        }
        long expected;
        try {
            for (long d : shape) {
                if (d < 0) {
                    throw new FormatException(
                            file, "tensor '" + name + "': negative dimension in shape " + Arrays.toString(shape));
                }
            }
            expected = Math.multiplyExact(Tensor.numel(shape), (long) dtype.byteSize());
        } catch (ArithmeticException e) {
            throw new FormatException(file, "tensor '" + name + "': shape " + Arrays.toString(shape) + " overflows");
        }
        if (end - begin != expected) {
            throw new FormatException(
                    file,
                    "tensor '" + name + "': " + dtype + " " + Arrays.toString(shape) + " needs " + expected
                            + " bytes but data_offsets span " + (end - begin));
        }
        return new Entry(name, dtype, shape, begin, end);
    }

    private static long[] readLongArray(JsonReader r) throws IOException {
        List<Long> values = new ArrayList<>();
        r.beginArray();
        while (r.hasNext()) {
            values.add(r.nextLong());
        }
        r.endArray();
        return values.stream().mapToLong(Long::longValue).toArray();
    }

    /**
     * The file this was opened from.
     *
     * @return the path
     */
    public Path file() {
        return file;
    }

    @Override
    public Set<String> names() {
        mapped.checkOpen();
        return entries.keySet();
    }

    /**
     * The {@code __metadata__} string map of the header.
     *
     * @return the metadata (empty when the header has none)
     */
    public Map<String, String> metadata() {
        return metadata;
    }

    @Override
    public DType dtype(String name) {
        return entry(name).dtype();
    }

    @Override
    public long[] shape(String name) {
        return entry(name).shape().clone();
    }

    @Override
    public Tensor get(String name) {
        Entry e = entry(name);
        long len = e.end() - e.begin();
        if (len > Integer.MAX_VALUE) {
            throw new FormatException(
                    file, "tensor '" + name + "' is " + len + " bytes; tensors of 2 GiB or more are not supported");
        }
        ByteBuffer view;
        try {
            view = mapped.slice(dataStart + e.begin(), len);
        } catch (IOException ex) {
            throw new FormatException(file, "cannot map tensor '" + name + "': " + ex.getMessage(), ex);
        }
        return Tensor.of(e.dtype(), e.shape(), view);
    }

    private Entry entry(String name) {
        mapped.checkOpen();
        Entry e = entries.get(name);
        if (e == null) {
            throw new ArboothException(
                    file + ": no tensor named '" + name + "' (the file has " + entries.size() + " tensors)");
        }
        return e;
    }

    /** Closes the file. Idempotent; tensors obtained earlier stay readable. */
    @Override
    public void close() {
        mapped.close();
    }

    /**
     * Writes tensors to a safetensors file atomically (temporary file + move), in sorted-name order.
     *
     * @param file the target
     * @param tensors the tensors by name
     * @param metadata the {@code __metadata__} strings (may be empty)
     * @throws ArboothException if writing fails; the target is then left as it was
     */
    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) {
        Map<String, Tensor> sorted = new TreeMap<>(tensors);
        if (sorted.containsKey(METADATA_KEY)) {
            throw new IllegalArgumentException("'" + METADATA_KEY + "' is reserved and cannot name a tensor");
        }
        StringWriter sw = new StringWriter();
        try (JsonWriter w = new JsonWriter(sw)) {
            w.beginObject();
            if (!metadata.isEmpty()) {
                w.name(METADATA_KEY).beginObject();
                for (Map.Entry<String, String> m : new TreeMap<>(metadata).entrySet()) {
                    w.name(m.getKey()).value(m.getValue());
                }
                w.endObject();
            }
            long offset = 0;
            for (Map.Entry<String, Tensor> t : sorted.entrySet()) {
                Tensor tensor = t.getValue();
                w.name(t.getKey()).beginObject();
                w.name("dtype").value(tensor.dtype().name());
                w.name("shape").beginArray();
                for (long d : tensor.shape()) {
                    w.value(d);
                }
                w.endArray();
                w.name("data_offsets")
                        .beginArray()
                        .value(offset)
                        .value(offset + tensor.byteSize())
                        .endArray();
                w.endObject();
                offset += tensor.byteSize();
            }
            w.endObject();
        } catch (IOException e) {
            throw new ArboothException("Failed to build the safetensors header for " + file, e);
        }
        byte[] header = sw.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (header.length + 7) / 8 * 8;
        ByteBuffer prefix = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        prefix.putLong(padded).put(header);
        while (prefix.hasRemaining()) {
            prefix.put((byte) ' ');
        }
        prefix.flip();
        AtomicFiles.write(file, ch -> {
            writeAll(ch, prefix);
            for (Tensor t : sorted.values()) {
                writeAll(ch, t.data());
            }
        });
    }

    /**
     * Writes tensors without metadata.
     *
     * @param file the target
     * @param tensors the tensors by name
     */
    public static void write(Path file, Map<String, Tensor> tensors) {
        write(file, tensors, Map.of());
    }

    private static void writeAll(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    /** The one rule for the header's first byte, shared by {@link #open} and {@link #looksLikeSafetensors}. */
    private static boolean startsLikeHeader(byte first) {
        return first == '{';
    }

    /**
     * Whether a file starts like a safetensors file (used to pick a reader by content, not by name).
     *
     * @param file the file
     * @return whether the first bytes are a plausible header length followed by an opening brace
     */
    public static boolean looksLikeSafetensors(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            if (ch.size() < 9) {
                return false;
            }
            ByteBuffer b = ByteBuffer.allocate(9).order(ByteOrder.LITTLE_ENDIAN);
            MappedFile.readFully(ch, b, 0);
            long len = b.getLong(0);
            return len >= 2 && len <= ch.size() - 8 && startsLikeHeader(b.get(8));
        } catch (IOException e) {
            return false;
        }
    }
}
