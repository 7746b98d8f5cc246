package dev.arbooth.tensor;

import dev.arbooth.ArboothException;
import java.util.Locale;

/** Element types of stored tensors, named as in the safetensors format. */
public enum DType {
    /** IEEE 754 binary64. */
    F64(8, true),
    /** IEEE 754 binary32. */
    F32(4, true),
    /** IEEE 754 binary16. */
    F16(2, true),
    /** bfloat16: the upper half of a binary32. */
    BF16(2, true),
    /** Signed 64-bit integer. */
    I64(8, false),
    /** Signed 32-bit integer. */
    I32(4, false),
    /** Signed 16-bit integer. */
    I16(2, false),
    /** Signed 8-bit integer. */
    I8(1, false),
    /** Unsigned 8-bit integer. */
    U8(1, false),
    /** Boolean, one byte per element (0 or 1). */
    BOOL(1, false);

    private final int byteSize;
    private final boolean floatingPoint;

    DType(int byteSize, boolean floatingPoint) {
        this.byteSize = byteSize;
        this.floatingPoint = floatingPoint;
    }

    /**
     * Bytes per element.
     *
     * @return the element size in bytes
     */
    public int byteSize() {
        return byteSize;
    }

    /**
     * Whether the type is a floating-point type.
     *
     * @return {@code true} for F64, F32, F16 and BF16
     */
    public boolean isFloatingPoint() {
        return floatingPoint;
    }

    /**
     * Parses a safetensors dtype name.
     *
     * @param name the name as in a safetensors header ({@code "F32"}, {@code "BF16"}, ...)
     * @return the type
     * @throws ArboothException if the name is not a supported type
     */
    public static DType fromSafetensorsName(String name) {
        try {
            return valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ArboothException(
                    "Unsupported tensor dtype '" + name + "'; supported: " + java.util.Arrays.toString(values()));
        }
    }
}
