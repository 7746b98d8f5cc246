package dev.arbooth.tensor;

import dev.arbooth.ShapeMismatchException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;

/**
 * An immutable, engine-free host tensor: a dtype, a shape and row-major little-endian bytes.
 *
 * <p>The bytes may be a view of a memory-mapped checkpoint; nothing is copied until an accessor such as
 * {@link #toFloatArray()} is called. Engines (DJL, ONNX Runtime) take their own copies or views.
 */
public final class Tensor {
    private final DType dtype;
    private final long[] shape;
    private final ByteBuffer data;

    private Tensor(DType dtype, long[] shape, ByteBuffer data) {
        this.dtype = dtype;
        this.shape = shape;
        this.data = data;
    }

    /**
     * Wraps row-major little-endian bytes.
     *
     * @param dtype the element type
     * @param shape the shape (each dimension at least 0)
     * @param data exactly {@code numel(shape) * dtype.byteSize()} bytes from its position to its limit
     * @return the tensor (a read-only view of {@code data}; the caller must not modify it afterwards)
     * @throws ShapeMismatchException if the byte count does not match the shape
     */
    public static Tensor of(DType dtype, long[] shape, ByteBuffer data) {
        Objects.requireNonNull(dtype, "dtype");
        long[] s = shape.clone();
        long n = numel(s);
        long bytes = Math.multiplyExact(n, (long) dtype.byteSize());
        if (data.remaining() != bytes) {
            throw new ShapeMismatchException("Tensor of dtype " + dtype + " and shape " + Arrays.toString(s) + " needs "
                    + bytes + " bytes but " + data.remaining() + " were given");
        }
        return new Tensor(dtype, s, data.slice().order(ByteOrder.LITTLE_ENDIAN).asReadOnlyBuffer());
    }

    /**
     * A float32 tensor holding a copy of {@code values}.
     *
     * @param values the elements in row-major order
     * @param shape the shape; its element count must equal {@code values.length}
     * @return the tensor
     */
    public static Tensor ofFloats(float[] values, long... shape) {
        checkCount(values.length, shape);
        ByteBuffer b = allocate((long) values.length * 4);
        b.asFloatBuffer().put(values);
        return new Tensor(DType.F32, shape.clone(), b.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN));
    }

    /**
     * An int64 tensor holding a copy of {@code values}.
     *
     * @param values the elements in row-major order
     * @param shape the shape; its element count must equal {@code values.length}
     * @return the tensor
     */
    public static Tensor ofLongs(long[] values, long... shape) {
        checkCount(values.length, shape);
        ByteBuffer b = allocate((long) values.length * 8);
        b.asLongBuffer().put(values);
        return new Tensor(DType.I64, shape.clone(), b.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN));
    }

    /**
     * An int32 tensor holding a copy of {@code values}.
     *
     * @param values the elements in row-major order
     * @param shape the shape; its element count must equal {@code values.length}
     * @return the tensor
     */
    public static Tensor ofInts(int[] values, long... shape) {
        checkCount(values.length, shape);
        ByteBuffer b = allocate((long) values.length * 4);
        b.asIntBuffer().put(values);
        return new Tensor(DType.I32, shape.clone(), b.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN));
    }

    /**
     * The element type.
     *
     * @return the dtype
     */
    public DType dtype() {
        return dtype;
    }

    /**
     * The shape.
     *
     * @return a copy of the shape
     */
    public long[] shape() {
        return shape.clone();
    }

    /**
     * One dimension of the shape.
     *
     * @param axis the axis, negative counts from the end
     * @return the size of that axis
     */
    public long dim(int axis) {
        return shape[axis < 0 ? shape.length + axis : axis];
    }

    /**
     * The number of dimensions.
     *
     * @return the rank (0 for a scalar)
     */
    public int rank() {
        return shape.length;
    }

    /**
     * The number of elements.
     *
     * @return the product of the shape
     */
    public long numel() {
        return numel(shape);
    }

    /**
     * The size of the data in bytes.
     *
     * @return {@code numel() * dtype().byteSize()}
     */
    public long byteSize() {
        return numel() * dtype.byteSize();
    }

    /**
     * The raw data.
     *
     * @return a read-only little-endian view of the bytes, positioned at 0
     */
    public ByteBuffer data() {
        return data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * The same data under another shape with the same element count.
     *
     * @param newShape the new shape
     * @return a tensor sharing the bytes
     * @throws ShapeMismatchException if the element counts differ
     */
    public Tensor reshape(long... newShape) {
        if (numel(newShape) != numel()) {
            throw new ShapeMismatchException(
                    "Cannot reshape " + Arrays.toString(shape) + " to " + Arrays.toString(newShape));
        }
        return new Tensor(dtype, newShape.clone(), data);
    }

    /**
     * The elements as float32, widening F16 and BF16 exactly and narrowing F64 and integers as Java does.
     *
     * @return a new array in row-major order
     */
    public float[] toFloatArray() {
        int n = checkedArrayLength();
        float[] out = new float[n];
        ByteBuffer b = data();
        switch (dtype) {
            case F32 -> b.asFloatBuffer().get(out);
            case F16 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = Float16.toFloat(b.getShort(2 * i));
                }
            }
            case BF16 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = Float.intBitsToFloat((b.getShort(2 * i) & 0xFFFF) << 16);
                }
            }
            case F64 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = (float) b.getDouble(8 * i);
                }
            }
            default -> {
                long[] l = toLongArray();
                for (int i = 0; i < n; i++) {
                    out[i] = l[i];
                }
            }
        }
        return out;
    }

    /**
     * The elements as float64 (exact for every dtype except I64 values beyond 2^53).
     *
     * @return a new array in row-major order
     */
    public double[] toDoubleArray() {
        int n = checkedArrayLength();
        double[] out = new double[n];
        if (dtype == DType.F64) {
            data().asDoubleBuffer().get(out);
        } else if (dtype.isFloatingPoint()) {
            float[] f = toFloatArray();
            for (int i = 0; i < n; i++) {
                out[i] = f[i];
            }
        } else {
            long[] l = toLongArray();
            for (int i = 0; i < n; i++) {
                out[i] = l[i];
            }
        }
        return out;
    }

    /**
     * The elements of an integer or boolean tensor as int64 (U8 is unsigned, BOOL is 0 or 1).
     *
     * @return a new array in row-major order
     * @throws IllegalStateException for floating-point tensors
     */
    public long[] toLongArray() {
        int n = checkedArrayLength();
        long[] out = new long[n];
        ByteBuffer b = data();
        switch (dtype) {
            case I64 -> b.asLongBuffer().get(out);
            case I32 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = b.getInt(4 * i);
                }
            }
            case I16 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = b.getShort(2 * i);
                }
            }
            case I8 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = b.get(i);
                }
            }
            case U8, BOOL -> {
                for (int i = 0; i < n; i++) {
                    out[i] = b.get(i) & 0xFF;
                }
            }
            default -> throw new IllegalStateException("toLongArray() on a floating-point tensor (" + dtype + ")");
        }
        return out;
    }

    /**
     * The elements of an integer or boolean tensor as int32.
     *
     * @return a new array in row-major order
     * @throws IllegalStateException for floating-point tensors or values outside the int range
     */
    public int[] toIntArray() {
        long[] l = toLongArray();
        int[] out = new int[l.length];
        for (int i = 0; i < l.length; i++) {
            out[i] = Math.toIntExact(l[i]);
        }
        return out;
    }

    /**
     * Compares dtype, shape and every byte.
     *
     * @param o the other object
     * @return whether both are tensors with identical dtype, shape and data
     */
    @Override
    public boolean equals(Object o) {
        return o instanceof Tensor t && dtype == t.dtype && Arrays.equals(shape, t.shape) && data.equals(t.data);
    }

    @Override
    public int hashCode() {
        return Objects.hash(dtype, Arrays.hashCode(shape), data);
    }

    @Override
    public String toString() {
        return "Tensor[" + dtype + ", " + Arrays.toString(shape) + "]";
    }

    /**
     * The element count of a shape.
     *
     * @param shape the shape
     * @return the product of the dimensions (1 for a scalar)
     * @throws ShapeMismatchException for negative dimensions
     */
    public static long numel(long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new ShapeMismatchException("Negative dimension in shape " + Arrays.toString(shape));
            }
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    private int checkedArrayLength() {
        long n = numel();
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException(this + " has too many elements for a Java array");
        }
        return (int) n;
    }

    private static void checkCount(int length, long[] shape) {
        if (numel(shape) != length) {
            throw new ShapeMismatchException(
                    length + " values do not fill shape " + Arrays.toString(shape) + " (" + numel(shape) + ")");
        }
    }

    private static ByteBuffer allocate(long bytes) {
        return ByteBuffer.allocate(Math.toIntExact(bytes)).order(ByteOrder.LITTLE_ENDIAN);
    }
}
