package dev.conceptprune.model.ckpt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.conceptprune.io.DType;
import dev.conceptprune.io.SafetensorsFile;
import dev.conceptprune.io.TensorInfo;
import dev.conceptprune.io.WeightFormatException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CkptFileTest {
    private static final Path FIXTURE = Path.of("src/test/resources/fixtures/tiny-sd1-single");
    private static final Path CKPT = FIXTURE.resolve("tiny-sd1c.ckpt");

    @TempDir
    Path tmp;

    static String refusal(Path p) {
        WeightFormatException e = assertThrows(WeightFormatException.class, () -> CkptFile.open(p).close());
        assertFalse(e.getMessage().contains("\n"), "one-line message: " + e.getMessage());
        assertTrue(e.getMessage().startsWith(p.toString()), "names the file: " + e.getMessage());
        return e.getMessage();
    }

    private static byte[] floats(float... v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) {
            b.putFloat(f);
        }
        return b.array();
    }

    private static byte[] bytesOf(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    /** {'state_dict': {'w': tensor}, 'global_step': 7}, with the given tensor layout over a 6-float storage. */
    private Path oneTensor(long offset, long[] shape, long[] stride) throws IOException {
        byte[] pkl = new PickleBytes().proto(2).emptyDict().mark()
                .str("state_dict").emptyDict().mark().str("w").tensor("FloatStorage", "0", 6, offset, shape, stride)
                .setitems().str("global_step").integer(7).setitems().stop().bytes();
        return new CheckpointZip().pickle(pkl).storage("0", floats(1, 2, 3, 4, 5, 6)).write(tmp.resolve("one.ckpt"));
    }

    @Test
    void fixtureHoldsTheSameTensorsAsItsSafetensors() {
        try (CkptFile ckpt = CkptFile.open(CKPT);
             SafetensorsFile st = SafetensorsFile.open(FIXTURE.resolve("tiny-sd1c.safetensors"))) {
            assertEquals(new TreeSet<>(st.tensors().keySet()), new TreeSet<>(ckpt.names()));
            long bytes = 0;
            for (String name : ckpt.names()) {
                TensorInfo expected = st.info(name);
                TensorInfo actual = ckpt.info(name);
                assertEquals(expected.dtype(), actual.dtype(), name);
                assertArrayEquals(expected.shape(), actual.shape(), name);
                assertEquals(st.bytes(name), ckpt.bytes(name), name);
                bytes += actual.byteLength();
            }
            assertEquals(DType.F16, ckpt.info("model.diffusion_model.time_embed.0.weight").dtype());
            String first = ckpt.names().iterator().next();
            assertArrayEquals(st.readFloats(first), ckpt.readFloats(first));
            assertTrue(bytes > 15_000_000, "compared " + bytes + " bytes");
            System.out.printf("fixture: %d tensors, %d bytes equal to the safetensors%n", ckpt.names().size(), bytes);
        }
    }

    @Test
    void fixtureTopLevelValuesAreRead() {
        try (CkptFile ckpt = CkptFile.open(CKPT)) {
            assertEquals(Map.of("global_step", 470000L, "epoch", 6L), ckpt.values());
            assertEquals(List.of(), ckpt.otherEntries());
        }
    }

    @Test
    void flatDictDeflatedEntriesOrderedDictStateSharedStorageAndParameters() throws IOException {
        // An OrderedDict state dict with torch's _metadata attribute set by BUILD; two views of one
        // storage; a parameter; a bf16 and an int64 tensor; every entry deflated; protocol-4 opcodes.
        PickleBytes p = new PickleBytes().proto(4).global("collections", "OrderedDict").op(0x94)
                .emptyTuple().reduce().op(0x94).mark();
        p.shortStr("a").tensor("FloatStorage", "0", 6, 0, new long[] {2, 2}, new long[] {2, 1});
        p.shortStr("b").tensor("FloatStorage", "0", 6, 4, new long[] {2}, new long[] {1});
        p.shortStr("p").global("torch._utils", "_rebuild_parameter").mark()
                .tensor("BFloat16Storage", "1", 2, 0, new long[] {2, 1}, new long[] {1, 7}).op(0x88)
                .global("collections", "OrderedDict").emptyTuple().reduce().tuple().reduce();
        p.shortStr("n").tensor("LongStorage", "2", 1, 0, new long[] {}, new long[] {});
        p.shortStr("note").shortStr("text").shortStr("lr").op('G').op(0x3f, 0xb9, 0x99, 0x99, 0x99, 0x99, 0x99, 0x9a);
        p.setitems().emptyDict().mark().shortStr("_metadata").emptyDict().setitems().build().stop();
        ByteBuffer longs = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(-3);
        Path file = new CheckpointZip().deflated().pickle(p.bytes())
                .storage("0", floats(1, 2, 3, 4, 5, 6)).storage("1", new byte[] {(byte) 0x80, 0x3f, 0x00, 0x40})
                .storage("2", longs.array()).entry("archive/byteorder", "little".getBytes(StandardCharsets.US_ASCII))
                .write(tmp.resolve("flat.ckpt"));
        try (CkptFile ckpt = CkptFile.open(file)) {
            assertEquals(List.of("a", "b", "p", "n"), List.copyOf(ckpt.names()));
            assertArrayEquals(new float[] {1, 2, 3, 4}, ckpt.readFloats("a"));
            assertArrayEquals(new float[] {5, 6}, ckpt.readFloats("b"));
            assertEquals(16, ckpt.tensor("b").byteOffset());
            assertEquals(DType.BF16, ckpt.info("p").dtype());
            assertArrayEquals(new float[] {1, 2}, ckpt.readFloats("p"));
            assertEquals(-3L, ckpt.bytes("n").getLong(0));
            assertArrayEquals(new long[] {}, ckpt.info("n").shape());
            assertEquals(Map.of("note", "text", "lr", 0.1), ckpt.values());
            WeightFormatException e = assertThrows(WeightFormatException.class, () -> ckpt.readFloats("n"));
            assertTrue(e.getMessage().contains("I64"), e.getMessage());
        }
    }

    @Test
    void storedTensorBytesAreMappedWhereTheyLie() throws IOException {
        try (CkptFile ckpt = CkptFile.open(oneTensor(1, new long[] {2, 2}, new long[] {2, 1}))) {
            ByteBuffer b = ckpt.bytes("w");
            assertTrue(b.isDirect(), "memory-mapped");
            assertArrayEquals(floats(2, 3, 4, 5), bytesOf(b));
            assertEquals(Map.of("global_step", 7L), ckpt.values());
        }
    }

    @Test
    void damagedStorageFailsItsCrcOnFirstRead() throws IOException {
        Path file = oneTensor(0, new long[] {6}, new long[] {1});
        byte[] all = Files.readAllBytes(file);
        byte[] six = floats(6);
        for (int i = all.length - 4; i >= 0; i--) {
            if (Arrays.equals(all, i, i + 4, six, 0, 4)) {
                all[i + 3] ^= 0x40;
                break;
            }
        }
        Files.write(file, all);
        try (CkptFile ckpt = CkptFile.open(file)) {
            WeightFormatException e = assertThrows(WeightFormatException.class, () -> ckpt.readFloats("w"));
            assertTrue(e.getMessage().contains("'archive/data/0' fails its CRC-32 check"), e.getMessage());
        }
    }

    @Test
    void nonContiguousStrideIsRefused() throws IOException {
        String m = refusal(oneTensor(0, new long[] {2, 3}, new long[] {1, 2}));
        assertTrue(m.contains("tensor 'w'") && m.contains("stride [1, 2]") && m.contains("not contiguous"), m);
    }

    @Test
    void tensorOutsideItsStorageIsRefused() throws IOException {
        String m = refusal(oneTensor(3, new long[] {2, 2}, new long[] {2, 1}));
        assertTrue(m.contains("storage '0'"), m);
    }

    @Test
    void storageEntryOfTheWrongSizeOrMissingIsRefused() throws IOException {
        byte[] pkl = new PickleBytes().proto(2).emptyDict().str("w")
                .tensor("FloatStorage", "0", 6, 0, new long[] {6}, new long[] {1}).setitem().stop().bytes();
        Path file = new CheckpointZip().pickle(pkl).storage("0", floats(1, 2)).write(tmp.resolve("s.ckpt"));
        String shortEntry = refusal(file);
        assertTrue(shortEntry.contains("archive/data/0") && shortEntry.contains("24"), shortEntry);
        String missing = refusal(new CheckpointZip().pickle(pkl).write(tmp.resolve("m.ckpt")));
        assertTrue(missing.contains("missing"), missing);
    }

    @Test
    void bigEndianCheckpointIsRefused() throws IOException {
        byte[] pkl = new PickleBytes().proto(2).emptyDict().str("w")
                .tensor("FloatStorage", "0", 1, 0, new long[] {1}, new long[] {1}).setitem().stop().bytes();
        Path file = new CheckpointZip().pickle(pkl).storage("0", floats(1))
                .entry("archive/byteorder", "big".getBytes(StandardCharsets.US_ASCII)).write(tmp.resolve("be.ckpt"));
        assertTrue(refusal(file).contains("byte order 'big'"));
    }

    @Test
    void nonTensorInStateDictAndDictWithoutTensorsAreRefused() throws IOException {
        byte[] odd = new PickleBytes().proto(2).emptyDict().str("state_dict").emptyDict().str("x\ny\u2028").integer(1)
                .setitem().setitem().stop().bytes();
        String m = refusal(new CheckpointZip().pickle(odd).write(tmp.resolve("odd.ckpt")));
        assertTrue(m.contains("'x\\u000ay\\u2028'") && m.contains("not a tensor"), m);
        byte[] none = new PickleBytes().proto(2).emptyDict().str("epoch").integer(1).setitem().stop().bytes();
        String n = refusal(new CheckpointZip().pickle(none).write(tmp.resolve("none.ckpt")));
        assertTrue(n.contains("no tensors") && n.contains("epoch"), n);
    }

    @Test
    void truncatedArchiveIsRefused() throws IOException {
        byte[] all = Files.readAllBytes(CKPT);
        Path cut = Files.write(tmp.resolve("cut.ckpt"), Arrays.copyOf(all, all.length / 2));
        assertTrue(refusal(cut).contains("truncated"));
        Path tail = Files.write(tmp.resolve("tail.ckpt"), Arrays.copyOf(all, all.length - 30));
        assertTrue(refusal(tail).contains("truncated"));
    }

    @Test
    void legacyNonZipTorchFilesAreRefused() throws IOException {
        byte[] legacy = {(byte) 0x80, 0x02, (byte) 0x8a, 0x0a, 0x6c, (byte) 0xfc, (byte) 0x9c, 0x46, (byte) 0xf9, 0x20,
                0x6a, (byte) 0xa8, 0x50, 0x19, 0x2e, (byte) 0x80, 0x02, 0x4d, (byte) 0xe9, 0x03, 0x2e};
        String m = refusal(Files.write(tmp.resolve("old.ckpt"), legacy));
        assertTrue(m.contains("legacy non-zip PyTorch checkpoint") && m.contains("safetensors"), m);
        byte[] tar = new byte[1024];
        System.arraycopy("ustar".getBytes(StandardCharsets.US_ASCII), 0, tar, 257, 5);
        assertTrue(refusal(Files.write(tmp.resolve("tar.ckpt"), tar)).contains("tar checkpoint"));
        byte[] pickle = new PickleBytes().proto(2).emptyDict().stop().bytes();
        assertTrue(refusal(Files.write(tmp.resolve("bare.pkl"), pickle)).contains("bare pickle"));
        assertTrue(refusal(Files.write(tmp.resolve("text.ckpt"), "hello world".getBytes(StandardCharsets.US_ASCII)))
                .contains("not a PyTorch checkpoint"));
        assertTrue(refusal(tmp.resolve("absent.ckpt")).contains("file not found"));
    }

    @Test
    void zipWithoutDataPklIsRefused() throws IOException {
        Path file = new CheckpointZip().entry("model/constants.pkl", new byte[] {1}).write(tmp.resolve("ts.pt"));
        assertTrue(refusal(file).contains("TorchScript"));
        Path other = new CheckpointZip().entry("readme.txt", new byte[] {1}).write(tmp.resolve("other.zip"));
        assertTrue(refusal(other).contains("data.pkl"));
    }
}
