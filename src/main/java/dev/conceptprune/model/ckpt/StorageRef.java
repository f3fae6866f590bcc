package dev.conceptprune.model.ckpt;

import dev.conceptprune.io.DType;

/**
 * A storage named by a persistent id {@code ('storage', torch.XStorage, key, location, numel)}:
 * its bytes are the archive entry {@code <prefix>/data/<key>}.
 */
record StorageRef(String key, DType dtype, String location, long elementCount) {
}
