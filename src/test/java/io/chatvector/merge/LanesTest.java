package io.chatvector.merge;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.chatvector.format.DType;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The vector loops give the scalar loops' bits, on values chosen to break them. */
class LanesTest {
  private static final Lanes SCALAR = new ScalarLanes();
  private static final Lanes VECTOR = Lanes.fastest();
  private static final int[] SPECIAL = {0x7FC00000, 0xFFC00001, 0x7F800001, 0x7F800000, 0xFF800000, 0x80000000, 0,
      0x00000001, 0x00008000, 0x00018000, 0x3F808000, 0x3F818000, 0x7F7FFFFF, 0x7F7F8000, 0x7F7F7FFF, 0x477FF000};

  private static float[] values(SplittableRandom random, int count) {
    float[] values = new float[count];
    for (int i = 0; i < count; i++) {
      values[i] = switch (random.nextInt(4)) {
        case 0 -> Float.intBitsToFloat(SPECIAL[random.nextInt(SPECIAL.length)]);
        case 1 -> Float.intBitsToFloat(random.nextInt());
        default -> (float) random.nextDouble(-2, 2);
      };
    }
    return values;
  }

  /** Bit patterns with every NaN made canonical: NaN payloads are not part of the contract (nor PyTorch's). */
  private static int[] bits(float[] values) {
    int[] bits = new int[values.length];
    for (int i = 0; i < values.length; i++) {
      bits[i] = Float.floatToIntBits(values[i]);
    }
    return bits;
  }

  private static int[] canonical(byte[] bytes, DType dtype) {
    java.nio.ByteBuffer buffer = java.nio.ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    int[] values = new int[bytes.length / (dtype.bits() / 8)];
    for (int i = 0; i < values.length; i++) {
      values[i] = switch (dtype) {
        case F32 -> Float.floatToIntBits(buffer.getFloat(4 * i));
        case F16 -> (buffer.getShort(2 * i) & 0x7C00) == 0x7C00 && (buffer.getShort(2 * i) & 0x3FF) != 0
            ? 0x7E00 : buffer.getShort(2 * i) & 0xFFFF;
        default -> buffer.getShort(2 * i) & 0xFFFF;
      };
    }
    return values;
  }

  @Test
  void theJvmUnderTestHasTheVectorModule() {
    assertInstanceOf(VectorLanes.class, VECTOR);
  }

  @Test
  void everyLoopMatchesTheScalarReference() {
    SplittableRandom random = new SplittableRandom(17);
    for (int round = 0; round < 300; round++) {
      int count = random.nextInt(1, 200);
      float[] a = values(random, count);
      float[] b = values(random, count);
      float weight = (float) random.nextDouble(-3, 3);

      float[] c = values(random, count);
      float[] scalar = new float[count];
      float[] vector = new float[count];
      for (float[] minus : java.util.Arrays.asList(b, null)) {
        SCALAR.term(scalar, c, minus, weight, count);
        VECTOR.term(vector, c, minus, weight, count);
        assertArrayEquals(bits(scalar), bits(vector), "round " + round);
        SCALAR.addTerm(scalar, a, minus, weight, count);
        VECTOR.addTerm(vector, a, minus, weight, count);
        assertArrayEquals(bits(scalar), bits(vector), "round " + round);
      }

      for (float limit : new float[] {Float.POSITIVE_INFINITY, 65520f, 1.0f}) {
        short[] narrowScalar = new short[count];
        short[] narrowVector = new short[count];
        assertEquals(SCALAR.narrowBf16(a, count, narrowScalar, limit),
            VECTOR.narrowBf16(a, count, narrowVector, limit), "round " + round);
        assertArrayEquals(narrowScalar, narrowVector, "round " + round);

        float[] widenScalar = new float[count];
        float[] widenVector = new float[count];
        assertEquals(SCALAR.widenBf16(narrowScalar, count, widenScalar),
            VECTOR.widenBf16(narrowScalar, count, widenVector), "round " + round);
        assertArrayEquals(bits(widenScalar), bits(widenVector));

        short[] halfScalar = new short[count];
        short[] halfVector = new short[count];
        assertEquals(SCALAR.narrowF16(a, count, halfScalar, limit), VECTOR.narrowF16(a, count, halfVector, limit),
            "round " + round);
        assertArrayEquals(halfScalar, halfVector, "round " + round);
        assertEquals(SCALAR.widenF16(halfScalar, count, widenScalar), VECTOR.widenF16(halfScalar, count, widenVector),
            "round " + round);
        assertArrayEquals(bits(widenScalar), bits(widenVector));

        assertEquals(SCALAR.firstNotBelow(a, count, limit), VECTOR.firstNotBelow(a, count, limit));
      }
    }
  }

  /** The index a check returns is the first offending one, wherever it falls: in a vector, in the tail, or none. */
  @Test
  void checksNameTheFirstOffendingIndex() {
    for (int count : new int[] {1, 15, 16, 17, 64, 100}) {
      for (int at = -1; at < count; at++) {
        short[] raw = new short[count];
        java.util.Arrays.fill(raw, (short) 0x3F80);
        if (at >= 0) {
          raw[at] = (short) 0x7F80;
          raw[count - 1] = (short) 0xFFC0;
        }
        int expected = at < 0 ? -1 : at;
        float[] target = new float[count];
        assertEquals(expected, SCALAR.widenBf16(raw, count, target), count + "/" + at);
        assertEquals(expected, VECTOR.widenBf16(raw, count, target), count + "/" + at);
        short[] narrowed = new short[count];
        assertEquals(expected, SCALAR.narrowBf16(target, count, narrowed, 2.0f), count + "/" + at);
        assertEquals(expected, VECTOR.narrowBf16(target, count, narrowed, 2.0f), count + "/" + at);
      }
    }
  }

  @Test
  void widensEveryF16PatternAsTheScalarTableDoes() {
    short[] every = new short[1 << 16];
    for (int h = 0; h < every.length; h++) {
      every[h] = (short) h;
    }
    float[] scalar = new float[every.length];
    float[] vector = new float[every.length];
    assertEquals(SCALAR.widenF16(every, every.length, scalar), VECTOR.widenF16(every, every.length, vector));
    for (int h = 0; h < every.length; h++) {
      assertEquals(Float.floatToRawIntBits(scalar[h]), Float.floatToRawIntBits(vector[h]), "f16 " + h);
    }
  }

  @Test
  void narrowsToF16AcrossTheWholeRangeAsTheScalarCodeDoes() {
    SplittableRandom random = new SplittableRandom(29);
    float[] values = new float[1 << 18];
    for (int i = 0; i < values.length; i++) {
      values[i] = i % 3 == 0 ? Float.intBitsToFloat(random.nextInt())
          : (float) (random.nextDouble(-70000, 70000) * Math.pow(2, -random.nextInt(40)));
    }
    short[] scalar = new short[values.length];
    short[] vector = new short[values.length];
    assertEquals(SCALAR.narrowF16(values, values.length, scalar, 65520f),
        VECTOR.narrowF16(values, values.length, vector, 65520f));
    assertArrayEquals(scalar, vector);
  }

  @Test
  void wholeChunksMatchBetweenScalarAndVectorArithmetic() {
    SplittableRandom random = new SplittableRandom(23);
    for (DType in : new DType[] {DType.BF16, DType.F16, DType.F32}) {
      for (DType out : new DType[] {DType.BF16, DType.F16, DType.F32}) {
        int n = 20_000 + random.nextInt(100);
        byte[] cp = new byte[n * in.bits() / 8];
        byte[] chat = new byte[cp.length];
        byte[] base = new byte[cp.length];
        random.nextBytes(cp);
        random.nextBytes(chat);
        random.nextBytes(base);
        byte[] scalar = new byte[n * out.bits() / 8];
        byte[] vector = new byte[scalar.length];
        List<Term> terms = List.of(Term.difference(0.37f, new Operand("c", in, ByteBuffer.wrap(chat)),
            new Operand("b", in, ByteBuffer.wrap(base))));
        ChunkArithmetic.ChunkPosition position = new ChunkArithmetic.ChunkPosition("t", new long[] {n}, 0);
        new ChunkArithmetic(true, SCALAR).compute(position, n, new Operand("p", in, ByteBuffer.wrap(cp)), terms, out,
            ByteBuffer.wrap(scalar));
        new ChunkArithmetic(true, VECTOR).compute(position, n, new Operand("p", in, ByteBuffer.wrap(cp)), terms, out,
            ByteBuffer.wrap(vector));
        assertArrayEquals(canonical(scalar, out), canonical(vector, out), in + " -> " + out);
      }
    }
  }
}
