package dev.conceptprune.prune;

import dev.conceptprune.io.Hashing;
import dev.conceptprune.model.TensorSource;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;

/**
 * SHA-256 over the diffusers names and float32 values of a model's prunable weights, so a mask is
 * never applied to a model it was not computed on, while the same weights match in every layout
 * and storage dtype that holds them exactly (a folder and its single file, fp16 and its fp32 copy).
 * Masks written before this scheme carry {@code sha256:} fingerprints over the stored bytes; they
 * are still recognised.
 */
public final class BaseFingerprint {
    /** The prefix of fingerprints over float32 values. */
    static final String PREFIX = "f32-sha256:";
    private static final String STORED_BYTES_PREFIX = "sha256:";

    private BaseFingerprint() {
    }

    /** Fingerprint of a UNet: all {@code ff.net.2} weights, by sorted name. */
    public static String of(TensorSource unet) {
        MessageDigest sha = Hashing.sha256();
        for (String p : prunable(unet)) {
            sha.update(p.getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0);
            float[] values = unet.readFloats(p);
            ByteBuffer b = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            b.asFloatBuffer().put(values);
            sha.update(b);
        }
        return PREFIX + Hashing.hex(sha);
    }

    /** True when {@code fingerprint}, of either scheme, is this UNet's. */
    public static boolean matches(TensorSource unet, String fingerprint) {
        if (fingerprint != null && fingerprint.startsWith(STORED_BYTES_PREFIX)) {
            return fingerprint.equals(storedBytes(unet));
        }
        return of(unet).equals(fingerprint);
    }

    /** The earlier scheme: names, stored dtype names and stored bytes. */
    private static String storedBytes(TensorSource unet) {
        MessageDigest sha = Hashing.sha256();
        for (String p : prunable(unet)) {
            sha.update(p.getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0);
            sha.update(unet.info(p).dtype().name().getBytes(StandardCharsets.US_ASCII));
            sha.update(unet.bytes(p));
        }
        return STORED_BYTES_PREFIX + Hashing.hex(sha);
    }

    private static List<String> prunable(TensorSource unet) {
        List<String> params = unet.names().stream().filter(n -> n.endsWith("ff.net.2.weight")).sorted().toList();
        if (params.isEmpty()) {
            throw new IllegalArgumentException("the UNet has no ff.net.2 weights to fingerprint");
        }
        return params;
    }
}
