package dev.conceptprune.prune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.conceptprune.Fixtures;
import dev.conceptprune.io.DType;
import dev.conceptprune.io.Hashing;
import dev.conceptprune.io.SafetensorsWriter;
import dev.conceptprune.model.Component;
import dev.conceptprune.model.ModelSource;
import dev.conceptprune.model.TensorSource;
import dev.conceptprune.model.TensorStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The base fingerprint depends on the weights' values, not on their layout or storage dtype. */
class BaseFingerprintTest {
    private static final String A = "down_blocks.0.attentions.0.transformer_blocks.0.ff.net.2.weight";
    private static final String B = "mid_block.attentions.0.transformer_blocks.0.ff.net.2.weight";

    @TempDir
    Path tmp;

    @Test
    void sameValuesInFp16AndFp32HaveOneFingerprint() {
        float[] a = {0.5f, -1.25f, 3f, 0.0625f};
        float[] b = {2f, -0.75f};
        try (TensorSource half = store("half", DType.F16, a, b); TensorSource full = store("full", DType.F32, a, b);
             TensorSource other = store("other", DType.F32, a, new float[] {2f, -0.5f})) {
            assertEquals(BaseFingerprint.of(half), BaseFingerprint.of(full));
            assertNotEquals(BaseFingerprint.of(full), BaseFingerprint.of(other), "one value differs");
            assertTrue(BaseFingerprint.of(full).startsWith(BaseFingerprint.PREFIX));
        }
    }

    @Test
    void folderAndItsSingleFileHaveOneFingerprint() {
        Path single = Fixtures.ROOT.resolve("tiny-sd1-single");
        try (TensorSource folder = ModelSource.open(single.resolve("diffusers")).tensors(Component.UNET);
             TensorSource file = ModelSource.open(single.resolve("tiny-sd1c.safetensors")).tensors(Component.UNET)) {
            assertEquals(BaseFingerprint.of(folder), BaseFingerprint.of(file));
        }
    }

    @Test
    void masksWithTheEarlierStoredBytesFingerprintStillMatch() {
        float[] a = {0.5f, -1.25f, 3f, 0.0625f};
        float[] b = {2f, -0.75f};
        try (TensorSource half = store("half", DType.F16, a, b)) {
            MessageDigest sha = Hashing.sha256();
            for (String name : new String[] {A, B}) {
                sha.update(name.getBytes(StandardCharsets.UTF_8));
                sha.update((byte) 0);
                sha.update("F16".getBytes(StandardCharsets.US_ASCII));
                sha.update(half.bytes(name));
            }
            String earlier = "sha256:" + Hashing.hex(sha);
            assertTrue(BaseFingerprint.matches(half, earlier));
            assertFalse(BaseFingerprint.matches(half, "sha256:" + "0".repeat(64)));
            assertTrue(BaseFingerprint.matches(half, BaseFingerprint.of(half)));
        }
    }

    private TensorSource store(String name, DType dtype, float[] a, float[] b) {
        Path file = tmp.resolve(name + ".safetensors");
        new SafetensorsWriter().addFloats(A, dtype, new long[] {2, 2}, a).addFloats(B, dtype, new long[] {1, 2}, b)
                .write(file);
        return TensorStore.open(file);
    }
}
