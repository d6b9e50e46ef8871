package io.chatvector.merge;

import io.chatvector.format.Floats;

/** The reference loops; also the tails of {@link VectorLanes}. */
final class ScalarLanes implements Lanes {
  @Override
  public int widenBf16(short[] raw, int count, float[] target) {
    return widenBf16(raw, 0, count, target);
  }

  static int widenBf16(short[] raw, int from, int to, float[] target) {
    for (int i = from; i < to; i++) {
      target[i] = Floats.bf16ToF32(raw[i]);
    }
    return firstNotBelow(target, from, to, Float.POSITIVE_INFINITY);
  }

  @Override
  public int widenF16(short[] raw, int count, float[] target) {
    return widenF16(raw, 0, count, target);
  }

  static int widenF16(short[] raw, int from, int to, float[] target) {
    for (int i = from; i < to; i++) {
      target[i] = Floats.f16ToF32(raw[i]);
    }
    return firstNotBelow(target, from, to, Float.POSITIVE_INFINITY);
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
  public void term(float[] target, float[] plus, float[] minus, float weight, int count) {
    term(target, plus, minus, weight, 0, count);
  }

  static void term(float[] target, float[] plus, float[] minus, float weight, int from, int to) {
    for (int i = from; i < to; i++) {
      target[i] = weight * (minus == null ? plus[i] : plus[i] - minus[i]);
    }
  }

  @Override
  public void addTerm(float[] sum, float[] plus, float[] minus, float weight, int count) {
    addTerm(sum, plus, minus, weight, 0, count);
  }

  static void addTerm(float[] sum, float[] plus, float[] minus, float weight, int from, int to) {
    for (int i = from; i < to; i++) {
      sum[i] = sum[i] + weight * (minus == null ? plus[i] : plus[i] - minus[i]);
    }
  }

  @Override
  public int narrowBf16(float[] values, int count, short[] target, float limit) {
    return narrowBf16(values, 0, count, target, limit);
  }

  static int narrowBf16(float[] values, int from, int to, short[] target, float limit) {
    for (int i = from; i < to; i++) {
      target[i] = Floats.f32ToBf16(values[i]);
    }
    return firstNotBelow(values, from, to, limit);
  }

  @Override
  public int narrowF16(float[] values, int count, short[] target, float limit) {
    return narrowF16(values, 0, count, target, limit);
  }

  static int narrowF16(float[] values, int from, int to, short[] target, float limit) {
    for (int i = from; i < to; i++) {
      target[i] = Floats.f32ToF16(values[i]);
    }
    return firstNotBelow(values, from, to, limit);
  }
}
