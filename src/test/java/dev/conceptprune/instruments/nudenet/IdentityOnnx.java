package dev.conceptprune.instruments.nudenet;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A valid one-node ONNX model (Identity, float tensor of a given shape), encoded by hand from the
 * ONNX protobuf schema, for the interface checks: a model that loads but is not NudeNet.
 */
final class IdentityOnnx {
    private static final int FLOAT = 1;

    private IdentityOnnx() {
    }

    static byte[] of(long... shape) {
        byte[] dims = new byte[0];
        for (long d : shape) {
            dims = concat(dims, message(1, varint(1, d)));
        }
        byte[] tensorType = concat(varint(1, FLOAT), message(2, dims));
        byte[] type = message(1, tensorType);
        byte[] node = concat(string(1, "x"), string(2, "y"), string(4, "Identity"));
        byte[] graph = concat(message(1, node), string(2, "g"),
                message(11, concat(string(1, "x"), message(2, type))),
                message(12, concat(string(1, "y"), message(2, type))));
        byte[] opset = concat(string(1, ""), varint(2, 13));
        return concat(varint(1, 8), message(7, graph), message(8, opset));
    }

    private static byte[] varint(int field, long value) {
        return concat(rawVarint((long) field << 3), rawVarint(value));
    }

    private static byte[] string(int field, String value) {
        return message(field, value.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] message(int field, byte[] body) {
        return concat(rawVarint(((long) field << 3) | 2), rawVarint(body.length), body);
    }

    private static byte[] rawVarint(long value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long v = value;
        while ((v & ~0x7fL) != 0) {
            out.write((int) ((v & 0x7f) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
        return out.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
