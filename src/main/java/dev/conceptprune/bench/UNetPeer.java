package dev.conceptprune.bench;

import dev.conceptprune.io.InputException;
import java.util.Arrays;
import java.util.stream.Collectors;

/** Another engine that {@code bench} times on the same UNet, weights and inputs as ours. */
public enum UNetPeer {
    /** ONNX Runtime's CPU provider, attention as MatMul, Softmax, MatMul (what a standard export gives). */
    ORT("ort", false),
    /** ONNX Runtime's CPU provider with its fused {@code com.microsoft.MultiHeadAttention}. */
    ORT_MHA("ort-mha", true);

    private final String id;
    private final boolean fusedAttention;

    UNetPeer(String id, boolean fusedAttention) {
        this.id = id;
        this.fusedAttention = fusedAttention;
    }

    public String id() {
        return id;
    }

    boolean fusedAttention() {
        return fusedAttention;
    }

    /** Parses a peer's id; the error lists the known ones. */
    public static UNetPeer parse(String id) {
        return Arrays.stream(values()).filter(p -> p.id.equals(id)).findFirst()
                .orElseThrow(() -> new InputException("unknown peer '" + id + "'; known: "
                        + Arrays.stream(values()).map(UNetPeer::id).collect(Collectors.joining(", "))));
    }
}
