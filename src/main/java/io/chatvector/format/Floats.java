package io.chatvector.format;

/**
 * Conversions between f32 and the 16-bit float types, bit-exact with PyTorch on CPU (round to nearest even,
 * subnormals kept, overflow to infinity).
 */
public final class Floats {
  private static final int F32_EXPONENT_MASK = 0x7F800000;
  private static final float[] F16_TO_F32 = new float[1 << 16];

  static {
    for (int bits = 0; bits < F16_TO_F32.length; bits++) {
      F16_TO_F32[bits] = computeF16ToF32((short) bits);
    }
  }

  private Floats() {
  }

  public static float bf16ToF32(short bf16) {
    return Float.intBitsToFloat((bf16 & 0xFFFF) << 16);
  }

  /** Round to nearest even; NaN becomes the canonical 0x7FC0 (PyTorch's scalar path). */
  public static short f32ToBf16(float value) {
    int bits = Float.floatToRawIntBits(value);
    if (Float.isNaN(value)) {
      return (short) 0x7FC0;
    }
    return (short) ((bits + 0x7FFF + ((bits >>> 16) & 1)) >>> 16);
  }

  public static float f16ToF32(short f16) {
    return F16_TO_F32[f16 & 0xFFFF];
  }

  private static float computeF16ToF32(short f16) {
    int sign = (f16 & 0x8000) << 16;
    int exponent = (f16 >>> 10) & 0x1F;
    int mantissa = f16 & 0x3FF;
    if (exponent == 0x1F) {
      return Float.intBitsToFloat(sign | F32_EXPONENT_MASK | (mantissa << 13));
    }
    if (exponent == 0) {
      float magnitude = mantissa * 0x1.0p-24f;
      return sign == 0 ? magnitude : -magnitude;
    }
    return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
  }

  /** A port of c10's {@code fp16_ieee_from_fp32_value}: IEEE round to nearest even. */
  public static short f32ToF16(float value) {
    int bits = Float.floatToRawIntBits(value);
    int sign = bits & 0x80000000;
    int doubled = bits + bits;
    if (Integer.compareUnsigned(doubled, 0xFF000000) > 0) {
      return (short) ((sign >>> 16) | 0x7E00 | ((bits >>> 13) & 0x3FF));
    }
    float base = (Math.abs(value) * 0x1.0p+112f) * 0x1.0p-110f;
    int bias = doubled & 0xFF000000;
    if (Integer.compareUnsigned(bias, 0x71000000) < 0) {
      bias = 0x71000000;
    }
    base = Float.intBitsToFloat((bias >>> 1) + 0x07800000) + base;
    int rounded = Float.floatToRawIntBits(base);
    int exponentBits = (rounded >>> 13) & 0x00007C00;
    int mantissaBits = rounded & 0x00000FFF;
    return (short) ((sign >>> 16) | (exponentBits + mantissaBits));
  }

  /** Appends {@code value}, rounded to {@code dtype} (F32, BF16 or F16), to a little-endian buffer. */
  public static void put(java.nio.ByteBuffer buffer, DType dtype, float value) {
    switch (dtype) {
      case BF16 -> buffer.putShort(f32ToBf16(value));
      case F16 -> buffer.putShort(f32ToF16(value));
      case F32 -> buffer.putFloat(value);
      default -> throw new IllegalArgumentException("Cannot write a float as " + dtype);
    }
  }

  /** Whether a value stored in {@code dtype} with these raw bits is NaN or infinite. */
  public static boolean isNonFinite(DType dtype, int rawBits) {
    return switch (dtype) {
      case F32 -> (rawBits & F32_EXPONENT_MASK) == F32_EXPONENT_MASK;
      case BF16 -> (rawBits & 0x7F80) == 0x7F80;
      case F16 -> (rawBits & 0x7C00) == 0x7C00;
      default -> throw new IllegalArgumentException("Cannot test " + dtype + " for finiteness");
    };
  }
}
