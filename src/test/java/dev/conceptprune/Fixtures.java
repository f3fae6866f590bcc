package dev.conceptprune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** Locations of the reference fixtures copied into the repository, comparison helpers, and a folder copy. */
public final class Fixtures {
    public static final Path ROOT = Path.of("src/test/resources/fixtures");
    public static final Path TINY_SD = ROOT.resolve("tiny-sd");
    public static final Path REFERENCE = TINY_SD.resolve("reference");
    public static final Path TINY_SDXL = ROOT.resolve("tiny-sdxl");
    public static final Path TOYWORLD = Path.of("models/toyworld/model");

    private Fixtures() {
    }

    /** Largest absolute difference; fails on a length mismatch or a NaN. */
    public static double maxAbsDiff(float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length, "element count");
        double max = 0;
        for (int i = 0; i < expected.length; i++) {
            double d = Math.abs((double) expected[i] - actual[i]);
            assertTrue(!Double.isNaN(d), "NaN at " + i);
            max = Math.max(max, d);
        }
        return max;
    }

    /** Largest absolute value. */
    public static double maxAbs(float[] values) {
        double m = 0;
        for (float v : values) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }

    /** Asserts max |expected - actual| <= tol and prints the measured figure for the notes. */
    public static double assertClose(String what, float[] expected, float[] actual, double tol) {
        double d = maxAbsDiff(expected, actual);
        System.out.printf("%s: max abs diff %.3g (max |ref| %.3g)%n", what, d, maxAbs(expected));
        assertTrue(d <= tol, what + ": max abs diff " + d + " > " + tol);
        return d;
    }

    /** Copies the folder {@code from} with everything in it to {@code to}, for tests that edit a model. */
    public static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path d = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(d);
                } else {
                    Files.copy(p, d);
                }
            }
        }
    }

    /** A slice [from, from + length) of a flat array. */
    public static float[] slice(float[] a, int from, int length) {
        float[] out = new float[length];
        System.arraycopy(a, from, out, 0, length);
        return out;
    }
}
