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

  private static int vectorEnd(int count) {
    return count - count % LANES;
  }

  @Override
  public void widenBf16(short[] raw, int count, float[] target) {
    int end = vectorEnd(count);
    for (int i = 0; i < end; i += LANES) {
      ((IntVector) ShortVector.fromArray(SHORTS, raw, i).convertShape(VectorOperators.S2I, INTS, 0))
          .lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().intoArray(target, i);
    }
    ScalarLanes.widenBf16(raw, end, count, target);
  }

  @Override
  public void subtract(float[] values, float[] minus, int count) {
    int end = vectorEnd(count);
    for (int i = 0; i < end; i += LANES) {
      FloatVector.fromArray(FLOATS, values, i).sub(FloatVector.fromArray(FLOATS, minus, i)).intoArray(values, i);
    }
    ScalarLanes.subtract(values, minus, end, count);
  }

  @Override
  public void scale(float[] values, float weight, int count) {
    int end = vectorEnd(count);
    FloatVector factor = FloatVector.broadcast(FLOATS, weight);
    for (int i = 0; i < end; i += LANES) {
      factor.mul(FloatVector.fromArray(FLOATS, values, i)).intoArray(values, i);
    }
    ScalarLanes.scale(values, weight, end, count);
  }

  @Override
  public void add(float[] sum, float[] addend, int count) {
    int end = vectorEnd(count);
    for (int i = 0; i < end; i += LANES) {
      FloatVector.fromArray(FLOATS, sum, i).add(FloatVector.fromArray(FLOATS, addend, i)).intoArray(sum, i);
    }
    ScalarLanes.add(sum, addend, end, count);
  }

  @Override
  public int firstNotBelow(float[] values, int count, float limit) {
    int end = vectorEnd(count);
    for (int i = 0; i < end; i += LANES) {
      if (!FloatVector.fromArray(FLOATS, values, i).abs().compare(VectorOperators.LT, limit).allTrue()) {
        return ScalarLanes.firstNotBelow(values, i, i + LANES, limit);
      }
    }
    return ScalarLanes.firstNotBelow(values, end, count, limit);
  }

  @Override
  public void narrowBf16(float[] values, int count, short[] target) {
    int end = vectorEnd(count);
    for (int i = 0; i < end; i += LANES) {
      FloatVector value = FloatVector.fromArray(FLOATS, values, i);
      IntVector bits = value.reinterpretAsInts();
      IntVector rounded = bits.add(0x7FFF).add(bits.lanewise(VectorOperators.LSHR, 16).and(1))
          .lanewise(VectorOperators.LSHR, 16)
          .blend(0x7FC0, value.test(VectorOperators.IS_NAN).cast(INTS));
      ((ShortVector) rounded.convertShape(VectorOperators.I2S, SHORTS, 0)).intoArray(target, i);
    }
    ScalarLanes.narrowBf16(values, end, count, target);
  }
}
