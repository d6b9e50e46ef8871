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

  /**
   * The bits of the magnitudes, which order as the magnitudes do, NaNs above infinity. The loops keep their lane-wise
   * maximum and reduce it once per call rather than testing a comparison mask per vector: in a profile of a 1B merge
   * (JDK 17, AVX-512) the mask tests took a quarter of the tasks' CPU time, and `bench --kernel` went from 0.55 to
   * 0.34 ns per BF16 element.
   */
  private static IntVector magnitudes(FloatVector values) {
    return values.reinterpretAsInts().and(Integer.MAX_VALUE);
  }

  /** The first index not below the limit: in the vector part when its largest magnitude reached it, else in the tail. */
  private static int first(float[] values, int end, IntVector largest, int inTail, float limit) {
    return largest.reduceLanes(VectorOperators.MAX) >= Float.floatToRawIntBits(limit)
        ? ScalarLanes.firstNotBelow(values, 0, end, limit) : inTail;
  }

  @Override
  public int widenBf16(short[] raw, int count, float[] target) {
    int end = vectorEnd(count);
    IntVector largest = IntVector.zero(INTS);
    for (int i = 0; i < end; i += LANES) {
      FloatVector value = ((IntVector) ShortVector.fromArray(SHORTS, raw, i).convertShape(VectorOperators.S2I, INTS, 0))
          .lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
      value.intoArray(target, i);
      largest = largest.max(magnitudes(value));
    }
    return first(target, end, largest, ScalarLanes.widenBf16(raw, end, count, target), Float.POSITIVE_INFINITY);
  }

  /**
   * Exponent and mantissa shifted into f32 position and scaled by 2^112 (the difference of the biases) give every
   * finite f16, subnormals and zero included, exactly; infinities and NaNs get the all-ones exponent.
   */
  @Override
  public int widenF16(short[] raw, int count, float[] target) {
    int end = vectorEnd(count);
    IntVector largest = IntVector.zero(INTS);
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
      largest = largest.max(magnitudes(value));
    }
    return first(target, end, largest, ScalarLanes.widenF16(raw, end, count, target), Float.POSITIVE_INFINITY);
  }

  @Override
  public int firstNotBelow(float[] values, int count, float limit) {
    int end = vectorEnd(count);
    IntVector largest = IntVector.zero(INTS);
    for (int i = 0; i < end; i += LANES) {
      largest = largest.max(magnitudes(FloatVector.fromArray(FLOATS, values, i)));
    }
    return first(values, end, largest, ScalarLanes.firstNotBelow(values, end, count, limit), limit);
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
    IntVector largest = IntVector.zero(INTS);
    for (int i = 0; i < end; i += LANES) {
      FloatVector value = FloatVector.fromArray(FLOATS, values, i);
      IntVector bits = value.reinterpretAsInts();
      IntVector rounded = bits.add(0x7FFF).add(bits.lanewise(VectorOperators.LSHR, 16).and(1))
          .lanewise(VectorOperators.LSHR, 16)
          .blend(0x7FC0, value.test(VectorOperators.IS_NAN).cast(INTS));
      ((ShortVector) rounded.convertShape(VectorOperators.I2S, SHORTS, 0)).intoArray(target, i);
      largest = largest.max(magnitudes(value));
    }
    return first(values, end, largest, ScalarLanes.narrowBf16(values, end, count, target, limit), limit);
  }

  /** {@link io.chatvector.format.Floats#f32ToF16} lane by lane: the same float and integer steps. */
  @Override
  public int narrowF16(float[] values, int count, short[] target, float limit) {
    int end = vectorEnd(count);
    IntVector largest = IntVector.zero(INTS);
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
      largest = largest.max(magnitudes(value));
    }
    return first(values, end, largest, ScalarLanes.narrowF16(values, end, count, target, limit), limit);
  }
}
