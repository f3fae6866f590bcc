package dev.conceptprune.io;

import dev.conceptprune.io.DType;
import dev.conceptprune.io.SafetensorsFile;
import dev.conceptprune.io.SafetensorsWriter;
import dev.conceptprune.io.TensorInfo;
import dev.conceptprune.io.WeightFormatException;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mutation fuzzing of the safetensors reader: every mutated file either loads (and every tensor
 * reads) or fails with our one-line {@link WeightFormatException}; never another exception, an
 * OutOfMemoryError or a hang. The case count is {@code -Dfuzz.cases=N} (default 2,000; the long
 * run is {@code mvn test -Dtest=SafetensorsFuzzTest -Dfuzz.cases=100000}).
 */
class SafetensorsFuzzTest {
    private static final String[] DTYPES = {"F32", "F16", "BF16", "I32", "I64", "U8", "BOOL", "F64", "X9", "", "f32"};
    private static final String[] NUMBERS = {"0", "-1", "1", "7", "4294967296", "9223372036854775807",
        "18446744073709551616", "1e308", "-0", "3.5", "99999999999999999999999"};

    @TempDir
    Path tmp;

    @Test
    void mutatedFilesNeverEscapeOurErrorType() throws IOException {
        int cases = Integer.getInteger("fuzz.cases", 2000);
        long seed = Long.getLong("fuzz.seed", 20261129L);
        Random rnd = new Random(seed);
        byte[][] seeds = {validFile(DType.F32), validFile(DType.F16), validFile(DType.BF16), validFile(DType.I64)};
        Path file = tmp.resolve("case.safetensors");
        int loaded = 0;
        int rejected = 0;
        for (int c = 0; c < cases; c++) {
            byte[] base = seeds[rnd.nextInt(seeds.length)];
            int kind = rnd.nextInt(9);
            byte[] mutated = mutate(base, kind, rnd);
            Files.write(file, mutated);
            int caseNo = c;
            boolean ok = assertTimeoutPreemptively(Duration.ofSeconds(5), () -> loadAll(file, caseNo, kind));
            if (ok) {
                loaded++;
            } else {
                rejected++;
            }
        }
        System.out.printf("safetensors fuzz: %d cases (seed %d): %d loaded, %d rejected with one-line errors%n",
                cases, seed, loaded, rejected);
        assertTrue(rejected > cases / 2, "most mutations must be caught");
    }

    private static boolean loadAll(Path file, int caseNo, int kind) {
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            for (TensorInfo t : f.tensors().values()) {
                if (t.dtype().isFloating()) {
                    f.readFloats(t.name());
                } else {
                    f.readLongs(t.name());
                }
                assertTrue(t.end() <= Files.size(file), "tensor inside the file");
            }
            return true;
        } catch (WeightFormatException e) {
            assertFalse(e.getMessage().contains("\n"), "one-line message, case " + caseNo + ": " + e.getMessage());
            assertTrue(e.getMessage().startsWith(file.toString()), "message names the file: " + e.getMessage());
            return false;
        } catch (Throwable t) {
            fail("case " + caseNo + " (mutation " + kind + ") escaped with " + t);
            return false;
        }
    }

    private static byte[] validFile(DType dtype) throws IOException {
        Path p = Files.createTempFile("fuzzseed", ".safetensors");
        try {
            SafetensorsWriter w = new SafetensorsWriter().metadata("format", "pt").metadata("note", "fuzz seed");
            if (dtype == DType.I64) {
                w.addLongs("ids", new long[] {2, 3}, new long[] {1, 2, 3, 4, 5, 6});
                w.addInts("small", new long[] {4}, new int[] {9, 8, 7, 6});
            } else {
                w.addFloats("weight", dtype, new long[] {4, 3}, new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
                w.addFloats("bias", dtype, new long[] {4}, new float[] {0.5f, -1, 2, -3});
                w.addBytes("mask", DType.U8, new long[] {3}, new byte[] {1, 0, 1});
            }
            w.write(p);
            return Files.readAllBytes(p);
        } finally {
            Files.deleteIfExists(p);
        }
    }

    private static byte[] mutate(byte[] base, int kind, Random rnd) {
        int headerLen = (int) ByteBuffer.wrap(base).order(ByteOrder.LITTLE_ENDIAN).getLong();
        String header = new String(base, 8, headerLen, StandardCharsets.UTF_8);
        byte[] data = Arrays.copyOfRange(base, 8 + headerLen, base.length);
        switch (kind) {
            case 0 -> {
                return Arrays.copyOf(base, rnd.nextInt(base.length));
            }
            case 1 -> {
                byte[] b = base.clone();
                for (int i = 0, n = 1 + rnd.nextInt(4); i < n; i++) {
                    b[8 + rnd.nextInt(headerLen)] ^= (byte) (1 << rnd.nextInt(8));
                }
                return b;
            }
            case 2 -> {
                return assemble(replaceRandomNumber(header, rnd), data);
            }
            case 3 -> {
                String d = DTYPES[rnd.nextInt(DTYPES.length)];
                return assemble(header.replaceFirst("\"dtype\":\"[A-Z0-9]*\"", "\"dtype\":\"" + d + "\""), data);
            }
            case 4 -> {
                int open = header.indexOf("\"", header.indexOf("__metadata__") + 40);
                String dup = header.substring(1, Math.max(2, header.indexOf("},", open) + 2));
                return assemble("{" + dup + header.substring(1), data);
            }
            case 5 -> {
                byte[] h = header.getBytes(StandardCharsets.UTF_8);
                h[1 + rnd.nextInt(h.length - 2)] = (byte) (0x80 + rnd.nextInt(0x40));
                return assembleRaw(h, data);
            }
            case 6 -> {
                int depth = 1 + rnd.nextInt(200_000);
                String nest = rnd.nextBoolean() ? "[".repeat(depth) + "]".repeat(depth)
                        : "\"" + "x".repeat(depth) + "\"";
                return assemble("{\"__metadata__\":{\"k\":" + nest + "}," + header.substring(1), data);
            }
            case 7 -> {
                byte[] b = base.clone();
                long len = switch (rnd.nextInt(4)) {
                    case 0 -> rnd.nextLong();
                    case 1 -> headerLen + rnd.nextInt(64) - 32;
                    case 2 -> base.length;
                    default -> SafetensorsFile.MAX_HEADER_BYTES + rnd.nextInt(1000);
                };
                ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(0, len);
                return b;
            }
            default -> {
                byte[] b = new byte[rnd.nextInt(256)];
                rnd.nextBytes(b);
                return b;
            }
        }
    }

    private static String replaceRandomNumber(String header, Random rnd) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\d+").matcher(header);
        java.util.List<int[]> spans = new java.util.ArrayList<>();
        while (m.find()) {
            spans.add(new int[] {m.start(), m.end()});
        }
        if (spans.isEmpty()) {
            return header;
        }
        int[] s = spans.get(rnd.nextInt(spans.size()));
        return header.substring(0, s[0]) + NUMBERS[rnd.nextInt(NUMBERS.length)] + header.substring(s[1]);
    }

    private static byte[] assemble(String header, byte[] data) {
        return assembleRaw(header.getBytes(StandardCharsets.UTF_8), data);
    }

    private static byte[] assembleRaw(byte[] header, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(8 + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(header.length).put(header).put(data);
        return b.array();
    }
}
