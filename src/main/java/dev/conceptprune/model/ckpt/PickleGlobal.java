package dev.conceptprune.model.ckpt;

import dev.conceptprune.io.DType;

/**
 * The allow-list: the only globals a tensor checkpoint may name. A global is resolved to one of
 * these by its module and name alone and is never looked up or called; any other name is refused.
 */
enum PickleGlobal {
    REBUILD_TENSOR_V2("torch._utils", "_rebuild_tensor_v2", null),
    REBUILD_PARAMETER("torch._utils", "_rebuild_parameter", null),
    ORDERED_DICT("collections", "OrderedDict", null),
    DOUBLE_STORAGE("torch", "DoubleStorage", DType.F64),
    FLOAT_STORAGE("torch", "FloatStorage", DType.F32),
    HALF_STORAGE("torch", "HalfStorage", DType.F16),
    BFLOAT16_STORAGE("torch", "BFloat16Storage", DType.BF16),
    LONG_STORAGE("torch", "LongStorage", DType.I64),
    INT_STORAGE("torch", "IntStorage", DType.I32),
    SHORT_STORAGE("torch", "ShortStorage", DType.I16),
    CHAR_STORAGE("torch", "CharStorage", DType.I8),
    BYTE_STORAGE("torch", "ByteStorage", DType.U8),
    BOOL_STORAGE("torch", "BoolStorage", DType.BOOL);

    private final String module;
    private final String name;
    private final DType storageType;

    PickleGlobal(String module, String name, DType storageType) {
        this.module = module;
        this.name = name;
        this.storageType = storageType;
    }

    /** The allowed global of that module and name, or null. */
    static PickleGlobal find(String module, String name) {
        for (PickleGlobal g : values()) {
            if (g.module.equals(module) && g.name.equals(name)) {
                return g;
            }
        }
        return null;
    }

    /** The element type of a storage class; null for the functions and OrderedDict. */
    DType storageType() {
        return storageType;
    }

    /** The dotted Python name, for messages. */
    String dotted() {
        return module + "." + name;
    }
}
