package dev.conceptprune.model.ckpt;

/**
 * What {@code torch._utils._rebuild_tensor_v2(storage, offset, size, stride, ...)} describes: a
 * view of a storage, as the pickle states it (not yet checked against the storage).
 */
record TensorRef(StorageRef storage, long storageOffset, long[] shape, long[] stride) {
}
