package io.chatvector.merge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chatvector.InvalidInputException;
import io.chatvector.format.DType;
import io.chatvector.format.Floats;
import io.chatvector.format.ReferenceRounding;
import io.chatvector.merge.ChunkArithmetic.ChunkPosition;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ChunkArithmeticTest {
  private static final ChunkPosition POSITION = new ChunkPosition("model.layers.0.mlp.up_proj.weight", new long[] {4, 3}, 0);

  private static Operand operand(DType dtype, float... values) {
    ByteBuffer buffer = ByteBuffer.allocate(values.length * dtype.bits() / 8).order(ByteOrder.LITTLE_ENDIAN);
    for (float value : values) {
      Floats.put(buffer, dtype, value);
    }
    return new Operand("file:/in/" + dtype, dtype, buffer);
  }

  private static int[] bits16(byte[] out, int count) {
    int[] bits = new int[count];
    ByteBuffer buffer = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < count; i++) {
      bits[i] = buffer.getShort(2 * i) & 0xFFFF;
    }
    return bits;
  }

  @Test
  void addsAWeightedDifferenceWithKnownResults() {
    Operand cp = operand(DType.BF16, 1.0f, -2.0f, 0.0f);
    Operand chat = operand(DType.BF16, 0.75f, 0.5f, 3.0f);
    Operand base = operand(DType.BF16, 0.25f, 0.5f, 1.0f);
    byte[] out = new byte[6];
    new ChunkArithmetic(false).compute(POSITION, 3, cp, List.of(Term.difference(0.5f, chat, base)), DType.BF16, ByteBuffer.wrap(out));
    // 1 + 0.5*0.5 = 1.25 (0x3FA0); -2 + 0 = -2 (0xC000); 0 + 0.5*2 = 1 (0x3F80)
    assertEquals(List.of(0x3FA0, 0xC000, 0x3F80), java.util.Arrays.stream(bits16(out, 3)).boxed().toList());
  }

  @Test
  void extractionStartsFromTheFirstTerm() {
    Operand chat = operand(DType.F32, 1.5f, -1.0f);
    Operand base = operand(DType.F32, 0.5f, 1.0f);
    byte[] out = new byte[8];
    new ChunkArithmetic(false).compute(POSITION, 2, null, List.of(Term.difference(1.0f, chat, base)), DType.F32, ByteBuffer.wrap(out));
    ByteBuffer result = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
    assertEquals(1.0f, result.getFloat(0));
    assertEquals(-2.0f, result.getFloat(4));
  }

  @Test
  void roundsOnceAfterF32AccumulationInPyTorchOrder() {
    SplittableRandom random = new SplittableRandom(3);
    int n = 20_000;
    float[] cp = new float[n];
    float[] v1 = new float[n];
    float[] v2 = new float[n];
    for (int i = 0; i < n; i++) {
      cp[i] = (float) random.nextDouble(-1, 1);
      v1[i] = (float) random.nextDouble(-0.01, 0.01);
      v2[i] = (float) random.nextDouble(-0.01, 0.01);
    }
    Operand cpIn = operand(DType.F32, cp);
    Operand v1In = operand(DType.F16, v1);
    Operand v2In = operand(DType.BF16, v2);
    byte[] out = new byte[2 * n];
    new ChunkArithmetic(false).compute(new ChunkPosition("t", new long[] {n}, 0), n, cpIn,
        List.of(Term.of(0.3f, v1In), Term.of(0.7f, v2In)), DType.BF16, ByteBuffer.wrap(out));
    int[] actual = bits16(out, n);
    for (int i = 0; i < n; i++) {
      float a = Floats.f16ToF32(Floats.f32ToF16(v1[i]));
      float b = Floats.bf16ToF32(Floats.f32ToBf16(v2[i]));
      float sum = (cp[i] + 0.3f * a) + 0.7f * b;
      assertEquals(ReferenceRounding.bf16(sum), actual[i], "element " + i);
    }
  }

  @Test
  void processesChunksLongerThanOneBlock() {
    int n = 3 * 8192 + 5;
    float[] values = new float[n];
    for (int i = 0; i < n; i++) {
      values[i] = i;
    }
    byte[] out = new byte[4 * n];
    new ChunkArithmetic(false).compute(new ChunkPosition("t", new long[] {n}, 0), n, operand(DType.F32, values),
        List.of(Term.of(2.0f, operand(DType.F32, values))), DType.F32, ByteBuffer.wrap(out));
    ByteBuffer result = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < n; i++) {
      assertEquals(3.0f * i, result.getFloat(4 * i));
    }
  }

  @Test
  void refusesANanInAnInputNamingTensorElementAndFile() {
    Operand cp = operand(DType.BF16, 1, 2, 3, 4, 5, Float.NaN);
    Operand vector = operand(DType.BF16, 0, 0, 0, 0, 0, 0);
    ChunkPosition position = new ChunkPosition("w", new long[] {4, 3}, 3);
    InvalidInputException e = assertThrows(InvalidInputException.class, () -> new ChunkArithmetic(false)
        .compute(position, 6, cp, List.of(Term.of(1, vector)), DType.BF16, ByteBuffer.allocate(12)));
    assertEquals("file:/in/BF16: tensor 'w' element [2, 2] is NaN (use --allow-nonfinite to merge non-finite values)",
        e.getMessage());
  }

  @Test
  void refusesASumThatOverflowsTheOutputType() {
    Operand cp = operand(DType.F32, 60000f);
    Operand vector = operand(DType.F32, 10000f);
    InvalidInputException e = assertThrows(InvalidInputException.class, () -> new ChunkArithmetic(false)
        .compute(POSITION, 1, cp, List.of(Term.of(1, vector)), DType.F16, ByteBuffer.allocate(2)));
    assertTrue(e.getMessage().contains("tensor 'model.layers.0.mlp.up_proj.weight' element [0, 0]: the merged value "
        + "overflows F16"), e.getMessage());
  }

  @Test
  void keepsNonFiniteValuesWhenAllowed() {
    byte[] out = new byte[4];
    new ChunkArithmetic(true).compute(POSITION, 2, operand(DType.BF16, Float.POSITIVE_INFINITY, 1),
        List.of(Term.of(1, operand(DType.BF16, 1, Float.NaN))), DType.BF16, ByteBuffer.wrap(out));
    int[] bits = bits16(out, 2);
    assertEquals(0x7F80, bits[0]);
    assertTrue(Float.isNaN(Floats.bf16ToF32((short) bits[1])));
  }
}
