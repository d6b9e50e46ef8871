package io.chatvector.merge;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The loops on the Vector API, at the CPU's preferred width, with the scalar loops for the tails. Loaded by
 * {@link Lanes#fastest()} only when the incubator module is present. Loads and stores are on Java arrays only
 * (not byte arrays or buffers), whose API is the same on every JDK from 17 on.
 */
final class VectorLanes implements Lanes {
  private static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_PREFERRED;
  private static final VectorSpecies<Integer> INTS = IntVector.SPECIES_PREFERRED;
  private static final VectorSpecies<Short> SHORTS =
      VectorSpecies.of(short.class, VectorShape.forBitSize(FLOATS.vectorBitSize() / 2));
  private static final int LANES = FLOATS.length();
  /** Added to both sides of a signed comparison, it makes it an unsigned one. */
  private static final int UNSIGNED = Integer.MIN_VALUE;

  private static int vectorEnd(int count) {
    return count - count % LANES;
  }

  private static boolean anyNotBelow(FloatVector values, float limit) {
    return !values.abs().compare(VectorOperators.LT, limit).allTrue();
  }

  /** The first index not below the limit: within the vector flagged by a loop, else as the scalar tail found. */
  private static int first(float[] values, int flaggedVector, int inTail, float limit) {
    return flaggedVector >= 0 ? ScalarLanes.firstNotBelow(values, flaggedVector, flaggedVector + LANES, limit) : inTail;
  }

  @Override
  public int widenBf16(short[] raw, int count, float[] target) {
    int end = vectorEnd(count);
    int flagged = -1;
    for (int i = 0; i < end; i += LANES) {
      FloatVector value = ((IntVector) ShortVector.fromArray(SHORTS, raw, i).convertShape(VectorOperators.S2I, INTS, 0))
          .lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
      value.intoArray(target, i);
      if (flagged < 0 && anyNotBelow(value, Float.POSITIVE_INFINITY)) {
        flagged = i;
      }
    }
    return first(target, flagged, ScalarLanes.widenBf16(raw, end, count, target), Float.POSITIVE_INFINITY);
  }

  /**
   * Exponent and mantissa shifted into f32 position and scaled by 2^112 (the difference of the biases) give every
   * finite f16, subnormals and zero included, exactly; infinities and NaNs get the all-ones exponent.
   */
  @Override
  public int widenF16(short[] raw, int count, float[] target) {
    int end = vectorEnd(count);
    int flagged = -1;
    for (int i = 0; i < end; i += LANES) {
      IntVector half = ((IntVector) ShortVector.fromArray(SHORTS, raw, i).convertShape(VectorOperators.S2I, INTS, 0))
          .and(0xFFFF);
      IntVector sign = half.and(0x8000).lanewise(VectorOperators.LSHL, 16);
      IntVector magnitude = half.and(0x7FFF);
      IntVector finite = magnitude.lanewise(VectorOperators.LSHL, 13).reinterpretAsFloats()
          .mul(0x1.0p112f).reinterpretAsInts();
      IntVector special = magnitude.and(0x3FF).lanewise(VectorOperators.LSHL, 13).or(0x7F800000);
      FloatVector value = finite.blend(special, magnitude.compare(VectorOperators.GE, 0x7C00)).or(sign)
          .reinterpretAsFloats();
      value.intoArray(target, i);
      if (flagged < 0 && anyNotBelow(value, Float.POSITIVE_INFINITY)) {
        flagged = i;
      }
    }
    return first(target, flagged, ScalarLanes.widenF16(raw, end, count, target), Float.POSITIVE_INFINITY);
  }

  @Override
  public int firstNotBelow(float[] values, int count, float limit) {
    int end = vectorEnd(count);
    for (int i = 0; i < end; i += LANES) {
      if (anyNotBelow(FloatVector.fromArray(FLOATS, values, i), limit)) {
        return ScalarLanes.firstNotBelow(values, i, i + LANES, limit);
      }
    }
    return ScalarLanes.firstNotBelow(values, end, count, limit);
  }

  @Override
  public void term(float[] target, float[] plus, float[] minus, float weight, int count) {
    int end = vectorEnd(count);
    FloatVector factor = FloatVector.broadcast(FLOATS, weight);
    if (minus == null) {
      for (int i = 0; i < end; i += LANES) {
        factor.mul(FloatVector.fromArray(FLOATS, plus, i)).intoArray(target, i);
      }
    } else {
      for (int i = 0; i < end; i += LANES) {
        factor.mul(FloatVector.fromArray(FLOATS, plus, i).sub(FloatVector.fromArray(FLOATS, minus, i)))
            .intoArray(target, i);
      }
    }
    ScalarLanes.term(target, plus, minus, weight, end, count);
  }

  @Override
  public void addTerm(float[] sum, float[] plus, float[] minus, float weight, int count) {
    int end = vectorEnd(count);
    FloatVector factor = FloatVector.broadcast(FLOATS, weight);
    if (minus == null) {
      for (int i = 0; i < end; i += LANES) {
        FloatVector.fromArray(FLOATS, sum, i).add(factor.mul(FloatVector.fromArray(FLOATS, plus, i)))
            .intoArray(sum, i);
      }
    } else {
      for (int i = 0; i < end; i += LANES) {
        FloatVector.fromArray(FLOATS, sum, i)
            .add(factor.mul(FloatVector.fromArray(FLOATS, plus, i).sub(FloatVector.fromArray(FLOATS, minus, i))))
            .intoArray(sum, i);
      }
    }
    ScalarLanes.addTerm(sum, plus, minus, weight, end, count);
  }

  @Override
  public int narrowBf16(float[] values, int count, short[] target, float limit) {
    int end = vectorEnd(count);
    int flagged = -1;
    for (int i = 0; i < end; i += LANES) {
      FloatVector value = FloatVector.fromArray(FLOATS, values, i);
      IntVector bits = value.reinterpretAsInts();
      IntVector rounded = bits.add(0x7FFF).add(bits.lanewise(VectorOperators.LSHR, 16).and(1))
          .lanewise(VectorOperators.LSHR, 16)
          .blend(0x7FC0, value.test(VectorOperators.IS_NAN).cast(INTS));
      ((ShortVector) rounded.convertShape(VectorOperators.I2S, SHORTS, 0)).intoArray(target, i);
      if (flagged < 0 && anyNotBelow(value, limit)) {
        flagged = i;
      }
    }
    return first(values, flagged, ScalarLanes.narrowBf16(values, end, count, target, limit), limit);
  }

  /** {@link io.chatvector.format.Floats#f32ToF16} lane by lane: the same float and integer steps. */
  @Override
  public int narrowF16(float[] values, int count, short[] target, float limit) {
    int end = vectorEnd(count);
    int flagged = -1;
    for (int i = 0; i < end; i += LANES) {
      FloatVector value = FloatVector.fromArray(FLOATS, values, i);
      IntVector bits = value.reinterpretAsInts();
      IntVector doubled = bits.add(bits);
      IntVector sign = bits.and(0x80000000).lanewise(VectorOperators.LSHR, 16);
      FloatVector base = value.abs().mul(0x1.0p+112f).mul(0x1.0p-110f);
      IntVector bias = doubled.and(0xFF000000);
      bias = bias.blend(0x71000000, bias.add(UNSIGNED).compare(VectorOperators.LT, 0x71000000 + UNSIGNED));
      IntVector rounded = bias.lanewise(VectorOperators.LSHR, 1).add(0x07800000).reinterpretAsFloats().add(base)
          .reinterpretAsInts();
      IntVector finite = rounded.lanewise(VectorOperators.LSHR, 13).and(0x7C00).add(rounded.and(0x0FFF));
      IntVector nan = bits.lanewise(VectorOperators.LSHR, 13).and(0x3FF).or(0x7E00);
      IntVector half = finite.blend(nan, doubled.add(UNSIGNED).compare(VectorOperators.GT, 0xFF000000 + UNSIGNED))
          .or(sign);
      ((ShortVector) half.convertShape(VectorOperators.I2S, SHORTS, 0)).intoArray(target, i);
      if (flagged < 0 && anyNotBelow(value, limit)) {
        flagged = i;
      }
    }
    return first(values, flagged, ScalarLanes.narrowF16(values, end, count, target, limit), limit);
  }
}
