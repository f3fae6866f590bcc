package dev.conceptprune.io;

import java.nio.ByteBuffer;

/** Conversions between stored floating-point encodings and float32. */
public final class Float32 {
    private Float32() {
    }

    /** Decodes {@code n} little-endian elements of a floating dtype to float32. */
    public static float[] decode(ByteBuffer b, DType dtype, int n) {
        float[] out = new float[n];
        switch (dtype) {
            case F32 -> b.asFloatBuffer().get(out);
            case F16 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = halfToFloat(b.getShort(i * 2));
                }
            }
            case BF16 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = Float.intBitsToFloat((b.getShort(i * 2) & 0xffff) << 16);
                }
            }
            case F64 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = (float) b.getDouble(i * 8);
                }
            }
            default -> throw new IllegalArgumentException("not a floating dtype: " + dtype);
        }
        return out;
    }

    /** Encodes float32 values into {@code dtype} (round to nearest even), little-endian. */
    public static void encode(float[] values, DType dtype, ByteBuffer out) {
        switch (dtype) {
            case F32 -> {
                for (float v : values) {
                    out.putFloat(v);
                }
            }
            case F16 -> {
                for (float v : values) {
                    out.putShort(floatToHalf(v));
                }
            }
            case BF16 -> {
                for (float v : values) {
                    out.putShort(toBf16(v));
                }
            }
            case F64 -> {
                for (float v : values) {
                    out.putDouble(v);
                }
            }
            default -> throw new IllegalArgumentException("not a floating dtype: " + dtype);
        }
    }

    /** IEEE 754 binary16 to float32, exact for every half value. */
    public static float halfToFloat(short h) {
        int bits = h & 0xffff;
        int sign = (bits & 0x8000) << 16;
        int exp = (bits >>> 10) & 0x1f;
        int mant = bits & 0x3ff;
        if (exp == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        }
        if (exp == 0) {
            float v = mant * 0x1p-24f;
            return sign == 0 ? v : -v;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }

    /** float32 to IEEE 754 binary16 with round-to-nearest-even, as torch's {@code .half()}. */
    public static short floatToHalf(float f) {
        int bits = Float.floatToRawIntBits(f);
        int sign = (bits >>> 16) & 0x8000;
        int abs = bits & 0x7fffffff;
        if (abs >= 0x7f800000) {
            return (short) (sign | 0x7c00 | (abs > 0x7f800000 ? 0x200 : 0));
        }
        if (abs >= 0x477ff000) {
            return (short) (sign | 0x7c00);
        }
        if (abs < 0x38800000) {
            // subnormal half (or zero): scale so the rounding happens on the integer mantissa
            float scaled = Float.intBitsToFloat(abs) * 0x1p24f;
            int m = Math.round(scaled);
            if (Math.abs(scaled - (float) Math.floor(scaled) - 0.5f) == 0f && (m & 1) == 1) {
                m--;
            }
            return (short) (sign | m);
        }
        int exp = ((abs >>> 23) - 112) << 10;
        int mant = abs & 0x7fffff;
        int half = exp | (mant >>> 13);
        int rest = mant & 0x1fff;
        if (rest > 0x1000 || (rest == 0x1000 && (half & 1) == 1)) {
            half++;
        }
        return (short) (sign | half);
    }

    private static short toBf16(float v) {
        int bits = Float.floatToRawIntBits(v);
        if (Float.isNaN(v)) {
            return (short) ((bits >>> 16) | 0x40);
        }
        int rounding = 0x7fff + ((bits >>> 16) & 1);
        return (short) ((bits + rounding) >>> 16);
    }
}
