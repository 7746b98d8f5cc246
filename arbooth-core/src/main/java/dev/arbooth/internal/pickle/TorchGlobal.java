package dev.arbooth.internal.pickle;

import dev.arbooth.tensor.DType;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The whitelist: the only pickle globals the unpickler resolves. Each is interpreted by the unpickler
 * itself (no Python or Java code is looked up by name); every other global is refused.
 */
public enum TorchGlobal {
    /** {@code collections.OrderedDict}: called with no arguments, filled by SETITEMS, attributes by BUILD. */
    ORDERED_DICT("collections", "OrderedDict", null),
    /** {@code torch._utils._rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks[, meta])}. */
    REBUILD_TENSOR_V2("torch._utils", "_rebuild_tensor_v2", null),
    /** {@code torch._utils._rebuild_parameter(data, requires_grad, hooks)}: yields its tensor. */
    REBUILD_PARAMETER("torch._utils", "_rebuild_parameter", null),
    /** {@code torch.FloatStorage}. */
    FLOAT_STORAGE("torch", "FloatStorage", DType.F32),
    /** {@code torch.HalfStorage}. */
    HALF_STORAGE("torch", "HalfStorage", DType.F16),
    /** {@code torch.BFloat16Storage}. */
    BFLOAT16_STORAGE("torch", "BFloat16Storage", DType.BF16),
    /** {@code torch.DoubleStorage}. */
    DOUBLE_STORAGE("torch", "DoubleStorage", DType.F64),
    /** {@code torch.LongStorage}. */
    LONG_STORAGE("torch", "LongStorage", DType.I64),
    /** {@code torch.IntStorage}. */
    INT_STORAGE("torch", "IntStorage", DType.I32),
    /** {@code torch.ShortStorage}. */
    SHORT_STORAGE("torch", "ShortStorage", DType.I16),
    /** {@code torch.CharStorage} (int8). */
    CHAR_STORAGE("torch", "CharStorage", DType.I8),
    /** {@code torch.ByteStorage} (uint8). */
    BYTE_STORAGE("torch", "ByteStorage", DType.U8),
    /** {@code torch.BoolStorage}. */
    BOOL_STORAGE("torch", "BoolStorage", DType.BOOL);

    private final String module;
    private final String name;
    private final DType storageDType;

    TorchGlobal(String module, String name, DType storageDType) {
        this.module = module;
        this.name = name;
        this.storageDType = storageDType;
    }

    /**
     * Looks a global up in the whitelist.
     *
     * @param module the module name as in the pickle
     * @param name the attribute name as in the pickle
     * @return the whitelisted global, or {@code null} if it is not whitelisted
     */
    public static TorchGlobal lookup(String module, String name) {
        for (TorchGlobal g : values()) {
            if (g.module.equals(module) && g.name.equals(name)) {
                return g;
            }
        }
        return null;
    }

    /**
     * The dotted Python name.
     *
     * @return e.g. {@code "torch.FloatStorage"}
     */
    public String qualifiedName() {
        return module + "." + name;
    }

    /**
     * The element type of a storage class.
     *
     * @return the dtype, or {@code null} if this is not a storage class
     */
    public DType storageDType() {
        return storageDType;
    }

    /**
     * The whitelist as text, for error messages.
     *
     * @return the qualified names, comma-separated
     */
    public static String describeAll() {
        return Arrays.stream(values()).map(TorchGlobal::qualifiedName).collect(Collectors.joining(", "));
    }

    @Override
    public String toString() {
        return qualifiedName();
    }
}
