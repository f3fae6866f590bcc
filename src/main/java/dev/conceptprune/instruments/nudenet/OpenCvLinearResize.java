package dev.conceptprune.instruments.nudenet;

/**
 * OpenCV's {@code cv2.resize(img, (w, h))} (INTER_LINEAR) on an 8-bit, 3-channel interleaved
 * raster, value for value as an x86-64 build computes it.
 *
 * <p>OpenCV resamples 8-bit images in fixed point: weights are 11-bit (scaled by 2048, rounded half
 * to even from float), the horizontal pass sums exactly in int, and the vertical pass is its SIMD
 * kernel, which first drops 4 bits of each row sum and keeps the high half of 16-bit products before
 * rounding; only the last few elements of a row, beyond the vector loops, take the exact scalar
 * rounding. Sampling uses half-pixel centres without antialiasing, edge pixels replicated. A resize
 * by exactly one half in both directions becomes OpenCV's 2x2 area average, and an equal size a copy.
 */
final class OpenCvLinearResize {
    private static final int CHANNELS = 3;
    private static final int COEF_BITS = 11;
    private static final int COEF_SCALE = 1 << COEF_BITS;
    /** Lanes of the 128-bit baseline vectors: bytes per register, and 16-bit lanes. */
    private static final int BYTE_LANES = 16;
    private static final int SHORT_LANES = 8;
    /** OpenCV's DBL_EPSILON test for an integer scale. */
    private static final double DBL_EPSILON = Math.ulp(1.0);

    private OpenCvLinearResize() {
    }

    /** The {@code dstWidth} x {@code dstHeight} resize of an interleaved RGB raster. */
    static byte[] resize(byte[] src, int srcWidth, int srcHeight, int dstWidth, int dstHeight) {
        if (srcWidth < 1 || srcHeight < 1 || dstWidth < 1 || dstHeight < 1
                || src.length != CHANNELS * srcWidth * srcHeight) {
            throw new IllegalArgumentException("cannot resize " + srcWidth + "x" + srcHeight + " ("
                    + src.length + " bytes) to " + dstWidth + "x" + dstHeight);
        }
        if (srcWidth == dstWidth && srcHeight == dstHeight) {
            return src.clone();
        }
        double scaleX = 1.0 / ((double) dstWidth / srcWidth);
        double scaleY = 1.0 / ((double) dstHeight / srcHeight);
        if (isInteger(scaleX, 2) && isInteger(scaleY, 2)) {
            return halve(src, srcWidth, dstWidth, dstHeight);
        }
        return bilinear(src, srcWidth, srcHeight, dstWidth, dstHeight, scaleX, scaleY);
    }

    private static boolean isInteger(double scale, int value) {
        return Math.abs(scale - Math.rint(scale)) < DBL_EPSILON && Math.rint(scale) == value;
    }

    private static byte[] halve(byte[] src, int srcWidth, int dstWidth, int dstHeight) {
        byte[] dst = new byte[CHANNELS * dstWidth * dstHeight];
        int srcRow = CHANNELS * srcWidth;
        for (int y = 0; y < dstHeight; y++) {
            int top = 2 * y * srcRow;
            int bottom = top + srcRow;
            for (int x = 0; x < dstWidth; x++) {
                for (int c = 0; c < CHANNELS; c++) {
                    int i = CHANNELS * 2 * x + c;
                    int sum = u8(src[top + i]) + u8(src[top + i + CHANNELS])
                            + u8(src[bottom + i]) + u8(src[bottom + i + CHANNELS]);
                    dst[CHANNELS * (y * dstWidth + x) + c] = (byte) ((sum + 2) >> 2);
                }
            }
        }
        return dst;
    }

    private static byte[] bilinear(byte[] src, int srcWidth, int srcHeight, int dstWidth, int dstHeight,
                                   double scaleX, double scaleY) {
        int rowLength = CHANNELS * dstWidth;
        int[] xOffset = new int[dstWidth];
        short[] alpha = new short[2 * dstWidth];
        int xMax = dstWidth;
        for (int dx = 0; dx < dstWidth; dx++) {
            float fx = (float) ((dx + 0.5) * scaleX - 0.5);
            int sx = (int) Math.floor(fx);
            fx -= sx;
            if (sx < 0) {
                fx = 0;
                sx = 0;
            }
            if (sx + 1 >= srcWidth) {
                xMax = Math.min(xMax, dx);
                fx = 0;
                sx = srcWidth - 1;
            }
            xOffset[dx] = sx;
            alpha[2 * dx] = weight(1.f - fx);
            alpha[2 * dx + 1] = weight(fx);
        }

        RowCache rows = new RowCache(src, srcWidth, xOffset, alpha, xMax);
        byte[] dst = new byte[rowLength * dstHeight];
        int vectorEnd = vectorEnd(rowLength);
        for (int dy = 0; dy < dstHeight; dy++) {
            float fy = (float) ((dy + 0.5) * scaleY - 0.5);
            int sy = (int) Math.floor(fy);
            fy -= sy;
            // Unlike x, y keeps its weights at the borders: both taps may read the same clamped row.
            int[] r0 = rows.row(clamp(sy, srcHeight));
            int[] r1 = rows.row(clamp(sy + 1, srcHeight));
            int b0 = weight(1.f - fy);
            int b1 = weight(fy);
            int out = dy * rowLength;
            for (int x = 0; x < vectorEnd; x++) {
                int v = (((r0[x] >> 4) * b0) >> 16) + (((r1[x] >> 4) * b1) >> 16);
                dst[out + x] = (byte) saturate((v + 2) >> 2);
            }
            for (int x = vectorEnd; x < rowLength; x++) {
                dst[out + x] = (byte) saturate((r0[x] * b0 + r1[x] * b1 + (1 << (2 * COEF_BITS - 1))) >> (2 * COEF_BITS));
            }
        }
        return dst;
    }

    /** Where OpenCV's two vector loops (full registers, then half ones) stop in a row. */
    private static int vectorEnd(int rowLength) {
        int x = 0;
        while (x <= rowLength - BYTE_LANES) {
            x += BYTE_LANES;
        }
        while (x < rowLength - SHORT_LANES) {
            x += SHORT_LANES;
        }
        return x;
    }

    /**
     * Horizontally resampled source rows; the two a destination row needs are consecutive, so two
     * slots (by row parity) hold every row once while the rows advance.
     */
    private static final class RowCache {
        private final byte[] src;
        private final int srcWidth;
        private final int[] xOffset;
        private final short[] alpha;
        private final int xMax;
        private final int[] index = {-1, -1};
        private final int[][] rows;

        RowCache(byte[] src, int srcWidth, int[] xOffset, short[] alpha, int xMax) {
            this.src = src;
            this.srcWidth = srcWidth;
            this.xOffset = xOffset;
            this.alpha = alpha;
            this.xMax = xMax;
            this.rows = new int[2][CHANNELS * xOffset.length];
        }

        int[] row(int sy) {
            int slot = sy & 1;
            if (index[slot] != sy) {
                fill(rows[slot], sy);
                index[slot] = sy;
            }
            return rows[slot];
        }

        private void fill(int[] row, int sy) {
            int base = CHANNELS * srcWidth * sy;
            for (int dx = 0; dx < xOffset.length; dx++) {
                int s = base + CHANNELS * xOffset[dx];
                for (int c = 0; c < CHANNELS; c++) {
                    row[CHANNELS * dx + c] = dx < xMax
                            ? u8(src[s + c]) * alpha[2 * dx] + u8(src[s + c + CHANNELS]) * alpha[2 * dx + 1]
                            : u8(src[s + c]) * COEF_SCALE;
                }
            }
        }
    }

    /** {@code saturate_cast<short>(w * 2048)}: round half to even. */
    private static short weight(float w) {
        return (short) Math.rint(w * COEF_SCALE);
    }

    private static int clamp(int row, int height) {
        return Math.max(0, Math.min(row, height - 1));
    }

    private static int saturate(int v) {
        return Math.max(0, Math.min(v, 255));
    }

    private static int u8(byte b) {
        return b & 0xff;
    }
}
