package io.chatvector.merge;

/**
 * The element-wise loops of the merge arithmetic. Two implementations give identical bits: a scalar one, and one
 * on the Vector API used when the JVM has the {@code jdk.incubator.vector} module (Spark 4 adds it to executors;
 * the launcher adds it too). Every operation is a single IEEE f32 operation per element, so lane width cannot
 * change a result.
 */
interface Lanes {
  /** bf16 bit patterns to f32: {@code bits << 16}. */
  void widenBf16(short[] raw, int count, float[] target);

  /** {@code values[i] = values[i] - minus[i]}. */
  void subtract(float[] values, float[] minus, int count);

  /** {@code values[i] = weight * values[i]}. */
  void scale(float[] values, float weight, int count);

  /** {@code sum[i] = sum[i] + addend[i]}. */
  void add(float[] sum, float[] addend, int count);

  /** The index of the first value not below {@code limit} in magnitude (NaN never is), or -1. */
  int firstNotBelow(float[] values, int count, float limit);

  /** f32 to bf16, round to nearest even, NaN to 0x7FC0. */
  void narrowBf16(float[] values, int count, short[] target);

  /** f16 bit patterns to f32, exactly. */
  void widenF16(short[] raw, int count, float[] target);

  /** f32 to f16, round to nearest even, as c10's {@code fp16_ieee_from_fp32_value}. */
  void narrowF16(float[] values, int count, short[] target);

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
