package dev.arbooth.internal.format;

import dev.arbooth.FormatException;
import dev.arbooth.internal.pickle.StorageRef;
import dev.arbooth.internal.pickle.TensorRef;
import dev.arbooth.internal.zip.ZipArchive;
import dev.arbooth.tensor.DType;
import dev.arbooth.tensor.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The storage records ({@code <prefix>/data/<key>}) of a torch zip checkpoint, and the materialisation of
 * strided tensors from them: contiguous tensors are zero-copy views of the memory-mapped archive, strided
 * views (offsets, transposes) are gathered into a new row-major buffer. DEFLATED records are inflated once
 * and cached, so tensors sharing a storage read it once. Every byte put on the heap (inflated records, gathered
 * copies) is charged to {@link PickleLimits#maxCopiedBytes()} before it is allocated.
 */
final class TorchStorages {
    private static final long MAX_TENSOR_BYTES = Integer.MAX_VALUE - 8;

    private final Path file;
    private final ZipArchive zip;
    private final String dataPrefix;
    private final Map<String, ByteBuffer> inflated = new HashMap<>();
    private final long budget;
    private long copied; // guarded by inflated

    TorchStorages(Path file, ZipArchive zip, String prefix, long budget) {
        this.file = file;
        this.zip = zip;
        this.dataPrefix = prefix + "/data/";
        this.budget = budget;
    }

    /**
     * Charges bytes about to be allocated against the copy budget.
     *
     * @throws FormatException naming what would be allocated if the budget would be exceeded
     */
    private void charge(long bytes, String what) {
        synchronized (inflated) {
            if (bytes > budget - copied) {
                throw new FormatException(
                        file,
                        what + " needs " + bytes + " bytes on the heap, but this checkpoint already holds " + copied
                                + " and may hold at most " + budget + " (PickleLimits.maxCopiedBytes: torch.save"
                                + " stores records uncompressed and tensors contiguous, which cost nothing; raise"
                                + " the limit for a file that really is compressed or strided)");
            }
            copied += bytes;
        }
    }

    /**
     * Checks that a storage's record exists and holds its declared elements.
     *
     * @param s the storage
     * @param where the tree path of the value that uses it, for messages
     */
    void check(StorageRef s, String where) {
        ZipArchive.Entry e = zip.entry(dataPrefix + s.key());
        if (e == null) {
            throw new FormatException(
                    file,
                    where + " refers to storage record '" + dataPrefix + s.key()
                            + "', which the archive does not contain");
        }
        long need = s.numel() * s.dtype().byteSize();
        if (e.size() < need) {
            throw new FormatException(
                    file,
                    "storage record '" + e.name() + "' (used by " + where + ") has " + e.size()
                            + " bytes but its persistent id declares " + s.numel() + " " + s.dtype() + " elements ("
                            + need + " bytes)");
        }
    }

    /**
     * Checks that a tensor's strided extent lies inside its storage and that it fits a Java buffer.
     *
     * @param t the tensor
     * @param where its tree path, for messages
     */
    void check(TensorRef t, String where) {
        StorageRef s = t.storage();
        check(s, where);
        long n = t.numel();
        if (n == 0) {
            if (t.storageOffset() > s.numel()) {
                throw new FormatException(
                        file,
                        "empty tensor " + where + " starts at element " + t.storageOffset() + " of storage '" + s.key()
                                + "', which has only " + s.numel());
            }
            return;
        }
        long last = lastElement(t);
        if (last >= s.numel()) {
            throw new FormatException(
                    file,
                    "tensor " + where + " (" + s.dtype() + ", shape " + Arrays.toString(t.size()) + ", strides "
                            + Arrays.toString(t.stride()) + ", offset " + t.storageOffset() + ") reaches element "
                            + last
                            + " but its storage '" + s.key() + "' has only " + s.numel() + " elements");
        }
        if (n * s.dtype().byteSize() > MAX_TENSOR_BYTES
                || (last - t.storageOffset() + 1) * s.dtype().byteSize() > MAX_TENSOR_BYTES) {
            throw new FormatException(
                    file, "tensor " + where + " spans more than 2 GiB, which a Java buffer cannot hold");
        }
    }

    /**
     * Reads a tensor (which {@link #check(TensorRef, String)} accepted).
     *
     * @param t the tensor
     * @return a view of the archive when the tensor is contiguous and stored, a row-major copy otherwise
     */
    Tensor materialize(TensorRef t) {
        DType dt = t.dtype();
        long[] size = t.size();
        long n = t.numel();
        if (n == 0) {
            return Tensor.of(dt, size, ByteBuffer.allocate(0));
        }
        int es = dt.byteSize();
        long first = t.storageOffset();
        long last = lastElement(t);
        ByteBuffer region = bytes(t.storage(), first * es, (last - first + 1) * es);
        long[] stride = t.stride();
        if (isContiguous(size, stride)) {
            return Tensor.of(dt, size, region);
        }
        charge(n * es, "the row-major copy of a strided tensor (" + t + ")");
        ByteBuffer out = ByteBuffer.allocate(Math.toIntExact(n * es)).order(ByteOrder.LITTLE_ENDIAN);
        gather(region, out, size, stride, es);
        return Tensor.of(dt, size, out);
    }

    /** Materialises a bare storage as a 1-D tensor of all its elements. */
    Tensor materialize(StorageRef s) {
        long bytes = s.numel() * s.dtype().byteSize();
        if (bytes > MAX_TENSOR_BYTES) {
            throw new FormatException(file, "storage '" + s.key() + "' spans more than 2 GiB");
        }
        return Tensor.of(s.dtype(), new long[] {s.numel()}, bytes(s, 0, bytes));
    }

    private ByteBuffer bytes(StorageRef s, long byteOffset, long length) {
        ZipArchive.Entry e = zip.entry(dataPrefix + s.key());
        if (e.method() == ZipArchive.STORED) {
            return zip.map(e, byteOffset, length);
        }
        ByteBuffer all;
        synchronized (inflated) {
            all = inflated.get(s.key());
            if (all == null) {
                charge(e.size(), "inflating the compressed storage record '" + e.name() + "'");
                all = zip.read(e);
                inflated.put(s.key(), all);
            }
        }
        return all.duplicate()
                .position((int) byteOffset)
                .limit((int) (byteOffset + length))
                .slice()
                .order(ByteOrder.LITTLE_ENDIAN);
    }

    private static long lastElement(TensorRef t) {
        long last = t.storageOffset();
        long[] size = t.size();
        long[] stride = t.stride();
        for (int i = 0; i < size.length; i++) {
            last += (size[i] - 1) * stride[i];
        }
        return last;
    }

    /** Row-major contiguity; dimensions of size 1 may have any stride. */
    static boolean isContiguous(long[] size, long[] stride) {
        long expected = 1;
        for (int i = size.length - 1; i >= 0; i--) {
            if (size[i] != 1 && stride[i] != expected) {
                return false;
            }
            expected *= size[i];
        }
        return true;
    }

    /**
     * Copies a strided view into row-major order, one innermost row at a time.
     *
     * @param src the storage bytes starting at the view's first element
     * @param dst the destination, {@code numel * es} bytes
     */
    static void gather(ByteBuffer src, ByteBuffer dst, long[] size, long[] stride, int es) {
        int r = size.length;
        int inner = (int) size[r - 1];
        int innerStep = (int) (stride[r - 1] * es);
        long[] idx = new long[r];
        long base = 0; // byte offset in src of the current row
        int out = 0;
        while (true) {
            int p = (int) base;
            switch (es) {
                case 1 -> {
                    for (int j = 0; j < inner; j++, p += innerStep) {
                        dst.put(out++, src.get(p));
                    }
                }
                case 2 -> {
                    for (int j = 0; j < inner; j++, p += innerStep, out += 2) {
                        dst.putShort(out, src.getShort(p));
                    }
                }
                case 4 -> {
                    for (int j = 0; j < inner; j++, p += innerStep, out += 4) {
                        dst.putInt(out, src.getInt(p));
                    }
                }
                case 8 -> {
                    for (int j = 0; j < inner; j++, p += innerStep, out += 8) {
                        dst.putLong(out, src.getLong(p));
                    }
                }
                default -> throw new IllegalStateException("element size " + es);
            }
            int d = r - 2;
            while (d >= 0) {
                idx[d]++;
                base += stride[d] * es;
                if (idx[d] < size[d]) {
                    break;
                }
                base -= idx[d] * stride[d] * es;
                idx[d] = 0;
                d--;
            }
            if (d < 0) {
                return;
            }
        }
    }
}
