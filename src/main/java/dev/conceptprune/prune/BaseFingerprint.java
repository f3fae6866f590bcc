package dev.conceptprune.prune;

import dev.conceptprune.model.TensorSource;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import dev.conceptprune.io.Hashing;
import java.security.MessageDigest;
import java.util.List;

/**
 * SHA-256 over the names and stored bytes of a model's prunable weights, so a mask is never
 * applied to a model it was not computed on.
 */
public final class BaseFingerprint {
    private BaseFingerprint() {
    }

    /** Fingerprint of a UNet: all {@code ff.net.2} weights, by sorted name. */
    public static String of(TensorSource unet) {
        List<String> params = unet.names().stream().filter(n -> n.endsWith("ff.net.2.weight")).sorted().toList();
        if (params.isEmpty()) {
            throw new IllegalArgumentException("the UNet has no ff.net.2 weights to fingerprint");
        }
        return of(unet, params);
    }

    /** Fingerprint of the given parameters (in the given order) of a component's weights. */
    public static String of(TensorSource store, List<String> params) {
        MessageDigest sha = Hashing.sha256();
        for (String p : params) {
            sha.update(p.getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0);
            sha.update(store.info(p).dtype().name().getBytes(StandardCharsets.US_ASCII));
            ByteBuffer b = store.bytes(p);
            sha.update(b);
        }
        return "sha256:" + Hashing.hex(sha);
    }
}
