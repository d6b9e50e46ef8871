package io.chatvector.merge;

import io.chatvector.format.Floats;

/** The reference loops; also the tails of {@link VectorLanes}. */
final class ScalarLanes implements Lanes {
  @Override
  public void widenBf16(short[] raw, int count, float[] target) {
    widenBf16(raw, 0, count, target);
  }

  static void widenBf16(short[] raw, int from, int to, float[] target) {
    for (int i = from; i < to; i++) {
      target[i] = Floats.bf16ToF32(raw[i]);
    }
  }

  @Override
  public void subtract(float[] values, float[] minus, int count) {
    subtract(values, minus, 0, count);
  }

  static void subtract(float[] values, float[] minus, int from, int to) {
    for (int i = from; i < to; i++) {
      values[i] = values[i] - minus[i];
    }
  }

  @Override
  public void scale(float[] values, float weight, int count) {
    scale(values, weight, 0, count);
  }

  static void scale(float[] values, float weight, int from, int to) {
    for (int i = from; i < to; i++) {
      values[i] = weight * values[i];
    }
  }

  @Override
  public void add(float[] sum, float[] addend, int count) {
    add(sum, addend, 0, count);
  }

  static void add(float[] sum, float[] addend, int from, int to) {
    for (int i = from; i < to; i++) {
      sum[i] = sum[i] + addend[i];
    }
  }

  @Override
  public int firstNotBelow(float[] values, int count, float limit) {
    return firstNotBelow(values, 0, count, limit);
  }

  static int firstNotBelow(float[] values, int from, int to, float limit) {
    for (int i = from; i < to; i++) {
      if (!(Math.abs(values[i]) < limit)) {
        return i;
      }
    }
    return -1;
  }

  @Override
  public void narrowBf16(float[] values, int count, short[] target) {
    narrowBf16(values, 0, count, target);
  }

  static void narrowBf16(float[] values, int from, int to, short[] target) {
    for (int i = from; i < to; i++) {
      target[i] = Floats.f32ToBf16(values[i]);
    }
  }

  @Override
  public void widenF16(short[] raw, int count, float[] target) {
    widenF16(raw, 0, count, target);
  }

  static void widenF16(short[] raw, int from, int to, float[] target) {
    for (int i = from; i < to; i++) {
      target[i] = Floats.f16ToF32(raw[i]);
    }
  }

  @Override
  public void narrowF16(float[] values, int count, short[] target) {
    narrowF16(values, 0, count, target);
  }

  static void narrowF16(float[] values, int from, int to, short[] target) {
    for (int i = from; i < to; i++) {
      target[i] = Floats.f32ToF16(values[i]);
    }
  }
}
