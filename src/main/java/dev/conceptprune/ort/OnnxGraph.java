package dev.conceptprune.ort;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * An ONNX model under construction, written as the protobuf bytes of a {@code ModelProto}
 * (onnx.proto3 field numbers), for ONNX Runtime's Java API, which takes models only as bytes or
 * files. Float32 values, int64 constants. Weights are declared as external
 * initializers without data: ONNX Runtime takes their memory from the session options, so a
 * 3.4 GB UNet never passes through protobuf's 2 GB message limit.
 */
final class OnnxGraph {
    private static final int IR_VERSION = 8;
    private static final int FLOAT = 1;
    private static final int INT64 = 7;
    private static final int DATA_EXTERNAL = 1;
    private static final int ATTR_FLOAT = 1;
    private static final int ATTR_INT = 2;
    private static final int ATTR_INTS = 7;

    /** The domain of ONNX Runtime's contrib operators. */
    static final String MS_DOMAIN = "com.microsoft";

    private final int opset;
    private final boolean contrib;
    private final List<byte[]> nodes = new ArrayList<>();
    private final List<byte[]> initializers = new ArrayList<>();
    private final List<byte[]> inputs = new ArrayList<>();
    private final List<byte[]> outputs = new ArrayList<>();
    private int counter;

    /** @param contrib whether the model imports {@link #MS_DOMAIN} too */
    OnnxGraph(int opset, boolean contrib) {
        this.opset = opset;
        this.contrib = contrib;
    }

    /** A fresh value name. */
    String fresh(String hint) {
        return hint + "_" + counter++;
    }

    /** Declares a float32 graph input of a fixed shape. */
    void input(String name, long... shape) {
        inputs.add(valueInfo(name, shape));
    }

    /** Declares a float32 graph output of a fixed shape. */
    void output(String name, long... shape) {
        outputs.add(valueInfo(name, shape));
    }

    /** Declares a float32 weight whose data the session receives separately. */
    void externalWeight(String name, long... shape) {
        Proto t = new Proto();
        for (long d : shape) {
            t.varint(1, d);
        }
        t.varint(2, FLOAT);
        t.string(8, name);
        Proto location = new Proto().string(1, "location").string(2, "session:" + name);
        t.message(13, location);
        t.varint(14, DATA_EXTERNAL);
        initializers.add(t.bytes());
    }

    /** A small int64 constant, such as a target shape. */
    String ints(long... values) {
        String name = fresh("const");
        Proto t = new Proto().varint(1, values.length).varint(2, INT64).string(8, name);
        Proto data = new Proto();
        for (long v : values) {
            data.rawVarint(v);
        }
        t.bytesField(7, data.bytes());
        initializers.add(t.bytes());
        return name;
    }

    /** A float32 constant. */
    String floats(long[] shape, float... values) {
        String name = fresh("const");
        Proto t = new Proto();
        for (long d : shape) {
            t.varint(1, d);
        }
        t.varint(2, FLOAT).string(8, name);
        byte[] raw = new byte[values.length * Float.BYTES];
        for (int i = 0; i < values.length; i++) {
            int bits = Float.floatToRawIntBits(values[i]);
            for (int b = 0; b < Float.BYTES; b++) {
                raw[i * Float.BYTES + b] = (byte) (bits >>> (8 * b));
            }
        }
        t.bytesField(9, raw);
        initializers.add(t.bytes());
        return name;
    }

    /** Adds a node with one output and returns that output's name. */
    String op(String type, Attr[] attrs, String... in) {
        return op(type, "", attrs, in);
    }

    /** Adds a node of an operator domain with one output and returns that output's name. */
    String op(String type, String domain, Attr[] attrs, String... in) {
        String out = fresh(type.toLowerCase());
        node(type, domain, attrs, new String[] {out}, in);
        return out;
    }

    /** Adds a node without attributes and returns its output's name. */
    String op(String type, String... in) {
        return op(type, new Attr[0], in);
    }

    /** Adds a node with several outputs. */
    void opMulti(String type, Attr[] attrs, String[] out, String... in) {
        node(type, "", attrs, out, in);
    }

    private void node(String type, String domain, Attr[] attrs, String[] out, String... in) {
        Proto n = new Proto();
        for (String i : in) {
            n.string(1, i);
        }
        for (String o : out) {
            n.string(2, o);
        }
        n.string(3, out[0] + "_node").string(4, type);
        for (Attr a : attrs) {
            n.message(5, a.proto());
        }
        if (!domain.isEmpty()) {
            n.string(7, domain);
        }
        nodes.add(n.bytes());
    }

    /** The serialized {@code ModelProto}. */
    byte[] model() {
        Proto graph = new Proto();
        nodes.forEach(n -> graph.bytesField(1, n));
        graph.string(2, "conceptprune");
        initializers.forEach(t -> graph.bytesField(5, t));
        inputs.forEach(v -> graph.bytesField(11, v));
        outputs.forEach(v -> graph.bytesField(12, v));
        Proto model = new Proto().varint(1, IR_VERSION).string(2, "conceptprune");
        model.message(7, graph);
        model.message(8, new Proto().string(1, "").varint(2, opset));
        if (contrib) {
            model.message(8, new Proto().string(1, MS_DOMAIN).varint(2, 1));
        }
        return model.bytes();
    }

    private static byte[] valueInfo(String name, long[] shape) {
        Proto dims = new Proto();
        for (long d : shape) {
            dims.message(1, new Proto().varint(1, d));
        }
        Proto tensor = new Proto().varint(1, FLOAT).message(2, dims);
        return new Proto().string(1, name).message(2, new Proto().message(1, tensor)).bytes();
    }

    /** A node attribute. */
    record Attr(String name, int type, float f, long i, long[] ints) {
        static Attr f(String name, double value) {
            return new Attr(name, ATTR_FLOAT, (float) value, 0, null);
        }

        static Attr i(String name, long value) {
            return new Attr(name, ATTR_INT, 0, value, null);
        }

        static Attr ints(String name, long... values) {
            return new Attr(name, ATTR_INTS, 0, 0, values);
        }

        private Proto proto() {
            Proto a = new Proto().string(1, name);
            switch (type) {
                case ATTR_FLOAT -> a.fixed32(2, Float.floatToRawIntBits(f));
                case ATTR_INT -> a.varint(3, i);
                default -> {
                    for (long v : ints) {
                        a.varint(8, v);
                    }
                }
            }
            return a.varint(20, type);
        }
    }

    /** Protobuf wire encoding: varints, fixed32 and length-delimited fields. */
    private static final class Proto {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Proto varint(int field, long value) {
            rawVarint((long) field << 3);
            return rawVarint(value);
        }

        Proto fixed32(int field, int bits) {
            rawVarint(((long) field << 3) | 5);
            for (int b = 0; b < 4; b++) {
                out.write(bits >>> (8 * b));
            }
            return this;
        }

        Proto string(int field, String s) {
            return bytesField(field, s.getBytes(StandardCharsets.UTF_8));
        }

        Proto message(int field, Proto m) {
            return bytesField(field, m.bytes());
        }

        Proto bytesField(int field, byte[] b) {
            rawVarint(((long) field << 3) | 2);
            rawVarint(b.length);
            out.writeBytes(b);
            return this;
        }

        Proto rawVarint(long v) {
            while ((v & ~0x7FL) != 0) {
                out.write((int) ((v & 0x7F) | 0x80));
                v >>>= 7;
            }
            out.write((int) v);
            return this;
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }
}
