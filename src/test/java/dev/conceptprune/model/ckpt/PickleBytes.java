package dev.conceptprune.model.ckpt;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Writes pickle opcodes by hand, for checkpoints the tests shape as they need (hostile ones included). */
final class PickleBytes {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    PickleBytes op(int... bytes) {
        for (int b : bytes) {
            out.write(b);
        }
        return this;
    }

    PickleBytes proto(int v) {
        return op(0x80, v);
    }

    PickleBytes mark() {
        return op('(');
    }

    PickleBytes emptyDict() {
        return op('}');
    }

    PickleBytes emptyTuple() {
        return op(')');
    }

    PickleBytes tuple() {
        return op('t');
    }

    PickleBytes tuple1() {
        return op(0x85);
    }

    PickleBytes tuple2() {
        return op(0x86);
    }

    PickleBytes reduce() {
        return op('R');
    }

    PickleBytes setitems() {
        return op('u');
    }

    PickleBytes setitem() {
        return op('s');
    }

    PickleBytes stop() {
        return op('.');
    }

    PickleBytes newFalse() {
        return op(0x89);
    }

    PickleBytes binpersid() {
        return op('Q');
    }

    PickleBytes build() {
        return op('b');
    }

    PickleBytes binput(int i) {
        return op('q', i);
    }

    PickleBytes binget(int i) {
        return op('h', i);
    }

    /** GLOBAL 'module name', as protocol 2 writes it. */
    PickleBytes global(String module, String name) {
        op('c');
        ascii(module + "\n" + name + "\n");
        return this;
    }

    /** BINUNICODE with a 4-byte length. */
    PickleBytes str(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        op('X');
        le32(b.length);
        out.writeBytes(b);
        return this;
    }

    /** SHORT_BINUNICODE (protocol 4). */
    PickleBytes shortStr(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        op(0x8c, b.length);
        out.writeBytes(b);
        return this;
    }

    /** The smallest of BININT1, BININT2, BININT, LONG1 that holds the value, as pickle chooses. */
    PickleBytes integer(long v) {
        if (v >= 0 && v < 256) {
            return op('K', (int) v);
        }
        if (v >= 0 && v < 65536) {
            return op('M', (int) (v & 0xff), (int) (v >>> 8));
        }
        if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
            op('J');
            le32((int) v);
            return this;
        }
        op(0x8a, 8);
        out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array());
        return this;
    }

    /** A tuple of integers (sizes, strides). */
    PickleBytes ints(long... values) {
        mark();
        for (long v : values) {
            integer(v);
        }
        return tuple();
    }

    /**
     * {@code _rebuild_tensor_v2(('storage', torch.<type>, key, 'cpu', numel), offset, shape, stride,
     * False, OrderedDict())}, as torch.save writes a tensor.
     */
    PickleBytes tensor(String storageType, String key, long numel, long offset, long[] shape, long[] stride) {
        global("torch._utils", "_rebuild_tensor_v2");
        mark();
        mark().str("storage").global("torch", storageType).str(key).str("cpu").integer(numel).tuple();
        binpersid();
        integer(offset).ints(shape).ints(stride).newFalse();
        global("collections", "OrderedDict").emptyTuple().reduce();
        tuple();
        return reduce();
    }

    byte[] bytes() {
        return out.toByteArray();
    }

    private void ascii(String s) {
        out.writeBytes(s.getBytes(StandardCharsets.US_ASCII));
    }

    private void le32(int v) {
        out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array());
    }
}
