package io.chatvector.merge;

/**
 * The element-wise loops of the merge arithmetic, each one pass over a block. Two implementations give identical
 * bits: a scalar one, and one on the Vector API used when the JVM has the {@code jdk.incubator.vector} module
 * (Spark 4 adds it to executors; the launcher adds it too). Every operation is a single IEEE f32 operation per
 * element, so lane width cannot change a result.
 *
 * <p>The checks for non-finite values ride along in the passes that touch the values anyway: a separate pass per
 * check cost as much as the arithmetic (measured here on a 1B merge).
 */
interface Lanes {
  /** bf16 bit patterns to f32 ({@code bits << 16}); returns the index of the first NaN or infinity, or -1. */
  int widenBf16(short[] raw, int count, float[] target);

  /** f16 bit patterns to f32, exactly; returns the index of the first NaN or infinity, or -1. */
  int widenF16(short[] raw, int count, float[] target);

  /** The index of the first value not below {@code limit} in magnitude (NaN never is), or -1. */
  int firstNotBelow(float[] values, int count, float limit);

  /** {@code target[i] = weight * (plus[i] - minus[i])}, or {@code weight * plus[i]} when {@code minus} is null. */
  void term(float[] target, float[] plus, float[] minus, float weight, int count);

  /** {@code sum[i] = sum[i] + weight * (plus[i] - minus[i])}, or {@code + weight * plus[i]} without a minus. */
  void addTerm(float[] sum, float[] plus, float[] minus, float weight, int count);

  /**
   * f32 to bf16, round to nearest even, NaN to 0x7FC0; returns the index of the first value not below
   * {@code limit} in magnitude, or -1.
   */
  int narrowBf16(float[] values, int count, short[] target, float limit);

  /** f32 to f16, round to nearest even, as c10's {@code fp16_ieee_from_fp32_value}; returns as narrowBf16. */
  int narrowF16(float[] values, int count, short[] target, float limit);

  static Lanes fastest() {
    if (ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()) {
      try {
        return (Lanes) Class.forName("io.chatvector.merge.VectorLanes").getDeclaredConstructor().newInstance();
      } catch (ReflectiveOperationException | LinkageError e) {
        return new ScalarLanes();
      }
    }
    return new ScalarLanes();
  }
}
