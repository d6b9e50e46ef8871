package io.chatvector.format;

/**
 * Round to nearest even by brute force, for checking the bit tricks in {@link Floats}: of the two neighbouring
 * representable values, take the nearer (compared exactly in double), the even one on a tie.
 */
public final class ReferenceRounding {
  private ReferenceRounding() {
  }

  /** The nearest of the ordered, finite 16-bit patterns of one sign; overflow past max goes to infinity. */
  static int nearest16(float value, java.util.function.IntToDoubleFunction decode, int maxFinite, int infinity) {
    double x = Math.abs((double) value);
    int sign = Float.floatToRawIntBits(value) < 0 ? 0x8000 : 0;
    int lo = 0;
    int hi = maxFinite;
    while (lo < hi) {
      int mid = (lo + hi + 1) >>> 1;
      if (decode.applyAsDouble(mid) <= x) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    double below = decode.applyAsDouble(lo);
    if (below == x) {
      return sign | lo;
    }
    int up = lo + 1;
    // Past the largest finite value, the "next" value is where the next step would be: infinity beyond half of it.
    double above = up > maxFinite ? 2 * decode.applyAsDouble(maxFinite) - decode.applyAsDouble(maxFinite - 1) : decode.applyAsDouble(up);
    double toBelow = x - below;
    double toAbove = above - x;
    int chosen = toBelow < toAbove ? lo : toBelow > toAbove ? up : ((lo & 1) == 0 ? lo : up);
    return sign | (chosen > maxFinite ? infinity : chosen);
  }

  public static int bf16(float value) {
    return nearest16(value, bits -> Float.intBitsToFloat(bits << 16), 0x7F7F, 0x7F80);
  }

  public static int f16(float value) {
    return nearest16(value, bits -> Floats.f16ToF32((short) bits), 0x7BFF, 0x7C00);
  }
}
