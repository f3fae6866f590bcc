package dev.conceptprune.instruments.nudenet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;

import org.junit.jupiter.api.Test;

/**
 * The resize paths the fixture images do not reach (their rows are all multiples of 16 bytes and no
 * scale is exactly 2); the main path is checked against NudeNet's tensors in NudeNetInputTest.
 */
class OpenCvLinearResizeTest {
    @Test
    void sameSizeIsACopy() {
        byte[] src = {1, 2, 3, 4, 5, 6};
        byte[] out = OpenCvLinearResize.resize(src, 2, 1, 2, 1);
        assertArrayEquals(src, out);
        assertNotSame(src, out);
    }

    @Test
    void exactHalvingIsTheRoundedTwoByTwoMean() {
        // one channel of interest; OpenCV's area path: (a + b + c + d + 2) >> 2
        byte[] src = {1, 0, 0, 2, 0, 0, 2, 0, 0, 2, 0, (byte) 255};
        byte[] out = OpenCvLinearResize.resize(src, 2, 2, 1, 1);
        assertArrayEquals(new byte[] {2, 0, 64}, out);
    }

    @Test
    void rowTailBeyondTheVectorLoopsRoundsExactly() {
        // 1x2 -> 3x5: a row is 9 bytes, the first 8 through OpenCV's half-register loop and the last
        // one scalar. Output row 1 blends 1 and 37 with weights 1843/205: exactly 5.1 -> 5, while the
        // vector kernel's truncated products give 4.
        byte[] src = {1, 1, 1, 37, 37, 37};
        byte[] out = OpenCvLinearResize.resize(src, 1, 2, 3, 5);
        byte[] row1 = java.util.Arrays.copyOfRange(out, 9, 18);
        assertArrayEquals(new byte[] {4, 4, 4, 4, 4, 4, 4, 4, 5}, row1);
    }
}
