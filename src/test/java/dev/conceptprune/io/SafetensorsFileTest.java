package dev.conceptprune.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.conceptprune.Fixtures;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsFileTest {
    @TempDir
    Path tmp;

    /** A file from a raw header string and data area. */
    private Path raw(String header, int dataBytes) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h);
        Path p = tmp.resolve("t" + System.nanoTime() + ".safetensors");
        Files.write(p, b.array());
        return p;
    }

    private String failure(Path p) {
        WeightFormatException e = assertThrows(WeightFormatException.class, () -> SafetensorsFile.open(p).close());
        assertFalse(e.getMessage().contains("\n"), "one-line message: " + e.getMessage());
        assertTrue(e.getMessage().startsWith(p.toString()), "names the file: " + e.getMessage());
        return e.getMessage();
    }

    @Test
    void readsReferenceFileWrittenByPython() {
        try (SafetensorsFile f = SafetensorsFile.open(Fixtures.TINY_SD.resolve("unet/diffusion_pytorch_model.safetensors"))) {
            TensorInfo conv = f.info("conv_in.weight");
            assertEquals(DType.F32, conv.dtype());
            assertArrayEquals(new long[] {32, 4, 3, 3}, conv.shape());
            assertEquals("pt", f.metadata().get("format"));
            assertEquals(32 * 4 * 3 * 3, f.readFloats("conv_in.weight").length);
        }
    }

    @Test
    void writerRoundTripsEveryDtypeAndAlignsHeader() throws IOException {
        float[] values = {0f, 1f, -2.5f, 65504f, 1e-8f, 3.1415927f};
        Path p = tmp.resolve("round.safetensors");
        new SafetensorsWriter()
                .metadata("format", "pt")
                .addFloats("f32", DType.F32, new long[] {2, 3}, values)
                .addFloats("f16", DType.F16, new long[] {6}, values)
                .addFloats("bf16", DType.BF16, new long[] {6}, values)
                .addInts("i32", new long[] {3}, new int[] {-1, 0, 7})
                .addLongs("i64", new long[] {2}, new long[] {Long.MAX_VALUE, -5})
                .addBytes("u8", DType.U8, new long[] {2}, new byte[] {(byte) 255, 1})
                .addBytes("flag", DType.BOOL, new long[] {1}, new byte[] {1})
                .addFloats("scalar", DType.F32, new long[] {}, new float[] {42f})
                .write(p);
        byte[] bytes = Files.readAllBytes(p);
        long headerLen = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, (8 + headerLen) % 8, "data area starts 8-byte aligned");
        try (SafetensorsFile f = SafetensorsFile.open(p)) {
            assertArrayEquals(values, f.readFloats("f32"));
            assertArrayEquals(new float[] {0f, 1f, -2.5f, 65504f, 0f, 3.140625f}, f.readFloats("f16"));
            assertEquals(-2.5f, f.readFloats("bf16")[2]);
            assertEquals(3.140625f, f.readFloats("bf16")[5]);
            assertArrayEquals(new long[] {-1, 0, 7}, f.readLongs("i32"));
            assertArrayEquals(new long[] {Long.MAX_VALUE, -5}, f.readLongs("i64"));
            assertArrayEquals(new long[] {255, 1}, f.readLongs("u8"));
            assertArrayEquals(new long[] {1}, f.readLongs("flag"));
            assertArrayEquals(new float[] {42f}, f.readFloats("scalar"));
            assertEquals("pt", f.metadata().get("format"));
        }
        try (var s = Files.list(tmp)) {
            assertEquals(1, s.count(), "no temp file left behind");
        }
    }

    @Test
    void halfConversionMatchesIeeeOnAllValues() {
        for (int h = 0; h < 0x10000; h++) {
            float f = Float32.halfToFloat((short) h);
            if (!Float.isNaN(f)) {
                assertEquals((short) h, Float32.floatToHalf(f), "half 0x" + Integer.toHexString(h));
            }
        }
        assertEquals(0x3c00, Float32.floatToHalf(1.0004883f) & 0xffff, "tie rounds to even");
        assertEquals(0x3c02, Float32.floatToHalf(1.0014648f) & 0xffff, "tie rounds to even upward");
    }

    @Test
    void tooShortForLengthField() throws IOException {
        Path p = tmp.resolve("short.safetensors");
        Files.write(p, new byte[] {1, 2, 3});
        assertTrue(failure(p).contains("shorter than the 8-byte header"));
    }

    @Test
    void filesThatAreNotSafetensorsAreNamedForWhatTheyLookLike() throws IOException {
        assertEquals("is empty (0 bytes), not a safetensors file", lookalike(new byte[0]));
        assertEquals("is a PyTorch .ckpt (zip) file, not safetensors; convert it to .safetensors",
                lookalike(new byte[] {'P', 'K', 3, 4, 0, 0, 0, 0, 8, 0, 0, 0}));
        assertEquals("is a Python pickle (a legacy PyTorch checkpoint), not safetensors",
                lookalike(new byte[] {(byte) 0x80, 2, (byte) 0x8a, 10, 0x6c, (byte) 0xfc, (byte) 0x9c, 0x46, 0x20}));
        assertEquals("is a gzip file, not safetensors (decompress it first?)",
                lookalike(new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, 3}));
        assertEquals("is a JSON file, not safetensors", lookalike(text("{\n  \"_class_name\": \"UNet2DConditionModel\"\n}\n")));
        assertEquals("is an HTML page (a failed download?), not safetensors",
                lookalike(text("\n<!DOCTYPE html>\n<html><body>Not Found</body></html>\n")));
        assertEquals("is a Git LFS pointer, not the weights (fetch them with git lfs pull)",
                lookalike(text("version https://git-lfs.github.com/spec/v1\noid sha256:ab\nsize 3438167536\n")));
        assertEquals("is a text file, not safetensors", lookalike(text("hello")));
    }

    @Test
    void aValidHeaderIsNeverTakenForALookalike() throws IOException {
        // A header length whose low byte is '{' reads as text only up to the length field's zero bytes.
        Path p = raw(" ".repeat(0x7b - 2) + "{}", 0);
        assertTrue(failure(p).contains("not a JSON object"), failure(p));
        Path zipLength = tmp.resolve("len.safetensors");
        byte[] h = "{}".getBytes(StandardCharsets.UTF_8);
        Files.write(zipLength, ByteBuffer.allocate(10).order(ByteOrder.LITTLE_ENDIAN).putLong(2).put(h).array());
        try (SafetensorsFile f = SafetensorsFile.open(zipLength)) {
            assertEquals(0, f.tensors().size());
        }
    }

    private static byte[] text(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** The rule a file of these bytes breaks, without the file name. */
    private String lookalike(byte[] content) throws IOException {
        Path p = tmp.resolve("w" + System.nanoTime() + ".safetensors");
        Files.write(p, content);
        return failure(p).substring(p.toString().length() + 2);
    }

    @Test
    void truncatedFileIsDetected() throws IOException {
        Path good = tmp.resolve("good.safetensors");
        new SafetensorsWriter().addFloats("w", DType.F32, new long[] {64}, new float[64]).write(good);
        byte[] all = Files.readAllBytes(good);
        Path p = tmp.resolve("cut.safetensors");
        Files.write(p, Arrays.copyOf(all, all.length - 10));
        assertTrue(failure(p).contains("outside the data area"), "truncated data");
        Files.write(p, Arrays.copyOf(all, 20));
        assertTrue(failure(p).contains("runs past the end of the file"), "truncated header");
    }

    @Test
    void headerLengthBeyondLimitOrFile() throws IOException {
        ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(-1L).putLong(0);
        Path p = tmp.resolve("huge.safetensors");
        Files.write(p, b.array());
        assertTrue(failure(p).contains("outside the allowed range"));
    }

    @Test
    void overlappingOffsets() throws IOException {
        Path p = raw("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12);
        assertTrue(failure(p).contains("overlapping"));
    }

    @Test
    void shapeAndLengthMismatch() throws IOException {
        Path p = raw("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8);
        assertTrue(failure(p).contains("does not match dtype F32 x shape"));
    }

    @Test
    void unknownDtype() throws IOException {
        Path p = raw("{\"a\":{\"dtype\":\"Q4\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8);
        assertTrue(failure(p).contains("unknown dtype 'Q4'"));
    }

    @Test
    void giantDeclaredSizes() throws IOException {
        Path p = raw("{\"a\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,8]}}", 8);
        assertTrue(failure(p).contains("overflows"));
        Path q = raw("{\"a\":{\"dtype\":\"F32\",\"shape\":[1000000000000],\"data_offsets\":[0,4000000000000]}}", 8);
        assertTrue(failure(q).contains("outside the data area"));
        Path r = raw("{\"a\":{\"dtype\":\"F32\",\"shape\":[99999999999999999999],\"data_offsets\":[0,8]}}", 8);
        assertTrue(failure(r).contains("not a non-negative 64-bit integer"));
    }

    @Test
    void malformedJsonNonUtf8AndDuplicates() throws IOException {
        assertTrue(failure(raw("{\"a\":", 0)).contains("not well-formed JSON"));
        assertTrue(failure(raw("[1,2]", 0)).contains("not a JSON object"));
        assertTrue(failure(raw("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8)).contains("duplicate tensor name"));
        Path bad = tmp.resolve("utf.safetensors");
        ByteBuffer b = ByteBuffer.allocate(8 + 4).order(ByteOrder.LITTLE_ENDIAN).putLong(4);
        b.put(new byte[] {'{', (byte) 0xff, (byte) 0xfe, '}'});
        Files.write(bad, b.array());
        assertTrue(failure(bad).contains("not valid UTF-8"));
        assertTrue(failure(raw("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,0]}}", 8))
                .contains("end before they begin"));
        assertTrue(failure(raw("{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", 8))
                .contains("negative"));
    }

    @Test
    void deeplyNestedHeaderIsRejectedWithoutStackOverflow() throws IOException {
        String nested = "[".repeat(100_000) + "]".repeat(100_000);
        Path p = raw("{\"__metadata__\":" + nested + "}", 0);
        assertTrue(failure(p).contains("__metadata__"));
    }

    @Test
    void missingTensorNamesFileAndTensor() throws IOException {
        Path p = tmp.resolve("one.safetensors");
        new SafetensorsWriter().addFloats("w", DType.F32, new long[] {1}, new float[1]).write(p);
        try (SafetensorsFile f = SafetensorsFile.open(p)) {
            WeightFormatException e = assertThrows(WeightFormatException.class, () -> f.readFloats("nope"));
            assertTrue(e.getMessage().contains("missing tensor 'nope'"));
        }
        WeightFormatException e = assertThrows(WeightFormatException.class,
                () -> SafetensorsFile.open(tmp.resolve("absent.safetensors")));
        assertTrue(e.getMessage().contains("file not found"));
    }

    @Test
    void readsFloat64ExactlyAndWidensNarrowerFloats() {
        double[] values = {Math.PI, -1e-300, 1e300, 0.1, -0.0};
        ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (double v : values) {
            b.putDouble(v);
        }
        b.flip();
        Path p = tmp.resolve("f64.safetensors");
        new SafetensorsWriter().add("f64", DType.F64, new long[] {5}, b)
                .addFloats("f16", DType.F16, new long[] {2}, new float[] {0.5f, -3f})
                .addInts("i32", new long[] {1}, new int[] {1}).write(p);
        try (SafetensorsFile f = SafetensorsFile.open(p)) {
            assertArrayEquals(values, f.readDoubles("f64"), 0.0, "F64 values bit for bit");
            assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits(f.readDoubles("f64")[4]));
            assertArrayEquals(new double[] {0.5, -3}, f.readDoubles("f16"), 0.0);
            assertTrue(assertThrows(WeightFormatException.class, () -> f.readDoubles("i32")).getMessage()
                    .contains("expected a floating-point type"));
        }
    }
}
