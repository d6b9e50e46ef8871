package io.chatvector.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FloatsTest {
  private static float bits(int bits) {
    return Float.intBitsToFloat(bits);
  }

  @ParameterizedTest(name = "f32 {0} -> bf16 {1}")
  @CsvSource({
      "3F800000, 3F80",  // 1.0
      "3F808000, 3F80",  // tie, even stays
      "3F818000, 3F82",  // tie, odd rounds up
      "3F808001, 3F81",  // just above the tie
      "3F807FFF, 3F80",  // just below the tie
      "7F7FFFFF, 7F80",  // largest float rounds to infinity
      "7F7F7FFF, 7F7F",  // largest bf16 stays
      "00010000, 0001",  // smallest bf16 subnormal
      "00008000, 0000",  // tie between 0 and the smallest subnormal
      "00018000, 0002",  // tie rounds to even
      "00000001, 0000",  // tiny subnormal rounds to zero
      "80000000, 8000",  // -0 stays -0
      "7F800000, 7F80",  // infinity
      "FF800000, FF80",  // -infinity
      "C0490FDB, C049",  // -pi
  })
  void roundsF32ToBf16(String in, String out) {
    assertEquals(Integer.parseInt(out, 16), Floats.f32ToBf16(bits(Integer.parseUnsignedInt(in, 16))) & 0xFFFF);
  }

  @ParameterizedTest(name = "f32 {0} -> f16 {1}")
  @CsvSource({
      "1.0, 3C00",
      "65504.0, 7BFF",
      "65519.99, 7BFF",    // below the midpoint to the next step: stays finite
      "65520.0, 7C00",     // the midpoint rounds (to even) to infinity
      "1.0E6, 7C00",
      "5.9604645E-8, 0001", // 2^-24, smallest subnormal
      "2.9802322E-8, 0000", // 2^-25, tie with zero -> even
      "8.940697E-8, 0002",  // 3 * 2^-25, tie between 1 and 2 -> 2
      "6.1035156E-5, 0400", // smallest normal
      "1.0004883, 3C00",    // 1 + 2^-11: tie -> even
      "1.0014648, 3C02",    // 1 + 3 * 2^-11: tie -> even (up)
      "-0.0, 8000",
      "-2.0, C000",
  })
  void roundsF32ToF16(float in, String out) {
    assertEquals(Integer.parseInt(out, 16), Floats.f32ToF16(in) & 0xFFFF);
  }

  @Test
  void convertsNanToNan() {
    for (int nan : new int[] {0x7FC00000, 0xFFC00001, 0x7F800001, 0x7FFFFFFF}) {
      assertTrue(Float.isNaN(Floats.bf16ToF32(Floats.f32ToBf16(bits(nan)))));
      assertTrue(Float.isNaN(Floats.f16ToF32(Floats.f32ToF16(bits(nan)))));
    }
    assertEquals(0x7FC0, Floats.f32ToBf16(Float.NaN) & 0xFFFF);
    assertEquals(0x7E00, Floats.f32ToF16(Float.NaN) & 0xFFFF);
  }

  @ParameterizedTest(name = "f16 {0} -> {1}")
  @CsvSource({
      "0001, 5.9604645E-8",
      "03FF, 6.097555E-5",
      "7BFF, 65504.0",
      "7C00, Infinity",
      "FC00, -Infinity",
      "8000, -0.0",
      "3555, 0.33325195",
  })
  void widensF16Exactly(String in, float out) {
    assertEquals(Float.floatToRawIntBits(out), Float.floatToRawIntBits(Floats.f16ToF32((short) Integer.parseInt(in, 16))));
  }

  @Test
  void everyNonNan16BitValueRoundTripsThroughF32() {
    for (int h = 0; h < 1 << 16; h++) {
      float f16 = Floats.f16ToF32((short) h);
      float bf16 = Floats.bf16ToF32((short) h);
      if (!Float.isNaN(f16)) {
        assertEquals(h, Floats.f32ToF16(f16) & 0xFFFF, () -> "f16 " + Integer.toHexString(f16Bits(f16)));
      }
      if (!Float.isNaN(bf16)) {
        assertEquals(h, Floats.f32ToBf16(bf16) & 0xFFFF);
      }
    }
  }

  private static int f16Bits(float value) {
    return Float.floatToRawIntBits(value);
  }

  @Test
  void roundingAgreesWithBruteForceNearestEven() {
    SplittableRandom random = new SplittableRandom(7);
    for (int i = 0; i < 200_000; i++) {
      float value = bits(random.nextInt());
      if (Float.isNaN(value)) {
        continue;
      }
      // Half of the cases near the 16-bit ranges, where the interesting roundings are.
      if (i % 2 == 0) {
        value = (float) (random.nextDouble(-70000, 70000) * Math.pow(2, -random.nextInt(30)));
      }
      final float input = value;
      assertEquals(ReferenceRounding.bf16(value), Floats.f32ToBf16(value) & 0xFFFF,
          () -> "bf16 of " + Integer.toHexString(Float.floatToRawIntBits(input)));
      assertEquals(ReferenceRounding.f16(value), Floats.f32ToF16(value) & 0xFFFF,
          () -> "f16 of " + Integer.toHexString(Float.floatToRawIntBits(input)));
    }
  }
}
